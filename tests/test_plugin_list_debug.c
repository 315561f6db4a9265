// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The list_debug plugin and the oops plugin's BUG() decoding, against drgn
 * and the kernel's own log, on every dump of every kernel.
 *
 * NAME.list_debug.json (tests/oracle/list_debug.py) holds the last
 * CONFIG_DEBUG_LIST report of the log and what drgn sees of the entry it
 * names: its slab object and cache, allocated or not, its links, the
 * neighbour the report names, and the ring walked by ->prev. The two
 * scenarios are a double list_del() (list-double-del) and a predecessor
 * whose ->next points at itself (list-neighbour), both on a kmalloc'd
 * struct kt_item linked by its member "link" on the global kt_items.
 * With no report, the oracle names the list_head whose garbage link the
 * oops's access went through ("bad_link"): list-garbage, a struct
 * kt_record's "link" whose ->next a string overwrote, unlinked by an
 * inlined __list_del() (no CONFIG_DEBUG_LIST check).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/list_report.h"
#include "plugins/oops_trap.h"
#include "plugins/plugin.h"
#include "tests/helpers.h"

static uint64_t hex(cJSON *j)
{
	cr_assert(cJSON_IsString(j));
	return strtoull(j->valuestring, NULL, 16);
}

static const struct kt_ref *ref(const struct kt_finding *f, const char *label)
{
	for (size_t i = 0; i < f->nrefs; i++)
		if (f->refs[i].label && !strcmp(f->refs[i].label, label))
			return &f->refs[i];
	return NULL;
}

static bool has_step(const struct kt_finding *f, const char *text)
{
	for (size_t i = 0; i < f->nsteps; i++)
		if (strstr(f->steps[i], text))
			return true;
	return false;
}

ParameterizedTestParameters(plugin_list_debug, agrees_with_drgn)
{
	KT_ALL_DUMP_PARAMS();
}

