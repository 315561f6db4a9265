// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The scan: shards of present pages handed out to threads through one
 * atomic counter; each thread reads whole shards with its own reader and
 * keeps its shard's hits. Then the hits get their addresses, sequentially.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/dump.h"
#include "core/pagemap.h"
#include "core/program.h"
#include "core/checked.h"
#include "core/search.h"
#include "core/vmcoreinfo.h"
#include "core/task.h"
#include "core/vmalloc.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE 4096ULL
/* 1 MiB: big enough for bulk reads, small enough to balance two threads. */
#define SHARD_PAGES 256
/* 256 KiB: few enough calls; a run of pages ruled out splits a read. */
#define READ_PAGES 64
#define MAX_THREADS 256
/* Kernels without CONFIG_RANDOMIZE_MEMORY: the fixed direct map. */
#define PAGE_OFFSET_DEFAULT 0xffff888000000000ULL

struct phys_hit {
	uint64_t paddr, value;
};

struct shard {
	uint64_t start, end;	/* pfns, all present */
	struct phys_hit *hits;
	size_t n, cap;
	uint64_t found;		/* may exceed n when a limit applies */
	uint64_t unreadable;
	bool scanned;
};

struct scan {
	struct kt_dump *dump;
	const struct kt_search_options *opts;
	uint64_t want, care;	/* value & care == want */
	uint64_t wants[KT_SEARCH_MAX_VALUES];	/* with ->also */
	size_t nwants;
	/* the bytes each want needs whole; skip_pages: every want needs one */
	uint64_t need[KT_SEARCH_MAX_VALUES][4];
	bool skip_pages;
	struct shard *shards;
	size_t nshards, cap;
	uint64_t total_pages;
	atomic_size_t next;	/* the next shard to hand out */
	atomic_uint_fast64_t pages_done;
	pthread_mutex_t progress_lock;
	atomic_bool failed;	/* out of memory in a thread */
	bool direct;		/* kdump pages read by core/diskdump.c */
};

struct worker {
	struct scan *scan;
	struct kt_dump_reader *reader;
	uint64_t checked, ruled_out;	/* pages by cannot_hold() */
	unsigned char *buf;
	pthread_t thread;
	bool started;
};

/* ---- shards ---- */

static bool add_shard(struct scan *s, uint64_t start, uint64_t end)
{
	if (s->nshards == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		void *p = realloc(s->shards, cap * sizeof(*s->shards));

		if (!p)
			return false;
		s->shards = p;
		s->cap = cap;
	}
	s->shards[s->nshards++] = (struct shard){ .start = start, .end = end };
	s->total_pages += end - start;
	return true;
}

/* Shards for the present pages of [start, end). */
static bool add_range(struct scan *s, uint64_t start, uint64_t end)
{
	uint64_t rs, re;

	while (start < end && kt_dump_present_run(s->dump, start, &rs, &re) &&
	       rs < end) {
		if (rs < start)
			rs = start;
		if (re > end)
			re = end;
		for (uint64_t p = rs; p < re; p += SHARD_PAGES)
			if (!add_shard(s, p, p + SHARD_PAGES < re ?
					     p + SHARD_PAGES : re))
				return false;
		start = re;
	}
	return true;
}

/* ---- scanning ---- */

static bool keep(struct scan *s, struct shard *sh, uint64_t paddr,
		 uint64_t value)
{
	size_t limit = s->opts->limit;

	sh->found++;
	// Shards are in pfn order: the first hits of each shard are all
	// that the first `limit` hits overall can come from.
	if (limit && sh->n >= limit)
		return true;
	if (sh->n == sh->cap) {
		size_t cap = sh->cap ? sh->cap * 2 : 16;
		void *p = realloc(sh->hits, cap * sizeof(*sh->hits));

		if (!p)
			return false;
		sh->hits = p;
		sh->cap = cap;
	}
	sh->hits[sh->n++] = (struct phys_hit){ paddr, value };
	return true;
}

/*
 * One scanner per width. Words are tested eight at a time with no branch
 * (the compiler vectorises it); only a group with a match is looked at
 * word by word.
 */
