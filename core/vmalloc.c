// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vmap areas from the kernel's busy list, and the pages behind them: from
 * vm->pages[] where the area has one (vmalloc), else through the page
 * tables (vm_map_ram blocks, per-CPU chunks). Ioremaps have no RAM pages.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/checked.h"
#include "core/list.h"
#include "core/program.h"
#include "core/sanitize.h"
#include "core/vmalloc.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE 4096ULL
/* Kernels without CONFIG_DYNAMIC_MEMORY_LAYOUT: the fixed vmemmap. */
#define VMEMMAP_DEFAULT 0xffffea0000000000ULL
/* No vmalloc space has more pages than this; larger is corrupt data. */
#define MAX_AREA_PAGES (1ULL << 24)
/* Pages translated through page tables, over all areas without pages[]. */
#define MAX_WALKED_PAGES (1ULL << 20)

struct vm_layout {
	uint64_t va_start, va_end, list, vm;	/* struct vmap_area */
	struct kt_member addr, size, flags, pages, nr_pages, phys_addr, caller;
	uint64_t vmemmap, page_size;	/* to turn struct page * into pfns */
};

struct loader {
	struct kt_program *prog;
	struct vm_layout l;
	struct kt_vmalloc *vm;
	size_t cap, pages_cap;
	uint64_t walked;	/* pages translated through page tables */
};

static struct kt_error *member(struct kt_program *prog, const char *type,
			       const char *name, struct kt_member *ret)
{
	struct kt_error *err = kt_type_member(prog, type, name, ret);

	if (!err && (ret->bit_size || ret->size > 8 || !ret->size))
		return kt_error_create(KT_ERR_UNSUPPORTED,
				       "%s.%s is not an integer or pointer",
				       type, name);
	return err;
}

static struct kt_error *load_layout(struct kt_program *prog,
				    struct vm_layout *l)
{
	static const char vs[] = "struct vm_struct";
	static const char va[] = "struct vmap_area";
	struct kt_error *err;
	uint64_t vmemmap_sym;

	if ((err = kt_type_member_offset(prog, va, "va_start", &l->va_start)) ||
	    (err = kt_type_member_offset(prog, va, "va_end", &l->va_end)) ||
	    (err = kt_type_member_offset(prog, va, "list", &l->list)) ||
	    (err = kt_type_member_offset(prog, va, "vm", &l->vm)) ||
	    (err = member(prog, vs, "addr", &l->addr)) ||
	    (err = member(prog, vs, "size", &l->size)) ||
	    (err = member(prog, vs, "flags", &l->flags)) ||
	    (err = member(prog, vs, "pages", &l->pages)) ||
	    (err = member(prog, vs, "nr_pages", &l->nr_pages)) ||
	    (err = member(prog, vs, "phys_addr", &l->phys_addr)) ||
	    (err = member(prog, vs, "caller", &l->caller)) ||
	    (err = kt_type_size(prog, "struct page", &l->page_size)))
		return kt_error_wrap(err, "vmalloc areas");
	// vmemmap_base moves with KASLR's memory randomisation (4.19+).
	l->vmemmap = VMEMMAP_DEFAULT;
	if (!kt_error_catch_any(kt_symbol_address(prog, "vmemmap_base",
						  &vmemmap_sym)))
		kt_error_catch_any(kt_read_u64(prog, vmemmap_sym, &l->vmemmap));
	if (!l->page_size)
		return kt_error_create(KT_ERR_CORRUPT, "struct page has size 0");
	return NULL;
}

static uint64_t field(const unsigned char *buf, const struct kt_member *m)
{
	uint64_t v = 0;

	memcpy(&v, buf + m->offset, m->size);	// little-endian
	return v;
}

static struct kt_error *read_vm(struct loader *ld, uint64_t vm,
				struct kt_vmalloc_area *a)
{
	const struct vm_layout *l = &ld->l;
	unsigned char buf[256];
	uint64_t end = l->caller.offset + l->caller.size;
	struct kt_error *err;