ParameterizedTest(struct kt_dump_param *d, plugin_list_debug,
		  agrees_with_drgn)
{
	struct kt_program *prog = kt_test_open(d->name);
	const char *scen = kt_test_scenario(d->name);
	struct kt_findings out;
	const struct kt_finding *f;
	const struct kt_ref *r;
	char file[96], want[160];
	cJSON *exp;

	snprintf(file, sizeof(file), "%s.list_debug", d->name);
	exp = kt_test_expected(file);
	kt_test_run_plugin(prog, "list_debug", &out);
	if (!cJSON_IsTrue(kt_test_get(exp, "fires"))) {
		cr_assert_eq(out.n, 0, "%s: %s", d->name,
			     out.n ? out.v[0].title : "");
		goto done;
	}
	cr_assert_eq(out.n, 1, "%s", d->name);
	f = &out.v[0];
	cr_expect_eq(f->severity, KT_SEV_CRITICAL, "%s", d->name);
	// the entry and its object, as drgn has them
	r = ref(f, "entry");
	cr_assert_not_null(r);
	cr_expect_eq(r->addr, hex(kt_test_get(exp, "entry")), "%s", d->name);
	r = ref(f, "entry's object");
	cr_assert_not_null(r, "%s", d->name);
	cr_expect_eq(r->addr, hex(kt_test_get(exp, "entry_object")), "%s",
		     d->name);
	snprintf(want, sizeof(want), "%s object 0x%" PRIx64 "+0x%x, %s",
		 kt_test_get(exp, "entry_cache")->valuestring,
		 hex(kt_test_get(exp, "entry_object")),
		 kt_test_get(exp, "entry_offset")->valueint,
		 cJSON_IsTrue(kt_test_get(exp, "entry_allocated")) ?
		 "alloc" : "free");
	cr_expect(strstr(f->title, want), "%s: '%s' lacks '%s'", d->name,
		  f->title, want);
	// the type, from the caller's DWARF
	cr_expect(strstr(f->title, !strcmp(scen, "list-garbage") ?
			 "struct kt_record.link at " :
			 "struct kt_item.link at "), "%s: %s", d->name,
		  f->title);
	cr_expect_eq(!strcmp(scen, "list-garbage"),
		     cJSON_IsString(kt_test_get(exp, "bad_link")), "%s",
		     d->name);
	if (cJSON_IsString(kt_test_get(exp, "bad_link"))) {
		uint64_t bad = hex(kt_test_get(exp, "bad_link"));

		// no report: the fault, the link and what it is
		cr_expect_null(ref(f, "report"), "%s", d->name);
		cr_expect_not_null(ref(f, "fault"), "%s", d->name);
		snprintf(want, sizeof(want), "whose %s is 0x%" PRIx64 " (%s)",
			 kt_test_get(exp, "field")->valuestring, bad,
			 bad < 4096 ? "NULL" : "no kernel address");
		cr_expect(strstr(f->title, want), "%s: '%s' lacks '%s'",
			  d->name, f->title, want);
		// the scenario's string: "sensor-overflow" over label[8]
		cr_expect(strstr(f->title, "its bytes are text: \"verflow\""),
			  "%s: %s", d->name, f->title);
		snprintf(want, sizeof(want), "by %s, the walk stops after 1 "
			 "list_heads: 0x%" PRIx64 " leads to 0x%" PRIx64,
			 kt_test_get(exp, "field")->valuestring,
			 hex(kt_test_get(exp, "entry")), bad);
		cr_expect(has_step(f, want), "%s: no step '%s'", d->name,
			  want);
		// the access the log's oops names: next->prev, 8 bytes into
		// the garbage (5.10's oops line prints the base register's
		// value without the displacement: the instruction decides)
		uint64_t fa = hex(kt_test_get(exp, "fault_address"));

		cr_expect(fa == bad || fa == bad + 8, "%s: fault at 0x%" PRIx64,
			  d->name, fa);
		snprintf(want, sizeof(want), "a store to 0x%" PRIx64 " through ",
			 bad + 8);
		cr_expect(has_step(f, want), "%s: no step '%s'", d->name,
			  want);
	}
	if (cJSON_IsTrue(kt_test_get(exp, "double_del")))
		cr_expect(strstr(f->title, "already deleted"), "%s: %s",
			  d->name, f->title);
	cr_expect_eq(!strcmp(scen, "list-double-del"),
		     cJSON_IsTrue(kt_test_get(exp, "double_del")), "%s",
		     d->name);
	if (cJSON_IsString(kt_test_get(exp, "neighbour"))) {
		uint64_t nb = hex(kt_test_get(exp, "neighbour"));

		r = ref(f, "neighbour");
		cr_assert_not_null(r, "%s", d->name);
		cr_expect_eq(r->addr, nb, "%s", d->name);
		if (hex(kt_test_get(exp, "neighbour_next")) == nb)
			cr_expect(strstr(f->title, "points its next at itself"),
				  "%s: %s", d->name, f->title);
		snprintf(want, sizeof(want), "%s object 0x%" PRIx64,
			 kt_test_get(exp, "neighbour_cache")->valuestring,
			 hex(kt_test_get(exp, "neighbour_object")));
		cr_expect(strstr(f->title, want), "%s: '%s' lacks '%s'",
			  d->name, f->title, want);
	}
	if (cJSON_IsNumber(kt_test_get(exp, "ring_prev"))) {
		// drgn 0.0.22 has no symbols of a 6.4+ module (7.2): no head
		if (cJSON_IsString(kt_test_get(exp, "head")))
			snprintf(want, sizeof(want), "by prev, the entry is on "
				 "a ring of %d list_heads, through the global %s",
				 kt_test_get(exp, "ring_prev")->valueint,
				 kt_test_get(exp, "head")->valuestring);
		else
			snprintf(want, sizeof(want), "by prev, the entry is on "
				 "a ring of %d list_heads",
				 kt_test_get(exp, "ring_prev")->valueint);
		cr_expect(has_step(f, want), "%s: no step '%s'", d->name, want);
	}
done:
	kt_findings_deinit(&out);
	cJSON_Delete(exp);
	kt_program_destroy(prog);
}

