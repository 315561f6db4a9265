/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A set of page frame numbers kept as sorted, merged ranges: which pages
 * are RAM, and which the dump file holds. Lookups are binary searches.
 */
#ifndef KT_CORE_PAGEMAP_H
#define KT_CORE_PAGEMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kt_pagemap_range {
	uint64_t start, end;	/* [start, end) */
};

struct kt_pagemap {
	struct kt_pagemap_range *r;
	size_t n, cap;
};

void kt_pagemap_init(struct kt_pagemap *map);
void kt_pagemap_deinit(struct kt_pagemap *map);

/** Add [start, end), in any order; false when out of memory. */
bool kt_pagemap_add(struct kt_pagemap *map, uint64_t start, uint64_t end);

/** Add the set bits of @bits (bit i of byte i / 8 is pfn i), pfn < @npfn. */
bool kt_pagemap_add_bits(struct kt_pagemap *map, const unsigned char *bits,
			 uint64_t npfn);

/** Sort and merge; call after adding, before any query. */
void kt_pagemap_finish(struct kt_pagemap *map);

bool kt_pagemap_has(const struct kt_pagemap *map, uint64_t pfn);

/** The first pfn >= *pfn in the map; false when none. */
bool kt_pagemap_next(const struct kt_pagemap *map, uint64_t *pfn);

/**
 * The range that holds @pfn, or else the first one after it; false when
 * there is none.
 */
bool kt_pagemap_range(const struct kt_pagemap *map, uint64_t pfn,
		      struct kt_pagemap_range *ret);

uint64_t kt_pagemap_count(const struct kt_pagemap *map);

/** The highest pfn in the map; false when empty. */
bool kt_pagemap_last(const struct kt_pagemap *map, uint64_t *ret);

#endif /* KT_CORE_PAGEMAP_H */
