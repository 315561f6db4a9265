// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The blk_mq plugin against drgn on every dump.
 *
 * tests/expected/NAME.blk_mq.json (tests/oracle/blk_mq.py) gives drgn's
 * reading of every disk's blk-mq map (each CPU's ctx against the hctx it
 * maps to, each hctx's ctxs[] against the ctx, sched_data against the
 * elevator) and of a running frame's kyber kcq: its hctx, kcqs[], index
 * and nr_ctx, and whether the CPU's ctx is held by and mapped to that
 * hctx. ktriage must report exactly the queues drgn finds inconsistent,
 * with each disagreement, and a kcq past nr_ctx with drgn's numbers; and
 * nothing on a healthy dump.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/plugin.h"
#include "tests/helpers.h"

static const struct kt_finding *by_id(const struct kt_findings *out,
				      const char *id)
{
	const struct kt_finding *f = kt_findings_find(out, id);

	cr_assert_not_null(f, "no finding %s", id);
	return f;
}

/* One step of @f for each of drgn's problems, in ktriage's words. */
static void check_problem(const struct kt_finding *f, cJSON *p)
{
	const char *kind = cJSON_GetArrayItem(p, 0)->valuestring;
	cJSON *a = cJSON_GetArrayItem(p, 1), *b = cJSON_GetArrayItem(p, 2);
	char want[96];

	if (!strcmp(kind, "ctx") && cJSON_IsNull(b))
		snprintf(want, sizeof(want), "CPU %d's ctx has hctxs[",
			 a->valueint);
	else if (!strcmp(kind, "ctx"))
		snprintf(want, sizeof(want), "CPU %d's ctx maps to hctx %d ",
			 a->valueint, b->valueint);
	else if (!strcmp(kind, "hctx"))
		snprintf(want, sizeof(want), "hctx %d holds CPU", a->valueint);
	else if (!strcmp(kind, "sched"))
		snprintf(want, sizeof(want), "hctx %d has", a->valueint);
	else
		snprintf(want, sizeof(want), "hctx %d's kyber kcqs",
			 a->valueint);
	cr_assert(kt_test_has_step(f, want), "%s: no step '%s'", f->title,
		  want);
}

static size_t check_queues(const struct kt_findings *out, cJSON *exp)
{
	size_t want = 0;
	cJSON *q, *p;
	char id[64], n[32];

	cJSON_ArrayForEach(q, kt_test_get(exp, "queues")) {
		cJSON *problems = kt_test_get(q, "problems");
		int np = cJSON_GetArraySize(problems);
		const struct kt_finding *f;

		snprintf(id, sizeof(id), "blk_mq:map:%s",
			 kt_test_get(q, "queue")->valuestring);
		if (!np) {
			cr_assert_null(kt_findings_find(out, id), "%s", id);
			continue;
		}
		want++;
		f = by_id(out, id);
		cr_assert_eq(f->severity, KT_SEV_ERROR);
		cr_assert(strstr(f->title, kt_test_get(q, "disk")->valuestring),
			  "%s", f->title);
		snprintf(n, sizeof(n), "%d of these do not agree", np);
		cr_assert(strstr(f->explanation, n), "%s: no '%s'",
			  f->explanation, n);
		cJSON_ArrayForEach(p, problems)
			check_problem(f, p);
	}
	return want;
}

static size_t check_kcq(const struct kt_findings *out, cJSON *kcq)
{
	const struct kt_finding *f;
	char id[64], want[128];
	int cpu;

	if (cJSON_IsNull(kcq) || cJSON_IsNull(kt_test_get(kcq, "hctx")) ||
	    (kt_test_get(kcq, "index")->valueint <
	     kt_test_get(kcq, "nr_ctx")->valueint &&
	     !kt_test_get(kcq, "remainder")->valueint))
		return 0;
	snprintf(id, sizeof(id), "blk_mq:kcq:%s",
		 kt_test_get(kcq, "kcq")->valuestring);
	f = by_id(out, id);
	cr_assert_eq(f->severity, KT_SEV_CRITICAL);
	cr_assert(!strncmp(f->title, kt_test_get(kcq, "function")->valuestring,
			   strlen(kt_test_get(kcq, "function")->valuestring)),
		  "%s", f->title);
	snprintf(want, sizeof(want), "kcq is index %d but hctx->nr_ctx is %d",
		 kt_test_get(kcq, "index")->valueint,
		 kt_test_get(kcq, "nr_ctx")->valueint);
	cr_assert(strstr(f->title, want), "%s: no '%s'", f->title, want);
	cpu = kt_test_get(kcq, "cpu")->valueint;
	if (!cJSON_IsTrue(kt_test_get(kcq, "held"))) {
		snprintf(want, sizeof(want), "the ctx of CPU %d is not mapped "
			 "to this hctx", cpu);
		cr_assert(strstr(f->title, want), "%s: no '%s'", f->title,
			  want);
	}
	// where the hctx is a local, it came from the ctx's own map: no
	// migration between blk_mq_get_ctx() and the merge explains it
	if (cJSON_IsTrue(kt_test_get(kcq, "hctx_local")))
		cr_assert_null(strstr(f->title, "moved CPUs"), "%s", f->title);
	if (cJSON_IsTrue(kt_test_get(kcq, "mapped")) &&
	    !cJSON_IsTrue(kt_test_get(kcq, "held")))
		cr_assert(strstr(f->title, "its hctxs[] points here"), "%s",
			  f->title);
	cr_assert_eq(kt_test_ref(f, "hctx")->addr,
		     kt_test_hex(kt_test_get(kcq, "hctx")));
	cr_assert_eq(kt_test_ref(f, "kcqs")->addr,
		     kt_test_hex(kt_test_get(kcq, "kcqs")));
	cr_assert_eq(kt_test_ref(f, "cpu")->cpu, cpu);
	cr_assert_eq(kt_test_ref(f, "task")->pid,
		     kt_test_get(kcq, "pid")->valueint);
	cr_assert(!strncmp(kt_test_ref(f, "frame")->text,
			   kt_test_get(kcq, "function")->valuestring,
			   strlen(kt_test_get(kcq, "function")->valuestring)));
	return 1;
}

ParameterizedTestParameters(plugin_blk_mq, map_and_kcq_against_drgn)
{
	KT_ALL_DUMP_PARAMS();
}

ParameterizedTest(struct kt_dump_param *d, plugin_blk_mq,
		  map_and_kcq_against_drgn)
{
	struct kt_program *prog = kt_test_open(d->name);
	struct kt_findings out;
	char file[96];
	size_t want;
	cJSON *exp;

	kt_test_run_plugin(prog, "blk_mq", &out);
	snprintf(file, sizeof(file), "%s.blk_mq", d->name);
	exp = kt_test_expected(file);
	cr_assert_eq(cJSON_GetArraySize(kt_test_get(exp, "errors")), 0,
		     "drgn's errors on %s", d->name);
	want = check_queues(&out, exp) + check_kcq(&out, kt_test_get(exp, "kcq"));
	cr_assert_eq(out.n, want, "%s: %zu findings, drgn sees %zu: %s",
		     d->name, out.n, want, out.n ? out.v[0].title : "");
	cJSON_Delete(exp);
	kt_findings_deinit(&out);
	kt_program_destroy(prog);
}
