// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The list_poison plugin on every shared dump, against drgn.
 *
 * tests/expected/NAME.list_poison.json (tests/oracle/list_poison.py) holds
 * the poison values read from __list_del_entry_valid()'s code, the crashed
 * thread's registers and stack words that hold poison, and the slab objects
 * they point into that hold a poisoned list_head. The plugin must fire
 * exactly where drgn's facts say the crash context holds poison or a free
 * poisoned object (list-poison only), and name drgn's stale object.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/plugin.h"
#include "tests/helpers.h"

static const struct kt_ref *find_ref(const struct kt_finding *f,
				     enum kt_ref_kind kind, const char *text)
{
	for (size_t i = 0; i < f->nrefs; i++)
		if (f->refs[i].kind == kind &&
		    (!text || (f->refs[i].text && !strcmp(f->refs[i].text, text))))
			return &f->refs[i];
	return NULL;
}

/* drgn's free stale object, or 0. */
static uint64_t free_stale(cJSON *doc)
{
	cJSON *s;

	cJSON_ArrayForEach(s, kt_test_get(doc, "stale"))
		if (cJSON_IsFalse(kt_test_get(s, "allocated")))
			return kt_test_hex(kt_test_get(s, "object"));
	return 0;
}

static void check_finding(const struct kt_finding *f, cJSON *doc)
{
	uint64_t stale = free_stale(doc);
	const struct kt_ref *r;
	char text[128];
	cJSON *reg;

	if (stale) {
		snprintf(text, sizeof(text), "list_poison:0x%" PRIx64, stale);
		cr_assert_str_eq(f->id, text);
		r = find_ref(f, KT_REF_ADDRESS, NULL);
		cr_assert_not_null(r);
		cr_assert_eq(r->addr, stale);
	} else {
		// No register or stack word still points at the freed entry
		// (7.2's gcc kept it nowhere): the finding is the task's, and
		// names no stale object.
		cr_assert(!strncmp(f->id, "list_poison:task:", 17), "%s", f->id);
		cr_assert(!strstr(f->title, "stale"), "%s", f->title);
	}
	// The poison values, as drgn read them from the same code.
	snprintf(text, sizeof(text), "LIST_POISON1/2 = %s/%s",
		 kt_test_get(doc, "list_poison1")->valuestring,
		 kt_test_get(doc, "list_poison2")->valuestring);
	cr_assert(kt_test_has_step(f, text), "%s", text);
	// Every poisoned register drgn sees is evidence, with its value.
	cJSON_ArrayForEach(reg, kt_test_get(doc, "poison_regs")) {
		r = find_ref(f, KT_REF_REGISTER, reg->string);
		cr_assert_not_null(r, "register %s", reg->string);
		cr_assert_eq(r->value, kt_test_hex(reg));
		cr_assert_eq(r->level, 0);
	}
	if (stale && cJSON_IsString(kt_test_get(doc, "kt_cursor")))
		cr_assert_eq(kt_test_hex(kt_test_get(doc, "kt_cursor")), stale,
			     "the scenario's cursor is the stale entry");
	if (stale && cJSON_IsNumber(kt_test_get(doc, "node_offset"))) {
		snprintf(text, sizeof(text), "its list_head at +0x%x (node)",
			 kt_test_get(doc, "node_offset")->valueint);
		cr_assert(kt_test_has_step(f, text), "%s", text);
	}
}

ParameterizedTestParameters(plugin_list_poison, agrees_with_drgn)
{
	KT_DUMP_PARAMS();
}

ParameterizedTest(struct kt_dump_param *p, plugin_list_poison,
		  agrees_with_drgn)
{
	struct kt_program *prog = kt_test_open(p->name);
	struct kt_findings out = { 0 };
	char file[96];
	cJSON *doc;

	snprintf(file, sizeof(file), "%s.list_poison", p->name);
	doc = kt_test_expected(file);
	kt_test_run_plugin(prog, "list_poison", &out);
	if (cJSON_IsTrue(kt_test_get(doc, "fires"))) {
		cr_assert_eq(out.n, 1, "%s: %zu findings", p->name, out.n);
		check_finding(&out.v[0], doc);
	} else {
		cr_assert_eq(out.n, 0, "%s: fired: %s", p->name,
			     out.n ? out.v[0].title : "");
	}
	// Only list-poison's crash is a use after list_del().
	cr_assert_eq(cJSON_IsTrue(kt_test_get(doc, "fires")),
		     !strcmp(kt_test_scenario(p->name), "list-poison"));
	kt_findings_deinit(&out);
	cJSON_Delete(doc);
	kt_program_destroy(prog);
}

