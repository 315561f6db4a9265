// SPDX-License-Identifier: GPL-2.0-or-later
/* `sys` facts against drgn's on every shared dump. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>

#include "core/sysinfo.h"
#include "tests/helpers.h"

static cJSON *get(cJSON *o, const char *a, const char *b)
{
	cJSON *x = cJSON_GetObjectItemCaseSensitive(o, a);

	cr_assert_not_null(x, "expected JSON has no %s", a);
	if (b) {
		x = cJSON_GetObjectItemCaseSensitive(x, b);
		cr_assert_not_null(x, "expected JSON has no %s.%s", a, b);
	}
	return x;
}

ParameterizedTestParameters(sys, agrees_with_drgn)
{
	KT_DUMP_PARAMS();
}

ParameterizedTest(struct kt_dump_param *p, sys, agrees_with_drgn)
{
	struct kt_program *prog = kt_test_open(p->name);
	cJSON *exp = kt_test_expected(p->name), *crashed;
	struct kt_sysinfo si;

	cr_assert_null(kt_sysinfo_load(prog, &si));
	cr_expect_null(si.warnings, "%s: %s", p->name, si.warnings);
	cr_expect_str_eq(si.release, get(exp, "uts", "release")->valuestring);
	cr_expect_str_eq(si.version, get(exp, "uts", "version")->valuestring);
	cr_expect_str_eq(si.nodename, get(exp, "uts", "nodename")->valuestring);
	cr_expect_eq(si.nr_cpus, get(exp, "cpus", "nr_cpu_ids")->valueint);
	cr_expect_eq(si.online_cpus, get(exp, "cpus", "online_count")->valueint);
	cr_expect_eq(si.crash_time, get(exp, "vmcoreinfo", "crashtime")->valuedouble);
	cr_expect_eq(si.tasks, cJSON_GetArraySize(get(exp, "tasks", NULL)));
	cr_expect_eq(si.panic_cpu, get(exp, "panic", "panic_cpu")->valueint);
	crashed = get(exp, "crashed_thread", NULL);
	cr_expect_eq(si.panic_pid, get(crashed, "tid", NULL)->valueint);
	cr_expect_str_eq(si.panic_comm, get(crashed, "comm", NULL)->valuestring);
	cr_expect_eq(si.hz, 250, "Debian's cloud kernel has HZ=250");
	cr_expect(si.uptime_known && si.uptime_sec > 3 && si.uptime_sec < 60);
	cr_expect(si.memory_bytes > (400ULL << 20) &&
		  si.memory_bytes <= (512ULL << 20));
	kt_sysinfo_deinit(&si);
	cJSON_Delete(exp);
	kt_program_destroy(prog);
}

static void expect_panic(const char *name, const char *panic,
			 const char *cause)
{
	struct kt_program *prog = kt_test_open(name);
	struct kt_sysinfo si;

	cr_assert_null(kt_sysinfo_load(prog, &si));
	cr_expect(!strncmp(si.panic, panic, strlen(panic)), "%s: PANIC \"%s\"",
		  name, si.panic);
	cr_expect(!strncmp(si.panic_cause, cause, strlen(cause)),
		  "%s: cause \"%s\"", name, si.panic_cause);
	kt_sysinfo_deinit(&si);
	kt_program_destroy(prog);
}

Test(sys, panic_strings)
{
	expect_panic("sysrq-null",
		     "Kernel panic - not syncing: sysrq triggered crash", "");
	expect_panic("nbd-orphan-hung",
		     "Kernel panic - not syncing: sysrq triggered crash", "");
	// With kdump loaded an oops goes to kexec before panic() prints.
	expect_panic("hctx-fq",
		     "BUG: unable to handle page fault for address: ", "");
	expect_panic("hctx-fq-exit",
		     "BUG: unable to handle page fault for address: ", "");
	// crash 8.0.6 prints an empty PANIC for this one.
	expect_panic("list-poison",
		     "general protection fault, probably for non-canonical "
		     "address 0xdead000000000110", "");
	expect_panic("irq-lock",
		     "Kernel panic - not syncing: softlockup: hung tasks",
		     "watchdog: BUG: soft lockup - CPU#1 stuck");
}

Test(sys, json_has_documented_fields)
{
	char *dump = kt_test_dump_path("hctx-fq", ".kdump");
	const char *argv[] = { dump, kt_test_env("KT_VMLINUX"), "--json",
			       "-c", "sys", NULL };
	struct kt_run r = kt_test_run(argv);
	cJSON *doc = cJSON_Parse(r.out);
	static const char *const fields[] = {
		"release", "panic", "cpus", "tasks", "crash_time",
		"kaslr_offset", "dump_format", "dump_level", "panic_task",
	};

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_not_null(doc, "not JSON: %s", r.out);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		cr_expect_not_null(cJSON_GetObjectItemCaseSensitive(doc, fields[i]),
				   "no %s", fields[i]);
	cr_expect(!strncmp(cJSON_GetObjectItemCaseSensitive(doc, "kaslr_offset")->valuestring,
			   "0x", 2));
	cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(doc, "dump_format")->valuestring,
			 "compressed kdump (zlib)");
	cr_expect_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "panic_task"),
					 "pid")->valueint, 53);
	cJSON_Delete(doc);
	kt_run_free(&r);
	free(dump);
}
