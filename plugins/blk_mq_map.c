// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * blk_mq: the map between blk-mq's software queues (one struct blk_mq_ctx
 * per CPU) and hardware queues (struct blk_mq_hw_ctx), and the I/O
 * scheduler's per-hctx data that is indexed through it.
 *
 * blk_mq_map_swqueue() builds both directions at once: for every CPU and
 * hctx type t, ctx->hctxs[t] is the hctx the CPU's I/O goes to, and that
 * hctx holds the ctx in ctxs[ctx->index_hw[hctx->type]], below nr_ctx.
 * Schedulers size per-hctx arrays by nr_ctx and index them with
 * index_hw: kyber's khd->kcqs[]. A ctx used with a hctx that does not
 * hold it indexes past the array (seed 001: kyber_bio_merge() took
 * &khd->kcqs[1].lock of a hctx with nr_ctx 1 and spun on garbage).
 *
 * For every disk's blk-mq queue: every hctx's ctxs[] against each ctx's
 * hctxs[]/index_hw[] and back, and sched_data against the elevator (none
 * without one; set where the elevator has per-hctx data; for kyber, kcqs
 * an allocated object of nr_ctx entries). On the panic task and each
 * CPU's running task: a frame with a kyber_ctx_queue pointer whose index
 * in its hctx's kcqs[] is not below nr_ctx, and whether the CPU's ctx is
 * mapped to that hctx.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dwarf.h"
#include "core/list.h"
#include "core/owner.h"
#include "core/stack.h"
#include "core/task.h"
#include "core/value.h"
#include "plugins/blk_queues.h"
#include "plugins/plugin.h"

#define NAME "blk_mq"
#define MAX_DISKS 256
#define MAX_HCTX 256		/* per queue */
#define MAX_CTX 1024		/* ctxs[] entries read per hctx */
#define MAX_TYPES 8
#define MAX_PROBLEMS 12		/* listed per queue */
#define MAX_VARS 64
#define MAX_KCQ_INDEX 4096	/* how far past kcqs[] a kcq is matched */
#define MAX_CPUS_CHECKED 4096

struct layout {
	struct kt_blk_layout blk;
	uint64_t h_ctxs, h_nr_ctx, h_nr_ctx_size, h_type, h_type_size;
	uint64_t h_sched, h_num, h_queue;
	uint64_t c_cpu, c_index_hw, c_hctxs;
	unsigned ntypes;	/* HCTX_MAX_TYPES, from hctxs[]'s size */
	uint64_t q_ctx, q_elevator, e_type, et_name;
	bool et_name_ptr;	/* const char * (5.16 on), else char[] */
	bool kyber;		/* kyber's DWARF is loaded */
	uint64_t khd_kcqs, khd_size, kcq_size;
	char type_names[MAX_TYPES][16];
};

struct hctx_info {
	uint64_t addr, ctxs, sched;
	unsigned num, type, nr_ctx;
};

struct queue {
	uint64_t q, disk, elevator;
	char name[40], elv[24];
	struct hctx_info *h;
	size_t nh;
	char problems[MAX_PROBLEMS][256];
	size_t nproblems, more;
};

struct scan {
	struct kt_program *prog;
	struct kt_findings *out;
	struct layout l;
	struct queue *queues;
	size_t nq;
};

static const char *const types[] = {
	"struct blk_mq_hw_ctx.ctxs",
	"struct blk_mq_ctx.index_hw",
	"struct request_queue.queue_ctx",
	NULL,
};

static const char *const symbols[] = {
	"blockdev_superblock",
	NULL,
};

/* ---- layout ---- */

#define AT(m) offsetof(struct layout, m)

static const struct {
	const char *type, *member;
	size_t at;
} members[] = {
	{ "struct blk_mq_hw_ctx", "ctxs", AT(h_ctxs) },
	{ "struct blk_mq_hw_ctx", "sched_data", AT(h_sched) },
	{ "struct blk_mq_hw_ctx", "queue_num", AT(h_num) },
	{ "struct blk_mq_hw_ctx", "queue", AT(h_queue) },
	{ "struct blk_mq_ctx", "cpu", AT(c_cpu) },
	{ "struct request_queue", "queue_ctx", AT(q_ctx) },
	{ "struct request_queue", "elevator", AT(q_elevator) },
	{ "struct elevator_queue", "type", AT(e_type) },
};

