/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's memory map: where the direct map, vmemmap and vmalloc space
 * lie (KASLR moves them), and what a page frame's struct page says it is.
 */
#ifndef KT_CORE_MM_H
#define KT_CORE_MM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

struct kt_program;

#define KT_PAGE_SHIFT 12
#define KT_PAGE_SIZE (1ULL << KT_PAGE_SHIFT)

/** x86-64 4-level layout (arch/x86/include/asm/pgtable_64_types.h). */
#define KT_VMALLOC_SIZE (32ULL << 40)
#define KT_VMEMMAP_SIZE (1ULL << 40)	/* 64 TiB of RAM in 64-byte pages */
#define KT_MODULES_VADDR 0xffffffffc0000000ULL
#define KT_MODULES_END 0xffffffffff000000ULL
#define KT_CPU_ENTRY_AREA 0xfffffe0000000000ULL
#define KT_CPU_ENTRY_AREA_END 0xfffffe8000000000ULL

struct kt_mm {
	uint64_t page_offset;	/* page_offset_base: the direct map */
	uint64_t vmemmap;	/* vmemmap_base: struct page of pfn 0 */
	uint64_t vmalloc_start, vmalloc_end;
	uint64_t max_pfn;	/* one past the last pfn of RAM */
	uint64_t page_struct_size;
	/* struct page members */
	uint64_t off_flags, off_head, off_mapping, off_private;
	uint64_t off_mapcount, off_refcount;
	uint64_t off_order;	/* the order's byte, from the head's struct page */
	/* page flag bits (enum pageflags); -1 when unknown */
	int pg_slab, pg_head, pg_reserved;
	/*
	 * page types kept in _mapcount (include/linux/page-flags.h), as the
	 * _mapcount value of a page of that type; pt_slab is 0 where PG_slab
	 * is a page flag
	 */
	uint32_t pt_buddy, pt_offline, pt_table, pt_slab;
	unsigned max_order;	/* MAX_ORDER: orders 0 .. max_order - 1 */
};

/* The largest compound order believed (a 16 GiB page is order 22). */
#define KT_MM_MAX_COMPOUND_ORDER 30

/** What one page frame's struct page says. */
struct kt_page {
	uint64_t pfn;
	uint64_t page;		/* its struct page */
	uint64_t head_pfn;	/* of its compound head (== pfn if none) */
	uint64_t head;		/* struct page of the head */
	uint64_t flags;		/* the head's flags */
	uint64_t mapping;	/* the head's mapping */
	uint64_t private;	/* this page's private (buddy order) */
	uint32_t page_type;	/* this page's _mapcount / page_type */
	uint32_t head_type;	/* the head's */
	int32_t refcount;	/* the head's _refcount */
	unsigned order;		/* compound order; 0 for a single page */
	bool compound;
};

/** The memory map of @prog, worked out once. */
struct kt_error *kt_mm_get(struct kt_program *prog, const struct kt_mm **ret);

void kt_mm_destroy(struct kt_mm *mm);

/** True when @addr is in the direct map's range (RAM or not); pfn in *ret. */
bool kt_mm_direct_pfn(const struct kt_mm *mm, uint64_t addr, uint64_t *ret);

/** The struct page address of @pfn. */
uint64_t kt_mm_pfn_to_page(const struct kt_mm *mm, uint64_t pfn);

/** The direct-map address of @pfn. */
uint64_t kt_mm_pfn_to_virt(const struct kt_mm *mm, uint64_t pfn);

/** Read @pfn's struct page and its compound head. */
struct kt_error *kt_mm_page(struct kt_program *prog, uint64_t pfn,
			    struct kt_page *ret);

/** Page tests on a struct kt_page. */
bool kt_mm_page_slab(const struct kt_mm *mm, const struct kt_page *p);
bool kt_mm_page_buddy(const struct kt_mm *mm, const struct kt_page *p);
bool kt_mm_page_has_type(const struct kt_mm *mm, const struct kt_page *p,
			 uint32_t type);

/**
 * If @pfn lies in a free buddy block, the block's first pfn and order.
 * Only the first page of a free block is marked; look down for it.
 */
bool kt_mm_buddy_block(struct kt_program *prog, uint64_t pfn,
		       uint64_t *first, unsigned *order);

#endif /* KT_CORE_MM_H */
