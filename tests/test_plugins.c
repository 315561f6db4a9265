// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The plugin system through the binary: external plugins load from the
 * directories named and nowhere else, another ABI is refused, a failing or
 * unmet plugin is reported and the others go on, and what plugins say is
 * printed inert.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "plugins/plugin.h"
#include "tests/helpers.h"

#define GOOD KT_TEST_PLUGINS "/good"
#define BAD KT_TEST_PLUGINS "/bad"

static struct kt_run run_ktriage(const char *dump, const char *const *extra)
{
	const char *argv[32];
	char *path = kt_test_dump_path(dump, ".kdump");
	struct kt_run r;
	size_t n = 0;

	argv[n++] = path;
	argv[n++] = kt_test_env("KT_VMLINUX");
	for (size_t i = 0; extra[i]; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	r = kt_test_run(argv);
	free(path);
	return r;
}

/* The flags of the log's "Tainted: G           OE" as letters: "OE". */
static void log_taint(const char *dump, char *ret, size_t len)
{
	char *path = kt_test_dump_path(dump, ".dmesg.txt");
	char *text = kt_test_slurp(path, NULL), *t, *end;
	size_t n = 0;

	cr_assert_not_null(text, "%s", path);
	t = strstr(text, "Tainted: ");
	cr_assert_not_null(t, "%s has no Tainted: line", path);
	t += strlen("Tainted: ");
	end = strstr(t, " 6.1");
	cr_assert_not_null(end);
	for (; t < end && n + 1 < len; t++)
		if (*t >= 'A' && *t <= 'Z' && *t != 'G')
			ret[n++] = *t;
	ret[n] = '\0';
	free(text);
	free(path);
}

Test(plugins, external_plugin_runs_and_finds_the_logged_taint)
{
	const char *args[] = { "--plugin-dir", GOOD, "--json", "-c",
			       "findings taint", NULL };
	struct kt_run r = run_ktriage("list-poison", args);
	char taint[32], id[64];
	cJSON *doc, *f, *ev;

	cr_assert_eq(r.status, 0, "%s", r.err);
	log_taint("list-poison", taint, sizeof(taint));
	cr_assert_str_eq(taint, "OE");
	doc = cJSON_Parse(r.out);
	cr_assert_not_null(doc, "%s", r.out);
	f = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "findings"), 0);
	cr_assert_not_null(f, "no finding: %s", r.out);
	snprintf(id, sizeof(id), "taint:%s", taint);
	cr_expect_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(f, "id")),
			 id);
	cr_expect_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(f,
			 "severity")), "info");
	ev = cJSON_GetArrayItem(cJSON_GetObjectItem(f, "evidence"), 0);
	cr_expect_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(ev, "kind")),
			 "address");
	cr_expect_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(ev,
			 "label")), "tainted_mask");
	cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(f,
		     "derivation")), 1);
	cJSON_Delete(doc);
	kt_run_free(&r);
}

Test(plugins, another_abi_is_refused_failures_and_unmet_needs_reported)
{
	const char *args[] = { "--plugin-dir", BAD, "--plugin-dir", GOOD,
			       "-c", "plugins", "-c", "findings", NULL };
	struct kt_run r = run_ktriage("sysrq-null", args);

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.err, "bad_abi.so not loaded: it was built for "
			 "plugin ABI 99, this ktriage has ABI 1: rebuild it"),
		  "%s", r.err);
	cr_expect_null(strstr(r.out, "bad_abi"), "%s", r.out);
	cr_expect(strstr(r.out, "fails            failed"), "%s", r.out);
	cr_expect(strstr(r.out, "failed: gave up: \\x1b]0;owned\\x07"), "%s",
		  r.out);
	cr_expect(strstr(r.out, "needs            skipped"), "%s", r.out);
	cr_expect(strstr(r.out, "skipped: struct no_such_type_anywhere is "
			 "not in the debuginfo"), "%s", r.out);
	cr_expect(strstr(r.out, "taint            ran"), "%s", r.out);
	// The failing plugin's finding is kept; nothing reaches the
	// terminal raw.
	cr_expect(strstr(r.out, "id: fails:partial"), "%s", r.out);
	cr_expect_null(strchr(r.out, '\x1b'), "raw escape in output");
	cr_expect_null(strchr(r.out, '\x07'), "raw BEL in output");
	kt_run_free(&r);
}

