// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * search and the vmalloc areas it maps stack hits through. The parallel
 * scan is checked against a plain one written here: every present page,
 * read one at a time with kt_dump_read(), every aligned word compared.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/dump.h"
#include "core/search.h"
#include "core/sysinfo.h"
#include "core/task.h"
#include "core/vmalloc.h"
#include "tests/helpers.h"

#define THREAD_SIZE 16384
#define MAX_QUERIES 8

struct query {
	uint64_t value, mask;
	unsigned width;
};

/* Physical addresses of the hits of each query, from the plain scan. */
struct reference {
	uint64_t *hits[MAX_QUERIES];
	size_t n[MAX_QUERIES], cap[MAX_QUERIES];
};

static bool match(const unsigned char *p, const struct query *q)
{
	uint64_t w = 0, care = q->width == 8 ? UINT64_MAX :
			       (1ULL << (q->width * 8)) - 1;

	memcpy(&w, p, q->width);
	care &= ~q->mask;
	return (w & care) == (q->value & care);
}

static void reference_scan(struct kt_program *prog, const struct query *q,
			   size_t nq, struct reference *ret)
{
	unsigned char page[4096];

	memset(ret, 0, sizeof(*ret));
	for (uint64_t pfn = 0; kt_dump_next_present(prog->dump, &pfn); pfn++) {
		struct kt_error *err = kt_dump_read(prog->dump, pfn << 12,
						    true, page, sizeof(page));

		cr_assert_null(err, "pfn 0x%" PRIx64 ": %s", pfn,
			       err ? err->message : "");
		for (size_t k = 0; k < nq; k++) {
			for (unsigned off = 0; off < 4096; off += q[k].width) {
				if (!match(page + off, &q[k]))
					continue;
				if (ret->n[k] == ret->cap[k]) {
					ret->cap[k] = ret->cap[k] * 2 + 64;
					ret->hits[k] = realloc(ret->hits[k],
						ret->cap[k] * sizeof(uint64_t));
					cr_assert_not_null(ret->hits[k]);
				}
				ret->hits[k][ret->n[k]++] = (pfn << 12) + off;
			}
		}
	}
}

static void search(struct kt_program *prog, const struct query *q,
		   enum kt_search_mode mode, unsigned threads,
		   struct kt_search_result *ret)
{
	struct kt_search_options o = {
		.value = q->value, .mask = q->mask, .width = q->width,
		.mode = mode, .pid = -1, .threads = threads,
	};
	struct kt_error *err = kt_search(prog, &o, ret);

	cr_assert_null(err, "search 0x%" PRIx64 ": %s", q->value,
		       err ? err->message : "");
}

static uint64_t page_offset_base(struct kt_program *prog)
{
	uint64_t addr, v;

	cr_assert_null(kt_symbol_address(prog, "page_offset_base", &addr));
	cr_assert_null(kt_read_u64(prog, addr, &v));
	return v;
}

/*
 * -p gives exactly the reference hits, with 1 and 2 threads; -k's
 * direct-map hits are the same, page_offset_base higher.
 */
static void check_against_reference(const char *name, const struct query *q,
				    size_t nq)
{
	struct kt_program *prog = kt_test_open(name);
	uint64_t pob = page_offset_base(prog);
	struct reference ref;

	reference_scan(prog, q, nq, &ref);
	cr_assert_gt(ref.n[0], 0, "%s: the first query must have hits", name);
	for (size_t k = 0; k < nq; k++) {
		struct kt_search_result p1, p2, kr;
		size_t direct = 0;

		search(prog, &q[k], KT_SEARCH_PHYS, 1, &p1);
		search(prog, &q[k], KT_SEARCH_PHYS, 2, &p2);
		search(prog, &q[k], KT_SEARCH_KERNEL, 2, &kr);
		cr_assert_eq(p1.n, ref.n[k], "%s 0x%" PRIx64 "/%u mask 0x%"
			     PRIx64 ": %zu hits, reference %zu", name,
			     q[k].value, q[k].width, q[k].mask, p1.n,
			     ref.n[k]);
		cr_assert_eq(p2.n, p1.n);
		cr_expect_eq(p1.more, 0);
		for (size_t i = 0; i < p1.n; i++) {
			cr_assert_eq(p1.hits[i].addr, ref.hits[k][i]);
			cr_assert_eq(p2.hits[i].addr, p1.hits[i].addr);
			cr_assert_eq(p2.hits[i].value, p1.hits[i].value);
		}
		for (size_t i = 0; i < kr.n; i++) {
			if (kr.hits[i].space != KT_SPACE_DIRECT)
				continue;
			cr_assert_lt(direct, p1.n);
			cr_assert_eq(kr.hits[i].addr - pob,
				     p1.hits[direct].addr);
			cr_assert_eq(kr.hits[i].paddr, p1.hits[direct].addr);
			direct++;
		}
		cr_expect_eq(direct, p1.n);
		cr_expect_eq(p1.threads, 1);
		cr_expect_eq(p1.pages_scanned,
			     kt_dump_info(prog->dump)->present_pages);
		kt_search_result_deinit(&p1);
		kt_search_result_deinit(&p2);
		kt_search_result_deinit(&kr);
		free(ref.hits[k]);
	}
	kt_program_destroy(prog);
}

