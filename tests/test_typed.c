// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Typed data: `struct` of whole kernel structs against drgn's values
 * (tests/expected/NAME.structs.json, from tests/oracle/structs.py), the C
 * type-name spelling, and expression errors.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctype.h"
#include "core/expr.h"
#include "core/sanitize.h"
#include "core/value.h"
#include "tests/helpers.h"

static cJSON *item(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *x = item(o, key);

	return cJSON_IsString(x) ? x->valuestring : NULL;
}

static cJSON *structs_expected(const char *dump)
{
	char name[96];
	cJSON *doc;

	snprintf(name, sizeof(name), "%s.structs", dump);
	doc = kt_test_expected(name);
	cr_assert_eq(cJSON_GetArraySize(item(doc, "errors")), 0,
		     "the oracle failed: see tests/expected/%s.json", name);
	return doc;
}

static cJSON *expected_object(cJSON *doc, const char *label)
{
	cJSON *o;

	cJSON_ArrayForEach(o, item(doc, "objects")) {
		if (!strcmp(str(o, "label"), label))
			return o;
	}
	cr_assert_fail("the oracle has no object '%s'", label);
	return NULL;
}

/*
 * ktriage's JSON tree as leaf paths, the way structs.py names them:
 * anonymous levels add nothing, array elements add "[i]", char arrays
 * are one leaf. @out maps path -> node (references).
 */
static void flatten(cJSON *node, const char *path, cJSON *out)
{
	cJSON *kids = item(node, "members"), *k;
	bool array = !strcmp(str(node, "kind"), "array");
	char sub[1024];

	if (array && item(node, "string")) {
		cJSON_AddItemReferenceToObject(out, path, node);
		return;
	}
	if (array)
		kids = item(node, "elements");
	if (!kids || item(node, "fault")) {
		cJSON_AddItemReferenceToObject(out, path, node);
		return;
	}
	cJSON_ArrayForEach(k, kids) {
		const char *name = str(k, "name");

		if (!name)
			snprintf(sub, sizeof(sub), "%s", path);
		else if (array || !*path)
			snprintf(sub, sizeof(sub), "%s%s", path, name);
		else
			snprintf(sub, sizeof(sub), "%s.%s", path, name);
		flatten(k, sub, out);
	}
}

/* One drgn leaf against ktriage's node; returns the mismatches. */
static int compare_leaf(const char *label, const char *path,
			const cJSON *want, const cJSON *got)
{
	const char *w, *g;
	char clean[KT_SANITIZED_SIZE(512)];

	if (item(want, "fault"))
		return !item(got, "fault");
	if ((w = str(want, "pointer"))) {
		g = str(got, "pointer");
		if (g && strtoull(w, NULL, 16) == strtoull(g, NULL, 16))
			return 0;
		cr_expect_fail("%s.%s: pointer %s, ktriage %s", label, path, w,
			       g ?: "(none)");
		return 1;
	}
	if ((w = str(want, "string"))) {
		// drgn's text is raw; ktriage's is sanitised, as it must be.
		kt_sanitize(w, strlen(w), clean, sizeof(clean), false);
		g = str(got, "string");
		cr_expect(g && !strcmp(clean, g), "%s.%s: string \"%s\", "
			  "ktriage \"%s\"", label, path, clean, g ?: "(none)");
		return !g || strcmp(clean, g);
	}
	w = str(want, "number");
	g = str(got, "number");
	cr_expect(w && g && !strcmp(w, g), "%s.%s: %s, ktriage %s", label,
		  path, w ?: "?", g ?: "(none)");
	if ((w = str(want, "enum")))
		cr_expect_str_eq(str(got, "value"), w, "%s.%s", label, path);
	return !g || strcmp(str(want, "number"), g);
}