/* The fault, the stale object's state and its member, on list-poison. */
Test(plugin_list_poison, stale_entry_named)
{
	struct kt_program *prog = kt_test_open("list-poison");
	cJSON *kmem = kt_test_expected("list-poison.kmem");
	cJSON *lp = kt_test_get(kt_test_get(kmem, "facts"), "list_poison");
	struct kt_findings out = { 0 };
	const struct kt_finding *f;
	const struct kt_ref *r;

	kt_test_run_plugin(prog, "list_poison", &out);
	cr_assert_eq(out.n, 1);
	f = &out.v[0];
	cr_assert_eq(f->severity, KT_SEV_CRITICAL);
	cr_assert(strstr(f->title, "kt_sum_from+0x1c dereferenced "
			 "LIST_POISON1 (rax = 0xdead000000000100)"), "%s",
		  f->title);
	cr_assert(strstr(f->title, "struct kt_entry"), "%s", f->title);
	cr_assert(kt_test_has_step(f, "add 0x10(%rax),%ecx; its address "
			   "0xdead000000000110 comes from LIST_POISON1"));
	cr_assert(kt_test_has_step(f, "member: node of struct kt_entry"));
	// The oops line of the log names the same address.
	r = find_ref(f, KT_REF_LOG, "general protection fault, probably for "
		     "non-canonical address 0xdead000000000110: 0000 [#1] "
		     "PREEMPT SMP NOPTI");
	cr_assert_not_null(r);
	cr_assert(kt_test_has_step(f, "variable e = 0xdead0000000000f8"));
	// drgn: a free sigqueue object, on its slab's own freelist.
	cr_assert_str_eq(kt_test_get(kt_test_get(kt_test_get(lp, "drgn"), "slab"), "cache")->valuestring,
			 "sigqueue");
	cr_assert(cJSON_IsFalse(kt_test_get(kt_test_get(kt_test_get(lp, "drgn"), "slab"), "allocated")));
	cr_assert(strstr(f->title, "is free (sigqueue)"), "%s", f->title);
	cr_assert_str_eq(kt_test_get(kt_test_get(kt_test_get(lp, "own"), "slab"), "free_on")->valuestring,
			 "slab_freelist");
	cr_assert(kt_test_has_step(f, "free: entry 0 of the slab's freelist (CPU 1's "
			   "active slab)"));
	cr_assert(kt_test_has_step(f, "merged: dnotify_mark, inotify_inode_mark, "
			   "ktscen_entry"));
	r = find_ref(f, KT_REF_FRAME, "kt_sum_from");
	cr_assert_not_null(r);
	cr_assert_eq(r->level, 0);
	cr_assert_eq(r->pid, 118);
	r = find_ref(f, KT_REF_ADDRESS, "struct kt_entry");
	cr_assert_not_null(r);
	cr_assert_eq(r->addr, kt_test_hex(kt_test_get(lp, "stale_entry")));
	kt_findings_deinit(&out);
	cJSON_Delete(kmem);
	kt_program_destroy(prog);
}

/*
 * hctx-fq's frames point at live hctxs whose cpuhp/dispatch list_heads were
 * list_del()'d: poison in live objects is normal and must stay silent.
 */
Test(plugin_list_poison, live_objects_with_deleted_members_are_silent)
{
	struct kt_program *prog = kt_test_open("hctx-fq");
	cJSON *doc = kt_test_expected("hctx-fq.list_poison");
	struct kt_findings out = { 0 };
	cJSON *s;
	size_t n = 0;

	cJSON_ArrayForEach(s, kt_test_get(doc, "stale")) {
		cr_assert(cJSON_IsTrue(kt_test_get(s, "allocated")));
		n++;
	}
	cr_assert_geq(n, 1, "drgn sees poisoned lists in live objects here");
	kt_test_run_plugin(prog, "list_poison", &out);
	cr_assert_eq(out.n, 0);
	kt_findings_deinit(&out);
	cJSON_Delete(doc);
	kt_program_destroy(prog);
}
