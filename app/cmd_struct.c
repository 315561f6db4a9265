// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Typed data, as crash has it: struct, union, struct -o, whatis and p.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <dwarf.h>

#include "app/commands.h"
#include "app/value_out.h"
#include "core/ctype.h"
#include "core/expr.h"
#include "core/program.h"

#define STRUCT_USAGE "struct [-o] TYPE[.member[,member]...] [ADDR [COUNT]]"
#define MAX_MEMBERS 32
/* COUNT beyond this is a typo, not a triage step. */
#define MAX_COUNT 4096

/* An address: hex with or without 0x (as crash takes it), or a symbol. */
static struct kt_error *parse_addr(struct kt_cmd_ctx *ctx, const char *arg,
				   uint64_t *ret)
{
	char *end;

	errno = 0;
	*ret = strtoull(arg, &end, 16);
	if (!errno && *arg && !*end)
		return NULL;
	return kt_symbol_address(ctx->prog, arg, ret);
}

/* The object's first byte: a bad ADDR is one clear error, not a tree. */
static struct kt_error *check_readable(struct kt_cmd_ctx *ctx,
				       const struct kt_value *v)
{
	char tname[KT_CTYPE_NAME];
	uint8_t b;
	struct kt_error *err;

	if (!v->in_memory || !v->size)
		return NULL;
	err = kt_read(ctx->prog, v->addr, &b, 1);
	if (err)
		return kt_error_wrap(err, "%s at 0x%" PRIx64,
				     kt_value_type_name(v, tname,
							sizeof(tname)),
				     v->addr);
	return NULL;
}

/* ---- layout: struct -o and whatis ---- */

static void print_layout(struct kt_cmd_ctx *ctx, const struct kt_value *v,
			 int indent, bool offsets, int depth)
{
	struct kt_value_iter it = { 0 };
	char decl[KT_CTYPE_NAME];
	struct kt_value m;

	while (kt_value_next_child(v, &it, &m)) {
		fprintf(ctx->out, "%*s", indent, "");
		if (offsets)
			fprintf(ctx->out, "[0x%" PRIx64 "] ", m.offset);
		// Anonymous structs and unions are spelled out, as crash does.
		if (!m.name && (m.kind == KT_VALUE_STRUCT ||
				m.kind == KT_VALUE_UNION) && depth < 16) {
			fprintf(ctx->out, "%s {\n", kt_value_kind_name(m.kind));
			print_layout(ctx, &m, indent + 4, offsets, depth + 1);
			fprintf(ctx->out, "%*s};\n", indent, "");
			continue;
		}
		fprintf(ctx->out, "%s;\n",
			kt_value_declaration(&m, decl, sizeof(decl)));
	}
}

static void print_enum(struct kt_cmd_ctx *ctx, Dwarf_Die *u)
{
	Dwarf_Die e;

	if (dwarf_child(u, &e))
		return;
	do {
		Dwarf_Attribute attr;
		Dwarf_Sword s;
		Dwarf_Word w;

		if (dwarf_tag(&e) != DW_TAG_enumerator ||
		    !dwarf_attr(&e, DW_AT_const_value, &attr))
			continue;
		if (!dwarf_formudata(&attr, &w))
			fprintf(ctx->out, "    %s = %" PRIu64 ",\n",
				dwarf_diename(&e) ?: "?", (uint64_t)w);
		else if (!dwarf_formsdata(&attr, &s))
			fprintf(ctx->out, "    %s = %" PRId64 ",\n",
				dwarf_diename(&e) ?: "?", (int64_t)s);
	} while (dwarf_siblingof(&e, &e) == 0);
}

