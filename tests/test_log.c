// SPDX-License-Identifier: GPL-2.0-or-later
/* The kernel log against makedumpfile --dump-dmesg and drgn. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "tests/helpers.h"

ParameterizedTestParameters(log, equals_makedumpfile_dmesg)
{
	KT_ALL_DUMP_PARAMS();
}

/*
 * makedumpfile prints the caller id from 1.7.5 on: "[    0.000000] [ T1] ".
 * The dump's own dmesg tells which makedumpfile made it.
 */
static bool has_caller_ids(const char *dmesg)
{
	const char *p = strstr(dmesg, "] ");

	return p && p[2] == '[' && strchr("TC", p[3 + strspn(p + 3, " ")]);
}

ParameterizedTest(struct kt_dump_param *p, log, equals_makedumpfile_dmesg)
{
	char *dump = kt_test_dump_path(p->name, ".kdump");
	char *dmesg = kt_test_dump_path(p->name, ".dmesg.txt");
	char *want = kt_test_slurp(dmesg, NULL);

	cr_assert_not_null(want);
	const char *argv[] = { dump, kt_test_vmlinux(p->name), "-c",
			       has_caller_ids(want) ? "log -c" : "log", NULL };
	struct kt_run r = kt_test_run(argv);

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect_str_eq(r.out, want, "%s: log differs from %s", p->name, dmesg);
	kt_run_free(&r);
	free(want);
	free(dump);
	free(dmesg);
}

ParameterizedTestParameters(log, records_agree_with_drgn)
{
	KT_DUMP_PARAMS();
}

ParameterizedTest(struct kt_dump_param *p, log, records_agree_with_drgn)
{
	struct kt_program *prog = kt_test_open(p->name);
	cJSON *exp = kt_test_expected(p->name);
	cJSON *l = cJSON_GetObjectItemCaseSensitive(exp, "log");
	const char *first = cJSON_GetObjectItemCaseSensitive(l, "first_text")->valuestring;
	const char *last = cJSON_GetObjectItemCaseSensitive(l, "last_text")->valuestring;
	const struct kt_log *log;

	cr_assert_null(kt_log_load(prog, &log));
	cr_expect_eq(log->recs[0].level, -1, "levels load on demand");
	cr_assert_null(kt_log_load_levels(prog, &log));
	cr_expect_eq(log->n, cJSON_GetObjectItemCaseSensitive(l, "records")->valueint);
	cr_expect(log->recs[0].len == strlen(first) &&
		  !memcmp(log->recs[0].text, first, strlen(first)));
	cr_expect(log->recs[log->n - 1].len == strlen(last) &&
		  !memcmp(log->recs[log->n - 1].text, last, strlen(last)),
		  "%s: last record differs", p->name);
	cr_expect(!strncmp(log->recs[0].text, "Linux version ", 14));
	cr_expect_eq(log->recs[0].seq, cJSON_GetObjectItemCaseSensitive(l, "first_seq")->valuedouble);
	cr_expect_eq(log->recs[log->n - 1].seq,
		     cJSON_GetObjectItemCaseSensitive(l, "last_seq")->valuedouble);
	cr_expect_eq(log->recs[log->n - 1].ts_nsec,
		     cJSON_GetObjectItemCaseSensitive(l, "last_timestamp_ns")->valuedouble);
	// Levels come from DWARF: the banner is KERN_NOTICE (5).
	cr_expect_eq(log->recs[0].level, 5);
	for (size_t i = 1; i < log->n; i++)
		cr_expect_eq(log->recs[i].seq, log->recs[i - 1].seq + 1);
	cJSON_Delete(exp);
	kt_program_destroy(prog);
}

ParameterizedTestParameters(log, caller_ids)
{
	KT_DUMP_PARAMS();
}

/* The banner comes from the boot CPU's idle thread, pid 0. */
ParameterizedTest(struct kt_dump_param *p, log, caller_ids)
{
	char *dump = kt_test_dump_path(p->name, ".kdump");
	const char *argv[] = { dump, kt_test_vmlinux(p->name), "-c", "log -c",
			       NULL };
	struct kt_run r = kt_test_run(argv);

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect(!strncmp(r.out, "[    0.000000] [      T0] Linux version ",
			   40), "%s: %.80s", p->name, r.out);
	kt_run_free(&r);
	free(dump);
}
