// SPDX-License-Identifier: GPL-2.0-or-later
#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "app/commands.h"
#include "core/log.h"
#include "core/program.h"

#define USAGE "log [-t] [-m] [-c]"
/* printk_info.caller_id: a CPU number with this bit, else a thread id. */
#define CALLER_CPU 0x80000000u

struct log_opts {
	bool time, level, caller;
};

/*
 * As makedumpfile --dump-dmesg prints a record (1.7.5 on with the caller
 * id), and indents continuation lines under the text.
 */
static void print_record(FILE *fp, const struct kt_log_record *r,
			 const struct log_opts *o)
{
	const char *p = r->text, *end = r->text + r->len;
	int indent = 0;

	if (o->level && r->level >= 0)
		fprintf(fp, "<%d>", r->level);
	if (o->time)
		indent += fprintf(fp, "[%5" PRIu64 ".%06" PRIu64 "] ",
				  r->ts_nsec / 1000000000,
				  r->ts_nsec % 1000000000 / 1000);
	if (o->caller) {
		char id[16];

		snprintf(id, sizeof(id), "%c%u",
			 r->caller_id & CALLER_CPU ? 'C' : 'T',
			 r->caller_id & ~CALLER_CPU);
		indent += fprintf(fp, "[%8s] ", id);
	}
	for (;;) {
		const char *nl = memchr(p, '\n', end - p);

		kt_out_raw(fp, p, (nl ? nl : end) - p, false);
		fputc('\n', fp);
		if (!nl || nl + 1 >= end)
			break;
		p = nl + 1;
		fprintf(fp, "%*s", indent, "");
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
	struct log_opts o = { .time = true };
	const struct kt_log *log;
	struct kt_error *err;
	cJSON *doc = NULL;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt(argc, argv, "+tmc")) != -1) {
		if (c == 't')
			o.time = false;
		else if (c == 'm')
			o.level = true;
		else if (c == 'c')
			o.caller = true;
		else
			return kt_cmd_usage(ctx, "log", USAGE);
	}
	if (optind != argc)
		return kt_cmd_usage(ctx, "log", USAGE);
	// Levels cost a DWARF lookup: only when they are shown.
	err = o.level || ctx->json ? kt_log_load_levels(ctx->prog, &log)
				 : kt_log_load(ctx->prog, &log);
	if (err)
		return kt_cmd_fail(ctx, "log", err);
	if (ctx->json)
		doc = cJSON_CreateArray();
	for (size_t i = 0; i < log->n; i++) {
		if (doc)
			cJSON_AddItemToArray(doc, record_json(&log->recs[i]));
		else
			print_record(ctx->out, &log->recs[i], &o);
	}
	if (log->warning)
		fprintf(ctx->err, "ktriage: log: %s\n", log->warning);
	return doc ? kt_json_print(ctx, doc) : 0;
}
