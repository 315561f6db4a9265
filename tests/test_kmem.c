// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The ownership engine on the seed cases' facts, found from the dumps
 * themselves (frame variables, module globals), never from hard-coded
 * addresses; and on corrupted freelists made by patching a real dump.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mm.h"
#include "core/owner.h"
#include "core/slab.h"
#include "core/stack.h"
#include "core/task.h"
#include "tests/helpers.h"

/* The value of variable @name in frame @frame of the panic task. */
static uint64_t frame_var(struct kt_program *prog, size_t frame,
			  const char *name)
{
	struct kt_frame_var vars[32];
	struct kt_trace tr;
	uint64_t task, value = 0;
	int cpu;
	size_t n;

	cr_assert_null(kt_task_panicked(prog, &cpu, &task));
	cr_assert_null(kt_stack_trace(prog, task, &tr));
	cr_assert_gt(tr.n, frame);
	n = kt_frame_variables(prog, &tr, frame, vars, 32);
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(vars[i].name, name) && vars[i].known)
			value = vars[i].value;
	}
	kt_trace_deinit(&tr);
	cr_assert_neq(value, 0, "no value of %s in frame %zu", name, frame);
	return value;
}

static struct kt_owner identify(struct kt_program *prog, uint64_t addr)
{
	struct kt_owner o;

	cr_assert_null(kt_owner_identify(prog, addr, &o));
	cr_assert_gt(o.n, 0, "0x%" PRIx64 " has no identity", addr);
	return o;
}

static uint64_t module_pointer(struct kt_program *prog, const char *sym)
{
	uint64_t addr, v;

	cr_assert_null(kt_symbol_address(prog, sym, &addr));
	cr_assert_null(kt_read_u64(prog, addr, &v));
	return v;
}

/* The hctx of frame @frame's variable is allocated, its ->fq not RAM. */
static void check_hctx(const char *dump, size_t frame)
{
	struct kt_program *prog = kt_test_open(dump);
	uint64_t hctx = frame_var(prog, frame, "hctx"), off, fq;
	struct kt_owner o = identify(prog, hctx);
	char brief[128];

	cr_assert_eq(o.ids[0].kind, KT_OWNER_SLAB);
	cr_assert(!strncmp(o.ids[0].name, "kmalloc-", 8), "%s", o.ids[0].name);
	cr_assert_eq(o.ids[0].state, KT_SLAB_ALLOCATED, "%s", o.ids[0].reason);
	cr_assert_eq(o.ids[0].offset, 0);
	cr_assert_eq(o.ids[0].base, hctx);

	cr_assert_null(kt_type_member_offset(prog, "struct blk_mq_hw_ctx", "fq",
					     &off));
	cr_assert_null(kt_read_u64(prog, hctx + off, &fq));
	o = identify(prog, fq);
	cr_assert_eq(o.ids[0].kind, KT_OWNER_NOT_RAM, "%s", o.ids[0].reason);
	cr_assert(strstr(o.ids[0].reason, "past the end of RAM"));
	kt_owner_brief(prog, fq, brief, sizeof(brief));
	cr_assert_str_eq(brief, "not RAM");
	kt_owner_brief(prog, hctx + 0x10, brief, sizeof(brief));
	cr_assert(strstr(brief, "+0x10 alloc"), "%s", brief);
	kt_program_destroy(prog);
}

Test(kmem, hctx_fq_hctx_is_allocated_and_fq_beyond_ram)
{
	// blk_free_flush_queue(fq) <- blk_mq_hw_sysfs_release: hctx local
	check_hctx("hctx-fq", 1);
}

Test(kmem, hctx_fq_exit_hctx_is_allocated_and_fq_beyond_ram)
{
	// blk_mq_exit_hctx(q, set, hctx, hctx_idx)
	check_hctx("hctx-fq-exit", 0);
}

