// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hashmap.h"
#include "core/list.h"
#include "core/mm.h"
#include "core/program.h"
#include "core/sanitize.h"
#include "core/sheaf.h"
#include "core/slab.h"

/* A per-slab freelist longer than this is not a SLUB slab. */
#define MAX_SLAB_OBJECTS 32768
/* Bound on a CPU's chain of partial slabs. */
#define MAX_CPU_PARTIAL 100000

/* Member offsets, looked up once. */
struct slab_layout {
	bool have_struct_slab;	/* 5.17+: struct slab overlays struct page */
	const char *slab_type;	/* "struct slab" or "struct page" */
	uint64_t c_size, c_object_size, c_offset, c_oo, c_refcount;
	uint64_t c_red_left_pad, c_name, c_list, c_random, c_cpu_slab;
	uint64_t c_flags;
	/*
	 * the kmem_cache_node of node n: a pointer at c_node + n * node_stride
	 * (node[], or per_node[].node when per_node[] also has the barn)
	 */
	uint64_t c_node, node_stride, c_barn;
	bool have_barn;
	bool have_cpu_slab;	/* kmem_cache_cpu: gone with sheaves */
	struct kt_sheaf_layout sheaf;
	bool have_random;
	uint64_t cc_freelist, cc_slab, cc_partial;
	bool have_cpu_partial;
	uint64_t s_cache, s_freelist, s_list, s_next;
	struct kt_member s_inuse, s_objects, s_frozen;
	uint64_t n_partial, n_nr_slabs, n_total_objects;
	bool have_node_counts;	/* CONFIG_SLUB_DEBUG */
};

/* One walk of a freelist. */
struct chain {
	uint64_t first;		/* object 0 of the slab */
	unsigned nobjects;
	int32_t *pos;		/* per object: position on the chain, or -1 */
	unsigned n;		/* entries walked */
	bool corrupt;
	char why[112];
};

struct cpu_state {
	uint64_t slab, freelist, partial;
	unsigned n;		/* objects on its freelist */
	bool corrupt;
	char why[112];
};

struct cache_state {
	bool cpu_loaded, node_loaded;
	struct cpu_state *cpu;		/* nr_cpu_ids entries */
	struct kt_u64map cpu_free;	/* object -> cpu << 32 | position */
	struct kt_u64map cpu_partial;	/* slab -> cpu + 1 */
	struct kt_u64map node_partial;	/* slab -> node + 1 */
	struct kt_u64map sheaf_free;	/* object -> sheaf_key() */
	unsigned sheaf_n, sheaf_bad;	/* objects in sheaves; bad sheaves */
	uint64_t *pages;		/* its slabs, from the page scan */
	size_t npages, cap;
};

struct kt_slabs {
	struct slab_layout l;
	struct kt_slab_cache_list list;
	unsigned cap;			/* of list.caches */
	struct cache_state *cs;		/* parallel to list.caches */
	struct kt_u64map by_addr;	/* cache address -> index + 1 */
	struct kt_u64map slabs;		/* slab -> struct chain * */
	bool aliases_loaded;
	bool pages_scanned;		/* cache_state.pages filled */
};

static struct kt_error *member(struct kt_program *prog, const char *type,
			       const char *name, uint64_t *ret)
{
	return kt_type_member_offset(prog, type, name, ret);
}

static struct kt_error *node_counts(struct kt_program *prog,
				    struct slab_layout *l);

/*
 * kmem_cache.node[] of pointers, or per_node[] of {barn, node} where the
 * cache has sheaves.
 */
static struct kt_error *node_layout(struct kt_program *prog,
				    struct slab_layout *l)
{
	struct kt_error *err;
	uint64_t base, off;

	if (kt_type_has_member(prog, "struct kmem_cache", "node")) {
		l->node_stride = 8;
		return member(prog, "struct kmem_cache", "node", &l->c_node);
	}
	err = member(prog, "struct kmem_cache", "per_node", &base);
	if (!err)
		err = kt_type_size(prog, "struct kmem_cache_per_node_ptrs",
				   &l->node_stride);
	if (!err)
		err = member(prog, "struct kmem_cache_per_node_ptrs", "node",
			     &off);
	if (err)
		return kt_error_wrap(err, "struct kmem_cache has no node[]");
	l->c_node = base + off;
	l->have_barn = !member(prog, "struct kmem_cache_per_node_ptrs", "barn",
			       &off);
	l->c_barn = base + off;
	return NULL;
}

static struct kt_error *load_cache_layout(struct kt_program *prog,
					  struct slab_layout *l)
{
	static const struct {
		const char *name;
		size_t off;
	} cm[] = {
		{ "size", offsetof(struct slab_layout, c_size) },
		{ "object_size", offsetof(struct slab_layout, c_object_size) },
		{ "offset", offsetof(struct slab_layout, c_offset) },
		{ "oo", offsetof(struct slab_layout, c_oo) },
		{ "refcount", offsetof(struct slab_layout, c_refcount) },
		{ "red_left_pad", offsetof(struct slab_layout, c_red_left_pad) },
		{ "name", offsetof(struct slab_layout, c_name) },
		{ "list", offsetof(struct slab_layout, c_list) },
		{ "flags", offsetof(struct slab_layout, c_flags) },
	};
	struct kt_error *err;

	for (size_t i = 0; i < sizeof(cm) / sizeof(cm[0]); i++) {
		err = member(prog, "struct kmem_cache", cm[i].name,
			     (uint64_t *)((char *)l + cm[i].off));
		if (err)
			return err;
	}
	// CONFIG_SLAB_FREELIST_HARDENED (4.14) adds kmem_cache.random.
	l->have_random = kt_type_has_member(prog, "struct kmem_cache", "random");
	if (l->have_random) {
		err = member(prog, "struct kmem_cache", "random", &l->c_random);
		if (err)
			return err;
	}
	err = node_layout(prog, l);
	if (!err)
		err = kt_sheaf_layout(prog, &l->sheaf);
	if (err)
		return err;
	// With sheaves, SLUB dropped the per-CPU slab (kmem_cache_cpu).
	l->have_cpu_slab = kt_type_has_member(prog, "struct kmem_cache",
					      "cpu_slab");
	if (!l->have_cpu_slab)
		return member(prog, "struct kmem_cache_node", "partial",
			      &l->n_partial) ?: node_counts(prog, l);
	err = member(prog, "struct kmem_cache", "cpu_slab", &l->c_cpu_slab);
	if (!err)
		err = member(prog, "struct kmem_cache_cpu", "freelist",
			     &l->cc_freelist);
	if (!err)
		err = member(prog, "struct kmem_cache_cpu",
			     l->have_struct_slab ? "slab" : "page", &l->cc_slab);
	if (err)
		return err;
	// CONFIG_SLUB_CPU_PARTIAL (4.13+)
	l->have_cpu_partial = kt_type_has_member(prog, "struct kmem_cache_cpu",
						 "partial");
	if (l->have_cpu_partial) {
		err = member(prog, "struct kmem_cache_cpu", "partial",
			     &l->cc_partial);
		if (err)
			return err;
	}
	err = member(prog, "struct kmem_cache_node", "partial", &l->n_partial);
	return err ?: node_counts(prog, l);
}

