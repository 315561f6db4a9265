// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The oops plugin on the six shared dumps, against drgn's facts in
 * tests/expected/<dump>.oops.json (tests/oracle/oops.py): the crashed
 * thread's exception registers, the log's fault header, the variables in
 * the faulting frame and offsetof() of the members the finding names.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <criterion/parameterized.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/dump.h"
#include "plugins/plugin.h"
#include "tests/helpers.h"

/* A hex string of the oracle, at a path of keys ending with NULL. */
static uint64_t hex_at(cJSON *o, ...)
{
	va_list ap;
	const char *k;

	va_start(ap, o);
	while ((k = va_arg(ap, const char *)))
		o = kt_test_get(o, k);
	va_end(ap);
	cr_assert(cJSON_IsString(o), "oracle value missing");
	return strtoull(o->valuestring, NULL, 16);
}

static int64_t member_offset(cJSON *exp, const char *member)
{
	cJSON *m = kt_test_get(kt_test_get(exp, "members"), member);

	cr_assert_not_null(m, "oracle has no %s", member);
	return (int64_t)kt_test_get(m, "offset")->valuedouble;
}

static const char *member_type(cJSON *exp, const char *member)
{
	return kt_test_get(kt_test_get(kt_test_get(exp, "members"), member), "type")->valuestring;
}

/* Run only the oops plugin on @dump; @exp gets drgn's facts. */
static struct kt_findings run_oops(const char *dump, cJSON **exp)
{
	struct kt_program *prog = kt_test_open(dump);
	const struct kt_plugin *p = kt_plugin_find("oops");
	struct kt_findings out = { 0 };
	char why[256], name[64];

	cr_assert_not_null(p);
	cr_assert_null(kt_plugin_check(p, prog, why, sizeof(why)),
		       "%s: oops does not run: %s", dump, why);
	cr_assert_null(p->run(prog, &out));
	cr_assert_not(out.nomem);
	kt_program_destroy(prog);
	snprintf(name, sizeof(name), "%s.oops", dump);
	*exp = kt_test_expected(name);
	return out;
}

/* The checks every fault finding passes, against drgn. */
static const struct kt_finding *check_common(struct kt_findings *out,
					     cJSON *exp)
{
	const struct kt_finding *f;
	uint64_t pc = hex_at(exp, "crashed", "pc", NULL);
	char id[64];

	cr_assert_eq(out->n, 1, "%zu findings", out->n);
	f = &out->v[0];
	snprintf(id, sizeof(id), "oops:0x%llx", (unsigned long long)pc);
	cr_assert_str_eq(f->id, id);
	cr_assert_eq(f->severity, KT_SEV_CRITICAL);
	cr_assert(cJSON_IsTrue(kt_test_get(kt_test_get(exp, "crashed"), "interrupted")));
	cr_assert_eq(kt_test_ref(f, "panic task")->addr,
		     hex_at(exp, "crashed", "task", NULL));
	cr_assert_eq(kt_test_ref(f, "panic task")->pid,
		     kt_test_get(kt_test_get(exp, "crashed"), "pid")->valueint);
	cr_assert_eq(kt_test_ref(f, "faulting frame")->level, 0);
	cr_assert_eq(kt_test_ref(f, "RIP")->value, pc);
	// A page fault's address is CR2. A GP fault's is the kernel's guess
	// ("probably for non-canonical address"), which 5.10 makes without
	// the displacement: ktriage computes base + displacement.
	uint64_t want = hex_at(exp, "fault", "address", NULL);
	uint64_t got = kt_test_ref(f, "faulting address")->addr;

	if (!strcmp(kt_test_get(kt_test_get(exp, "fault"), "kind")->valuestring,
		    "gp"))
		cr_assert(got - want < 0x1000, "0x%" PRIx64 ", the log's "
			  "0x%" PRIx64, got, want);
	else
		cr_assert_eq(got, want);
	cr_assert_str_eq(kt_test_ref(f, "oops")->text,
			 kt_test_get(kt_test_get(exp, "fault"), "line")->valuestring);
	return f;
}

/* Seed 000 as it happened: fq is a parameter, in RDI at the pc. */
Test(plugin_oops, hctx_fq_names_fq_flush_rq)
{
	cJSON *exp;
	struct kt_findings out = run_oops("hctx-fq", &exp);
	const struct kt_finding *f = check_common(&out, exp);
	uint64_t fq = hex_at(exp, "variables", "fq", NULL);
	char want[256];

	cr_assert_eq(hex_at(exp, "crashed", "registers", "rdi", NULL), fq);
	snprintf(want, sizeof(want), "blk_free_flush_queue+0xe: read of "
		 "fq->flush_rq (fq = RDI = 0x%llx, not RAM)",
		 (unsigned long long)fq);
	cr_assert_str_eq(f->title, want);
	cr_assert_str_eq(kt_test_ref(f, "bad base")->text, "RDI");
	cr_assert_eq(kt_test_ref(f, "bad base")->value, fq);
	cr_assert_eq(kt_test_ref(f, "base: fq")->addr, fq);
	cr_assert_str_eq(kt_test_ref(f, "base: fq")->text, "struct blk_flush_queue *");
	cr_assert_eq(kt_test_ref(f, "faulting address")->addr,
		     fq + member_offset(exp, "struct blk_flush_queue.flush_rq"));
	cr_assert_str_eq(kt_test_ref(f, "faulting address")->text,
			 member_type(exp, "struct blk_flush_queue.flush_rq"));
	cr_assert(strstr(kt_test_ref(f, "faulting address")->label, "not RAM"));
	cr_assert(kt_test_has_step(f, "DWARF location list: parameter fq"));
	cr_assert(kt_test_has_step(f, "mov 0x40(%rdi),%rdi"));
	cr_assert(kt_test_has_step(f, "(they agree)"));
	kt_findings_deinit(&out);
	cJSON_Delete(exp);
}

