/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Search all memory the dump holds for a value, like crash's `search`.
 *
 * The scan is physical: every page the file holds (its page bitmap says
 * which; excluded pages are never read) is scanned once, in parallel, one
 * libkdumpfile reader per thread, sharded by pfn ranges. Each hit is then
 * given the addresses it has in the mode asked for:
 *
 *  - KT_SEARCH_PHYS:   its physical address;
 *  - KT_SEARCH_KERNEL: its direct-map address, its kernel-image address if
 *                      the page is kernel text/data/bss, and its vmalloc
 *                      address for every vmalloc area mapping the page
 *                      (a vmap'ed task stack, a module), and its vmemmap
 *                      address if the page holds struct pages -- so one
 *                      word can give several hits, as in crash;
 *  - KT_SEARCH_USER:   its user addresses in one task's mm (only the pages
 *                      that mm maps are scanned).
 *
 * Values are compared at addresses aligned to their width, as crash does.
 */
#ifndef KT_CORE_SEARCH_H
#define KT_CORE_SEARCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct kt_program;

enum kt_search_mode {
	KT_SEARCH_KERNEL,	/* crash's -k, the default */
	KT_SEARCH_USER,		/* -u */
	KT_SEARCH_PHYS,		/* -p */
};

/** Which address space a hit's address is in. */
enum kt_search_space {
	KT_SPACE_PHYS,
	KT_SPACE_DIRECT,	/* the direct map, page_offset_base + paddr */
	KT_SPACE_IMAGE,		/* the kernel image, __START_KERNEL_map */
	KT_SPACE_VMALLOC,	/* a vmalloc/vmap area (stacks, modules) */
	KT_SPACE_VMEMMAP,	/* the struct page array */
	KT_SPACE_USER,
};

struct kt_search_hit {
	uint64_t addr;		/* in ->space */
	uint64_t paddr;		/* where it is in the dump: pfn and offset */
	uint64_t value;		/* the word as found (masked bits included) */
	enum kt_search_space space;
	uint32_t area;		/* KT_SPACE_VMALLOC: index in vmalloc areas */
};

/** Called after each shard, from the scanning threads, one at a time. */
typedef void kt_search_progress_fn(void *arg, uint64_t pages_done,
				   uint64_t pages_total);

/** The most values one scan looks for (->value plus ->also). */
#define KT_SEARCH_MAX_VALUES 16

struct kt_search_options {
	uint64_t value;
	/* More values found in the same scan (8-byte width only): one read
	 * of memory for several reverse references. A hit's ->value says
	 * which matched. */
	const uint64_t *also;
	size_t nalso;		/* < KT_SEARCH_MAX_VALUES */
	uint64_t mask;		/* bits set here are ignored (crash's -m) */
	unsigned width;		/* bytes: 8 (default when 0), 4 or 2 */
	enum kt_search_mode mode;
	int pid;		/* KT_SEARCH_USER: the task; -1: panic task */
	unsigned threads;	/* 0: every online CPU */
	size_t limit;		/* most hits returned; 0: all of them */
	const atomic_bool *cancel;	/* when set, the scan stops early */
	kt_search_progress_fn *progress;	/* NULL: none */
	void *progress_arg;
};

struct kt_search_result {
	struct kt_search_hit *hits;	/* sorted by address */
	size_t n;
	uint64_t more;		/* hits found beyond the limit */
	bool more_is_minimum;	/* ->more counts unkept words once, not
				   every alias they have */
	uint64_t pages_scanned;	/* pages read and scanned */
	uint64_t pages_unreadable;	/* held by the file, but unreadable */
	unsigned threads;
	bool direct;		/* read by ktriage's kdump reader, not
				   libkdumpfile (see core/diskdump.h) */
	double seconds;		/* wall time of the scan */
	bool cancelled;
	/* KT_SEARCH_USER */
	int pid;
	uint64_t task;
	uint64_t user_pages;	/* pages the mm maps (4 KiB units) */
	uint64_t user_pages_present;	/* of those, pages the dump holds */
};

/**
 * Search. On success *@ret holds the hits (free with
 * kt_search_result_deinit()). A user search of a task whose pages are all
 * excluded succeeds with no hits and user_pages_present == 0: say so.
 */
struct kt_error *kt_search(struct kt_program *prog,
			   const struct kt_search_options *opts,
			   struct kt_search_result *ret);

void kt_search_result_deinit(struct kt_search_result *res);

/** "phys", "direct", "image", "vmalloc", "user". */
const char *kt_search_space_name(enum kt_search_space space);

#endif /* KT_CORE_SEARCH_H */
