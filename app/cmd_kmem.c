// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmem ADDR...: what each address is, every identity with its reason.
 * kmem -s [NAME]: the slab caches, as crash lists them.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "app/commands.h"
#include "core/owner.h"
#include "core/program.h"
#include "core/slab.h"
#include "core/stack.h"

static const char kmem_usage[] = "kmem ADDR... | kmem -s [NAME]";

/* The frame of a task's stack that holds @addr, as "#3 foo+0x12". */
static bool stack_frame(struct kt_program *prog, const struct kt_owner_id *id,
			uint64_t addr, char *buf, size_t size)
{
	struct kt_trace tr;
	bool found = false;

	if (!id->task || kt_error_catch_any(kt_stack_trace(prog, id->task, &tr)))
		return false;
	// Frame i owns [its sp, the next frame's sp) of the same stack.
	for (size_t i = 0; i < tr.n && !found; i++) {
		const struct kt_frame *f = &tr.frames[i];
		uint64_t end = id->base + id->size;
		struct kt_symbol_hit h;

		if (f->stack != KT_STACK_TASK || addr < f->sp)
			continue;
		for (size_t j = i + 1; j < tr.n; j++) {
			if (tr.frames[j].stack == KT_STACK_TASK) {
				end = tr.frames[j].sp;
				break;
			}
		}
		if (addr >= end)
			continue;
		found = true;
		if (kt_symbol_lookup(prog, f->pc, &h))
			snprintf(buf, size, "frame #%zu %s+0x%" PRIx64 ", sp + 0x%" PRIx64,
				 i, h.name, h.offset, addr - f->sp);
		else
			snprintf(buf, size, "frame #%zu, sp + 0x%" PRIx64, i,
				 addr - f->sp);
	}
	if (!found && tr.n && addr < tr.frames[0].sp)
		snprintf(buf, size, "below the innermost frame's sp: unused "
			 "stack (stale data)"), found = true;
	kt_trace_deinit(&tr);
	return found;
}

static void print_id(struct kt_cmd_ctx *ctx, uint64_t addr,
		     const struct kt_owner_id *id)
{
	FILE *fp = ctx->out;
	char frame[128];

	fprintf(fp, "  %-9s ", kt_owner_kind_name(id->kind));
	switch (id->kind) {
	case KT_OWNER_SLAB:
		fprintf(fp, "%s+0x%" PRIx64 " %s: object %016" PRIx64
			" of %" PRIu64 " bytes%s\n", id->name, id->offset,
			kt_slab_state_name(id->state), id->base, id->size,
			id->in_padding ? " (in its padding/metadata)" : "");
		if (*id->name2)
			fprintf(fp, "%12s merged here: %s\n", "", id->name2);
		fprintf(fp, "%12s cache %016" PRIx64 ", slab %016" PRIx64
			" (pfn 0x%" PRIx64 ")\n", "", id->cache, id->page,
			id->pfn);
		break;
	case KT_OWNER_SYMBOL:
		fprintf(fp, "%s+0x%" PRIx64 "%s%s%s\n", id->name, id->offset,
			*id->name2 ? " [" : "", id->name2, *id->name2 ? "]" : "");
		break;
	case KT_OWNER_STACK:
		fprintf(fp, "%016" PRIx64 "-%016" PRIx64 "\n", id->base,
			id->base + id->size);
		if (stack_frame(ctx->prog, id, addr, frame, sizeof(frame)))
			fprintf(fp, "%12s %s\n", "", frame);
		break;
	case KT_OWNER_PAGE:
		fprintf(fp, "%s, %016" PRIx64 "+0x%" PRIx64 ", struct page "
			"%016" PRIx64 "\n", kt_page_kind_name(id->page_kind),
			id->base, id->offset, id->page);
		break;
	case KT_OWNER_PERCPU:
	case KT_OWNER_POISON:
	case KT_OWNER_PAGE_STRUCT:
		fprintf(fp, "%s+0x%" PRIx64 "\n", id->name, id->offset);
		break;
	default:
		// Nothing more than the reason to say.
		fprintf(fp, "%s\n", id->reason);
		return;
	}
	fprintf(fp, "%12s %s\n", "", id->reason);
}

