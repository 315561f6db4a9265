// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The ownership engine: range checks first (NULL, user, non-canonical,
 * symbols), then what the kernel's own bookkeeping says about the memory.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/checked.h"
#include "core/owner.h"
#include "core/program.h"
#include "core/sanitize.h"
#include "core/mm.h"
#include "core/module.h"
#include "core/slab.h"
#include "core/stack.h"
#include "core/task.h"
#include "core/vmalloc.h"
#include "core/vmlinux.h"

/* Below this, a "pointer" is NULL plus a member offset. */
#define KT_NULL_LIMIT 0x10000ULL
#define KT_USER_END 0x0000800000000000ULL
#define KT_KERNEL_START 0xffff800000000000ULL

/* LIST_POISON1/2 are 0x100/0x122 + POISON_POINTER_DELTA, which is
 * CONFIG_ILLEGAL_POINTER_VALUE (0xdead000000000000 on x86-64). */
#define KT_POISON_DELTA 0xdead000000000000ULL
#define KT_POISON_NEAR 0x100

/* A stack: [lo, hi) of task (or CPU) with kind. */
struct stack_range {
	uint64_t lo, hi;
	uint64_t task;
	int pid, cpu;
	enum kt_stack_kind kind;
	char comm[KT_OWNER_NAME];
};

struct kt_owner_cache {
	struct stack_range *stacks;	/* sorted by lo */
	size_t nstacks;
	uint64_t percpu_start, percpu_size;	/* static per-CPU area */
};

void kt_owner_cache_destroy(struct kt_program *prog)
{
	if (!prog->owner)
		return;
	free(prog->owner->stacks);
	free(prog->owner);
	prog->owner = NULL;
}

