// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>

#include "core/checked.h"
#include "core/pagemap.h"

void kt_pagemap_init(struct kt_pagemap *map)
{
	memset(map, 0, sizeof(*map));
}

void kt_pagemap_deinit(struct kt_pagemap *map)
{
	free(map->r);
	kt_pagemap_init(map);
}

bool kt_pagemap_add(struct kt_pagemap *map, uint64_t start, uint64_t end)
{
	if (start >= end)
		return true;
	if (map->n == map->cap) {
		size_t cap = map->cap ? map->cap * 2 : 64;
		void *p = realloc(map->r, cap * sizeof(*map->r));

		if (!p)
			return false;
		map->r = p;
		map->cap = cap;
	}
	map->r[map->n].start = start;
	map->r[map->n++].end = end;
	return true;
}

bool kt_pagemap_add_bits(struct kt_pagemap *map, const unsigned char *bits,
			 uint64_t npfn)
{
	uint64_t start = 0;
	bool in = false;

	for (uint64_t pfn = 0; pfn < npfn; pfn++) {
		bool set;

		// Whole bytes at a time where nothing changes.
		if (!(pfn & 7) && pfn + 8 <= npfn &&
		    bits[pfn / 8] == (in ? 0xff : 0)) {
			pfn += 7;
			continue;
		}
		set = bits[pfn / 8] & (1u << (pfn & 7));
		if (set && !in)
			start = pfn;
		else if (!set && in && !kt_pagemap_add(map, start, pfn))
			return false;
		in = set;
	}
	return !in || kt_pagemap_add(map, start, npfn);
}

static int cmp_range(const void *a, const void *b)
{
	const struct kt_pagemap_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

void kt_pagemap_finish(struct kt_pagemap *map)
{
	size_t out = 0;

	kt_qsort(map->r, map->n, sizeof(*map->r), cmp_range);
	for (size_t i = 0; i < map->n; i++) {
		if (out && map->r[i].start <= map->r[out - 1].end) {
			if (map->r[i].end > map->r[out - 1].end)
				map->r[out - 1].end = map->r[i].end;
			continue;
		}
		map->r[out++] = map->r[i];
	}
	map->n = out;
}

/* The first range whose end is past @pfn, or n. */
static size_t find(const struct kt_pagemap *map, uint64_t pfn)
{
	size_t lo = 0, hi = map->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (map->r[mid].end <= pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool kt_pagemap_has(const struct kt_pagemap *map, uint64_t pfn)
{
	size_t i = find(map, pfn);

	return i < map->n && map->r[i].start <= pfn;
}

bool kt_pagemap_next(const struct kt_pagemap *map, uint64_t *pfn)
{
	size_t i = find(map, *pfn);

	if (i == map->n)
		return false;
	if (map->r[i].start > *pfn)
		*pfn = map->r[i].start;
	return true;
}

bool kt_pagemap_range(const struct kt_pagemap *map, uint64_t pfn,
		      struct kt_pagemap_range *ret)
{
	size_t i = find(map, pfn);

	if (i == map->n)
		return false;
	*ret = map->r[i];
	return true;
}

uint64_t kt_pagemap_count(const struct kt_pagemap *map)
{
	uint64_t n = 0;

	for (size_t i = 0; i < map->n; i++)
		n += map->r[i].end - map->r[i].start;
	return n;
}

bool kt_pagemap_last(const struct kt_pagemap *map, uint64_t *ret)
{
	if (!map->n)
		return false;
	*ret = map->r[map->n - 1].end - 1;
	return true;
}
