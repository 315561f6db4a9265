// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Failure signatures: the panic's kind from the log's words, the frames'
 * names, the text form; and on real dumps: two dumps of one bug (the
 * shared dump and the kernel matrix's remake of its scenario on the same
 * kernel, another boot, KASLR offset and pids) get the same signature,
 * different bugs different ones, and sys, `signature` and the report agree.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/helpers.h"
#include "triage/signature.h"

static void kind_is(const char *panic, const char *cause, const char *pf,
		    const char *want)
{
	char buf[80];

	kt_signature_kind(panic, cause, pf, buf, sizeof(buf));
	cr_expect_str_eq(buf, want, "panic \"%s\", cause \"%s\"", panic,
			 cause ? cause : "");
}

Test(signature, kind_from_the_log_words)
{
	kind_is("kernel BUG at lib/list_debug.c:53!", "", NULL, "BUG");
	kind_is("Kernel panic - not syncing: Fatal exception",
		"kernel BUG at mm/slub.c:435!", NULL, "BUG");
	kind_is("Kernel panic - not syncing: panic_on_warn set ...",
		"WARNING: CPU: 1 PID: 130 at ktscen.c:644 kt_quota_charge",
		NULL, "WARNING");
	kind_is("BUG: unable to handle page fault for address: "
		"ffff8d7630382c80", "", "#PF: supervisor read access in "
		"kernel mode", "page fault: read");
	kind_is("BUG: kernel NULL pointer dereference, address: "
		"0000000000000000", "", "#PF: supervisor write access in "
		"kernel mode", "page fault: NULL pointer, write");
	kind_is("general protection fault, probably for non-canonical "
		"address 0xdead000000000110: 0000 [#1] PREEMPT SMP NOPTI", "",
		NULL, "general protection fault: non-canonical address");
	kind_is("Oops: general protection fault, probably for non-canonical "
		"address 0xdead000000000110: 0000 [#1] SMP NOPTI", "", NULL,
		"general protection fault: non-canonical address");
	kind_is("Kernel panic - not syncing: softlockup: hung tasks",
		"watchdog: BUG: soft lockup - CPU#1 stuck for 13s! "
		"[kt_merge_peer:119]", NULL, "soft lockup");
	kind_is("Kernel panic - not syncing: hung_task: blocked tasks", "",
		NULL, "hung task");
	kind_is("Kernel panic - not syncing: RCU Stall", "", NULL,
		"RCU stall");
	kind_is("Kernel panic - not syncing: sysrq triggered crash", "", NULL,
		"sysrq crash");
	kind_is("divide error: 0000 [#1] PREEMPT SMP NOPTI", "", NULL,
		"divide error");
	kind_is("BUG: TASK stack guard page was hit at 00000000a5d3ec6b "
		"(stack is 000000009c2e4d8a..0000000013fd0b3b)", "", NULL,
		"stack overflow");
	// pids, numbers and addresses of the message do not count
	kind_is("Kernel panic - not syncing: Attempted to kill init! "
		"exitcode=0x0000000b", "", NULL,
		"panic: Attempted to kill init! exitcode=#");
	kind_is("BUG: Bad page state in process kworker/1:2  pfn:1a2b3", "",
		NULL, "BUG: Bad page state");
	// the dump's bytes come out printable, with no separator in them
	kind_is("Kernel panic - not syncing: a|b\x1b[31m\x7f", "", NULL,
		"panic: a/b?[#m?");
	kind_is("", "", NULL, "unknown");
}

Test(signature, function_names_without_compiler_suffixes)
{
	static const char *const cases[][2] = {
		{ "kt_list_thread.cold", "kt_list_thread" },
		{ "blk_mq_exit_hctx.part.0", "blk_mq_exit_hctx" },
		{ "ext4_fill_super.isra.12", "ext4_fill_super" },
		{ "foo.constprop.0.cold", "foo" },
		{ "x86_64_start_kernel", "x86_64_start_kernel" },
	};
	char buf[96];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		kt_signature_function(cases[i][0], buf, sizeof(buf));
		cr_expect_str_eq(buf, cases[i][1]);
	}
	cr_expect(kt_signature_generic("panic"));
	cr_expect(kt_signature_generic("asm_exc_page_fault"));
	cr_expect(kt_signature_generic("_raw_spin_lock_irqsave"));
	cr_expect(!kt_signature_generic("kt_sum_from"));
	cr_expect(!kt_signature_generic("blk_mq_exit_hctx"));
}

