// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Bad input gets one clear line naming the file and the problem, and a
 * non-zero exit, never a crash.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/helpers.h"

#define EXIT_OPEN 3

static char *data(const char *file)
{
	char *p;

	cr_assert(asprintf(&p, "%s/%s", kt_test_env("KT_TESTDATA"), file) > 0);
	return p;
}

static void expect_refused(const char *dump, const char *vmlinux,
			   const char *needle)
{
	const char *argv[] = { dump, vmlinux, "-c", "sys", NULL };
	struct kt_run r = kt_test_run(argv);

	cr_expect_eq(r.status, EXIT_OPEN, "exit %d for %s %s: %s", r.status,
		     dump, vmlinux, r.err);
	cr_expect(strstr(r.err, needle), "'%s' not in: %s", needle, r.err);
	cr_expect_eq(strchr(r.err, '\n') - r.err + 1, (long)strlen(r.err),
		     "one line, not: %s", r.err);
	cr_expect_str_eq(r.out, "");
	kt_run_free(&r);
}

Test(badinput, missing_dump)
{
	expect_refused("/nonexistent/vmcore", kt_test_env("KT_VMLINUX"),
		       "cannot open dump /nonexistent/vmcore: No such file");
}

Test(badinput, directory_as_dump)
{
	expect_refused("/tmp", kt_test_env("KT_VMLINUX"),
		       "/tmp: is a directory, not a crash dump");
}

Test(badinput, empty_file)
{
	char *p = data("empty");

	expect_refused(p, kt_test_env("KT_VMLINUX"), "empty file");
	free(p);
}

Test(badinput, not_a_dump)
{
	char *p = data("notadump.txt");

	expect_refused(p, kt_test_env("KT_VMLINUX"), "not a crash dump");
	free(p);
}

Test(badinput, truncated_dump)
{
	char *p = data("truncated.kdump");

	expect_refused(p, kt_test_env("KT_VMLINUX"),
		       "dump file is truncated or corrupt");
	free(p);
}

Test(badinput, truncated_elf_dump)
{
	char *p = data("truncated.elf");

	expect_refused(p, kt_test_env("KT_VMLINUX"),
		       "dump file is truncated or corrupt: it has 50000000 "
		       "bytes, its pages reach byte");
	free(p);
}

Test(badinput, truncated_flattened_dump)
{
	char *p = data("truncated.flat");

	expect_refused(p, kt_test_env("KT_VMLINUX"),
		       "flattened dump is truncated");
	free(p);
}

Test(badinput, missing_vmlinux)
{
	char *dump = kt_test_dump_path("sysrq-null", ".kdump");

	expect_refused(dump, "/nonexistent/vmlinux",
		       "cannot open vmlinux /nonexistent/vmlinux");
	free(dump);
}

Test(badinput, vmlinux_that_is_not_a_kernel)
{
	char *dump = kt_test_dump_path("sysrq-null", ".kdump");

	expect_refused(dump, "/bin/ls", "/bin/ls: not an x86-64 kernel image");
	free(dump);
}

/* Seed 002's crash only warned "kernel version inconsistency". */
Test(badinput, vmlinux_of_another_kernel)
{
	char *dump = kt_test_dump_path("sysrq-null", ".kdump");
	char *other = data("vmlinux-other");

	expect_refused(dump, other,
		       "does not match the dump: the dump's release is "
		       "6.1.0-56-cloud-amd64, the vmlinux's is "
		       "6.1.0-57-cloud-amd64");
	free(other);
	free(dump);
}

Test(badinput, vmlinux_without_dwarf_still_gives_symbols_and_log)
{
	char *dump = kt_test_dump_path("list-poison", ".kdump");
	char *nodebug = data("vmlinux-nodebug");
	const char *argv[] = { dump, nodebug, "-c", "sym blk_free_flush_queue",
			       "-c", "log", NULL };
	const char *ps[] = { dump, nodebug, "-c", "ps", NULL };
	struct kt_run r = kt_test_run(argv);

	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.out, "(T) blk_free_flush_queue"), "%.300s", r.out);
	cr_expect(strstr(r.out, "general protection fault, probably for"));
	kt_run_free(&r);
	r = kt_test_run(ps);
	cr_expect_eq(r.status, 1);
	cr_expect(strstr(r.err, "no DWARF debuginfo; give the vmlinux from "
			 "the -dbg package"), "%s", r.err);
	kt_run_free(&r);
	free(nodebug);
	free(dump);
}

Test(badinput, unknown_command_and_bad_usage)
{
	char *dump = kt_test_dump_path("sysrq-null", ".kdump");
	const char *argv[] = { dump, kt_test_env("KT_VMLINUX"), "-c", "frob",
			       "-c", "ps -x", "-c", "sym 'unbalanced", NULL };
	struct kt_run r = kt_test_run(argv);

	cr_expect_eq(r.status, 1);
	cr_expect(strstr(r.err, "frob: no such command"), "%s", r.err);
	cr_expect(strstr(r.err, "ps: usage: ps"), "%s", r.err);
	cr_expect(strstr(r.err, "unbalanced quotes"), "%s", r.err);
	kt_run_free(&r);
	free(dump);
}

Test(badinput, no_files_is_a_usage_error)
{
	const char *argv[] = { "-c", "sys", NULL };
	struct kt_run r = kt_test_run(argv);

	cr_expect_eq(r.status, 2);
	cr_expect(strstr(r.err, "give a dump (and its vmlinux)"));
	kt_run_free(&r);
}
