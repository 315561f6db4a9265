// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmem against drgn and crash 8.0.6 on every shared dump.
 *
 * tests/expected/NAME.kmem.json (tests/oracle/kmem.py) holds drgn's
 * slab_object_info() and identify_address() of every distinct kernel word
 * on every task's stack, of objects sampled from a dozen caches (start,
 * interior, last byte, slab tail) and of special addresses; NAME.crash-
 * kmem.json holds crash's `kmem -s`.
 *
 * ktriage must give drgn's cache, object start and state for every slab
 * address, except in a slab's tail past its last object, where drgn names
 * an object that does not exist and ktriage says there is none. Where drgn
 * says nothing (vmalloc, pages, per-CPU), ktriage must say what it is.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/owner.h"
#include "core/slab.h"
#include "tests/helpers.h"

static cJSON *load(const char *name, const char *suffix)
{
	char file[96];

	snprintf(file, sizeof(file), "%s.%s", name, suffix);
	return kt_test_expected(file);
}

struct tally {
	unsigned slab, slab_tail, symbol, vmalloc, page, other;
};

/* drgn names a slab object: same cache, object and state. */
static void check_slab(const struct kt_owner *o, cJSON *slab, cJSON *own,
		       struct tally *t)
{
	const struct kt_owner_id *id = &o->ids[0];
	cJSON *index_valid = kt_test_get(kt_test_get(own, "slab"), "index_valid");

	cr_assert_eq(id->kind, KT_OWNER_SLAB, "0x%" PRIx64 ": %s", o->addr,
		     id->reason);
	cr_assert_str_eq(id->name, kt_test_get(slab, "cache")->valuestring,
			 "0x%" PRIx64, o->addr);
	if (cJSON_IsFalse(index_valid)) {
		// drgn's object is past the slab's last one.
		cr_assert_eq(id->state, KT_SLAB_UNKNOWN, "0x%" PRIx64, o->addr);
		cr_assert(strstr(id->reason, "no object"), "%s", id->reason);
		t->slab_tail++;
		return;
	}
	cr_assert_eq(id->base, kt_test_hex(kt_test_get(slab, "object")), "0x%" PRIx64, o->addr);
	cr_assert_eq(id->state, cJSON_IsTrue(kt_test_get(slab, "allocated")) ?
			KT_SLAB_ALLOCATED : KT_SLAB_FREE,
		     "0x%" PRIx64 ": drgn %s, ktriage %s", o->addr,
		     cJSON_IsTrue(kt_test_get(slab, "allocated")) ? "allocated" : "free",
		     id->reason);
	t->slab++;
}

/* drgn's "function symbol: name+0xoff" or "object symbol: ...". */
static void check_symbol(const struct kt_owner *o, const char *identify,
			 struct tally *t)
{
	const char *colon = strchr(identify, ':');
	char want[160];

	cr_assert_not_null(colon);
	snprintf(want, sizeof(want), "%s", colon + 2);
	cr_assert_eq(o->ids[0].kind, KT_OWNER_SYMBOL, "0x%" PRIx64 ": %s",
		     o->addr, identify);
	// The same place: name+offset, or an alias at the same address.
	cr_assert(!strncmp(want, o->ids[0].name, strlen(o->ids[0].name)) ||
		  strstr(want, "+0x") != NULL,
		  "0x%" PRIx64 ": drgn %s, ktriage %s", o->addr, want,
		  o->ids[0].name);
	t->symbol++;
}

/* drgn says nothing: ktriage must still say what it is. */
static void check_region(const struct kt_owner *o, const char *region,
			 struct tally *t)
{
	enum kt_owner_kind k = o->ids[0].kind;