#define DEFINE_SCAN(name, type)						\
static bool name(struct scan *s, struct shard *sh, const void *buf,	\
		 size_t len, uint64_t paddr)				\
{									\
	const type *w = buf;						\
	const type want = s->want, care = s->care;			\
	size_t n = len / sizeof(type);					\
									\
	for (size_t i = 0; i < n; i += 8) {				\
		unsigned any = 0;					\
									\
		for (size_t j = 0; j < 8; j++)				\
			any |= (w[i + j] & care) == want;		\
		if (!any)						\
			continue;					\
		for (size_t j = 0; j < 8; j++)				\
			if ((w[i + j] & care) == want &&		\
			    !keep(s, sh, paddr + (i + j) * sizeof(type), \
				  w[i + j]))				\
				return false;				\
	}								\
	return true;							\
}
DEFINE_SCAN(scan_u64, uint64_t)
DEFINE_SCAN(scan_u32, uint32_t)
DEFINE_SCAN(scan_u16, uint16_t)

/* Several 8-byte values: the same, each word against each value. */
static bool scan_u64_set(struct scan *s, struct shard *sh, const void *buf,
			 size_t len, uint64_t paddr)
{
	const uint64_t *w = buf, care = s->care;
	size_t n = len / sizeof(uint64_t), nv = s->nwants;

	for (size_t i = 0; i < n; i += 8) {
		unsigned any = 0;

		for (size_t v = 0; v < nv; v++)
			for (size_t j = 0; j < 8; j++)
				any |= (w[i + j] & care) == s->wants[v];
		if (!any)
			continue;
		for (size_t j = 0; j < 8; j++)
			for (size_t v = 0; v < nv; v++)
				if ((w[i + j] & care) == s->wants[v]) {
					if (!keep(s, sh, paddr + (i + j) * 8,
						  w[i + j]))
						return false;
					break;
				}
	}
	return true;
}

static bool scan_buf(struct scan *s, struct shard *sh, const void *buf,
		     size_t len, uint64_t paddr)
{
	if (s->nwants > 1)
		return scan_u64_set(s, sh, buf, len, paddr);
	switch (s->opts->width) {
	case 2:
		return scan_u16(s, sh, buf, len, paddr);
	case 4:
		return scan_u32(s, sh, buf, len, paddr);
	default:
		return scan_u64(s, sh, buf, len, paddr);
	}
}

/* Read a shard in one go; past a page that will not read, go on after it. */
/*
 * Whether page @pfn cannot hold any wanted value: each needs a byte the
 * page's compressed form says it cannot contain. Such a page is scanned
 * without being read.
 */
static bool cannot_hold(struct worker *w, uint64_t pfn)
{
	const struct scan *s = w->scan;
	uint64_t set[4];

	// A value of common bytes (0) is ruled out almost nowhere: after
	// a while, stop paying for the headers.
	if (!s->skip_pages || (w->checked >= 512 &&
			       w->ruled_out * 10 < w->checked))
		return false;
	w->checked++;
	if (!kt_dump_reader_page_bytes(w->reader, pfn, set))
		return false;
	for (size_t v = 0; v < s->nwants; v++)
		if (!(s->need[v][0] & ~set[0]) && !(s->need[v][1] & ~set[1]) &&
		    !(s->need[v][2] & ~set[2]) && !(s->need[v][3] & ~set[3]))
			return false;
	w->ruled_out++;
	return true;
}

/* The bytes of @want that @care covers whole, as a 256-bit set. */
static bool needed_bytes(uint64_t want, uint64_t care, uint64_t need[4])
{
	bool any = false;

	memset(need, 0, 4 * sizeof(*need));
	for (int i = 0; i < 8; i++) {
		unsigned b = want >> (8 * i) & 0xff;

		if ((care >> (8 * i) & 0xff) != 0xff)
			continue;
		need[b / 64] |= 1ULL << (b % 64);
		any = true;
	}
	return any;
}