/* A type's definition: members (with offsets for -o) and its size. */
static int print_definition(struct kt_cmd_ctx *ctx,
			    const struct kt_type_ref *t, bool offsets)
{
	char tname[KT_CTYPE_NAME], target[KT_CTYPE_NAME];
	struct kt_value v;
	Dwarf_Die u;

	kt_value_at(t->has_type ? (Dwarf_Die *)&t->type : NULL, t->indirect,
		    0, &v);
	kt_value_type_name(&v, tname, sizeof(tname));
	if (t->has_type && !t->indirect &&
	    dwarf_tag((Dwarf_Die *)&t->type) == DW_TAG_typedef &&
	    !kt_error_catch_any(kt_dwarf_underlying((Dwarf_Die *)&t->type,
						     &u)))
		fprintf(ctx->out, "typedef %s %s;\n",
			kt_ctype_name(&u, 0, target, sizeof(target)), tname);
	else
		u = t->type;
	if (v.kind == KT_VALUE_STRUCT || v.kind == KT_VALUE_UNION) {
		fprintf(ctx->out, "%s {\n", kt_ctype_name(&u, 0, target,
							  sizeof(target)));
		print_layout(ctx, &v, offsets ? 2 : 4, offsets, 0);
		fprintf(ctx->out, "}\n");
	} else if (v.kind == KT_VALUE_ENUM && !t->indirect) {
		fprintf(ctx->out, "%s {\n", kt_ctype_name(&u, 0, target,
							  sizeof(target)));
		print_enum(ctx, &u);
		fprintf(ctx->out, "}\n");
	} else if (strcmp(tname, target) || !t->has_type) {
		fprintf(ctx->out, "%s\n", tname);
	}
	fprintf(ctx->out, "SIZE: %" PRIu64 " (0x%" PRIx64 ")\n", v.size,
		v.size);
	return 0;
}