static struct kt_error *load_sized(struct kt_program *prog, const char *type,
				   const char *member, uint64_t *off,
				   uint64_t *size)
{
	struct kt_member m;
	struct kt_error *err = kt_type_member(prog, type, member, &m);

	if (err)
		return err;
	*off = m.offset;
	*size = m.size;
	return NULL;
}

/* "default", "read", "poll": enum hctx_type's names, lower-cased */
static void load_type_names(struct kt_program *prog, struct layout *l)
{
	static const char *const names[] = { "HCTX_TYPE_DEFAULT",
		"HCTX_TYPE_READ", "HCTX_TYPE_POLL" };
	int64_t v;

	for (unsigned t = 0; t < MAX_TYPES; t++)
		snprintf(l->type_names[t], sizeof(l->type_names[t]), "%u", t);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (kt_error_catch_any(kt_enum_value(prog, "enum hctx_type",
						     names[i], &v)) ||
		    v < 0 || v >= MAX_TYPES)
			continue;
		snprintf(l->type_names[v], sizeof(l->type_names[v]), "%s",
			 names[i] + strlen("HCTX_TYPE_"));
		for (char *c = l->type_names[v]; *c; c++)
			*c = (char)(*c - 'A' + 'a');
	}
}

static struct kt_error *load_layout(struct kt_program *prog, struct layout *l)
{
	uint64_t size, isize, nsize, kyber;
	struct kt_error *err;

	kt_type_hint(prog, "blk_mq_init_allocated_queue");
	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		err = kt_type_member_offset(prog, members[i].type,
					    members[i].member,
					    (uint64_t *)((char *)l + members[i].at));
		if (err)
			return kt_error_wrap(err, "blk-mq map layout");
	}
	if ((err = load_sized(prog, "struct blk_mq_hw_ctx", "nr_ctx",
			      &l->h_nr_ctx, &l->h_nr_ctx_size)) ||
	    (err = load_sized(prog, "struct blk_mq_hw_ctx", "type", &l->h_type,
			      &l->h_type_size)) ||
	    (err = load_sized(prog, "struct blk_mq_ctx", "hctxs", &l->c_hctxs,
			      &size)) ||
	    (err = load_sized(prog, "struct blk_mq_ctx", "index_hw",
			      &l->c_index_hw, &isize)) ||
	    (err = load_sized(prog, "struct elevator_type", "elevator_name",
			      &l->et_name, &nsize)))
		return kt_error_wrap(err, "blk-mq map layout");
	l->et_name_ptr = nsize == 8;
	// hctxs[HCTX_MAX_TYPES] of pointers, index_hw[HCTX_MAX_TYPES] of u16
	l->ntypes = (unsigned)(size / 8);
	if (l->ntypes == 0 || l->ntypes > MAX_TYPES || isize != 2 * l->ntypes)
		return kt_error_create(KT_ERR_LOOKUP, "blk-mq map layout: "
				       "struct blk_mq_ctx has hctxs of %" PRIu64
				       " bytes and index_hw of %" PRIu64
				       " (expected one pointer and one u16 a "
				       "type)", size, isize);
	load_type_names(prog, l);
	// kyber's types only where kyber is (built in, or a module loaded):
	// looking them up elsewhere indexes every CU of the DWARF for nothing
	l->kyber = !kt_error_catch_any(kt_symbol_address(prog, "kyber_sched",
							 &kyber)) &&
		   !kt_error_catch_any(kt_type_member_offset(prog,
				"struct kyber_hctx_data", "kcqs", &l->khd_kcqs)) &&
		   !kt_error_catch_any(kt_type_size(prog,
				"struct kyber_ctx_queue", &l->kcq_size)) &&
		   !kt_error_catch_any(kt_type_size(prog,
				"struct kyber_hctx_data", &l->khd_size)) &&
		   l->kcq_size;
	return kt_blk_layout_load(prog, &l->blk);
}

/* ---- reading ---- */

static bool read_uint(struct kt_program *prog, uint64_t addr, uint64_t size,
		      unsigned *ret)
{
	uint64_t v64;
	uint32_t v32;
	uint16_t v16;
	uint8_t v8;

	switch (size) {
	case 1:
		if (kt_error_catch_any(kt_read_u8(prog, addr, &v8)))
			return false;
		*ret = v8;
		return true;
	case 2:
		if (kt_error_catch_any(kt_read_u16(prog, addr, &v16)))
			return false;
		*ret = v16;
		return true;
	case 4:
		if (kt_error_catch_any(kt_read_u32(prog, addr, &v32)))
			return false;
		*ret = v32;
		return true;
	case 8:
		if (kt_error_catch_any(kt_read_u64(prog, addr, &v64)))
			return false;
		*ret = (unsigned)v64;
		return true;
	}
	return false;
}

