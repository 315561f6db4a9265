// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hctx_fq: a blk-mq hardware context whose flush queue pointer is bogus.
 *
 * Seed 000: blk_free_flush_queue() faulted on hctx->fq->flush_rq because
 * hctx->fq held an address that was no slab object at all. Every other
 * member of the hctx was sane, so only checking fq finds it, and where else
 * the bogus value lies in memory (a stack, one slab object) is the clue to
 * who wrote it.
 *
 * blk_alloc_flush_queue() kzalloc()s the fq, so a healthy fq is an allocated
 * object at the start of a slab object of sizeof(struct blk_flush_queue)
 * rounded up to its kmalloc cache, and its flush_rq is an allocated object
 * too. The hctxs checked are those of every disk's queue (the bdev inodes
 * of blockdev_superblock, then each queue's hctx_table, or queue_hw_ctx
 * array before 5.18, and unused_hctx_list) and those the panic task's frames reach: a queue being
 * torn down is on no list any more (blk_mq_release() runs after
 * del_gendisk()), but its hctx is in a frame variable or a stack word.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/list.h"
#include "core/mm.h"
#include "core/owner.h"
#include "core/search.h"
#include "core/stack.h"
#include "core/task.h"
#include "plugins/blk_queues.h"
#include "plugins/plugin.h"

#define NAME "hctx_fq"
#define MAX_HCTX 512		/* hctxs checked, over all queues */
#define MAX_QUEUES 256
#define MAX_DISKS 256
#define MAX_STACK_WORDS 4096
#define MAX_VARS 64
#define MAX_LISTED_HITS 16	/* search hits named one by one */
#define SEARCH_LIMIT 256
#define MAX_SEARCHES 4		/* distinct bad values searched for */

struct layout {
	struct kt_blk_layout blk;
	uint64_t hctx_size, hctx_queue, hctx_fq, hctx_num, hctx_list;
	uint64_t q_size, q_disk, q_unused;
	bool q_has_disk;	/* request_queue.disk (5.15 on) */
	uint64_t fq_size, fq_flush_rq;
};

/* A hctx to check, and how it was reached. */
struct hctx_ref {
	uint64_t hctx, q;
	int frame;		/* frame of the panic task it came from, or -1 */
	bool direct;		/* that frame holds it (not only its queue) */
	char via[160];
};

struct queue_ref {
	uint64_t q;
	uint64_t disk;		/* the disk it was reached from, or 0 */
	int frame;
	char via[128];
};

struct scan {
	struct kt_program *prog;
	struct kt_findings *out;
	struct layout l;
	int pid;
	uint64_t task;
	struct kt_trace tr;
	bool have_trace;
	struct hctx_ref *h;
	size_t nh;
	struct queue_ref *q;
	size_t nq;
	struct kt_addrset hseen, qseen;
	struct searched {
		uint64_t value;
		bool ok;
		struct kt_search_result r;
	} searched[MAX_SEARCHES];
	size_t nsearched;
	int crash_frame;	/* innermost frame holding a bad hctx */
};

static const char *const types[] = {
	"struct blk_mq_hw_ctx.fq",
	"struct blk_mq_hw_ctx.queue",
	"struct blk_flush_queue.flush_rq",
	NULL,
};

static const char *const symbols[] = {
	"blockdev_superblock",
	NULL,
};

/* The kmalloc cache size a kzalloc(@n) comes from (SLUB, x86-64). */
static uint64_t kmalloc_size(uint64_t n)
{
	uint64_t s = 8;

	if (n > 64 && n <= 96)
		return 96;
	if (n > 128 && n <= 192)
		return 192;
	while (s < n)
		s <<= 1;
	return s;
}

#define AT(m) offsetof(struct layout, m)

/* Each member offset the plugin reads, looked up (and memoised) by name. */
static const struct {
	const char *type, *member;
	size_t at;
} members[] = {
	{ "struct blk_mq_hw_ctx", "queue", AT(hctx_queue) },
	{ "struct blk_mq_hw_ctx", "fq", AT(hctx_fq) },
	{ "struct blk_mq_hw_ctx", "queue_num", AT(hctx_num) },
	{ "struct blk_mq_hw_ctx", "hctx_list", AT(hctx_list) },
	{ "struct request_queue", "unused_hctx_list", AT(q_unused) },
	{ "struct blk_flush_queue", "flush_rq", AT(fq_flush_rq) },
};