static struct kt_error *node_counts(struct kt_program *prog,
				    struct slab_layout *l)
{
	struct kt_error *err = NULL;

	l->have_node_counts = kt_type_has_member(prog, "struct kmem_cache_node",
						 "nr_slabs");
	if (l->have_node_counts) {
		err = member(prog, "struct kmem_cache_node", "nr_slabs",
			     &l->n_nr_slabs);
		if (!err)
			err = member(prog, "struct kmem_cache_node",
				     "total_objects", &l->n_total_objects);
	}
	return err;
}

static struct kt_error *load_layout(struct kt_program *prog,
				    struct slab_layout *l)
{
	struct kt_error *err;
	uint64_t size;

	if (!kt_program_has_types(prog))
		return kt_error_create(KT_ERR_NO_DWARF,
				       "slab caches need the vmlinux's debuginfo");
	// d122019bf061 (5.17): struct slab split from struct page.
	l->have_struct_slab =
		!kt_error_catch_any(kt_type_size(prog, "struct slab", &size));
	l->slab_type = l->have_struct_slab ? "struct slab" : "struct page";
	err = member(prog, l->slab_type, "slab_cache", &l->s_cache);
	if (!err)
		err = member(prog, l->slab_type, "freelist", &l->s_freelist);
	if (!err)
		err = member(prog, l->slab_type, "slab_list", &l->s_list);
	if (!err)
		err = kt_type_member(prog, l->slab_type, "inuse", &l->s_inuse);
	if (!err)
		err = kt_type_member(prog, l->slab_type, "objects", &l->s_objects);
	if (!err)
		err = kt_type_member(prog, l->slab_type, "frozen", &l->s_frozen);
	if (!err)
		err = load_cache_layout(prog, l);
	// a CPU's partial slabs are chained by slab->next
	if (!err && l->have_cpu_partial)
		err = member(prog, l->slab_type, "next", &l->s_next);
	return err ? kt_error_wrap(err, "SLUB layout") : NULL;
}

static uint64_t bits(uint64_t word, const struct kt_member *m, uint64_t base)
{
	unsigned shift = (unsigned)((m->offset - base) * 8 + m->bit_offset);

	if (!m->bit_size)
		return word >> shift;
	return (word >> shift) & ((1ULL << m->bit_size) - 1);
}

/* inuse, objects and frozen share one word (the "counters" union). */
static struct kt_error *read_counters(struct kt_program *prog,
				      const struct slab_layout *l,
				      uint64_t slab, unsigned *inuse,
				      unsigned *objects, bool *frozen)
{
	uint64_t base = l->s_inuse.offset, word;
	struct kt_error *err = kt_read_u64(prog, slab + base, &word);

	if (err)
		return err;
	*inuse = (unsigned)bits(word, &l->s_inuse, base);
	*objects = (unsigned)bits(word, &l->s_objects, base);
	*frozen = bits(word, &l->s_frozen, base) & 1;
	return NULL;
}

static struct kt_error *read_u32_at(struct kt_program *prog, uint64_t addr,
				    uint64_t *ret)
{
	uint32_t v;
	struct kt_error *err = kt_read_u32(prog, addr, &v);

	*ret = v;
	return err;
}

static struct kt_error *read_cache(struct kt_program *prog,
				   const struct slab_layout *l, uint64_t addr,
				   struct kt_slab_cache *c)
{
	struct kt_error *err;
	uint64_t name, oo, flags, refcount;
	char raw[KT_SLAB_NAME];

	memset(c, 0, sizeof(*c));
	c->addr = addr;
	c->swab = -1;
	err = read_u32_at(prog, addr + l->c_size, &c->size);
	if (!err)
		err = read_u32_at(prog, addr + l->c_object_size, &c->object_size);
	if (!err)
		err = read_u32_at(prog, addr + l->c_offset, &c->offset);
	if (!err)
		err = read_u32_at(prog, addr + l->c_red_left_pad, &c->red_left_pad);
	if (!err)
		err = read_u32_at(prog, addr + l->c_oo, &oo);
	if (!err)
		err = read_u32_at(prog, addr + l->c_flags, &flags);
	if (!err)
		err = read_u32_at(prog, addr + l->c_refcount, &refcount);
	if (!err && l->have_cpu_slab)
		err = kt_read_u64(prog, addr + l->c_cpu_slab, &c->cpu_slab);
	if (!err && l->have_random)
		err = kt_read_u64(prog, addr + l->c_random, &c->random);
	if (!err)
		err = kt_read_u64(prog, addr + l->c_name, &name);
	if (err)
		return err;
	// OO_SHIFT is 16 (mm/slub.c)
	c->objects = oo & 0xffff;
	c->order = (unsigned)(oo >> 16);
	c->flags = (uint32_t)flags;
	c->refcount = (int)refcount;
	if (kt_error_catch_any(kt_read_cstr(prog, name, raw, sizeof(raw))))
		snprintf(raw, sizeof(raw), "<name at 0x%" PRIx64 ">", name);
	kt_sanitize(raw, sizeof(raw), c->name, sizeof(c->name), false);
	if (!c->size || c->size > (1ULL << 24) || c->objects > MAX_SLAB_OBJECTS)
		return kt_error_create(KT_ERR_CORRUPT,
				       "cache %s: size %" PRIu64 ", %u objects",
				       c->name, c->size, c->objects);
	return NULL;
}

static struct kt_error *add_cache(struct kt_program *prog, uint64_t node,
				  void *arg)
{
	struct kt_slabs *st = arg;
	struct kt_slab_cache_list *list = &st->list;
	struct kt_slab_cache *c;
	struct kt_error *err;

	if (list->n == st->cap) {
		unsigned cap = st->cap ? st->cap * 2 : 64;

		c = realloc(list->caches, cap * sizeof(*c));
		if (!c)
			return &kt_error_nomem;
		list->caches = c;
		st->cap = cap;
	}
	c = &list->caches[list->n];
	err = read_cache(prog, &st->l, node - st->l.c_list, c);
	if (err)
		return kt_error_wrap(err, "cache at 0x%" PRIx64,
				     node - st->l.c_list);
	list->n++;
	return NULL;
}

