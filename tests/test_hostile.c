// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Hostile input to the binary: input that never ends or never has a
 * newline, a workbench whose input is at its end, an empty cache name;
 * and escape sequences in a dump's release, a command, an option or the
 * terminal's name. Each runs the binary with a time limit, so a hang
 * fails the test instead of blocking the suite.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "tests/run.h"

#define EXIT_CMD_FAILED 1
#define EXIT_OPEN 3
/* An ASan build opens a dump in ~2 s; a hang is killed at this. */
#define LIMIT 60
#define MiB (1024 * 1024)

static char *dump_path(void)
{
	return kt_test_dump_path("sysrq-null", ".kdump");
}

static char dir[64];

static void make_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/kt-hostile-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_expect_eq(system(cmd), 0);
}

static char *in_dir(const char *name)
{
	char *p;

	cr_assert_geq(asprintf(&p, "%s/%s", dir, name), 0);
	return p;
}

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *fp = fopen(path, "w");

	cr_assert_not_null(fp);
	cr_assert_eq(fwrite(text, 1, len, fp), len);
	cr_assert_eq(fclose(fp), 0);
}

static void expect_finished(const struct kt_limited_run *r)
{
	cr_expect(!r->timed_out, "killed after %d s: it hung", LIMIT);
	cr_expect_eq(r->signal, 0, "killed by signal %d", r->signal);
}

TestSuite(batch_input, .init = make_dir, .fini = remove_dir);

/*
 * getline() on /dev/zero grew its buffer until memory ran out. The
 * address space is limited in the release build: a runaway allocation
 * fails instead of taking the machine.
 */
Test(batch_input, dev_zero_ends_at_once_in_bounded_memory)
{
	char *dump = dump_path();
	const char *argv[] = { dump, kt_test_env("KT_VMLINUX"), "-c",
			       "sym schedule", "-i", "/dev/zero", NULL };
	struct kt_limits l = { .seconds = LIMIT, .max_memory = 2048ull * MiB };
	struct kt_limited_run r = kt_test_run_limited(argv, &l);

	expect_finished(&r);
	cr_expect_eq(r.run.status, EXIT_CMD_FAILED, "%.3000s", r.run.err);
	cr_expect(strstr(r.run.out, "(T) schedule"), "%.3000s", r.run.out);
	cr_expect(strstr(r.run.err, "ktriage: /dev/zero:1: a NUL byte: this is "
			 "not text; the commands after it are not run\n"),
		  "%.3000s", r.run.err);
	cr_expect_lt(r.max_rss_kb, 1024 * 1024, "%ld KiB", r.max_rss_kb);
	kt_run_free(&r.run);
	free(dump);
}

/* Standard input without a newline, ever: the same. */
Test(batch_input, stdin_without_newline_is_bounded)
{
	char *dump = dump_path(), *path = in_dir("nonl");
	size_t len = 4 * MiB;
	char *text = malloc(len);
	const char *argv[] = { dump, kt_test_env("KT_VMLINUX"), "-i", "-",
			       NULL };
	struct kt_limits l = { .stdin_path = path, .seconds = LIMIT,
			       .max_memory = 2048ull * MiB };
	struct kt_limited_run r;

	cr_assert_not_null(text);
	memset(text, 'A', len);
	write_file(path, text, len);
	r = kt_test_run_limited(argv, &l);
	expect_finished(&r);
	cr_expect_eq(r.run.status, EXIT_CMD_FAILED, "%.3000s", r.run.err);
	cr_expect(strstr(r.run.err, "ktriage: standard input:1: longer than "
			 "65536 bytes; the commands after it are not run\n"),
		  "%.3000s", r.run.err);
	cr_expect_str_eq(r.run.out, "");
	kt_run_free(&r.run);
	free(text);
	free(path);
	free(dump);
}

Test(batch_input, long_line_stops_the_commands_after_it)
{
	char *dump = dump_path(), *path = in_dir("cmds");
	size_t len = 100000;
	char *text = malloc(len + 64);
	const char *argv[] = { dump, kt_test_env("KT_VMLINUX"), "-i", path,
			       NULL };
	struct kt_limits l = { .seconds = LIMIT };
	struct kt_limited_run r;
	size_t n;

	n = sprintf(text, "sym schedule\n# a comment\nsym ");
	memset(text + n, 'x', len);
	n += len;
	n += sprintf(text + n, "\nsym jiffies\n");
	write_file(path, text, n);
	r = kt_test_run_limited(argv, &l);
	expect_finished(&r);
	cr_expect_eq(r.run.status, EXIT_CMD_FAILED);
	cr_expect(strstr(r.run.out, "(T) schedule"), "%.3000s", r.run.out);
	cr_expect(!strstr(r.run.out, "jiffies"), "ran past the bad line: %.3000s",
		  r.run.out);
	cr_expect(strstr(r.run.err, ":3: longer than 65536 bytes; the "
			 "commands after it are not run"), "%.3000s", r.run.err);
	kt_run_free(&r.run);
	free(text);
	free(path);
	free(dump);
}