static bool read_hctx(struct scan *s, uint64_t addr, struct hctx_info *h)
{
	memset(h, 0, sizeof(*h));
	h->addr = addr;
	return read_uint(s->prog, addr + s->l.h_nr_ctx, s->l.h_nr_ctx_size,
			 &h->nr_ctx) &&
	       read_uint(s->prog, addr + s->l.h_type, s->l.h_type_size,
			 &h->type) &&
	       read_uint(s->prog, addr + s->l.h_num, 4, &h->num) &&
	       !kt_error_catch_any(kt_read_u64(s->prog, addr + s->l.h_ctxs,
					       &h->ctxs)) &&
	       !kt_error_catch_any(kt_read_u64(s->prog, addr + s->l.h_sched,
					       &h->sched));
}

/* The ctx of @cpu in queue @q (per_cpu_ptr(q->queue_ctx, cpu)), or 0. */
static uint64_t cpu_ctx(struct scan *s, uint64_t q, unsigned cpu)
{
	uint64_t pcpu, off;

	if (kt_error_catch_any(kt_read_u64(s->prog, q + s->l.q_ctx, &pcpu)) ||
	    !pcpu || kt_error_catch_any(kt_percpu_offset(s->prog, cpu, &off)))
		return 0;
	return pcpu + off;
}

static bool ctx_hctx(struct scan *s, uint64_t ctx, unsigned t, uint64_t *h)
{
	return !kt_error_catch_any(kt_read_u64(s->prog, ctx + s->l.c_hctxs +
					       8 * t, h));
}

static bool ctx_index(struct scan *s, uint64_t ctx, unsigned t, unsigned *i)
{
	return read_uint(s->prog, ctx + s->l.c_index_hw + 2 * t, 2, i);
}

/* The CPU of @ctx (its ->cpu), or -1. */
static int ctx_cpu(struct scan *s, uint64_t ctx)
{
	unsigned cpu;

	return read_uint(s->prog, ctx + s->l.c_cpu, 4, &cpu) &&
	       cpu < s->prog->nr_cpu_ids ? (int)cpu : -1;
}

static const struct hctx_info *find_hctx(const struct queue *q, uint64_t a)
{
	for (size_t i = 0; i < q->nh; i++)
		if (q->h[i].addr == a)
			return &q->h[i];
	return NULL;
}

/* Is @ctx in h->ctxs[0 .. nr_ctx)? Its index, or -1. */
static long held_at(struct scan *s, const struct hctx_info *h, uint64_t ctx)
{
	uint64_t c;

	for (unsigned i = 0; i < h->nr_ctx && i < MAX_CTX; i++)
		if (!kt_error_catch_any(kt_read_u64(s->prog, h->ctxs + 8 * i,
						    &c)) && c == ctx)
			return i;
	return -1;
}

/* ---- the per-queue checks ---- */