static uint64_t panic_task(struct kt_program *prog)
{
	uint64_t task;
	int cpu;

	cr_assert_null(kt_task_panicked(prog, &cpu, &task));
	return task;
}

Test(search, equals_reference_scan_hctx_fq)
{
	struct kt_program *prog = kt_test_open("hctx-fq");
	uint64_t task = panic_task(prog);
	const struct query q[] = {
		{ task, 0, 8 },
		// Pointers into the panic task's first 4 KiB.
		{ task, 0xfff, 8 },
		{ task & 0xffffffff, 0, 4 },
		{ 0xdead, 0, 2 },
	};

	kt_program_destroy(prog);
	check_against_reference("hctx-fq", q, sizeof(q) / sizeof(q[0]));
}

Test(search, equals_reference_scan_list_poison)
{
	const struct query q[] = {
		{ 0xdead000000000100ULL, 0, 8 },	/* LIST_POISON1 */
		{ 0xdead000000000100ULL, 0xff, 8 },
		{ 0xdead0000, 0xffff, 4 },
	};

	check_against_reference("list-poison", q, sizeof(q) / sizeof(q[0]));
}

static uint64_t bogus_fq(struct kt_program *prog)
{
	struct kt_sysinfo s;
	const char *at;
	uint64_t cr2;

	cr_assert_null(kt_sysinfo_load(prog, &s));
	at = strstr(s.panic, "address: ");
	cr_assert_not_null(at, "%s", s.panic);
	cr2 = strtoull(at + 9, NULL, 16);
	kt_sysinfo_deinit(&s);
	// blk_free_flush_queue() faulted loading fq->flush_rq (fq + 0x40).
	return cr2 - 0x40;
}

/*
 * Seed 000's clue: the bogus hctx->fq is on the faulting kworker's stack,
 * reported at the stack's vmalloc address, and in memory that is neither
 * a stack nor an alias of the kernel image or a module: the hctx.
 */
Test(search, hctx_fq_bogus_value_on_stack_and_in_hctx)
{
	struct kt_program *prog = kt_test_open("hctx-fq");
	const struct kt_task_list *tl;
	const struct kt_vmalloc *vm;
	const struct kt_task *t;
	struct query q = { bogus_fq(prog), 0, 8 };
	struct kt_search_result r;
	size_t on_stack = 0, plain = 0;

	cr_assert_null(kt_tasks_load(prog, &tl));
	cr_assert_null(kt_vmalloc_load(prog, &vm));
	t = kt_task_by_addr(tl, panic_task(prog));
	cr_assert_not_null(t);
	search(prog, &q, KT_SEARCH_KERNEL, 0, &r);
	for (size_t i = 0; i < r.n; i++) {
		const struct kt_search_hit *h = &r.hits[i];
		size_t n;

		cr_expect_eq(h->value, q.value);
		if (h->space == KT_SPACE_VMALLOC && h->addr >= t->stack &&
		    h->addr < t->stack + THREAD_SIZE)
			on_stack++;
		if (h->space == KT_SPACE_DIRECT &&
		    !kt_vmalloc_by_pfn(vm, h->paddr >> 12, &n)) {
			bool image = false;

			for (size_t k = 0; k < r.n; k++)
				image |= r.hits[k].space == KT_SPACE_IMAGE &&
					 r.hits[k].paddr == h->paddr;
			plain += !image;
		}
	}
	cr_expect_geq(on_stack, 1, "not on the stack of pid %d", t->pid);
	cr_expect_geq(plain, 1);
	kt_search_result_deinit(&r);
	kt_program_destroy(prog);
}