static bool scan_shard(struct worker *w, struct shard *sh)
{
	uint64_t pfn = sh->start, ruled_out = UINT64_MAX;

	while (pfn < sh->end) {
		uint64_t n = 0;
		size_t size, done;
		struct kt_error *err;

		while (pfn < sh->end &&
		       (pfn == ruled_out || cannot_hold(w, pfn)))
			pfn++;
		// Read the pages that may hold a value, up to READ_PAGES; the
		// page that ends the run is known not to (no second look).
		while (pfn + n < sh->end && n < READ_PAGES) {
			if (n && cannot_hold(w, pfn + n)) {
				ruled_out = pfn + n;
				break;
			}
			n++;
		}
		if (!n)
			break;
		size = n << PAGE_SHIFT;

		err = kt_dump_reader_read(w->reader, pfn << PAGE_SHIFT, w->buf,
					  size, &done);
		done &= ~(PAGE_SIZE - 1);
		if (done && !scan_buf(w->scan, sh, w->buf, done,
				      pfn << PAGE_SHIFT))
			return false;
		pfn += done >> PAGE_SHIFT;
		if (err) {
			kt_error_destroy(err);
			sh->unreadable++;
			pfn++;
		}
	}
	sh->scanned = true;
	kt_dump_reader_release(w->reader);
	return true;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct scan *s = w->scan;
	const struct kt_search_options *o = s->opts;
	size_t i;

	while ((i = atomic_fetch_add(&s->next, 1)) < s->nshards) {
		struct shard *sh = &s->shards[i];
		uint64_t done;

		if ((o->cancel && atomic_load(o->cancel)) ||
		    atomic_load(&s->failed))
			break;
		if (!scan_shard(w, sh)) {
			atomic_store(&s->failed, true);
			break;
		}
		done = atomic_fetch_add(&s->pages_done, sh->end - sh->start) +
		       sh->end - sh->start;
		if (o->progress) {
			pthread_mutex_lock(&s->progress_lock);
			o->progress(o->progress_arg, done, s->total_pages);
			pthread_mutex_unlock(&s->progress_lock);
		}
	}
	return NULL;
}

static unsigned thread_count(const struct kt_search_options *o, size_t nshards)
{
	long n = o->threads ? (long)o->threads : sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	if (n > MAX_THREADS)
		n = MAX_THREADS;
	if ((size_t)n > nshards)
		n = nshards ? nshards : 1;
	return n;
}

/* Run the scan on @n threads, this one included. */
static struct kt_error *run_scan(struct scan *s, unsigned n)
{
	struct worker *w = calloc(n, sizeof(*w));
	struct kt_error *err = NULL;

	if (!w)
		return &kt_error_nomem;
	for (unsigned i = 0; i < n && !err; i++) {
		w[i].scan = s;
		w[i].buf = malloc(SHARD_PAGES * PAGE_SIZE);
		err = w[i].buf ? kt_dump_reader_create(s->dump, &w[i].reader) :
				 &kt_error_nomem;
	}
	for (unsigned i = 1; i < n && !err; i++) {
		if (pthread_create(&w[i].thread, NULL, work, &w[i]))
			break;	// fewer threads: the others do the work
		w[i].started = true;
	}
	if (!err) {
		s->direct = kt_dump_reader_direct(w[0].reader);
		work(&w[0]);
	}
	for (unsigned i = 0; i < n; i++) {
		if (w[i].started)
			pthread_join(w[i].thread, NULL);
		kt_dump_reader_destroy(w[i].reader);
		free(w[i].buf);
	}
	free(w);
	if (!err && atomic_load(&s->failed))
		err = &kt_error_nomem;
	return err;
}

/* ---- addresses of the hits ---- */

/* Beyond this many vmemmap pages (RAM over 256 GiB) skip their aliases. */
#define MAX_VMEMMAP_PAGES (1ULL << 20)
#define VMEMMAP_DEFAULT 0xffffea0000000000ULL

struct alias {
	uint64_t pfn, addr;
};

struct kernel_map {
	uint64_t page_offset;
	uint64_t image_pa, image_end_pa, image_va;
	const struct kt_vmalloc *vmalloc;	/* NULL: not available */
	struct alias *vmemmap;	/* pages of the struct page array, by pfn */
	size_t nvmemmap;
};