static cJSON *id_json(struct kt_cmd_ctx *ctx, uint64_t addr,
		      const struct kt_owner_id *id)
{
	cJSON *o = cJSON_CreateObject();
	char frame[128];

	cJSON_AddStringToObject(o, "kind", kt_owner_kind_name(id->kind));
	if (*id->name)
		cJSON_AddStringToObject(o, "name", id->name);
	kt_json_add_addr(o, "base", id->base);
	kt_json_add_addr(o, "offset", id->offset);
	cJSON_AddNumberToObject(o, "size", (double)id->size);
	cJSON_AddStringToObject(o, "reason", id->reason);
	switch (id->kind) {
	case KT_OWNER_SLAB:
		kt_json_add_addr(o, "cache", id->cache);
		cJSON_AddStringToObject(o, "state", kt_slab_state_name(id->state));
		if (id->cpu >= 0)
			cJSON_AddNumberToObject(o, "cpu", id->cpu);
		if (id->freelist_pos >= 0)
			cJSON_AddNumberToObject(o, "freelist_position",
						(double)id->freelist_pos);
		if (*id->name2)
			cJSON_AddStringToObject(o, "aliases", id->name2);
		cJSON_AddBoolToObject(o, "in_padding", id->in_padding);
		kt_json_add_addr(o, "slab", id->page);
		if (id->task) {
			kt_json_add_addr(o, "task", id->task);
			cJSON_AddNumberToObject(o, "pid", id->pid);
		}
		break;
	case KT_OWNER_PAGE:
		cJSON_AddStringToObject(o, "page_kind",
					kt_page_kind_name(id->page_kind));
		cJSON_AddNumberToObject(o, "order", id->order);
		kt_json_add_addr(o, "page", id->page);
		break;
	case KT_OWNER_STACK:
		if (id->task)
			kt_json_add_addr(o, "task", id->task);
		if (id->pid >= 0)
			cJSON_AddNumberToObject(o, "pid", id->pid);
		if (id->cpu >= 0)
			cJSON_AddNumberToObject(o, "cpu", id->cpu);
		if (stack_frame(ctx->prog, id, addr, frame, sizeof(frame)))
			cJSON_AddStringToObject(o, "frame", frame);
		break;
	case KT_OWNER_SYMBOL:
		if (*id->name2)
			cJSON_AddStringToObject(o, "module", id->name2);
		break;
	case KT_OWNER_PERCPU:
		cJSON_AddNumberToObject(o, "cpu", id->cpu);
		break;
	default:
		break;
	}
	if (id->pfn)
		kt_json_add_addr(o, "pfn", id->pfn);
	return o;
}

static bool percpu_symbol(struct kt_program *prog, uint64_t addr)
{
	uint64_t start, end;

	return !kt_error_catch_any(kt_symbol_address(prog, "__per_cpu_start",
						     &start)) &&
	       !kt_error_catch_any(kt_symbol_address(prog, "__per_cpu_end",
						     &end)) &&
	       addr >= start && addr < end;
}

static void add_owner_json(struct kt_cmd_ctx *ctx, cJSON *arr,
			   const struct kt_owner *o)
{
	cJSON *a = cJSON_CreateObject(), *ids = cJSON_CreateArray();

	kt_json_add_addr(a, "address", o->addr);
	for (unsigned k = 0; k < o->n; k++)
		cJSON_AddItemToArray(ids, id_json(ctx, o->addr, &o->ids[k]));
	cJSON_AddItemToObject(a, "identities", ids);
	cJSON_AddItemToArray(arr, a);
}

static int kmem_percpu(struct kt_cmd_ctx *ctx, const char *name,
		       uint64_t off, cJSON *arr)
{
	if (!arr)
		fprintf(ctx->out, "%s: per-CPU variable at offset 0x%" PRIx64 "\n",
			name, off);
	for (unsigned cpu = 0; cpu < ctx->prog->nr_cpu_ids; cpu++) {
		struct kt_owner o;
		uint64_t base;
		struct kt_error *err = kt_percpu_offset(ctx->prog, cpu, &base);

		if (!err)
			err = kt_owner_identify(ctx->prog, base + off, &o);
		if (err)
			return kt_cmd_fail(ctx, "kmem", err);
		if (arr) {
			add_owner_json(ctx, arr, &o);
			continue;
		}
		fprintf(ctx->out, "%016" PRIx64 "  (CPU %u)\n", o.addr, cpu);
		for (unsigned k = 0; k < o.n; k++)
			print_id(ctx, o.addr, &o.ids[k]);
	}
	return 0;
}

static int kmem_addrs(struct kt_cmd_ctx *ctx, int argc, char **argv)
{
	cJSON *arr = ctx->json ? cJSON_CreateArray() : NULL;
	int ret = 0;

	for (int i = 0; i < argc; i++) {
		struct kt_owner o;
		uint64_t addr;
		char *end;
		struct kt_error *err;

		addr = strtoull(argv[i], &end, 16);
		if (*end || end == argv[i]) {
			err = kt_symbol_address(ctx->prog, argv[i], &addr);
			if (err) {
				ret = kt_cmd_fail(ctx, "kmem", err);
				continue;
			}
			// A per-CPU variable's symbol is an offset: show the
			// variable on every CPU.
			if (percpu_symbol(ctx->prog, addr)) {
				ret |= kmem_percpu(ctx, argv[i], addr, arr);
				continue;
			}
		}
		err = kt_owner_identify(ctx->prog, addr, &o);
		if (err) {
			ret = kt_cmd_fail(ctx, "kmem", err);
			continue;
		}
		if (arr) {
			add_owner_json(ctx, arr, &o);
			continue;
		}
		fprintf(ctx->out, "%016" PRIx64 "\n", addr);
		for (unsigned k = 0; k < o.n; k++)
			print_id(ctx, addr, &o.ids[k]);
	}
	if (arr) {
		cJSON *doc = cJSON_CreateObject();

		cJSON_AddStringToObject(doc, "command", "kmem");
		cJSON_AddItemToObject(doc, "addresses", arr);
		return kt_json_print(ctx, doc) | ret;
	}
	return ret;
}

