// SPDX-License-Identifier: GPL-2.0-or-later
#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "app/commands.h"
#include "core/log.h"
#include "core/program.h"

/* makedumpfile --dump-dmesg indents continuation lines under the text. */
#define CONT_INDENT "               "

static void print_record(FILE *fp, const struct kt_log_record *r, bool time,
			 bool level)
{
	const char *p = r->text, *end = r->text + r->len;

	if (level && r->level >= 0)
		fprintf(fp, "<%d>", r->level);
	if (time)
		fprintf(fp, "[%5" PRIu64 ".%06" PRIu64 "] ",
			r->ts_nsec / 1000000000, r->ts_nsec % 1000000000 / 1000);
	for (;;) {
		const char *nl = memchr(p, '\n', end - p);

		kt_out_raw(fp, p, (nl ? nl : end) - p, false);
		fputc('\n', fp);
		if (!nl || nl + 1 >= end)
			break;
		p = nl + 1;
		if (time)
			fputs(CONT_INDENT, fp);
	}
}

static cJSON *record_json(const struct kt_log_record *r)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "seq", r->seq);
	cJSON_AddNumberToObject(o, "ts_nsec", r->ts_nsec);
	if (r->level >= 0)
		cJSON_AddNumberToObject(o, "level", r->level);
	else
		cJSON_AddNullToObject(o, "level");
	cJSON_AddNumberToObject(o, "caller_id", r->caller_id);
	kt_json_add_raw(o, "text", r->text, r->len);
	return o;
}

int kt_cmd_log(struct kt_cmd_ctx *ctx, int argc, char **argv)
{
	bool time = true, level = false;
	const struct kt_log *log;
	struct kt_error *err;
	cJSON *doc = NULL;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt(argc, argv, "+tm")) != -1) {
		if (c == 't')
			time = false;
		else if (c == 'm')
			level = true;
		else
			return kt_cmd_usage(ctx, "log", "log [-t] [-m]");
	}
	if (optind != argc)
		return kt_cmd_usage(ctx, "log", "log [-t] [-m]");
	// Levels cost a DWARF lookup: only when they are shown.
	err = level || ctx->json ? kt_log_load_levels(ctx->prog, &log)
				 : kt_log_load(ctx->prog, &log);
	if (err)
		return kt_cmd_fail(ctx, "log", err);
	if (ctx->json)
		doc = cJSON_CreateArray();
	for (size_t i = 0; i < log->n; i++) {
		if (doc)
			cJSON_AddItemToArray(doc, record_json(&log->recs[i]));
		else
			print_record(ctx->out, &log->recs[i], time, level);
	}
	if (log->warning)
		fprintf(ctx->err, "ktriage: log: %s\n", log->warning);
	return doc ? kt_json_print(ctx, doc) : 0;
}
