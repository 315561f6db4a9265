// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "app/output.h"
#include "core/program.h"
#include "core/sanitize.h"

void kt_out_raw(FILE *fp, const char *raw, size_t len, bool keep_newlines)
{
	char small[256];
	char *buf = small;
	size_t size = KT_SANITIZED_SIZE(len);

	if (size > sizeof(small)) {
		buf = malloc(size);
		if (!buf)
			return;
	}
	kt_sanitize(raw, len, buf, size, keep_newlines);
	fputs(buf, fp);
	if (buf != small)
		free(buf);
}

cJSON *kt_json_add_raw(cJSON *obj, const char *key, const char *raw,
		       size_t len)
{
	size_t size = KT_SANITIZED_SIZE(len);
	char *buf = malloc(size);
	cJSON *item;

	if (!buf)
		return NULL;
	kt_sanitize(raw, len, buf, size, true);
	item = cJSON_AddStringToObject(obj, key, buf);
	free(buf);
	return item;
}

cJSON *kt_json_add_addr(cJSON *obj, const char *key, uint64_t addr)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%016" PRIx64, addr);
	return cJSON_AddStringToObject(obj, key, buf);
}

int kt_json_print(struct kt_cmd_ctx *ctx, cJSON *doc)
{
	char *text;

	if (!doc || !(text = cJSON_Print(doc))) {
		cJSON_Delete(doc);
		fprintf(ctx->err, "ktriage: out of memory\n");
		return 1;
	}
	fprintf(ctx->out, "%s\n", text);
	free(text);
	cJSON_Delete(doc);
	return 0;
}

int kt_cmd_fail(struct kt_cmd_ctx *ctx, const char *cmd, struct kt_error *err)
{
	fprintf(ctx->err, "ktriage: %s: ", cmd);
	kt_out_raw(ctx->err, err->message, strlen(err->message), false);
	fputc('\n', ctx->err);
	if (ctx->json) {
		cJSON *doc = cJSON_CreateObject();

		cJSON_AddStringToObject(doc, "command", cmd);
		kt_json_add_raw(doc, "error", err->message,
				strlen(err->message));
		kt_json_print(ctx, doc);
	}
	kt_error_destroy(err);
	return 1;
}

int kt_cmd_usage(struct kt_cmd_ctx *ctx, const char *cmd, const char *usage)
{
	return kt_cmd_fail(ctx, cmd, kt_error_create(KT_ERR_INVALID,
						     "usage: %s", usage));
}

void kt_out_symbol_dec(struct kt_program *prog, uint64_t addr, char *buf,
		       size_t size)
{
	char name[KT_SANITIZED_SIZE(128)];
	struct kt_symbol_hit h;

	*buf = 0;
	if (addr < KT_START_KERNEL_MAP || !kt_symbol_lookup(prog, addr, &h))
		return;
	kt_sanitize(h.name, strlen(h.name), name, sizeof(name), false);
	if (h.offset)
		snprintf(buf, size, "%.200s+%" PRIu64, name, h.offset);
	else
		snprintf(buf, size, "%.200s", name);
}