static const struct {
	const char *type;
	size_t at;
} sizes[] = {
	{ "struct blk_mq_hw_ctx", AT(hctx_size) },
	{ "struct request_queue", AT(q_size) },
	{ "struct blk_flush_queue", AT(fq_size) },
};

/* A queue knows its disk from 5.15. */
static void load_variants(struct kt_program *prog, struct layout *l)
{
	l->q_has_disk = !kt_error_catch_any(kt_type_member_offset(prog,
				"struct request_queue", "disk", &l->q_disk));
}

static struct kt_error *load_layout(struct kt_program *prog, struct layout *l)
{
	struct kt_error *err;

	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		err = kt_type_member_offset(prog, members[i].type,
					    members[i].member,
					    (uint64_t *)((char *)l + members[i].at));
		if (err)
			return kt_error_wrap(err, "blk-mq layout");
	}
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		err = kt_type_size(prog, sizes[i].type,
				   (uint64_t *)((char *)l + sizes[i].at));
		if (err)
			return kt_error_wrap(err, "blk-mq layout");
	}
	load_variants(prog, l);
	return kt_blk_layout_load(prog, &l->blk);
}

/* ---- what an address is ---- */

/*
 * The start of the allocated slab object of @size bytes that @addr points
 * into, or 0.
 */
static uint64_t object_of(struct kt_program *prog, uint64_t addr,
			  uint64_t size)
{
	const struct kt_mm *mm;
	struct kt_owner o;
	uint64_t pfn;

	// Only RAM in the direct map holds slab objects: asking only about
	// that spares building what other owners need (stacks, vmalloc).
	if (kt_error_catch_any(kt_mm_get(prog, &mm)) ||
	    !kt_mm_direct_pfn(mm, addr, &pfn) || pfn >= mm->max_pfn)
		return 0;
	if (kt_error_catch_any(kt_owner_identify(prog, addr, &o)) || !o.n)
		return 0;
	if (o.ids[0].kind != KT_OWNER_SLAB ||
	    o.ids[0].state != KT_SLAB_ALLOCATED || o.ids[0].size != size ||
	    o.ids[0].in_padding)
		return 0;
	return o.ids[0].base;
}

/* A request_queue: blk_alloc_queue() takes it from its own cache. */
static bool is_queue(struct scan *s, uint64_t addr)
{
	return addr && object_of(s->prog, addr, s->l.q_size) == addr;
}

/* A hctx: a kmalloc object whose ->queue is a request_queue. */
static bool is_hctx(struct scan *s, uint64_t addr, uint64_t *q)
{
	if (!addr ||
	    object_of(s->prog, addr, kmalloc_size(s->l.hctx_size)) != addr)
		return false;
	if (kt_error_catch_any(kt_read_u64(s->prog, addr + s->l.hctx_queue, q)))
		return false;
	return is_queue(s, *q);
}

static int panic_pid(struct kt_program *prog, uint64_t task)
{
	const struct kt_task_list *tl;
	const struct kt_task *t;

	if (kt_error_catch_any(kt_tasks_load(prog, &tl)))
		return -1;
	t = kt_task_by_addr(tl, task);
	return t ? t->pid : -1;
}

/* ---- collecting hctxs ---- */