/* The bad pointer is not a variable: it was loaded from hctx->fq. */
Test(plugin_oops, hctx_fq_exit_follows_the_load_of_hctx_fq)
{
	cJSON *exp;
	struct kt_findings out = run_oops("hctx-fq-exit", &exp);
	const struct kt_finding *f = check_common(&out, exp);
	uint64_t fq = hex_at(exp, "loads", "hctx->fq", NULL);
	char want[256];

	cr_assert_eq(hex_at(exp, "crashed", "registers", "rax", NULL), fq);
	snprintf(want, sizeof(want), "blk_mq_exit_hctx+0x2e: read of "
		 "hctx->fq->flush_rq (hctx->fq = RAX = 0x%llx, not RAM)",
		 (unsigned long long)fq);
	cr_assert_str_eq(f->title, want);
	cr_assert_str_eq(kt_test_ref(f, "bad base")->text, "RAX");
	cr_assert_eq(kt_test_ref(f, "base: hctx->fq")->addr, fq);
	cr_assert_str_eq(kt_test_ref(f, "base: hctx->fq")->text,
			 member_type(exp, "struct blk_mq_hw_ctx.fq"));
	cr_assert_eq(kt_test_ref(f, "faulting address")->addr,
		     fq + member_offset(exp, "struct blk_flush_queue.flush_rq"));
	snprintf(want, sizeof(want), "loads hctx->fq (struct blk_flush_queue "
		 "*, at +0x%llx of struct blk_mq_hw_ctx)",
		 (unsigned long long)member_offset(exp,
						   "struct blk_mq_hw_ctx.fq"));
	cr_assert(kt_test_has_step(f, want), "no step '%s'", want);
	cr_assert(kt_test_has_step(f, "parameter hctx"));
	kt_findings_deinit(&out);
	cJSON_Delete(exp);
}

/*
 * Seed 002's pattern: the base is &e->node of an entry whose address came
 * from a list_del()ed entry's node.next, LIST_POISON1.
 */
Test(plugin_oops, list_poison_names_e_id_and_the_poisoned_next)
{
	cJSON *exp;
	struct kt_findings out = run_oops("list-poison", &exp);
	const struct kt_finding *f = check_common(&out, exp);
	uint64_t rax = hex_at(exp, "crashed", "registers", "rax", NULL);
	uint64_t e = hex_at(exp, "variables", "e", NULL);
	int64_t node = member_offset(exp, "struct kt_entry.node");
	char want[256];

	cr_assert_eq(rax - e, (uint64_t)node);
	cr_assert_eq(member_offset(exp, "struct kt_entry.id"), node + 0x10);
	cr_assert_eq(member_offset(exp, "struct list_head.next"), 0);
	snprintf(want, sizeof(want), "kt_sum_from+0x1c [ktscen]: read of "
		 "e->id (RAX = &e->node = 0x%llx, LIST_POISON1)",
		 (unsigned long long)rax);
	cr_assert_str_eq(f->title, want);
	cr_assert_eq(kt_test_ref(f, "bad base")->value, rax);
	cr_assert_eq(kt_test_ref(f, "base: e")->addr, e);
	cr_assert_str_eq(kt_test_ref(f, "base: e")->text, "struct kt_entry *");
	cr_assert_str_eq(kt_test_ref(f, "faulting address")->text,
			 member_type(exp, "struct kt_entry.id"));
	cr_assert_eq(kt_test_ref(f, "faulting address")->addr,
		     e + member_offset(exp, "struct kt_entry.id"));
	cr_assert(kt_test_has_step(f, "add 0x10(%rax),%ecx"));
	cr_assert(kt_test_has_step(f, "RAX came from e->node.next"));
	cr_assert(kt_test_has_step(f, "variable e (of kt_sum_from) = "));
	cr_assert(strstr(f->explanation, "LIST_POISON1"));
	cr_assert(strstr(f->explanation, "RAX was loaded from e->node.next, "
			 "with the values these had at kt_sum_from+0xc."),
		  "%s", f->explanation);
	kt_findings_deinit(&out);
	cJSON_Delete(exp);
}

ParameterizedTestParameters(plugin_oops, fault_only_where_the_log_has_one)
{
	KT_DUMP_PARAMS();
}

