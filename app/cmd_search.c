// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * search: crash's `search`, over all memory the dump holds, in parallel.
 * Each hit is printed as crash prints it, "ADDR: VALUE", plus who owns
 * the address.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "app/commands.h"
#include "core/mm.h"
#include "core/owner.h"
#include "core/program.h"
#include "core/search.h"
#include "core/vmalloc.h"

#define SEARCH_USAGE "search [-k|-u|-p] [-t PID] [-w|-h] [-m MASK] " \
		     "[-j THREADS] [-l LIMIT] [-v] VALUE"
#define DEFAULT_LIMIT 1000

static bool parse_u64(const char *s, int base, uint64_t *ret)
{
	char *end;

	errno = 0;
	*ret = strtoull(s, &end, base);
	return !errno && *s && !*end && *s != '-';
}

static int parse_opts(struct kt_cmd_ctx *ctx, int argc, char **argv,
		      struct kt_search_options *o, bool *verbose)
{
	uint64_t v;
	int c;

	*o = (struct kt_search_options){ .width = 8, .pid = -1,
					 .limit = DEFAULT_LIMIT };
	optind = 0;
	opterr = 0;
	while ((c = getopt(argc, argv, "+kupt:whm:j:l:v")) != -1) {
		if (c == 'k')
			o->mode = KT_SEARCH_KERNEL;
		else if (c == 'u')
			o->mode = KT_SEARCH_USER;
		else if (c == 'p')
			o->mode = KT_SEARCH_PHYS;
		else if (c == 't' && parse_u64(optarg, 10, &v) && v < 1U << 30)
			o->pid = v;
		else if (c == 'w')
			o->width = 4;
		else if (c == 'h')
			o->width = 2;
		else if (c == 'm' && parse_u64(optarg, 16, &v))
			o->mask = v;
		else if (c == 'j' && parse_u64(optarg, 10, &v) && v <= 256)
			o->threads = v;
		else if (c == 'l' && parse_u64(optarg, 10, &v))
			o->limit = v;
		else if (c == 'v')
			*verbose = true;
		else
			return kt_cmd_usage(ctx, "search", SEARCH_USAGE);
	}
	if (optind != argc - 1)
		return kt_cmd_usage(ctx, "search", SEARCH_USAGE);
	if (o->pid >= 0 && o->mode != KT_SEARCH_USER)
		return kt_cmd_fail(ctx, "search", kt_error_create(KT_ERR_INVALID,
				   "-t PID picks the task of a user search (-u)"));
	// A value is hex, as in crash, or a symbol's address.
	if (!parse_u64(argv[optind], 16, &o->value) &&
	    kt_error_catch_any(kt_symbol_address(ctx->prog, argv[optind],
						 &o->value)))
		return kt_cmd_fail(ctx, "search", kt_error_create(KT_ERR_INVALID,
				   "%s: not a hex value or a symbol",
				   argv[optind]));
	return 0;
}

/* Who owns a hit's address; for vmalloc, its area's caller as fallback. */
static void owner_of(struct kt_cmd_ctx *ctx, const struct kt_search_hit *h,
		     char *buf, size_t size)
{
	const struct kt_vmalloc *vm;
	char caller[128];

	const struct kt_mm *mm;
	uint64_t addr = h->addr;

	*buf = 0;
	// A user address says nothing of its owner by itself; a physical
	// one is owned through its page, which the direct map reaches.
	if (h->space == KT_SPACE_USER)
		return;
	if (h->space == KT_SPACE_PHYS) {
		if (kt_error_catch_any(kt_mm_get(ctx->prog, &mm)))
			return;
		addr = kt_mm_pfn_to_virt(mm, addr >> 12) + (addr & 0xfff);
	}
	kt_owner_brief(ctx->prog, addr, buf, size);
	if (*buf || h->space != KT_SPACE_VMALLOC ||
	    kt_error_catch_any(kt_vmalloc_load(ctx->prog, &vm)) ||
	    h->area >= vm->n)
		return;
	kt_vmalloc_caller_str(ctx->prog, &vm->areas[h->area], caller,
			      sizeof(caller));
	snprintf(buf, size, "vmalloc:%s", caller);
}