/* `struct TYPE ADDR` of one oracle object: every member, every value. */
static void check_object(const char *dump, const char *label)
{
	cJSON *exp = structs_expected(dump), *want = expected_object(exp, label);
	char *path = kt_test_dump_path(dump, ".kdump"), cmd[256];
	char *mods = kt_test_moddir(dump);
	cJSON *doc, *top, *leaves, *m, *names;
	struct kt_run r;
	int bad = 0, i = 0;

	snprintf(cmd, sizeof(cmd), "%s %s", str(want, "type"),
		 str(want, "address"));
	{
		const char *argv[] = { path, kt_test_vmlinux(dump), "-m",
				       mods, "--json", "-c", cmd, NULL };

		r = kt_test_run(argv);
	}
	cr_assert_eq(r.status, 0, "%s: %s", cmd, r.err);
	doc = cJSON_Parse(r.out);
	cr_assert_not_null(doc, "not JSON: %.200s", r.out);
	top = cJSON_GetArrayItem(item(doc, "objects"), 0);
	cr_assert_not_null(top);
	cr_expect_str_eq(str(top, "type"), str(want, "type"));

	// Every top-level member, in order (null: an anonymous one).
	names = item(want, "top_members");
	cr_assert_eq(cJSON_GetArraySize(item(top, "members")),
		     cJSON_GetArraySize(names), "%s: member count", label);
	cJSON_ArrayForEach(m, item(top, "members")) {
		cJSON *n = cJSON_GetArrayItem(names, i++);

		if (cJSON_IsNull(n))
			cr_expect(cJSON_IsNull(item(m, "name")));
		else
			cr_expect_str_eq(str(m, "name"), n->valuestring);
	}

	leaves = cJSON_CreateObject();
	flatten(top, "", leaves);
	cJSON_ArrayForEach(m, item(want, "leaves")) {
		cJSON *got = item(leaves, m->string);

		if (!got) {
			cr_expect_fail("%s: ktriage has no %s", label,
				       m->string);
			bad++;
			continue;
		}
		bad += compare_leaf(label, m->string, m, got);
	}
	cr_expect_eq(bad, 0, "%s: %d of %d values differ from drgn's", label,
		     bad, cJSON_GetArraySize(item(want, "leaves")));
	cr_expect_gt(cJSON_GetArraySize(item(want, "leaves")), 20);
	cJSON_Delete(leaves);
	cJSON_Delete(doc);
	cJSON_Delete(exp);
	kt_run_free(&r);
	free(path);
	free(mods);
}

Test(typed, blk_mq_hw_ctx_matches_drgn)
{
	check_object("hctx-fq", "hctx");
}

Test(typed, request_queue_matches_drgn)
{
	check_object("hctx-fq", "request_queue");
}

Test(typed, nbd_config_from_module_debuginfo_matches_drgn)
{
	check_object("nbd-orphan-hung", "nbd_config");
}

ParameterizedTestParameters(typed, task_struct_matches_drgn)
{
	KT_DUMP_PARAMS();
}

/* The crashed task of every dump: 244 members, some 840 leaves. */
ParameterizedTest(struct kt_dump_param *p, typed, task_struct_matches_drgn)
{
	check_object(p->name, "task");
}

/* The text form: crash's layout, owners of pointers, function symbols. */
Test(typed, text_annotates_pointers_and_functions)
{
	cJSON *exp = structs_expected("hctx-fq");
	cJSON *hctx = expected_object(exp, "hctx");
	char *path = kt_test_dump_path("hctx-fq", ".kdump"), cmd[256], line[128];
	struct kt_run r;

	snprintf(cmd, sizeof(cmd), "struct blk_mq_hw_ctx %s",
		 str(hctx, "address"));
	{
		const char *argv[] = { path, kt_test_env("KT_VMLINUX"), "-c",
				       cmd, NULL };

		r = kt_test_run(argv);
	}
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect(!strncmp(r.out, "struct blk_mq_hw_ctx {\n", 23), "%.80s",
		  r.out);
	// The bogus fq of the scenario, with what it is in brackets.
	snprintf(line, sizeof(line), "  fq = 0x%" PRIx64 " [",
		 (uint64_t)strtoull(str(item(item(hctx, "leaves"), "fq"),
					"pointer"),
			  NULL, 16));
	cr_expect_not_null(strstr(r.out, line), "no '%s' in\n%s", line, r.out);
	cr_expect_not_null(strstr(r.out, " <blk_mq_run_work_fn>\n"));
	cr_expect_not_null(strstr(r.out, "    dispatch = {\n"));
	for (const char *p = r.out; *p; p++)
		cr_assert((unsigned char)*p >= 0x20 || *p == '\n',
			  "raw control byte 0x%02x in output", *p);
	kt_run_free(&r);
	cJSON_Delete(exp);
	free(path);
}

Test(typed, bad_address_is_a_fault_message)
{
	char *path = kt_test_dump_path("hctx-fq", ".kdump");
	const char *argv[] = { path, kt_test_env("KT_VMLINUX"), "-c",
			       "struct blk_mq_hw_ctx 0x10", NULL };
	struct kt_run r = kt_test_run(argv);

	cr_expect_eq(r.status, 1);
	cr_expect_not_null(strstr(r.err, "struct blk_mq_hw_ctx at 0x10: "
				  "reading 0x"), "%s", r.err);
	cr_expect_eq(strlen(r.out), 0, "%s", r.out);
	kt_run_free(&r);
	free(path);
}

/* ---- in process: names, expressions ---- */

static void expect_type_name(struct kt_program *prog, const char *expr,
			     const char *want)
{
	char buf[KT_CTYPE_NAME];
	struct kt_value v;
	struct kt_error *err = kt_expr_eval(prog, expr, &v);

	cr_assert_null(err, "%s: %s", expr, err ? err->message : "");
	cr_expect_str_eq(kt_value_type_name(&v, buf, sizeof(buf)), want, "%s",
			 expr);
}

