// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/list.h"
#include "core/program.h"

void kt_addrset_init(struct kt_addrset *set)
{
	memset(set, 0, sizeof(*set));
}

void kt_addrset_deinit(struct kt_addrset *set)
{
	free(set->slots);
	kt_addrset_init(set);
}

static size_t addr_hash(uint64_t v)
{
	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdULL;
	v ^= v >> 33;
	return v;
}

static uint64_t *find_slot(uint64_t *slots, size_t cap, uint64_t v)
{
	for (size_t i = addr_hash(v) & (cap - 1);; i = (i + 1) & (cap - 1)) {
		if (!slots[i] || slots[i] == v)
			return &slots[i];
	}
}

static bool rehash(struct kt_addrset *set)
{
	size_t cap = set->capacity ? set->capacity * 2 : 256;
	uint64_t *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return false;
	for (size_t i = 0; i < set->capacity; i++) {
		if (set->slots[i])
			*find_slot(slots, cap, set->slots[i]) = set->slots[i];
	}
	free(set->slots);
	set->slots = slots;
	set->capacity = cap;
	return true;
}

bool kt_addrset_add(struct kt_addrset *set, uint64_t v, bool *added)
{
	uint64_t *slot;

	if (!v) {
		*added = !set->has_zero;
		set->has_zero = true;
		return true;
	}
	if ((set->count + 1) * 2 > set->capacity && !rehash(set))
		return false;
	slot = find_slot(set->slots, set->capacity, v);
	*added = !*slot;
	if (!*slot) {
		*slot = v;
		set->count++;
	}
	return true;
}

bool kt_addrset_has(const struct kt_addrset *set, uint64_t v)
{
	if (!v)
		return set->has_zero;
	return set->capacity && *find_slot(set->slots, set->capacity, v) == v;
}

struct kt_error *kt_list_walk(struct kt_program *prog, uint64_t head,
			      kt_list_fn *fn, void *arg)
{
	struct kt_addrset seen;
	struct kt_error *err = NULL;
	uint64_t prev = head, node;
	size_t n = 0;

	kt_addrset_init(&seen);
	err = kt_read_u64(prog, head, &node);
	if (err) {
		err = kt_error_wrap(err, "list at 0x%" PRIx64, head);
		goto out;
	}
	while (node != head) {
		uint64_t back;
		bool added;

		if (++n > KT_LIST_MAX) {
			err = kt_error_create(KT_ERR_CORRUPT,
				"list at 0x%" PRIx64 ": more than %d entries",
				head, KT_LIST_MAX);
			break;
		}
		if (!kt_addrset_add(&seen, node, &added)) {
			err = &kt_error_nomem;
			break;
		}
		if (!added) {
			err = kt_error_create(KT_ERR_CORRUPT,
				"list at 0x%" PRIx64 ": cycle at entry %zu "
				"(0x%" PRIx64 " seen before)", head, n, node);
			break;
		}
		err = kt_read_u64(prog, node + 8, &back);
		if (!err && back != prev)
			err = kt_error_create(KT_ERR_CORRUPT,
				"list at 0x%" PRIx64 ": entry %zu (0x%" PRIx64
				") ->prev is 0x%" PRIx64 ", not 0x%" PRIx64,
				head, n, node, back, prev);
		if (err) {
			if (err->code == KT_ERR_FAULT)
				err = kt_error_wrap(err,
					"list at 0x%" PRIx64 ": entry %zu",
					head, n);
			break;
		}
		err = fn(prog, node, arg);
		if (err) {
			kt_error_catch(&err, KT_ERR_STOP);
			break;
		}
		prev = node;
		err = kt_read_u64(prog, node, &node);
		if (err) {
			err = kt_error_wrap(err, "list at 0x%" PRIx64
					    ": entry %zu", head, n);
			break;
		}
	}
out:
	kt_addrset_deinit(&seen);
	return err;
}