static struct kt_error *load_caches(struct kt_program *prog,
				    struct kt_slabs *st)
{
	struct kt_error *err;
	uint64_t head;

	err = kt_symbol_address(prog, "slab_caches", &head);
	if (err)
		return err;
	err = kt_list_walk(prog, head, add_cache, st);
	if (err) {
		if (err == &kt_error_nomem || !st->list.n)
			return kt_error_wrap(err, "slab_caches");
		if (asprintf(&st->list.warning, "slab_caches: %s",
			     err->message) < 0)
			st->list.warning = NULL;
		kt_error_destroy(err);
	}
	st->cs = calloc(st->list.n ? st->list.n : 1, sizeof(*st->cs));
	if (!st->cs)
		return &kt_error_nomem;
	for (unsigned i = 0; i < st->list.n; i++) {
		kt_u64map_init(&st->cs[i].cpu_free);
		kt_u64map_init(&st->cs[i].cpu_partial);
		kt_u64map_init(&st->cs[i].sheaf_free);
		kt_u64map_init(&st->cs[i].node_partial);
		if (!kt_u64map_set(&st->by_addr, st->list.caches[i].addr, i + 1))
			return &kt_error_nomem;
	}
	return NULL;
}

static void load_aliases(struct kt_program *prog, struct kt_slabs *st);

static struct kt_error *get_state(struct kt_program *prog,
				  struct kt_slabs **ret)
{
	struct kt_slabs *st;
	struct kt_error *err;

	if (prog->slab) {
		*ret = prog->slab;
		return NULL;
	}
	st = calloc(1, sizeof(*st));
	if (!st)
		return &kt_error_nomem;
	kt_u64map_init(&st->by_addr);
	kt_u64map_init(&st->slabs);
	err = load_layout(prog, &st->l);
	if (!err)
		err = load_caches(prog, st);
	if (!err)
		load_aliases(prog, st);
	if (err) {
		kt_slabs_destroy(st);
		return err;
	}
	prog->slab = st;
	*ret = st;
	return NULL;
}

void kt_slabs_destroy(struct kt_slabs *st)
{
	if (!st)
		return;
	for (unsigned i = 0; st->cs && i < st->list.n; i++) {
		free(st->cs[i].cpu);
		kt_u64map_deinit(&st->cs[i].cpu_free);
		kt_u64map_deinit(&st->cs[i].cpu_partial);
		kt_u64map_deinit(&st->cs[i].sheaf_free);
		kt_u64map_deinit(&st->cs[i].node_partial);
		free(st->cs[i].pages);
	}
	for (size_t i = 0; i < st->slabs.capacity; i++) {
		if (st->slabs.keys[i]) {
			struct chain *ch = (struct chain *)(uintptr_t)st->slabs.values[i];

			free(ch->pos);
			free(ch);
		}
	}
	kt_u64map_deinit(&st->slabs);
	kt_u64map_deinit(&st->by_addr);
	for (unsigned i = 0; i < st->list.n; i++)
		free(st->list.caches[i].aliases);
	free(st->list.caches);
	free(st->list.warning);
	free(st->cs);
	free(st);
}

struct kt_error *kt_slab_caches(struct kt_program *prog,
				const struct kt_slab_cache_list **ret)
{
	struct kt_slabs *st;
	struct kt_error *err = get_state(prog, &st);

	if (err)
		return err;
	*ret = &st->list;
	return NULL;
}

static long cache_index(struct kt_slabs *st, uint64_t addr)
{
	uint64_t v;

	return kt_u64map_get(&st->by_addr, addr, &v) ? (long)v - 1 : -1;
}

const struct kt_slab_cache *kt_slab_cache_by_addr(struct kt_program *prog,
						  uint64_t addr)
{
	struct kt_slabs *st;
	long i;

	if (kt_error_catch_any(get_state(prog, &st)))
		return NULL;
	i = cache_index(st, addr);
	return i < 0 ? NULL : &st->list.caches[i];
}

/* ---- freelists ---- */

static long object_index(const struct kt_slab_cache *c, const struct chain *ch,
			 uint64_t ptr)
{
	uint64_t off = ptr - ch->first;

	if (ptr < ch->first || off % c->size || off / c->size >= ch->nobjects)
		return -1;
	return (long)(off / c->size);
}

/*
 * Decode a stored free pointer. The hardened form is decided once per
 * cache: the first stored pointer that decodes, in one form only, to NULL
 * or an object of its slab settles it.
 */
static uint64_t decode(struct kt_slab_cache *c, const struct chain *ch,
		       uint64_t slot, uint64_t stored)
{
	uint64_t swabbed, plain;

	if (!c->random)
		return stored;
	swabbed = stored ^ c->random ^ __builtin_bswap64(slot);
	plain = stored ^ c->random ^ slot;
	if (c->swab < 0) {
		bool s = !swabbed || object_index(c, ch, swabbed) >= 0;
		bool p = !plain || object_index(c, ch, plain) >= 0;

		if (s != p)
			c->swab = s;
		else
			return swabbed;
	}
	return c->swab ? swabbed : plain;
}

static void chain_walk(struct kt_program *prog, struct kt_slab_cache *c,
		       uint64_t head, struct chain *ch)
{
	uint64_t ptr = head;

	for (unsigned i = 0; i < ch->nobjects; i++)
		ch->pos[i] = -1;
	ch->n = 0;
	while (ptr) {
		long idx = object_index(c, ch, ptr);
		uint64_t slot, stored;
		struct kt_error *err;

		if (idx < 0) {
			snprintf(ch->why, sizeof(ch->why),
				 "entry %u (0x%" PRIx64 ") is not an object of the slab",
				 ch->n, ptr);
			ch->corrupt = true;
			return;
		}
		if (ch->pos[idx] >= 0) {
			snprintf(ch->why, sizeof(ch->why),
				 "entry %u repeats entry %d: a cycle", ch->n,
				 ch->pos[idx]);
			ch->corrupt = true;
			return;
		}
		ch->pos[idx] = (int32_t)ch->n++;
		slot = ptr + c->offset;
		err = kt_read_u64(prog, slot, &stored);
		if (err) {
			snprintf(ch->why, sizeof(ch->why), "entry %u: %s",
				 ch->n - 1, err->message);
			kt_error_destroy(err);
			ch->corrupt = true;
			return;
		}
		ptr = decode(c, ch, slot, stored);
	}
}

static struct kt_error *chain_init(struct chain *ch, uint64_t first,
				   unsigned nobjects)
{
	memset(ch, 0, sizeof(*ch));
	ch->first = first;
	ch->nobjects = nobjects;
	ch->pos = malloc((nobjects ? nobjects : 1) * sizeof(*ch->pos));
	return ch->pos ? NULL : &kt_error_nomem;
}