/*
 * sysrq-null and nbd-orphan-hung panic from sysrq, irq-lock from the
 * soft-lockup watchdog over an interrupted (pt_regs) frame: no fault, no
 * finding, not even an info one (no analyzer may fire on sysrq-null).
 */
ParameterizedTest(struct kt_dump_param *d, plugin_oops,
		  fault_only_where_the_log_has_one)
{
	cJSON *exp;
	struct kt_findings out = run_oops(d->name, &exp);

	if (cJSON_IsNull(kt_test_get(exp, "fault")))
		cr_assert_eq(out.n, 0, "%s: %s", d->name,
			     out.n ? out.v[0].title : "");
	else
		check_common(&out, exp);
	kt_findings_deinit(&out);
	cJSON_Delete(exp);
}

/*
 * A second run on the same program (the caches every analyzer shares now
 * warm) gives the same finding, byte for byte: nothing in the plugin
 * depends on what it computed before. (Its speed is bench/plugins.py's.)
 */
Test(plugin_oops, a_second_run_gives_the_same_finding)
{
	struct kt_program *prog = kt_test_open("hctx-fq-exit");
	const struct kt_plugin *p = kt_plugin_find("oops");
	struct kt_findings a = { 0 }, b = { 0 };

	cr_assert_null(p->run(prog, &a));
	cr_assert_null(p->run(prog, &b));
	cr_assert_eq(a.n, 1);
	cr_assert_eq(b.n, 1);
	cr_expect_str_eq(a.v[0].id, b.v[0].id);
	cr_expect_str_eq(a.v[0].title, b.v[0].title);
	cr_expect_str_eq(a.v[0].explanation, b.v[0].explanation);
	cr_expect_eq(a.v[0].nrefs, b.v[0].nrefs);
	cr_expect_eq(a.v[0].nsteps, b.v[0].nsteps);
	kt_findings_deinit(&a);
	kt_findings_deinit(&b);
	kt_program_destroy(prog);
}

/*
 * Without ktscen.ko there is no DWARF for kt_sum_from: the fault, the
 * instruction and the bad base register are still found, and no struct
 * member is made up.
 */
Test(plugin_oops, list_poison_without_module_debuginfo_names_no_member)
{
	char *path = kt_test_dump_path("list-poison", ".kdump");
	struct kt_program *prog = kt_test_open_files(path, NULL, false);
	const struct kt_plugin *p = kt_plugin_find("oops");
	struct kt_findings out = { 0 };
	cJSON *exp = kt_test_expected("list-poison.oops");
	const struct kt_finding *f;
	uint64_t rax = hex_at(exp, "crashed", "registers", "rax", NULL);
	char want[256];

	cr_assert_null(p->run(prog, &out));
	f = check_common(&out, exp);
	snprintf(want, sizeof(want), "kt_sum_from+0x1c [ktscen]: read of "
		 "0x10(%%rax),%%ecx (base = RAX = 0x%llx, LIST_POISON1)",
		 (unsigned long long)rax);
	cr_assert_str_eq(f->title, want);
	cr_assert_eq(kt_test_ref(f, "bad base")->value, rax);
	cr_assert_null(kt_test_ref(f, "faulting address")->text);
	cr_assert(kt_test_has_step(f, "no DWARF variable, load or parameter"));
	kt_findings_deinit(&out);
	kt_program_destroy(prog);
	cJSON_Delete(exp);
	free(path);
}

/*
 * Seed 002's fault was a write: `mov %rdi,0x8(%r8)` storing through a
 * stale list pointer. The list-poison dump with its faulting instruction
 * patched into such a store (through RAX, which holds LIST_POISON1) must
 * be decoded as a write of the member at that displacement. (ktscen's
 * walker only reads, so the store is put there by kt_dump_patch().)
 */
Test(plugin_oops, a_store_is_decoded_as_a_write)
{
	static const unsigned char store[] = { 0x48, 0x89, 0x78, 0x08 };
	struct kt_program *prog = kt_test_open("list-poison");
	cJSON *exp = kt_test_expected("list-poison.oops");
	uint64_t rip = hex_at(exp, "crashed", "pc", NULL);
	const struct kt_finding *f;
	struct kt_findings out;

	cr_assert_null(kt_dump_patch(prog->dump, rip, store, sizeof(store),
				     KT_FAULT_NONE));
	kt_test_run_plugin(prog, "oops", &out);
	cr_assert_eq(out.n, 1);
	f = &out.v[0];
	cr_log_info("%s", f->title);
	// RAX was loaded from e->node.next: the store is next->prev = ...,
	// __list_del()'s first write, as in seed 002.
	cr_expect(strstr(f->title, ": write of e->node.next->prev (e->node.next "
			 "= RAX = 0xdead000000000100, LIST_POISON1)"), "%s",
		  f->title);
	cr_expect(kt_test_has_step(f, "mov %rdi, 0x8(%rax)") ||
		  kt_test_has_step(f, "mov %rdi,0x8(%rax)"), "no decoded store");
	kt_findings_deinit(&out);
	kt_program_destroy(prog);
	cJSON_Delete(exp);
}
