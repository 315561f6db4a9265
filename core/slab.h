/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SLUB, as the dump holds it: the caches on slab_caches, which slab an
 * address is in, and whether its object is free, with the reason.
 *
 * An object is free when it is on its slab's freelist or on a CPU's
 * freelist (kmem_cache_cpu->freelist, whose objects belong to that CPU's
 * active slab). Per-CPU partial slabs keep their free objects on their own
 * slab->freelist. Freelist pointers are hardened on Debian
 * (CONFIG_SLAB_FREELIST_HARDENED): stored = next ^ s->random ^
 * swab(&next's slot) since 5.7 (1ad5a36, 647a5c3 in crash's history); the
 * form is chosen per cache by the first hop that decodes to an object of
 * the same slab, and every later hop is checked the same way. A chain that
 * leaves its slab, repeats, or cannot be read is corrupt, and an object
 * whose verdict depends on it is "unknown", never guessed.
 *
 * Everything derived is cached on the program: the cache list, each
 * cache's per-CPU free set, each slab's free set.
 */
#ifndef KT_CORE_SLAB_H
#define KT_CORE_SLAB_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "core/owner.h"

struct kt_program;
struct kt_page;
struct kt_slabs;

#define KT_SLAB_NAME 64

struct kt_slab_cache {
	uint64_t addr;		/* struct kmem_cache */
	char name[KT_SLAB_NAME];	/* sanitised */
	char *aliases;		/* merged caches, ", "-separated, or NULL */
	uint64_t size;		/* object stride */
	uint64_t object_size;
	uint64_t offset;	/* of the free pointer in an object */
	uint64_t red_left_pad;
	uint64_t random;	/* freelist hardening key, 0 if none */
	uint32_t flags;
	unsigned objects;	/* per slab, from oo */
	unsigned order;		/* of a slab, from oo */
	int refcount;		/* > 1: other caches were merged into it */
	uint64_t cpu_slab;	/* per-CPU pointer to kmem_cache_cpu */
	int swab;		/* hardened form: -1 unknown, 0 plain, 1 swab */
};

struct kt_slab_cache_list {
	struct kt_slab_cache *caches;	/* in slab_caches order */
	unsigned n;
	char *warning;		/* set when the walk stopped early */
};

/** The caches on slab_caches, loaded once. */
struct kt_error *kt_slab_caches(struct kt_program *prog,
				const struct kt_slab_cache_list **ret);

/** The cache at @addr, or NULL when it is on no list. */
const struct kt_slab_cache *kt_slab_cache_by_addr(struct kt_program *prog,
						  uint64_t addr);

/**
 * Is @addr a slot of objects[] in the slab_sheaf at @obj (a kmalloc
 * object whose ->cache is a cache on the list)? *@live: below its size,
 * so the object it names is free in that sheaf; past it, a stale slot.
 */
bool kt_slab_sheaf_slot(struct kt_program *prog, uint64_t obj, uint64_t addr,
			bool *live);

/** The cache named @name (or merged under that name), or NULL. */
const struct kt_slab_cache *kt_slab_cache_by_name(struct kt_program *prog,
						  const char *name);

/** Where a slab was found, which decides where its free objects are. */
enum kt_slab_where {
	KT_SLAB_WHERE_UNKNOWN,	/* full, or on no list ktriage walks */
	KT_SLAB_WHERE_CPU,	/* a CPU's active slab */
	KT_SLAB_WHERE_CPU_PARTIAL,
	KT_SLAB_WHERE_NODE_PARTIAL,
};

/** An address inside a slab. */
struct kt_slab_object {
	const struct kt_slab_cache *cache;
	uint64_t slab;		/* struct slab (the head struct page) */
	uint64_t first;		/* address of object 0 */
	unsigned nobjects, inuse;
	bool frozen;
	unsigned index;		/* of the object holding the address */
	uint64_t obj;		/* its start */
	uint64_t offset;	/* address - obj */
	bool in_padding;	/* past object_size: metadata, padding */
	bool in_slab_tail;	/* past the last object: no object */
	enum kt_slab_state state;
	enum kt_slab_where where;
	int cpu;		/* for KT_SLAB_WHERE_CPU*, and per-CPU frees */
	long pos;		/* position on its freelist, or -1 */
	char reason[KT_OWNER_REASON];
};

/**
 * Identify @addr inside the slab whose head page is @head (a slab page).
 * KT_ERR_CORRUPT when the slab's cache pointer is on no cache list.
 */
struct kt_error *kt_slab_object(struct kt_program *prog,
				const struct kt_page *head, uint64_t addr,
				struct kt_slab_object *ret);

/** crash's `kmem -s` line of a cache. */
struct kt_slab_stats {
	uint64_t total;		/* objects in all slabs (nr_slabs-based) */
	uint64_t allocated;
	uint64_t slabs;
	uint64_t cpu_free, partial_free;	/* how free was counted */
	bool corrupt;		/* a freelist was corrupt: free is a floor */
};

struct kt_error *kt_slab_cache_stats(struct kt_program *prog,
				     const struct kt_slab_cache *cache,
				     struct kt_slab_stats *ret);

/**
 * Called for each object of a cache that is not free: @state is
 * KT_SLAB_ALLOCATED, or KT_SLAB_UNKNOWN when a freelist of its slab is
 * corrupt. An error stops the walk and is returned.
 */
typedef struct kt_error *kt_slab_object_fn(struct kt_program *prog,
					   uint64_t obj,
					   enum kt_slab_state state,
					   void *arg);

/**
 * Every object of @cache that is not free, slab by slab. SLUB keeps no
 * list of full slabs, so the slabs are found in the struct page array
 * (pfn 0 .. max_pfn, read in large chunks; absent ranges are skipped),
 * once for all caches. A merged cache yields the objects of every cache
 * merged into it: the caller checks what an object is. *@nslabs (may be
 * NULL) is the number of slabs walked.
 */
struct kt_error *kt_slab_for_each_object(struct kt_program *prog,
					 const struct kt_slab_cache *cache,
					 kt_slab_object_fn *fn, void *arg,
					 size_t *nslabs);

void kt_slabs_destroy(struct kt_slabs *state);

#endif /* KT_CORE_SLAB_H */