/* Object 0 of the slab at @slab (its head struct page). */
static uint64_t slab_first(const struct kt_mm *mm, const struct kt_slab_cache *c,
			   uint64_t slab)
{
	uint64_t pfn = (slab - mm->vmemmap) / mm->page_struct_size;

	return kt_mm_pfn_to_virt(mm, pfn) + c->red_left_pad;
}

static void load_cpu(struct kt_program *prog, struct kt_slabs *st,
		     long ci, unsigned cpu, const struct kt_mm *mm)
{
	struct kt_slab_cache *c = &st->list.caches[ci];
	struct cache_state *cs = &st->cs[ci];
	struct cpu_state *s = &cs->cpu[cpu];
	const struct slab_layout *l = &st->l;
	unsigned inuse, objects;
	struct kt_error *err;
	struct chain ch;
	uint64_t pc, off;
	bool frozen;

	err = kt_percpu_offset(prog, cpu, &off);
	pc = c->cpu_slab + off;
	if (!err)
		err = kt_read_u64(prog, pc + l->cc_freelist, &s->freelist);
	if (!err)
		err = kt_read_u64(prog, pc + l->cc_slab, &s->slab);
	if (!err && l->have_cpu_partial)
		err = kt_read_u64(prog, pc + l->cc_partial, &s->partial);
	if (!err && s->slab)
		err = read_counters(prog, l, s->slab, &inuse, &objects, &frozen);
	if (err) {
		snprintf(s->why, sizeof(s->why), "%s", err->message);
		kt_error_destroy(err);
		s->corrupt = true;
		return;
	}
	for (uint64_t p = s->partial, n = 0; p && n < MAX_CPU_PARTIAL; n++) {
		if (!kt_u64map_set(&cs->cpu_partial, p, cpu + 1) ||
		    kt_error_catch_any(kt_read_u64(prog, p + l->s_next, &p)))
			break;
	}
	if (!s->slab || !s->freelist)
		return;
	if (chain_init(&ch, slab_first(mm, c, s->slab),
		       objects ? objects : c->objects))
		return;
	chain_walk(prog, c, s->freelist, &ch);
	s->n = ch.n;
	s->corrupt = ch.corrupt;
	snprintf(s->why, sizeof(s->why), "%s", ch.why);
	for (unsigned i = 0; i < ch.nobjects; i++) {
		if (ch.pos[i] >= 0)
			kt_u64map_set(&cs->cpu_free, ch.first + i * c->size,
				      (uint64_t)cpu << 32 | (uint32_t)ch.pos[i]);
	}
	free(ch.pos);
}

static uint64_t cache_node(struct kt_program *prog, struct kt_slabs *st,
			   const struct kt_slab_cache *c, unsigned node);

/* kind, CPU or node, and position of an object in a sheaf, in one word */
static uint64_t sheaf_key(enum kt_sheaf_kind kind, unsigned where,
			  unsigned pos)
{
	return (uint64_t)kind << 56 | (uint64_t)(where & 0xffffff) << 32 | pos;
}

static bool add_sheaf_object(void *arg, uint64_t obj, enum kt_sheaf_kind kind,
			     unsigned where, unsigned pos)
{
	struct cache_state *cs = arg;

	cs->sheaf_n++;
	return kt_u64map_set(&cs->sheaf_free, obj, sheaf_key(kind, where, pos));
}

#define MAX_BARNS 64

/* The free objects a cache keeps in its sheaves. */
static void load_sheaves(struct kt_program *prog, struct kt_slabs *st,
			 long ci)
{
	const struct kt_slab_cache *c = &st->list.caches[ci];
	struct cache_state *cs = &st->cs[ci];
	uint64_t barns[MAX_BARNS];
	unsigned nbarns = 0;

	if (!st->l.sheaf.present)
		return;
	// node n's barn beside its kmem_cache_node; the first NULL node ends
	while (st->l.have_barn && nbarns < MAX_BARNS &&
	       cache_node(prog, st, c, nbarns)) {
		if (kt_error_catch_any(kt_read_u64(prog, c->addr + st->l.c_barn +
						   st->l.node_stride * nbarns,
						   &barns[nbarns])))
			barns[nbarns] = 0;
		nbarns++;
	}
	kt_sheaf_walk(prog, &st->l.sheaf, c->addr, barns, nbarns,
		      add_sheaf_object, cs, &cs->sheaf_bad);
}

static struct kt_error *load_cpus(struct kt_program *prog,
				  struct kt_slabs *st, long ci)
{
	struct cache_state *cs = &st->cs[ci];
	const struct kt_mm *mm;
	struct kt_error *err;

	if (cs->cpu_loaded)
		return NULL;
	err = kt_mm_get(prog, &mm);
	if (err)
		return err;
	cs->cpu = calloc(prog->nr_cpu_ids ? prog->nr_cpu_ids : 1,
			 sizeof(*cs->cpu));
	if (!cs->cpu)
		return &kt_error_nomem;
	for (unsigned cpu = 0; st->l.have_cpu_slab && cpu < prog->nr_cpu_ids;
	     cpu++)
		load_cpu(prog, st, ci, cpu, mm);
	load_sheaves(prog, st, ci);
	cs->cpu_loaded = true;
	return NULL;
}

struct node_arg {
	struct kt_slabs *st;
	struct cache_state *cs;
	unsigned node;
};

static struct kt_error *add_node_slab(struct kt_program *prog, uint64_t list,
				      void *arg)
{
	struct node_arg *a = arg;

	if (!kt_u64map_set(&a->cs->node_partial, list - a->st->l.s_list,
			   a->node + 1))
		return &kt_error_nomem;
	return NULL;
}

/* The kmem_cache_node of @node, or 0 past the last node. */
static uint64_t cache_node(struct kt_program *prog, struct kt_slabs *st,
			   const struct kt_slab_cache *c, unsigned node)
{
	uint64_t n;

	// MAX_NUMNODES bounds node[]; the first NULL ends the online ones.
	if (node >= 1024 ||
	    kt_error_catch_any(kt_read_u64(prog, c->addr + st->l.c_node +
					   st->l.node_stride * node, &n)))
		return 0;
	return n;
}

static void load_nodes(struct kt_program *prog, struct kt_slabs *st,
		       long ci)
{
	const struct kt_slab_cache *c = &st->list.caches[ci];
	struct node_arg a = { st, &st->cs[ci], 0 };
	uint64_t n;

	if (a.cs->node_loaded)
		return;
	a.cs->node_loaded = true;
	for (; (n = cache_node(prog, st, c, a.node)); a.node++)
		kt_error_catch_any(kt_list_walk(prog, n + st->l.n_partial,
						add_node_slab, &a));
}