ParameterizedTestParameters(plugin_list_debug, bug_decoded)
{
	KT_ALL_DUMP_PARAMS();
}

/*
 * Where the log says "kernel BUG at FILE:LINE!", `sys` says so as crash
 * does, and the oops finding names the same FILE:LINE from the bug table.
 */
ParameterizedTest(struct kt_dump_param *d, plugin_list_debug, bug_decoded)
{
	char *path = kt_test_dump_path(d->name, ".dmesg.txt");
	char *dmesg = kt_test_slurp(path, NULL), *p, line[160] = "";
	struct kt_program *prog;
	struct kt_findings out;
	const char *argv[5];
	struct kt_run run;
	size_t n;

	cr_assert_not_null(dmesg);
	for (p = strstr(dmesg, "kernel BUG at "); p;
	     p = strstr(p + 1, "kernel BUG at ")) {
		n = strcspn(p, "\n");
		snprintf(line, sizeof(line), "%.*s", (int)n, p);
	}
	if (!line[0]) {
		free(dmesg);
		free(path);
		return;
	}
	prog = kt_test_open(d->name);
	kt_test_run_plugin(prog, "oops", &out);
	cr_assert_eq(out.n, 1, "%s", d->name);
	// "kernel BUG at lib/list_debug.c:53!" -> "...:53 in "
	line[strlen(line) - 1] = 0;
	cr_expect(!strncmp(out.v[0].title, line, strlen(line)) &&
		  !strncmp(out.v[0].title + strlen(line), " in ", 4),
		  "%s: '%s', the log says '%s'", d->name, out.v[0].title, line);
	cr_expect(has_step(&out.v[0], "(they agree)"), "%s", d->name);
	kt_findings_deinit(&out);
	kt_program_destroy(prog);
	// sys's PANIC line is the BUG line, as crash prints it
	char *dump = kt_test_dump_path(d->name, ".kdump");
	argv[0] = dump;
	argv[1] = kt_test_vmlinux(d->name);
	argv[2] = "-c";
	argv[3] = "sys";
	argv[4] = NULL;
	run = kt_test_run(argv);
	snprintf(line + strlen(line), sizeof(line) - strlen(line), "!\"");
	cr_expect(strstr(run.out, line), "%s: %s", d->name, run.out);
	kt_run_free(&run);
	free(dump);
	free(dmesg);
	free(path);
}