Test(signature, text_parses_back_and_scores_rank_closeness)
{
	struct kt_signature a = { .kind = "BUG", .nframes = 2,
		.frames = { "__list_del_entry_valid", "kt_item_unlink" },
		.module = "ktscen", .finding = "list_debug/deleted-twice" };
	struct kt_signature b = a, c = a, d = { .kind = "soft lockup",
		.nframes = 1, .frames = { "other" } }, p, e = { .kind = "x" };

	kt_signature_finish(&a);
	cr_assert(kt_signature_parse(a.text, &p));
	cr_expect_str_eq(p.id, a.id);
	cr_expect_eq(p.nframes, 2);
	cr_expect_str_eq(p.module, "ktscen");
	cr_expect_str_eq(p.finding, "list_debug/deleted-twice");
	kt_signature_finish(&e);	// every part but the kind empty
	cr_assert(kt_signature_parse(e.text, &p));
	cr_expect_str_eq(p.id, e.id);
	cr_expect(!kt_signature_parse("BUG | a | b", &p));
	cr_expect(!kt_signature_parse("a | b | c | d | e", &p));
	strcpy(b.frames[1], "kt_other_caller");	// same top, other caller
	kt_signature_finish(&b);
	strcpy(c.frames[0], "list_del");	// another function
	strcpy(c.frames[1], "x");
	kt_signature_finish(&c);
	kt_signature_finish(&d);
	cr_expect_eq(kt_signature_score(&a, &a), 100);
	cr_expect_lt(kt_signature_score(&a, &b), 100);
	cr_expect_gt(kt_signature_score(&a, &b), kt_signature_score(&a, &c));
	cr_expect_gt(kt_signature_score(&a, &c), kt_signature_score(&a, &d));
	cr_expect_eq(kt_signature_score(&a, &d), 0);
}

/* `signature --json` of dump NAME, parsed; asserts. */
static cJSON *signature_of(const char *name, cJSON **parts)
{
	char *dump = kt_test_dump_path(name, ".kdump");
	char *moddir = kt_test_moddir(name);
	const char *argv[] = { dump, kt_test_vmlinux(name), "-m", moddir,
			       "--json", "-c", "signature", NULL };
	struct kt_run r = kt_test_run(argv);
	cJSON *doc;

	cr_assert_eq(r.status, 0, "%s: %s", name, r.err);
	doc = cJSON_Parse(r.out);
	cr_assert(doc, "%s: %s", name, r.out);
	kt_run_free(&r);
	free(dump);
	free(moddir);
	*parts = kt_test_get(doc, "parts");
	cr_assert(cJSON_IsObject(*parts));
	return doc;
}

static const char *sid(const cJSON *doc)
{
	const cJSON *id = kt_test_get(doc, "id");

	cr_assert(cJSON_IsString(id));
	return id->valuestring;
}

/*
 * The kernel matrix's dumps of the 6.1 kernel the shared dumps were made
 * on: made by scripts/test.sh, whichever kernels KT_KERNELS narrows a pass
 * to (the ASan pass runs two others).
 */
static bool has_61(void)
{
	char *path = kt_test_dump_path("6.1/list-poison", ".kdump");
	bool yes = !access(path, R_OK);

	free(path);
	return yes;
}

Test(signature, same_for_two_dumps_of_one_bug, .timeout = 300)
{
	cr_assert(has_61(), "needs the kernel matrix's 6.1 dumps in "
		  "KT_KERNEL_ROOT (scripts/test.sh makes them)");
	for (int i = 0; i < KT_TEST_NDUMPS; i++) {
		char other[64];
		cJSON *pa, *pb;
		cJSON *a = signature_of(kt_test_dumps[i], &pa);

		snprintf(other, sizeof(other), "6.1/%s", kt_test_dumps[i]);
		cJSON *b = signature_of(other, &pb);

		cr_expect_str_eq(sid(a), sid(b), "%s: %s vs %s",
				 kt_test_dumps[i],
				 kt_test_get(a, "text")->valuestring,
				 kt_test_get(b, "text")->valuestring);
		cJSON_Delete(a);
		cJSON_Delete(b);
	}
}

/* No address, pointer or pid of the dump leaks into a signature. */
static void no_addresses(const char *name, const char *text)
{
	regex_t re;

	cr_assert_eq(regcomp(&re, "0x|[0-9a-f]{8}|pid", REG_EXTENDED |
			     REG_NOSUB), 0);
	cr_expect_neq(regexec(&re, text, 0, NULL, 0), 0, "%s: %s", name,
		      text);
	regfree(&re);
}