Test(kmem, list_poison_stale_entry_is_free_on_a_freelist)
{
	struct kt_program *prog = kt_test_open("list-poison");
	uint64_t entry = module_pointer(prog, "kt_cursor");
	struct kt_owner o = identify(prog, entry + 8);
	const struct kt_owner_id *id = &o.ids[0];

	// SLUB merged ktscen_entry into sigqueue.
	cr_assert_eq(id->kind, KT_OWNER_SLAB);
	cr_assert_str_eq(id->name, "sigqueue");
	cr_assert(strstr(id->name2, "ktscen_entry"), "%s", id->name2);
	cr_assert_eq(id->base, entry);
	cr_assert_eq(id->offset, 8);
	cr_assert_eq(id->state, KT_SLAB_FREE, "%s", id->reason);
	cr_assert_geq(id->freelist_pos, 0);
	cr_assert(strstr(id->reason, "freelist"), "%s", id->reason);
	kt_program_destroy(prog);
}

Test(kmem, list_poison_values_are_named)
{
	struct kt_program *prog = kt_test_open("list-poison");
	struct kt_owner o = identify(prog, 0xdead000000000100ULL);
	char brief[64];

	cr_assert_eq(o.ids[0].kind, KT_OWNER_NONCANONICAL);
	cr_assert_eq(o.n, 2);
	cr_assert_str_eq(o.ids[1].name, "LIST_POISON1");
	cr_assert_eq(o.ids[1].offset, 0);
	o = identify(prog, 0xdead000000000122ULL);
	cr_assert_str_eq(o.ids[1].name, "LIST_POISON2");
	// The faulting e = LIST_POISON1 - 8 (list_entry of ->next).
	kt_owner_brief(prog, 0xdead0000000000f8ULL, brief, sizeof(brief));
	cr_assert_str_eq(brief, "LIST_POISON1-0x8");
	kt_owner_brief(prog, 0xdead000000000110ULL, brief, sizeof(brief));
	cr_assert_str_eq(brief, "LIST_POISON1+0x10");
	kt_program_destroy(prog);
}

Test(kmem, ranges_null_user_noncanonical_symbol)
{
	struct kt_program *prog = kt_test_open("sysrq-null");
	uint64_t addr;
	struct kt_owner o;

	o = identify(prog, 0x28);
	cr_assert_eq(o.ids[0].kind, KT_OWNER_NULL);
	cr_assert_eq(o.ids[0].offset, 0x28);
	o = identify(prog, 0x7ffd12345678ULL);
	cr_assert_eq(o.ids[0].kind, KT_OWNER_USER);
	o = identify(prog, 0x1234567812345678ULL);
	cr_assert_eq(o.ids[0].kind, KT_OWNER_NONCANONICAL);
	cr_assert_eq(o.n, 1);
	cr_assert_null(kt_symbol_address(prog, "panic", &addr));
	o = identify(prog, addr + 5);
	cr_assert_eq(o.ids[0].kind, KT_OWNER_SYMBOL);
	cr_assert_str_eq(o.ids[0].name, "panic");
	cr_assert_eq(o.ids[0].offset, 5);
	kt_program_destroy(prog);
}

Test(kmem, stack_and_percpu_and_page_struct)
{
	struct kt_program *prog = kt_test_open("irq-lock");
	const struct kt_task_list *tasks;
	const struct kt_task *t;
	const struct kt_mm *mm;
	struct kt_owner o;
	uint64_t addr, task;
	int cpu;

	cr_assert_null(kt_tasks_load(prog, &tasks));
	cr_assert_null(kt_task_panicked(prog, &cpu, &task));
	t = kt_task_by_addr(tasks, task);
	cr_assert_not_null(t);
	o = identify(prog, t->stack + 0x100);
	cr_assert_eq(o.ids[0].kind, KT_OWNER_STACK);
	cr_assert_eq(o.ids[0].pid, t->pid);
	cr_assert_eq(o.ids[0].offset, 0x100);

	cr_assert_null(kt_percpu_symbol(prog, "runqueues", 1, &addr));
	o = identify(prog, addr + 8);
	cr_assert_eq(o.ids[0].kind, KT_OWNER_PERCPU);
	cr_assert_str_eq(o.ids[0].name, "runqueues");
	cr_assert_eq(o.ids[0].cpu, 1);
	cr_assert_eq(o.ids[0].offset, 8);

	cr_assert_null(kt_mm_get(prog, &mm));
	o = identify(prog, kt_mm_pfn_to_page(mm, 0x1234) + 8);
	cr_assert_eq(o.ids[0].kind, KT_OWNER_PAGE_STRUCT);
	cr_assert_eq(o.ids[0].pfn, 0x1234);
	kt_program_destroy(prog);
}