static void add_hctx(struct scan *s, uint64_t hctx, uint64_t q, int frame,
		     bool direct, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void add_hctx(struct scan *s, uint64_t hctx, uint64_t q, int frame,
		     bool direct, const char *fmt, ...)
{
	struct hctx_ref *r;
	bool added;
	va_list ap;

	if (s->nh >= MAX_HCTX || !kt_addrset_add(&s->hseen, hctx, &added) ||
	    !added)
		return;
	r = &s->h[s->nh++];
	r->hctx = hctx;
	r->q = q;
	r->frame = frame;
	r->direct = direct;
	va_start(ap, fmt);
	vsnprintf(r->via, sizeof(r->via), fmt, ap);
	va_end(ap);
}

static void add_queue(struct scan *s, uint64_t q, uint64_t disk, int frame,
		      const char *via)
{
	bool added;

	if (s->nq >= MAX_QUEUES || !kt_addrset_add(&s->qseen, q, &added) ||
	    !added)
		return;
	s->q[s->nq].q = q;
	s->q[s->nq].disk = disk;
	s->q[s->nq].frame = frame;
	snprintf(s->q[s->nq].via, sizeof(s->q[s->nq].via), "%s", via);
	s->nq++;
}

/* A value seen in frame @frame of the panic task: a hctx, a queue? */
static void consider(struct scan *s, uint64_t v, int frame, const char *what)
{
	uint64_t q, base;
	char via[128];

	if (kt_addrset_has(&s->hseen, v) || kt_addrset_has(&s->qseen, v))
		return;
	snprintf(via, sizeof(via), "%s in frame #%d of pid %d", what, frame,
		 s->pid);
	// A word may point inside the hctx (&hctx->kobj, as the seed's did).
	base = object_of(s->prog, v, kmalloc_size(s->l.hctx_size));
	if (base && is_hctx(s, base, &q)) {
		add_hctx(s, base, q, frame, true, "%s%s", via, base == v ? "" :
			 " (points inside it)");
		return;
	}
	base = object_of(s->prog, v, s->l.q_size);
	if (base)
		add_queue(s, base, 0, frame, via);
}

static void consider_vars(struct scan *s, size_t i)
{
	struct kt_frame_var v[MAX_VARS];
	size_t n = kt_frame_variables(s->prog, &s->tr, i, v, MAX_VARS);
	char what[96];

	for (size_t k = 0; k < n; k++) {
		if (!v[k].known || v[k].size != 8)
			continue;
		snprintf(what, sizeof(what), "%s %s", v[k].param ? "param" :
			 "local", v[k].name);
		consider(s, v[k].value, (int)i, what);
	}
}

/* The words of frame @i: from its sp to the next frame's, on one stack. */
static void consider_words(struct scan *s, size_t i)
{
	const struct kt_frame *f = &s->tr.frames[i];
	uint64_t lo, hi, end, w;
	char what[64];

	if (!kt_stack_bounds(s->prog, s->task, s->tr.cpu, f->stack, &lo, &hi) ||
	    f->sp < lo || f->sp >= hi)
		return;
	end = hi;
	if (i + 1 < s->tr.n && s->tr.frames[i + 1].stack == f->stack &&
	    s->tr.frames[i + 1].sp > f->sp && s->tr.frames[i + 1].sp < hi)
		end = s->tr.frames[i + 1].sp;
	if (end - f->sp > 8 * MAX_STACK_WORDS)
		end = f->sp + 8 * MAX_STACK_WORDS;
	for (uint64_t a = f->sp & ~7ULL; a < end; a += 8) {
		if (kt_error_catch_any(kt_read_u64(s->prog, a, &w)))
			break;
		snprintf(what, sizeof(what), "word at 0x%" PRIx64, a);
		consider(s, w, (int)i, what);
	}
}

static void consider_regs(struct scan *s, size_t i)
{
	const struct kt_frame *f = &s->tr.frames[i];
	char what[32];

	if (!f->has_regs)
		return;
	for (int r = 0; r < KT_NR_REGS; r++) {
		if (!(f->regs.known & (1U << r)) || r == KT_REG_RIP ||
		    r == KT_REG_RSP)
			continue;
		snprintf(what, sizeof(what), "register %s", kt_reg_names[r]);
		consider(s, f->regs.r[r], (int)i, what);
	}
}

/* The panic task's frames: variables first (named), then registers, words. */
static void from_panic_task(struct scan *s)
{
	int cpu;

	if (kt_error_catch_any(kt_task_panicked(s->prog, &cpu, &s->task)) ||
	    kt_error_catch_any(kt_stack_trace(s->prog, s->task, &s->tr)))
		return;
	s->have_trace = true;
	s->pid = panic_pid(s->prog, s->task);
	for (size_t i = 0; i < s->tr.n; i++)
		consider_vars(s, i);
	for (size_t i = 0; i < s->tr.n; i++)
		consider_regs(s, i);
	for (size_t i = 0; i < s->tr.n; i++)
		consider_words(s, i);
}

/* Every whole disk's queue. */
static void from_disks(struct scan *s)
{
	struct kt_blk_disk d[MAX_DISKS];
	size_t n = kt_blk_disks(s->prog, &s->l.blk, d, MAX_DISKS);
	char via[128];

	for (size_t i = 0; i < n; i++) {
		snprintf(via, sizeof(via), "disk 0x%" PRIx64 " (block_device 0x%"
			 PRIx64 " on blockdev_superblock)", d[i].disk, d[i].bdev);
		add_queue(s, d[i].q, d[i].disk, -1, via);
	}
}

struct unused_arg {
	struct scan *s;
	struct queue_ref *qr;
	unsigned n;
};

static struct kt_error *unused_fn(struct kt_program *prog, uint64_t node,
				  void *arg)
{
	struct unused_arg *u = arg;

	(void)prog;
	if (++u->n > MAX_HCTX)
		return kt_error_create(KT_ERR_STOP, "enough hctxs");
	add_hctx(u->s, node - u->s->l.hctx_list, u->qr->q, u->qr->frame,
		 false, "unused_hctx_list of queue 0x%" PRIx64 " (%s)", u->qr->q,
		 u->qr->via);
	return NULL;
}

static void from_queue(struct scan *s, struct queue_ref *qr)
{
	struct unused_arg u = { .s = s, .qr = qr };
	uint64_t hctx[MAX_HCTX];
	unsigned num[MAX_HCTX];
	struct kt_error *err;
	size_t n;

	// A bio-based queue has no hctx (and no fq).
	if (!kt_blk_queue_is_mq(s->prog, &s->l.blk, qr->q))
		return;
	n = kt_blk_hctxs(s->prog, &s->l.blk, qr->q, hctx, num, MAX_HCTX);
	for (size_t i = 0; i < n; i++)
		add_hctx(s, hctx[i], qr->q, qr->frame, false, "%s[%u] of queue "
			 "0x%" PRIx64 " (%s)", s->l.blk.q_xarray ? "hctx_table" :
			 "queue_hw_ctx", num[i], qr->q, qr->via);
	err = kt_list_walk(s->prog, qr->q + s->l.q_unused, unused_fn, &u);
	kt_error_catch(&err, KT_ERR_STOP);
	kt_error_catch_any(err);
}

/* ---- checking fq ---- */

enum verdict { FQ_OK, FQ_UNKNOWN, FQ_BAD };

struct fq_check {
	uint64_t fq, flush_rq;
	bool rq_bad;		/* fq is fine, its flush_rq is not */
	char what[200];		/* what the bad value is, for the title */
	char why[400];		/* kmem's reason */
};

static const char *owner_short(const struct kt_owner_id *id)
{
	switch (id->kind) {
	case KT_OWNER_NOT_RAM:
		return "not RAM";
	case KT_OWNER_EXCLUDED:
		return "in a page the dump excluded (so no slab page)";
	case KT_OWNER_NULL:
		return "NULL";
	case KT_OWNER_NONCANONICAL:
	case KT_OWNER_POISON:
		return "non-canonical";
	case KT_OWNER_UNMAPPED:
		return "unmapped";
	default:
		return "not a slab object";
	}
}

/* Is @addr an allocated object of @size bytes (0: any), at its start? */
static enum verdict check_object(struct scan *s, uint64_t addr, uint64_t size,
				 char *what, size_t wlen, char *why,
				 size_t ylen)
{
	const struct kt_owner_id *id;
	struct kt_owner o;

	if (kt_error_catch_any(kt_owner_identify(s->prog, addr, &o)) || !o.n)
		return FQ_UNKNOWN;
	id = &o.ids[0];
	snprintf(why, ylen, "%s", id->reason);
	if (id->kind == KT_OWNER_PAGE && id->page_kind == KT_PAGE_LARGE_KMALLOC &&
	    !id->offset && (!size || size > 8192))
		return FQ_OK;
	if (id->kind != KT_OWNER_SLAB) {
		snprintf(what, wlen, "%s", owner_short(id));
		return FQ_BAD;
	}
	if (id->state == KT_SLAB_FREE) {
		snprintf(what, wlen, "a free object of %s", id->name);
		return FQ_BAD;
	}
	if (id->offset) {
		snprintf(what, wlen, "inside an object of %s (+0x%" PRIx64 ")",
			 id->name, id->offset);
		return FQ_BAD;
	}
	if (size && id->size != size) {
		snprintf(what, wlen, "an object of the wrong cache (%s, %" PRIu64
			 " bytes, not %" PRIu64 ")", id->name, id->size, size);
		return FQ_BAD;
	}
	return id->state == KT_SLAB_ALLOCATED ? FQ_OK : FQ_UNKNOWN;
}

static enum verdict check_fq(struct scan *s, uint64_t hctx, struct fq_check *c)
{
	uint64_t want = kmalloc_size(s->l.fq_size);
	char what[160];
	enum verdict v;

	memset(c, 0, sizeof(*c));
	if (kt_error_catch_any(kt_read_u64(s->prog, hctx + s->l.hctx_fq, &c->fq)))
		return FQ_UNKNOWN;
	// NULL is no bogus pointer: blk_free_flush_queue() returns on it,
	// and newer kernels leave fq NULL where a queue needs none (an
	// unused hctx of nbd's before it connects, on 7.2).
	if (!c->fq)
		return FQ_UNKNOWN;
	v = check_object(s, c->fq, want, c->what, sizeof(c->what), c->why,
			 sizeof(c->why));
	if (v != FQ_OK)
		return v;
	if (kt_error_catch_any(kt_read_u64(s->prog, c->fq + s->l.fq_flush_rq,
					   &c->flush_rq)))
		return FQ_UNKNOWN;
	v = check_object(s, c->flush_rq, 0, what, sizeof(what), c->why,
			 sizeof(c->why));
	if (v == FQ_BAD) {
		c->rq_bad = true;
		snprintf(c->what, sizeof(c->what), "a flush queue whose "
			 "flush_rq 0x%" PRIx64 " is %s", c->flush_rq, what);
	}
	return v;
}

/* ---- the finding ---- */

struct queue_desc {
	uint64_t disk, ops;
	uint32_t nr_hw;
	char disk_name[48];
	char driver[160];
};

static void describe_queue(struct scan *s, uint64_t q, struct queue_desc *d)
{
	struct kt_symbol_hit sym;
	char name[33] = "", brief[64];

	memset(d, 0, sizeof(*d));
	if (s->l.q_has_disk)
		kt_error_catch_any(kt_read_u64(s->prog, q + s->l.q_disk,
					       &d->disk));
	for (size_t i = 0; !s->l.q_has_disk && i < s->nq; i++)
		if (s->q[i].q == q)
			d->disk = s->q[i].disk;
	kt_error_catch_any(kt_read_u64(s->prog, q + s->l.blk.q_mq_ops,
				       &d->ops));
	kt_error_catch_any(kt_read_u32(s->prog, q + s->l.blk.q_nr_hw,
				       &d->nr_hw));
	if (d->disk) {
		kt_blk_disk_name(s->prog, &s->l.blk, d->disk, name, sizeof(name));
		snprintf(d->disk_name, sizeof(d->disk_name), "%s", name);
	} else {
		snprintf(d->disk_name, sizeof(d->disk_name), s->l.q_has_disk ?
			 "none (q->disk is NULL: deleted)" :
			 "none (on no disk's block_device)");
	}
	if (kt_symbol_lookup(s->prog, d->ops, &sym) && !sym.offset) {
		snprintf(d->driver, sizeof(d->driver), "%s%s%s%s", sym.name,
			 sym.module ? " [" : "", sym.module ? sym.module : "",
			 sym.module ? "]" : "");
		return;
	}
	kt_owner_brief(s->prog, d->ops, brief, sizeof(brief));
	snprintf(d->driver, sizeof(d->driver), "mq_ops 0x%" PRIx64 " has no "
		 "symbol (%s): its driver module is gone", d->ops,
		 brief[0] ? brief : "unknown");
}

/* The driver's short name for the title: "null_blk", or "?" */
static const char *driver_short(const struct queue_desc *d, char *buf,
				size_t len)
{
	const char *b = strchr(d->driver, '[');

	if (!b || !strchr(b, ']'))
		return "driver unloaded";
	snprintf(buf, len, "%.*s", (int)(strchr(b, ']') - b - 1), b + 1);
	return buf;
}

static const char *hit_role(struct scan *s, uint64_t addr)
{
	for (size_t i = 0; i < s->nh; i++)
		if (addr == s->h[i].hctx + s->l.hctx_fq)
			return " (->fq of a checked hctx)";
	return "";
}

static const struct kt_search_result *search_once(struct scan *s,
						 uint64_t value, bool *skipped)
{
	struct kt_search_options o = {
		.value = value, .width = 8, .mode = KT_SEARCH_KERNEL,
		.limit = SEARCH_LIMIT,
	};
	struct searched *c;

	*skipped = false;
	for (size_t i = 0; i < s->nsearched; i++)
		if (s->searched[i].value == value)
			return s->searched[i].ok ? &s->searched[i].r : NULL;
	if (s->nsearched == MAX_SEARCHES) {
		*skipped = true;
		return NULL;
	}
	c = &s->searched[s->nsearched++];
	c->value = value;
	c->ok = !kt_error_catch_any(kt_search(s->prog, &o, &c->r));
	return c->ok ? &c->r : NULL;
}

/* Slab objects first (the clue), then symbols, stacks, the rest. */
static int hit_rank(const struct kt_owner *o)
{
	switch (o->n ? o->ids[0].kind : KT_OWNER_UNKNOWN) {
	case KT_OWNER_SLAB:
		return 0;
	case KT_OWNER_SYMBOL:
		return 1;
	case KT_OWNER_STACK:
		return 2;
	default:
		return 3;
	}
}

static void list_hits(struct scan *s, struct kt_finding *f,
		      const struct kt_search_result *r, size_t count[4])
{
	size_t listed = 0;
	struct kt_owner ow;
	char brief[96];

	for (int rank = 0; rank < 4; rank++) {
		for (size_t i = 0; i < r->n; i++) {
			if (kt_error_catch_any(kt_owner_identify(s->prog,
					r->hits[i].addr, &ow)) ||
			    hit_rank(&ow) != rank)
				continue;
			count[rank]++;
			if (listed++ >= MAX_LISTED_HITS)
				continue;
			kt_owner_format(&ow, brief, sizeof(brief));
			kt_finding_step(s->out, f, "  0x%" PRIx64 " (%s): %s%s",
					r->hits[i].addr,
					kt_search_space_name(r->hits[i].space),
					brief, hit_role(s, r->hits[i].addr));
			if (rank < 2)
				kt_finding_ref_address(s->out, f,
					"holds the same value", r->hits[i].addr,
					NULL);
		}
	}
	if (listed > MAX_LISTED_HITS)
		kt_finding_step(s->out, f, "  ... and %zu more (of the kinds "
				"listed last: stacks, pages)",
				listed - MAX_LISTED_HITS);
}

/* Where else the bogus value lies: the clue to who wrote it. */
static void search_value(struct scan *s, struct kt_finding *f, uint64_t value)
{
	const struct kt_search_result *r;
	size_t count[4] = { 0 };
	bool skipped;

	r = search_once(s, value, &skipped);
	if (!r) {
		kt_finding_step(s->out, f, "search for 0x%" PRIx64 " %s", value,
				skipped ? "skipped: too many bad values" :
				"failed");
		return;
	}
	// No time here: a finding is the same on every run (reports diff).
	kt_finding_step(s->out, f, "search -k 0x%" PRIx64 " (8-byte words, "
			"all memory the dump holds): %zu hit%s%s, "
			"slab objects first", value, r->n,
			r->n == 1 ? "" : "s",
			r->more ? " and more past the limit" : "");
	list_hits(s, f, r, count);
	kt_finding_explain(s->out, f, " The value also lies in %zu slab "
			   "object word%s, %zu kernel or module variable%s and "
			   "%zu stack word%s (%zu hits in all, listed in the "
			   "derivation): a variable or slab object holding it "
			   "other than a hctx's fq, or a stack other than the "
			   "crashing one, points at who wrote it.", count[0],
			   count[0] == 1 ? "" : "s", count[1],
			   count[1] == 1 ? "" : "s", count[2],
			   count[2] == 1 ? "" : "s", r->n);
}

/* How many checked hctxs of queue @q hold @fq. */
static size_t same_fq(struct scan *s, uint64_t q, uint64_t fq, size_t *nq)
{
	size_t n = 0;
	uint64_t v;

	*nq = 0;
	for (size_t i = 0; i < s->nh; i++) {
		if (s->h[i].q != q)
			continue;
		(*nq)++;
		if (!kt_error_catch_any(kt_read_u64(s->prog, s->h[i].hctx +
						    s->l.hctx_fq, &v)) &&
		    v == fq)
			n++;
	}
	return n;
}

static void explain(struct scan *s, struct kt_finding *f,
		    const struct hctx_ref *h, const struct fq_check *c,
		    const struct queue_desc *d)
{
	uint64_t want = kmalloc_size(s->l.fq_size), q;
	size_t nsame, nq = 0;

	kt_finding_explain(s->out, f, "blk_alloc_flush_queue() kzalloc()s "
		"each hctx's flush queue (struct blk_flush_queue, %" PRIu64
		" bytes, so an object of a %" PRIu64 "-byte kmalloc cache) and "
		"its flush_rq; blk_mq_exit_hctx() and blk_free_flush_queue() "
		"dereference fq->flush_rq. This hctx's fq 0x%" PRIx64 " is %s, "
		"so whatever tears the queue down faults on it.", s->l.fq_size,
		want, c->fq, c->what);
	nsame = same_fq(s, h->q, c->fq, &nq);
	if (nsame > 1)
		kt_finding_explain(s->out, f, " %zu of the %zu hctxs of this "
				   "queue hold the same fq: one writer "
				   "overwrote them all, not a random bit flip.",
				   nsame, nq);
	if (is_hctx(s, h->hctx, &q) && q == h->q)
		kt_finding_explain(s->out, f, " The hctx itself is an "
			"allocated object and its ->queue points back to its "
			"request_queue, so the hctx was not freed: its fq "
			"member was overwritten. Suspect the driver (%s) and "
			"whatever runs in its exit_hctx/teardown path.",
			d->driver);
	else
		kt_finding_explain(s->out, f, " The hctx itself is not an "
			"allocated hctx-sized object whose ->queue points back "
			"to the queue: it may have been freed and reused, "
			"which would explain its fq too. Driver: %s.",
			d->driver);
}

static void report(struct scan *s, const struct hctx_ref *h,
		   const struct fq_check *c)
{
	// The innermost one the panic task holds is what it crashed on.
	enum kt_severity sev = h->direct && h->frame == s->crash_frame ?
			       KT_SEV_CRITICAL : KT_SEV_ERROR;
	struct queue_desc d;
	struct kt_finding *f;
	uint32_t num = 0;
	char drv[48];

	describe_queue(s, h->q, &d);
	kt_error_catch_any(kt_read_u32(s->prog, h->hctx + s->l.hctx_num, &num));
	f = kt_finding_add(s->out, NAME, sev, "0x%" PRIx64, h->hctx);
	if (!f)
		return;
	kt_finding_kind(f, c->rq_bad ? "bad-flush-rq" : "bad-flush-queue");
	kt_finding_title(s->out, f, "hctx 0x%" PRIx64 " (queue 0x%" PRIx64
			 ", %s, %s): fq 0x%" PRIx64 " is %s", h->hctx, h->q,
			 d.disk ? d.disk_name : "no disk",
			 driver_short(&d, drv, sizeof(drv)), c->fq,
			 c->rq_bad ? "a flush queue with a bad flush_rq" :
			 c->what);
	explain(s, f, h, c, &d);
	kt_finding_ref_address(s->out, f, "hctx", h->hctx,
			       "struct blk_mq_hw_ctx *");
	kt_finding_ref_address(s->out, f, "request_queue", h->q,
			       "struct request_queue *");
	if (d.disk)
		kt_finding_ref_address(s->out, f, "disk", d.disk,
				       "struct gendisk *");
	kt_finding_ref_address(s->out, f, "bogus fq", c->fq,
			       "struct blk_flush_queue *");
	if (h->direct) {
		kt_finding_ref_task(s->out, f, "panic task", s->pid, s->task);
		kt_finding_ref_frame(s->out, f, "frame that holds the hctx",
				     s->pid, s->task, h->frame,
				     s->tr.frames[h->frame].has_sym ?
				     s->tr.frames[h->frame].sym.name : NULL);
	}
	kt_finding_step(s->out, f, "hctx 0x%" PRIx64 " (hw queue %u) found "
			"as %s", h->hctx, num, h->via);
	kt_finding_step(s->out, f, "request_queue 0x%" PRIx64 ": disk %s, "
			"nr_hw_queues %u, driver %s", h->q, d.disk_name, d.nr_hw,
			d.driver);
	kt_finding_step(s->out, f, "expected fq: an allocated object at the "
			"start of a %" PRIu64 "-byte slab object (sizeof(struct "
			"blk_flush_queue) = %" PRIu64 ", kmalloc-rounded)",
			kmalloc_size(s->l.fq_size), s->l.fq_size);
	kt_finding_step(s->out, f, "hctx->fq (at +0x%" PRIx64 ") = 0x%" PRIx64
			": %s (kmem: %s)", s->l.hctx_fq, c->fq, c->what, c->why);
	search_value(s, f, c->rq_bad ? c->flush_rq : c->fq);
}

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
	struct scan s = { .prog = prog, .out = out, .pid = -1,
			  .crash_frame = -1 };
	struct kt_error *err = load_layout(prog, &s.l);
	struct fq_check *c = NULL;
	enum verdict *v = NULL;

	if (err)
		return err;
	s.h = calloc(MAX_HCTX, sizeof(*s.h));
	s.q = calloc(MAX_QUEUES, sizeof(*s.q));
	c = calloc(MAX_HCTX, sizeof(*c));
	v = calloc(MAX_HCTX, sizeof(*v));
	kt_addrset_init(&s.hseen);
	kt_addrset_init(&s.qseen);
	if (!s.h || !s.q || !c || !v) {
		err = &kt_error_nomem;
		goto out;
	}
	from_panic_task(&s);
	from_disks(&s);
	for (size_t i = 0; i < s.nq; i++)
		from_queue(&s, &s.q[i]);
	for (size_t i = 0; i < s.nh; i++) {
		v[i] = check_fq(&s, s.h[i].hctx, &c[i]);
		if (v[i] == FQ_BAD && s.h[i].direct &&
		    (s.crash_frame < 0 || s.h[i].frame < s.crash_frame))
			s.crash_frame = s.h[i].frame;
	}
	for (size_t i = 0; i < s.nh; i++)
		if (v[i] == FQ_BAD)
			report(&s, &s.h[i], &c[i]);
out:
	for (size_t i = 0; i < s.nsearched; i++)
		if (s.searched[i].ok)
			kt_search_result_deinit(&s.searched[i].r);
	free(c);
	free(v);
	if (s.have_trace)
		kt_trace_deinit(&s.tr);
	kt_addrset_deinit(&s.hseen);
	kt_addrset_deinit(&s.qseen);
	free(s.h);
	free(s.q);
	return err;
}

const struct kt_plugin kt_plugin_hctx_fq = {
	.name = NAME,
	.summary = "blk-mq hctx whose flush queue pointer is no flush queue",
	.types = types,
	.symbols = symbols,
	.applies = applies,
	.run = run,
};