Test(batch_input, last_line_without_newline_runs)
{
	char *dump = dump_path(), *path = in_dir("cmds");
	const char *argv[] = { dump, kt_test_env("KT_VMLINUX"), "-i", path,
			       NULL };
	struct kt_limits l = { .seconds = LIMIT };
	struct kt_limited_run r;

	write_file(path, "sym schedule\r\nsym jiffies", 25);
	r = kt_test_run_limited(argv, &l);
	expect_finished(&r);
	cr_expect_eq(r.run.status, 0, "%.3000s", r.run.err);
	cr_expect(strstr(r.run.out, "(T) schedule\n"), "%.3000s", r.run.out);
	cr_expect(strstr(r.run.out, "jiffies"), "%.3000s", r.run.out);
	kt_run_free(&r.run);
	free(path);
	free(dump);
}

/* strstr() finds "" everywhere: the alias search never moved on. */
Test(batch_input, kmem_s_of_an_empty_name_ends)
{
	char *dump = dump_path();
	const char *argv[] = { dump, kt_test_env("KT_VMLINUX"), "-c",
			       "kmem -s \"\"", "-c", "kmem -s kmalloc-512",
			       NULL };
	struct kt_limits l = { .seconds = LIMIT };
	struct kt_limited_run r = kt_test_run_limited(argv, &l);

	expect_finished(&r);
	cr_expect_eq(r.run.status, EXIT_CMD_FAILED);
	cr_expect(strstr(r.run.err, "ktriage: kmem: no slab cache named ''"),
		  "%.3000s", r.run.err);
	// The command after it ran.
	cr_expect(strstr(r.run.out, " kmalloc-512"), "%.3000s", r.run.out);
	kt_run_free(&r.run);
	free(dump);
}

/*
 * getch() returns ERR at once when the input has ended: the loop spun at
 * 100% CPU forever. It must leave, having used little CPU.
 */
Test(tui_input, workbench_leaves_when_its_input_ends)
{
	static const char *const env[] = { "TERM=xterm", "HOME=/nonexistent",
					   NULL };
	char *dump = dump_path();
	const char *argv[] = { dump, kt_test_env("KT_VMLINUX"), "--tui",
			       "--case", "/nonexistent/c.ktriage", NULL };
	struct kt_limits l = { .env = env, .seconds = LIMIT };
	struct kt_limited_run r = kt_test_run_limited(argv, &l);

	expect_finished(&r);
	cr_expect_eq(r.run.status, 0, "%.3000s", r.run.err);
	cr_expect(strstr(r.run.err, "ktriage: the workbench's input (standard "
			 "input) ended: leaving it\n"), "%.3000s", r.run.err);
	kt_run_free(&r.run);
	free(dump);
}

/* ---- escape sequences from outside never reach the terminal ---- */

static void expect_inert(const struct kt_limited_run *r)
{
	cr_expect(!kt_test_has_control(r->run.err), "stderr drives the "
		  "terminal: %.3000s", r->run.err);
	cr_expect(!kt_test_has_control(r->run.out), "stdout drives the "
		  "terminal: %.3000s", r->run.out);
}

Test(escapes, unknown_command_and_unbalanced_quotes_echo_inert)
{
	char *dump = dump_path();
	const char *argv[] = { dump, kt_test_env("KT_VMLINUX"), "-c",
			       "fr\033]0;pwned\aob", "-c", "sym \"a\033[2J",
			       "-c", "\xc2\x9b""31mx", NULL };
	struct kt_limits l = { .seconds = LIMIT };
	struct kt_limited_run r = kt_test_run_limited(argv, &l);

	expect_finished(&r);
	cr_expect_eq(r.run.status, EXIT_CMD_FAILED);
	expect_inert(&r);
	cr_expect(strstr(r.run.err, "ktriage: fr\\x1b]0;pwned\\x07ob: no such "
			 "command"), "%.3000s", r.run.err);
	cr_expect(strstr(r.run.err, "ktriage: sym \"a\\x1b[2J: unbalanced "
			 "quotes"), "%.3000s", r.run.err);
	cr_expect(strstr(r.run.err, "ktriage: \\xc2\\x9b31mx: no such command"),
		  "%.3000s", r.run.err);
	kt_run_free(&r.run);
	free(dump);
}