/* The free set of one slab's own freelist, cached. */
static struct kt_error *slab_chain(struct kt_program *prog,
				   struct kt_slabs *st, long ci,
				   uint64_t slab, uint64_t first,
				   unsigned nobjects, const struct chain **ret)
{
	struct chain *ch;
	struct kt_error *err;
	uint64_t v, head;

	if (kt_u64map_get(&st->slabs, slab, &v)) {
		*ret = (const struct chain *)(uintptr_t)v;
		return NULL;
	}
	ch = malloc(sizeof(*ch));
	if (!ch)
		return &kt_error_nomem;
	err = chain_init(ch, first, nobjects);
	if (err) {
		free(ch);
		return err;
	}
	err = kt_read_u64(prog, slab + st->l.s_freelist, &head);
	if (err) {
		ch->corrupt = true;
		snprintf(ch->why, sizeof(ch->why), "%s", err->message);
		kt_error_destroy(err);
		for (unsigned i = 0; i < nobjects; i++)
			ch->pos[i] = -1;
	} else {
		chain_walk(prog, &st->list.caches[ci], head, ch);
	}
	if (!kt_u64map_set(&st->slabs, slab, (uintptr_t)ch)) {
		free(ch->pos);
		free(ch);
		return &kt_error_nomem;
	}
	*ret = ch;
	return NULL;
}

/* ---- objects ---- */

static void where_of(struct kt_program *prog, struct kt_slabs *st,
		     long ci, struct kt_slab_object *o)
{
	struct cache_state *cs = &st->cs[ci];
	uint64_t v;

	for (unsigned cpu = 0; cpu < prog->nr_cpu_ids; cpu++) {
		if (cs->cpu[cpu].slab == o->slab) {
			o->where = KT_SLAB_WHERE_CPU;
			o->cpu = (int)cpu;
			return;
		}
	}
	if (kt_u64map_get(&cs->cpu_partial, o->slab, &v)) {
		o->where = KT_SLAB_WHERE_CPU_PARTIAL;
		o->cpu = (int)v - 1;
		return;
	}
	load_nodes(prog, st, ci);
	if (kt_u64map_get(&cs->node_partial, o->slab, &v))
		o->where = KT_SLAB_WHERE_NODE_PARTIAL;
}

static const char *where_text(const struct kt_slab_object *o, char *buf,
			      size_t size)
{
	switch (o->where) {
	case KT_SLAB_WHERE_CPU:
		snprintf(buf, size, "CPU %d's active slab", o->cpu);
		break;
	case KT_SLAB_WHERE_CPU_PARTIAL:
		snprintf(buf, size, "a slab on CPU %d's partial list", o->cpu);
		break;
	case KT_SLAB_WHERE_NODE_PARTIAL:
		snprintf(buf, size, "a slab on the node's partial list");
		break;
	default:
		snprintf(buf, size, "a full slab");
	}
	return buf;
}

/* Free or allocated, from the slab's freelist and the CPUs' freelists. */
static void object_state(struct kt_program *prog, struct kt_slabs *st,
			 long ci, const struct chain *ch,
			 struct kt_slab_object *o)
{
	struct cache_state *cs = &st->cs[ci];
	const struct cpu_state *owner = NULL;
	char where[64];
	uint64_t v;

	where_of(prog, st, ci, o);
	where_text(o, where, sizeof(where));
	if (ch->pos[o->index] >= 0) {
		o->state = KT_SLAB_FREE;
		o->pos = ch->pos[o->index];
		snprintf(o->reason, sizeof(o->reason),
			 "free: entry %ld of the slab's freelist (%s)", o->pos,
			 where);
		return;
	}
	if (kt_u64map_get(&cs->cpu_free, o->obj, &v)) {
		o->state = KT_SLAB_FREE;
		o->cpu = (int)(v >> 32);
		o->pos = (long)(uint32_t)v;
		snprintf(o->reason, sizeof(o->reason),
			 "free: entry %ld of CPU %d's freelist (%s)", o->pos,
			 o->cpu, where);
		return;
	}
	if (kt_u64map_get(&cs->sheaf_free, o->obj, &v)) {
		char sheaf[96];

		o->state = KT_SLAB_FREE;
		o->pos = (long)(uint32_t)v;
		kt_sheaf_where((enum kt_sheaf_kind)(v >> 56),
			       (unsigned)(v >> 32) & 0xffffff, sheaf,
			       sizeof(sheaf));
		if ((enum kt_sheaf_kind)(v >> 56) != KT_SHEAF_BARN)
			o->cpu = (int)((v >> 32) & 0xffffff);
		snprintf(o->reason, sizeof(o->reason),
			 "free: entry %ld of %s (%s)", o->pos, sheaf, where);
		return;
	}
	if (o->where == KT_SLAB_WHERE_CPU)
		owner = &cs->cpu[o->cpu];
	if (ch->corrupt || (owner && owner->corrupt)) {
		o->state = KT_SLAB_UNKNOWN;
		snprintf(o->reason, sizeof(o->reason),
			 "unknown: %s freelist is corrupt: %s",
			 ch->corrupt ? "the slab's" : "its CPU's",
			 ch->corrupt ? ch->why : owner->why);
		return;
	}
	o->state = KT_SLAB_ALLOCATED;
	if (owner)
		snprintf(o->reason, sizeof(o->reason),
			 "allocated: on neither the slab's freelist (%u) nor "
			 "CPU %d's (%u) (%s)", ch->n, o->cpu, owner->n, where);
	else if (st->l.sheaf.present)
		snprintf(o->reason, sizeof(o->reason),
			 "allocated: not on the slab's freelist (%u free) nor "
			 "in a sheaf (%u objects in %s) (%s)", ch->n,
			 cs->sheaf_n, cs->sheaf_bad ? "the readable ones" :
			 "the CPUs' and barns'", where);
	else
		snprintf(o->reason, sizeof(o->reason),
			 "allocated: not on the slab's freelist (%u free) nor "
			 "any CPU's (%s)", ch->n, where);
}

struct kt_error *kt_slab_object(struct kt_program *prog,
				const struct kt_page *head, uint64_t addr,
				struct kt_slab_object *ret)
{
	struct kt_slabs *st;
	const struct kt_slab_cache *c;
	const struct chain *ch;
	const struct kt_mm *mm;
	struct kt_error *err;
	uint64_t cache;
	long ci;

