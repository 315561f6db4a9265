// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>
#include <string.h>

#include "app/commands.h"
#include "core/module.h"
#include "core/program.h"
#include "core/sanitize.h"

int kt_cmd_mod(struct kt_cmd_ctx *ctx, int argc, char **argv)
{
	const struct kt_module_list *list;
	struct kt_error *err;
	cJSON *doc = NULL;

	if (argc > 1)
		return kt_cmd_usage(ctx, "mod", "mod");
	err = kt_modules_load(ctx->prog, &list);
	if (err)
		return kt_cmd_fail(ctx, "mod", err);
	if (ctx->json)
		doc = cJSON_CreateArray();
	else
		fprintf(ctx->out, "     MODULE       NAME                        "
			"BASE           SIZE  DEBUGINFO\n");
	for (unsigned i = 0; i < list->n; i++) {
		const struct kt_module *m = &list->mods[i];
		char name[KT_SANITIZED_SIZE(sizeof(m->name))];

		kt_sanitize(m->name, sizeof(m->name), name, sizeof(name), false);
		if (doc) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddStringToObject(o, "name", name);
			kt_json_add_addr(o, "module", m->addr);
			kt_json_add_addr(o, "base", m->base);
			cJSON_AddNumberToObject(o, "size", m->size);
			cJSON_AddNumberToObject(o, "symbols", m->symtab.nsyms);
			if (m->debuginfo)
				cJSON_AddStringToObject(o, "debuginfo",
							m->debuginfo);
			else
				cJSON_AddNullToObject(o, "debuginfo");
			cJSON_AddStringToObject(o, "build_id", m->build_id);
			if (m->warning)
				kt_json_add_raw(o, "warning", m->warning,
						strlen(m->warning));
			cJSON_AddItemToArray(doc, o);
			continue;
		}
		fprintf(ctx->out, "%016" PRIx64 "  %-22s  %016" PRIx64
			"  %7" PRIu64 "  %s\n", m->addr, name, m->base, m->size,
			m->debuginfo ? m->debuginfo : "(no debuginfo)");
		if (m->warning) {
			fprintf(ctx->err, "ktriage: mod: %s: ", name);
			kt_out_raw(ctx->err, m->warning, strlen(m->warning),
				   false);
			fputc('\n', ctx->err);
		}
	}
	if (list->warning)
		fprintf(ctx->err, "ktriage: mod: module list incomplete: %s\n",
			list->warning);
	return doc ? kt_json_print(ctx, doc) : 0;
}