	if (end > sizeof(buf))
		return kt_error_create(KT_ERR_UNSUPPORTED,
				       "struct vm_struct is too large");
	err = kt_read(ld->prog, vm, buf, end);
	if (err)
		return err;
	a->addr = field(buf, &l->addr);
	a->size = field(buf, &l->size);
	a->flags = field(buf, &l->flags);
	a->pages = field(buf, &l->pages);
	a->nr_pages = field(buf, &l->nr_pages);
	a->phys_addr = field(buf, &l->phys_addr);
	a->caller = field(buf, &l->caller);
	return NULL;
}

static struct kt_error *add_area(struct kt_program *prog, uint64_t node,
				 void *arg)
{
	struct loader *ld = arg;
	struct kt_vmalloc *vm = ld->vm;
	uint64_t va = node - ld->l.list;
	struct kt_vmalloc_area a = { 0 };
	struct kt_error *err;

	if ((err = kt_read_u64(prog, va + ld->l.va_start, &a.va_start)) ||
	    (err = kt_read_u64(prog, va + ld->l.va_end, &a.va_end)) ||
	    (err = kt_read_u64(prog, va + ld->l.vm, &a.vm)))
		return kt_error_wrap(err, "vmap_area 0x%" PRIx64, va);
	if (a.vm) {
		err = read_vm(ld, a.vm, &a);
		if (err)
			return kt_error_wrap(err, "vmap_area 0x%" PRIx64
					     ": vm_struct 0x%" PRIx64, va,
					     a.vm);
	}
	if (vm->n == ld->cap) {
		size_t cap = ld->cap ? ld->cap * 2 : 256;
		void *p = realloc(vm->areas, cap * sizeof(*vm->areas));

		if (!p)
			return &kt_error_nomem;
		vm->areas = p;
		ld->cap = cap;
	}
	vm->areas[vm->n++] = a;
	return NULL;
}

static bool add_page(struct loader *ld, uint64_t pfn, uint64_t addr,
		     size_t area)
{
	struct kt_vmalloc *vm = ld->vm;

	if (vm->npages == ld->pages_cap) {
		size_t cap = ld->pages_cap ? ld->pages_cap * 2 : 1024;
		void *p = realloc(vm->pages, cap * sizeof(*vm->pages));

		if (!p)
			return false;
		vm->pages = p;
		ld->pages_cap = cap;
	}
	vm->pages[vm->npages++] = (struct kt_vmalloc_page){ pfn, addr, area };
	return true;
}

/* vm->pages[]: one struct page * per small page, huge mappings included. */
static struct kt_error *pages_from_array(struct loader *ld, size_t i)
{
	const struct kt_vmalloc_area *a = &ld->vm->areas[i];
	uint64_t n = a->nr_pages, *pp;
	struct kt_error *err;

	if (n > a->size / PAGE_SIZE || n > MAX_AREA_PAGES)
		return kt_error_create(KT_ERR_CORRUPT,
			"vm_struct 0x%" PRIx64 ": nr_pages %" PRIu64
			" does not fit its size 0x%" PRIx64, a->vm, n, a->size);
	pp = malloc(n * sizeof(*pp));
	if (!pp)
		return &kt_error_nomem;
	err = kt_read(ld->prog, a->pages, pp, n * sizeof(*pp));
	for (uint64_t k = 0; !err && k < n; k++) {
		uint64_t off = pp[k] - ld->l.vmemmap;

		// A NULL or stray entry (an allocation that failed half-way)
		// maps nothing.
		if (pp[k] < ld->l.vmemmap || off % ld->l.page_size)
			continue;
		if (!add_page(ld, off / ld->l.page_size,
			      a->addr + (k << PAGE_SHIFT), i))
			err = &kt_error_nomem;
	}
	free(pp);
	return err ? kt_error_wrap(err, "pages of vm_struct 0x%" PRIx64,
				   a->vm) : NULL;
}

