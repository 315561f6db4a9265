// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * list_fault: a list operation that faulted on a NULL or garbage link
 * (list_fault.h). Only the panic task's fault frame counts, and only when
 * its pc is in a list primitive: stale list_heads are everywhere in a
 * dump, a list operation that stopped on one is not.
 */
#include <stdio.h>
#include <string.h>

#include "core/disasm.h"
#include "core/dwarf.h"
#include "core/mm.h"
#include "core/stack.h"
#include "core/value.h"
#include "plugins/list_fault.h"

#define MAX_CHAIN 16
#define MAX_VARS 64
#define DEFAULT_DELTA 0xdead000000000000ULL	/* POISON_POINTER_DELTA */

/* The primitives of include/linux/list.h and lib/list_debug.c that store
 * or load through an entry's links; del: they unlink an entry. */
static const struct prim {
	const char *name;
	bool del;
} prims[] = {
	{ "__list_del", true }, { "__list_del_entry", true },
	{ "__list_del_clearprev", true }, { "list_del", true },
	{ "list_del_init", true }, { "list_del_init_careful", true },
	{ "list_del_rcu", true }, { "list_move", true },
	{ "list_move_tail", true }, { "list_replace", true },
	{ "list_replace_init", true }, { "__list_del_entry_valid", true },
	{ "__list_del_entry_valid_or_report", true },
	{ "__hlist_del", true }, { "hlist_del", true },
	{ "hlist_del_init", true }, { "hlist_del_rcu", true },
	{ "__list_add", false }, { "list_add", false },
	{ "list_add_tail", false }, { "__list_add_rcu", false },
	{ "list_add_rcu", false }, { "list_add_tail_rcu", false },
	{ "__list_add_valid", false }, { "__list_add_valid_or_report", false },
	{ "hlist_add_head", false }, { "hlist_add_head_rcu", false },
	{ "hlist_add_before", false }, { "hlist_add_behind", false },
};

static const struct prim *prim_of(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < sizeof(prims) / sizeof(prims[0]); i++)
		if (!strcmp(prims[i].name, name))
			return &prims[i];
	return NULL;
}

static bool canonical(uint64_t v)
{
	return (v >> 47) == 0 || (v >> 47) == 0x1ffff;
}

/* A link that cannot be followed: NULL-ish, non-canonical, unmapped. */
static bool bad_link(struct kt_program *prog, uint64_t v)
{
	uint64_t w;

	if (v < 4096 || !canonical(v))
		return true;
	return kt_error_catch_any(kt_read_u64(prog, v, &w));
}

static bool poison(uint64_t v)
{
	uint64_t d = v - DEFAULT_DELTA;

	return d == 0x100 || d == 0x122;
}

static bool reg_value(const struct kt_frame *f, int r, uint64_t *ret)
{
	if (r < 0 || r >= KT_NR_REGS || !(f->regs.known & (1U << r)))
		return false;
	*ret = f->regs.r[r];
	return true;
}

static int fault_frame(const struct kt_trace *tr)
{
	for (size_t i = 0; i < tr->n; i++)
		if (tr->frames[i].interrupted && tr->frames[i].has_regs &&
		    tr->frames[i].stack != KT_STACK_USER)
			return (int)i;
	return -1;
}

/* The outermost list primitive at the frame's pc (list_del over the
 * __list_del inlined in it), and the function holding them. */
static const struct prim *primitive(struct kt_program *prog,
				    const struct kt_frame *f,
				    struct kt_list_fault *lf)
{
	struct kt_inline chain[MAX_CHAIN];
	size_t n = kt_frame_functions(prog, f, chain, MAX_CHAIN);
	const struct prim *found = NULL;

	for (size_t i = 0; i < n; i++) {
		const char *name = chain[i].function ? chain[i].function :
				   (f->has_sym ? f->sym.name : NULL);
		const struct prim *p = prim_of(name);

		if (p) {
			found = p;
			lf->op = p->name;
		} else if (found && !lf->function) {
			lf->function = name;
		}
	}
	if (!n && f->has_sym && (found = prim_of(f->sym.name)))
		lf->op = found->name;
	return found;
}

/* The instruction's memory access: its address and the base register. */
static bool access(struct kt_program *prog, const struct kt_frame *f,
		   struct kt_list_fault *lf)
{
	struct kt_disasm *d = NULL;
	struct kt_disasm_insn insn;
	const struct kt_disasm_mem *m;
	uint64_t base, idx = 0;
	bool ok;
	int mi;

	if (kt_error_catch_any(kt_disasm_create(&d)))
		return false;
	ok = !kt_error_catch_any(kt_disasm_read(d, prog, f->pc, &insn));
	kt_disasm_destroy(d);
	if (!ok || (mi = kt_disasm_mem_op(&insn)) < 0)
		return false;
	m = &insn.ops[mi].mem;
	if (m->rip_relative || !reg_value(f, m->base, &base) ||
	    (m->index != KT_DISASM_NOREG && !reg_value(f, m->index, &idx)))
		return false;
	lf->ea = base + idx * m->scale + (uint64_t)m->disp;
	lf->base_reg = m->base;
	lf->write = insn.ops[mi].written;
	return true;
}

/* Does the list_head at @v hold @link as ->next or ->prev? */
static bool holds(struct kt_program *prog, uint64_t v, uint64_t link,
		  bool *next)
{
	uint64_t n, p;

	if (v < 4096 || !canonical(v) || v == link ||
	    kt_error_catch_any(kt_read_u64(prog, v, &n)) ||
	    kt_error_catch_any(kt_read_u64(prog, v + 8, &p)))
		return false;
	if (n == link || p == link) {
		*next = n == link;
		return true;
	}
	return false;
}

