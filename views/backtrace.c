// SPDX-License-Identifier: GPL-2.0-or-later
/* The backtrace view's rows: frames, registers, words, lines, variables. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/owner.h"
#include "core/program.h"
#include "core/sanitize.h"
#include "core/value.h"
#include "views/views.h"

#define MAX_WORDS 128
#define MAX_INLINE 8
#define MAX_VARS 64

static void frame_name(const struct kt_frame *f, char *buf, size_t size)
{
	char mod[KT_SANITIZED_SIZE(64)];

	if (!f->has_sym) {
		snprintf(buf, size, "%016" PRIx64, f->pc);
		return;
	}
	if (f->sym.module) {
		kt_sanitize(f->sym.module, 64, mod, sizeof(mod), false);
		snprintf(buf, size, "%s+0x%" PRIx64 " [%s]", f->sym.name,
			 f->sym.offset, mod);
	} else {
		snprintf(buf, size, "%s+0x%" PRIx64, f->sym.name,
			 f->sym.offset);
	}
}

void kt_view_bt_frames(struct kt_program *prog, const struct kt_trace *tr,
		       int pid, struct kt_rows *rows)
{
	char name[400];
	struct kt_row *r;

	for (size_t i = 0; i < tr->n; i++) {
		const struct kt_frame *f = &tr->frames[i];

		if (!i || f->stack != tr->frames[i - 1].stack)
			kt_rows_add(rows, KT_ROLE_BANNER, "--- <%s stack> ---",
				    kt_stack_kind_name(f->stack));
		frame_name(f, name, sizeof(name));
		if (f->stack == KT_STACK_USER)
			r = kt_rows_add(rows, KT_ROLE_TEXT, "#%-2zu user mode "
					"at %016" PRIx64, i, f->pc);
		else
			r = kt_rows_add(rows, f->has_regs && f->regs_addr ?
					KT_ROLE_ERROR : KT_ROLE_TEXT,
					"#%-2zu %s%s", i, name,
					f->has_regs && f->regs_addr ?
					"  [exception]" : "");
		if (r) {
			r->link.kind = KT_LINK_FRAME;
			r->link.addr = tr->task;
			r->link.pid = pid;
			r->link.index = i;
		}
	}
	if (!tr->complete)
		kt_rows_add(rows, KT_ROLE_WARNING, "(unwind stopped: %s)",
			    tr->stop);
}

static void link_addr(struct kt_row *r, uint64_t v)
{
	if (r && v >> 47 == 0x1ffff) {
		r->link.kind = KT_LINK_ADDR;
		r->link.addr = v;
	}
}

/*
 * A word's owner as bt -F names it: integers, user values, stray bits and
 * unmapped kernel addresses are data, not pointers, and stay unnamed; a
 * non-canonical value is named only when it is a known poison.
 */
static void annotate(struct kt_program *prog, uint64_t v, char *buf,
		     size_t size)
{
	struct kt_owner o;
	enum kt_owner_kind k;

	*buf = 0;
	if (kt_error_catch_any(kt_owner_identify(prog, v, &o)) || !o.n)
		return;
	k = o.ids[0].kind;
	if (k == KT_OWNER_NULL || k == KT_OWNER_USER ||
	    k == KT_OWNER_UNMAPPED || (k == KT_OWNER_NONCANONICAL && o.n == 1))
		return;
	kt_owner_format(&o, buf, size);
}

void kt_view_bt_regs(struct kt_program *prog, const struct kt_trace *tr,
		     size_t i,
		     struct kt_rows *rows)
{
	const struct kt_frame *f = &tr->frames[i];
	char brief[192];

	if (f->has_regs && f->regs_addr)
		kt_rows_add(rows, KT_ROLE_TITLE, "pt_regs at %016" PRIx64,
			    f->regs_addr);
	else if (f->has_regs)
		kt_rows_add(rows, KT_ROLE_TITLE, "at the crash (%s)",
			    tr->regs_source);
	else
		kt_rows_add(rows, KT_ROLE_TITLE, "registers known here");
	for (int k = 0; k < KT_NR_REGS; k++) {
		if (!(f->regs.known & (1u << k)))
			continue;
		annotate(prog, f->regs.r[k], brief, sizeof(brief));
		link_addr(kt_rows_add(rows, *brief ? KT_ROLE_LINK : KT_ROLE_TEXT,
				      "%-8s %016" PRIx64 " %s", kt_reg_names[k],
				      f->regs.r[k], brief), f->regs.r[k]);
	}
}