/* Neither the current directory nor the dump's is searched. */
Test(plugins, never_loaded_from_the_current_or_the_dumps_directory)
{
	char dir[] = "/tmp/kt-plugins-XXXXXX", link[4200], so[4200], cmd[9000];
	char *dump = kt_test_dump_path("sysrq-null", ".kdump");
	const char *argv[] = { link, kt_test_env("KT_VMLINUX"), "-c",
			       "plugins", NULL };
	struct kt_run r;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(link, sizeof(link), "%s/sysrq-null.kdump", dir);
	snprintf(so, sizeof(so), "%s/taint.so", dir);
	cr_assert_eq(symlink(dump, link), 0);
	snprintf(cmd, sizeof(cmd), "cp %s/taint.so %s", GOOD, so);
	cr_assert_eq(system(cmd), 0);
	cr_assert_eq(chdir(dir), 0);
	unsetenv("KTRIAGE_PLUGIN_PATH");
	r = kt_test_run(argv);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect_null(strstr(r.out, "taint"), "%s", r.out);
	kt_run_free(&r);
	// An empty KTRIAGE_PLUGIN_PATH entry means "." to a shell: not here.
	setenv("KTRIAGE_PLUGIN_PATH", ":.:" GOOD, 1);
	r = kt_test_run(argv);
	cr_expect(strstr(r.out, "taint            ran"), "%s", r.out);
	cr_expect(strstr(r.err, "entry '' ignored: not an absolute path"),
		  "%s", r.err);
	cr_expect(strstr(r.err, "entry '.' ignored"), "%s", r.err);
	cr_expect(strstr(r.out, "from " GOOD "/taint.so"), "%s", r.out);
	kt_run_free(&r);
	// A plugin anyone can write is not loaded.
	cr_assert_eq(chmod(so, 0666), 0);
	setenv("KTRIAGE_PLUGIN_PATH", dir, 1);
	r = kt_test_run(argv);
	cr_expect(strstr(r.err, "anyone can write it"), "%s", r.err);
	cr_expect_null(strstr(r.out, "taint"), "%s", r.out);
	kt_run_free(&r);
	unlink(so);
	unlink(link);
	rmdir(dir);
	free(dump);
}

/* Two plugins of one name: the second is refused, the first runs. */
Test(plugins, a_name_is_loaded_once)
{
	const char *args[] = { "--plugin-dir", GOOD, "--plugin-dir", GOOD,
			       "-c", "plugins", NULL };
	struct kt_run r = run_ktriage("sysrq-null", args);
	const char *first;

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.err, "the name taint is taken"), "%s", r.err);
	first = strstr(r.out, "taint ");
	cr_assert_not_null(first, "%s", r.out);
	cr_expect_null(strstr(first + 1, "\ntaint "), "%s", r.out);
	kt_run_free(&r);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

ParameterizedTestParameters(plugins, each_fires_on_its_dump_and_nowhere_else)
{
	KT_ALL_DUMP_PARAMS();
}

/*
 * Every built-in analyzer on every dump of every kernel: each fires
 * (warning or worse) where its bug is and nowhere else, and none fails or
 * is skipped.
 */
