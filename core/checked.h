/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Arithmetic on numbers that came from a dump, and the libc calls that
 * must not see a NULL pointer even with a length of zero.
 *
 * A count read from memory times a size from VMCOREINFO can wrap, and the
 * wrapped product then sizes a buffer that a loop over the count overruns.
 * Every such product goes through kt_mul(), and every buffer sized by dump
 * data stays under KT_MAX_DUMP_ALLOC: no kernel structure ktriage reads
 * whole (the printk ring, a slab's struct pages) comes near it, and a
 * request for 2^63 bytes becomes an error instead of an abort.
 */
#ifndef KT_CORE_CHECKED_H
#define KT_CORE_CHECKED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/** The most ktriage allocates at once on the word of a dump: 1 GiB. */
#define KT_MAX_DUMP_ALLOC (1ULL << 30)

/** *@ret = @a * @b; false (and *@ret unset) when it wraps. */
static inline bool kt_mul(uint64_t a, uint64_t b, uint64_t *ret)
{
	return !__builtin_mul_overflow(a, b, ret);
}

/** *@ret = @a + @b; false (and *@ret unset) when it wraps. */
static inline bool kt_add(uint64_t a, uint64_t b, uint64_t *ret)
{
	return !__builtin_add_overflow(a, b, ret);
}

/**
 * The bytes of @count elements of @size each, when that neither wraps
 * nor exceeds KT_MAX_DUMP_ALLOC; false otherwise.
 */
static inline bool kt_array_bytes(uint64_t count, uint64_t size,
				  uint64_t *ret)
{
	uint64_t n;

	if (!kt_mul(count, size, &n) || n > KT_MAX_DUMP_ALLOC)
		return false;
	*ret = n;
	return true;
}

/**
 * True when @width bytes at @off lie within an object of @size bytes: the
 * check before reading a member out of a copy of a whole struct.
 */
static inline bool kt_fits(uint64_t off, uint64_t width, uint64_t size)
{
	return off <= size && width <= size - off;
}

/*
 * qsort() and memcpy() declare their pointers nonnull: an empty array
 * (NULL, 0) is undefined behaviour, which UBSan reports. These skip the
 * call when there is nothing to do.
 */
static inline void kt_qsort(void *base, size_t n, size_t size,
			    int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

static inline void kt_memcpy(void *dst, const void *src, size_t n)
{
	if (n)
		memcpy(dst, src, n);
}

#endif /* KT_CORE_CHECKED_H */
