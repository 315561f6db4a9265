// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "app/commands.h"
#include "core/module.h"
#include "core/program.h"
#include "core/sanitize.h"

static bool parse_addr(const char *s, uint64_t *ret)
{
	char *end;

	errno = 0;
	*ret = strtoull(s, &end, 16);
	return !errno && *s && !*end;
}

static cJSON *hit_json(uint64_t addr, const struct kt_symbol_hit *h)
{
	cJSON *o = cJSON_CreateObject();
	char mod[KT_SANITIZED_SIZE(64)];

	kt_json_add_addr(o, "address", addr);
	cJSON_AddStringToObject(o, "name", h->name);
	kt_json_add_addr(o, "start", h->addr);
	cJSON_AddNumberToObject(o, "offset", h->offset);
	cJSON_AddStringToObject(o, "type", (char[]){ h->type, 0 });
	if (h->module) {
		kt_sanitize(h->module, 64, mod, sizeof(mod), false);
		cJSON_AddStringToObject(o, "module", mod);
	} else {
		cJSON_AddNullToObject(o, "module");
	}
	return o;
}

static void print_hit(FILE *fp, uint64_t addr, const struct kt_symbol_hit *h)
{
	char name[KT_SANITIZED_SIZE(256)], mod[KT_SANITIZED_SIZE(64)];

	kt_sanitize(h->name, strlen(h->name), name, sizeof(name), false);
	fprintf(fp, "%016" PRIx64 " (%c) %s", addr, h->type, name);
	if (h->offset)
		fprintf(fp, "+%" PRIu64, h->offset);
	if (h->module) {
		kt_sanitize(h->module, 64, mod, sizeof(mod), false);
		fprintf(fp, " [%s]", mod);
	}
	fputc('\n', fp);
}

static struct kt_error *sym_one(struct kt_cmd_ctx *ctx, const char *arg,
				cJSON *doc)
{
	struct kt_symbol_hit hit;
	uint64_t addr;

	if (kt_error_catch_any(kt_symbol_address(ctx->prog, arg, &addr))) {
		if (!parse_addr(arg, &addr))
			return kt_error_create(KT_ERR_LOOKUP,
					       "%s: no such symbol", arg);
	}
	if (!kt_symbol_lookup(ctx->prog, addr, &hit))
		return kt_error_create(KT_ERR_LOOKUP,
				       "%016" PRIx64 ": no symbol contains it",
				       addr);
	if (doc)
		cJSON_AddItemToArray(doc, hit_json(addr, &hit));
	else
		print_hit(ctx->out, addr, &hit);
	return NULL;
}

int kt_cmd_sym(struct kt_cmd_ctx *ctx, int argc, char **argv)
{
	const struct kt_module_list *mods;
	struct kt_error *err;
	cJSON *doc = NULL;
	int ret = 0;

	if (argc < 2)
		return kt_cmd_usage(ctx, "sym", "sym NAME|ADDR...");
	// Module symbols take part; a dump whose module list cannot be read
	// still answers for vmlinux.
	err = kt_modules_load(ctx->prog, &mods);
	kt_error_destroy(err);
	if (ctx->json)
		doc = cJSON_CreateArray();
	for (int i = 1; i < argc; i++) {
		err = sym_one(ctx, argv[i], doc);
		if (err)
			ret |= kt_cmd_fail(ctx, "sym", err);
	}
	return doc ? kt_json_print(ctx, doc) | ret : ret;
}