static void print_text(struct kt_cmd_ctx *ctx,
		       const struct kt_search_options *o,
		       const struct kt_search_result *r, bool verbose)
{
	char owner[256];

	for (size_t i = 0; i < r->n; i++) {
		const struct kt_search_hit *h = &r->hits[i];

		owner_of(ctx, h, owner, sizeof(owner));
		fprintf(ctx->out, "%" PRIx64 ": %0*" PRIx64 "%s%s\n", h->addr,
			(int)o->width * 2, h->value, *owner ? "  " : "",
			owner);
	}
	if (r->more)
		fprintf(ctx->out, "%s%" PRIu64 " more hit%s not shown (-l 0 "
			"shows all)\n", r->more_is_minimum ? "at least " : "",
			r->more, r->more == 1 ? "" : "s");
	if (r->cancelled)
		fprintf(ctx->out, "search cancelled: %" PRIu64 " pages "
			"scanned\n", r->pages_scanned);
	if (o->mode == KT_SEARCH_USER && r->user_pages_present < r->user_pages)
		fprintf(ctx->out, "pid %d: %" PRIu64 " of its %" PRIu64
			" user pages are in the dump; the rest were "
			"excluded when it was taken\n", r->pid,
			r->user_pages_present, r->user_pages);
	if (r->pages_unreadable)
		fprintf(ctx->out, "%" PRIu64 " pages the dump holds could not "
			"be read\n", r->pages_unreadable);
	if (verbose)
		fprintf(ctx->err, "search: %" PRIu64 " pages (%.1f MB) in "
			"%.3f s on %u thread%s: %.2f GB/s (%s)\n",
			r->pages_scanned, r->pages_scanned * 4096 / 1e6,
			r->seconds, r->threads, r->threads == 1 ? "" : "s",
			r->seconds > 0 ?
			r->pages_scanned * 4096 / 1e9 / r->seconds : 0,
			r->direct ? "kdump pages read directly" :
				    "read through libkdumpfile");
}

static cJSON *hit_json(struct kt_cmd_ctx *ctx, const struct kt_search_hit *h)
{
	cJSON *o = cJSON_CreateObject();
	char owner[256];

	owner_of(ctx, h, owner, sizeof(owner));
	kt_json_add_addr(o, "address", h->addr);
	kt_json_add_addr(o, "value", h->value);
	cJSON_AddStringToObject(o, "space", kt_search_space_name(h->space));
	kt_json_add_addr(o, "paddr", h->paddr);
	cJSON_AddNumberToObject(o, "pfn", h->paddr >> 12);
	cJSON_AddNumberToObject(o, "page_offset", h->paddr & 4095);
	if (*owner)
		cJSON_AddStringToObject(o, "owner", owner);
	else
		cJSON_AddNullToObject(o, "owner");
	return o;
}

static cJSON *result_json(struct kt_cmd_ctx *ctx,
			  const struct kt_search_options *o,
			  const struct kt_search_result *r)
{
	static const char *const modes[] = { "kernel", "user", "phys" };
	cJSON *doc = cJSON_CreateObject(), *hits;

	cJSON_AddStringToObject(doc, "command", "search");
	kt_json_add_addr(doc, "value", o->value);
	kt_json_add_addr(doc, "mask", o->mask);
	cJSON_AddNumberToObject(doc, "width", o->width);
	cJSON_AddStringToObject(doc, "mode", modes[o->mode]);
	hits = cJSON_AddArrayToObject(doc, "hits");
	for (size_t i = 0; i < r->n; i++)
		cJSON_AddItemToArray(hits, hit_json(ctx, &r->hits[i]));
	cJSON_AddNumberToObject(doc, "more", r->more);
	cJSON_AddBoolToObject(doc, "more_is_minimum", r->more_is_minimum);
	cJSON_AddBoolToObject(doc, "cancelled", r->cancelled);
	cJSON_AddNumberToObject(doc, "pages_scanned", r->pages_scanned);
	cJSON_AddNumberToObject(doc, "pages_unreadable", r->pages_unreadable);
	cJSON_AddNumberToObject(doc, "threads", r->threads);
	cJSON_AddNumberToObject(doc, "seconds", r->seconds);
	if (o->mode == KT_SEARCH_USER) {
		cJSON *u = cJSON_AddObjectToObject(doc, "user");

		cJSON_AddNumberToObject(u, "pid", r->pid);
		kt_json_add_addr(u, "task", r->task);
		cJSON_AddNumberToObject(u, "pages", r->user_pages);
		cJSON_AddNumberToObject(u, "pages_present",
					r->user_pages_present);
	}
	return doc;
}

int kt_cmd_search(struct kt_cmd_ctx *ctx, int argc, char **argv)
{
	struct kt_search_options o;
	struct kt_search_result r;
	struct kt_error *err;
	bool verbose = false;
	int ret;

	ret = parse_opts(ctx, argc, argv, &o, &verbose);
	if (ret)
		return ret;
	// The workbench runs a search on a thread it can cancel and watch.
	o.cancel = ctx->cancel;
	o.progress = ctx->progress;
	o.progress_arg = ctx->progress_arg;
	err = kt_search(ctx->prog, &o, &r);
	if (err)
		return kt_cmd_fail(ctx, "search", err);
	if (ctx->json)
		ret = kt_json_print(ctx, result_json(ctx, &o, &r));
	else
		print_text(ctx, &o, &r, verbose);
	kt_search_result_deinit(&r);
	return ret;
}