/* Every message of lib/list_debug.c, old and new forms. */
Test(plugin_list_debug, report_parser)
{
	struct kt_list_report r;

	cr_assert(kt_list_report_parse("list_del corruption, ffff8e5d1937e608"
				       "->next is LIST_POISON1 "
				       "(dead000000000100)", &r));
	cr_expect(r.del && r.kind == KT_LR_DEL_POISON && r.field_next &&
		  r.entry == 0xffff8e5d1937e608ULL &&
		  r.was == 0xdead000000000100ULL);
	cr_assert(kt_list_report_parse("list_del corruption, ffff88800a1b2c30"
				       "->prev is LIST_POISON2 "
				       "(dead000000000122)", &r));
	cr_expect(r.kind == KT_LR_DEL_POISON && !r.field_next);
	cr_assert(kt_list_report_parse("list_del corruption, ffff88800a1b2c30"
				       "->next is NULL", &r));
	cr_expect(r.kind == KT_LR_DEL_NULL && r.has_was && !r.was);
	// 6.1+ with the neighbour, 5.10 without
	cr_assert(kt_list_report_parse("list_del corruption. prev->next should"
				       " be ffff893218d78968, but was "
				       "ffff893218d78f68. (prev=ffff893218d78f68)",
				       &r));
	cr_expect(r.kind == KT_LR_DEL_PREV && r.entry == 0xffff893218d78968ULL
		  && r.was == 0xffff893218d78f68ULL && r.has_prev &&
		  r.prev == 0xffff893218d78f68ULL);
	cr_assert(kt_list_report_parse("list_del corruption. next->prev should"
				       " be ffff893218d78968, but was "
				       "ffff893218d78f68", &r));
	cr_expect(r.kind == KT_LR_DEL_NEXT && !r.has_next);
	cr_assert(kt_list_report_parse("list_add corruption. next->prev should"
				       " be prev (ffff88800a000010), but was "
				       "ffff88800a000020. (next=ffff88800a000030).",
				       &r));
	cr_expect(!r.del && r.kind == KT_LR_ADD_NEXT &&
		  r.prev == 0xffff88800a000010ULL &&
		  r.was == 0xffff88800a000020ULL &&
		  r.next == 0xffff88800a000030ULL);
	cr_assert(kt_list_report_parse("list_add corruption. prev->next should"
				       " be next (ffff88800a000030), but was "
				       "0000000000000000. (prev=ffff88800a000010).",
				       &r));
	cr_expect(r.kind == KT_LR_ADD_PREV && r.next == 0xffff88800a000030ULL
		  && r.was == 0 && r.prev == 0xffff88800a000010ULL);
	cr_assert(kt_list_report_parse("list_add double add: new=ffff88800a000"
				       "040, prev=ffff88800a000040, next="
				       "ffff88800a000050.", &r));
	cr_expect(r.kind == KT_LR_ADD_DOUBLE && r.entry == r.prev);
	cr_assert(kt_list_report_parse("list_add corruption. next is NULL.",
				       &r));
	cr_expect(r.kind == KT_LR_ADD_NULL && r.field_next);
	cr_expect_not(kt_list_report_parse("list_del corruption, garbage",
					   &r));
	cr_expect_not(kt_list_report_parse("kernel BUG at lib/list_debug.c:53!",
					   &r));
}

/* The oops kinds the trap decoder tells from the log. */
Test(plugin_list_debug, trap_log_lines)
{
	struct kt_trap_log l;

	kt_trap_log_init(&l);
	kt_trap_log_line(&l, "kernel BUG at mm/slub.c:435!", 3);
	cr_expect(l.bug_rec == 3 && !strcmp(l.bug_file, "mm/slub.c") &&
		  l.bug_line == 435);
	kt_trap_log_line(&l, "WARNING: CPU: 1 PID: 42 at net/core/dev.c:1234 "
			 "foo+0x1/0x2 [mod]", 4);
	cr_expect(l.warn_rec == 4 && !strcmp(l.warn_file, "net/core/dev.c") &&
		  l.warn_line == 1234);
	kt_trap_log_line(&l, "Oops: invalid opcode: 0000 [#1] SMP NOPTI", 5);
	cr_expect_eq(l.ud_rec, 5);
	kt_trap_log_line(&l, "Oops: divide error: 0000 [#1] PREEMPT SMP", 6);
	cr_expect_eq(l.de_rec, 6);
	kt_trap_log_line(&l, "BUG: stack guard page was hit at 00000000c4bd7b0a"
			 " (stack is 00000000ff4ad6ae..00000000e0c8b5b1)", 7);
	cr_expect(l.guard_rec == 7 && l.guard_addr == 0xc4bd7b0aULL);
	kt_trap_log_line(&l, "kernel tried to execute NX-protected page - "
			 "exploit attempt? (uid: 0)", 8);
	cr_expect_eq(l.nx_rec, 8);
	kt_trap_log_line(&l, "page dumped because: VM_BUG_ON_PAGE("
			 "page_ref_count(page) == 0)", 9);
	cr_expect(l.pagedump_rec == 9 && strstr(l.pagedump, "VM_BUG_ON_PAGE"));
	kt_trap_log_line(&l, "page:ffffea0004a1b2c0 refcount:0 mapcount:0 "
			 "mapping:0000000000000000 index:0x0 pfn:0x1286cb", 10);
	cr_expect(l.page_rec == 10 && l.page == 0xffffea0004a1b2c0ULL);
	kt_trap_log_line(&l, "Kernel panic - not syncing: kernel: panic_on_warn"
			 " set ...", 11);
	cr_expect_eq(l.panic_warn_rec, 11);
}