static void problem(struct queue *q, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void problem(struct queue *q, const char *fmt, ...)
{
	va_list ap;

	if (q->nproblems >= MAX_PROBLEMS) {
		q->more++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(q->problems[q->nproblems++], sizeof(q->problems[0]), fmt, ap);
	va_end(ap);
}

static const char *tname(struct scan *s, unsigned t)
{
	return t < MAX_TYPES ? s->l.type_names[t] : "?";
}

/* Each hctx's ctxs[i] points back: ctx->hctxs[type] and index_hw. */
static void check_hctx_side(struct scan *s, struct queue *q,
			    const struct hctx_info *h)
{
	const struct hctx_info *other;
	unsigned idx;
	uint64_t ctx, back;
	int cpu;

	if (h->type >= s->l.ntypes) {
		problem(q, "hctx %u has type %u, past the %u types", h->num,
			h->type, s->l.ntypes);
		return;
	}
	if (h->nr_ctx > s->prog->nr_cpu_ids)
		problem(q, "hctx %u has nr_ctx %u, more than the %u CPUs",
			h->num, h->nr_ctx, s->prog->nr_cpu_ids);
	for (unsigned i = 0; i < h->nr_ctx && i < MAX_CTX; i++) {
		if (kt_error_catch_any(kt_read_u64(s->prog, h->ctxs + 8 * i,
						   &ctx)))
			return;
		cpu = ctx_cpu(s, ctx);
		if (!ctx_hctx(s, ctx, h->type, &back) ||
		    !ctx_index(s, ctx, h->type, &idx)) {
			problem(q, "hctx %u's ctxs[%u] = 0x%" PRIx64 " cannot "
				"be read", h->num, i, ctx);
			continue;
		}
		if (back != h->addr && (other = find_hctx(q, back)))
			problem(q, "hctx %u holds CPU %d's ctx in ctxs[%u], but "
				"that ctx's hctxs[%s] is hctx %u", h->num, cpu,
				i, tname(s, h->type), other->num);
		else if (back != h->addr)
			problem(q, "hctx %u holds CPU %d's ctx in ctxs[%u], but "
				"that ctx's hctxs[%s] is 0x%" PRIx64, h->num, cpu,
				i, tname(s, h->type), back);
		else if (idx != i)
			problem(q, "hctx %u holds CPU %d's ctx in ctxs[%u], but "
				"that ctx's index_hw[%s] is %u", h->num, cpu, i,
				tname(s, h->type), idx);
	}
}

/* Each CPU's ctx: every hctxs[t] holds it at index_hw[hctx->type]. */
static void check_ctx_side(struct scan *s, struct queue *q, unsigned cpu)
{
	uint64_t ctx = cpu_ctx(s, q->q, cpu), hp, at;
	const struct hctx_info *h;
	unsigned idx, u;
	long held;

	if (!ctx || ctx_cpu(s, ctx) != (int)cpu)
		return;		// not a possible CPU's ctx
	for (unsigned t = 0; t < s->l.ntypes; t++) {
		if (!ctx_hctx(s, ctx, t, &hp) || !hp)
			continue;
		h = find_hctx(q, hp);
		if (!h) {
			problem(q, "CPU %u's ctx has hctxs[%s] = 0x%" PRIx64
				", no hctx of this queue", cpu, tname(s, t), hp);
			continue;
		}
		if (h->type >= s->l.ntypes || !ctx_index(s, ctx, h->type, &idx))
			continue;
		held = held_at(s, h, ctx);
		if (idx < h->nr_ctx && held == (long)idx)
			continue;
		// one line a CPU and hctx, not one a type mapped to it
		for (u = 0; u < t; u++)
			if (ctx_hctx(s, ctx, u, &at) && at == hp)
				break;
		if (u < t)
			continue;
		if (held < 0)
			problem(q, "CPU %u's ctx maps to hctx %u (hctxs[%s]), "
				"which does not hold it: index_hw[%s] is %u, "
				"hctx %u's nr_ctx %u", cpu, h->num, tname(s, t),
				tname(s, h->type), idx, h->num, h->nr_ctx);
		else
			problem(q, "CPU %u's ctx is hctx %u's ctxs[%ld], but its "
				"index_hw[%s] is %u", cpu, h->num, held,
				tname(s, h->type), idx);
	}
}

static bool allocated_object(struct scan *s, uint64_t addr, uint64_t min,
			     char *why, size_t len)
{
	struct kt_owner o;
	const struct kt_owner_id *id;

	if (kt_error_catch_any(kt_owner_identify(s->prog, addr, &o)) || !o.n)
		return true;	// unknown: no claim
	id = &o.ids[0];
	if (id->kind == KT_OWNER_PAGE && !id->offset)
		return true;	// a large kmalloc
	if (id->kind != KT_OWNER_SLAB) {
		snprintf(why, len, "is no slab object (%s)",
			 kt_owner_kind_name(id->kind));
		return false;
	}
	if (id->state == KT_SLAB_FREE) {
		snprintf(why, len, "is a free object of %s", id->name);
		return false;
	}
	if (id->offset) {
		snprintf(why, len, "points inside an object of %s (+0x%" PRIx64
			 ")", id->name, id->offset);
		return false;
	}
	if (id->size && id->size < min) {
		snprintf(why, len, "is an object of %s, %" PRIu64 " bytes, "
			 "smaller than the %" PRIu64 " it needs", id->name,
			 id->size, min);
		return false;
	}
	return true;
}

/*
 * sched_data against the elevator: none without one (blk_mq_exit_sched()
 * clears it); under kyber, its struct kyber_hctx_data, whose kcqs[] has
 * nr_ctx entries. Other elevators keep no per-hctx data there.
 */
static void check_sched(struct scan *s, struct queue *q,
			const struct hctx_info *h)
{
	char why[160];
	uint64_t kcqs;

	if (!q->elevator) {
		if (h->sched)
			problem(q, "hctx %u has sched_data 0x%" PRIx64 " but the "
				"queue has no elevator", h->num, h->sched);
		return;
	}
	if (!s->l.kyber || strcmp(q->elv, "kyber"))
		return;
	if (!h->sched) {
		problem(q, "hctx %u has no sched_data under elevator kyber",
			h->num);
		return;
	}
	if (!allocated_object(s, h->sched, s->l.khd_size, why, sizeof(why))) {
		problem(q, "hctx %u's sched_data 0x%" PRIx64 " (a struct "
			"kyber_hctx_data under kyber) %s", h->num, h->sched, why);
		return;
	}
	if (kt_error_catch_any(kt_read_u64(s->prog, h->sched + s->l.khd_kcqs,
					   &kcqs)))
		return;
	if (!allocated_object(s, kcqs, (uint64_t)h->nr_ctx * s->l.kcq_size,
			      why, sizeof(why)))
		problem(q, "hctx %u's kyber kcqs 0x%" PRIx64 " (%u entries of "
			"%" PRIu64 " bytes) %s", h->num, kcqs, h->nr_ctx,
			s->l.kcq_size, why);
}

static void load_queue(struct scan *s, struct queue *q)
{
	uint64_t hctx[MAX_HCTX], et, name;
	unsigned num[MAX_HCTX];
	size_t n;

	kt_blk_disk_name(s->prog, &s->l.blk, q->disk, q->name, sizeof(q->name));
	if (!kt_error_catch_any(kt_read_u64(s->prog, q->q + s->l.q_elevator,
					    &q->elevator)) && q->elevator &&
	    !kt_error_catch_any(kt_read_u64(s->prog, q->elevator + s->l.e_type,
					    &et)) && et) {
		name = et + s->l.et_name;
		if ((s->l.et_name_ptr &&
		     kt_error_catch_any(kt_read_u64(s->prog, name, &name))) ||
		    kt_error_catch_any(kt_read_cstr(s->prog, name, q->elv,
						    sizeof(q->elv))))
			snprintf(q->elv, sizeof(q->elv), "?");
	}
	n = kt_blk_hctxs(s->prog, &s->l.blk, q->q, hctx, num, MAX_HCTX);
	q->h = calloc(n ? n : 1, sizeof(*q->h));
	if (!q->h)
		return;
	for (size_t i = 0; i < n; i++)
		if (read_hctx(s, hctx[i], &q->h[q->nh]))
			q->nh++;
}

static void check_queue(struct scan *s, struct queue *q)
{
	for (unsigned cpu = 0; cpu < s->prog->nr_cpu_ids &&
	     cpu < MAX_CPUS_CHECKED; cpu++)
		check_ctx_side(s, q, cpu);
	for (size_t i = 0; i < q->nh; i++)
		check_hctx_side(s, q, &q->h[i]);
	for (size_t i = 0; i < q->nh; i++)
		check_sched(s, q, &q->h[i]);
}

static void report_queue(struct scan *s, const struct queue *q)
{
	struct kt_finding *f = kt_finding_add(s->out, NAME, KT_SEV_ERROR,
					      "map:0x%" PRIx64, q->q);

	if (!f)
		return;
	kt_finding_kind(f, "ctx-hctx-map-inconsistent");
	kt_finding_title(s->out, f, "blk-mq map of %s is inconsistent: %s%s",
			 q->name, q->problems[0], q->nproblems + q->more > 1 ?
			 " (and more)" : "");
	kt_finding_explain(s->out, f, "blk_mq_map_swqueue() maps each CPU's "
			   "software queue (ctx) to a hardware queue (hctx) in "
			   "both directions: ctx->hctxs[type] is the hctx, and "
			   "the hctx holds the ctx in ctxs[ctx->index_hw["
			   "hctx->type]], below nr_ctx. The I/O schedulers size "
			   "per-hctx arrays by nr_ctx and index them with "
			   "index_hw, so a ctx used with a hctx that does not "
			   "hold it reads or locks memory past the array. On "
			   "%s, %zu of these do not agree.", q->name,
			   q->nproblems + q->more);
	kt_finding_ref_address(s->out, f, "request_queue", q->q,
			       "struct request_queue *");
	kt_finding_ref_address(s->out, f, "disk", q->disk, "struct gendisk *");
	kt_finding_step(s->out, f, "queue 0x%" PRIx64 " of disk %s: %zu hctxs, "
			"elevator %s", q->q, q->name, q->nh,
			q->elevator ? q->elv : "none");
	for (size_t i = 0; i < q->nproblems; i++)
		kt_finding_step(s->out, f, "%s", q->problems[i]);
	if (q->more)
		kt_finding_step(s->out, f, "%zu more not listed", q->more);
}

/* ---- the crashing frame: a kcq past its hctx's kcqs[] ---- */

struct kcq_hit {
	uint64_t kcq, hctx;
	bool hctx_known, hctx_param;
	const char *function;
	int frame, pid, cpu;
	uint64_t task;
};

static bool var_type_is(struct kt_program *prog, const struct kt_trace *tr,
			size_t i, const struct kt_frame_var *v,
			const char *want)
{
	struct kt_dwarf *dw = kt_frame_dwarf(prog, &tr->frames[i]);
	struct kt_value val;
	Dwarf_Die die;
	char name[96];

	if (!dw || !v->type || kt_error_catch_any(kt_dwarf_die(dw, v->type,
							       &die)) ||
	    kt_error_catch_any(kt_value_rvalue(&die, 0, v->value, &val)))
		return false;
	kt_value_type_name(&val, name, sizeof(name));
	return !strcmp(name, want);
}

/* The innermost frame of @tr with a known struct kyber_ctx_queue *. */
static bool find_kcq(struct scan *s, const struct kt_trace *tr,
		     struct kcq_hit *hit)
{
	struct kt_frame_var v[MAX_VARS];

	for (size_t i = 0; i < tr->n; i++) {
		size_t n = kt_frame_variables(s->prog, tr, i, v, MAX_VARS);
		bool found = false;

		memset(hit, 0, sizeof(*hit));
		for (size_t k = 0; k < n; k++) {
			if (!v[k].known || v[k].size != 8 || !v[k].value)
				continue;
			if (!found && var_type_is(s->prog, tr, i, &v[k],
					"struct kyber_ctx_queue *")) {
				hit->kcq = v[k].value;
				found = true;
			} else if (!hit->hctx_known &&
				   var_type_is(s->prog, tr, i, &v[k],
					       "struct blk_mq_hw_ctx *")) {
				hit->hctx = v[k].value;
				hit->hctx_known = true;
				hit->hctx_param = v[k].param;
			}
		}
		if (found) {
			hit->frame = (int)i;
			hit->function = tr->frames[i].has_sym ?
				tr->frames[i].sym.name : "?";
			return true;
		}
	}
	return false;
}

/* kcqs of @h (khd->kcqs), or 0. */
static uint64_t kcqs_of(struct scan *s, const struct hctx_info *h)
{
	uint64_t kcqs;

	if (!h->sched || kt_error_catch_any(kt_read_u64(s->prog, h->sched +
							s->l.khd_kcqs, &kcqs)))
		return 0;
	return kcqs;
}

/* The hctx and queue @hit's kcq belongs to: its own, else the nearest
 * kcqs[] below it. */
static const struct hctx_info *kcq_hctx(struct scan *s, const struct kcq_hit *hit,
					const struct queue **qret)
{
	const struct hctx_info *best = NULL;
	uint64_t best_base = 0, base;

	for (size_t i = 0; i < s->nq; i++) {
		const struct queue *q = &s->queues[i];

		for (size_t k = 0; k < q->nh; k++) {
			if (hit->hctx_known && q->h[k].addr == hit->hctx) {
				*qret = q;
				return &q->h[k];
			}
			base = kcqs_of(s, &q->h[k]);
			if (!hit->hctx_known && base && base <= hit->kcq &&
			    hit->kcq - base < MAX_KCQ_INDEX * s->l.kcq_size &&
			    base > best_base) {
				best = &q->h[k];
				best_base = base;
				*qret = q;
			}
		}
	}
	return best;
}

static void report_kcq(struct scan *s, const struct kcq_hit *hit)
{
	const struct queue *q = NULL;
	const struct hctx_info *h = kcq_hctx(s, hit, &q);
	uint64_t kcqs, ctx = 0, back = 0;
	unsigned idx = 0, index, rem;
	bool mapped = false;
	long held = -1;
	char why[200] = "";
	struct kt_finding *f;

	if (!h || !(kcqs = kcqs_of(s, h)) || hit->kcq < kcqs)
		return;
	index = (unsigned)((hit->kcq - kcqs) / s->l.kcq_size);
	rem = (unsigned)((hit->kcq - kcqs) % s->l.kcq_size);
	if (index < h->nr_ctx && !rem)
		return;
	if (hit->cpu >= 0 && (ctx = cpu_ctx(s, q->q, (unsigned)hit->cpu))) {
		held = held_at(s, h, ctx);
		for (unsigned t = 0; t < s->l.ntypes; t++)
			if (ctx_hctx(s, ctx, t, &back) && back == h->addr)
				mapped = true;
		if (h->type < s->l.ntypes)
			ctx_index(s, ctx, h->type, &idx);
	}
	if (!ctx)
		snprintf(why, sizeof(why), ": past the end of khd->kcqs[]");
	else if (held < 0 && hit->hctx_param && !mapped)
		snprintf(why, sizeof(why), ": the ctx of CPU %d is not mapped to "
			 "this hctx (the task moved CPUs between blk_mq_get_ctx "
			 "and bio_merge)", hit->cpu);
	else if (held < 0 && mapped)
		snprintf(why, sizeof(why), ": the ctx of CPU %d is not mapped to "
			 "this hctx (its hctxs[] points here, but the hctx's "
			 "ctxs[] does not hold it)", hit->cpu);
	else if (held < 0)
		snprintf(why, sizeof(why), ": the ctx of CPU %d is not mapped to "
			 "this hctx", hit->cpu);
	else
		snprintf(why, sizeof(why), ": CPU %d's ctx is the hctx's "
			 "ctxs[%ld], but its index_hw[%s] is %u", hit->cpu, held,
			 tname(s, h->type), idx);
	f = kt_finding_add(s->out, NAME, KT_SEV_CRITICAL, "kcq:0x%" PRIx64,
			   hit->kcq);
	if (!f)
		return;
	kt_finding_kind(f, "kcq-out-of-bounds");
	if (rem)
		kt_finding_title(s->out, f, "%s: kcq is %u bytes into index %u "
				 "but hctx->nr_ctx is %u%s", hit->function, rem,
				 index, h->nr_ctx, why);
	else
		kt_finding_title(s->out, f, "%s: kcq is index %u but "
				 "hctx->nr_ctx is %u%s", hit->function, index,
				 h->nr_ctx, why);
	kt_finding_explain(s->out, f, "Frame #%d (%s) of pid %d on CPU %d "
			   "uses kyber context queue 0x%" PRIx64 ", entry %u of "
			   "khd->kcqs[] of hctx %u of %s, which has nr_ctx %u "
			   "entries: it is memory past the array (what its lock "
			   "and lists hold is not a kcq). kyber indexes kcqs[] "
			   "with ctx->index_hw[hctx->type] of the CPU's ctx, "
			   "valid only for a hctx that holds that ctx.",
			   hit->frame, hit->function, hit->pid, hit->cpu,
			   hit->kcq, index, h->num, q->name, h->nr_ctx);
	kt_finding_ref_task(s->out, f, "task", hit->pid, hit->task);
	kt_finding_ref_frame(s->out, f, "frame", hit->pid, hit->task,
			     hit->frame, hit->function);
	if (hit->cpu >= 0)
		kt_finding_ref_cpu(s->out, f, "cpu", hit->cpu);
	kt_finding_ref_address(s->out, f, "kcq", hit->kcq,
			       "struct kyber_ctx_queue *");
	kt_finding_ref_address(s->out, f, "hctx", h->addr,
			       "struct blk_mq_hw_ctx *");
	kt_finding_ref_address(s->out, f, "kcqs", kcqs,
			       "struct kyber_ctx_queue *");
	if (ctx)
		kt_finding_ref_address(s->out, f, "ctx of the CPU", ctx,
				       "struct blk_mq_ctx *");
	kt_finding_step(s->out, f, "frame #%d %s: kcq = 0x%" PRIx64 " (a "
			"struct kyber_ctx_queue * in its DWARF)%s", hit->frame,
			hit->function, hit->kcq, hit->hctx_known ?
			(hit->hctx_param ? ", hctx a parameter" :
			 ", hctx a local") : "");
	kt_finding_step(s->out, f, "hctx %u (0x%" PRIx64 ") of %s: nr_ctx %u, "
			"sched_data 0x%" PRIx64 ", kcqs 0x%" PRIx64 " (sizeof("
			"struct kyber_ctx_queue) = %" PRIu64 ")", h->num, h->addr,
			q->name, h->nr_ctx, h->sched, kcqs, s->l.kcq_size);
	kt_finding_step(s->out, f, "(kcq - kcqs) / %" PRIu64 " = %u, remainder "
			"%u", s->l.kcq_size, index, rem);
	if (ctx)
		kt_finding_step(s->out, f, "CPU %d's ctx 0x%" PRIx64 " (per_cpu "
				"q->queue_ctx): %s; index_hw[%s] = %u; %s",
				hit->cpu, ctx, held < 0 ?
				"not in the hctx's ctxs[]" : "in the hctx's "
				"ctxs[]", tname(s, h->type), idx, mapped ?
				"its hctxs[] points to this hctx" :
				"its hctxs[] point elsewhere");
}

static void check_task(struct scan *s, uint64_t task, struct kt_addrset *seen)
{
	const struct kt_task_list *tl;
	const struct kt_task *t;
	struct kt_trace tr;
	struct kcq_hit hit;
	bool added;

	if (!task || !kt_addrset_add(seen, task, &added) || !added ||
	    kt_error_catch_any(kt_stack_trace(s->prog, task, &tr)))
		return;
	if (find_kcq(s, &tr, &hit)) {
		hit.task = task;
		hit.cpu = tr.cpu;
		hit.pid = -1;
		if (!kt_error_catch_any(kt_tasks_load(s->prog, &tl)) &&
		    (t = kt_task_by_addr(tl, task)))
			hit.pid = t->pid;
		report_kcq(s, &hit);
	}
	kt_trace_deinit(&tr);
}

/* The panic task, then each CPU's running task. */
static void check_frames(struct scan *s)
{
	struct kt_addrset seen;
	uint64_t task;
	int cpu;

	if (!s->l.kyber)
		return;
	kt_addrset_init(&seen);
	if (!kt_error_catch_any(kt_task_panicked(s->prog, &cpu, &task)))
		check_task(s, task, &seen);
	for (unsigned c = 0; c < s->prog->nr_cpu_ids && c < MAX_CPUS_CHECKED;
	     c++)
		if (!kt_error_catch_any(kt_task_current(s->prog, c, &task)))
			check_task(s, task, &seen);
	kt_addrset_deinit(&seen);
}

/* ---- the plugin ---- */

static const char *applies(struct kt_program *prog, char *why, size_t len)
{
	struct layout l;
	struct kt_error *err = load_layout(prog, &l);

	if (!err)
		return NULL;
	snprintf(why, len, "%s", err->message);
	kt_error_destroy(err);
	return why;
}

static struct kt_error *run(struct kt_program *prog, struct kt_findings *out)
{
	struct scan s = { .prog = prog, .out = out };
	struct kt_blk_disk d[MAX_DISKS];
	struct kt_error *err = load_layout(prog, &s.l);
	size_t n;

	if (err)
		return err;
	n = kt_blk_disks(prog, &s.l.blk, d, MAX_DISKS);
	s.queues = calloc(n ? n : 1, sizeof(*s.queues));
	if (!s.queues)
		return &kt_error_nomem;
	for (size_t i = 0; i < n; i++) {
		bool dup = false;

		for (size_t k = 0; k < s.nq; k++)
			dup |= s.queues[k].q == d[i].q;
		if (dup || !kt_blk_queue_is_mq(prog, &s.l.blk, d[i].q))
			continue;
		s.queues[s.nq].q = d[i].q;
		s.queues[s.nq].disk = d[i].disk;
		load_queue(&s, &s.queues[s.nq++]);
	}
	check_frames(&s);
	for (size_t i = 0; i < s.nq; i++) {
		check_queue(&s, &s.queues[i]);
		if (s.queues[i].nproblems)
			report_queue(&s, &s.queues[i]);
	}
	for (size_t i = 0; i < s.nq; i++)
		free(s.queues[i].h);
	free(s.queues);
	return NULL;
}

const struct kt_plugin kt_plugin_blk_mq = {
	.name = NAME,
	.summary = "blk-mq software/hardware queue map and scheduler data "
		   "that do not agree (kyber's kcqs indexed past nr_ctx)",
	.types = types,
	.symbols = symbols,
	.applies = applies,
	.run = run,
};