static int cmp_alias(const void *x, const void *y)
{
	const struct alias *a = x, *b = y;

	if (a->pfn != b->pfn)
		return a->pfn < b->pfn ? -1 : 1;
	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

/*
 * The struct page array is mapped from pages of the direct map; crash's
 * search -k finds words of struct pages at their vmemmap addresses, and
 * so does ktriage. The page tables say which pages back it.
 */
static struct kt_error *load_vmemmap(struct kt_program *prog,
				     struct kernel_map *km)
{
	uint64_t base = VMEMMAP_DEFAULT, sym, size, pages;

	if (!kt_error_catch_any(kt_symbol_address(prog, "vmemmap_base", &sym)))
		kt_error_catch_any(kt_read_u64(prog, sym, &base));
	if (kt_error_catch_any(kt_type_size(prog, "struct page", &size)))
		return NULL;
	if (!kt_mul(kt_dump_info(prog->dump)->max_pfn + 1, size, &pages) ||
	    !kt_add(pages, PAGE_SIZE - 1, &pages) ||
	    pages / PAGE_SIZE > MAX_VMEMMAP_PAGES)
		return NULL;
	pages /= PAGE_SIZE;
	km->vmemmap = malloc(pages * sizeof(*km->vmemmap));
	if (!km->vmemmap)
		return &kt_error_nomem;
	for (uint64_t i = 0; i < pages; i++) {
		uint64_t va = base + i * PAGE_SIZE, pa;

		if (kt_error_catch_any(kt_dump_vtop(prog->dump, va, &pa)))
			continue;
		km->vmemmap[km->nvmemmap++] = (struct alias){ pa >> PAGE_SHIFT,
							      va };
	}
	if (km->nvmemmap)
		kt_qsort(km->vmemmap, km->nvmemmap, sizeof(*km->vmemmap), cmp_alias);
	return NULL;
}

static struct kt_error *load_kernel_map(struct kt_program *prog,
					struct kernel_map *km)
{
	uint64_t sym, text, end;
	struct kt_error *err;

	km->page_offset = PAGE_OFFSET_DEFAULT;
	// page_offset_base moves with KASLR's memory randomisation (4.8+).
	if (!kt_error_catch_any(kt_symbol_address(prog, "page_offset_base",
						  &sym)))
		kt_error_catch_any(kt_read_u64(prog, sym, &km->page_offset));
	if ((err = kt_symbol_address(prog, "_text", &text)) ||
	    (err = kt_symbol_address(prog, "_end", &end)) ||
	    (err = kt_dump_vtop(prog->dump, text, &km->image_pa)))
		return kt_error_wrap(err, "the kernel image");
	km->image_va = text;
	km->image_end_pa = km->image_pa + (end - text);
	// Without vmalloc areas (no debuginfo, an unknown layout) stacks and
	// modules are found at their direct-map addresses only.
	kt_error_catch_any(kt_vmalloc_load(prog, &km->vmalloc));
	return load_vmemmap(prog, km);
}

/* The first of the entries of @v (sorted by pfn) for @pfn. */
static size_t first_alias(const struct alias *v, size_t n, uint64_t pfn)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].pfn < pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct hits {
	struct kt_search_hit *v;
	size_t n, cap;
};

static bool add_hit(struct hits *h, uint64_t addr, const struct phys_hit *p,
		    enum kt_search_space space, uint32_t area)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 64;
		void *q = realloc(h->v, cap * sizeof(*h->v));

		if (!q)
			return false;
		h->v = q;
		h->cap = cap;
	}
	h->v[h->n++] = (struct kt_search_hit){ addr, p->paddr, p->value, space,
					       area };
	return true;
}

static bool map_kernel(const struct kernel_map *km, const struct phys_hit *p,
		       struct hits *h)
{
	const struct kt_vmalloc_page *vp = NULL;
	size_t n = 0;

	if (!add_hit(h, km->page_offset + p->paddr, p, KT_SPACE_DIRECT, 0))
		return false;
	if (p->paddr >= km->image_pa && p->paddr < km->image_end_pa &&
	    !add_hit(h, km->image_va + (p->paddr - km->image_pa), p,
		     KT_SPACE_IMAGE, 0))
		return false;
	if (km->vmalloc)
		vp = kt_vmalloc_by_pfn(km->vmalloc, p->paddr >> PAGE_SHIFT, &n);
	for (size_t i = 0; i < n; i++)
		if (!add_hit(h, vp[i].addr + (p->paddr & (PAGE_SIZE - 1)), p,
			     KT_SPACE_VMALLOC, vp[i].area))
			return false;
	for (size_t i = first_alias(km->vmemmap, km->nvmemmap,
				    p->paddr >> PAGE_SHIFT);
	     i < km->nvmemmap && km->vmemmap[i].pfn == p->paddr >> PAGE_SHIFT;
	     i++)
		if (!add_hit(h, km->vmemmap[i].addr +
				(p->paddr & (PAGE_SIZE - 1)), p,
			     KT_SPACE_VMEMMAP, 0))
			return false;
	return true;
}