	memset(ret, 0, sizeof(*ret));
	ret->cpu = -1;
	ret->pos = -1;
	ret->slab = head->head;
	err = get_state(prog, &st);
	if (!err)
		err = kt_mm_get(prog, &mm);
	if (!err)
		err = kt_read_u64(prog, head->head + st->l.s_cache, &cache);
	if (err)
		return err;
	ci = cache_index(st, cache);
	if (ci < 0)
		return kt_error_create(KT_ERR_CORRUPT,
				       "slab page 0x%" PRIx64 " names cache 0x%" PRIx64
				       ", which is on no cache list",
				       head->head, cache);
	c = ret->cache = &st->list.caches[ci];
	err = read_counters(prog, &st->l, head->head, &ret->inuse,
			    &ret->nobjects, &ret->frozen);
	if (err)
		return kt_error_wrap(err, "slab 0x%" PRIx64, head->head);
	if (!ret->nobjects || ret->nobjects > MAX_SLAB_OBJECTS ||
	    ret->nobjects * c->size > (KT_PAGE_SIZE << 10))
		return kt_error_create(KT_ERR_CORRUPT,
				       "slab 0x%" PRIx64 " of %s claims %u objects",
				       head->head, c->name, ret->nobjects);
	ret->first = slab_first(mm, c, head->head);
	if (addr < ret->first) {
		// The left red zone of object 0.
		ret->index = 0;
		ret->obj = ret->first;
		ret->in_padding = true;
	} else {
		ret->index = (unsigned)((addr - ret->first) / c->size);
		ret->obj = ret->first + ret->index * c->size;
	}
	ret->offset = addr - ret->obj;
	if (ret->index >= ret->nobjects) {
		// Past the last object: padding, no object at all.
		ret->index = ret->nobjects;
		ret->obj = ret->first + ret->nobjects * c->size;
		ret->offset = addr - ret->obj;
		ret->in_slab_tail = true;
		ret->state = KT_SLAB_UNKNOWN;
		snprintf(ret->reason, sizeof(ret->reason),
			 "no object: in the slab's unused tail, past its %u "
			 "objects (drgn names a non-existent object here)",
			 ret->nobjects);
		return NULL;
	}
	if (addr >= ret->obj && ret->offset >= c->object_size)
		ret->in_padding = true;
	err = load_cpus(prog, st, ci);
	if (!err)
		err = slab_chain(prog, st, ci, head->head, ret->first,
				 ret->nobjects, &ch);
	if (err)
		return err;
	object_state(prog, st, ci, ch, ret);
	return NULL;
}

#define MAX_SHEAF_SLOTS 4096

bool kt_slab_sheaf_slot(struct kt_program *prog, uint64_t obj, uint64_t addr,
			bool *live)
{
	const struct kt_sheaf_layout *l;
	struct kt_slabs *st;
	uint64_t cache;
	uint32_t size;

	if (kt_error_catch_any(get_state(prog, &st)) || !st->l.sheaf.present)
		return false;
	l = &st->l.sheaf;
	if (addr < obj + l->sh_objects || (addr - obj - l->sh_objects) % 8 ||
	    (addr - obj - l->sh_objects) / 8 >= MAX_SHEAF_SLOTS ||
	    kt_error_catch_any(kt_read_u64(prog, obj + l->sh_cache, &cache)) ||
	    cache_index(st, cache) < 0 ||
	    kt_error_catch_any(kt_read_u32(prog, obj + l->sh_size, &size)) ||
	    size > MAX_SHEAF_SLOTS)
		return false;
	*live = (addr - obj - l->sh_objects) / 8 < size;
	return true;
}

const struct kt_slab_cache *kt_slab_cache_by_name(struct kt_program *prog,
						  const char *name)
{
	const struct kt_slab_cache_list *list = NULL;
	size_t len = strlen(name);

	// No cache is nameless; and strstr() finds "" everywhere, forever.
	if (!len || kt_error_catch_any(kt_slab_caches(prog, &list)))
		return NULL;
	for (unsigned i = 0; i < list->n; i++) {
		if (!strcmp(list->caches[i].name, name))
			return &list->caches[i];
	}
	for (unsigned i = 0; i < list->n; i++) {
		const char *a = list->caches[i].aliases;

		for (; a && (a = strstr(a, name)); a += len) {
			bool start = a == list->caches[i].aliases || a[-1] == ' ';

			if (start && (a[len] == ',' || !a[len]))
				return &list->caches[i];
		}
	}
	return NULL;
}

/* ---- kmem -s ---- */

struct count_arg {
	struct kt_slabs *st;
	uint64_t free;
	bool corrupt;
	struct kt_addrset *seen;
};

static void count_slab(struct kt_program *prog, struct count_arg *a,
		       uint64_t slab)
{
	unsigned inuse, objects;
	bool frozen, added;

	if (!kt_addrset_add(a->seen, slab, &added) || !added)
		return;
	if (kt_error_catch_any(read_counters(prog, &a->st->l, slab, &inuse,
					     &objects, &frozen)) ||
	    inuse > objects) {
		a->corrupt = true;
		return;
	}
	a->free += objects - inuse;
}

static struct kt_error *count_node_slab(struct kt_program *prog,
					uint64_t list, void *arg)
{
	struct count_arg *a = arg;

	count_slab(prog, a, list - a->st->l.s_list);
	return NULL;
}

struct kt_error *kt_slab_cache_stats(struct kt_program *prog,
				     const struct kt_slab_cache *cache,
				     struct kt_slab_stats *ret)
{
	struct kt_slabs *st;
	struct kt_addrset seen;
	struct count_arg a;
	struct kt_error *err;
	uint64_t n;
	long ci;

	memset(ret, 0, sizeof(*ret));
	err = get_state(prog, &st);
	if (err)
		return err;
	ci = cache_index(st, cache->addr);
	if (ci < 0)
		return kt_error_create(KT_ERR_INVALID, "not a cache");
	err = load_cpus(prog, st, ci);
	if (err)
		return err;
	kt_addrset_init(&seen);
	a = (struct count_arg){ st, 0, false, &seen };
	for (unsigned node = 0; (n = cache_node(prog, st, cache, node)); node++) {
		uint64_t slabs = 0, total = 0;

		if (st->l.have_node_counts &&
		    (kt_error_catch_any(kt_read_u64(prog, n + st->l.n_nr_slabs,
						    &slabs)) ||
		     kt_error_catch_any(kt_read_u64(prog, n + st->l.n_total_objects,
						    &total))))
			a.corrupt = true;
		ret->slabs += slabs;
		ret->total += total;
		if (kt_error_catch_any(kt_list_walk(prog, n + st->l.n_partial,
						    count_node_slab, &a)))
			a.corrupt = true;
	}
	ret->partial_free = a.free;
	// A CPU's active slab: its objects are on the CPU's freelist (inuse
	// counts them as taken) or, freed remotely, on the slab's own.
	for (unsigned cpu = 0; cpu < prog->nr_cpu_ids; cpu++) {
		const struct cpu_state *s = &st->cs[ci].cpu[cpu];
		uint64_t before = a.free;

		if (s->corrupt)
			a.corrupt = true;
		if (s->slab)
			count_slab(prog, &a, s->slab);
		a.free += s->n;
		ret->cpu_free += a.free - before;
	}
	for (size_t i = 0; i < st->cs[ci].cpu_partial.capacity; i++) {
		uint64_t before = a.free;

		if (!st->cs[ci].cpu_partial.keys[i])
			continue;
		count_slab(prog, &a, st->cs[ci].cpu_partial.keys[i]);
		ret->cpu_free += a.free - before;
	}
	// Sheaves: the slabs count their objects as in use.
	a.free += st->cs[ci].sheaf_n;
	ret->cpu_free += st->cs[ci].sheaf_n;
	if (st->cs[ci].sheaf_bad)
		a.corrupt = true;
	kt_addrset_deinit(&seen);
	ret->corrupt = a.corrupt;
	ret->allocated = ret->total > a.free ? ret->total - a.free : 0;
	return NULL;
}

