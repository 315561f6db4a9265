// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * list_poison: the crashing task used a list entry after list_del().
 *
 * list_del() leaves LIST_POISON1/2 (0x100/0x122 + POISON_POINTER_DELTA) in
 * the entry's next/prev, and SLUB's debug poisoning fills freed objects
 * with 0x6b (0x5a before first use, 0xa5 at the end). Seed 002 crashed
 * following such a next pointer. Poison is everywhere in a dump (every
 * freed and reused object keeps some), so only the crash context counts:
 * the panic task's registers (the crash-time ones and each pt_regs on its
 * stacks), the words of its frames and its frame variables, and the slab
 * objects those point into. A finding names the poison, the access it
 * broke (the faulting instruction's address), and the stale object: the
 * slab object holding a poisoned list_head, whether it is free and where
 * on which freelist, and the member, from the DWARF type of the frame
 * variable that reached it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/disasm.h"
#include "core/list.h"
#include "core/liveness.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/module.h"
#include "core/owner.h"
#include "core/stack.h"
#include "core/task.h"
#include "core/value.h"
#include "plugins/list_report.h"
#include "plugins/plugin.h"

#define NAME "list_poison"
#define MAX_SIGHTINGS 64
#define MAX_OBJECTS 256		/* distinct slab objects looked into */
#define MAX_STALE 8
#define MAX_OBJ_BYTES 4096	/* read of one object */
#define MAX_FRAME_WORDS 2048
#define MAX_VARS 64
#define NEAR 0x1000		/* container_of() and member offsets */

/* x86-64's CONFIG_ILLEGAL_POINTER_VALUE, the usual POISON_POINTER_DELTA */
#define DEFAULT_DELTA 0xdead000000000000ULL

struct poison {
	uint64_t delta, p1, p2;
	char how[256];
};

enum seen_where { SEEN_REG, SEEN_WORD, SEEN_VAR };

struct sighting {
	enum seen_where where;
	int frame;
	uint64_t value;
	uint64_t addr;		/* SEEN_WORD: the stack slot */
	int reg;		/* SEEN_REG */
	const char *name;	/* SEEN_VAR, owned by the DWARF */
	char what[96];		/* which poison */
};

/* A slab object that holds a poisoned list_head. */
struct stale {
	struct kt_owner_id id;
	uint64_t list_off;	/* the poisoned list_head in it */
	uint64_t next, prev;
	char reached[128];	/* which register/variable/word points into it */
	int frame;
	char type[96], member[64];	/* from DWARF, or "" */
};

/* A frame variable typed "struct T *" that poison reached through. */
struct typed_var {
	bool set;
	int frame;
	const char *name;
	uint64_t value;
	uint64_t member_off;	/* the list_head the poison was read from */
	char type[96], member[64];
};

struct scan {
	struct kt_program *prog;
	struct kt_findings *out;
	struct poison ps;
	int pid, cpu;
	uint64_t task;
	struct kt_trace tr;
	struct sighting s[MAX_SIGHTINGS];
	size_t ns;
	struct stale st[MAX_STALE];
	size_t nst;
	struct kt_addrset objs;	/* objects already looked into */
	uint64_t buf[MAX_OBJ_BYTES / 8];	/* one object's words */
	size_t nobjs;
	struct typed_var tv;
	/* the faulting instruction */
	bool have_insn, fault_poison;
	struct kt_disasm_insn insn;
	uint64_t ea;
	int ea_reg;
	char fault_what[96];
};

/* ---- what poison looks like here ---- */

/*
 * __list_del_entry_valid() (CONFIG_DEBUG_LIST) compares next and prev
 * with LIST_POISON1 and LIST_POISON2: its two movabs immediates are this
 * kernel's values, delta included.
 */
static bool poison_from_code(struct kt_program *prog, struct poison *ps)
{
	// or, in newer kernels, __list_del_entry_valid_or_report()
	static const char *const names[] = {
		"__list_del_entry_valid", "__list_del_entry_valid_or_report",
	};
	uint64_t fn = 0, imm[2];
	struct kt_disasm_list l = { 0 };
	struct kt_disasm *d = NULL;
	const char *name = NULL;
	size_t n = 0;

	for (size_t i = 0; i < 2 && !name; i++)
		if (!kt_error_catch_any(kt_symbol_address(prog, names[i], &fn)))
			name = names[i];
	if (!name || kt_error_catch_any(kt_disasm_create(&d)))
		return false;
	if (!kt_error_catch_any(kt_disasm_range(d, prog, fn, 0, 40, &l))) {
		for (size_t i = 0; i < l.n && n < 2; i++) {
			const struct kt_disasm_insn *in = &l.insns[i];

			if (in->nops == 2 && in->ops[0].kind == KT_OP_IMM &&
			    ((uint64_t)in->ops[0].imm >> 48) == 0xdead)
				imm[n++] = in->ops[0].imm;
			if (in->flow == KT_FLOW_RET)
				break;
		}
		kt_disasm_list_deinit(&l);
	}
	kt_disasm_destroy(d);
	if (n != 2 || imm[0] - 0x100 != imm[1] - 0x122)
		return false;
	ps->delta = imm[0] - 0x100;
	snprintf(ps->how, sizeof(ps->how), "LIST_POISON1/2 = 0x%" PRIx64
		 "/0x%" PRIx64 ", read from the movabs immediates of "
		 "%s() (0x%" PRIx64 "): POISON_POINTER_DELTA = 0x%" PRIx64,
		 imm[0], imm[1], name, fn, ps->delta);
	return true;
}

static void poison_derive(struct kt_program *prog, struct poison *ps)
{
	if (!poison_from_code(prog, ps)) {
		ps->delta = DEFAULT_DELTA;
		snprintf(ps->how, sizeof(ps->how), "POISON_POINTER_DELTA "
			 "assumed 0x%" PRIx64 " (x86-64's default "
			 "CONFIG_ILLEGAL_POINTER_VALUE): neither VMCOREINFO "
			 "nor a symbol holds it, and __list_del_entry_valid() "
			 "was not there to read it from", ps->delta);
	}
	ps->p1 = ps->delta + 0x100;
	ps->p2 = ps->delta + 0x122;
}

static bool all_bytes(uint64_t v, unsigned from, uint8_t b)
{
	for (unsigned i = from; i < 8; i++)
		if (((v >> (8 * i)) & 0xff) != b)
			return false;
	return true;
}

/* Which poison @v is, or was derived from (a member of a poisoned entry). */
static bool poison_name(const struct poison *ps, uint64_t v, char *buf,
			size_t len)
{
	static const struct { uint64_t off; const char *name; } lp[] = {
		{ 0x100, "LIST_POISON1" }, { 0x122, "LIST_POISON2" },
		{ 0x200, "LIST_POISON2 of older kernels (seed 002)" },
	};
	int64_t best = 0;
	int k = -1;

	if (v - ps->delta < NEAR) {
		for (int i = 0; i < 3; i++) {
			int64_t d = (int64_t)(v - ps->delta - lp[i].off);

			if (k < 0 || llabs(d) < llabs(best)) {
				k = i;
				best = d;
			}
		}
		if (!best)
			snprintf(buf, len, "%s", lp[k].name);
		else
			snprintf(buf, len, "%s %c 0x%llx", lp[k].name,
				 best < 0 ? '-' : '+', llabs(best));
		return true;
	}
	// SLUB debug poison: whole words of it, the low bytes maybe offset.
	if (all_bytes(v, 2, 0x6b))
		snprintf(buf, len, "slab free poison (POISON_FREE 0x6b)");
	else if ((v >> 56) == 0xa5 && all_bytes(v << 8, 3, 0x6b))
		snprintf(buf, len, "slab free poison (POISON_END 0xa5)");
	else if (all_bytes(v, 2, 0x5a))
		snprintf(buf, len, "slab poison (POISON_INUSE 0x5a)");
	else
		return false;
	return true;
}

/* ---- the crash context: registers, frame words, frame variables ---- */

static void add_sighting(struct scan *s, enum seen_where where, int frame,
			 uint64_t value, uint64_t addr, int reg,
			 const char *name)
{
	struct sighting *g;
	char what[96];

	if (s->ns == MAX_SIGHTINGS || !poison_name(&s->ps, value, what,
						   sizeof(what)))
		return;
	g = &s->s[s->ns++];
	g->where = where;
	g->frame = frame;
	g->value = value;
	g->addr = addr;
	g->reg = reg;
	g->name = name;
	snprintf(g->what, sizeof(g->what), "%s", what);
}

static bool reg_is_data(int r)
{
	return r != KT_REG_RIP && r != KT_REG_RSP && r != KT_REG_RFLAGS &&
	       r != KT_REG_CS && r != KT_REG_SS && r != KT_REG_ORIG_RAX &&
	       r < KT_REG_FS_BASE;
}

static void scan_regs(struct scan *s, size_t i)
{
	const struct kt_frame *f = &s->tr.frames[i];

	if (!f->has_regs || f->stack == KT_STACK_USER)
		return;
	for (int r = 0; r < KT_NR_REGS; r++)
		if (reg_is_data(r) && (f->regs.known & (1U << r)))
			add_sighting(s, SEEN_REG, (int)i, f->regs.r[r], 0, r,
				     NULL);
}

/* The words from frame @i's sp to the next frame's, on the same stack. */
static bool frame_words(struct scan *s, size_t i, uint64_t *lo, uint64_t *hi)
{
	const struct kt_frame *f = &s->tr.frames[i];
	uint64_t slo, shi;

	if (f->stack == KT_STACK_USER ||
	    !kt_stack_bounds(s->prog, s->task, s->tr.cpu, f->stack, &slo,
			     &shi) || f->sp < slo || f->sp >= shi)
		return false;
	*lo = f->sp & ~7ULL;
	*hi = shi;
	if (i + 1 < s->tr.n && s->tr.frames[i + 1].stack == f->stack &&
	    s->tr.frames[i + 1].sp > f->sp && s->tr.frames[i + 1].sp <= shi)
		*hi = s->tr.frames[i + 1].sp;
	if (*hi - *lo > 8 * MAX_FRAME_WORDS)
		*hi = *lo + 8 * MAX_FRAME_WORDS;
	return true;
}

static void scan_words(struct scan *s, size_t i)
{
	uint64_t lo, hi, w;

	if (!frame_words(s, i, &lo, &hi))
		return;
	for (uint64_t a = lo; a < hi; a += 8) {
		if (kt_error_catch_any(kt_read_u64(s->prog, a, &w)))
			return;
		add_sighting(s, SEEN_WORD, (int)i, w, a, -1, NULL);
	}
}

/*
 * The member at @off of the struct a variable of type @type (a pointer)
 * points to, when it is a list_head (or hlist_node): its name into
 * @member, the struct's into @tname.
 */
static bool list_member_at(struct kt_program *prog, struct kt_dwarf *dw,
			   Dwarf_Off type, uint64_t off, char *tname,
			   size_t tlen, char *member, size_t mlen)
{
	struct kt_value ptr, obj, c, cc;
	struct kt_value_iter it = { 0 }, it2;
	char ct[96];
	Dwarf_Die die;

	if (!dw || kt_error_catch_any(kt_dwarf_die(dw, type, &die)) ||
	    kt_error_catch_any(kt_value_rvalue(&die, 0, 0x1000, &ptr)) ||
	    ptr.kind != KT_VALUE_POINTER ||
	    kt_error_catch_any(kt_value_deref(prog, &ptr, &obj)) ||
	    obj.kind != KT_VALUE_STRUCT)
		return false;
	kt_value_type_name(&obj, tname, tlen);
	while (kt_value_next_child(&obj, &it, &c)) {
		if (!c.name && off >= c.offset && off < c.offset + c.size) {
			// an anonymous struct or union: one level down
			memset(&it2, 0, sizeof(it2));
			while (kt_value_next_child(&c, &it2, &cc))
				if (cc.name && cc.offset == off) {
					c = cc;
					break;
				}
		}
		if (!c.name || c.offset != off)
			continue;
		kt_value_type_name(&c, ct, sizeof(ct));
		if (strcmp(ct, "struct list_head") &&
		    strcmp(ct, "struct hlist_node"))
			return false;
		snprintf(member, mlen, "%s", c.name);
		return true;
	}
	return false;
}

/*
 * A variable that is container_of(poison, struct T, member): T and the
 * member tell what the poisoned list_head is (kt_sum_from's e).
 */
static void typed_from_poison(struct scan *s, size_t i,
			      const struct kt_frame_var *v)
{
	struct kt_dwarf *dw = kt_frame_dwarf(s->prog, &s->tr.frames[i]);
	struct typed_var *t = &s->tv;
	uint64_t lp[2] = { s->ps.p1, s->ps.p2 };

	if (t->set || !v->type)
		return;
	for (int k = 0; k < 2; k++) {
		uint64_t off = lp[k] - v->value;

		if (off >= NEAR || !list_member_at(s->prog, dw, v->type, off,
						   t->type, sizeof(t->type),
						   t->member, sizeof(t->member)))
			continue;
		t->set = true;
		t->frame = (int)i;
		t->name = v->name;
		t->value = v->value;
		t->member_off = off;
		return;
	}
}

static void scan_vars(struct scan *s, size_t i)
{
	struct kt_frame_var v[MAX_VARS];
	size_t n = kt_frame_variables(s->prog, &s->tr, i, v, MAX_VARS);

	for (size_t k = 0; k < n; k++) {
		if (!v[k].known || v[k].size != 8)
			continue;
		add_sighting(s, SEEN_VAR, (int)i, v[k].value, 0, -1, v[k].name);
		if (v[k].value - s->ps.delta < NEAR)
			typed_from_poison(s, i, &v[k]);
	}
}

/* ---- stale objects: slab objects the context points into ---- */

static bool poisoned_pair(const struct poison *ps, uint64_t next,
			  uint64_t prev)
{
	return next == ps->p1 && (prev == ps->p2 || prev == ps->delta + 0x200);
}

/*
 * Slab objects live in the direct map: asking only about RAM there spares
 * building what other owners need (every task's stack range, vmalloc).
 */
static bool in_ram(struct kt_program *prog, uint64_t addr)
{
	const struct kt_mm *mm;
	uint64_t pfn;

	return !kt_error_catch_any(kt_mm_get(prog, &mm)) &&
	       kt_mm_direct_pfn(mm, addr, &pfn) && pfn < mm->max_pfn;
}

/* Look into the slab object @addr points into, once per object. */
static void look_into(struct scan *s, uint64_t addr, int frame,
		      const char *reached)
{
	uint64_t *buf = s->buf;
	const struct kt_owner_id *id;
	struct kt_owner o;
	uint64_t n;
	bool added;

	if (!in_ram(s->prog, addr) || s->nobjs >= MAX_OBJECTS ||
	    s->nst == MAX_STALE ||
	    kt_error_catch_any(kt_owner_identify(s->prog, addr, &o)) || !o.n)
		return;
	id = &o.ids[0];
	if (id->kind != KT_OWNER_SLAB || id->in_padding || !id->size ||
	    !kt_addrset_add(&s->objs, id->base, &added) || !added)
		return;
	s->nobjs++;
	n = id->size < MAX_OBJ_BYTES ? id->size / 8 : MAX_OBJ_BYTES / 8;
	if (kt_error_catch_any(kt_read(s->prog, id->base, buf, 8 * n)))
		return;
	for (uint64_t k = 0; k + 1 < n && s->nst < MAX_STALE; k++) {
		struct stale *st;

		if (!poisoned_pair(&s->ps, buf[k], buf[k + 1]))
			continue;
		st = &s->st[s->nst++];
		memset(st, 0, sizeof(*st));
		st->id = *id;
		st->list_off = 8 * k;
		st->next = buf[k];
		st->prev = buf[k + 1];
		st->frame = frame;
		snprintf(st->reached, sizeof(st->reached), "%s", reached);
	}
}

static void objects_from_regs(struct scan *s, size_t i)
{
	const struct kt_frame *f = &s->tr.frames[i];
	char what[64];

	if (!f->has_regs || f->stack == KT_STACK_USER)
		return;
	for (int r = 0; r < KT_NR_REGS; r++) {
		if (!reg_is_data(r) || !(f->regs.known & (1U << r)))
			continue;
		snprintf(what, sizeof(what), "register %s (0x%" PRIx64
			 ") of frame #%zu", kt_reg_names[r], f->regs.r[r], i);
		look_into(s, f->regs.r[r], (int)i, what);
	}
}

static void objects_from_vars(struct scan *s, size_t i)
{
	struct kt_frame_var v[MAX_VARS];
	size_t n = kt_frame_variables(s->prog, &s->tr, i, v, MAX_VARS);
	char what[96];

	for (size_t k = 0; k < n; k++) {
		if (!v[k].known || v[k].size != 8)
			continue;
		snprintf(what, sizeof(what), "%s %s (0x%" PRIx64 ") of frame "
			 "#%zu", v[k].param ? "param" : "local", v[k].name,
			 v[k].value, i);
		look_into(s, v[k].value, (int)i, what);
	}
}

static void objects_from_words(struct scan *s, size_t i)
{
	uint64_t lo, hi, w;
	char what[96];

	if (!frame_words(s, i, &lo, &hi))
		return;
	for (uint64_t a = lo; a < hi; a += 8) {
		if (kt_error_catch_any(kt_read_u64(s->prog, a, &w)))
			return;
		snprintf(what, sizeof(what), "stack word 0x%" PRIx64 " (at 0x%"
			 PRIx64 ") of frame #%zu", w, a, i);
		look_into(s, w, (int)i, what);
	}
}

/* ---- the faulting access ---- */

static int fault_frame(const struct scan *s)
{
	for (size_t i = 0; i < s->tr.n; i++)
		if (s->tr.frames[i].interrupted && s->tr.frames[i].has_regs &&
		    s->tr.frames[i].stack != KT_STACK_USER)
			return (int)i;
	return -1;
}

static bool reg_value(const struct kt_frame *f, int r, uint64_t *ret)
{
	if (r < 0 || r >= KT_NR_REGS || !(f->regs.known & (1U << r)))
		return false;
	*ret = f->regs.r[r];
	return true;
}

/* Did the instruction the task stopped at address memory through poison? */
static void fault_access(struct scan *s)
{
	int fi = fault_frame(s), mi;
	const struct kt_frame *f;
	const struct kt_disasm_mem *m;
	struct kt_disasm *d = NULL;
	uint64_t base, idx = 0;

	if (fi < 0 || kt_error_catch_any(kt_disasm_create(&d)))
		return;
	f = &s->tr.frames[fi];
	s->have_insn = !kt_error_catch_any(kt_disasm_read(d, s->prog, f->pc,
							  &s->insn));
	kt_disasm_destroy(d);
	if (!s->have_insn || (mi = kt_disasm_mem_op(&s->insn)) < 0)
		return;
	m = &s->insn.ops[mi].mem;
	if (m->rip_relative || !reg_value(f, m->base, &base) ||
	    (m->index != KT_DISASM_NOREG && !reg_value(f, m->index, &idx)))
		return;
	s->ea = base + idx * m->scale + m->disp;
	s->ea_reg = m->base;
	s->fault_poison = poison_name(&s->ps, base, s->fault_what,
				      sizeof(s->fault_what));
}

/* ---- the finding ---- */

static const char *fn_name(const struct scan *s, int i)
{
	return i >= 0 && (size_t)i < s->tr.n && s->tr.frames[i].has_sym ?
	       s->tr.frames[i].sym.name : "?";
}

static void sighting_step(struct scan *s, struct kt_finding *f,
			  const struct sighting *g)
{
	switch (g->where) {
	case SEEN_REG:
		kt_finding_step(s->out, f, "frame #%d (%s): register %s = 0x%"
				PRIx64 ": %s", g->frame, fn_name(s, g->frame),
				kt_reg_names[g->reg], g->value, g->what);
		kt_finding_ref_register(s->out, f, g->what,
					kt_reg_names[g->reg], g->value, s->pid,
					g->frame);
		break;
	case SEEN_WORD:
		kt_finding_step(s->out, f, "frame #%d (%s): stack word at 0x%"
				PRIx64 " = 0x%" PRIx64 ": %s", g->frame,
				fn_name(s, g->frame), g->addr, g->value,
				g->what);
		break;
	case SEEN_VAR:
		kt_finding_step(s->out, f, "frame #%d (%s): variable %s = 0x%"
				PRIx64 ": %s", g->frame, fn_name(s, g->frame),
				g->name, g->value, g->what);
		break;
	}
}

static void stale_member(struct scan *s, struct stale *st)
{
	const struct typed_var *t = &s->tv;

	if (t->set && t->member_off == st->list_off) {
		snprintf(st->type, sizeof(st->type), "%s", t->type);
		snprintf(st->member, sizeof(st->member), "%s", t->member);
	}
}

static void stale_steps(struct scan *s, struct kt_finding *f,
			const struct stale *st)
{
	const struct kt_owner_id *id = &st->id;

	kt_finding_step(s->out, f, "%s points into slab object 0x%" PRIx64
			" (+0x%" PRIx64 ") of cache %s%s%s%s, %" PRIu64
			" bytes: %s (kmem: %s)", st->reached, id->base,
			id->offset, id->name, id->name2[0] ? " (merged: " : "",
			id->name2, id->name2[0] ? ")" : "", id->size,
			kt_slab_state_name(id->state), id->reason);
	kt_finding_step(s->out, f, "its list_head at +0x%" PRIx64 "%s%s%s: "
			"next = 0x%" PRIx64 ", prev = 0x%" PRIx64 ": what "
			"list_del() leaves", st->list_off,
			st->member[0] ? " (" : "", st->member,
			st->member[0] ? ")" : "", st->next, st->prev);
	if (st->member[0])
		kt_finding_step(s->out, f, "member: %s of %s, from the DWARF "
				"type of variable %s = 0x%" PRIx64 " in frame "
				"#%d (%s), which is container_of() of the "
				"poison at that offset", st->member, st->type,
				s->tv.name, s->tv.value, s->tv.frame,
				fn_name(s, s->tv.frame));
}

static void title(struct scan *s, struct kt_finding *f,
		  const struct stale *st)
{
	char where[160] = "", obj[200] = "";
	int fi = fault_frame(s);

	if (s->fault_poison)
		snprintf(where, sizeof(where), "%s+0x%" PRIx64 " dereferenced "
			 "%s (%s = 0x%" PRIx64 ")", fn_name(s, fi),
			 s->tr.frames[fi].has_sym ? s->tr.frames[fi].sym.offset :
			 0, s->fault_what, kt_disasm_reg_name(s->ea_reg),
			 s->tr.frames[fi].regs.r[s->ea_reg]);
	else
		snprintf(where, sizeof(where), "list poison in the crashing "
			 "task's %s", s->ns ? "registers and stack" :
			 "objects");
	if (st)
		snprintf(obj, sizeof(obj), "; stale %s%s0x%" PRIx64 " is %s "
			 "(%s)", st->type[0] ? st->type : "object",
			 st->type[0] ? " " : " ", st->id.base,
			 kt_slab_state_name(st->id.state), st->id.name);
	kt_finding_title(s->out, f, "use after list_del(): %s%s", where, obj);
}

static void explain(struct scan *s, struct kt_finding *f,
		    const struct stale *st)
{
	kt_finding_explain(s->out, f, "list_del() writes LIST_POISON1 "
		"(0x%" PRIx64 ") into an entry's next and LIST_POISON2 (0x%"
		PRIx64 ") into its prev, so that whoever still follows the "
		"entry faults on a non-canonical address instead of walking "
		"into reused memory.", s->ps.p1, s->ps.p2);
	if (s->fault_poison)
		kt_finding_explain(s->out, f, " The faulting instruction "
			"(%s %s) addressed 0x%" PRIx64 " through %s, which "
			"holds %s: the task read next (or prev) of an entry "
			"already deleted from its list and used the poison as "
			"a pointer.", s->insn.mnemonic, s->insn.operands, s->ea,
			kt_disasm_reg_name(s->ea_reg), s->fault_what);
	if (!st)
		return;
	kt_finding_explain(s->out, f, " The stale entry is the %s object 0x%"
		PRIx64 " of cache %s%s%s%s, reached from %s.", st->type[0] ?
		st->type : "slab", st->id.base, st->id.name,
		st->id.name2[0] ? " (merged there: " : "", st->id.name2,
		st->id.name2[0] ? ")" : "", st->reached);
	if (st->id.state == KT_SLAB_FREE)
		kt_finding_explain(s->out, f, " It is free: it was deleted "
			"from its list and freed, and the code that still held "
			"it (a cached cursor, an iterator not restarted after "
			"list_del()) is the bug. Look for who kept a pointer to "
			"it past list_del() and kfree().");
	else
		kt_finding_explain(s->out, f, " It is still %s: deleted from "
			"its list but not (yet) freed; whoever followed it "
			"after list_del() is the bug.",
			kt_slab_state_name(st->id.state));
}

/* The oops line naming the address the fault was for, as the log has it. */
static void log_ref(struct scan *s, struct kt_finding *f)
{
	const struct kt_log *log;
	char want[40], line[256];

	if (!s->fault_poison || kt_error_catch_any(kt_log_load(s->prog, &log)))
		return;
	snprintf(want, sizeof(want), "address 0x%" PRIx64, s->ea);
	for (size_t i = log->n; i-- > 0;) {
		const struct kt_log_record *r = &log->recs[i];
		size_t n = r->len < sizeof(line) - 1 ? r->len : sizeof(line) - 1;

		memcpy(line, r->text, n);
		line[n] = '\0';
		if (!strstr(line, want))
			continue;
		kt_finding_ref_log(s->out, f, "oops", (int)i, line);
		kt_finding_step(s->out, f, "log record %zu: \"%s\"", i, line);
		return;
	}
}

static int first_free(const struct scan *s)
{
	for (size_t i = 0; i < s->nst; i++)
		if (s->st[i].id.state == KT_SLAB_FREE)
			return (int)i;
	return -1;
}

/* The stale entry: a free one, else one of the type the poison came by. */
static const struct stale *main_stale(const struct scan *s)
{
	int i = first_free(s);

	if (i >= 0)
		return &s->st[i];
	for (size_t k = 0; k < s->nst; k++)
		if (s->st[k].member[0])
			return &s->st[k];
	return NULL;
}

static void report(struct scan *s)
{
	const struct stale *st = main_stale(s);
	int fi = fault_frame(s);
	struct kt_finding *f;

	f = st ? kt_finding_add(s->out, NAME, s->fault_poison ?
				KT_SEV_CRITICAL : KT_SEV_ERROR, "0x%" PRIx64,
				st->id.base) :
		 kt_finding_add(s->out, NAME, s->fault_poison ?
				KT_SEV_CRITICAL : KT_SEV_ERROR, "task:0x%"
				PRIx64, s->task);
	if (!f)
		return;
	kt_finding_kind(f, "use-after-list-del");
	title(s, f, st);
	explain(s, f, st);
	kt_finding_ref_task(s->out, f, "panic task", s->pid, s->task);
	if (fi >= 0)
		kt_finding_ref_frame(s->out, f, "faulting frame", s->pid,
				     s->task, fi, fn_name(s, fi));
	if (st)
		kt_finding_ref_address(s->out, f, "stale object", st->id.base,
				       st->type[0] ? st->type : NULL);
	kt_finding_step(s->out, f, "%s", s->ps.how);
	if (s->have_insn && fi >= 0)
		kt_finding_step(s->out, f, "faulting instruction at 0x%" PRIx64
				" (%s): %s %s; its address 0x%" PRIx64 "%s%s",
				s->insn.addr, fn_name(s, fi), s->insn.mnemonic,
				s->insn.operands, s->ea,
				s->fault_poison ? " comes from " : "",
				s->fault_poison ? s->fault_what : "");
	log_ref(s, f);
	for (size_t i = 0; i < s->ns; i++)
		sighting_step(s, f, &s->s[i]);
	if (st)
		stale_steps(s, f, st);
	for (size_t i = 0; i < s->nst; i++) {
		if (&s->st[i] == st)
			continue;
		stale_steps(s, f, &s->st[i]);
		if (s->st[i].id.state == KT_SLAB_ALLOCATED)
			kt_finding_step(s->out, f, "  (allocated: a live object "
					"with a deleted member, likely normal)");
	}
}

/*
 * Evidence is poison the context still uses: a register, a variable, or a
 * stack word the frame's code reads again (core/liveness.h). A stale word
 * in an uninitialised local (a stack overflow's fresh frames over an old
 * stack page) is not.
 */
static bool live_sighting(struct scan *s)
{
	for (size_t i = 0; i < s->ns; i++) {
		const struct sighting *g = &s->s[i];
		struct kt_live_query q = { .reg = -1, .slot = g->addr,
					   .slot_size = 8 };
		char why[160];

		if (g->where != SEEN_WORD)
			return true;
		if (g->frame >= 0 && (size_t)g->frame < s->tr.n &&
		    kt_live_at(s->prog, &s->tr.frames[g->frame], &q, why,
			       sizeof(why)) != KT_LIVE_NO)
			return true;
	}
	return false;
}

static struct kt_error *run(struct kt_program *prog, struct kt_findings *out)
{
	struct scan *s = calloc(1, sizeof(*s));
	const struct kt_module_list *ml;
	const struct kt_task_list *tl;
	const struct kt_task *t;

	if (!s)
		return &kt_error_nomem;
	s->prog = prog;
	s->out = out;
	s->pid = -1;
	kt_addrset_init(&s->objs);
	if (kt_error_catch_any(kt_task_panicked(prog, &s->cpu, &s->task)) ||
	    kt_error_catch_any(kt_stack_trace(prog, s->task, &s->tr)))
		goto out_free;
	kt_error_catch_any(kt_modules_load(prog, &ml));
	if (!kt_error_catch_any(kt_tasks_load(prog, &tl)) &&
	    (t = kt_task_by_addr(tl, s->task)))
		s->pid = t->pid;
	poison_derive(prog, &s->ps);
	for (size_t i = 0; i < s->tr.n; i++) {
		scan_regs(s, i);
		scan_vars(s, i);
		scan_words(s, i);
	}
	for (size_t i = 0; i < s->tr.n; i++)
		objects_from_regs(s, i);
	for (size_t i = 0; i < s->tr.n; i++)
		objects_from_vars(s, i);
	for (size_t i = 0; i < s->tr.n; i++)
		objects_from_words(s, i);
	for (size_t i = 0; i < s->nst; i++)
		stale_member(s, &s->st[i]);
	fault_access(s);
	// Only poison in the context itself (the fault, a register, a stack
	// word, a variable) is evidence. Objects list_del() their members
	// before they are freed: a free (or live) object with poisoned
	// members that a dead register still points at is normal teardown.
	// A CONFIG_DEBUG_LIST report that stopped the kernel is list_debug's
	// to explain (its entry's poison is in these registers too).
	if ((s->fault_poison || live_sighting(s)) &&
	    !kt_list_report_crash(prog, &s->tr))
		report(s);
	kt_trace_deinit(&s->tr);
out_free:
	kt_addrset_deinit(&s->objs);
	free(s);
	return NULL;
}

const struct kt_plugin kt_plugin_list_poison = {
	.name = NAME,
	.summary = "the crashing task used a list entry after list_del()",
	.applies = kt_plugin_needs_panic,
	.run = run,
};
