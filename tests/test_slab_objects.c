// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kt_slab_for_each_object(): the objects it yields per cache, counted,
 * against crash 8.0.6's `kmem -s` (tests/expected/<dump>.crash-kmem.json).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "core/dump.h"
#include "core/mm.h"
#include "core/slab.h"
#include "tests/helpers.h"

struct tally {
	uint64_t allocated, unknown, last;
	bool ordered;		/* objects come in increasing order per slab */
};

static struct kt_error *count(struct kt_program *prog, uint64_t obj,
			      enum kt_slab_state state, void *arg)
{
	struct tally *t = arg;

	(void)prog;
	if (state == KT_SLAB_ALLOCATED)
		t->allocated++;
	else
		t->unknown++;
	t->last = obj;
	return NULL;
}

/* crash's line for @name in the dump's `kmem -s`. */
static const cJSON *crash_line(const cJSON *exp, const char *name)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, kt_test_get(exp, "kmem_s"))
		if (!strcmp(kt_test_get(c, "name")->valuestring, name))
			return c;
	cr_assert_fail("crash has no line for %s", name);
	return NULL;
}

ParameterizedTestParameters(slab_objects, allocated_as_crash_kmem_s)
{
	KT_SHARED_DUMP_PARAMS();
}

ParameterizedTest(struct kt_dump_param *p, slab_objects,
		  allocated_as_crash_kmem_s)
{
	static const char *const caches[] = {
		"sock_inode_cache", "filp", "task_struct", "kmalloc-64",
		"kmalloc-1k", "dentry", "inode_cache",
	};
	struct kt_program *prog = kt_test_open(p->name);
	char name[96];
	cJSON *exp;

	snprintf(name, sizeof(name), "%s.crash-kmem", p->name);
	exp = kt_test_expected(name);
	for (size_t i = 0; i < sizeof(caches) / sizeof(caches[0]); i++) {
		const struct kt_slab_cache *c =
			kt_slab_cache_by_name(prog, caches[i]);
		const cJSON *line = crash_line(exp, caches[i]);
		struct tally t = { 0 };
		size_t nslabs;

		cr_assert_not_null(c, "%s: no cache %s", p->name, caches[i]);
		cr_assert_null(kt_slab_for_each_object(prog, c, count, &t,
						       &nslabs));
		cr_expect_eq(t.unknown, 0, "%s %s: %llu unknown", p->name,
			     caches[i], (unsigned long long)t.unknown);
		cr_expect_eq(t.allocated,
			     (uint64_t)kt_test_get(line, "allocated")->valuedouble,
			     "%s %s: %llu allocated, crash says %d", p->name,
			     caches[i], (unsigned long long)t.allocated,
			     kt_test_get(line, "allocated")->valueint);
		cr_expect_eq(nslabs,
			     (size_t)kt_test_get(line, "slabs")->valuedouble,
			     "%s %s: %zu slabs, crash says %d", p->name,
			     caches[i], nslabs,
			     kt_test_get(line, "slabs")->valueint);
	}
	cJSON_Delete(exp);
	kt_program_destroy(prog);
}

/* The sockets of nbd-orphan-hung, as crash counts them. */
Test(slab_objects, sock_inode_cache_of_nbd_orphan_hung)
{
	struct kt_program *prog = kt_test_open("nbd-orphan-hung");
	const struct kt_slab_cache *c =
		kt_slab_cache_by_name(prog, "sock_inode_cache");
	struct tally t = { 0 };

	cr_assert_not_null(c);
	cr_assert_null(kt_slab_for_each_object(prog, c, count, &t, NULL));
	cr_expect_eq(t.allocated, 23, "crash: 23 sock_inode_cache objects");
	kt_program_destroy(prog);
}

/* A callback's error stops the walk and comes back. */
static struct kt_error *stop(struct kt_program *prog, uint64_t obj,
			     enum kt_slab_state state, void *arg)
{
	(void)prog;
	(void)obj;
	(void)state;
	++*(int *)arg;
	return kt_error_create(KT_ERR_INVALID, "enough");
}

Test(slab_objects, callback_error_stops)
{
	struct kt_program *prog = kt_test_open("sysrq-null");
	const struct kt_slab_cache *c = kt_slab_cache_by_name(prog, "filp");
	struct kt_error *err;
	int calls = 0;

	cr_assert_not_null(c);
	err = kt_slab_for_each_object(prog, c, stop, &calls, NULL);
	cr_assert_not_null(err);
	cr_expect_str_eq(err->message, "enough");
	cr_expect_eq(calls, 1);
	kt_error_destroy(err);
	kt_program_destroy(prog);
}

