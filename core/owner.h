/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What is this address? crash's `kmem ADDR` and drgn's
 * identify_address_all(), as one engine that every view and command uses.
 *
 * kt_owner_identify() gives every identity that applies, most specific
 * first, each with the reason ktriage believes it: a slab object of a
 * cache, in which state and why; a page of the page allocator and its
 * kind; a vmalloc area and its caller; a task's stack; a per-CPU variable;
 * a symbol; or what the address is not (not RAM, excluded from the dump,
 * user, non-canonical, NULL plus an offset).
 *
 * What is derived per cache (free sets, the cache list) and per program
 * (vmalloc areas, stack ranges) is cached on the program: a dump never
 * changes, so annotating thousands of words costs little more than one.
 */
#ifndef KT_CORE_OWNER_H
#define KT_CORE_OWNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct kt_program;

enum kt_owner_kind {
	KT_OWNER_NULL,		/* NULL plus a small offset */
	KT_OWNER_USER,		/* a user-space address */
	KT_OWNER_NONCANONICAL,	/* e.g. LIST_POISON1 0xdead000000000100 */
	KT_OWNER_POISON,	/* a known poison value (with NONCANONICAL) */
	KT_OWNER_SYMBOL,	/* kernel or module text/data */
	KT_OWNER_SLAB,		/* an object of a slab cache */
	KT_OWNER_PAGE,		/* a page of the page allocator */
	KT_OWNER_VMALLOC,	/* a vmalloc/vmap area */
	KT_OWNER_STACK,		/* a task, IRQ or exception stack */
	KT_OWNER_PERCPU,	/* a per-CPU area */
	KT_OWNER_PAGE_STRUCT,	/* a struct page in the vmemmap */
	KT_OWNER_NOT_RAM,	/* direct map beyond RAM: no page behind it */
	KT_OWNER_EXCLUDED,	/* RAM, but the dump left the page out */
	KT_OWNER_UNMAPPED,	/* a kernel address nothing maps */
	KT_OWNER_UNKNOWN,	/* mapped, but in nothing ktriage knows */
};

enum kt_slab_state {
	KT_SLAB_UNKNOWN,	/* a freelist could not be read or is corrupt */
	KT_SLAB_ALLOCATED,
	KT_SLAB_FREE,
};

/** Kinds of page-allocator page, from struct page. */
enum kt_page_kind {
	KT_PAGE_OTHER,		/* allocated, no more is known */
	KT_PAGE_SLAB,
	KT_PAGE_LARGE_KMALLOC,	/* compound page, no cache */
	KT_PAGE_BUDDY,		/* free in the buddy allocator */
	KT_PAGE_ANON,
	KT_PAGE_FILE,		/* page cache */
	KT_PAGE_RESERVED,
	KT_PAGE_TABLE,
	KT_PAGE_OFFLINE,
	KT_PAGE_VMALLOC,	/* backs a vmalloc area */
};

#define KT_OWNER_NAME 64
#define KT_OWNER_REASON 256

/** One identity of an address. Strings are sanitised. */
struct kt_owner_id {
	enum kt_owner_kind kind;
	uint64_t base;		/* start of what the address is in */
	uint64_t offset;	/* address - base */
	uint64_t size;		/* of the object/area/symbol; 0 if unknown */
	char name[KT_OWNER_NAME];	/* cache, symbol, caller, comm... */
	char reason[KT_OWNER_REASON];	/* how ktriage knows */

	/* KT_OWNER_SLAB */
	uint64_t cache;		/* struct kmem_cache * */
	enum kt_slab_state state;
	int cpu;		/* a per-CPU freelist's or slab's CPU, or -1 */
	long freelist_pos;	/* position on its freelist, or -1 */
	bool in_padding;	/* past object_size: metadata, red zone */

	/* KT_OWNER_PAGE, KT_OWNER_SLAB, KT_OWNER_EXCLUDED */
	uint64_t pfn;
	uint64_t page;		/* struct page * of the head page, or 0 */
	enum kt_page_kind page_kind;
	unsigned order;		/* of a compound or buddy block */

	/* KT_OWNER_STACK */
	uint64_t task;		/* struct task_struct *, or 0 */
	int pid;

	/* KT_OWNER_PERCPU: cpu above; KT_OWNER_SYMBOL: module in name2 */
	char name2[KT_OWNER_NAME];	/* module, alias list, symbol... */
};

#define KT_OWNER_MAX 4

struct kt_owner {
	uint64_t addr;
	unsigned n;
	struct kt_owner_id ids[KT_OWNER_MAX];	/* most specific first */
};

/**
 * Every identity of @addr. Never fails for a bad address: an address that
 * is nothing known gets KT_OWNER_UNMAPPED. Errors are for what ktriage
 * itself could not do (out of memory).
 */
struct kt_error *kt_owner_identify(struct kt_program *prog, uint64_t addr,
				   struct kt_owner *ret);

/**
 * One short word for @addr's owner, for annotating words and pointers:
 * "kmalloc-1k+0x10 alloc", "sigqueue+0x0 free", "page_fault_oops+0x12",
 * "stack:kworker/0:1", "not RAM", "excluded", "non-canonical", "user".
 * Empty when the value is not worth annotating (a small integer, a plain
 * non-pointer). Sanitised; always terminated.
 */
void kt_owner_brief(struct kt_program *prog, uint64_t addr, char *buf,
		    size_t size);

/** kt_owner_brief() of an address already identified. */
void kt_owner_format(const struct kt_owner *o, char *buf, size_t size);

/** Names for output: "slab", "page", "vmalloc"... */
const char *kt_owner_kind_name(enum kt_owner_kind kind);
const char *kt_slab_state_name(enum kt_slab_state state);
const char *kt_page_kind_name(enum kt_page_kind kind);

/** Free what the engine cached on @prog (called by kt_program_destroy). */
void kt_owner_cache_destroy(struct kt_program *prog);

#endif /* KT_CORE_OWNER_H */