Test(typed, c_type_names)
{
	struct kt_program *prog = kt_test_open("hctx-fq");
	char buf[KT_CTYPE_NAME];
	struct kt_value v, m;
	Dwarf_Die t;

	expect_type_name(prog, "init_task.tasks.next", "struct list_head *");
	expect_type_name(prog, "init_task.comm", "char [16]");
	expect_type_name(prog, "&init_task.comm", "char (*)[16]");
	expect_type_name(prog, "&init_task", "struct task_struct *");
	expect_type_name(prog, "init_task.sched_reset_on_fork",
			 "unsigned int:1");
	expect_type_name(prog, "init_task.thread_info.flags",
			 "long unsigned int");
	expect_type_name(prog, "(unsigned long **)0", "long unsigned int **");
	expect_type_name(prog, "linux_banner", "const char []");
	expect_type_name(prog, "runqueues:1.curr", "struct task_struct *");
	cr_assert_null(kt_ctype_find(prog, "struct work_struct", &t, NULL));
	kt_value_at(&t, 0, 0, &v);
	cr_assert_null(kt_value_member(prog, &v, "func", &m));
	cr_expect_str_eq(kt_value_type_name(&m, buf, sizeof(buf)),
			 "work_func_t");
	cr_assert_null(kt_dwarf_underlying(&m.type, &t));
	cr_expect_str_eq(kt_ctype_name(&t, 0, buf, sizeof(buf)),
			 "void (*)(struct work_struct *)");
	cr_expect_str_eq(kt_ctype_declare(&t, 0, "fn", buf, sizeof(buf)),
			 "void (*fn)(struct work_struct *)");
	cr_expect_eq(m.kind, KT_VALUE_FUNC_PTR);
	cr_expect_eq(m.offset, 24);
	kt_program_destroy(prog);
}

Test(typed, module_type_and_base_type_spellings)
{
	struct kt_program *prog = kt_test_open("nbd-orphan-hung");
	const char *where = NULL;
	struct kt_error *err;
	Dwarf_Die t;

	err = kt_ctype_find(prog, "struct nbd_config", &t, &where);
	cr_assert_null(err, "%s", err ? err->message : "");
	cr_expect_str_eq(where, "nbd");
	cr_expect_null(kt_ctype_find(prog, "unsigned long", &t, NULL));
	cr_expect_str_eq(dwarf_diename(&t), "long unsigned int");
	kt_program_destroy(prog);
}

Test(typed, expression_values)
{
	struct kt_program *prog = kt_test_open("hctx-fq");
	cJSON *facts = kt_test_expected("hctx-fq");
	struct kt_value_desc d;
	struct kt_value v;
	uint64_t x, addr;

	// jiffies is defined by the linker script: its type is a declaration.
	cr_assert_null(kt_expr_eval(prog, "jiffies", &v));
	cr_assert_null(kt_value_read_scalar(prog, &v, &x));
	cr_expect_eq(x, (uint64_t)item(item(facts, "time"), "jiffies_64")->valuedouble);
	cr_assert_null(kt_symbol_address(prog, "init_task", &addr));
	cr_assert_null(kt_expr_eval(prog, "&init_task", &v));
	cr_assert_null(kt_value_describe(prog, &v, &d));
	cr_expect(d.is_pointer && d.pointer == addr);
	cr_assert_null(kt_expr_eval(prog, "init_task.comm", &v));
	cr_assert_null(kt_value_describe(prog, &v, &d));
	cr_expect_str_eq(d.string, "swapper/0");
	// A char * shows its string; an array of unknown size too.
	cr_assert_null(kt_expr_eval(prog, "(char *)init_task.comm", &v));
	cr_assert_null(kt_value_describe(prog, &v, &d));
	cr_expect(d.is_pointer && d.is_string);
	cr_expect_str_eq(d.string, "swapper/0");
	cr_assert_null(kt_expr_eval(prog, "linux_banner", &v));
	cr_assert_null(kt_value_describe(prog, &v, &d));
	cr_expect(!strncmp(d.string, "Linux version 6.1.0-56-cloud-amd64 ", 35),
		  "%s", d.string);
	// The crashed kworker is CPU 0's current task.
	cr_assert_null(kt_expr_eval(prog, "runqueues:0.curr->pid", &v));
	cr_assert_null(kt_value_read_scalar(prog, &v, &x));
	cr_expect_eq(x, 53);
	// ->, [i], * and casts agree with each other.
	cr_assert_null(kt_expr_eval(prog,
		"((struct task_struct *)&init_task)->tasks.next", &v));
	cr_assert_null(kt_value_read_scalar(prog, &v, &x));
	cr_assert_null(kt_expr_eval(prog, "(&init_task)[0].tasks.next", &v));
	cr_assert_null(kt_value_describe(prog, &v, &d));
	cr_expect_eq(d.number, x);
	cr_assert_null(kt_expr_eval(prog, "(*&init_task).tasks.next", &v));
	cr_assert_null(kt_value_describe(prog, &v, &d));
	cr_expect_eq(d.number, x);
	cJSON_Delete(facts);
	kt_program_destroy(prog);
}