static bool fork_path(const char *caller)
{
	static const char *const fns[] = {
		"kernel_clone", "fork_idle", "copy_process", "dup_task_struct",
		"alloc_thread_stack_node",
	};

	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
		if (!strncmp(caller, fns[i], strlen(fns[i])) &&
		    caller[strlen(fns[i])] == '+')
			return true;
	return false;
}

/* Every vmap'ed stack: its area, its allocator, its pages both ways. */
Test(search, task_stacks_are_vmalloc_areas_of_the_fork_path)
{
	struct kt_program *prog = kt_test_open("hctx-fq");
	const struct kt_task_list *tl;
	const struct kt_vmalloc *vm;
	uint64_t init_stack;
	size_t checked = 0;

	cr_assert_null(kt_tasks_load(prog, &tl));
	cr_assert_null(kt_vmalloc_load(prog, &vm));
	cr_expect_null(vm->warning, "%s", vm->warning);
	cr_assert_null(kt_symbol_address(prog, "init_stack", &init_stack));
	for (size_t i = 0; i < tl->n; i++) {
		const struct kt_task *t = &tl->tasks[i];
		const struct kt_vmalloc_area *a;
		char caller[128];

		// init_task's stack is in the kernel image; the dead have none.
		if (!t->stack || t->stack == init_stack)
			continue;
		a = kt_vmalloc_find(vm, t->stack);
		cr_assert_not_null(a, "pid %d stack 0x%" PRIx64, t->pid,
				   t->stack);
		kt_vmalloc_caller_str(prog, a, caller, sizeof(caller));
		cr_expect(fork_path(caller), "pid %d: caller %s", t->pid,
			  caller);
		cr_expect(a->flags & KT_VM_ALLOC);
		cr_expect_eq(a->addr, t->stack);
		for (uint64_t va = t->stack; va < t->stack + THREAD_SIZE;
		     va += 4096) {
			const struct kt_vmalloc_page *p;
			uint64_t pa;
			size_t n;
			bool found = false;

			cr_assert_null(kt_dump_vtop(prog->dump, va, &pa));
			p = kt_vmalloc_by_pfn(vm, pa >> 12, &n);
			for (size_t k = 0; k < n; k++)
				found |= p[k].addr == va &&
					 &vm->areas[p[k].area] == a;
			cr_expect(found, "pid %d page 0x%" PRIx64, t->pid, va);
		}
		checked++;
	}
	cr_expect_geq(checked, tl->n - 1);
	kt_program_destroy(prog);
}

static void count_progress(void *arg, uint64_t done, uint64_t total)
{
	uint64_t *last = arg;

	cr_assert_leq(done, total);
	*last = done;
}

Test(search, limit_progress_and_cancel)
{
	struct kt_program *prog = kt_test_open("list-poison");
	struct kt_search_options o = { .value = 0xdead000000000100ULL,
				       .pid = -1, .mode = KT_SEARCH_PHYS };
	struct kt_search_result all, some;
	atomic_bool cancel = true;
	uint64_t last = 0;

	o.progress = count_progress;
	o.progress_arg = &last;
	cr_assert_null(kt_search(prog, &o, &all));
	cr_assert_gt(all.n, 3);
	cr_expect_eq(last, all.pages_scanned);
	o.limit = 3;
	cr_assert_null(kt_search(prog, &o, &some));
	cr_assert_eq(some.n, 3);
	cr_expect_eq(some.more, all.n - 3);
	for (size_t i = 0; i < 3; i++)
		cr_expect_eq(some.hits[i].addr, all.hits[i].addr);
	kt_search_result_deinit(&some);
	o.cancel = &cancel;
	cr_assert_null(kt_search(prog, &o, &some));
	cr_expect(some.cancelled);
	cr_expect_eq(some.pages_scanned, 0);
	kt_search_result_deinit(&some);
	kt_search_result_deinit(&all);
	kt_program_destroy(prog);
}