	if (!strcmp(region, "vmalloc")) {
		// A stale word may point where no area is any more.
		cr_assert(k == KT_OWNER_STACK || k == KT_OWNER_VMALLOC ||
			  (k == KT_OWNER_UNMAPPED &&
			   strstr(o->ids[0].reason, "no busy vmap area")),
			  "0x%" PRIx64 ": %s", o->addr, o->ids[0].reason);
		t->vmalloc++;
	} else if (!strcmp(region, "direct_map")) {
		cr_assert(k == KT_OWNER_PAGE || k == KT_OWNER_PERCPU ||
			  k == KT_OWNER_NOT_RAM,
			  "0x%" PRIx64 ": %s %s", o->addr, kt_owner_kind_name(k),
			  o->ids[0].reason);
		t->page++;
	} else if (!strcmp(region, "direct_map_beyond_ram")) {
		cr_assert_eq(k, KT_OWNER_NOT_RAM, "0x%" PRIx64, o->addr);
		t->other++;
	} else if (!strcmp(region, "vmemmap")) {
		cr_assert_eq(k, KT_OWNER_PAGE_STRUCT, "0x%" PRIx64, o->addr);
		t->other++;
	} else if (!strcmp(region, "non_canonical")) {
		cr_assert_eq(k, KT_OWNER_NONCANONICAL, "0x%" PRIx64, o->addr);
		t->other++;
	} else if (!strcmp(region, "user")) {
		cr_assert(k == KT_OWNER_USER || k == KT_OWNER_NULL);
		t->other++;
	} else {
		cr_assert_neq(k, KT_OWNER_SLAB, "0x%" PRIx64, o->addr);
		t->other++;
	}
}

ParameterizedTestParameters(kmem_oracle, agrees_with_drgn)
{
	KT_DUMP_PARAMS();
}

ParameterizedTest(struct kt_dump_param *p, kmem_oracle, agrees_with_drgn)
{
	struct kt_program *prog = kt_test_open(p->name);
	cJSON *doc = load(p->name, "kmem"), *a;
	struct tally t = { 0 };
	unsigned n = 0;

	cJSON_ArrayForEach(a, kt_test_get(doc, "addresses")) {
		cJSON *drgn = kt_test_get(a, "drgn"), *slab = kt_test_get(drgn, "slab");
		cJSON *ident = kt_test_get(drgn, "identify");
		struct kt_owner o;

		cr_assert_null(kt_owner_identify(prog, kt_test_hex(kt_test_get(a, "address")), &o));
		cr_assert_gt(o.n, 0);
		if (cJSON_IsObject(slab))
			check_slab(&o, slab, kt_test_get(a, "own"), &t);
		else if (cJSON_IsString(ident) && strstr(ident->valuestring, "symbol: "))
			check_symbol(&o, ident->valuestring, &t);
		else
			check_region(&o, kt_test_get(a, "region")->valuestring, &t);
		n++;
	}
	cr_assert_gt(n, 1000, "the oracle holds %u addresses", n);
	cr_assert_gt(t.slab, 2000);
	cr_log_info("%s: %u addresses: %u slab agree, %u slab tails drgn "
		    "misnames, %u symbols, %u vmalloc/stack and %u pages drgn "
		    "leaves unidentified, %u other", p->name, n, t.slab,
		    t.slab_tail, t.symbol, t.vmalloc, t.page, t.other);
	cJSON_Delete(doc);
	kt_program_destroy(prog);
}

ParameterizedTestParameters(kmem_oracle, caches_agree_with_crash)
{
	KT_SHARED_DUMP_PARAMS();
}

ParameterizedTest(struct kt_dump_param *p, kmem_oracle, caches_agree_with_crash)
{
	struct kt_program *prog = kt_test_open(p->name);
	cJSON *doc = load(p->name, "crash-kmem"), *c;
	unsigned n = 0;

	cJSON_ArrayForEach(c, kt_test_get(doc, "kmem_s")) {
		const struct kt_slab_cache *cache =
			kt_slab_cache_by_addr(prog, kt_test_hex(kt_test_get(c, "address")));
		struct kt_slab_stats s;

		cr_assert_not_null(cache, "%s", kt_test_get(c, "name")->valuestring);
		cr_assert_str_eq(cache->name, kt_test_get(c, "name")->valuestring);
		cr_assert_eq(cache->object_size, (uint64_t)kt_test_get(c, "objsize")->valuedouble);
		cr_assert_null(kt_slab_cache_stats(prog, cache, &s));
		cr_assert_eq(s.allocated, (uint64_t)kt_test_get(c, "allocated")->valuedouble,
			     "%s: allocated %" PRIu64 ", crash %d", cache->name,
			     s.allocated, kt_test_get(c, "allocated")->valueint);
		cr_assert_eq(s.total, (uint64_t)kt_test_get(c, "total")->valuedouble,
			     "%s", cache->name);
		cr_assert_eq(s.slabs, (uint64_t)kt_test_get(c, "slabs")->valuedouble,
			     "%s", cache->name);
		cr_assert_not(s.corrupt, "%s", cache->name);
		n++;
	}
	cr_assert_gt(n, 100);
	cJSON_Delete(doc);
	kt_program_destroy(prog);
}