static cJSON *layout_json(const struct kt_value *v, int depth)
{
	cJSON *arr = cJSON_CreateArray();
	struct kt_value_iter it = { 0 };
	char tname[KT_CTYPE_NAME];
	struct kt_value m;

	while (kt_value_next_child(v, &it, &m)) {
		cJSON *o = cJSON_CreateObject();

		if (m.name)
			cJSON_AddStringToObject(o, "name", m.name);
		else
			cJSON_AddNullToObject(o, "name");
		cJSON_AddStringToObject(o, "type", kt_value_type_name(&m,
					tname, sizeof(tname)));
		cJSON_AddNumberToObject(o, "offset", m.offset);
		cJSON_AddNumberToObject(o, "size", m.size);
		if (m.bit_size) {
			cJSON_AddNumberToObject(o, "bit_offset", m.bit_offset);
			cJSON_AddNumberToObject(o, "bit_size", m.bit_size);
		}
		if (!m.name && depth < 16 && (m.kind == KT_VALUE_STRUCT ||
					      m.kind == KT_VALUE_UNION))
			cJSON_AddItemToObject(o, "members",
					      layout_json(&m, depth + 1));
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static int definition(struct kt_cmd_ctx *ctx, const char *cmd,
		      const struct kt_type_ref *t, bool offsets)
{
	char tname[KT_CTYPE_NAME];
	struct kt_value v;
	cJSON *doc;

	if (!ctx->json)
		return print_definition(ctx, t, offsets);
	kt_value_at(t->has_type ? (Dwarf_Die *)&t->type : NULL, t->indirect,
		    0, &v);
	doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "command", cmd);
	cJSON_AddStringToObject(doc, "type", kt_value_type_name(&v, tname,
							sizeof(tname)));
	cJSON_AddStringToObject(doc, "kind", kt_value_kind_name(v.kind));
	cJSON_AddNumberToObject(doc, "size", v.size);
	if (v.kind == KT_VALUE_STRUCT || v.kind == KT_VALUE_UNION)
		cJSON_AddItemToObject(doc, "members", layout_json(&v, 0));
	return kt_json_print(ctx, doc);
}

/* ---- struct / union ---- */

/* Split "TYPE.m1,m2" into the type and the member list. */
static int split_members(char *spec, char **members, int max)
{
	char *dot = strchr(spec, '.'), *save = NULL;
	int n = 0;

	if (!dot)
		return 0;
	*dot = 0;
	for (char *m = strtok_r(dot + 1, ",", &save); m && n < max;
	     m = strtok_r(NULL, ",", &save))
		members[n++] = m;
	return n;
}

static struct kt_error *member_path(struct kt_cmd_ctx *ctx,
				    const struct kt_value *v, char *path,
				    struct kt_value *ret)
{
	char *save = NULL;
	struct kt_error *err;

	*ret = *v;
	for (char *m = strtok_r(path, ".", &save); m;
	     m = strtok_r(NULL, ".", &save)) {
		struct kt_value next;

		err = kt_value_member(ctx->prog, ret, m, &next);
		if (err)
			return err;
		*ret = next;
	}
	return NULL;
}

static int show_object(struct kt_cmd_ctx *ctx, const char *cmd,
		       const struct kt_value *v, char **members, int nmembers,
		       cJSON *arr)
{
	struct kt_error *err = check_readable(ctx, v);
	char path[256];
	cJSON *o;

	if (err)
		return kt_cmd_fail(ctx, cmd, err);
	if (!nmembers) {
		if (arr)
			cJSON_AddItemToArray(arr, kt_value_out_json(ctx, v,
								    NULL));
		else
			kt_value_out_print(ctx, v, NULL, 0);
		return 0;
	}
	o = arr ? kt_value_out_json(ctx, v, NULL) : NULL;
	if (o) {
		// Only the members asked for.
		cJSON_DeleteItemFromObjectCaseSensitive(o, "members");
		cJSON_AddItemToArray(arr, o);
		o = cJSON_AddArrayToObject(o, "members");
	}
	for (int i = 0; i < nmembers; i++) {
		struct kt_value m;

		snprintf(path, sizeof(path), "%s", members[i]);
		err = member_path(ctx, v, path, &m);
		if (err)
			return kt_cmd_fail(ctx, cmd, err);
		if (o)
			cJSON_AddItemToArray(o, kt_value_out_json(ctx, &m,
								  members[i]));
		else
			kt_value_out_print(ctx, &m, members[i], 2);
	}
	return 0;
}

static int struct_cmd(struct kt_cmd_ctx *ctx, int argc, char **argv,
		      const char *keyword)
{
	char spec[KT_CTYPE_NAME], *members[MAX_MEMBERS];
	struct kt_type_ref t;
	struct kt_error *err;
	bool offsets = false;
	int nmembers, argi = 1, ret = 0;
	uint64_t addr, count = 1;
	cJSON *doc = NULL, *arr = NULL;

	if (argi < argc && !strcmp(argv[argi], "-o")) {
		offsets = true;
		argi++;
	}
	if (argc - argi < 1 || argc - argi > 3)
		return kt_cmd_usage(ctx, argv[0], STRUCT_USAGE);
	// "struct foo" or "struct struct foo": crash takes the bare tag.
	snprintf(spec, sizeof(spec), "%s%s",
		 strchr(argv[argi], ' ') ? "" : keyword, argv[argi]);
	nmembers = split_members(spec, members, MAX_MEMBERS);
	err = kt_expr_parse_type(ctx->prog, spec, &t);
	if (err)
		return kt_cmd_fail(ctx, argv[0], err);
	if (argc - argi == 1)
		return definition(ctx, argv[0], &t, offsets);
	err = parse_addr(ctx, argv[argi + 1], &addr);
	if (!err && argc - argi == 3) {
		char *end;

		count = strtoull(argv[argi + 2], &end, 0);
		if (*end || !count || count > MAX_COUNT)
			err = kt_error_create(KT_ERR_INVALID,
				"COUNT must be 1 to %d", MAX_COUNT);
	}
	if (err)
		return kt_cmd_fail(ctx, argv[0], err);
	if (ctx->json) {
		doc = cJSON_CreateObject();
		cJSON_AddStringToObject(doc, "command", argv[0]);
		arr = cJSON_AddArrayToObject(doc, "objects");
	}
	for (uint64_t i = 0; i < count && !ret; i++) {
		struct kt_value v;

		kt_value_at(t.has_type ? &t.type : NULL, t.indirect, addr, &v);
		if (!v.size)
			return kt_cmd_fail(ctx, argv[0], kt_error_create(
				KT_ERR_INVALID, "%s has no size", spec));
		v.addr += i * v.size;
		ret = show_object(ctx, argv[0], &v, members, nmembers, arr);
	}
	return doc ? kt_json_print(ctx, doc) | ret : ret;
}

int kt_cmd_struct(struct kt_cmd_ctx *ctx, int argc, char **argv)
{
	return struct_cmd(ctx, argc, argv, "struct ");
}

int kt_cmd_union(struct kt_cmd_ctx *ctx, int argc, char **argv)
{
	return struct_cmd(ctx, argc, argv, "union ");
}

/* ---- whatis, p ---- */

static int join_args(struct kt_cmd_ctx *ctx, int argc, char **argv,
		     char *buf, size_t size)
{
	size_t n = 0;

	*buf = 0;
	for (int i = 1; i < argc; i++) {
		size_t len = strlen(argv[i]);

		if (n + len + 2 > size)
			return kt_cmd_fail(ctx, argv[0], kt_error_create(
				KT_ERR_INVALID, "expression too long"));
		n += snprintf(buf + n, size - n, "%s%s", n ? " " : "",
			      argv[i]);
	}
	return 0;
}

int kt_cmd_whatis(struct kt_cmd_ctx *ctx, int argc, char **argv)
{
	char text[1024], decl[KT_CTYPE_NAME];
	struct kt_type_ref t;
	struct kt_error *err;
	struct kt_value v;

	if (argc < 2)
		return kt_cmd_usage(ctx, "whatis", "whatis TYPE|SYMBOL|EXPR");
	if (join_args(ctx, argc, argv, text, sizeof(text)))
		return 1;
	err = kt_expr_parse_type(ctx->prog, text, &t);
	if (!err)
		return definition(ctx, "whatis", &t, false);
	// Not a type: a symbol or expression, shown with its type.
	kt_error_destroy(err);
	err = kt_expr_eval(ctx->prog, text, &v);
	if (err)
		return kt_cmd_fail(ctx, "whatis", err);
	v.name = text;
	v.bit_size = 0;
	kt_value_declaration(&v, decl, sizeof(decl));
	if (ctx->json) {
		cJSON *doc = cJSON_CreateObject();

		cJSON_AddStringToObject(doc, "command", "whatis");
		cJSON_AddStringToObject(doc, "expression", text);
		cJSON_AddStringToObject(doc, "type", kt_value_type_name(&v,
					decl, sizeof(decl)));
		return kt_json_print(ctx, doc);
	}
	fprintf(ctx->out, "%s;\n", decl);
	return 0;
}

int kt_cmd_p(struct kt_cmd_ctx *ctx, int argc, char **argv)
{
	char text[1024];
	struct kt_error *err;
	struct kt_value v;

	if (argc < 2)
		return kt_cmd_usage(ctx, "p", "p EXPR");
	if (join_args(ctx, argc, argv, text, sizeof(text)))
		return 1;
	err = kt_expr_eval(ctx->prog, text, &v);
	if (!err)
		err = check_readable(ctx, &v);
	if (err)
		return kt_cmd_fail(ctx, "p", err);
	if (ctx->json) {
		cJSON *doc = cJSON_CreateObject();

		cJSON_AddStringToObject(doc, "command", "p");
		cJSON_AddStringToObject(doc, "expression", text);
		cJSON_AddItemToObject(doc, "value",
				      kt_value_out_json(ctx, &v, text));
		return kt_json_print(ctx, doc);
	}
	kt_value_out_print(ctx, &v, text, 0);
	return 0;
}
