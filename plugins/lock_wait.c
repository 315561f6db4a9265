// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What a sleeping task waits on: its waiter struct on its own stack, the
 * ring of waiters it is queued on, and the lock whose wait list heads the
 * ring. See lock_wait.h.
 */
#include <dwarf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctype.h"
#include "core/module.h"
#include "core/owner.h"
#include "core/search.h"
#include "core/task.h"
#include "core/value.h"
#include "plugins/lock_wait.h"

#define MAX_VARS 64
#define MAX_RING_NODES 4096
#define MAX_STACK_BYTES (64 * 1024)
#define MAX_CANDIDATES 4
#define MAX_POINTERS 16

/*
 * The waiter structs, by type name, with the member paths of the task
 * and of the list node, and of the wake function for wait queue entries
 * (what tells an entry from the head of its queue).
 */
struct waiter_desc {
	const char *type;
	const char *task, *list, *func;
	enum kt_wait_kind kind;
};

static const struct waiter_desc descs[] = {
	{ "mutex_waiter", "task", "list", NULL, KT_WAIT_MUTEX },
	{ "rwsem_waiter", "task", "list", NULL, KT_WAIT_RWSEM },
	{ "semaphore_waiter", "task", "list", NULL, KT_WAIT_SEMAPHORE },
	{ "swait_queue", "task", "task_list", NULL, KT_WAIT_SWAIT },
	{ "wait_queue_entry", "private", "entry", "func", KT_WAIT_QUEUE },
	{ "wait_page_queue", "wait.private", "wait.entry", "wait.func",
	  KT_WAIT_PAGE },
	{ "wait_bit_queue_entry", "wq_entry.private", "wq_entry.entry",
	  "wq_entry.func", KT_WAIT_QUEUE },
};

const char *kt_wait_kind_name(enum kt_wait_kind kind)
{
	static const char *const names[] = {
		[KT_WAIT_MUTEX] = "mutex",
		[KT_WAIT_RWSEM] = "rw_semaphore",
		[KT_WAIT_SEMAPHORE] = "semaphore",
		[KT_WAIT_COMPLETION] = "completion",
		[KT_WAIT_SWAIT] = "swait queue",
		[KT_WAIT_QUEUE] = "wait queue",
		[KT_WAIT_PERCPU_RWSEM] = "percpu_rw_semaphore",
		[KT_WAIT_PAGE] = "folio bit",
	};

	return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}

const char *kt_wait_kind_type(enum kt_wait_kind kind)
{
	static const char *const types[] = {
		[KT_WAIT_MUTEX] = "struct mutex",
		[KT_WAIT_RWSEM] = "struct rw_semaphore",
		[KT_WAIT_SEMAPHORE] = "struct semaphore",
		[KT_WAIT_COMPLETION] = "struct completion",
		[KT_WAIT_SWAIT] = "struct swait_queue_head",
		[KT_WAIT_QUEUE] = "struct wait_queue_head",
		[KT_WAIT_PERCPU_RWSEM] = "struct percpu_rw_semaphore",
		[KT_WAIT_PAGE] = NULL,
	};

	return kind < sizeof(types) / sizeof(types[0]) ? types[kind] : NULL;
}

/* A waiter-typed local in scope, and its layout from its own DIE. */
struct candidate {
	const struct waiter_desc *d;
	Dwarf_Die type;
	size_t frame;
	const char *function, *name;
	uint64_t task_off, list_off, func_off;
	uint64_t lo, hi;	/* the frame's part of the stack */
};

/* A pointer variable in scope: a struct completion * says what a swait
 * queue belongs to. */
struct pointer_var {
	char target[48];	/* "completion", "percpu_rw_semaphore" */
	Dwarf_Die type;		/* the struct pointed to */
	const char *name, *function;
	size_t frame;
	bool known;
	uint64_t value;
};

struct scope {
	struct candidate c[MAX_CANDIDATES];
	size_t nc;
	struct pointer_var p[MAX_POINTERS];
	size_t np;
};

void kt_lock_wait_ctx_init(struct kt_program *prog,
			   struct kt_lock_wait_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	kt_u64map_init(&ctx->boring);
	if (kt_error_catch_any(kt_symbol_address(prog, "__sched_text_start",
						 &ctx->sched_lo)) ||
	    kt_error_catch_any(kt_symbol_address(prog, "__sched_text_end",
						 &ctx->sched_hi)))
		ctx->sched_lo = ctx->sched_hi = 0;
}

