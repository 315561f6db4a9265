// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "app/value_out.h"
#include "core/ctype.h"
#include "core/program.h"

/* gdb's threshold for "<repeats N times>". */
#define REPEATS 10
/* Nesting deeper than this is a DWARF loop, not a kernel struct. */
#define MAX_DEPTH 48

static void describe(struct kt_cmd_ctx *ctx, const struct kt_value *v,
		     struct kt_value_desc *d)
{
	struct kt_error *err = kt_value_describe(ctx->prog, v, d);

	if (err) {
		snprintf(d->text, sizeof(d->text), "<%s>", err->message);
		d->readable = false;
		d->composite = false;
		kt_error_destroy(err);
	}
}

/* "0x... [owner]" or "0x... <symbol>": the text of a scalar. */
static void scalar_text(const struct kt_value_desc *d, char *buf,
			size_t size)
{
	size_t n = snprintf(buf, size, "%s", d->text);

	if (*d->symbol && n < size)
		n += snprintf(buf + n, size - n, " <%s>", d->symbol);
	if (*d->owner && n < size)
		snprintf(buf + n, size - n, " [%s]", d->owner);
}

static bool scalar_elements(const struct kt_value *v)
{
	struct kt_value_iter it = { 0 };
	struct kt_value e;

	return kt_value_next_child(v, &it, &e) &&
	       (e.kind != KT_VALUE_STRUCT && e.kind != KT_VALUE_UNION &&
		(e.kind != KT_VALUE_ARRAY || kt_value_is_char_array(&e)));
}

/* An array of scalars on one line: {1, 0 <repeats 15 times>, ...}. */
static void print_inline_array(struct kt_cmd_ctx *ctx,
			       const struct kt_value *v)
{
	char prev[KT_VALUE_TEXT + 2 * KT_VALUE_OWNER], cur[sizeof(prev)];
	uint64_t count = kt_value_array_count(v), shown = 0, run = 0, i = 0;
	struct kt_value_iter it = { 0 };
	struct kt_value_desc d;
	struct kt_value e;
	bool first = true;

	fputc('{', ctx->out);
	for (;; i++) {
		bool more = shown < KT_VALUE_OUT_ELEMENTS &&
			    kt_value_next_child(v, &it, &e);

		if (more) {
			describe(ctx, &e, &d);
			scalar_text(&d, cur, sizeof(cur));
			if (run && !strcmp(cur, prev)) {
				run++;
				continue;
			}
		}
		if (run >= REPEATS) {
			fprintf(ctx->out, "%s%s <repeats %" PRIu64 " times>",
				first ? "" : ", ", prev, run);
			first = false;
			shown++;
		} else {
			for (uint64_t r = 0; r < run; r++, shown++) {
				fprintf(ctx->out, "%s%s", first ? "" : ", ",
					prev);
				first = false;
			}
		}
		if (!more)
			break;
		memcpy(prev, cur, sizeof(prev));
		run = 1;
	}
	if (i < count)
		fprintf(ctx->out, "%s...%" PRIu64 " more", first ? "" : ", ",
			count - i);
	fputc('}', ctx->out);
}

static void print_node(struct kt_cmd_ctx *ctx, const struct kt_value *v,
		       const char *label, int indent, bool comma, int depth);

static void print_children(struct kt_cmd_ctx *ctx, const struct kt_value *v,
			   int indent, int depth)
{
	struct kt_value_iter it = { 0 };
	struct kt_value cur, next;
	bool have = kt_value_next_child(v, &it, &cur);
	uint64_t count = kt_value_array_count(v), i = 0;

	while (have) {
		bool more = ++i < KT_VALUE_OUT_ELEMENTS ||
			    v->kind != KT_VALUE_ARRAY;

		more = more && kt_value_next_child(v, &it, &next);
		print_node(ctx, &cur, cur.name ?: cur.label, indent,
			   more || i < count, depth + 1);
		if (!more)
			break;
		cur = next;
	}
	if (v->kind == KT_VALUE_ARRAY && i < count)
		fprintf(ctx->out, "%*s...%" PRIu64 " more\n", indent, "",
			count - i);
}