/* ---- merged caches ---- */

/*
 * SLUB merges a new cache into a compatible one (__kmem_cache_alias) and
 * keeps no list of the names it merged: only /sys/kernel/slab holds them,
 * as symlinks to the surviving cache's directory. Read them from kernfs:
 * each child of slab_kset's directory that is a link (KERNFS_LINK) names
 * the cache whose kobject directory it targets.
 */
#define KERNFS_TYPE_MASK 0xf
#define KERNFS_LINK 0x4
#define MAX_KERNFS_CHILDREN 100000

struct kernfs_layout {
	uint64_t name, rb, children, target, flags, sd, kobj, kset_kobj;
};

static struct kt_error *kernfs_layout(struct kt_program *prog,
				      struct kernfs_layout *k)
{
	struct kt_error *err;

	err = member(prog, "struct kernfs_node", "name", &k->name);
	if (!err)
		err = member(prog, "struct kernfs_node", "rb", &k->rb);
	if (!err)
		err = member(prog, "struct kernfs_node", "dir.children",
			     &k->children);
	if (!err)
		err = member(prog, "struct kernfs_node", "symlink.target_kn",
			     &k->target);
	if (!err)
		err = member(prog, "struct kernfs_node", "flags", &k->flags);
	if (!err)
		err = member(prog, "struct kobject", "sd", &k->sd);
	if (!err)
		err = member(prog, "struct kmem_cache", "kobj", &k->kobj);
	if (!err)
		err = member(prog, "struct kset", "kobj", &k->kset_kobj);
	return err;
}

static void add_alias(struct kt_slab_cache *c, const char *name)
{
	size_t old = c->aliases ? strlen(c->aliases) : 0;
	char *a = realloc(c->aliases, old + strlen(name) + 3);

	if (!a)
		return;
	if (old)
		strcpy(a + old, ", ");
	strcpy(a + old + (old ? 2 : 0), name);
	c->aliases = a;
}

static void alias_link(struct kt_program *prog, struct kt_slabs *st,
		       const struct kernfs_layout *k, uint64_t kn,
		       struct kt_u64map *by_sd)
{
	uint64_t target, name, v;
	uint16_t flags;
	char raw[KT_SLAB_NAME], clean[KT_SANITIZED_SIZE(KT_SLAB_NAME)];

	if (kt_error_catch_any(kt_read_u16(prog, kn + k->flags, &flags)) ||
	    (flags & KERNFS_TYPE_MASK) != KERNFS_LINK ||
	    kt_error_catch_any(kt_read_u64(prog, kn + k->target, &target)) ||
	    !kt_u64map_get(by_sd, target, &v) ||
	    kt_error_catch_any(kt_read_u64(prog, kn + k->name, &name)) ||
	    kt_error_catch_any(kt_read_cstr(prog, name, raw, sizeof(raw))))
		return;
	kt_sanitize(raw, sizeof(raw), clean, sizeof(clean), false);
	// Unnamed-merge links are ":t-0000192"-style; the caches' own
	// directories are those names too, so keep only human names.
	if (clean[0] != ':' && strcmp(clean, st->list.caches[v - 1].name))
		add_alias(&st->list.caches[v - 1], clean);
}

static void load_aliases(struct kt_program *prog, struct kt_slabs *st)
{
	struct kernfs_layout k;
	struct kt_u64map by_sd;
	uint64_t kset, dir, node, stack[64];
	unsigned depth = 0, visited = 0;

	st->aliases_loaded = true;
	if (kt_error_catch_any(kernfs_layout(prog, &k)) ||
	    kt_error_catch_any(kt_symbol_address(prog, "slab_kset", &kset)) ||
	    kt_error_catch_any(kt_read_u64(prog, kset, &kset)) || !kset ||
	    kt_error_catch_any(kt_read_u64(prog, kset + k.kset_kobj + k.sd, &dir)) || !dir ||
	    kt_error_catch_any(kt_read_u64(prog, dir + k.children, &node)))
		return;
	kt_u64map_init(&by_sd);
	for (unsigned i = 0; i < st->list.n; i++) {
		uint64_t sd;

		if (!kt_error_catch_any(kt_read_u64(prog, st->list.caches[i].addr +
						    k.kobj + k.sd, &sd)) && sd)
			kt_u64map_set(&by_sd, sd, i + 1);
	}
	// In-order walk of the rbtree of children (rb_right at +8, rb_left
	// at +16 of struct rb_node), bounded in depth and size.
	while ((node || depth) && visited++ < MAX_KERNFS_CHILDREN) {
		if (node) {
			if (depth == sizeof(stack) / sizeof(stack[0]))
				break;
			stack[depth++] = node;
			if (kt_error_catch_any(kt_read_u64(prog, node + 16, &node)))
				break;
			continue;
		}
		node = stack[--depth];
		alias_link(prog, st, &k, node - k.rb, &by_sd);
		if (kt_error_catch_any(kt_read_u64(prog, node + 8, &node)))
			break;
	}
	kt_u64map_deinit(&by_sd);
}

/* ---- every object of a cache ---- */

/* Struct pages read at once: 1 MiB of vmemmap in 64-byte pages. */
#define SCAN_CHUNK_PAGES 16384
/* On a failed chunk, retry by one page of vmemmap: a hole is skipped. */
#define SCAN_SMALL_BYTES KT_PAGE_SIZE

