// SPDX-License-Identifier: GPL-2.0-or-later
/* The pointer inspector's typed object: members as a tree of rows. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/expr.h"
#include "core/owner.h"
#include "core/program.h"
#include "core/value.h"
#include "views/views.h"

#define MAX_DEPTH 6
#define MAX_CHILDREN 256

static bool is_expanded(const char *expanded, const char *path)
{
	size_t len = strlen(path);

	for (const char *p = expanded; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (n == len && !memcmp(p, path, n))
			return true;
		p = nl ? nl + 1 : NULL;
	}
	return false;
}

static void pointer_link(struct kt_program *prog, const struct kt_value *v,
			 const struct kt_value_desc *d, struct kt_row *r)
{
	struct kt_value target;

	if (!r || !d->is_pointer || d->pointer >> 47 != 0x1ffff)
		return;
	r->link.kind = KT_LINK_ADDR;
	r->link.addr = d->pointer;
	if (v->kind == KT_VALUE_POINTER &&
	    !kt_error_catch_any(kt_value_deref(prog, v, &target)) &&
	    target.kind != KT_VALUE_VOID)
		kt_value_type_name(&target, r->link.type,
				   sizeof(r->link.type));
}

static void node(struct kt_program *prog, const struct kt_value *v,
		 const char *path, const char *expanded, int depth,
		 struct kt_rows *rows);

static void children(struct kt_program *prog, const struct kt_value *v,
		     const char *path, const char *expanded, int depth,
		     struct kt_rows *rows)
{
	struct kt_value_iter it = { 0 };
	struct kt_value c;
	char sub[KT_LINK_TYPE];
	size_t n = 0;

	while (kt_value_next_child(v, &it, &c)) {
		if (++n > MAX_CHILDREN) {
			kt_rows_add(rows, KT_ROLE_DIM, "%*s...", 2 * depth, "");
			return;
		}
		// An anonymous struct or union is named by its offset.
		if (c.name || *c.label)
			snprintf(sub, sizeof(sub), "%s%s%s", path,
				 c.name && *path ? "." : "",
				 c.name ? c.name : c.label);
		else
			snprintf(sub, sizeof(sub), "%s%s@%" PRIu64, path,
				 *path ? "." : "", c.offset);
		node(prog, &c, sub, expanded, depth, rows);
	}
}

static void node(struct kt_program *prog, const struct kt_value *v,
		 const char *path, const char *expanded, int depth,
		 struct kt_rows *rows)
{
	struct kt_value_desc d;
	char decl[256];
	struct kt_row *r;
	bool open;

	kt_value_declaration(v, decl, sizeof(decl));
	if (kt_error_catch_any(kt_value_describe(prog, v, &d)))
		return;
	if (d.composite && !d.is_string) {
		open = depth < MAX_DEPTH && is_expanded(expanded, path);
		r = kt_rows_add(rows, KT_ROLE_LINK, "%*s%s %s = %s", 2 * depth,
				"", open ? "-" : "+", decl, open ? "{" : "{...}");
		if (r) {
			r->link.kind = KT_LINK_EXPAND;
			snprintf(r->link.type, sizeof(r->link.type), "%s", path);
		}
		if (open) {
			children(prog, v, path, expanded, depth + 1, rows);
			kt_rows_add(rows, KT_ROLE_TEXT, "%*s}", 2 * depth + 2,
				    "");
		}
		return;
	}
	r = kt_rows_add(rows, !d.readable ? KT_ROLE_WARNING :
			d.is_pointer && *d.owner ? KT_ROLE_LINK : KT_ROLE_TEXT,
			"%*s  %s = %s%s%s%s", 2 * depth, "", decl, d.text,
			*d.symbol || *d.owner ? "  " : "", d.symbol, d.owner);
	pointer_link(prog, v, &d, r);
}

bool kt_view_guess_type(struct kt_program *prog, const char *cache,
			char *buf, size_t size)
{
	struct kt_type_ref t;
	size_t n;

	// kmalloc-N, dma-kmalloc-N...: generic caches say nothing.
	if (strstr(cache, "kmalloc") || !*cache)
		return false;
	n = (size_t)snprintf(buf, size, "struct %s", cache);
	if (n >= size)
		return false;
	for (char *p = buf; *p; p++)
		if (*p == '-')
			*p = '_';
	return !kt_error_catch_any(kt_expr_parse_type(prog, buf, &t)) &&
	       t.has_type;
}

static bool guess(struct kt_program *prog, uint64_t addr, char *used,
		  size_t size, uint64_t *base)
{
	struct kt_owner o;

	if (kt_error_catch_any(kt_owner_identify(prog, addr, &o)))
		return false;
	for (unsigned i = 0; i < o.n; i++) {
		if (o.ids[i].kind != KT_OWNER_SLAB)
			continue;
		*base = o.ids[i].base;
		return kt_view_guess_type(prog, o.ids[i].name, used, size);
	}
	return false;
}

void kt_view_object(struct kt_program *prog, uint64_t addr, const char *type,
		    const char *expanded, struct kt_rows *rows, char *used,
		    size_t used_size, bool *guessed)
{
	struct kt_type_ref t;
	struct kt_value v;
	struct kt_error *err;
	uint64_t base = addr;

	*guessed = false;
	snprintf(used, used_size, "%s", type ? type : "");
	if (!*used) {
		if (!guess(prog, addr, used, used_size, &base)) {
			kt_rows_add(rows, KT_ROLE_DIM, "no type known for "
				    "%016" PRIx64 ": t sets one", addr);
			return;
		}
		*guessed = true;
		addr = base;
	}
	err = kt_expr_parse_type(prog, used, &t);
	// "blk_mq_hw_ctx" as typed in a hurry means the struct.
	if (err && !strchr(used, ' ') && strlen(used) + 8 < used_size) {
		char tagged[KT_LINK_TYPE + 8];

		snprintf(tagged, sizeof(tagged), "struct %s", used);
		if (!kt_error_catch_any(kt_expr_parse_type(prog, tagged, &t))) {
			kt_error_destroy(err);
			err = NULL;
			snprintf(used, used_size, "%s", tagged);
		}
	}
	if (err) {
		kt_rows_add_raw(rows, KT_ROLE_ERROR, "type: ", err->message,
				strlen(err->message));
		kt_error_destroy(err);
		return;
	}
	kt_value_at(t.has_type ? &t.type : NULL, t.indirect, addr, &v);
	kt_rows_add(rows, KT_ROLE_TITLE, "%s%s at %016" PRIx64, used,
		    *guessed ? " (guessed)" : "", addr);
	if (v.kind == KT_VALUE_STRUCT || v.kind == KT_VALUE_UNION ||
	    v.kind == KT_VALUE_ARRAY)
		children(prog, &v, "", expanded, 0, rows);
	else
		node(prog, &v, "", expanded, 0, rows);
}

bool kt_view_variable_type(struct kt_program *prog, const char *name,
			   char *buf, size_t size)
{
	struct kt_value v;
	Dwarf_Die die;

	if (!prog->dwarf || kt_error_catch_any(kt_dwarf_variable_type(
				    prog->dwarf, name, &die)) ||
	    kt_error_catch_any(kt_value_at(&die, 0, 0, &v)) ||
	    v.kind == KT_VALUE_ARRAY || v.kind == KT_VALUE_FUNC ||
	    v.kind == KT_VALUE_VOID)
		return false;
	kt_value_type_name(&v, buf, size);
	return *buf;
}
