/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SLUB's sheaves ("slab: add opt-in caching layer of percpu sheaves",
 * 6.18; the only per-CPU layer once struct kmem_cache_cpu went away):
 * arrays of free objects a cache keeps per CPU (main, spare, and rcu_free
 * for kfree_rcu()) and per node in a barn (full sheaves).
 * The slab counts a sheaf's objects as in use; kmalloc() takes them from
 * the sheaf. So an object in a sheaf is free, though on no freelist.
 *
 * Found from the debuginfo: kmem_cache.cpu_sheaves, struct
 * slub_percpu_sheaves, struct slab_sheaf, and the barn of
 * kmem_cache.per_node[] (struct node_barn).
 */
#ifndef KT_CORE_SHEAF_H
#define KT_CORE_SHEAF_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

struct kt_program;

enum kt_sheaf_kind {
	KT_SHEAF_MAIN,		/* a CPU's main sheaf */
	KT_SHEAF_SPARE,		/* a CPU's spare sheaf */
	KT_SHEAF_RCU,		/* a CPU's rcu_free sheaf: kfree_rcu() pending */
	KT_SHEAF_BARN,		/* a full sheaf in a node's barn */
};

struct kt_sheaf_layout {
	bool present;		/* the kernel has sheaves */
	uint64_t c_cpu_sheaves;	/* kmem_cache.cpu_sheaves (per-CPU ptr) */
	uint64_t pcs_main, pcs_spare, pcs_rcu;
	uint64_t sh_size, sh_objects, sh_barn_list, sh_cache;
	uint64_t barn_full;	/* node_barn.sheaves_full */
};

/**
 * The sheaf layout; ->present false (and NULL returned) on kernels
 * without sheaves. An error names the member that is missing.
 */
struct kt_error *kt_sheaf_layout(struct kt_program *prog,
				 struct kt_sheaf_layout *ret);

/* Called for each object in a sheaf: @where is the CPU or the node. */
typedef bool kt_sheaf_fn(void *arg, uint64_t obj, enum kt_sheaf_kind kind,
			 unsigned where, unsigned pos);

/**
 * Each object in the sheaves of cache @cache: the CPUs' sheaves, then the
 * full sheaves of the barns at @barns[0 .. @nbarns - 1] (node order).
 * Stops when @fn returns false. A sheaf that cannot be read, or claims
 * more objects than a sheaf holds, is skipped and counted in *@bad.
 */
void kt_sheaf_walk(struct kt_program *prog, const struct kt_sheaf_layout *l,
		   uint64_t cache, const uint64_t *barns, unsigned nbarns,
		   kt_sheaf_fn *fn, void *arg, unsigned *bad);

/** "CPU 1's main sheaf", "a full sheaf of node 0's barn". */
void kt_sheaf_where(enum kt_sheaf_kind kind, unsigned where, char *buf,
		    size_t size);

#endif /* KT_CORE_SHEAF_H */