void kt_lock_wait_ctx_deinit(struct kt_lock_wait_ctx *ctx)
{
	kt_u64map_deinit(&ctx->boring);
}

static bool in_sched_text(const struct kt_lock_wait_ctx *ctx,
			  const struct kt_frame *f)
{
	uint64_t pc = f->pc - (f->interrupted ? 0 : 1);

	return pc >= ctx->sched_lo && pc < ctx->sched_hi;
}

/* The struct a variable's type names (through typedefs), or false. */
static bool struct_of(struct kt_dwarf *dw, Dwarf_Off off, bool pointer,
		      Dwarf_Die *ret)
{
	Dwarf_Die die;

	if (!dw || !off || kt_error_catch_any(kt_dwarf_die(dw, off, &die)) ||
	    kt_error_catch_any(kt_dwarf_underlying(&die, &die)))
		return false;
	if (pointer) {
		if (dwarf_tag(&die) != DW_TAG_pointer_type ||
		    !kt_ctype_target(&die, &die) ||
		    kt_error_catch_any(kt_dwarf_underlying(&die, &die)))
			return false;
	}
	if (dwarf_tag(&die) != DW_TAG_structure_type || !dwarf_diename(&die))
		return false;
	*ret = die;
	return true;
}

static bool member_off(Dwarf_Die *type, const char *path, uint64_t *ret)
{
	struct kt_member m;

	if (kt_error_catch_any(kt_dwarf_member(type, path, &m)))
		return false;
	*ret = m.offset;
	return true;
}

static void add_candidate(struct scope *s, const struct waiter_desc *d,
			  Dwarf_Die *type, const struct kt_trace *tr, size_t i,
			  const struct kt_frame_var *v)
{
	struct candidate *c = &s->c[s->nc];

	for (size_t k = 0; k < s->nc; k++)
		if (s->c[k].d == d && s->c[k].frame == i)
			return;
	if (s->nc >= MAX_CANDIDATES || !member_off(type, d->task, &c->task_off) ||
	    !member_off(type, d->list, &c->list_off) ||
	    (d->func && !member_off(type, d->func, &c->func_off)))
		return;
	c->d = d;
	c->type = *type;
	c->frame = i;
	c->function = v->function;
	c->name = v->name;
	c->lo = tr->frames[i].sp;
	c->hi = i + 1 < tr->n ? tr->frames[i + 1].sp : 0;
	s->nc++;
}

static void add_pointer(struct scope *s, Dwarf_Die *type, size_t i,
			const struct kt_frame_var *v)
{
	struct pointer_var *p = &s->p[s->np];

	if (s->np >= MAX_POINTERS)
		return;
	snprintf(p->target, sizeof(p->target), "%s", dwarf_diename(type));
	p->type = *type;
	p->name = v->name;
	p->function = v->function;
	p->frame = i;
	p->known = v->known;
	p->value = v->value;
	s->np++;
}

/*
 * The locals of waiter types and the pointers to completions and percpu
 * rwsems in scope in the scheduler's frames and the wait point (the
 * first frame outside the __sched text, as get_wchan()), and the frame
 * after it: wait_event() builds its entry in the caller's frame.
 */
static void read_scope(struct kt_program *prog, struct kt_lock_wait_ctx *ctx,
		       const struct kt_trace *tr, struct scope *s)
{
	struct kt_frame_var v[MAX_VARS];
	size_t last = 0;
	uint64_t dummy;

	while (last < tr->n && in_sched_text(ctx, &tr->frames[last]))
		last++;
	last++;
	for (size_t i = 0; i <= last && i < tr->n; i++) {
		struct kt_dwarf *dw = kt_frame_dwarf(prog, &tr->frames[i]);
		size_t n, before = s->nc + s->np;

		if (kt_u64map_get(&ctx->boring, tr->frames[i].pc, &dummy))
			continue;
		n = kt_frame_variables(prog, tr, i, v, MAX_VARS);

		for (size_t k = 0; k < n; k++) {
			Dwarf_Die type;
			const char *name;

			if (struct_of(dw, v[k].type, true, &type)) {
				name = dwarf_diename(&type);
				if (!strcmp(name, "completion") ||
				    !strcmp(name, "percpu_rw_semaphore") ||
				    !strcmp(name, "mutex") ||
				    !strcmp(name, "rw_semaphore") ||
				    !strcmp(name, "semaphore"))
					add_pointer(s, &type, i, &v[k]);
				continue;
			}
			if (v[k].param || !struct_of(dw, v[k].type, false, &type))
				continue;
			name = dwarf_diename(&type);
			for (size_t d = 0; d < sizeof(descs) / sizeof(descs[0]); d++)
				if (!strcmp(name, descs[d].type))
					add_candidate(s, &descs[d], &type, tr, i,
						      &v[k]);
		}
		// A pc is boring for every task once it was for one: which
		// variables are in scope there does not depend on the task.
		if (s->nc + s->np == before && tr->frames[i].pc)
			kt_u64map_set(&ctx->boring, tr->frames[i].pc, 1);
	}
}

