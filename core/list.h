/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Walking kernel lists in a dump that may be corrupt.
 *
 * Every walk is bounded and cycle-checked: a node seen twice, a node that
 * cannot be read, or a node whose ->prev does not point back ends the walk
 * with KT_ERR_CORRUPT or KT_ERR_FAULT saying where, and the entries visited
 * so far have already been handed to the callback.
 */
#ifndef KT_CORE_LIST_H
#define KT_CORE_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct kt_program;

/** A set of 64-bit values (addresses). */
struct kt_addrset {
	uint64_t *slots;	/* 0 marks an empty slot; 0 itself is kept aside */
	size_t capacity, count;
	bool has_zero;
};

void kt_addrset_init(struct kt_addrset *set);
void kt_addrset_deinit(struct kt_addrset *set);
/** Add; *@added tells whether it was new. False only when out of memory. */
bool kt_addrset_add(struct kt_addrset *set, uint64_t v, bool *added);
bool kt_addrset_has(const struct kt_addrset *set, uint64_t v);

/** Called with each node address (the list_head, not the container). */
typedef struct kt_error *kt_list_fn(struct kt_program *prog, uint64_t node,
				    void *arg);

/** The most nodes any list walk visits before it gives up. */
#define KT_LIST_MAX 1000000

/**
 * Walk the circular list headed by @head (a struct list_head address),
 * calling @fn for each node other than the head. Stops at the first error
 * from @fn (KT_ERR_STOP from @fn ends the walk without an error).
 */
struct kt_error *kt_list_walk(struct kt_program *prog, uint64_t head,
			      kt_list_fn *fn, void *arg);

#endif /* KT_CORE_LIST_H */