ParameterizedTest(struct kt_dump_param *p, plugins,
		  each_fires_on_its_dump_and_nowhere_else)
{
	static const struct {
		const char *scenario;
		const char *fire;	/* plugins that must fire, sorted */
	} want[] = {
		{ "hctx-fq", "hctx_fq oops" },
		{ "hctx-fq-exit", "hctx_fq oops" },
		// lockup: the watchdog's soft lockup on CPU 1 (its duration,
		// the panic), a consequence of lock_irq's deadlock on CPU 0
		{ "irq-lock", "lock_irq lockup" },
		{ "list-double-del", "list_debug oops" },
		{ "list-neighbour", "list_debug oops" },
		{ "list-poison", "list_poison oops" },
		{ "lock-chain", "hung_tasks lock_chain" },
		{ "nbd-orphan-hung", "hung_tasks orphan_sockets" },
		{ "sysrq-null", "" },
		{ "warn", "oops" },
		{ "div0", "oops" },
		{ "nx", "oops" },
		{ "stack-overflow", "oops" },
		{ "rcu-stall", "lockup" },
		{ "stale-ref", "stale_refs" },
		{ "kyber-ctx", "blk_mq lockup" },
		{ "wait-kinds", "hung_tasks lock_chain" },
		{ "list-garbage", "list_debug oops" },
	};
	const char *scen = kt_test_scenario(p->name), *expect = NULL;
	struct kt_program *prog = kt_test_open(p->name);
	char fired[256] = "";
	const char *names[16];
	size_t nnames = 0;
	struct kt_analysis a;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (!strcmp(want[i].scenario, scen))
			expect = want[i].fire;
	}
	cr_assert_not_null(expect, "no expectation for %s", p->name);
	cr_assert_null(kt_analysis_run(prog, NULL, NULL, &a));
	cr_assert_leq(a.nruns, 16);
	for (size_t r = 0; r < a.nruns; r++) {
		bool hit = false;

		// Every built-in plugin runs on every dump: not firing must
		// be a verdict, not a skip.
		cr_expect(a.runs[r].status == KT_PLUGIN_RAN, "%s: %s %s: %s",
			  p->name, a.runs[r].name,
			  kt_plugin_status_name(a.runs[r].status),
			  a.runs[r].why ? a.runs[r].why : "");
		for (size_t f = 0; f < a.findings.n && !hit; f++)
			hit = a.findings.v[f].plugin == a.runs[r].name &&
			      a.findings.v[f].severity >= KT_SEV_WARNING;
		if (hit)
			names[nnames++] = a.runs[r].name;
	}
	qsort(names, nnames, sizeof(*names), cmp_str);
	for (size_t k = 0; k < nnames; k++)
		snprintf(fired + strlen(fired), sizeof(fired) - strlen(fired),
			 "%s%s", k ? " " : "", names[k]);
	cr_expect_str_eq(fired, expect, "%s: fired '%s', want '%s'", p->name,
			 fired, expect);
	for (size_t f = 0; f < a.findings.n; f++)
		cr_expect(strchr(a.findings.v[f].id, ':') &&
			  a.findings.v[f].title && a.findings.v[f].nrefs &&
			  a.findings.v[f].nsteps, "%s: %s lacks a title, "
			  "evidence or derivation", p->name,
			  a.findings.v[f].id);
	kt_analysis_deinit(&a);
	kt_program_destroy(prog);
}

/* Set the cancel flag once plugin @arg->at is about to start. */
struct cancel_at {
	atomic_bool cancel;
	size_t at, calls, total, last;
	bool ended;
};

static void cancel_progress(void *arg, size_t done, size_t total,
			    const char *name)
{
	struct cancel_at *c = arg;

	c->calls++;
	c->total = total;
	c->last = done;
	if (!name)
		c->ended = true;
	else if (done == c->at)
		atomic_store(&c->cancel, true);
}

/* The cancel flag is read between plugins: the rest are skipped. */
Test(plugins, cancel_skips_the_plugins_not_yet_run)
{
	struct kt_program *prog = kt_test_open("hctx-fq");
	size_t n = 0;

	while (kt_plugin_registry[n])
		n++;
	cr_assert_geq(n, 2);
	// at 0: before the first plugin; at 1: after it; at n: never.
	for (size_t at = 0; at <= 1 + 1; at++) {
		struct cancel_at c = { .at = at == 2 ? n : at };
		struct kt_analysis_options o = {
			.cancel = &c.cancel, .progress = cancel_progress,
			.arg = &c,
		};
		struct kt_analysis a;
		size_t ran = 0;

		if (at == 0)
			atomic_store(&c.cancel, true);
		cr_assert_null(kt_analysis_run_opts(prog, NULL, NULL, &o, &a));
		cr_assert_eq(a.nruns, n, "every plugin has a run");
		for (size_t r = 0; r < a.nruns; r++) {
			bool skipped = a.runs[r].status == KT_PLUGIN_SKIPPED &&
				       a.runs[r].why &&
				       !strcmp(a.runs[r].why, "cancelled");

			cr_expect_str_eq(a.runs[r].name,
					 kt_plugin_registry[r]->name);
			cr_expect_eq(skipped, r >= c.at, "at %zu: %s %s", at,
				     a.runs[r].name, a.runs[r].why ?
				     a.runs[r].why : "");
			ran += !skipped;
		}
		cr_expect_eq(ran, at == 2 ? n : at);
		cr_expect_eq(a.cancelled, at != 2);
		cr_expect_eq(c.ended, at == 2, "the end is reported unless "
			     "cancelled");
		cr_expect_eq(c.calls, at == 0 ? 0 : at == 2 ? n + 1 : 2);
		if (at == 0)
			cr_expect_eq(a.findings.n, 0);
		if (at == 2) {
			cr_expect_eq(c.total, n);
			cr_expect_gt(a.findings.n, 0);
		}
		kt_analysis_deinit(&a);
	}
	kt_program_destroy(prog);
}