Test(kmem, free_buddy_page_is_free_and_excluded)
{
	struct kt_program *prog = kt_test_open("nbd-orphan-hung");
	const struct kt_mm *mm;
	struct kt_page p;
	struct kt_owner o;
	uint64_t pfn;

	cr_assert_null(kt_mm_get(prog, &mm));
	// The first buddy head at or above 16 MiB, past boot reservations.
	for (pfn = 0x1000; pfn < mm->max_pfn; pfn++) {
		if (!kt_error_catch_any(kt_mm_page(prog, pfn, &p)) &&
		    kt_mm_page_buddy(mm, &p))
			break;
	}
	cr_assert_lt(pfn, mm->max_pfn, "no free page at all");
	o = identify(prog, kt_mm_pfn_to_virt(mm, pfn) + 0x40);
	cr_assert_eq(o.ids[0].kind, KT_OWNER_PAGE);
	cr_assert_eq(o.ids[0].page_kind, KT_PAGE_BUDDY, "%s", o.ids[0].reason);
	// makedumpfile -d 31 leaves free pages out.
	cr_assert_eq(o.n, 2);
	cr_assert_eq(o.ids[1].kind, KT_OWNER_EXCLUDED);
	kt_program_destroy(prog);
}

/* Patch the stored free pointer of free object @obj to decode to @next. */
static void patch_free_pointer(struct kt_program *prog,
			       const struct kt_slab_cache *c, uint64_t obj,
			       uint64_t next)
{
	uint64_t slot = obj + c->offset;
	uint64_t stored = next ^ c->random ^ __builtin_bswap64(slot);

	cr_assert_neq(c->random, 0, "Debian's kernel hardens freelists");
	cr_assert_null(kt_dump_patch(prog->dump, slot, &stored, 8, KT_FAULT_NONE));
}

/*
 * An allocated object in the slab of list-poison's stale entry, found on a
 * program of its own: the one under test must be patched before its first
 * lookup, because free sets are cached.
 */
static uint64_t allocated_neighbour(uint64_t *entry)
{
	struct kt_program *prog = kt_test_open("list-poison");
	struct kt_owner o;
	uint64_t first, found = 0;

	*entry = module_pointer(prog, "kt_cursor");
	o = identify(prog, *entry);
	first = o.ids[0].base - (o.ids[0].base & 0xfff);
	for (uint64_t a = first; a < first + 4096 && !found; a += o.ids[0].size) {
		struct kt_owner n = identify(prog, a);

		if (n.ids[0].kind == KT_OWNER_SLAB &&
		    n.ids[0].page == o.ids[0].page &&
		    n.ids[0].state == KT_SLAB_ALLOCATED)
			found = n.ids[0].base;
	}
	kt_program_destroy(prog);
	cr_assert_neq(found, 0, "no allocated object beside the stale entry");
	return found;
}

Test(kmem, freelist_cycle_is_corrupt_not_a_verdict)
{
	uint64_t entry, other = allocated_neighbour(&entry);
	struct kt_program *prog = kt_test_open("list-poison");
	const struct kt_slab_cache *c = kt_slab_cache_by_name(prog, "ktscen_entry");
	struct kt_owner o;

	cr_assert_not_null(c);
	cr_assert_str_eq(c->name, "sigqueue");
	// Before any lookup (the free sets are cached): entry 0 of the
	// freelist now points at itself.
	patch_free_pointer(prog, c, entry, entry);
	o = identify(prog, entry);
	cr_assert_eq(o.ids[0].kind, KT_OWNER_SLAB);
	cr_assert_eq(o.ids[0].state, KT_SLAB_FREE, "%s", o.ids[0].reason);
	// An object not seen on the broken chain might be further on it.
	o = identify(prog, other);
	cr_assert_eq(o.ids[0].state, KT_SLAB_UNKNOWN, "%s", o.ids[0].reason);
	cr_assert(strstr(o.ids[0].reason, "cycle"), "%s", o.ids[0].reason);
	kt_program_destroy(prog);
}