/* Areas mapped without a pages[] array: ask the page tables. */
static struct kt_error *pages_from_tables(struct loader *ld, size_t i)
{
	const struct kt_vmalloc_area *a = &ld->vm->areas[i];
	uint64_t start = a->vm ? a->addr : a->va_start;
	uint64_t end = a->vm ? a->addr + a->size : a->va_end;

	if (a->vm && !(a->flags & KT_VM_NO_GUARD) && end > start)
		end -= PAGE_SIZE;
	for (uint64_t va = start; va < end; va += PAGE_SIZE) {
		uint64_t pa;

		if (++ld->walked > MAX_WALKED_PAGES)
			return kt_error_create(KT_ERR_CORRUPT,
				"more than %llu vmap pages without pages[]",
				MAX_WALKED_PAGES);
		if (kt_error_catch_any(kt_dump_vtop(ld->prog->dump, va, &pa)))
			continue;
		if (!add_page(ld, pa >> PAGE_SHIFT, va, i))
			return &kt_error_nomem;
	}
	return NULL;
}

static int cmp_area(const void *x, const void *y)
{
	const struct kt_vmalloc_area *a = x, *b = y;

	return a->va_start < b->va_start ? -1 : a->va_start > b->va_start;
}

static int cmp_page(const void *x, const void *y)
{
	const struct kt_vmalloc_page *a = x, *b = y;

	if (a->pfn != b->pfn)
		return a->pfn < b->pfn ? -1 : 1;
	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

static void warn(struct kt_vmalloc *vm, struct kt_error *err)
{
	if (!vm->warning)
		vm->warning = strdup(err->message);
	kt_error_destroy(err);
}

static struct kt_error *load_pages(struct loader *ld)
{
	struct kt_vmalloc *vm = ld->vm;

	for (size_t i = 0; i < vm->n; i++) {
		const struct kt_vmalloc_area *a = &vm->areas[i];
		struct kt_error *err = NULL;

		if (a->vm && (a->flags & KT_VM_IOREMAP))
			continue;
		if (a->vm && a->pages && a->nr_pages)
			err = pages_from_array(ld, i);
		else
			err = pages_from_tables(ld, i);
		if (err == &kt_error_nomem)
			return err;
		if (err)
			warn(vm, err);
	}
	kt_qsort(vm->pages, vm->npages, sizeof(*vm->pages), cmp_page);
	return NULL;
}

#define MAX_VMAP_NODES 4096

static struct kt_error *walk_list(struct loader *ld, uint64_t head,
				  const char *what)
{
	struct kt_error *err = kt_list_walk(ld->prog, head, add_area, ld);

	if (err && err != &kt_error_nomem &&
	    (err->code == KT_ERR_CORRUPT || err->code == KT_ERR_FAULT)) {
		warn(ld->vm, kt_error_wrap(err, "%s", what));
		err = NULL;
	}
	return err;
}

/*
 * 6.9 replaced the global vmap_area_list by per-node lists (commit
 * d093602919ad "mm: vmalloc: remove global vmap_area_root rb-tree"):
 * vmap_nodes[0 .. nr_vmap_nodes - 1].busy.head.
 */
static struct kt_error *walk_nodes(struct loader *ld)
{
	uint64_t addr, nodes, size, off;
	struct kt_error *err;
	uint32_t n;

	err = kt_symbol_address(ld->prog, "vmap_nodes", &addr);
	if (!err)
		err = kt_read_u64(ld->prog, addr, &nodes);
	if (!err)
		err = kt_symbol_address(ld->prog, "nr_vmap_nodes", &addr);
	if (!err)
		err = kt_read_u32(ld->prog, addr, &n);
	if (!err)
		err = kt_type_size(ld->prog, "struct vmap_node", &size);
	if (!err)
		err = kt_type_member_offset(ld->prog, "struct vmap_node",
					    "busy.head", &off);
	if (err)
		return kt_error_wrap(err, "neither vmap_area_list nor vmap_nodes");
	if (!nodes || !n || n > MAX_VMAP_NODES)
		return kt_error_create(KT_ERR_CORRUPT, "%u vmap nodes at 0x%llx",
				       n, (unsigned long long)nodes);
	for (uint32_t i = 0; i < n; i++) {
		char what[48];

		snprintf(what, sizeof(what), "vmap_nodes[%u].busy", i);
		err = walk_list(ld, nodes + i * size + off, what);
		if (err)
			return err;
	}
	return NULL;
}

/* The busy areas: vmap_area_list, or the per-node lists. */
static struct kt_error *walk_areas(struct loader *ld)
{
	uint64_t head;

	if (kt_error_catch_any(kt_symbol_address(ld->prog, "vmap_area_list",
						 &head)))
		return walk_nodes(ld);
	return walk_list(ld, head, "vmap_area_list");
}

struct kt_error *kt_vmalloc_load(struct kt_program *prog,
				 const struct kt_vmalloc **ret)
{
	struct loader ld = { .prog = prog };
	struct kt_error *err;

	if (prog->vmalloc) {
		*ret = prog->vmalloc;
		return NULL;
	}
	err = load_layout(prog, &ld.l);
	if (err)
		return err;
	ld.vm = calloc(1, sizeof(*ld.vm));
	if (!ld.vm)
		return &kt_error_nomem;
	err = walk_areas(&ld);
	if (!err) {
		kt_qsort(ld.vm->areas, ld.vm->n, sizeof(*ld.vm->areas), cmp_area);
		err = load_pages(&ld);
	}
	if (err) {
		kt_vmalloc_destroy(ld.vm);
		return err;
	}
	prog->vmalloc = ld.vm;
	*ret = ld.vm;
	return NULL;
}

void kt_vmalloc_destroy(struct kt_vmalloc *vm)
{
	if (!vm)
		return;
	free(vm->areas);
	free(vm->pages);
	free(vm->warning);
	free(vm);
}

const struct kt_vmalloc_area *kt_vmalloc_find(const struct kt_vmalloc *vm,
					      uint64_t addr)
{
	size_t lo = 0, hi = vm->n;

	// The last area starting at or below addr.
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (vm->areas[mid].va_start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || addr >= vm->areas[lo - 1].va_end)
		return NULL;
	return &vm->areas[lo - 1];
}

const struct kt_vmalloc_page *kt_vmalloc_by_pfn(const struct kt_vmalloc *vm,
						uint64_t pfn, size_t *n)
{
	size_t lo = 0, hi = vm->npages, end;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (vm->pages[mid].pfn < pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < vm->npages && vm->pages[end].pfn == pfn; end++)
		;
	*n = end - lo;
	return *n ? &vm->pages[lo] : NULL;
}

void kt_vmalloc_flags_str(uint64_t flags, char *buf, size_t size)
{
	static const char *const names[] = {
		"VM_IOREMAP", "VM_ALLOC", "VM_MAP", "VM_USERMAP",
		"VM_DMA_COHERENT", "VM_UNINITIALIZED", "VM_NO_GUARD",
		"VM_KASAN", "VM_FLUSH_RESET_PERMS",
	};
	size_t len = 0;

	*buf = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(flags & (1ULL << i)) || len >= size)
			continue;
		len += snprintf(buf + len, size - len, "%s%s", len ? "|" : "",
				names[i]);
		flags &= ~(1ULL << i);
	}
	if (flags && len < size)
		snprintf(buf + len, size - len, "%s0x%" PRIx64, len ? "|" : "",
			 flags);
}

void kt_vmalloc_caller_str(struct kt_program *prog,
			   const struct kt_vmalloc_area *area, char *buf,
			   size_t size)
{
	struct kt_symbol_hit h;
	char name[KT_SANITIZED_SIZE(128)];

	if (!area->caller || !kt_symbol_lookup(prog, area->caller, &h)) {
		snprintf(buf, size, "0x%" PRIx64, area->caller);
		return;
	}
	kt_sanitize(h.name, strlen(h.name), name, sizeof(name), false);
	snprintf(buf, size, "%s+0x%" PRIx64, name, h.offset);
}
