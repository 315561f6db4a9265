// SPDX-License-Identifier: GPL-2.0-or-later
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/list.h"
#include "core/program.h"
#include "core/sheaf.h"

/* A sheaf holds at most sheaf_capacity objects; bound what we trust. */
#define MAX_SHEAF_OBJECTS 4096
#define MAX_BARN_SHEAVES 4096

struct kt_error *kt_sheaf_layout(struct kt_program *prog,
				 struct kt_sheaf_layout *ret)
{
	static const struct {
		const char *type, *member;
		size_t at;
	} m[] = {
#define AT(f) offsetof(struct kt_sheaf_layout, f)
		{ "struct kmem_cache", "cpu_sheaves", AT(c_cpu_sheaves) },
		{ "struct slub_percpu_sheaves", "main", AT(pcs_main) },
		{ "struct slub_percpu_sheaves", "spare", AT(pcs_spare) },
		{ "struct slub_percpu_sheaves", "rcu_free", AT(pcs_rcu) },
		{ "struct slab_sheaf", "size", AT(sh_size) },
		{ "struct slab_sheaf", "objects", AT(sh_objects) },
		{ "struct slab_sheaf", "barn_list", AT(sh_barn_list) },
		{ "struct slab_sheaf", "cache", AT(sh_cache) },
		{ "struct node_barn", "sheaves_full", AT(barn_full) },
#undef AT
	};
	struct kt_error *err;

	*ret = (struct kt_sheaf_layout){ 0 };
	if (!kt_type_has_member(prog, "struct kmem_cache", "cpu_sheaves"))
		return NULL;
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		err = kt_type_member_offset(prog, m[i].type, m[i].member,
					    (uint64_t *)((char *)ret + m[i].at));
		if (err)
			return kt_error_wrap(err, "SLUB sheaves");
	}
	ret->present = true;
	return NULL;
}

struct walk {
	struct kt_program *prog;
	const struct kt_sheaf_layout *l;
	kt_sheaf_fn *fn;
	void *arg;
	unsigned *bad;
	unsigned node, nsheaves;
	bool stop;
};

static void one_sheaf(struct walk *w, uint64_t sheaf, enum kt_sheaf_kind kind,
		      unsigned where)
{
	uint64_t objs[64];
	uint32_t n;

	if (!sheaf || w->stop)
		return;
	if (kt_error_catch_any(kt_read_u32(w->prog, sheaf + w->l->sh_size, &n)) ||
	    n > MAX_SHEAF_OBJECTS) {
		++*w->bad;
		return;
	}
	for (uint32_t i = 0; i < n && !w->stop; i += 64) {
		uint32_t k = n - i < 64 ? n - i : 64;

		if (kt_error_catch_any(kt_read(w->prog, sheaf + w->l->sh_objects +
					       8ULL * i, objs, 8ULL * k))) {
			++*w->bad;
			return;
		}
		for (uint32_t j = 0; j < k && !w->stop; j++)
			w->stop = !w->fn(w->arg, objs[j], kind, where, i + j);
	}
}

static struct kt_error *barn_sheaf(struct kt_program *prog, uint64_t node,
				   void *arg)
{
	struct walk *w = arg;

	(void)prog;
	if (++w->nsheaves > MAX_BARN_SHEAVES)
		return kt_error_create(KT_ERR_CORRUPT, "a barn of more than "
				       "%u sheaves", MAX_BARN_SHEAVES);
	one_sheaf(w, node - w->l->sh_barn_list, KT_SHEAF_BARN, w->node);
	// KT_ERR_STOP ends the list walk without an error
	return w->stop ? kt_error_create(KT_ERR_STOP, "stopped") : NULL;
}

void kt_sheaf_walk(struct kt_program *prog, const struct kt_sheaf_layout *l,
		   uint64_t cache, const uint64_t *barns, unsigned nbarns,
		   kt_sheaf_fn *fn, void *arg, unsigned *bad)
{
	struct walk w = { prog, l, fn, arg, bad, 0, 0, false };
	uint64_t pcs, off, sheaf;

	if (!l->present ||
	    kt_error_catch_any(kt_read_u64(prog, cache + l->c_cpu_sheaves,
					   &pcs)) || !pcs)
		return;
	for (unsigned cpu = 0; cpu < prog->nr_cpu_ids && !w.stop; cpu++) {
		static const enum kt_sheaf_kind kinds[] = {
			KT_SHEAF_MAIN, KT_SHEAF_SPARE, KT_SHEAF_RCU,
		};
		const uint64_t at[] = { l->pcs_main, l->pcs_spare, l->pcs_rcu };

		if (kt_error_catch_any(kt_percpu_offset(prog, cpu, &off)))
			break;
		for (int k = 0; k < 3; k++) {
			if (kt_error_catch_any(kt_read_u64(prog, pcs + off + at[k],
							   &sheaf))) {
				++*bad;
				continue;
			}
			one_sheaf(&w, sheaf, kinds[k], cpu);
		}
	}
	for (unsigned n = 0; n < nbarns && !w.stop; n++) {
		struct kt_error *err;

		if (!barns[n])
			continue;
		w.node = n;
		w.nsheaves = 0;
		err = kt_list_walk(prog, barns[n] + l->barn_full, barn_sheaf, &w);
		if (err) {
			kt_error_destroy(err);
			++*bad;
		}
	}
}

void kt_sheaf_where(enum kt_sheaf_kind kind, unsigned where, char *buf,
		    size_t size)
{
	switch (kind) {
	case KT_SHEAF_MAIN:
		snprintf(buf, size, "CPU %u's main sheaf", where);
		break;
	case KT_SHEAF_SPARE:
		snprintf(buf, size, "CPU %u's spare sheaf", where);
		break;
	case KT_SHEAF_RCU:
		snprintf(buf, size, "CPU %u's rcu_free sheaf (kfree_rcu(), "
			 "waiting for a grace period)", where);
		break;
	default:
		snprintf(buf, size, "a full sheaf of node %u's barn", where);
	}
}
