// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stale_refs: a task's live frame state points to a free slab object or a
 * free page (seed: a request kfree()d while its waiter, blocked, still
 * held it).
 *
 * Live state is what DWARF says a frame holds at its pc: the parameters
 * and locals whose location list covers the pc, read from the registers
 * the unwinder recovered for that frame (callee-saved ones through DWARF
 * CFI) or from their stack slots; and, for a struct that lives in memory
 * (an on-stack waiter, a wait entry), its pointer members, one level
 * down. Stack words and registers that no variable covers at the pc are
 * not live: a spill slot or a callee-saved register keeps whatever was
 * last put there long after the value died, so they are never evidence
 * on their own. Nor is a variable DWARF still locates there: GCC keeps a
 * location valid until the register is reused, not until the last use
 * (kthread()'s create, freed by its creator, stays in rbx for the
 * thread's life). A value counts when the machine code after the pc
 * reads its register or slot again (core/liveness.h); when that cannot be
 * decided the finding is only info.
 *
 * Each pointer-typed value is asked of the owner engine (core/owner.h, the
 * engine behind `kmem ADDR`): a slab object on a freelist (the slab's,
 * a CPU's, or a sheaf), or a page in the buddy allocator, is free. One
 * finding per task and object names the frames and variables holding it,
 * why it is free, and what else in memory holds the same value, from one
 * `search` of the whole dump for every held value at once.
 *
 * Severity: a sleeping task holding a free object is a warning; error
 * when the holder is blocked (D state) or is the panic task, whose frames
 * will use the object when they run again (or did, when it crashed).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hashmap.h"
#include "core/liveness.h"
#include "core/mm.h"
#include "core/module.h"
#include "core/owner.h"
#include "core/search.h"
#include "core/stack.h"
#include "core/task.h"
#include "core/value.h"
#include "plugins/plugin.h"

#define NAME "stale_refs"
#define MAX_VARS 64
#define MAX_MEMBERS 256		/* members of one on-stack struct */
#define MAX_REFS 8		/* holders listed per finding */
#define MAX_STALE 64		/* findings */
#define MAX_HITS 8		/* search hits listed per finding */
#define SEARCH_LIMIT 4096

/* One live reference: a variable (or a member of one) of a frame. */
struct ref {
	int frame;
	const char *fn;		/* the (inlined) function; DWARF-owned */
	const char *var;	/* DWARF-owned */
	const char *member;	/* NULL: the variable itself */
	bool param;
	uint64_t value;
	uint64_t slot;		/* where it lives; 0: a register */
	int reg;		/* the register, or -1 */
	char type[96];		/* its declared type */
	enum kt_live live;	/* does the code after the pc use it? */
	char live_why[160];
};

/* A free object some task holds. */
struct stale {
	const struct kt_task *t;
	bool panic;
	size_t owner;		/* index in scan.frees */
	struct ref refs[MAX_REFS];
	size_t nrefs, nmore;
	struct kt_search_hit hits[MAX_HITS];
	size_t nhits, nmorehits;
};

struct scan {
	struct kt_program *prog;
	struct kt_findings *out;
	const struct kt_mm *mm;
	uint64_t panic_task;
	/* pointer value -> 0: not free; k: frees[k - 1] */
	struct kt_u64map seen;
	struct kt_owner_id *frees;
	size_t nfrees, capfrees;
	struct stale *st;
	size_t nst, nstale_more;
	/* the task being scanned */
	const struct kt_task *t;
	struct kt_trace tr;
	size_t ntasks, nframes, nvalues;
	bool searched;
	struct kt_search_result res;
};

/* ---- is it free? ---- */

static bool is_free(const struct kt_owner_id *id)
{
	if (id->kind == KT_OWNER_SLAB)
		return id->state == KT_SLAB_FREE && !id->in_padding &&
		       id->size && id->offset < id->size;
	return id->kind == KT_OWNER_PAGE && id->page_kind == KT_PAGE_BUDDY;
}

/*
 * The free object @v points into: its index + 1 in ->frees, or 0. Slab
 * objects and buddy pages are direct-map addresses of RAM: nothing else
 * is asked of the owner engine, and each value is asked once.
 */
static size_t free_owner(struct scan *s, uint64_t v)
{
	struct kt_owner o;
	uint64_t k, pfn;

	if (!kt_mm_direct_pfn(s->mm, v, &pfn) || pfn >= s->mm->max_pfn)
		return 0;
	if (kt_u64map_get(&s->seen, v, &k))
		return k;
	s->nvalues++;
	k = 0;
	if (!kt_error_catch_any(kt_owner_identify(s->prog, v, &o))) {
		for (unsigned i = 0; i < o.n; i++) {
			const struct kt_owner_id *id = &o.ids[i];

			if (id->kind != KT_OWNER_SLAB &&
			    id->kind != KT_OWNER_PAGE)
				continue;
			if (is_free(id))
				k = i + 1;
			break;
		}
	}
	if (k) {
		if (s->nfrees == s->capfrees) {
			size_t cap = s->capfrees ? 2 * s->capfrees : 16;
			void *p = realloc(s->frees, cap * sizeof(*s->frees));

			if (!p)
				return 0;
			s->frees = p;
			s->capfrees = cap;
		}
		s->frees[s->nfrees++] = o.ids[k - 1];
		k = s->nfrees;
	}
	kt_u64map_set(&s->seen, v, k);
	return k;
}

/* ---- holders ---- */

static struct stale *stale_of(struct scan *s, size_t owner)
{
	const struct kt_owner_id *id = &s->frees[owner - 1];

	for (size_t i = 0; i < s->nst; i++)
		if (s->st[i].t == s->t &&
		    s->frees[s->st[i].owner].base == id->base)
			return &s->st[i];
	if (s->nst == MAX_STALE) {
		s->nstale_more++;
		return NULL;
	}
	memset(&s->st[s->nst], 0, sizeof(s->st[0]));
	s->st[s->nst].t = s->t;
	s->st[s->nst].panic = s->t->addr == s->panic_task;
	s->st[s->nst].owner = owner - 1;
	return &s->st[s->nst++];
}

/*
 * Is the value used after the frame's pc? A register or a stack slot is
 * asked of the machine code; a value DWARF computes (a register plus an
 * offset) is not decided.
 */
static void liveness(struct scan *s, struct ref *r, uint64_t var_lo,
		     uint64_t var_hi)
{
	struct kt_live_query q = { .reg = r->reg, .slot = r->slot,
				   .slot_size = 8, .var_lo = var_lo,
				   .var_hi = var_hi };

	if (r->reg < 0 && !r->slot) {
		r->live = KT_LIVE_UNKNOWN;
		snprintf(r->live_why, sizeof(r->live_why), "a value DWARF "
			 "computes, neither a register nor a stack slot");
		return;
	}
	r->live = kt_live_at(s->prog, &s->tr.frames[r->frame], &q,
			     r->live_why, sizeof(r->live_why));
}

static void add_ref(struct scan *s, size_t owner, struct ref *r,
		    uint64_t var_lo, uint64_t var_hi)
{
	struct stale *st = stale_of(s, owner);

	if (!st)
		return;
	for (size_t i = 0; i < st->nrefs; i++) {
		const struct ref *o = &st->refs[i];

		// an inlined scope can list a variable twice
		if (o->frame == r->frame && o->var == r->var &&
		    o->member == r->member && o->value == r->value)
			return;
	}
	if (st->nrefs == MAX_REFS) {
		st->nmore++;
		return;
	}
	liveness(s, r, var_lo, var_hi);
	st->refs[st->nrefs++] = *r;
}

static const char *fn_of(const struct kt_frame *f, const struct kt_frame_var *v)
{
	if (v->function)
		return v->function;
	return f->has_sym ? f->sym.name : "?";
}

static void ref_init(struct scan *s, size_t i, const struct kt_frame_var *v,
		     struct ref *r)
{
	memset(r, 0, sizeof(*r));
	r->frame = (int)i;
	r->fn = fn_of(&s->tr.frames[i], v);
	r->var = v->name;
	r->param = v->param;
	r->reg = -1;
}

/*
 * The pointer members of an on-stack struct @val (anonymous structs and
 * unions one level down): a struct's members are as live as the struct.
 */
static void scan_members(struct scan *s, size_t i, const struct kt_frame_var *v,
			 const struct kt_value *val, unsigned depth,
			 unsigned *budget)
{
	struct kt_value_iter it = { 0 };
	struct kt_value c;
	uint64_t p;
	size_t k;

	while (*budget && kt_value_next_child(val, &it, &c)) {
		struct ref r;

		(*budget)--;
		if (!c.name && !depth && (c.kind == KT_VALUE_STRUCT ||
					  c.kind == KT_VALUE_UNION)) {
			scan_members(s, i, v, &c, depth + 1, budget);
			continue;
		}
		if (!c.name || c.kind != KT_VALUE_POINTER || c.size != 8 ||
		    kt_error_catch_any(kt_value_read_scalar(s->prog, &c, &p)) ||
		    !(k = free_owner(s, p)))
			continue;
		ref_init(s, i, v, &r);
		r.member = c.name;
		r.value = p;
		r.slot = c.addr;
		kt_value_type_name(&c, r.type, sizeof(r.type));
		add_ref(s, k, &r, v->addr, v->addr + v->size);
	}
}

static void scan_var(struct scan *s, size_t i, struct kt_dwarf *dw,
		     const struct kt_frame_var *v)
{
	size_t k = 0;
	struct kt_value val;
	unsigned budget = MAX_MEMBERS;
	Dwarf_Die die;
	struct ref r;

	// Cheap first: a scalar that points at nothing free needs no type.
	if (v->known && v->size == 8 && !(k = free_owner(s, v->value)))
		return;
	if (!v->known && !(v->in_memory && v->size > 8))
		return;
	if (!dw || !v->type ||
	    kt_error_catch_any(kt_dwarf_die(dw, v->type, &die)))
		return;
	if (v->in_memory && !kt_error_catch_any(kt_value_at(&die, 0, v->addr,
							    &val)) &&
	    (val.kind == KT_VALUE_STRUCT || val.kind == KT_VALUE_UNION)) {
		scan_members(s, i, v, &val, 0, &budget);
		return;
	}
	if (!k || kt_error_catch_any(kt_value_rvalue(&die, 0, v->value,
						     &val)) ||
	    val.kind != KT_VALUE_POINTER)
		return;
	ref_init(s, i, v, &r);
	r.value = v->value;
	r.slot = v->in_memory ? v->addr : 0;
	r.reg = v->reg;
	kt_value_type_name(&val, r.type, sizeof(r.type));
	add_ref(s, k, &r, 0, 0);
}

static void scan_task(struct scan *s, const struct kt_task *t)
{
	struct kt_frame_var v[MAX_VARS];

	s->t = t;
	if (kt_error_catch_any(kt_stack_trace(s->prog, t->addr, &s->tr)))
		return;
	s->ntasks++;
	for (size_t i = 0; i < s->tr.n; i++) {
		const struct kt_frame *f = &s->tr.frames[i];
		struct kt_dwarf *dw;
		size_t n;

		if (f->stack == KT_STACK_USER)
			continue;
		s->nframes++;
		n = kt_frame_variables(s->prog, &s->tr, i, v, MAX_VARS);
		dw = n ? kt_frame_dwarf(s->prog, f) : NULL;
		for (size_t k = 0; k < n; k++)
			scan_var(s, i, dw, &v[k]);
	}
	kt_trace_deinit(&s->tr);
}

static enum kt_live basis(const struct stale *st);

/* ---- other references: one search for every held value ---- */

/* Which of a word's addresses to show: where it is known by name first. */
static int space_rank(enum kt_search_space sp)
{
	switch (sp) {
	case KT_SPACE_VMALLOC:
		return 0;
	case KT_SPACE_VMEMMAP:
		return 1;
	case KT_SPACE_DIRECT:
		return 2;
	default:
		return 3;
	}
}

static bool best_alias(const struct kt_search_result *res, size_t i)
{
	const struct kt_search_hit *h = &res->hits[i];

	for (size_t k = 0; k < res->n; k++)
		if (k != i && res->hits[k].paddr == h->paddr &&
		    (space_rank(res->hits[k].space) < space_rank(h->space) ||
		     (space_rank(res->hits[k].space) == space_rank(h->space) &&
		      k < i)))
			return false;
	return true;
}

static bool holds_value(const struct stale *st, uint64_t v)
{
	for (size_t i = 0; i < st->nrefs; i++)
		if (st->refs[i].value == v)
			return true;
	return false;
}

static void search_all(struct scan *s)
{
	uint64_t vals[KT_SEARCH_MAX_VALUES];
	struct kt_search_options o = { 0 };
	size_t n = 0;

	for (size_t i = 0; i < s->nst; i++)
		for (size_t r = 0; basis(&s->st[i]) != KT_LIVE_NO &&
				   r < s->st[i].nrefs; r++) {
			uint64_t v = s->st[i].refs[r].value;
			size_t k = 0;

			while (k < n && vals[k] != v)
				k++;
			if (k == n && n < KT_SEARCH_MAX_VALUES)
				vals[n++] = v;
		}
	if (!n)
		return;
	o.value = vals[0];
	o.also = vals + 1;
	o.nalso = n - 1;
	o.mode = KT_SEARCH_KERNEL;
	o.limit = SEARCH_LIMIT;
	if (kt_error_catch_any(kt_search(s->prog, &o, &s->res)))
		return;
	s->searched = true;
	for (size_t h = 0; h < s->res.n; h++) {
		if (!best_alias(&s->res, h))
			continue;
		for (size_t i = 0; i < s->nst; i++) {
			struct stale *st = &s->st[i];

			if (!holds_value(st, s->res.hits[h].value))
				continue;
			if (st->nhits < MAX_HITS)
				st->hits[st->nhits++] = s->res.hits[h];
			else
				st->nmorehits++;
		}
	}
}

/* ---- findings ---- */

/*
 * What a finding stands on: the live references if there are any; else
 * those whose liveness could not be decided (an info finding); dead ones
 * alone are no finding.
 */
static enum kt_live basis(const struct stale *st)
{
	enum kt_live b = KT_LIVE_NO;

	for (size_t i = 0; i < st->nrefs; i++) {
		if (st->refs[i].live == KT_LIVE_YES)
			return KT_LIVE_YES;
		if (st->refs[i].live == KT_LIVE_UNKNOWN)
			b = KT_LIVE_UNKNOWN;
	}
	return b;
}

/* The innermost reference of liveness @b. */
static const struct ref *lead(const struct stale *st, enum kt_live b)
{
	const struct ref *r = NULL;

	for (size_t i = 0; i < st->nrefs; i++)
		if (st->refs[i].live == b &&
		    (!r || st->refs[i].frame < r->frame))
			r = &st->refs[i];
	return r;
}

static bool blocked(const struct stale *st)
{
	return !strcmp(st->t->st, "UN");
}

static const char *state_words(const struct stale *st)
{
	if (st->panic)
		return "the panic task";
	if (blocked(st))
		return "blocked, D state";
	return st->t->st;
}

static void ref_name(const struct ref *r, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", r->var, r->member ? "." : "",
		 r->member ? r->member : "");
}

/* The lead frame's function and its references of liveness @b. */
static void holders_text(const struct stale *st, const struct ref *first,
			 char *buf, size_t len)
{
	size_t n;
	char name[128];
	bool more = false;

	n = (size_t)snprintf(buf, len, "%s:", first->fn);
	for (size_t i = 0; i < st->nrefs && n < len; i++) {
		const struct ref *r = &st->refs[i];

		if (r->frame != first->frame || r->live != first->live)
			continue;
		ref_name(r, name, sizeof(name));
		n += (size_t)snprintf(buf + n, len - n, "%s %s",
				      more ? "," : "", name);
		more = true;
	}
}

static const char *what_free(const struct kt_owner_id *id, char *buf,
			     size_t len)
{
	if (id->kind == KT_OWNER_SLAB)
		snprintf(buf, len, "free %s object 0x%" PRIx64, id->name,
			 id->base);
	else
		snprintf(buf, len, "free page 0x%" PRIx64 " (pfn 0x%" PRIx64
			 ")", id->base, id->pfn);
	return buf;
}

static void title(struct scan *s, struct kt_finding *f, const struct stale *st,
		  const struct ref *first)
{
	char holders[256], obj[128];

	holders_text(st, first, holders, sizeof(holders));
	kt_finding_title(s->out, f, "%s (pid %d, %s) holds %sa pointer to %s "
			 "in %s", st->t->comm, st->t->pid, state_words(st),
			 first->live == KT_LIVE_YES ? "" : "(liveness unknown) ",
			 what_free(&s->frees[st->owner], obj, sizeof(obj)),
			 holders);
}

static void explain(struct scan *s, struct kt_finding *f,
		    const struct stale *st, const struct ref *first)
{
	const struct kt_owner_id *id = &s->frees[st->owner];

	kt_finding_explain(s->out, f, "In frame #%d (%s) a variable whose "
		"DWARF location covers the pc points to memory the %s "
		"allocator has taken back: %s.", first->frame, first->fn,
		id->kind == KT_OWNER_SLAB ? "slab" : "page", id->reason);
	if (first->live == KT_LIVE_YES)
		kt_finding_explain(s->out, f, " The function's code reads it "
			"again after the pc: the pointer is live, not a "
			"leftover in a register or slot nobody reads.");
	else
		kt_finding_explain(s->out, f, " Whether the code uses it "
			"again could not be decided: %s.", first->live_why);
	if (st->panic)
		kt_finding_explain(s->out, f, " The holder is the task that "
			"panicked: the object may be what it was using when "
			"it crashed.");
	else if (blocked(st))
		kt_finding_explain(s->out, f, " The holder is blocked: when it "
			"wakes up it uses freed memory, or memory reallocated "
			"to someone else. The object was freed while this "
			"frame still held it: look for the free that did not "
			"wait for (or cancel) this waiter.");
	else
		kt_finding_explain(s->out, f, " When the holder runs again "
			"it uses freed memory, or memory reallocated to "
			"someone else.");
}

static void ref_step(struct scan *s, struct kt_finding *f,
		     const struct stale *st, const struct ref *r)
{
	char name[128], where[64];

	ref_name(r, name, sizeof(name));
	if (r->slot)
		snprintf(where, sizeof(where), "on the stack at 0x%" PRIx64,
			 r->slot);
	else if (r->reg >= 0)
		snprintf(where, sizeof(where), "in %s", kt_reg_names[r->reg]);
	else
		snprintf(where, sizeof(where), "computed");
	kt_finding_step(s->out, f, "frame #%d (%s): %s %s%s (%s) = 0x%"
			PRIx64 ", %s at the frame's pc (DWARF); %s: %s",
			r->frame, r->fn, r->param ? "param" : "local", name,
			r->member ? " (a member of the on-stack struct)" : "",
			r->type, r->value, where, kt_live_name(r->live),
			r->live_why);
	// one jump per frame
	for (const struct ref *o = st->refs; o < r; o++)
		if (o->frame == r->frame && o->live != KT_LIVE_NO)
			return;
	if (r->live != KT_LIVE_NO)
		kt_finding_ref_frame(s->out, f, "holder", st->t->pid,
				     st->t->addr, r->frame, r->fn);
}

static void hits_steps(struct scan *s, struct kt_finding *f,
		       const struct stale *st)
{
	char owner[96];

	if (!s->searched) {
		kt_finding_step(s->out, f, "search: not run (out of memory, "
				"or the dump could not be scanned)");
		return;
	}
	kt_finding_step(s->out, f, "search of the whole dump (%" PRIu64
			" pages) for the values held: %zu word%s hold%s one",
			s->res.pages_scanned, st->nhits + st->nmorehits,
			st->nhits + st->nmorehits == 1 ? "" : "s",
			st->nhits + st->nmorehits == 1 ? "s" : "");
	for (size_t i = 0; i < st->nhits; i++) {
		const struct kt_search_hit *h = &st->hits[i];

		kt_owner_brief(s->prog, h->addr, owner, sizeof(owner));
		kt_finding_step(s->out, f, "  0x%" PRIx64 " (%s) = 0x%" PRIx64
				": %s", h->addr, kt_search_space_name(h->space),
				h->value, owner[0] ? owner : "?");
	}
	if (st->nmorehits)
		kt_finding_step(s->out, f, "  and %zu more", st->nmorehits);
}

static enum kt_severity severity(const struct stale *st, enum kt_live b)
{
	if (b != KT_LIVE_YES)
		return KT_SEV_INFO;
	return st->panic || blocked(st) ? KT_SEV_ERROR : KT_SEV_WARNING;
}

static void report(struct scan *s, const struct stale *st)
{
	const struct kt_owner_id *id = &s->frees[st->owner];
	enum kt_live b = basis(st);
	const struct ref *first = lead(st, b);
	struct kt_finding *f;
	char obj[128];

	if (b == KT_LIVE_NO || !first)
		return;
	f = kt_finding_add(s->out, NAME, severity(st, b), "0x%" PRIx64
			   ":0x%" PRIx64, st->t->addr, id->base);
	if (!f)
		return;
	kt_finding_kind(f, "live-ref-to-free");
	title(s, f, st, first);
	explain(s, f, st, first);
	kt_finding_ref_task(s->out, f, st->panic ? "panic task" :
			    "holder task", st->t->pid, st->t->addr);
	kt_finding_ref_address(s->out, f, "free object", id->base,
			       first->type);
	kt_finding_step(s->out, f, "task %s (pid %d) state %s%s",
			st->t->comm, st->t->pid, st->t->st,
			st->panic ? ", the panic task" : "");
	for (size_t i = 0; i < st->nrefs; i++)
		ref_step(s, f, st, &st->refs[i]);
	if (st->nmore)
		kt_finding_step(s->out, f, "and %zu more references in the "
				"task's frames", st->nmore);
	kt_finding_step(s->out, f, "kmem 0x%" PRIx64 ": %s", first->value,
			what_free(id, obj, sizeof(obj)));
	if (id->kind == KT_OWNER_SLAB)
		kt_finding_step(s->out, f, "cache %s%s%s%s (0x%" PRIx64 "), "
				"object of %" PRIu64 " bytes, +0x%" PRIx64
				" held; %s", id->name, id->name2[0] ?
				" (merged: " : "", id->name2, id->name2[0] ?
				")" : "", id->cache, id->size, id->offset,
				id->reason);
	else
		kt_finding_step(s->out, f, "page of order %u in the buddy "
				"allocator; %s", id->order, id->reason);
	hits_steps(s, f, st);
}

static struct kt_error *run(struct kt_program *prog, struct kt_findings *out)
{
	struct scan *s = calloc(1, sizeof(*s));
	const struct kt_task_list *tl;
	const struct kt_module_list *ml;
	struct kt_error *err = NULL;
	int cpu;

	if (!s)
		return &kt_error_nomem;
	s->prog = prog;
	s->out = out;
	kt_u64map_init(&s->seen);
	s->st = calloc(MAX_STALE, sizeof(*s->st));
	if (!s->st) {
		err = &kt_error_nomem;
		goto out;
	}
	if ((err = kt_mm_get(prog, &s->mm)) || (err = kt_tasks_load(prog, &tl)))
		goto out;
	kt_error_catch_any(kt_modules_load(prog, &ml));
	if (kt_error_catch_any(kt_task_panicked(prog, &cpu, &s->panic_task)))
		s->panic_task = 0;
	for (size_t i = 0; i < tl->n; i++)
		scan_task(s, &tl->tasks[i]);
	search_all(s);
	for (size_t i = 0; i < s->nst; i++)
		report(s, &s->st[i]);
out:
	if (s->searched)
		kt_search_result_deinit(&s->res);
	kt_u64map_deinit(&s->seen);
	free(s->frees);
	free(s->st);
	free(s);
	return err;
}

const struct kt_plugin kt_plugin_stale_refs = {
	.name = NAME,
	.summary = "a task's live frame variables point to a free slab object "
		   "or a free page",
	.run = run,
};