static void expect_error(struct kt_program *prog, const char *expr,
			 enum kt_error_code code, const char *text)
{
	struct kt_value v;
	struct kt_error *err = kt_expr_eval(prog, expr, &v);

	cr_assert_not_null(err, "'%s' evaluated", expr);
	cr_expect_eq(err->code, code, "'%s': code %d: %s", expr, err->code,
		     err->message);
	cr_expect_not_null(strstr(err->message, text), "'%s': %s", expr,
			   err->message);
	kt_error_destroy(err);
}

Test(typed, expression_errors_are_clear)
{
	struct kt_program *prog = kt_test_open("hctx-fq");

	expect_error(prog, "", KT_ERR_INVALID, "empty expression");
	expect_error(prog, "init_task.", KT_ERR_INVALID,
		     "expected a member name at the end");
	expect_error(prog, "init_task)", KT_ERR_INVALID,
		     "unexpected text at column 10");
	expect_error(prog, "init_task.comm[1", KT_ERR_INVALID, "expected ']'");
	expect_error(prog, "init_task[1]", KT_ERR_INVALID,
		     "cannot dereference struct task_struct");
	expect_error(prog, "0x1zz", KT_ERR_INVALID, "column 1");
	expect_error(prog, "init_task $", KT_ERR_INVALID, "column 11");
	expect_error(prog, "no_such_symbol", KT_ERR_LOOKUP,
		     "no symbol 'no_such_symbol' in vmlinux or modules'");
	expect_error(prog, "init_task.no_such", KT_ERR_LOOKUP,
		     "struct task_struct has no member 'no_such'");
	expect_error(prog, "(struct no_such *)0", KT_ERR_LOOKUP,
		     "no type 'struct no_such' in vmlinux or modules' "
		     "debuginfo");
	expect_error(prog, "*jiffies", KT_ERR_INVALID, "cannot dereference");
	expect_error(prog, "runqueues", KT_ERR_INVALID,
		     "'runqueues' is a per-CPU variable: give a CPU, as in "
		     "runqueues:0");
	expect_error(prog, "runqueues:99", KT_ERR_INVALID, "no CPU 99");
	expect_error(prog, "blk_mq_run_work_fn", KT_ERR_LOOKUP,
		     "is no variable in debuginfo");
	expect_error(prog, "jiffies->x", KT_ERR_INVALID, "has no members");
	expect_error(prog, "&(unsigned long)1", KT_ERR_INVALID,
		     "cannot take the address");
	expect_error(prog, "(struct task_struct)init_task", KT_ERR_INVALID,
		     "cannot cast to struct task_struct");
	expect_error(prog, "struct task_struct", KT_ERR_INVALID,
		     "followed by an address");
	expect_error(prog, "((struct blk_mq_hw_ctx *)0x10)->fq->flush_rq",
		     KT_ERR_FAULT, "reading the pointer");
	kt_program_destroy(prog);
}

Test(typed, struct_o_offsets_and_whatis)
{
	char *path = kt_test_dump_path("hctx-fq", ".kdump"), want[96];
	const char *argv[] = { path, kt_test_env("KT_VMLINUX"), "-c",
			       "struct -o blk_mq_hw_ctx", "-c",
			       "whatis init_task", "-c", "p jiffies", NULL };
	struct kt_program *prog = kt_test_open("hctx-fq");
	struct kt_run r = kt_test_run(argv);
	uint64_t off, size;

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_null(kt_type_member_offset(prog, "struct blk_mq_hw_ctx",
					     "fq", &off));
	cr_assert_null(kt_type_size(prog, "struct blk_mq_hw_ctx", &size));
	snprintf(want, sizeof(want), "  [0x%" PRIx64 "] struct blk_flush_queue "
		 "*fq;\n", off);
	cr_expect_not_null(strstr(r.out, want), "no '%s' in\n%s", want, r.out);
	snprintf(want, sizeof(want), "SIZE: %" PRIu64 " (0x%" PRIx64 ")\n",
		 size, size);
	cr_expect_not_null(strstr(r.out, want), "%s", r.out);
	cr_expect_not_null(strstr(r.out, "struct task_struct init_task;\n"));
	cr_expect_not_null(strstr(r.out, "\njiffies = "));
	kt_run_free(&r);
	kt_program_destroy(prog);
	free(path);
}