Test(kmem, freelist_leaving_its_slab_is_corrupt)
{
	uint64_t entry, other = allocated_neighbour(&entry);
	struct kt_program *prog = kt_test_open("list-poison");
	const struct kt_slab_cache *c = kt_slab_cache_by_name(prog, "sigqueue");
	struct kt_owner o;

	cr_assert_not_null(c);
	patch_free_pointer(prog, c, entry, 0xffff888000001000ULL);
	o = identify(prog, other);
	cr_assert_eq(o.ids[0].state, KT_SLAB_UNKNOWN, "%s", o.ids[0].reason);
	cr_assert(strstr(o.ids[0].reason, "not an object of the slab"), "%s",
		  o.ids[0].reason);
	kt_program_destroy(prog);
}

Test(kmem, cli_kmem_s_lists_merged_caches)
{
	char *dump = kt_test_dump_path("list-poison", ".kdump");
	const char *argv[] = { dump, kt_test_env("KT_VMLINUX"), "-m",
			       NULL, "--json", "-c", "kmem -s sigqueue", NULL };
	char mods[4096];
	struct kt_run r;
	cJSON *doc, *c;

	snprintf(mods, sizeof(mods), "%s/modules", kt_test_env("KT_FIXTURES"));
	argv[3] = mods;
	r = kt_test_run(argv);
	cr_assert_eq(r.status, 0, "%s", r.err);
	doc = cJSON_Parse(r.out);
	cr_assert_not_null(doc, "%s", r.out);
	c = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "caches"), 0);
	cr_assert_str_eq(cJSON_GetObjectItem(c, "name")->valuestring, "sigqueue");
	cr_assert(strstr(cJSON_GetObjectItem(c, "aliases")->valuestring,
			 "ktscen_entry"));
	// 8 entries were allocated and one freed; crash 8.0.6's kmem -s
	// prints the same 7 of 102.
	cr_assert_eq(cJSON_GetObjectItem(c, "allocated")->valueint, 7);
	cJSON_Delete(doc);
	kt_run_free(&r);
	free(dump);
}

/*
 * Seed 000: `search` for the bogus fq value found it on the kworker's
 * stack and in the hctx slab object, and that was the clue.
 */
Test(kmem, search_hits_carry_owners_hctx_and_stack)
{
	struct kt_program *prog = kt_test_open("hctx-fq");
	uint64_t hctx = frame_var(prog, 1, "hctx"), fq = frame_var(prog, 0, "fq");
	uint64_t off;
	char *dump = kt_test_dump_path("hctx-fq", ".kdump"), cmd[64], want[64];
	const char *argv[] = { dump, kt_test_env("KT_VMLINUX"), "--json", "-c",
			       cmd, NULL };
	bool in_hctx = false, on_stack = false;
	struct kt_run r;
	cJSON *doc, *h;

	cr_assert_null(kt_type_member_offset(prog, "struct blk_mq_hw_ctx", "fq",
					     &off));
	snprintf(cmd, sizeof(cmd), "search %" PRIx64, fq);
	snprintf(want, sizeof(want), "0x%016" PRIx64, hctx + off);
	r = kt_test_run(argv);
	cr_assert_eq(r.status, 0, "%s", r.err);
	doc = cJSON_Parse(r.out);
	cr_assert_not_null(doc);
	cJSON_ArrayForEach(h, cJSON_GetObjectItem(doc, "hits")) {
		const char *addr = cJSON_GetObjectItem(h, "address")->valuestring;
		const char *owner = cJSON_GetObjectItem(h, "owner")->valuestring;

		if (!strcmp(addr, want)) {
			in_hctx = true;
			cr_assert(!strncmp(owner, "kmalloc-", 8), "%s", owner);
			cr_assert(strstr(owner, " alloc"), "%s", owner);
		}
		if (!strcmp(owner, "stack:kworker/0:2"))
			on_stack = true;
	}
	cr_assert(in_hctx, "no hit at hctx->fq %s", want);
	cr_assert(on_stack, "no hit on the kworker's stack");
	cJSON_Delete(doc);
	kt_run_free(&r);
	free(dump);
	kt_program_destroy(prog);
}
