// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The walkers over a real dump whose reads return fuzzed bytes (see
 * overlay.h). One source, one target per walker: KT_WALKER names which.
 * Each must end, with a bounded result, whatever the reads return; what
 * it returns is touched byte by byte so that ASan sees every pointer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/files.h"
#include "core/list.h"
#include "core/log.h"
#include "core/module.h"
#include "core/owner.h"
#include "core/program.h"
#include "core/slab.h"
#include "core/stack.h"
#include "core/task.h"
#include "core/vmalloc.h"
#include "fuzz/common.h"
#include "fuzz/overlay.h"

/* A walk reads at most this many times; the real dumps need far fewer. */
#define MAX_READS 4000000

static volatile unsigned sink;

static void touch(const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sink += ((const unsigned char *)p)[i];
}

static void touch_str(const char *s)
{
	if (s)
		touch(s, strlen(s));
}

static void drop(struct kt_error *err)
{
	if (err)
		touch_str(err->message);
	kt_fuzz_drop(err);
}

static void walk_log(struct kt_program *prog)
{
	const struct kt_log *log;
	struct kt_error *err = kt_log_load(prog, &log);

	if (!err)
		err = kt_log_load_levels(prog, &log);
	if (err) {
		drop(err);
		return;
	}
	KT_FUZZ_CHECK(log->n <= 10000000, "log: too many records");
	for (size_t i = 0; i < log->n; i++)
		touch(log->recs[i].text, log->recs[i].len);
	touch_str(log->warning);
}

static const struct kt_task_list *tasks(struct kt_program *prog)
{
	const struct kt_task_list *list;
	struct kt_error *err = kt_tasks_load(prog, &list);

	if (err) {
		drop(err);
		return NULL;
	}
	KT_FUZZ_CHECK(list->n <= KT_LIST_MAX * 2, "tasks: too many");
	return list;
}

static void walk_tasks(struct kt_program *prog)
{
	const struct kt_task_list *list = tasks(prog);

	if (!list)
		return;
	for (size_t i = 0; i < list->n; i++)
		touch(list->tasks[i].comm, strlen(list->tasks[i].comm));
	touch_str(list->warning);
}

static void walk_modules(struct kt_program *prog)
{
	const struct kt_module_list *list;
	struct kt_error *err = kt_modules_load(prog, &list);

	if (err) {
		drop(err);
		return;
	}
	KT_FUZZ_CHECK(list->n <= KT_LIST_MAX, "modules: too many");
	for (unsigned i = 0; i < list->n; i++) {
		const struct kt_module *m = &list->mods[i];

		touch(m->name, strnlen(m->name, sizeof(m->name)));
		for (unsigned s = 0; s < m->nsections; s++)
			touch(m->sections[s].name,
			      strnlen(m->sections[s].name,
				      sizeof(m->sections[s].name)));
		touch_str(m->warning);
	}
	touch_str(list->warning);
}

static void walk_vmap(struct kt_program *prog)
{
	const struct kt_vmalloc *vm;
	struct kt_error *err = kt_vmalloc_load(prog, &vm);

	if (err) {
		drop(err);
		return;
	}
	KT_FUZZ_CHECK(vm->n <= KT_LIST_MAX, "vmap: too many areas");
	for (size_t i = 0; i < vm->n; i++)
		kt_vmalloc_find(vm, vm->areas[i].va_start);
	for (size_t i = 0, n; i < vm->npages; i += 97)
		kt_vmalloc_by_pfn(vm, vm->pages[i].pfn, &n);
	touch_str(vm->warning);
}

/* Addresses of slab objects and stacks in the real dump, found once. */
static uint64_t slab_addrs[64];
static unsigned nslab_addrs;

static void find_slab_addrs(struct kt_program *prog)
{
	const struct kt_task_list *list = tasks(prog);

	for (size_t i = 0; list && i < list->n && nslab_addrs + 2 <= 64; i++) {
		slab_addrs[nslab_addrs++] = list->tasks[i].addr;
		slab_addrs[nslab_addrs++] = list->tasks[i].stack + 0x100;
	}
}

static void walk_slab(struct kt_program *prog)
{
	const struct kt_slab_cache_list *list;
	struct kt_slab_stats stats;
	struct kt_owner o;
	struct kt_error *err = kt_slab_caches(prog, &list);

	if (err) {
		drop(err);
		return;
	}
	KT_FUZZ_CHECK(list->n <= KT_LIST_MAX, "slab: too many caches");
	for (unsigned i = 0; i < list->n; i++) {
		touch_str(list->caches[i].name);
		touch_str(list->caches[i].aliases);
		drop(kt_slab_cache_stats(prog, &list->caches[i], &stats));
	}
	for (unsigned i = 0; i < nslab_addrs; i++) {
		drop(kt_owner_identify(prog, slab_addrs[i], &o));
		KT_FUZZ_CHECK(o.n <= KT_OWNER_MAX, "owner: too many ids");
	}
}

static void walk_mounts(struct kt_program *prog)
{
	const struct kt_task_list *list = tasks(prog);
	struct kt_files files;

	for (size_t i = 0; list && i < list->n && i < 24; i++) {
		drop(kt_files_load(prog, list->tasks[i].addr, &files));
		touch_str(files.root);
		touch_str(files.cwd);
		for (size_t f = 0; f < files.n; f++)
			touch_str(files.v[f].path);
		kt_files_deinit(&files);
	}
}

/* The panic task's stack and a few others: ORC, pt_regs, crash_notes. */
static void walk_bt(struct kt_program *prog)
{
	const struct kt_task_list *list = tasks(prog);
	uint64_t panic = 0;
	struct kt_trace t;
	int cpu;

	drop(kt_task_panicked(prog, &cpu, &panic));
	for (size_t i = 0; list && i <= list->n && i < 5; i++) {
		uint64_t task = i ? list->tasks[i - 1].addr : panic;

		if (!task)
			continue;
		drop(kt_stack_trace(prog, task, &t));
		KT_FUZZ_CHECK(t.n <= 100000, "bt: too many frames");
		touch_str(t.stop);
		kt_trace_deinit(&t);
	}
}

static const struct walker {
	const char *name;
	void (*walk)(struct kt_program *prog);
} walkers[] = {
	{ "log", walk_log },
	{ "tasks", walk_tasks },
	{ "modules", walk_modules },
	{ "vmap", walk_vmap },
	{ "slab", walk_slab },
	{ "mounts", walk_mounts },
	{ "bt", walk_bt },
};

static const struct walker *walker;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct kt_program *prog = kt_fuzz_program();

	for (size_t i = 0; i < sizeof(walkers) / sizeof(*walkers); i++)
		if (!strcmp(walkers[i].name, KT_WALKER))
			walker = &walkers[i];
	if (!walker)
		kt_fuzz_fail(__FILE__, __LINE__, "no such walker");
	if (walker->walk == walk_slab)
		find_slab_addrs(prog);
	kt_program_forget(prog);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_program *prog = kt_fuzz_program();
	struct kt_overlay ov;

	kt_overlay_start(&ov, prog, data, size, MAX_READS);
	walker->walk(prog);
	if (getenv("KT_FUZZ_VERBOSE"))
		fprintf(stderr, "%s: %llu reads, %llu changed\n", walker->name,
			(unsigned long long)ov.reads,
			(unsigned long long)ov.changed);
	kt_overlay_stop(&ov, prog);
	return 0;
}