static bool add_page(struct cache_state *cs, uint64_t slab)
{
	if (cs->npages == cs->cap) {
		size_t cap = cs->cap ? cs->cap * 2 : 64;
		uint64_t *v = realloc(cs->pages, cap * sizeof(*v));

		if (!v)
			return false;
		cs->pages = v;
		cs->cap = cap;
	}
	cs->pages[cs->npages++] = slab;
	return true;
}

/* One struct page: a slab's head page is filed under its cache. */
static bool scan_page(struct kt_slabs *st, const struct kt_mm *mm,
		      const uint8_t *buf, uint64_t page)
{
	struct kt_page p = { 0 };
	uint64_t head, cache;
	long ci;

	memcpy(&head, buf + mm->off_head, sizeof(head));
	if (head & 1)
		return true;	// a tail page: its head is filed
	memcpy(&p.flags, buf + mm->off_flags, sizeof(p.flags));
	memcpy(&p.page_type, buf + mm->off_mapcount, sizeof(p.page_type));
	p.head_type = p.page_type;	// this is a head page
	if (!kt_mm_page_slab(mm, &p))
		return true;
	memcpy(&cache, buf + st->l.s_cache, sizeof(cache));
	ci = cache_index(st, cache);
	return ci < 0 || add_page(&st->cs[ci], page);
}

static struct kt_error *scan_range(struct kt_program *prog,
				   struct kt_slabs *st, const struct kt_mm *mm,
				   uint64_t start, uint64_t bytes,
				   uint8_t *buf)
{
	uint64_t sz = mm->page_struct_size;

	if (kt_error_catch_any(kt_read(prog, start, buf, bytes))) {
		if (bytes <= SCAN_SMALL_BYTES)
			return NULL;	// not present: no pages here
		for (uint64_t off = 0; off < bytes; off += SCAN_SMALL_BYTES) {
			uint64_t n = bytes - off < SCAN_SMALL_BYTES ?
				     bytes - off : SCAN_SMALL_BYTES;
			struct kt_error *err;

			// Keep struct pages whole: start at one.
			n -= n % sz;
			err = scan_range(prog, st, mm, start + off, n, buf);
			if (err)
				return err;
		}
		return NULL;
	}
	for (uint64_t off = 0; off + sz <= bytes; off += sz)
		if (!scan_page(st, mm, buf + off, start + off))
			return &kt_error_nomem;
	return NULL;
}

/* File every slab of the struct page array under its cache, once. */
static struct kt_error *scan_pages(struct kt_program *prog,
				   struct kt_slabs *st)
{
	const struct kt_mm *mm;
	struct kt_error *err;
	uint64_t bytes;
	uint8_t *buf;

	if (st->pages_scanned)
		return NULL;
	err = kt_mm_get(prog, &mm);
	if (err)
		return err;
	// SCAN_SMALL_BYTES must hold whole struct pages for the retry.
	if (!mm->page_struct_size || SCAN_SMALL_BYTES % mm->page_struct_size ||
	    mm->off_head + 8 > mm->page_struct_size ||
	    st->l.s_cache + 8 > mm->page_struct_size)
		return kt_error_create(KT_ERR_CORRUPT, "struct page of %" PRIu64
				       " bytes", mm->page_struct_size);
	bytes = SCAN_CHUNK_PAGES * mm->page_struct_size;
	buf = malloc(bytes);
	if (!buf)
		return &kt_error_nomem;
	for (uint64_t pfn = 0; !err && pfn < mm->max_pfn;
	     pfn += SCAN_CHUNK_PAGES) {
		uint64_t n = mm->max_pfn - pfn < SCAN_CHUNK_PAGES ?
			     mm->max_pfn - pfn : SCAN_CHUNK_PAGES;

		err = scan_range(prog, st, mm, kt_mm_pfn_to_page(mm, pfn),
				 n * mm->page_struct_size, buf);
	}
	free(buf);
	if (!err)
		st->pages_scanned = true;
	return err;
}

/* The objects of one slab that are on no freelist. */
static struct kt_error *slab_objects(struct kt_program *prog,
				     struct kt_slabs *st, long ci,
				     const struct kt_mm *mm, uint64_t slab,
				     kt_slab_object_fn *fn, void *arg)
{
	const struct kt_slab_cache *c = &st->list.caches[ci];
	const struct cache_state *cs = &st->cs[ci];
	bool frozen, cpu_corrupt = false;
	unsigned inuse, nobjects;
	const struct chain *ch;
	struct kt_error *err;
	uint64_t first, v;

	if (kt_error_catch_any(read_counters(prog, &st->l, slab, &inuse,
					     &nobjects, &frozen)) ||
	    !nobjects || nobjects > MAX_SLAB_OBJECTS ||
	    nobjects * c->size > (KT_PAGE_SIZE << 10))
		return NULL;	// not a slab ktriage can read
	first = slab_first(mm, c, slab);
	err = slab_chain(prog, st, ci, slab, first, nobjects, &ch);
	if (err)
		return err;
	for (unsigned cpu = 0; cpu < prog->nr_cpu_ids; cpu++)
		if (cs->cpu[cpu].slab == slab)
			cpu_corrupt = cs->cpu[cpu].corrupt;
	for (unsigned i = 0; !err && i < nobjects; i++) {
		uint64_t obj = first + i * c->size;

		if (ch->pos[i] >= 0 || kt_u64map_get(&cs->cpu_free, obj, &v) ||
		    kt_u64map_get(&cs->sheaf_free, obj, &v))
			continue;	// free: on a freelist, or in a sheaf
		err = fn(prog, obj, ch->corrupt || cpu_corrupt ?
			 KT_SLAB_UNKNOWN : KT_SLAB_ALLOCATED, arg);
	}
	return err;
}

struct kt_error *kt_slab_for_each_object(struct kt_program *prog,
					 const struct kt_slab_cache *cache,
					 kt_slab_object_fn *fn, void *arg,
					 size_t *nslabs)
{
	const struct kt_mm *mm;
	struct kt_slabs *st;
	struct kt_error *err;
	long ci;

	if (nslabs)
		*nslabs = 0;
	err = get_state(prog, &st);
	if (!err)
		err = kt_mm_get(prog, &mm);
	if (err)
		return err;
	ci = cache_index(st, cache->addr);
	if (ci < 0)
		return kt_error_create(KT_ERR_INVALID, "not a cache");
	err = load_cpus(prog, st, ci);
	if (!err)
		err = scan_pages(prog, st);
	if (err)
		return kt_error_wrap(err, "slabs of %s", cache->name);
	for (size_t i = 0; !err && i < st->cs[ci].npages; i++)
		err = slab_objects(prog, st, ci, mm, st->cs[ci].pages[i], fn,
				   arg);
	if (nslabs)
		*nslabs = st->cs[ci].npages;
	return err;
}
