// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kt_slab_for_each_object(): the objects it yields per cache, counted,
 * against crash 8.0.6's `kmem -s` (tests/expected/<dump>.crash-kmem.json).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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
	KT_DUMP_PARAMS();
}

ParameterizedTest(struct kt_dump_param *p, slab_objects,
		  allocated_as_crash_kmem_s)
{
	static const char *const caches[] = {
		"sock_inode_cache", "filp", "task_struct", "kmalloc-64",
		"kmalloc-1k", "dentry", "inode_cache",
	};
	struct kt_program *prog = kt_test_open(p->name);
	char name[64];
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

/* One scan of the struct page array serves every cache: tens of ms. */
Test(slab_objects, fast)
{
	struct kt_program *prog = kt_test_open("nbd-orphan-hung");
	const struct kt_slab_cache *c =
		kt_slab_cache_by_name(prog, "sock_inode_cache");
	struct timespec t0, t1;
	struct tally t = { 0 };
	double dt;

	cr_assert_not_null(c);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	cr_assert_null(kt_slab_for_each_object(prog, c, count, &t, NULL));
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	dt = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	fprintf(stderr, "slab_objects: %.3f s\n", dt);
#ifndef __SANITIZE_ADDRESS__
	cr_expect_lt(dt, 0.1, "the page scan is too slow: %.3f s", dt);
#endif
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