Test(search, user_memory_of_a_task)
{
	struct kt_program *prog = kt_test_open("sysrq-null");
	struct kt_search_options o = { .value = 0, .pid = 1,
				       .mode = KT_SEARCH_USER };
	struct kt_search_result r;
	struct kt_error *err;

	cr_assert_null(kt_search(prog, &o, &r));
	cr_expect_gt(r.user_pages, 0);
	cr_expect_leq(r.user_pages_present, r.user_pages);
	for (size_t i = 0; i < r.n; i++) {
		uint64_t v;

		cr_assert_eq(r.hits[i].space, KT_SPACE_USER);
		cr_assert_lt(r.hits[i].addr, 0x800000000000ULL);
		cr_assert_null(kt_dump_read(prog->dump, r.hits[i].paddr, true,
					    &v, 8));
		cr_assert_eq(v, 0);
	}
	kt_search_result_deinit(&r);
	// The panic task of hctx-fq is a kworker: no user memory.
	kt_program_destroy(prog);
	prog = kt_test_open("hctx-fq");
	o.pid = -1;
	err = kt_search(prog, &o, &r);
	cr_assert_not_null(err);
	cr_expect(strstr(err->message, "kernel thread"), "%s", err->message);
	kt_error_destroy(err);
	kt_program_destroy(prog);
}

struct format {
	char suffix[24];	/* list-poison.SUFFIX; "split" is two files */
};

ParameterizedTestParameters(search, same_hits_in_every_format)
{
	static struct format f[] = {
		{ "elf" }, { "flat" }, { "split" }, { "kdump-lzo" },
		{ "kdump-none" },
	};

	return cr_make_param_array(struct format, f, sizeof(f) / sizeof(f[0]));
}

ParameterizedTest(struct format *f, search, same_hits_in_every_format)
{
	const char *dir = kt_test_env("KT_FORMATS");
	struct kt_program *ref = kt_test_open("list-poison"), *prog;
	const struct query q = { 0xdead000000000100ULL, 0, 8 };
	struct kt_search_result rr, r;
	char a[4096], b[4096];

	if (strcmp(f->suffix, "split")) {
		snprintf(a, sizeof(a), "%s/list-poison.%s", dir, f->suffix);
		prog = kt_test_open_files(a, NULL, false);
	} else {
		snprintf(a, sizeof(a), "%s/list-poison.kdump-split1", dir);
		snprintf(b, sizeof(b), "%s/list-poison.kdump-split2", dir);
		prog = kt_test_open_files(a, b, false);
	}
	search(ref, &q, KT_SEARCH_KERNEL, 2, &rr);
	search(prog, &q, KT_SEARCH_KERNEL, 2, &r);
	cr_assert_gt(rr.n, 0);
	cr_assert_eq(r.n, rr.n, "%s: %zu hits, kdump %zu", f->suffix, r.n,
		     rr.n);
	for (size_t i = 0; i < r.n; i++) {
		cr_expect_eq(r.hits[i].addr, rr.hits[i].addr);
		cr_expect_eq(r.hits[i].space, rr.hits[i].space);
	}
	kt_search_result_deinit(&rr);
	kt_search_result_deinit(&r);
	kt_program_destroy(prog);
	kt_program_destroy(ref);
}

Test(search, command_prints_crash_lines_and_json)
{
	char *dump = kt_test_dump_path("list-poison", ".kdump");
	const char *argv[] = { dump, kt_test_env("KT_VMLINUX"), "-c",
			       "search -l 2 dead000000000100", "-c",
			       "search -p -w 12345678", NULL };
	const char *jargv[] = { dump, kt_test_env("KT_VMLINUX"), "--json",
				"-c", "search -l 1 -j 1 dead000000000100",
				NULL };
	struct kt_run r = kt_test_run(argv);
	cJSON *doc, *hits;

	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.out, ": dead000000000100"), "%s", r.out);
	cr_expect(strstr(r.out, "more hits not shown"), "%s", r.out);
	kt_run_free(&r);
	r = kt_test_run(jargv);
	cr_expect_eq(r.status, 0, "%s", r.err);
	doc = cJSON_Parse(r.out);
	cr_assert_not_null(doc, "%s", r.out);
	hits = cJSON_GetObjectItem(doc, "hits");
	cr_expect_eq(cJSON_GetArraySize(hits), 1);
	cr_expect_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(hits, 0),
					     "value")->valuestring,
			 "0xdead000000000100");
	cr_expect_gt(cJSON_GetObjectItem(doc, "more")->valuedouble, 0);
	cJSON_Delete(doc);
	kt_run_free(&r);
	free(dump);
}

