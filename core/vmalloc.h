/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's vmalloc/vmap areas: what each busy area of the vmalloc
 * space is (its vm_struct: size, flags, the function that allocated it),
 * and the other way round, which vmalloc addresses map a physical page.
 *
 * Task stacks (CONFIG_VMAP_STACK), module memory, BPF programs and
 * ioremaps live here. A search that finds a value in a physical page
 * reports it at the vmalloc address too through kt_vmalloc_by_pfn(), and
 * the ownership engine names the area of an address with
 * kt_vmalloc_find().
 *
 * Loaded once per program and cached on it (prog->vmalloc). Read-only once
 * loaded, so threads may query it concurrently.
 */
#ifndef KT_CORE_VMALLOC_H
#define KT_CORE_VMALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct kt_program;

/* vm_struct flags (include/linux/vmalloc.h); stable since 5.x. */
#define KT_VM_IOREMAP		0x001
#define KT_VM_ALLOC		0x002
#define KT_VM_MAP		0x004
#define KT_VM_USERMAP		0x008
#define KT_VM_DMA_COHERENT	0x010
#define KT_VM_UNINITIALIZED	0x020
#define KT_VM_NO_GUARD		0x040
#define KT_VM_KASAN		0x080
#define KT_VM_FLUSH_RESET_PERMS	0x100

/** One busy vmap area. */
struct kt_vmalloc_area {
	uint64_t va_start, va_end;	/* struct vmap_area: [start, end) */
	uint64_t vm;		/* struct vm_struct *; 0 for vm_map_ram */
	uint64_t addr, size;	/* vm->addr, vm->size (with guard page) */
	uint64_t flags;		/* vm->flags, KT_VM_* */
	uint64_t caller;	/* vm->caller: return address in allocator */
	uint64_t phys_addr;	/* vm->phys_addr (ioremap) */
	uint64_t nr_pages;	/* vm->nr_pages */
	uint64_t pages;		/* vm->pages: struct page *[nr_pages] */
};

/** One page of a vmalloc area: which pfn backs which address. */
struct kt_vmalloc_page {
	uint64_t pfn;
	uint64_t addr;		/* the page's vmalloc address */
	uint32_t area;		/* index in kt_vmalloc.areas */
};

struct kt_vmalloc {
	struct kt_vmalloc_area *areas;	/* sorted by va_start */
	size_t n;
	struct kt_vmalloc_page *pages;	/* sorted by pfn, then addr */
	size_t npages;
	char *warning;	/* set when a walk or a pages[] read fell short */
};

/**
 * Load the vmap areas and their pages once; the result is owned by @prog
 * and lives as long as it. A corrupt list keeps what was read before the
 * damage and sets ->warning; only a kernel whose layout ktriage does not
 * know (or no debuginfo) is an error.
 */
struct kt_error *kt_vmalloc_load(struct kt_program *prog,
				 const struct kt_vmalloc **ret);

/** Free; NULL is accepted. Called by kt_program_destroy(). */
void kt_vmalloc_destroy(struct kt_vmalloc *vm);

/** The area whose [va_start, va_end) holds @addr, or NULL. */
const struct kt_vmalloc_area *kt_vmalloc_find(const struct kt_vmalloc *vm,
					      uint64_t addr);

/**
 * The pages of every area that maps @pfn: a pointer to the first of *@n
 * consecutive entries (sorted by address), or NULL with *@n = 0. A page
 * may be mapped twice (vmap() of vmalloc'd pages), hence the count.
 */
const struct kt_vmalloc_page *kt_vmalloc_by_pfn(const struct kt_vmalloc *vm,
						uint64_t pfn, size_t *n);

/**
 * The flags as crash's `kmem -v` would name them: "VM_ALLOC|VM_MAP";
 * unknown bits in hex. Always terminated.
 */
void kt_vmalloc_flags_str(uint64_t flags, char *buf, size_t size);

/**
 * The allocator of @area as "symbol+0xoff" (or the hex address when no
 * symbol holds it) into @buf; always terminated. Sanitised.
 */
void kt_vmalloc_caller_str(struct kt_program *prog,
			   const struct kt_vmalloc_area *area, char *buf,
			   size_t size);

#endif /* KT_CORE_VMALLOC_H */