/* Objects of a cache, with the head struct page of each. */
struct objs {
	struct {
		uint64_t obj, head;
		enum kt_slab_state state;
	} v[256];
	size_t n;
};

static struct kt_error *collect(struct kt_program *prog, uint64_t obj,
				enum kt_slab_state state, void *arg)
{
	struct objs *o = arg;
	const struct kt_mm *mm;
	struct kt_page p;
	uint64_t pfn;

	cr_assert_lt(o->n, 256);
	cr_assert_null(kt_mm_get(prog, &mm));
	cr_assert(kt_mm_direct_pfn(mm, obj, &pfn));
	cr_assert_null(kt_mm_page(prog, pfn, &p));
	o->v[o->n].obj = obj;
	o->v[o->n].head = p.head;
	o->v[o->n++].state = state;
	return NULL;
}

static void walk(struct kt_program *prog, const char *cache,
		 struct objs *o, size_t *nslabs)
{
	const struct kt_slab_cache *c = kt_slab_cache_by_name(prog, cache);

	cr_assert_not_null(c);
	o->n = 0;
	cr_assert_null(kt_slab_for_each_object(prog, c, collect, o, nslabs));
}

/*
 * A bogus freelist head: that slab's objects are "unknown", never
 * guessed allocated or free; the other slabs are as before.
 */
Test(slab_objects, corrupt_freelist_gives_unknown)
{
	struct kt_program *prog = kt_test_open("nbd-orphan-hung");
	struct kt_program *bad = kt_test_open("nbd-orphan-hung");
	static struct objs before, after;
	uint64_t off, junk = 0xffff8c2b00000008ULL, slab;
	size_t in_slab = 0, unknown = 0, nslabs;

	walk(prog, "sock_inode_cache", &before, &nslabs);
	cr_assert_eq(before.n, 23);
	slab = before.v[0].head;
	for (size_t i = 0; i < before.n; i++)
		in_slab += before.v[i].head == slab;
	cr_assert_null(kt_type_member_offset(bad, "struct slab", "freelist",
					     &off));
	cr_assert_null(kt_dump_patch(bad->dump, slab + off, &junk, 8, 0));
	walk(bad, "sock_inode_cache", &after, NULL);
	for (size_t i = 0; i < after.n; i++) {
		if (after.v[i].head == slab) {
			cr_expect_eq(after.v[i].state, KT_SLAB_UNKNOWN);
			unknown++;
		} else {
			cr_expect_eq(after.v[i].state, KT_SLAB_ALLOCATED);
		}
	}
	// Its free objects are unknown too: at least the allocated ones.
	cr_expect_geq(unknown, in_slab);
	cr_expect_eq(after.n - unknown, before.n - in_slab);
	kt_program_destroy(bad);
	kt_program_destroy(prog);
}

/*
 * A page of the struct page array that cannot be read: its slabs are
 * skipped, the rest of the array is still walked.
 */
Test(slab_objects, unreadable_struct_pages_are_skipped)
{
	struct kt_program *prog = kt_test_open("nbd-orphan-hung");
	struct kt_program *bad = kt_test_open("nbd-orphan-hung");
	static struct objs before, after;
	uint64_t page, lost = 0;
	size_t n1, n2;

	walk(prog, "filp", &before, &n1);
	cr_assert_gt(n1, 1);
	// The 4 KiB of vmemmap holding the first slab's head page.
	page = before.v[0].head & ~0xfffULL;
	for (size_t i = 0; i < before.n; i++)
		lost += (before.v[i].head & ~0xfffULL) == page;
	cr_assert_lt(lost, before.n, "every slab in one vmemmap page");
	cr_assert_null(kt_dump_patch(bad->dump, page, NULL, 4096,
				     KT_FAULT_NOT_MAPPED));
	walk(bad, "filp", &after, &n2);
	cr_expect_lt(n2, n1);
	cr_expect_eq(after.n, before.n - lost);
	for (size_t i = 0; i < after.n; i++)
		cr_expect_neq(after.v[i].head & ~0xfffULL, page);
	kt_program_destroy(bad);
	kt_program_destroy(prog);
}