/* search -p names the owner of each physical hit through its page. */
Test(search, physical_hits_have_owners)
{
	char *dump = kt_test_dump_path("hctx-fq", ".kdump");
	const char *argv[] = { dump, kt_test_env("KT_VMLINUX"), "-c",
			       "search -p ffff8d7630382c40", NULL };
	struct kt_run r = kt_test_run(argv);

	cr_assert_eq(r.status, 0, "%s", r.err);
	// The hctx at ffff8d76018b5a00 is pfn 0x18b5 (direct map); fq at
	// +0xc0 holds the bogus value.
	cr_expect(strstr(r.out, "18b5ac0: ffff8d7630382c40  kmalloc-512+0xc0 "
			 "alloc\n"), "%s", r.out);
	cr_expect(strstr(r.out, "page:vmalloc"), "%s", r.out);
	kt_run_free(&r);
	free(dump);
}

/*
 * Several values in one scan (->also) find exactly the union of their
 * single-value searches, each hit with the value that matched.
 */
Test(search, several_values_in_one_scan)
{
	struct kt_program *prog = kt_test_open("list-poison");
	const uint64_t also[] = { 0xdead000000000122ULL, 0x1234567887654321ULL };
	struct kt_search_options o = { .value = 0xdead000000000100ULL,
				       .pid = -1, .mode = KT_SEARCH_PHYS };
	struct kt_search_result one, two, both;
	struct kt_error *err;
	size_t i1 = 0, i2 = 0;

	cr_assert_null(kt_search(prog, &o, &one));
	o.value = also[0];
	cr_assert_null(kt_search(prog, &o, &two));
	cr_assert_gt(one.n, 0);
	cr_assert_gt(two.n, 0);
	o.value = 0xdead000000000100ULL;
	o.also = also;
	o.nalso = 2;
	cr_assert_null(kt_search(prog, &o, &both));
	cr_assert_eq(both.n, one.n + two.n);
	// A merge of the two sorted lists.
	for (size_t k = 0; k < both.n; k++) {
		const struct kt_search_hit *h = &both.hits[k];
		const struct kt_search_hit *want =
			i2 == two.n || (i1 < one.n &&
					one.hits[i1].addr < two.hits[i2].addr) ?
			&one.hits[i1++] : &two.hits[i2++];

		cr_expect_eq(h->addr, want->addr);
		cr_expect_eq(h->value, want->value);
	}
	kt_search_result_deinit(&both);
	o.width = 4;
	err = kt_search(prog, &o, &both);
	cr_assert_not_null(err, "several values are 8-byte only");
	cr_expect_eq(err->code, KT_ERR_INVALID);
	kt_error_destroy(err);
	kt_search_result_deinit(&both);
	kt_search_result_deinit(&two);
	kt_search_result_deinit(&one);
	kt_program_destroy(prog);
}

/* Resident KiB of this process's mappings of @path (/proc/self/smaps). */
static long mapped_kib(const char *path)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[4096];
	bool in = false;
	long kib = 0;

	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		long v;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
			char *nl = strchr(line, '\n');

			if (nl)
				*nl = '\0';
			in = strlen(line) >= strlen(path) &&
			     !strcmp(line + strlen(line) - strlen(path), path);
		} else if (in && sscanf(line, "Rss: %ld kB", &v) == 1) {
			kib += v;
		}
	}
	fclose(f);
	return kib;
}

/*
 * A scan of every page gives back the pages of the dump file it has read
 * as it goes: what stays mapped is a small part of the file, not all of
 * it (an 8 GiB machine's level-1 dump kept 3.1 GB resident).
 */
Test(search, scan_leaves_little_of_the_dump_mapped)
{
	struct kt_program *prog = kt_test_open("hctx-fq");
	char *path = kt_test_dump_path("hctx-fq", ".kdump");
	struct kt_search_options o = { .value = 0xdead000000000100ULL,
				       .pid = -1, .mode = KT_SEARCH_PHYS };
	struct kt_search_result r;
	struct stat st;
	long kib;

	cr_assert_eq(stat(path, &st), 0);
	cr_assert_null(kt_search(prog, &o, &r));
	cr_assert_gt(r.pages_scanned, 10000);
	kib = mapped_kib(path);
	cr_expect_lt(kib * 1024, st.st_size / 4, "%ld KiB of a %ld-byte file "
		     "still mapped", kib, (long)st.st_size);
	kt_search_result_deinit(&r);
	free(path);
	kt_program_destroy(prog);
}