static bool list_type(const struct kt_value *v)
{
	char tn[96];

	kt_value_type_name(v, tn, sizeof(tn));
	return !strcmp(tn, "struct list_head") ||
	       !strcmp(tn, "struct hlist_node");
}

/* A list_head member of @obj (at @base + its offset) that holds @link. */
static bool member_holds(struct kt_program *prog, const struct kt_value *obj,
			 uint64_t base, uint64_t link, int depth,
			 uint64_t *entry, bool *next)
{
	struct kt_value_iter it = { 0 };
	struct kt_value c;

	while (kt_value_next_child(obj, &it, &c)) {
		if (list_type(&c) && holds(prog, base + c.offset, link, next)) {
			*entry = base + c.offset;
			return true;
		}
		if ((c.kind == KT_VALUE_STRUCT || c.kind == KT_VALUE_UNION) &&
		    depth < 3 && member_holds(prog, &c, base + c.offset, link,
					      depth + 1, entry, next))
			return true;
	}
	return false;
}

/* @v points to a struct with a list_head member that holds @link (the
 * unlinked record's pointer, when no variable is the list_head itself). */
static bool container_holds(struct kt_program *prog, const struct kt_trace *tr,
			    size_t fi, const struct kt_frame_var *v,
			    uint64_t link, uint64_t *entry, bool *next)
{
	struct kt_dwarf *dw = kt_frame_dwarf(prog, &tr->frames[fi]);
	struct kt_value ptr, obj;
	Dwarf_Die die;

	if (!dw || !v->known || v->size != 8 || !v->type || v->value < 4096 ||
	    !canonical(v->value) ||
	    kt_error_catch_any(kt_dwarf_die(dw, v->type, &die)) ||
	    kt_error_catch_any(kt_value_rvalue(&die, 0, v->value, &ptr)) ||
	    ptr.kind != KT_VALUE_POINTER ||
	    kt_error_catch_any(kt_value_deref(prog, &ptr, &obj)) ||
	    (obj.kind != KT_VALUE_STRUCT && obj.kind != KT_VALUE_UNION) ||
	    list_type(&obj))
		return false;
	return member_holds(prog, &obj, v->value, link, 0, entry, next);
}

/* The list_head whose link the access went through: a variable of the
 * frame first (list_del's entry), then a register, then a member of the
 * struct a typed variable points to. */
static bool entry_of(struct kt_program *prog, const struct kt_trace *tr,
		     struct kt_list_fault *lf, uint64_t link, uint64_t *entry,
		     bool *next)
{
	const struct kt_frame *f = &tr->frames[lf->frame];
	struct kt_frame_var v[MAX_VARS];
	size_t n = kt_frame_variables(prog, tr, (size_t)lf->frame, v,
				      MAX_VARS);

	for (size_t pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++) {
			bool named = v[i].name && (!strcmp(v[i].name, "entry")
					|| !strcmp(v[i].name, "new") ||
					!strcmp(v[i].name, "n"));

			if (!v[i].known || v[i].size != 8 || named != !pass ||
			    !holds(prog, v[i].value, link, next))
				continue;
			*entry = v[i].value;
			lf->via = v[i].name;
			lf->via_var = true;
			return true;
		}
	for (int r = 0; r < KT_NR_REGS; r++) {
		uint64_t val;

		if (r == KT_REG_RIP || r == KT_REG_RSP ||
		    !reg_value(f, r, &val) || !holds(prog, val, link, next))
			continue;
		*entry = val;
		lf->via = kt_reg_names[r];
		return true;
	}
	for (size_t i = 0; i < n; i++) {
		if (!container_holds(prog, tr, (size_t)lf->frame, &v[i], link,
				     entry, next))
			continue;
		lf->via = v[i].name;
		lf->via_var = true;
		return true;
	}
	return false;
}

bool kt_list_fault_find(struct kt_program *prog, const struct kt_trace *tr,
			struct kt_list_report *r, struct kt_list_fault *lf)
{
	const struct prim *p;
	const struct kt_frame *f;
	uint64_t link, entry;
	bool next;

	memset(r, 0, sizeof(*r));
	memset(lf, 0, sizeof(*lf));
	lf->frame = fault_frame(tr);
	if (lf->frame < 0)
		return false;
	f = &tr->frames[lf->frame];
	lf->pc = f->pc;
	if (!(p = primitive(prog, f, lf)) || !access(prog, f, lf) ||
	    !reg_value(f, lf->base_reg, &link))
		return false;
	// the access went through the link: link->next or link->prev
	if (lf->ea - link > 8 || !bad_link(prog, link) || poison(link) ||
	    !entry_of(prog, tr, lf, link, &entry, &next))
		return false;
	r->del = p->del;
	r->kind = link < 4096 ? (p->del ? KT_LR_DEL_NULL : KT_LR_ADD_NULL) :
		  (p->del ? KT_LR_DEL_BAD : KT_LR_ADD_BAD);
	r->field_next = next;
	r->has_entry = true;
	r->entry = entry;
	r->has_was = true;
	r->was = link;
	return true;
}

const char *kt_list_fault_kind(const struct kt_list_fault *lf)
{
	if (!canonical(lf->ea))
		return "a general protection fault (a non-canonical address)";
	return "a page fault";
}

bool kt_list_fault_text(uint64_t v, char *buf, unsigned size)
{
	unsigned n = 0;
	bool end = false;

	if (size < 9)
		return false;
	for (unsigned i = 0; i < 8; i++) {
		unsigned char c = (unsigned char)(v >> (8 * i));

		if (!c) {
			end = true;
			continue;
		}
		if (end || c < 0x20 || c > 0x7e)
			return false;
		buf[n++] = (char)c;
	}
	buf[n] = 0;
	return n >= 3;
}