/* ---- user space: a task's page tables, turned round ---- */

#define PTE_PRESENT 0x1ULL
#define PTE_PSE 0x80ULL
#define PTE_PFN_MASK 0x000ffffffffff000ULL
#define USER_TOP_ENTRIES 256	/* the lower half of the top level */
#define MAX_USER_PAGES (1ULL << 24)

struct user_page {
	uint64_t pfn, addr;
};

struct user_map {
	struct kt_dump *dump;
	struct user_page *v;
	size_t n, cap;
	struct kt_pagemap pfns;
};

static struct kt_error *add_user(struct user_map *um, uint64_t pfn,
				 uint64_t addr)
{
	if (um->n >= MAX_USER_PAGES)
		return kt_error_create(KT_ERR_CORRUPT,
				       "page tables map more than %llu pages",
				       MAX_USER_PAGES);
	if (um->n == um->cap) {
		size_t cap = um->cap ? um->cap * 2 : 1024;
		void *p = realloc(um->v, cap * sizeof(*um->v));

		if (!p)
			return &kt_error_nomem;
		um->v = p;
		um->cap = cap;
	}
	um->v[um->n++] = (struct user_page){ pfn, addr };
	return kt_pagemap_add(&um->pfns, pfn, pfn + 1) ? NULL : &kt_error_nomem;
}

/* One table at @pa of level @level (1: PTEs), mapping from @base. */
static struct kt_error *walk_table(struct user_map *um, uint64_t pa,
				   int level, uint64_t base, bool top)
{
	unsigned shift = PAGE_SHIFT + 9 * (level - 1);
	uint64_t table[512];
	struct kt_error *err;

	// A page table the dump lacks hides what it maps; skip it.
	if (kt_error_catch_any(kt_dump_read(um->dump, pa, true, table,
					    sizeof(table))))
		return NULL;
	for (unsigned i = 0; i < (top ? USER_TOP_ENTRIES : 512); i++) {
		uint64_t e = table[i], addr = base + ((uint64_t)i << shift);
		uint64_t next = e & PTE_PFN_MASK;

		if (!(e & PTE_PRESENT))
			continue;
		if (level == 1 || ((level == 2 || level == 3) && (e & PTE_PSE))) {
			// A huge page: its low pfn bits hold PAT, not address.
			next &= ~((1ULL << shift) - 1);
			for (uint64_t off = 0; off < (1ULL << shift);
			     off += PAGE_SIZE)
				if ((err = add_user(um, (next + off) >> PAGE_SHIFT,
						    addr + off)))
					return err;
			continue;
		}
		if ((err = walk_table(um, next, level - 1, addr, false)))
			return err;
	}
	return NULL;
}

