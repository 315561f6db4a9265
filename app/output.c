// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/*
 * Every string of a document, sanitised in place: a command word, a case
 * file's text or a plugin's title put in as it came. cJSON escapes C0
 * controls, not DEL, C1 controls or bytes that are not UTF-8. False when
 * memory ran out.
 */
static bool json_sanitize(cJSON *item)
{
	for (; item; item = item->next) {
		char *clean;

		if (item->string && kt_sanitize_needed(item->string, true)) {
			if (!(clean = kt_sanitize_dup(item->string, true)))
				return false;
			if (!(item->type & cJSON_StringIsConst))
				free(item->string);
			item->type &= ~cJSON_StringIsConst;
			item->string = clean;
		}
		if (cJSON_IsString(item) && item->valuestring &&
		    kt_sanitize_needed(item->valuestring, true)) {
			if (!(clean = kt_sanitize_dup(item->valuestring, true)))
				return false;
			free(item->valuestring);
			item->valuestring = clean;
		}
		if (!json_sanitize(item->child))
			return false;
	}
	return true;
}

int kt_json_print(struct kt_cmd_ctx *ctx, cJSON *doc)
{
	char *text;

	if (!doc || !json_sanitize(doc) || !(text = cJSON_Print(doc))) {
		cJSON_Delete(doc);
		fprintf(ctx->err, "ktriage: out of memory\n");
		return 1;
	}
	fprintf(ctx->out, "%s\n", text);
	free(text);
	cJSON_Delete(doc);
	return 0;
}

void kt_out_error(FILE *fp, const char *what, const char *message)
{
	fputs("ktriage: ", fp);
	if (what) {
		kt_out_raw(fp, what, strlen(what), false);
		fputs(": ", fp);
	}
	kt_out_raw(fp, message, strlen(message), false);
	fputc('\n', fp);
}

int kt_cmd_fail(struct kt_cmd_ctx *ctx, const char *cmd, struct kt_error *err)
{
	// @cmd may be the user's line itself ("no such command").
	kt_out_error(ctx->err, cmd, err->message);
	if (ctx->json) {
		cJSON *doc = cJSON_CreateObject();

		kt_json_add_raw(doc, "command", cmd, strlen(cmd));
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

void kt_out_date(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!t || !gmtime_r(&tt, &tm))
		snprintf(buf, len, "-");
	else
		strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
}