ParameterizedTestParameters(signature, distinct_per_bug_and_free_of_addresses)
{
	static struct kt_dump_param p[1 + KT_TEST_MAXKERNELS];
	const char *k = getenv("KT_KERNELS");
	char *copy = strdup(k ? k : ""), *q = copy, *w;
	size_t n = 1;

	p[0].name[0] = 0;	// the shared dumps
	while ((w = strsep(&q, " ")) && n < 1 + KT_TEST_MAXKERNELS)
		if (*w)
			snprintf(p[n++].name, sizeof(p[0].name), "%s", w);
	free(copy);
	return cr_make_param_array(struct kt_dump_param, p, n);
}

/*
 * Each kernel's dumps are of different bugs: no two share a signature,
 * and none holds an address or pid (p->name: a kernel of the matrix, ""
 * for the shared dumps).
 */
ParameterizedTest(struct kt_dump_param *p, signature,
		  distinct_per_bug_and_free_of_addresses, .timeout = 900)
{
	const int n = p->name[0] ? KT_TEST_NDUMPS + KT_TEST_NFINDING_DUMPS :
			KT_TEST_NDUMPS;
	cJSON *sig[KT_TEST_NDUMPS + KT_TEST_NFINDING_DUMPS];
	char name[KT_TEST_NDUMPS + KT_TEST_NFINDING_DUMPS][96];

	for (int i = 0; i < n; i++) {
		const char *sc = i < KT_TEST_NDUMPS ? kt_test_dumps[i] :
				 kt_test_finding_dumps[i - KT_TEST_NDUMPS];
		cJSON *parts;

		snprintf(name[i], sizeof(name[i]), "%s%s%s", p->name,
			 p->name[0] ? "/" : "", sc);
		sig[i] = signature_of(name[i], &parts);
		no_addresses(name[i], kt_test_get(sig[i], "text")->valuestring);
		for (int j = 0; j < i; j++)
			cr_expect_str_neq(sid(sig[i]), sid(sig[j]),
					  "%s and %s: %s", name[i], name[j],
					  kt_test_get(sig[i], "text")->
					  valuestring);
	}
	for (int i = 0; i < n; i++)
		cJSON_Delete(sig[i]);
}

Test(signature, sys_signature_and_report_agree)
{
	char *dump = kt_test_dump_path("list-poison", ".kdump");
	char *moddir = kt_test_moddir("list-poison");
	char report[] = "/tmp/kt-sig-XXXXXX";
	char *rpath;
	int fd = mkstemp(report);
	cJSON *parts, *sig = signature_of("list-poison", &parts), *rep, *sys;

	cr_assert(fd >= 0);
	close(fd);
	cr_assert(asprintf(&rpath, "%s.json", report) > 0);
	// sys alone stays quick: no analyzers, no signature; once they have
	// run (findings here), sys shows it
	const char *quick[] = { dump, kt_test_vmlinux("list-poison"), "-m",
				moddir, "--json", "-c", "sys", NULL };
	const char *argv[] = { dump, kt_test_vmlinux("list-poison"), "-m",
			       moddir, "--json", "-c", "findings", "-c", "sys",
			       "--report", rpath, NULL };
	struct kt_run r = kt_test_run(quick);

	cr_assert_eq(r.status, 0, "%s", r.err);
	sys = cJSON_Parse(r.out);
	cr_assert(sys);
	cr_expect(cJSON_IsNull(kt_test_get(sys, "signature")), "%s", r.out);
	cJSON_Delete(sys);
	kt_run_free(&r);
	r = kt_test_run(argv);
	cr_assert_eq(r.status, 0, "%s", r.err);
	// the second document of the output is sys's
	sys = cJSON_Parse(strstr(r.out, "\n{") + 1);
	cr_assert(sys, "%s", r.out);
	cr_expect_str_eq(sid(kt_test_get(sys, "signature")), sid(sig));
	char *text = kt_test_slurp(rpath, NULL);

	rep = cJSON_Parse(text);
	free(text);
	cr_assert(rep);
	cr_expect_str_eq(sid(kt_test_get(rep, "signature")), sid(sig));
	// the analyzers' evidence, not the address, is in the parts
	cr_expect_str_eq(kt_test_get(parts, "kind")->valuestring,
			 "general protection fault: non-canonical address");
	cr_expect_str_eq(kt_test_get(parts, "finding")->valuestring,
			 "list_poison/use-after-list-del");
	cr_expect_str_eq(cJSON_GetArrayItem(kt_test_get(parts, "frames"),
					    0)->valuestring, "kt_sum_from");
	cr_expect_str_eq(kt_test_get(parts, "module")->valuestring, "ktscen");
	unlink(report);
	unlink(rpath);
	free(rpath);
	cJSON_Delete(sys);
	cJSON_Delete(rep);
	cJSON_Delete(sig);
	kt_run_free(&r);
	free(dump);
	free(moddir);
}