/* ---- the ring ---- */

static bool is_text(struct kt_program *prog, uint64_t addr)
{
	struct kt_symbol_hit h;

	return addr >= 0xffffffff80000000ULL && kt_symbol_lookup(prog, addr, &h) &&
	       (h.type == 't' || h.type == 'T');
}

/*
 * Is list node @node a waiter like @c? A wait queue entry has a wake
 * function; the other waiters name a task and lie on its stack. A head
 * is neither: a lock's, completion's or queue's wait list is in the lock.
 */
static bool is_waiter(struct kt_program *prog, const struct kt_task_list *tl,
		      const struct candidate *c, uint64_t node, uint64_t *task)
{
	uint64_t base = node - c->list_off, func, t, lo, hi;

	*task = 0;
	if (kt_error_catch_any(kt_read_u64(prog, base + c->task_off, &t)))
		return false;
	if (c->d->func) {
		if (kt_error_catch_any(kt_read_u64(prog, base + c->func_off,
						   &func)) ||
		    !is_text(prog, func))
			return false;
		if (kt_task_by_addr(tl, t))
			*task = t;
		return true;
	}
	if (!kt_task_by_addr(tl, t) ||
	    !kt_stack_bounds(prog, t, -1, KT_STACK_TASK, &lo, &hi) ||
	    node < lo || node + 16 > hi)
		return false;
	*task = t;
	return true;
}

static bool rwsem_writer_value(const struct candidate *c, int64_t *ret)
{
	struct kt_member m;
	Dwarf_Die type = c->type, et;

	return !kt_error_catch_any(kt_dwarf_member(&type, "type", &m)) &&
	       dwarf_offdie(dwarf_cu_getdwarf(type.cu), m.type, &et) &&
	       !kt_error_catch_any(kt_dwarf_underlying(&et, &et)) &&
	       !kt_error_catch_any(kt_dwarf_enumerator(
		       &et, "RWSEM_WAITING_FOR_WRITE", ret));
}

static void add_peer(struct kt_program *prog, const struct candidate *c,
		     uint64_t node, uint64_t task, struct kt_lock_wait *w)
{
	Dwarf_Die type_die = c->type;
	struct kt_wait_peer *p;
	uint64_t off;
	int64_t wr;
	uint32_t type;

	if (!task) {
		w->others++;
		return;
	}
	if (w->nring >= KT_WAIT_MAX_RING) {
		w->ring_cut = true;
		return;
	}
	p = &w->ring[w->nring++];
	p->task = task;
	p->waiter = node - c->list_off;
	if (c->d->kind == KT_WAIT_RWSEM && member_off(&type_die, "type", &off) &&
	    rwsem_writer_value(c, &wr) &&
	    !kt_error_catch_any(kt_read_u32(prog, p->waiter + off, &type)))
		p->write = type == (uint32_t)wr;
}

/*
 * Walk the ring from waiter list node @start: every link must be
 * consistent (next->prev == node), and exactly one node must not be a
 * waiter: the head.
 */
/*
 * 7.x's mutex and rw_semaphore keep no list head: first_waiter points to
 * the first waiter, and the waiters' list nodes make a ring of their own.
 */
static bool headless(struct kt_program *prog, const struct candidate *c)
{
	const char *type = kt_wait_kind_type(c->d->kind);

	return (c->d->kind == KT_WAIT_MUTEX || c->d->kind == KT_WAIT_RWSEM ||
		c->d->kind == KT_WAIT_SEMAPHORE) && type &&
	       kt_type_has_member(prog, type, "first_waiter");
}