/* bt -f: from the frame's sp up to the next frame's, or its stack's top. */
static size_t frame_words(struct kt_program *prog, const struct kt_trace *tr,
			  size_t i, uint64_t *words)
{
	const struct kt_frame *f = &tr->frames[i];
	uint64_t end, lo, hi;
	size_t n;

	if (f->stack == KT_STACK_USER)
		return 0;
	if (i + 1 < tr->n && tr->frames[i + 1].stack == f->stack &&
	    tr->frames[i + 1].sp > f->sp)
		end = tr->frames[i + 1].sp;
	else if (kt_stack_bounds(prog, tr->task, tr->cpu, f->stack, &lo, &hi) &&
		 hi > f->sp)
		end = hi;
	else
		return 0;
	n = (end - f->sp) / 8;
	if (n > MAX_WORDS)
		n = MAX_WORDS;
	for (size_t w = 0; w < n; w++)
		if (kt_error_catch_any(kt_read_u64(prog, f->sp + 8 * w,
						   &words[w])))
			return w;
	return n;
}

void kt_view_bt_words(struct kt_program *prog, const struct kt_trace *tr,
		      size_t i, struct kt_rows *rows)
{
	uint64_t words[MAX_WORDS];
	size_t n = frame_words(prog, tr, i, words);
	uint64_t sp = tr->frames[i].sp;
	char brief[192];

	if (!n)
		kt_rows_add(rows, KT_ROLE_DIM, "none readable");
	for (size_t w = 0; w < n; w++) {
		annotate(prog, words[w], brief, sizeof(brief));
		link_addr(kt_rows_add(rows, *brief ? KT_ROLE_LINK : KT_ROLE_TEXT,
				      "%04" PRIx64 " %016" PRIx64 " %s",
				      (sp + 8 * w) & 0xffff, words[w], brief),
			  words[w]);
	}
}

void kt_view_bt_source(struct kt_program *prog, const struct kt_trace *tr,
		       size_t i, struct kt_rows *rows)
{
	const struct kt_frame *f = &tr->frames[i];
	struct kt_inline in[MAX_INLINE];
	size_t n = kt_frame_functions(prog, f, in, MAX_INLINE);
	const char *file;
	int line;

	kt_rows_add(rows, KT_ROLE_TITLE, "source (bt -l)");
	for (size_t k = 0; k < n; k++) {
		const char *fn = in[k].function ? in[k].function : "?";

		if (in[k].file)
			kt_rows_add(rows, KT_ROLE_TEXT, "%s%s at %s:%d",
				    k + 1 < n ? "(inlined) " : "", fn,
				    in[k].file, in[k].line);
		else
			kt_rows_add(rows, KT_ROLE_TEXT, "%s%s",
				    k + 1 < n ? "(inlined) " : "", fn);
	}
	if (!n && kt_frame_source(prog, f, &file, &line))
		kt_rows_add(rows, KT_ROLE_TEXT, "%s:%d", file, line);
	else if (!n)
		kt_rows_add(rows, KT_ROLE_DIM, "no line information");
}

static void var_type(struct kt_program *prog, const struct kt_frame_var *v,
		     struct kt_row *r)
{
	struct kt_value val;
	Dwarf_Die die;

	if (!prog->dwarf || kt_error_catch_any(kt_dwarf_die(prog->dwarf,
							     v->type, &die)))
		return;
	if (kt_error_catch_any(kt_value_rvalue(&die, 0, v->value, &val)) ||
	    val.kind != KT_VALUE_POINTER)
		return;
	// The link's type is the pointed-to type: the inspector shows *v.
	if (kt_error_catch_any(kt_value_deref(prog, &val, &val)))
		return;
	kt_value_type_name(&val, r->link.type, sizeof(r->link.type));
}

void kt_view_bt_vars(struct kt_program *prog, const struct kt_trace *tr,
		     size_t i, struct kt_rows *rows)
{
	struct kt_frame_var *v = calloc(MAX_VARS, sizeof(*v));
	size_t n = v ? kt_frame_variables(prog, tr, i, v, MAX_VARS) : 0;
	char brief[192];
	struct kt_row *r;

	kt_rows_add(rows, KT_ROLE_TITLE, "parameters and locals (bt -v)");
	if (!n)
		kt_rows_add(rows, KT_ROLE_DIM, "none known");
	for (size_t k = 0; k < n; k++) {
		if (!v[k].known) {
			kt_rows_add(rows, KT_ROLE_DIM, "%s %s = <%s>",
				    v[k].param ? "param" : "local", v[k].name,
				    v[k].why);
			continue;
		}
		annotate(prog, v[k].value, brief, sizeof(brief));
		r = kt_rows_add(rows, *brief ? KT_ROLE_LINK : KT_ROLE_TEXT,
				"%s %s = 0x%" PRIx64 "%s%s",
				v[k].param ? "param" : "local", v[k].name,
				v[k].value, *brief ? "  " : "", brief);
		link_addr(r, v[k].value);
		if (r && r->link.kind == KT_LINK_ADDR)
			var_type(prog, &v[k], r);
	}
	free(v);
}