static int stack_cmp(const void *a, const void *b)
{
	const struct stack_range *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static bool add_stack(struct kt_owner_cache *oc, size_t *cap,
		      const struct stack_range *r)
{
	if (oc->nstacks == *cap) {
		size_t n = *cap ? *cap * 2 : 128;
		struct stack_range *s = realloc(oc->stacks, n * sizeof(*s));

		if (!s)
			return false;
		oc->stacks = s;
		*cap = n;
	}
	oc->stacks[oc->nstacks++] = *r;
	return true;
}

/* Every task's stack and every CPU's IRQ and exception stacks. */
static void load_stacks(struct kt_program *prog, struct kt_owner_cache *oc)
{
	const struct kt_task_list *tasks;
	size_t cap = 0;

	if (!kt_error_catch_any(kt_tasks_load(prog, &tasks))) {
		for (size_t i = 0; i < tasks->n; i++) {
			const struct kt_task *t = &tasks->tasks[i];
			struct stack_range r = { .task = t->addr, .pid = t->pid,
						 .cpu = t->idle ? t->cpu : -1,
						 .kind = KT_STACK_TASK };

			if (!kt_stack_bounds(prog, t->addr, -1, KT_STACK_TASK,
					     &r.lo, &r.hi))
				continue;
			kt_sanitize(t->comm, sizeof(t->comm), r.comm,
				    sizeof(r.comm), false);
			if (!add_stack(oc, &cap, &r))
				return;
		}
	}
	for (unsigned cpu = 0; cpu < prog->nr_cpu_ids; cpu++) {
		for (int k = KT_STACK_IRQ; k < KT_STACK_USER; k++) {
			struct stack_range r = { .cpu = (int)cpu, .pid = -1,
						 .kind = k };

			if (kt_stack_bounds(prog, 0, (int)cpu, k, &r.lo, &r.hi) &&
			    !add_stack(oc, &cap, &r))
				return;
		}
	}
	if (oc->nstacks)
		kt_qsort(oc->stacks, oc->nstacks, sizeof(*oc->stacks), stack_cmp);
}

static struct kt_owner_cache *owner_cache(struct kt_program *prog)
{
	struct kt_owner_cache *oc = prog->owner;
	uint64_t start, end;

	if (oc)
		return oc;
	oc = calloc(1, sizeof(*oc));
	if (!oc)
		return NULL;
	load_stacks(prog, oc);
	if (!kt_error_catch_any(kt_symbol_address(prog, "__per_cpu_start", &start)) &&
	    !kt_error_catch_any(kt_symbol_address(prog, "__per_cpu_end", &end)) &&
	    end > start) {
		oc->percpu_start = start;
		oc->percpu_size = end - start;
	}
	prog->owner = oc;
	return oc;
}

const char *kt_owner_kind_name(enum kt_owner_kind kind)
{
	static const char *const names[] = {
		[KT_OWNER_NULL] = "null",
		[KT_OWNER_USER] = "user",
		[KT_OWNER_NONCANONICAL] = "non-canonical",
		[KT_OWNER_POISON] = "poison",
		[KT_OWNER_SYMBOL] = "symbol",
		[KT_OWNER_SLAB] = "slab",
		[KT_OWNER_PAGE] = "page",
		[KT_OWNER_VMALLOC] = "vmalloc",
		[KT_OWNER_STACK] = "stack",
		[KT_OWNER_PERCPU] = "percpu",
		[KT_OWNER_PAGE_STRUCT] = "struct page",
		[KT_OWNER_NOT_RAM] = "not RAM",
		[KT_OWNER_EXCLUDED] = "excluded",
		[KT_OWNER_UNMAPPED] = "unmapped",
		[KT_OWNER_UNKNOWN] = "unknown",
	};

	return (unsigned)kind < sizeof(names) / sizeof(names[0]) ? names[kind] :
								   "?";
}

const char *kt_slab_state_name(enum kt_slab_state state)
{
	switch (state) {
	case KT_SLAB_ALLOCATED:
		return "alloc";
	case KT_SLAB_FREE:
		return "free";
	default:
		return "unknown";
	}
}

const char *kt_page_kind_name(enum kt_page_kind kind)
{
	static const char *const names[] = {
		[KT_PAGE_OTHER] = "allocated",
		[KT_PAGE_SLAB] = "slab",
		[KT_PAGE_LARGE_KMALLOC] = "large kmalloc",
		[KT_PAGE_BUDDY] = "free (buddy)",
		[KT_PAGE_ANON] = "anonymous",
		[KT_PAGE_FILE] = "page cache",
		[KT_PAGE_RESERVED] = "reserved",
		[KT_PAGE_TABLE] = "page table",
		[KT_PAGE_OFFLINE] = "offline",
		[KT_PAGE_VMALLOC] = "vmalloc",
	};

	return (unsigned)kind < sizeof(names) / sizeof(names[0]) ? names[kind] :
								   "?";
}

static struct kt_owner_id *add_id(struct kt_owner *o, enum kt_owner_kind kind)
{
	struct kt_owner_id *id;

	if (o->n == KT_OWNER_MAX)
		return NULL;
	id = &o->ids[o->n++];
	memset(id, 0, sizeof(*id));
	id->kind = kind;
	id->cpu = -1;
	id->freelist_pos = -1;
	id->pid = -1;
	return id;
}

static bool identify_symbol(struct kt_program *prog, uint64_t addr,
			    struct kt_owner *o)
{
	struct kt_symbol_hit h;
	struct kt_owner_id *id;

	if (addr < KT_START_KERNEL_MAP || !kt_symbol_lookup(prog, addr, &h))
		return false;
	id = add_id(o, KT_OWNER_SYMBOL);
	if (!id)
		return true;
	id->base = h.addr;
	id->offset = h.offset;
	id->size = h.size;
	kt_sanitize(h.name, strlen(h.name), id->name, sizeof(id->name), false);
	if (h.module)
		kt_sanitize(h.module, strlen(h.module), id->name2,
			    sizeof(id->name2), false);
	snprintf(id->reason, sizeof(id->reason), "%s symbol table",
		 h.module ? "module" : "vmlinux");
	return true;
}

static void identify_poison(uint64_t addr, struct kt_owner *o)
{
	static const struct {
		uint64_t value;
		const char *name, *why;
	} poisons[] = {
		{ KT_POISON_DELTA + 0x100, "LIST_POISON1",
		  "list_del() leaves it in ->next" },
		{ KT_POISON_DELTA + 0x122, "LIST_POISON2",
		  "list_del() leaves it in ->prev" },
		{ KT_POISON_DELTA + 0x200, "LIST_POISON1 of hlist/POISON",
		  "hlist_del()/rb poisons" },
		{ 0x6b6b6b6b6b6b6b6bULL, "POISON_FREE",
		  "slab debug fills freed objects with 0x6b" },
		{ 0x5a5a5a5a5a5a5a5aULL, "POISON_INUSE",
		  "slab debug fills new objects with 0x5a" },
		{ 0xccccccccccccccccULL, "SLUB_RED_ACTIVE",
		  "red zone of an allocated slab object" },
		{ 0xbbbbbbbbbbbbbbbbULL, "SLUB_RED_INACTIVE",
		  "red zone of a free slab object" },
	};
	struct kt_owner_id *id;
	size_t best = 0;
	uint64_t best_d = UINT64_MAX;

	// The nearest poison within reach names it: LIST_POISON2 is itself
	// LIST_POISON1 + 0x22.
	for (size_t i = 0; i < sizeof(poisons) / sizeof(poisons[0]); i++) {
		int64_t sd = (int64_t)(addr - poisons[i].value);
		uint64_t d = sd < 0 ? (uint64_t)-sd : (uint64_t)sd;

		if (d <= KT_POISON_NEAR && d < best_d) {
			best = i;
			best_d = d;
		}
	}
	if (best_d == UINT64_MAX)
		return;
	{
		size_t i = best;
		uint64_t d = addr - poisons[i].value;
		int64_t sd = (int64_t)d;

		id = add_id(o, KT_OWNER_POISON);
		if (!id)
			return;
		id->base = poisons[i].value;
		id->offset = d;
		snprintf(id->name, sizeof(id->name), "%s", poisons[i].name);
		if (sd)
			snprintf(id->reason, sizeof(id->reason),
				 "%s%c0x%llx (0x%016llx): %s; an offset from it is a "
				 "member reached through a poisoned pointer",
				 poisons[i].name, sd < 0 ? '-' : '+',
				 (unsigned long long)(sd < 0 ? -sd : sd),
				 (unsigned long long)poisons[i].value, poisons[i].why);
		else
			snprintf(id->reason, sizeof(id->reason), "%s: %s",
				 poisons[i].name, poisons[i].why);
	}
}

static void identify_module_area(struct kt_program *prog, uint64_t addr,
				 struct kt_owner *o)
{
	const struct kt_module *m = kt_module_by_addr(prog, addr);
	char name[KT_OWNER_NAME];
	struct kt_owner_id *id;

	const struct kt_module_region *r;

	if (!m || !(r = kt_module_region_of(m, addr)) ||
	    !(id = add_id(o, KT_OWNER_SYMBOL)))
		return;
	id->base = r->base;
	id->offset = addr - r->base;
	id->size = r->size;
	kt_sanitize(m->name, sizeof(m->name), name, sizeof(name), false);
	snprintf(id->name, sizeof(id->name), "%s", name);
	snprintf(id->name2, sizeof(id->name2), "%s", name);
	snprintf(id->reason, sizeof(id->reason),
		 "inside module %s's %s, at no symbol", name,
		 r->init ? (m->init_text && addr >= m->init_text &&
			    addr - m->init_text < m->init_text_size ?
			    "init text (it was still loading)" :
			    "init data (it was still loading)") :
		 r->base == m->base && addr - r->base < m->text_size ?
		 "text" : "data");
}

static void identify_stack(struct kt_program *prog, struct kt_owner_cache *oc,
			   uint64_t addr, struct kt_owner *o)
{
	size_t lo = 0, hi = oc->nstacks;

	// The last range starting at or below addr; stacks do not overlap.
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (oc->stacks[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i-- > 0;) {
		const struct stack_range *r = &oc->stacks[i];
		struct kt_owner_id *id;

		if (addr >= r->hi)
			continue;
		id = add_id(o, KT_OWNER_STACK);
		if (!id)
			return;
		id->base = r->lo;
		id->offset = addr - r->lo;
		id->size = r->hi - r->lo;
		id->task = r->task;
		id->pid = r->pid;
		id->cpu = r->cpu;
		if (r->kind == KT_STACK_TASK) {
			snprintf(id->name, sizeof(id->name), "%s", r->comm);
			snprintf(id->reason, sizeof(id->reason),
				 "task stack of pid %d (%s): task->stack + 0x%llx, "
				 "0x%llx below its top", r->pid, r->comm,
				 (unsigned long long)id->offset,
				 (unsigned long long)(r->hi - addr));
		} else {
			snprintf(id->name, sizeof(id->name), "%s",
				 kt_stack_kind_name(r->kind));
			snprintf(id->reason, sizeof(id->reason),
				 "%s stack of CPU %d, 0x%llx below its top",
				 kt_stack_kind_name(r->kind), r->cpu,
				 (unsigned long long)(r->hi - addr));
		}
		return;
	}
}

static void identify_percpu(struct kt_program *prog, struct kt_owner_cache *oc,
			    uint64_t addr, struct kt_owner *o)
{
	for (unsigned cpu = 0; oc->percpu_size && cpu < prog->nr_cpu_ids; cpu++) {
		uint64_t off, var;
		const struct kt_symbol *sym;
		struct kt_owner_id *id;

		if (kt_error_catch_any(kt_percpu_offset(prog, cpu, &off)))
			return;
		var = addr - off;
		if (var < oc->percpu_start || var >= oc->percpu_start + oc->percpu_size)
			continue;
		id = add_id(o, KT_OWNER_PERCPU);
		if (!id)
			return;
		id->cpu = (int)cpu;
		id->base = off + oc->percpu_start;
		id->offset = var - oc->percpu_start;
		sym = kt_symtab_by_addr(prog->symtab, var, 4096);
		if (sym) {
			kt_sanitize(sym->name, strlen(sym->name), id->name,
				    sizeof(id->name), false);
			id->base = off + sym->addr;
			id->offset = var - sym->addr;
			id->size = sym->size;
		}
		snprintf(id->reason, sizeof(id->reason),
			 "CPU %u's static per-CPU area (__per_cpu_offset[%u] + "
			 "0x%llx)%s%s", cpu, cpu, (unsigned long long)var,
			 sym ? ": " : "", sym ? id->name : "");
		return;
	}
}

static bool vmalloc_page(struct kt_program *prog, struct kt_owner_cache *oc,
			 uint64_t pfn, struct kt_owner_id *id);

static void page_reason(const struct kt_page *p, struct kt_owner_id *id)
{
	const char *kind = kt_page_kind_name(id->page_kind);

	if (p->compound)
		snprintf(id->reason, sizeof(id->reason),
			 "%s: page 0x%llx of a compound page of order %u "
			 "(head pfn 0x%llx), refcount %d", kind,
			 (unsigned long long)p->pfn, p->order,
			 (unsigned long long)p->head_pfn, p->refcount);
	else
		snprintf(id->reason, sizeof(id->reason),
			 "%s: pfn 0x%llx, flags 0x%llx, refcount %d", kind,
			 (unsigned long long)p->pfn, (unsigned long long)p->flags,
			 p->refcount);
}

static void identify_page(struct kt_program *prog, const struct kt_mm *mm,
			  const struct kt_page *p, uint64_t addr,
			  struct kt_owner *o)
{
	struct kt_owner_id *id = add_id(o, KT_OWNER_PAGE);
	uint64_t first;
	unsigned order;

	if (!id)
		return;
	id->pfn = p->pfn;
	id->page = p->head;
	id->order = p->order;
	id->base = kt_mm_pfn_to_virt(mm, p->head_pfn);
	id->offset = addr - id->base;
	id->size = KT_PAGE_SIZE << p->order;
	if (kt_mm_buddy_block(prog, p->pfn, &first, &order)) {
		id->page_kind = KT_PAGE_BUDDY;
		id->order = order;
		id->base = kt_mm_pfn_to_virt(mm, first);
		id->offset = addr - id->base;
		id->size = KT_PAGE_SIZE << order;
		snprintf(id->reason, sizeof(id->reason),
			 "free: in a free buddy block of order %u at pfn 0x%llx",
			 order, (unsigned long long)first);
		return;
	}
	if (vmalloc_page(prog, prog->owner, p->pfn, id))
		return;
	if (kt_mm_page_has_type(mm, p, mm->pt_table))
		id->page_kind = KT_PAGE_TABLE;
	else if (kt_mm_page_has_type(mm, p, mm->pt_offline))
		id->page_kind = KT_PAGE_OFFLINE;
	else if (mm->pg_reserved >= 0 && (p->flags >> mm->pg_reserved) & 1)
		id->page_kind = KT_PAGE_RESERVED;
	else if (p->mapping & 1)	// PAGE_MAPPING_ANON
		id->page_kind = KT_PAGE_ANON;
	else if (p->mapping)
		id->page_kind = KT_PAGE_FILE;
	else if (p->compound)
		id->page_kind = KT_PAGE_LARGE_KMALLOC;
	page_reason(p, id);
	if (id->page_kind == KT_PAGE_LARGE_KMALLOC)
		snprintf(id->reason + strlen(id->reason),
			 sizeof(id->reason) - strlen(id->reason),
			 "; no mapping: a large kmalloc or alloc_pages(__GFP_COMP)");
	else if (!p->refcount && id->page_kind == KT_PAGE_OTHER)
		snprintf(id->reason, sizeof(id->reason),
			 "free: refcount 0 and not in the buddy lists: on a "
			 "per-CPU page list or being freed (pfn 0x%llx)",
			 (unsigned long long)p->pfn);
}

/* An allocated task_struct object is a task: say which (drgn does too). */
static void slab_task(struct kt_program *prog, struct kt_owner_id *id)
{
	const struct kt_task_list *tasks;
	const struct kt_task *t;
	char comm[KT_OWNER_NAME];
	size_t len = strlen(id->reason);

	if (strcmp(id->name, "task_struct") || id->state == KT_SLAB_FREE ||
	    kt_error_catch_any(kt_tasks_load(prog, &tasks)) ||
	    !(t = kt_task_by_addr(tasks, id->base)))
		return;
	id->task = t->addr;
	id->pid = t->pid;
	kt_sanitize(t->comm, sizeof(t->comm), comm, sizeof(comm), false);
	snprintf(id->reason + len, sizeof(id->reason) - len,
		 "; the task_struct of pid %d (%s)", t->pid, comm);
}

static void identify_slab(struct kt_program *prog, const struct kt_page *p,
			  uint64_t addr, struct kt_owner *o)
{
	struct kt_slab_object so;
	struct kt_owner_id *id;
	struct kt_error *err = kt_slab_object(prog, p, addr, &so);

	id = add_id(o, KT_OWNER_SLAB);
	if (!id) {
		kt_error_destroy(err);
		return;
	}
	id->pfn = p->pfn;
	id->page = p->head;
	id->order = p->order;
	if (err) {
		id->state = KT_SLAB_UNKNOWN;
		snprintf(id->name, sizeof(id->name), "?");
		snprintf(id->reason, sizeof(id->reason), "slab page, but %s",
			 err->message);
		kt_error_destroy(err);
		return;
	}
	id->cache = so.cache->addr;
	snprintf(id->name, sizeof(id->name), "%s", so.cache->name);
	if (so.cache->aliases)
		snprintf(id->name2, sizeof(id->name2), "%s", so.cache->aliases);
	id->base = so.obj;
	id->offset = so.offset;
	id->size = so.cache->object_size;
	id->state = so.state;
	id->cpu = so.cpu;
	id->freelist_pos = so.pos;
	id->in_padding = so.in_padding;
	snprintf(id->reason, sizeof(id->reason), "%s", so.reason);
	slab_task(prog, id);
}

static void identify_direct(struct kt_program *prog, uint64_t addr,
			    uint64_t pfn, struct kt_owner *o)
{
	const struct kt_mm *mm;
	enum kt_fault fault = kt_dump_pfn_state(prog->dump, pfn);
	struct kt_owner_id *id;
	struct kt_page p;

	if (kt_error_catch_any(kt_mm_get(prog, &mm)))
		return;
	if (pfn >= mm->max_pfn || fault == KT_FAULT_NOT_RAM) {
		id = add_id(o, KT_OWNER_NOT_RAM);
		if (!id)
			return;
		id->pfn = pfn;
		if (pfn >= mm->max_pfn)
			snprintf(id->reason, sizeof(id->reason),
				 "direct-map address of physical 0x%llx, past the "
				 "end of RAM (max_pfn 0x%llx): no page backs it",
				 (unsigned long long)(addr - mm->page_offset),
				 (unsigned long long)mm->max_pfn);
		else
			snprintf(id->reason, sizeof(id->reason),
				 "direct-map address of physical 0x%llx, in a hole "
				 "of the physical memory map",
				 (unsigned long long)(addr - mm->page_offset));
		return;
	}
	if (kt_error_catch_any(kt_mm_page(prog, pfn, &p))) {
		id = add_id(o, KT_OWNER_UNMAPPED);
		if (id)
			snprintf(id->reason, sizeof(id->reason),
				 "direct map, pfn 0x%llx, but its struct page "
				 "cannot be read", (unsigned long long)pfn);
		return;
	}
	if (kt_mm_page_slab(mm, &p))
		identify_slab(prog, &p, addr, o);
	else
		identify_page(prog, mm, &p, addr, o);
	if (fault == KT_FAULT_EXCLUDED && (id = add_id(o, KT_OWNER_EXCLUDED))) {
		id->pfn = pfn;
		snprintf(id->reason, sizeof(id->reason),
			 "pfn 0x%llx is left out of the dump (dump level %d)",
			 (unsigned long long)pfn,
			 kt_dump_info(prog->dump)->dump_level);
	}
}

static void identify_vmemmap(const struct kt_mm *mm, uint64_t addr,
			     struct kt_owner *o)
{
	struct kt_owner_id *id = add_id(o, KT_OWNER_PAGE_STRUCT);
	uint64_t idx = (addr - mm->vmemmap) / mm->page_struct_size;

	if (!id)
		return;
	id->pfn = idx;
	id->base = kt_mm_pfn_to_page(mm, idx);
	id->offset = addr - id->base;
	id->size = mm->page_struct_size;
	snprintf(id->name, sizeof(id->name), "page");
	snprintf(id->reason, sizeof(id->reason),
		 "vmemmap: struct page of pfn 0x%llx (physical 0x%llx)",
		 (unsigned long long)idx,
		 (unsigned long long)(idx << KT_PAGE_SHIFT));
}

static void identify_vmalloc(struct kt_program *prog, uint64_t addr,
			     struct kt_owner *o)
{
	const struct kt_vmalloc *vm;
	const struct kt_vmalloc_area *a;
	struct kt_owner_id *id;
	char flags[64], caller[KT_OWNER_NAME];

	if (kt_error_catch_any(kt_vmalloc_load(prog, &vm)))
		return;
	a = kt_vmalloc_find(vm, addr);
	if (!a) {
		if (o->n || !(id = add_id(o, KT_OWNER_UNMAPPED)))
			return;
		snprintf(id->reason, sizeof(id->reason),
			 "in the vmalloc range, but in no busy vmap area: "
			 "freed (a stale pointer), or never mapped");
		return;
	}
	if (!(id = add_id(o, KT_OWNER_VMALLOC)))
		return;
	id->base = a->va_start;
	id->offset = addr - a->va_start;
	id->size = a->va_end - a->va_start;
	kt_vmalloc_caller_str(prog, a, caller, sizeof(caller));
	snprintf(id->name, sizeof(id->name), "%s", caller);
	kt_vmalloc_flags_str(a->flags, flags, sizeof(flags));
	if (!a->vm)
		snprintf(id->reason, sizeof(id->reason),
			 "vmap area %016llx-%016llx without a vm_struct "
			 "(vm_map_ram)", (unsigned long long)a->va_start,
			 (unsigned long long)a->va_end);
	else if (addr >= a->addr + a->size - KT_PAGE_SIZE &&
		 !(a->flags & KT_VM_NO_GUARD))
		snprintf(id->reason, sizeof(id->reason),
			 "the guard page of a %s area of %llu pages from %s",
			 flags, (unsigned long long)a->nr_pages, caller);
	else
		snprintf(id->reason, sizeof(id->reason),
			 "%s area %016llx-%016llx, %llu pages, from %s", flags,
			 (unsigned long long)a->va_start,
			 (unsigned long long)a->va_end,
			 (unsigned long long)a->nr_pages, caller);
}

/* A direct-map page that backs a vmalloc area: say where it is mapped. */
static bool vmalloc_page(struct kt_program *prog, struct kt_owner_cache *oc,
			 uint64_t pfn, struct kt_owner_id *id)
{
	const struct kt_vmalloc *vm;
	const struct kt_vmalloc_page *pg;
	struct kt_owner stack = { 0 };
	char caller[KT_OWNER_NAME];
	size_t n;

	if (kt_error_catch_any(kt_vmalloc_load(prog, &vm)) ||
	    !(pg = kt_vmalloc_by_pfn(vm, pfn, &n)))
		return false;
	id->page_kind = KT_PAGE_VMALLOC;
	kt_vmalloc_caller_str(prog, &vm->areas[pg->area], caller,
			      sizeof(caller));
	if (oc)
		identify_stack(prog, oc, pg->addr, &stack);
	if (stack.n && stack.ids[0].task)
		snprintf(id->reason, sizeof(id->reason),
			 "vmalloc page, mapped at %016llx: the stack of pid %d (%s)",
			 (unsigned long long)pg->addr, stack.ids[0].pid,
			 stack.ids[0].name);
	else
		snprintf(id->reason, sizeof(id->reason),
			 "vmalloc page, mapped at %016llx by %s",
			 (unsigned long long)pg->addr, caller);
	return true;
}

static void identify_kernel(struct kt_program *prog, uint64_t addr,
			    struct kt_owner *o)
{
	struct kt_owner_cache *oc = owner_cache(prog);
	const struct kt_mm *mm = NULL;
	uint64_t pfn;
	uint8_t byte;

	if (identify_symbol(prog, addr, o))
		return;
	if (addr >= KT_MODULES_VADDR && addr < KT_MODULES_END) {
		identify_module_area(prog, addr, o);
		// module_alloc() memory is a vmap area: an unloaded
		// module's, or a BPF program's.
		if (!o->n)
			identify_vmalloc(prog, addr, o);
	}
	if (oc) {
		identify_stack(prog, oc, addr, o);
		identify_percpu(prog, oc, addr, o);
	}
	kt_error_catch_any(kt_mm_get(prog, &mm));
	if (mm && kt_mm_direct_pfn(mm, addr, &pfn))
		identify_direct(prog, addr, pfn, o);
	else if (mm && addr >= mm->vmemmap && addr < mm->vmemmap + KT_VMEMMAP_SIZE)
		identify_vmemmap(mm, addr, o);
	else if (mm && addr >= mm->vmalloc_start && addr < mm->vmalloc_end)
		identify_vmalloc(prog, addr, o);
	if (o->n)
		return;
	if (kt_error_catch_any(kt_read_u8(prog, addr, &byte))) {
		struct kt_owner_id *id = add_id(o, KT_OWNER_UNMAPPED);

		snprintf(id->reason, sizeof(id->reason),
			 "no page table entry maps it");
	} else {
		struct kt_owner_id *id = add_id(o, KT_OWNER_UNKNOWN);

		snprintf(id->reason, sizeof(id->reason),
			 "mapped, but in no symbol, area or page ktriage knows");
	}
}

struct kt_error *kt_owner_identify(struct kt_program *prog, uint64_t addr,
				   struct kt_owner *ret)
{
	struct kt_owner_id *id;

	memset(ret, 0, sizeof(*ret));
	ret->addr = addr;
	if (addr < KT_NULL_LIMIT) {
		id = add_id(ret, KT_OWNER_NULL);
		id->offset = addr;
		snprintf(id->reason, sizeof(id->reason),
			 "below 0x%llx: NULL plus an offset", KT_NULL_LIMIT);
	} else if (addr < KT_USER_END) {
		id = add_id(ret, KT_OWNER_USER);
		snprintf(id->reason, sizeof(id->reason),
			 "below 0x%llx: user space", KT_USER_END);
	} else if (addr < KT_KERNEL_START) {
		id = add_id(ret, KT_OWNER_NONCANONICAL);
		snprintf(id->reason, sizeof(id->reason),
			 "bits 63..47 differ: no x86-64 CPU can use it");
		identify_poison(addr, ret);
	} else {
		identify_kernel(prog, addr, ret);
	}
	return NULL;
}

void kt_owner_brief(struct kt_program *prog, uint64_t addr, char *buf,
		    size_t size)
{
	struct kt_owner o;

	*buf = 0;
	if (!kt_error_catch_any(kt_owner_identify(prog, addr, &o)))
		kt_owner_format(&o, buf, size);
}

void kt_owner_format(const struct kt_owner *o, char *buf, size_t size)
{
	const struct kt_owner_id *id;

	*buf = 0;
	if (!o->n)
		return;
	id = &o->ids[0];
	if (id->kind == KT_OWNER_NONCANONICAL && o->n > 1)
		id = &o->ids[1];
	switch (id->kind) {
	case KT_OWNER_NULL:
		return;
	case KT_OWNER_SYMBOL:
		if (*id->name2 && strcmp(id->name, id->name2))
			snprintf(buf, size, "%s+0x%" PRIx64 " [%s]", id->name,
				 id->offset, id->name2);
		else
			snprintf(buf, size, "%s+0x%" PRIx64, id->name,
				 id->offset);
		return;
	case KT_OWNER_SLAB:
		snprintf(buf, size, "%s+0x%" PRIx64 " %s", id->name,
			 id->offset, kt_slab_state_name(id->state));
		return;
	case KT_OWNER_POISON:
		snprintf(buf, size, "%s", id->name);
		if (id->offset)
			snprintf(buf, size, "%s%c0x%" PRIx64, id->name,
				 (int64_t)id->offset < 0 ? '-' : '+',
				 (int64_t)id->offset < 0 ? -id->offset : id->offset);
		return;
	case KT_OWNER_STACK:
		if (id->task)
			snprintf(buf, size, "stack:%s", id->name);
		else
			snprintf(buf, size, "stack:%s cpu%d", id->name, id->cpu);
		return;
	case KT_OWNER_PERCPU:
		snprintf(buf, size, "percpu:%s+0x%" PRIx64 " cpu%d",
			 *id->name ? id->name : "?", id->offset, id->cpu);
		return;
	case KT_OWNER_PAGE:
		snprintf(buf, size, "page:%s", kt_page_kind_name(id->page_kind));
		return;
	default:
		snprintf(buf, size, "%s", kt_owner_kind_name(id->kind));
	}
}