static bool walk_ring(struct kt_program *prog, const struct kt_task_list *tl,
		      const struct candidate *c, uint64_t start,
		      struct kt_lock_wait *w, char *why, size_t len)
{
	uint64_t node = start, next, back, task;
	size_t heads = 0;

	w->nring = w->others = 0;
	w->ring_cut = false;
	w->head = 0;
	for (unsigned steps = 0; steps < MAX_RING_NODES; steps++) {
		if (kt_error_catch_any(kt_read_u64(prog, node, &next)) ||
		    kt_error_catch_any(kt_read_u64(prog, next + 8, &back)) ||
		    back != node) {
			snprintf(why, len, "the list at 0x%" PRIx64 " is not a "
				 "consistent ring (node 0x%" PRIx64 ")", start,
				 node);
			return false;
		}
		if (node == start || is_waiter(prog, tl, c, node, &task)) {
			add_peer(prog, c, node, node == start ? w->task : task,
				 w);
		} else {
			heads++;
			w->head = node;
		}
		node = next;
		if (node == start)
			break;
	}
	w->write = w->nring && w->ring[0].write;
	if (node == start && heads == 0 && headless(prog, c))
		return true;	// the lock is found from first_waiter
	if (node != start || heads != 1) {
		snprintf(why, len, "the ring from 0x%" PRIx64 " has %zu nodes "
			 "that are no waiter (a wait list has one head)%s",
			 start, heads, node != start ? ", or no end" : "");
		return false;
	}
	return true;
}

/* ---- where on the stack ---- */

/*
 * The waiter of @c on @tr's stack: a word equal to the task at the
 * task member, whose list node starts a consistent ring with one head.
 * The frame's own part of the stack is tried first.
 */
static bool locate(struct kt_program *prog, const struct kt_task_list *tl,
		   const struct kt_trace *tr, const struct candidate *c,
		   const uint64_t *words, uint64_t lo, size_t nwords,
		   struct kt_lock_wait *w, char *why, size_t len)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t k = 0; k < nwords; k++) {
			uint64_t at = lo + 8 * k, waiter = at - c->task_off;
			bool inside = at >= c->lo && (!c->hi || at < c->hi);

			if (words[k] != tr->task || inside != !pass ||
			    waiter < lo)
				continue;
			w->task = tr->task;
			if (walk_ring(prog, tl, c, waiter + c->list_off, w, why,
				      len)) {
				w->waiter = waiter;
				return true;
			}
		}
	}
	if (!why[0])
		snprintf(why, len, "no word of its stack is the task at %s.%s",
			 c->d->type, c->d->task);
	return false;
}