static void print_node(struct kt_cmd_ctx *ctx, const struct kt_value *v,
		       const char *label, int indent, bool comma, int depth)
{
	char text[KT_VALUE_TEXT + 2 * KT_VALUE_OWNER];
	const char *sep = comma ? "," : "";
	struct kt_value_desc d;

	fprintf(ctx->out, "%*s", indent, "");
	if (label && *label)
		fprintf(ctx->out, "%s = ", label);
	describe(ctx, v, &d);
	if (!d.composite || !d.readable || depth > MAX_DEPTH) {
		scalar_text(&d, text, sizeof(text));
		fprintf(ctx->out, "%s%s\n", depth > MAX_DEPTH ? "{...}" : text,
			sep);
		return;
	}
	if (v->kind == KT_VALUE_ARRAY && scalar_elements(v)) {
		print_inline_array(ctx, v);
		fprintf(ctx->out, "%s\n", sep);
		return;
	}
	if (v->kind == KT_VALUE_ARRAY && !kt_value_array_count(v)) {
		fprintf(ctx->out, "{}%s\n", sep);
		return;
	}
	fputs("{\n", ctx->out);
	print_children(ctx, v, indent + 2, depth);
	fprintf(ctx->out, "%*s}%s\n", indent, "", sep);
}

void kt_value_out_print(struct kt_cmd_ctx *ctx, const struct kt_value *v,
			const char *name, int indent)
{
	char tname[KT_CTYPE_NAME];

	if (name) {
		print_node(ctx, v, name, indent, false, 0);
		return;
	}
	// crash's header line: the type, then the members.
	fprintf(ctx->out, "%*s%s ", indent, "",
		kt_value_type_name(v, tname, sizeof(tname)));
	print_node(ctx, v, NULL, 0, false, 0);
}

/* ---- JSON ---- */

static void json_scalar(cJSON *o, const struct kt_value_desc *d)
{
	char num[32];

	if (!d->readable) {
		cJSON_AddNullToObject(o, "value");
		cJSON_AddStringToObject(o, "fault", d->text);
		return;
	}
	if (d->composite) {
		cJSON_AddNullToObject(o, "value");
		return;
	}
	cJSON_AddStringToObject(o, "value", d->text);
	if (d->has_number) {
		// A string: JSON numbers lose 64-bit precision.
		snprintf(num, sizeof(num), d->is_signed ? "%" PRId64 :
							 "%" PRIu64,
			 d->number);
		cJSON_AddStringToObject(o, "number", num);
	}
	if (d->is_pointer)
		kt_json_add_addr(o, "pointer", d->pointer);
	if (*d->owner)
		cJSON_AddStringToObject(o, "owner", d->owner);
	if (*d->symbol)
		cJSON_AddStringToObject(o, "symbol", d->symbol);
	if (d->is_string)
		cJSON_AddStringToObject(o, "string", d->string);
}

static cJSON *node_json(struct kt_cmd_ctx *ctx, const struct kt_value *v,
			const char *name, int depth)
{
	cJSON *o = cJSON_CreateObject(), *kids;
	char tname[KT_CTYPE_NAME];
	struct kt_value_iter it = { 0 };
	struct kt_value_desc d;
	struct kt_value c;
	uint64_t i = 0, count;

	if (!o)
		return NULL;
	if (name && *name)
		cJSON_AddStringToObject(o, "name", name);
	else
		cJSON_AddNullToObject(o, "name");
	cJSON_AddStringToObject(o, "type",
				kt_value_type_name(v, tname, sizeof(tname)));
	cJSON_AddNumberToObject(o, "offset", v->offset);
	if (v->bit_size) {
		cJSON_AddNumberToObject(o, "bit_offset", v->bit_offset);
		cJSON_AddNumberToObject(o, "bit_size", v->bit_size);
	}
	cJSON_AddNumberToObject(o, "size", v->size);
	cJSON_AddStringToObject(o, "kind", kt_value_kind_name(v->kind));
	if (v->in_memory)
		kt_json_add_addr(o, "address", v->addr);
	describe(ctx, v, &d);
	json_scalar(o, &d);
	if (!d.composite || !d.readable || depth > MAX_DEPTH)
		return o;
	kids = cJSON_AddArrayToObject(o, v->kind == KT_VALUE_ARRAY ?
						 "elements" : "members");
	while ((v->kind != KT_VALUE_ARRAY || i < KT_VALUE_OUT_ELEMENTS) &&
	       kt_value_next_child(v, &it, &c)) {
		cJSON_AddItemToArray(kids, node_json(ctx, &c, c.name ?: c.label,
						      depth + 1));
		i++;
	}
	count = kt_value_array_count(v);
	if (v->kind == KT_VALUE_ARRAY && i < count)
		cJSON_AddNumberToObject(o, "elided", count - i);
	return o;
}

cJSON *kt_value_out_json(struct kt_cmd_ctx *ctx, const struct kt_value *v,
			 const char *name)
{
	return node_json(ctx, v, name, 0);
}