static void size_str(uint64_t bytes, char *buf, size_t size)
{
	if (bytes >= (1 << 20) && !(bytes % (1 << 20)))
		snprintf(buf, size, "%" PRIu64 "m", bytes >> 20);
	else
		snprintf(buf, size, "%" PRIu64 "k", bytes >> 10);
}

static int kmem_caches(struct kt_cmd_ctx *ctx, const char *name)
{
	const struct kt_slab_cache_list *list;
	struct kt_error *err = kt_slab_caches(ctx->prog, &list);
	cJSON *arr = ctx->json ? cJSON_CreateArray() : NULL;
	bool found = false;

	if (err) {
		cJSON_Delete(arr);
		return kt_cmd_fail(ctx, "kmem", err);
	}
	if (!arr)
		fprintf(ctx->out, "%-16s %7s %10s %10s %6s %5s  %s\n", "CACHE",
			"OBJSIZE", "ALLOCATED", "TOTAL", "SLABS", "SSIZE", "NAME");
	for (unsigned i = 0; i < list->n; i++) {
		const struct kt_slab_cache *c = &list->caches[i];
		struct kt_slab_stats s;
		char ssize[24];

		if (name && strcmp(c->name, name) &&
		    kt_slab_cache_by_name(ctx->prog, name) != c)
			continue;
		found = true;
		err = kt_slab_cache_stats(ctx->prog, c, &s);
		if (err) {
			kt_cmd_fail(ctx, "kmem", kt_error_wrap(err, "%s", c->name));
			continue;
		}
		size_str(4096ULL << c->order, ssize, sizeof(ssize));
		if (arr) {
			cJSON *o = cJSON_CreateObject();

			kt_json_add_addr(o, "cache", c->addr);
			cJSON_AddStringToObject(o, "name", c->name);
			cJSON_AddNumberToObject(o, "object_size", (double)c->object_size);
			cJSON_AddNumberToObject(o, "size", (double)c->size);
			cJSON_AddNumberToObject(o, "allocated", (double)s.allocated);
			cJSON_AddNumberToObject(o, "total", (double)s.total);
			cJSON_AddNumberToObject(o, "slabs", (double)s.slabs);
			cJSON_AddNumberToObject(o, "slab_size", 4096.0 * (1u << c->order));
			cJSON_AddNumberToObject(o, "objects_per_slab", c->objects);
			cJSON_AddBoolToObject(o, "freelist_corrupt", s.corrupt);
			if (c->aliases)
				cJSON_AddStringToObject(o, "aliases", c->aliases);
			cJSON_AddItemToArray(arr, o);
			continue;
		}
		fprintf(ctx->out, "%016" PRIx64 " %7" PRIu64 " %10" PRIu64 " %10"
			PRIu64 " %6" PRIu64 " %5s  %s%s%s%s%s\n", c->addr,
			c->object_size, s.allocated, s.total, s.slabs, ssize,
			c->name, c->aliases ? " (merged: " : "",
			c->aliases ? c->aliases : "", c->aliases ? ")" : "",
			s.corrupt ? " [corrupt freelist]" : "");
	}
	if (list->warning)
		fprintf(ctx->err, "kmem: %s\n", list->warning);
	if (name && !found) {
		cJSON_Delete(arr);
		return kt_cmd_fail(ctx, "kmem", kt_error_create(KT_ERR_LOOKUP,
				   "no slab cache named '%s'", name));
	}
	if (arr) {
		cJSON *doc = cJSON_CreateObject();

		cJSON_AddStringToObject(doc, "command", "kmem -s");
		cJSON_AddItemToObject(doc, "caches", arr);
		return kt_json_print(ctx, doc);
	}
	return 0;
}

int kt_cmd_kmem(struct kt_cmd_ctx *ctx, int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "-s")) {
		if (argc > 3)
			return kt_cmd_usage(ctx, "kmem", kmem_usage);
		return kmem_caches(ctx, argc == 3 ? argv[2] : NULL);
	}
	if (argc < 2 || argv[1][0] == '-')
		return kt_cmd_usage(ctx, "kmem", kmem_usage);
	return kmem_addrs(ctx, argc - 1, argv + 1);
}