static uint64_t *read_stack(struct kt_program *prog, const struct kt_trace *tr,
			    uint64_t *lo, size_t *nwords)
{
	uint64_t slo, shi;
	uint64_t *buf;

	if (!tr->n || tr->frames[0].stack != KT_STACK_TASK ||
	    !kt_stack_bounds(prog, tr->task, -1, KT_STACK_TASK, &slo, &shi))
		return NULL;
	*lo = tr->frames[0].sp & ~7ULL;
	if (*lo < slo || *lo >= shi || shi - *lo > MAX_STACK_BYTES)
		return NULL;
	*nwords = (shi - *lo) / 8;
	buf = malloc(*nwords * 8);
	if (buf && kt_error_catch_any(kt_read(prog, *lo, buf, *nwords * 8))) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* ---- the lock ---- */

static bool type_off(struct kt_program *prog, const char *type,
		     const char *member, uint64_t *ret)
{
	return !kt_error_catch_any(kt_type_member_offset(prog, type, member,
							 ret));
}

/* A pointer of @target type in scope, preferring one equal to @lock. */
static const struct pointer_var *pointer_to(const struct scope *s,
					    const char *target)
{
	const struct pointer_var *any = NULL;

	for (size_t i = 0; i < s->np; i++) {
		if (strcmp(s->p[i].target, target))
			continue;
		if (!any || (s->p[i].known && !any->known))
			any = &s->p[i];
	}
	return any;
}

static void confirm(struct kt_lock_wait *w, const struct pointer_var *p)
{
	if (p && p->known && p->value == w->lock)
		snprintf(w->confirm, sizeof(w->confirm), "%s (in %s, frame #%zu)",
			 p->name, p->function ? p->function : "?", p->frame);
}

/* From the container a swait or wait queue head lies in. */
static bool container_lock(const struct scope *s, const char *target,
			   const char *member, uint64_t head,
			   struct kt_lock_wait *w)
{
	const struct pointer_var *p = pointer_to(s, target);
	Dwarf_Die type;
	uint64_t off;

	if (!p)
		return false;
	type = p->type;
	if (!member_off(&type, member, &off))
		return false;
	w->lock = head - off;
	if (p->known && p->value != w->lock)
		return false;
	confirm(w, p);
	return true;
}

static void page_of(struct kt_program *prog, const struct candidate *c,
		    struct kt_lock_wait *w)
{
	Dwarf_Die type = c->type;
	uint64_t off;
	uint32_t bit;

	w->bit = -1;
	if ((member_off(&type, "folio", &off) || member_off(&type, "page", &off)) &&
	    kt_error_catch_any(kt_read_u64(prog, w->waiter + off, &w->page)))
		w->page = 0;
	if (member_off(&type, "bit_nr", &off) &&
	    !kt_error_catch_any(kt_read_u32(prog, w->waiter + off, &bit)))
		w->bit = (int)bit;
}

static bool ring_waiter(const struct kt_lock_wait *w, uint64_t v)
{
	for (size_t i = 0; i < w->nring; i++)
		if (w->ring[i].waiter == v)
			return true;
	return false;
}

static bool on_a_stack(struct kt_program *prog, uint64_t addr)
{
	struct kt_owner o;

	return !kt_error_catch_any(kt_owner_identify(prog, addr, &o)) &&
	       o.n && o.ids[0].kind == KT_OWNER_STACK;
}

/*
 * The lock whose first_waiter is one of @w's ring: a pointer of its type
 * in scope (the slow path's `lock`), else the one word of memory outside
 * every stack that points to a waiter of the ring (one search).
 */
static bool first_waiter_lock(struct kt_program *prog, const struct scope *s,
			      struct kt_lock_wait *w, uint64_t off)
{
	const char *type = kt_wait_kind_type(w->kind) + 7;	/* "struct " */
	struct kt_search_options o = { 0 };
	struct kt_search_result r;
	uint64_t also[KT_SEARCH_MAX_VALUES], first, found = 0;
	size_t hits = 0;

	for (size_t i = 0; i < s->np; i++) {
		if (strcmp(s->p[i].target, type) || !s->p[i].known ||
		    kt_error_catch_any(kt_read_u64(prog, s->p[i].value + off,
						   &first)) ||
		    !ring_waiter(w, first))
			continue;
		w->lock = s->p[i].value;
		confirm(w, &s->p[i]);
		return true;
	}
	if (!w->nring)
		return false;
	o.value = w->ring[0].waiter;
	for (size_t i = 1; i < w->nring && i < KT_SEARCH_MAX_VALUES; i++)
		also[o.nalso++] = w->ring[i].waiter;
	o.also = also;
	o.limit = 64;
	if (kt_error_catch_any(kt_search(prog, &o, &r)))
		return false;
	for (size_t i = 0; i < r.n; i++) {
		if (r.hits[i].space != KT_SPACE_DIRECT &&
		    r.hits[i].space != KT_SPACE_IMAGE &&
		    r.hits[i].space != KT_SPACE_VMALLOC)
			continue;
		if (on_a_stack(prog, r.hits[i].addr) ||
		    found == r.hits[i].addr - off)
			continue;
		found = r.hits[i].addr - off;
		hits++;
	}
	kt_search_result_deinit(&r);
	if (hits != 1)
		return false;
	w->lock = found;
	return true;
}

/*
 * A wait queue entry whose wake function is percpu_rwsem_wake_function
 * is queued on a percpu_rw_semaphore's waiters (percpu_rwsem_wait(),
 * 5.8's "locking/percpu-rwsem: Remove the embedded rwsem"): the lock
 * when no pointer to it is in scope.
 */
static bool percpu_waiter(struct kt_program *prog, const struct candidate *c,
			  struct kt_lock_wait *w)
{
	struct kt_symbol_hit h;
	uint64_t func, off;

	if (!c->d->func ||
	    kt_error_catch_any(kt_read_u64(prog, w->waiter + c->func_off,
					   &func)) ||
	    !kt_symbol_lookup(prog, func, &h) || h.addr != func ||
	    strcmp(h.name, "percpu_rwsem_wake_function") ||
	    !type_off(prog, "struct percpu_rw_semaphore", "waiters", &off))
		return false;
	w->lock -= off;
	return true;
}

/*
 * percpu_rwsem_wait() queues a reader with WQ_FLAG_CUSTOM, a writer
 * without. The #define is not in DWARF, and its value moved: 0x08 while
 * WQ_FLAG_BOOKMARK (0x04) existed (up to 6.1 at least), 0x04 once it was
 * gone (6.12's wait.h; WQ_FLAG_DONE took 0x08). Neither other bit is ever
 * set on a queued percpu rwsem waiter (a bookmark is the waker's own
 * entry; DONE is the page waits'), so either bit marks a reader.
 */
#define WQ_FLAG_CUSTOM_ANY 0x0c

static void percpu_intents(struct kt_program *prog, struct kt_lock_wait *w)
{
	uint64_t off;
	uint32_t flags;

	if (!type_off(prog, "struct wait_queue_entry", "flags", &off))
		return;
	for (size_t i = 0; i < w->nring; i++)
		if (!kt_error_catch_any(kt_read_u32(prog, w->ring[i].waiter + off,
						    &flags)))
			w->ring[i].write = !(flags & WQ_FLAG_CUSTOM_ANY);
	w->write = w->nring && w->ring[0].write;
}

static bool lock_of(struct kt_program *prog, const struct scope *s,
		    const struct candidate *c, struct kt_lock_wait *w)
{
	uint64_t off;

	w->kind = c->d->kind;
	switch (c->d->kind) {
	case KT_WAIT_MUTEX:
	case KT_WAIT_RWSEM:
	case KT_WAIT_SEMAPHORE:
		if (!w->head && type_off(prog, kt_wait_kind_type(w->kind),
					 "first_waiter", &off))
			return first_waiter_lock(prog, s, w, off);
		if (!type_off(prog, kt_wait_kind_type(w->kind), "wait_list",
			      &off))
			return false;
		w->lock = w->head - off;
		return true;
	case KT_WAIT_SWAIT:
		if (!type_off(prog, "struct swait_queue_head", "task_list",
			      &off))
			return false;
		w->lock = w->head - off;
		if (container_lock(s, "completion", "wait", w->lock, w))
			w->kind = KT_WAIT_COMPLETION;
		return true;
	case KT_WAIT_QUEUE:
		if (!type_off(prog, "struct wait_queue_head", "head", &off))
			return false;
		w->lock = w->head - off;
		if (container_lock(s, "percpu_rw_semaphore", "waiters", w->lock,
				   w) ||
		    percpu_waiter(prog, c, w)) {
			w->kind = KT_WAIT_PERCPU_RWSEM;
			percpu_intents(prog, w);
		}
		return true;
	case KT_WAIT_PAGE:
		page_of(prog, c, w);
		w->lock = w->page;
		return w->page != 0;
	default:
		return false;
	}
}

bool kt_lock_wait_find(struct kt_program *prog, struct kt_lock_wait_ctx *ctx,
		       const struct kt_task_list *tl, const struct kt_trace *tr,
		       struct kt_lock_wait *ret, char *why, size_t len)
{
	struct scope s = { 0 };
	uint64_t lo;
	size_t nwords;
	uint64_t *words;
	bool found = false;

	memset(ret, 0, sizeof(*ret));
	why[0] = '\0';
	read_scope(prog, ctx, tr, &s);
	if (!s.nc) {
		snprintf(why, len, "no local of a waiter type (mutex_waiter, "
			 "rwsem_waiter, swait_queue, wait_queue_entry...) is "
			 "in scope in its scheduler frames or wait point");
		return false;
	}
	words = read_stack(prog, tr, &lo, &nwords);
	if (!words) {
		snprintf(why, len, "its stack cannot be read");
		return false;
	}
	for (size_t i = 0; i < s.nc && !found; i++) {
		const struct candidate *c = &s.c[i];

		why[0] = '\0';
		if (!locate(prog, tl, tr, c, words, lo, nwords, ret, why, len))
			continue;
		snprintf(ret->waiter_type, sizeof(ret->waiter_type),
			 "struct %s", c->d->type);
		ret->frame = c->frame;
		snprintf(ret->function, sizeof(ret->function), "%s",
			 c->function ? c->function :
			 tr->frames[c->frame].has_sym ?
			 tr->frames[c->frame].sym.name : "?");
		snprintf(ret->variable, sizeof(ret->variable), "%s", c->name);
		found = lock_of(prog, &s, c, ret);
		if (found)
			why[0] = '\0';
		else
			snprintf(why, len, "the lock around head 0x%" PRIx64
				 " has no known layout", ret->head);
	}
	free(words);
	return found;
}

/* ---- the state of a lock ---- */

static uint64_t read_member(struct kt_program *prog, uint64_t base,
			    const char *type, const char *member, unsigned size,
			    bool *ok)
{
	uint64_t off, v = 0;
	uint32_t v32;

	if (!type_off(prog, type, member, &off)) {
		*ok = false;
		return 0;
	}
	if (size == 4) {
		if (kt_error_catch_any(kt_read_u32(prog, base + off, &v32)))
			*ok = false;
		return v32;
	}
	if (kt_error_catch_any(kt_read_u64(prog, base + off, &v)))
		*ok = false;
	return v;
}

/*
 * The owner words keep flags in their low bits: MUTEX_FLAGS 0x07
 * (kernel/locking/mutex.h since 4.10's "locking/mutex: Rework
 * mutex::owner"), and RWSEM_OWNER_FLAGS_MASK, 3 bits up to 5.12 and 2
 * after (kernel/locking/rwsem.c). A task_struct is cache-line aligned, so
 * ~7 takes them off on every kernel. The rwsem count: RWSEM_WRITER_LOCKED
 * bit 0, readers from bit RWSEM_READER_SHIFT 8 to 62, bit 63
 * RWSEM_FLAG_READFAIL (5.3's "locking/rwsem: Implement a new locking
 * scheme" onwards). These are #defines: DWARF has no record of them.
 */
#define OWNER_FLAGS 7ULL
#define RWSEM_WRITER_LOCKED 1ULL
#define RWSEM_READER_SHIFT 8
#define RWSEM_FLAG_READFAIL (1ULL << 63)
#define RWSEM_READER_OWNED 1ULL

/*
 * A folio's flags are its head page's (struct folio overlays struct
 * page); the bit waited for is PG_locked for lock_page()/folio_lock().
 */
static void page_state(struct kt_program *prog, const struct kt_lock_wait *w,
		       struct kt_lock_state *ret, bool *ok)
{
	int64_t pg_locked;

	ret->flags = read_member(prog, w->page, "struct page", "flags", 8, ok);
	ret->locked = *ok && w->bit >= 0 && w->bit < 64 &&
		      (ret->flags >> w->bit & 1);
	ret->pg_locked = !kt_error_catch_any(kt_enum_value(
				 prog, "enum pageflags", "PG_locked", &pg_locked)) &&
			 pg_locked == w->bit;
}

void kt_lock_state_read(struct kt_program *prog,
			const struct kt_task_list *tl,
			const struct kt_lock_wait *w,
			struct kt_lock_state *ret)
{
	const char *type = kt_wait_kind_type(w->kind);
	bool ok = true;
	uint64_t t;

	memset(ret, 0, sizeof(*ret));
	switch (w->kind) {
	case KT_WAIT_MUTEX:
		ret->word = read_member(prog, w->lock, type, "owner", 8, &ok);
		t = ret->word & ~OWNER_FLAGS;
		ret->owner = ok && kt_task_by_addr(tl, t) ? t : 0;
		break;
	case KT_WAIT_RWSEM:
		ret->count = read_member(prog, w->lock, type, "count", 8, &ok);
		ret->word = read_member(prog, w->lock, type, "owner", 8, &ok);
		ret->writer = ret->count & RWSEM_WRITER_LOCKED;
		ret->readers = (long)((ret->count & ~RWSEM_FLAG_READFAIL) >>
				      RWSEM_READER_SHIFT);
		t = ret->word & ~OWNER_FLAGS;
		if (!ok || !kt_task_by_addr(tl, t))
			break;
		if (ret->writer && !(ret->word & RWSEM_READER_OWNED))
			ret->owner = t;
		else if (ret->word & RWSEM_READER_OWNED)
			ret->last_reader = t;
		break;
	case KT_WAIT_SEMAPHORE:
		ret->count = read_member(prog, w->lock, type, "count", 4, &ok);
		break;
	case KT_WAIT_COMPLETION:
		ret->count = read_member(prog, w->lock, type, "done", 4, &ok);
		break;
	case KT_WAIT_PERCPU_RWSEM:
		ret->block = read_member(prog, w->lock, type, "block", 4, &ok);
		t = read_member(prog, w->lock, type, "writer.task", 8, &ok);
		ret->owner = ok && kt_task_by_addr(tl, t) ? t : 0;
		break;
	case KT_WAIT_PAGE:
		page_state(prog, w, ret, &ok);
		break;
	default:
		return;
	}
	ret->read = ok;
}

/* ---- names ---- */

/*
 * Is @v of C type @type ("struct wait_queue_head"), directly or through
 * typedefs (a wait queue head is declared wait_queue_head_t)?
 */
static bool value_is(const struct kt_value *v, const char *type)
{
	char tname[KT_CTYPE_NAME];
	Dwarf_Die die = v->type;
	const char *name;

	if (!strcmp(kt_value_type_name(v, tname, sizeof(tname)), type))
		return true;
	if (!v->has_type || v->indirect ||
	    kt_error_catch_any(kt_dwarf_underlying(&die, &die)) ||
	    dwarf_tag(&die) != DW_TAG_structure_type ||
	    !(name = dwarf_diename(&die)))
		return false;
	return !strncmp(type, "struct ", 7) && !strcmp(type + 7, name);
}

/*
 * "some_dev.cfg_lock": the member path inside global @s down to an
 * object of C type @type at @addr (any type when NULL). A module's
 * variable is looked up in that module's DWARF only.
 */
static bool member_path(struct kt_program *prog, const struct kt_symbol_hit *s,
			uint64_t addr, const char *type, char *buf, size_t len)
{
	const struct kt_module *mod = s->module ? kt_module_by_addr(prog, s->addr) :
						  NULL;
	struct kt_dwarf *dw = mod ? mod->dwarf : prog->dwarf;
	struct kt_value v, child;
	Dwarf_Die vtype;
	size_t used;

	if (!dw || kt_error_catch_any(kt_dwarf_variable_type(dw, s->name, &vtype)) ||
	    kt_error_catch_any(kt_value_at(&vtype, 0, s->addr, &v)))
		return false;
	used = snprintf(buf, len, "%s", s->name);
	for (int depth = 0; depth < 12 && used < len; depth++) {
		struct kt_value_iter it = { 0 };
		bool inside = false;

		if (v.addr == addr && (!type || value_is(&v, type)))
			return true;
		for (unsigned k = 0; k < 65536 && !inside; k++) {
			if (!kt_value_next_child(&v, &it, &child))
				break;
			inside = addr >= child.addr &&
				 addr < child.addr + (child.size ? child.size : 1);
		}
		if (!inside)
			return false;
		if (child.name)
			used += snprintf(buf + used, len - used, ".%s", child.name);
		else if (child.label[0])
			used += snprintf(buf + used, len - used, "%s", child.label);
		v = child;
	}
	return false;
}

void kt_lock_name(struct kt_program *prog, uint64_t addr, const char *type,
		  char *buf, size_t len)
{
	struct kt_symbol_hit s;
	struct kt_owner o;

	if (kt_symbol_lookup(prog, addr, &s) && s.type != 't' && s.type != 'T' &&
	    member_path(prog, &s, addr, type, buf, len)) {
		if (s.module)
			snprintf(buf + strlen(buf), len - strlen(buf), " [%s]",
				 s.module);
		return;
	}
	if (!kt_error_catch_any(kt_owner_identify(prog, addr, &o))) {
		for (unsigned i = 0; i < o.n; i++) {
			const struct kt_owner_id *id = &o.ids[i];

			if (id->kind == KT_OWNER_SLAB) {
				snprintf(buf, len, "%s object 0x%" PRIx64 "+0x%" PRIx64
					 "%s", id->name, id->base, id->offset,
					 id->state == KT_SLAB_FREE ? " (free)" : "");
				return;
			}
			if (id->kind == KT_OWNER_STACK && id->task) {
				snprintf(buf, len, "on the stack of %s (pid %d)",
					 id->name, id->pid);
				return;
			}
		}
	}
	kt_owner_brief(prog, addr, buf, len);
	if (!buf[0])
		snprintf(buf, len, "0x%" PRIx64, addr);
}