static int cmp_user(const void *x, const void *y)
{
	const struct user_page *a = x, *b = y;

	if (a->pfn != b->pfn)
		return a->pfn < b->pfn ? -1 : 1;
	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

static struct kt_error *pick_task(struct kt_program *prog, int pid,
				  uint64_t *task, int *ret_pid)
{
	const struct kt_task_list *tl;
	const struct kt_task *t;
	struct kt_error *err;
	int cpu;

	err = kt_tasks_load(prog, &tl);
	if (err)
		return err;
	if (pid < 0) {
		err = kt_task_panicked(prog, &cpu, task);
		if (err)
			return kt_error_wrap(err, "no task given (-t PID)");
		t = kt_task_by_addr(tl, *task);
		*ret_pid = t ? t->pid : -1;
		return NULL;
	}
	t = kt_task_by_pid(tl, pid);
	if (!t)
		return kt_error_create(KT_ERR_LOOKUP, "no task with pid %d", pid);
	*task = t->addr;
	*ret_pid = pid;
	return NULL;
}

static struct kt_error *load_user_map(struct kt_program *prog,
				      struct kt_search_result *res,
				      struct user_map *um)
{
	int64_t l5 = 0;
	uint64_t mm_off, pgd_off, mm, pgd, pgd_pa;
	struct kt_error *err;

	if ((err = kt_type_member_offset(prog, "struct task_struct", "mm",
					 &mm_off)) ||
	    (err = kt_type_member_offset(prog, "struct mm_struct", "pgd",
					 &pgd_off)) ||
	    (err = kt_read_u64(prog, res->task + mm_off, &mm)))
		return err;
	if (!mm)
		return kt_error_create(KT_ERR_INVALID,
				       "pid %d is a kernel thread: it has no "
				       "user memory", res->pid);
	if ((err = kt_read_u64(prog, mm + pgd_off, &pgd)) ||
	    (err = kt_dump_vtop(prog->dump, pgd, &pgd_pa)))
		return kt_error_wrap(err, "the page tables of pid %d",
				     res->pid);
	um->dump = prog->dump;
	kt_error_catch_any(kt_vmcoreinfo_number(prog->dump,
			   "NUMBER(pgtable_l5_enabled)", 0, 1, &l5));
	err = walk_table(um, pgd_pa, l5 ? 5 : 4, 0, true);
	if (err)
		return kt_error_wrap(err, "the page tables of pid %d",
				     res->pid);
	if (um->n)
		kt_qsort(um->v, um->n, sizeof(*um->v), cmp_user);
	kt_pagemap_finish(&um->pfns);
	res->user_pages = um->n;
	for (size_t i = 0; i < um->n; i++)
		res->user_pages_present +=
			kt_dump_pfn_state(prog->dump, um->v[i].pfn) ==
			KT_FAULT_NONE;
	return NULL;
}

static bool map_user(const struct user_map *um, const struct phys_hit *p,
		     struct hits *h)
{
	uint64_t pfn = p->paddr >> PAGE_SHIFT;
	size_t lo = 0, hi = um->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (um->v[mid].pfn < pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < um->n && um->v[lo].pfn == pfn; lo++)
		if (!add_hit(h, um->v[lo].addr + (p->paddr & (PAGE_SIZE - 1)),
			     p, KT_SPACE_USER, 0))
			return false;
	return true;
}

/* ---- putting it together ---- */

static int cmp_hit(const void *x, const void *y)
{
	const struct kt_search_hit *a = x, *b = y;

	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

static struct kt_error *map_hits(struct scan *s, const struct kernel_map *km,
				 const struct user_map *um,
				 struct kt_search_result *res)
{
	enum kt_search_mode mode = s->opts->mode;
	struct hits h = { 0 };

	for (size_t i = 0; i < s->nshards; i++) {
		const struct shard *sh = &s->shards[i];

		for (size_t k = 0; k < sh->n; k++) {
			const struct phys_hit *p = &sh->hits[k];
			bool ok = mode == KT_SEARCH_KERNEL ? map_kernel(km, p, &h) :
				  mode == KT_SEARCH_USER ? map_user(um, p, &h) :
				  add_hit(&h, p->paddr, p, KT_SPACE_PHYS, 0);

			if (!ok) {
				free(h.v);
				return &kt_error_nomem;
			}
		}
		res->more += sh->found - sh->n;
		res->more_is_minimum |= sh->found > sh->n &&
					mode != KT_SEARCH_PHYS;
		res->pages_unreadable += sh->unreadable;
		res->pages_scanned += sh->scanned ? sh->end - sh->start : 0;
	}
	if (h.n)	// qsort() wants a non-NULL array even for none
		qsort(h.v, h.n, sizeof(*h.v), cmp_hit);
	if (s->opts->limit && h.n > s->opts->limit) {
		res->more += h.n - s->opts->limit;
		h.n = s->opts->limit;
	}
	res->hits = h.v;
	res->n = h.n;
	return NULL;
}

static struct kt_error *check_options(const struct kt_search_options *o,
				      unsigned *width)
{
	*width = o->width ? o->width : 8;
	if (*width != 8 && *width != 4 && *width != 2)
		return kt_error_create(KT_ERR_INVALID,
				       "a value is 8, 4 or 2 bytes, not %u",
				       *width);
	if (o->nalso && (*width != 8 || o->nalso >= KT_SEARCH_MAX_VALUES ||
			 !o->also))
		return kt_error_create(KT_ERR_INVALID,
				       "at most %d 8-byte values at once",
				       KT_SEARCH_MAX_VALUES);
	if (*width < 8 && o->value >> (*width * 8))
		return kt_error_create(KT_ERR_INVALID,
				       "0x%" PRIx64 " does not fit in %u bytes",
				       o->value, *width);
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct kt_error *prepare(struct kt_program *prog, struct scan *s,
				struct kernel_map *km, struct user_map *um,
				struct kt_search_result *res)
{
	const struct kt_search_options *o = s->opts;
	struct kt_error *err;
	uint64_t start, end;

	if (o->mode == KT_SEARCH_KERNEL)
		return load_kernel_map(prog, km);
	if (o->mode == KT_SEARCH_PHYS)
		return add_range(s, 0, UINT64_MAX) ? NULL : &kt_error_nomem;
	err = pick_task(prog, o->pid, &res->task, &res->pid);
	if (!err)
		err = load_user_map(prog, res, um);
	for (size_t i = 0; !err && i < um->pfns.n; i++) {
		start = um->pfns.r[i].start;
		end = um->pfns.r[i].end;
		if (!add_range(s, start, end))
			err = &kt_error_nomem;
	}
	return err;
}

struct kt_error *kt_search(struct kt_program *prog,
			   const struct kt_search_options *opts,
			   struct kt_search_result *ret)
{
	struct kt_search_options o = *opts;
	struct scan s = { .dump = prog->dump, .opts = &o };
	struct kernel_map km = { 0 };
	struct user_map um = { 0 };
	struct kt_error *err;
	double t0;

	memset(ret, 0, sizeof(*ret));
	ret->pid = -1;
	err = check_options(opts, &o.width);
	if (err)
		return err;
	s.care = ~o.mask & (o.width == 8 ? UINT64_MAX :
			    (1ULL << (o.width * 8)) - 1);
	s.want = o.value & s.care;
	s.wants[s.nwants++] = s.want;
	for (size_t i = 0; i < o.nalso; i++)
		s.wants[s.nwants++] = o.also[i] & s.care;
	s.skip_pages = true;
	for (size_t i = 0; i < s.nwants; i++)
		s.skip_pages &= needed_bytes(s.wants[i], s.care, s.need[i]);
	kt_pagemap_init(&um.pfns);
	pthread_mutex_init(&s.progress_lock, NULL);
	err = prepare(prog, &s, &km, &um, ret);
	if (!err && o.mode == KT_SEARCH_KERNEL &&
	    !add_range(&s, 0, UINT64_MAX))
		err = &kt_error_nomem;
	if (!err) {
		ret->threads = thread_count(&o, s.nshards);
		t0 = now();
		err = run_scan(&s, ret->threads);
		ret->seconds = now() - t0;
		ret->direct = s.direct;
		ret->cancelled = o.cancel && atomic_load(o.cancel);
	}
	if (!err)
		err = map_hits(&s, &km, &um, ret);
	for (size_t i = 0; i < s.nshards; i++)
		free(s.shards[i].hits);
	free(s.shards);
	free(um.v);
	free(km.vmemmap);
	kt_pagemap_deinit(&um.pfns);
	pthread_mutex_destroy(&s.progress_lock);
	if (err)
		kt_search_result_deinit(ret);
	return err;
}

void kt_search_result_deinit(struct kt_search_result *res)
{
	free(res->hits);
	res->hits = NULL;
	res->n = 0;
}

const char *kt_search_space_name(enum kt_search_space space)
{
	static const char *const names[] = {
		[KT_SPACE_PHYS] = "phys",
		[KT_SPACE_DIRECT] = "direct",
		[KT_SPACE_IMAGE] = "image",
		[KT_SPACE_VMALLOC] = "vmalloc",
		[KT_SPACE_VMEMMAP] = "vmemmap",
		[KT_SPACE_USER] = "user",
	};

	return (unsigned)space < sizeof(names) / sizeof(names[0]) ?
	       names[space] : "?";
}