/* cJSON escapes C0, not DEL nor C1: the document must stay inert JSON. */
Test(escapes, json_error_document_is_inert_and_valid)
{
	char *dump = dump_path();
	const char *argv[] = { dump, kt_test_env("KT_VMLINUX"), "--json", "-c",
			       "fr\x7f\xc2\x9b\033ob", NULL };
	struct kt_limits l = { .seconds = LIMIT };
	struct kt_limited_run r = kt_test_run_limited(argv, &l);
	cJSON *doc;

	expect_finished(&r);
	expect_inert(&r);
	doc = cJSON_Parse(r.run.out);
	cr_assert_not_null(doc, "not JSON: %.3000s", r.run.out);
	cr_expect_str_eq(kt_test_get(doc, "command")->valuestring,
			 "fr\\x7f\\xc2\\x9b\\x1bob");
	cJSON_Delete(doc);
	kt_run_free(&r.run);
	free(dump);
}

/* getopt() printed the bad option as it came. */
Test(escapes, bad_option_echoes_inert)
{
	const char *argv[] = { "--fr\033]0;x\aob", NULL };
	struct kt_limits l = { .seconds = LIMIT };
	struct kt_limited_run r = kt_test_run_limited(argv, &l);

	expect_finished(&r);
	cr_expect_eq(r.run.status, 2);
	expect_inert(&r);
	cr_expect(strstr(r.run.err, "ktriage: --fr\\x1b]0;x\\x07ob: unknown "
			 "option"), "%.3000s", r.run.err);
	kt_run_free(&r.run);
}

/*
 * A copy of the dump whose VMCOREINFO OSRELEASE reads
 * "6.1.0-56-ESC[2JBEL-amd64": the mismatch message quotes it.
 */
static char *dump_with_hostile_release(void)
{
	char *src = dump_path(), *dst = in_dir("release.kdump"), cmd[1024];
	static const char key[] = "OSRELEASE=6.1.0-56-cloud";
	char head[65536];
	int fd;
	ssize_t n;
	char *at;

	snprintf(cmd, sizeof(cmd), "cp %s %s && chmod u+w %s", src, dst, dst);
	cr_assert_eq(system(cmd), 0);
	fd = open(dst, O_RDWR);
	cr_assert_geq(fd, 0);
	n = pread(fd, head, sizeof(head), 0);
	cr_assert_gt(n, 0);
	at = memmem(head, n, key, strlen(key));
	cr_assert_not_null(at, "no OSRELEASE in the first 64 KiB");
	cr_assert_eq(pwrite(fd, "\033[2J\a", 5, at - head + strlen(key) - 5), 5);
	close(fd);
	free(src);
	return dst;
}

Test(escapes, vmlinux_mismatch_quotes_the_release_inert,
     .init = make_dir, .fini = remove_dir)
{
	char *dump = dump_with_hostile_release();
	const char *argv[] = { dump, kt_test_env("KT_VMLINUX"), "-c", "sys",
			       NULL };
	struct kt_limits l = { .seconds = LIMIT };
	struct kt_limited_run r = kt_test_run_limited(argv, &l);

	expect_finished(&r);
	cr_expect_eq(r.run.status, EXIT_OPEN, "%.3000s", r.run.err);
	expect_inert(&r);
	cr_expect(strstr(r.run.err, "does not match the dump: the dump's "
			 "release is 6.1.0-56-\\x1b[2J\\x07-amd64"), "%.3000s",
		  r.run.err);
	kt_run_free(&r.run);
	free(dump);
}

/*
 * A message no site sanitises (the TERM the workbench cannot drive) is
 * made inert by the stream standard error is.
 */
Test(escapes, stderr_stream_sanitises_what_a_site_forgot)
{
	static const char *const env[] = { "TERM=x\033]0;pwned\a",
					   "TERMINFO=/nonexistent",
					   "TERMINFO_DIRS=/nonexistent", NULL };
	char *dump = dump_path();
	const char *argv[] = { dump, kt_test_env("KT_VMLINUX"), "--tui", NULL };
	struct kt_limits l = { .env = env, .seconds = LIMIT };
	struct kt_limited_run r = kt_test_run_limited(argv, &l);

	expect_finished(&r);
	cr_expect_eq(r.run.status, 1, "%.3000s", r.run.err);
	expect_inert(&r);
	cr_expect(strstr(r.run.err, "cannot drive this terminal "
			 "(TERM=x\\x1b]0;pwned\\x07)"), "%.3000s", r.run.err);
	kt_run_free(&r.run);
	free(dump);
}
