// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * signature: the dump's failure signature (triage/signature.h), the key
 * under which the team's store groups the dumps of one bug.
 */
#include <string.h>

#include "app/commands.h"
#include "triage/signature.h"

struct kt_error *kt_cmd_signature_of(struct kt_cmd_ctx *ctx,
				     struct kt_signature *ret)
{
	const struct kt_analysis *a;
	struct kt_error *err = kt_cmd_analysis(ctx, &a);

	if (err)
		return err;
	return kt_signature_of(ctx->prog, &a->findings, ret);
}

cJSON *kt_signature_json(const struct kt_signature *s)
{
	cJSON *o = cJSON_CreateObject(), *parts, *frames;

	cJSON_AddStringToObject(o, "id", s->id);
	cJSON_AddStringToObject(o, "text", s->text);
	parts = cJSON_AddObjectToObject(o, "parts");
	cJSON_AddStringToObject(parts, "kind", s->kind);
	frames = cJSON_AddArrayToObject(parts, "frames");
	for (size_t i = 0; frames && i < s->nframes; i++)
		cJSON_AddItemToArray(frames, cJSON_CreateString(s->frames[i]));
	cJSON_AddStringToObject(parts, "module", s->module);
	cJSON_AddStringToObject(parts, "finding", s->finding);
	return o;
}

static void field(FILE *fp, const char *name, const char *value)
{
	fprintf(fp, "%10s: ", name);
	kt_out_raw(fp, value, strlen(value), false);
	fputc('\n', fp);
}

int kt_cmd_signature(struct kt_cmd_ctx *ctx, int argc, char **argv)
{
	struct kt_signature s;
	struct kt_error *err;
	char frames[KT_SIG_FRAMES * 100] = "";

	if (argc > 1)
		return kt_cmd_usage(ctx, "signature", "signature");
	err = kt_cmd_signature_of(ctx, &s);
	if (err)
		return kt_cmd_fail(ctx, "signature", err);
	if (ctx->json)
		return kt_json_print(ctx, kt_signature_json(&s));
	for (size_t i = 0; i < s.nframes; i++) {
		if (i)
			strcat(frames, " < ");
		strcat(frames, s.frames[i]);
	}
	field(ctx->out, "SIGNATURE", s.id);
	field(ctx->out, "KIND", s.kind);
	field(ctx->out, "FRAMES", frames);
	field(ctx->out, "MODULE", s.module[0] ? s.module : "(the kernel)");
	field(ctx->out, "FINDING", s.finding[0] ? s.finding : "(none)");
	return 0;
}
