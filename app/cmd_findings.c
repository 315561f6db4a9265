// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * findings and plugins: run the analyzers once per session (on first
 * need) and show what they found, with evidence and derivation, or which
 * ran, which were skipped and why, and how long each took.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/commands.h"
#include "core/owner.h"
#include "core/sanitize.h"
#include "db/case.h"
#include "db/store.h"
#include "plugins/plugin.h"

#define WIDTH 78
#define INDENT 10

struct kt_error *kt_cmd_analysis_opts(struct kt_cmd_ctx *ctx,
				      const struct kt_analysis_options *opts,
				      const struct kt_analysis **ret)
{
	struct kt_error *err;

	if (!ctx->analysis) {
		ctx->analysis = calloc(1, sizeof(*ctx->analysis));
		if (!ctx->analysis)
			return &kt_error_nomem;
		err = kt_analysis_run_opts(ctx->prog, NULL, ctx->plugins, opts,
					   ctx->analysis);
		// A cancelled run is not kept: the next need runs it all.
		if (!err && ctx->analysis->cancelled) {
			kt_analysis_deinit(ctx->analysis);
			err = kt_error_create(KT_ERR_STOP,
					      "analysis cancelled");
		}
		if (err) {
			free(ctx->analysis);
			ctx->analysis = NULL;
			return err;
		}
	}
	*ret = ctx->analysis;
	return NULL;
}

struct kt_error *kt_cmd_analysis(struct kt_cmd_ctx *ctx,
				 const struct kt_analysis **ret)
{
	return kt_cmd_analysis_opts(ctx, NULL, ret);
}

void kt_cmd_ctx_deinit(struct kt_cmd_ctx *ctx)
{
	if (ctx->analysis)
		kt_analysis_deinit(ctx->analysis);
	free(ctx->analysis);
	ctx->analysis = NULL;
	kt_case_close(ctx->kase);
	ctx->kase = NULL;
	kt_store_close(ctx->store);
	ctx->store = NULL;
	free(ctx->author);
	ctx->author = NULL;
}

/* @text sanitised, wrapped at WIDTH, every line indented by @indent. */
static void wrapped(FILE *fp, const char *text, int indent)
{
	size_t len = strlen(text), col = indent;
	char *s = malloc(KT_SANITIZED_SIZE(len)), *word, *p;

	if (!s)
		return;
	kt_sanitize(text, len, s, KT_SANITIZED_SIZE(len), false);
	fprintf(fp, "%*s", indent, "");
	for (p = s; (word = strsep(&p, " "));) {
		size_t w = strlen(word);

		if (!w)
			continue;
		if (col > (size_t)indent && col + 1 + w > WIDTH) {
			fprintf(fp, "\n%*s", indent, "");
			col = indent;
		} else if (col > (size_t)indent) {
			fputc(' ', fp);
			col++;
		}
		fputs(word, fp);
		col += w;
	}
	fputc('\n', fp);
	free(s);
}

static void raw(FILE *fp, const char *s)
{
	if (s)
		kt_out_raw(fp, s, strlen(s), false);
}

static void print_ref(struct kt_cmd_ctx *ctx, const struct kt_ref *r)
{
	FILE *fp = ctx->out;
	char owner[160];

	fprintf(fp, "%*s%-9s ", INDENT + 2, "", kt_ref_kind_name(r->kind));
	raw(fp, r->label);
	fputs(": ", fp);
	switch (r->kind) {
	case KT_REF_TASK:
		fprintf(fp, "pid %d task 0x%" PRIx64, r->pid, r->addr);
		break;
	case KT_REF_CPU:
		fprintf(fp, "cpu %d", r->cpu);
		break;
	case KT_REF_FRAME:
		fprintf(fp, "pid %d #%d ", r->pid, r->level);
		raw(fp, r->text);
		break;
	case KT_REF_ADDRESS:
		kt_owner_brief(ctx->prog, r->addr, owner, sizeof(owner));
		fprintf(fp, "0x%" PRIx64, r->addr);
		if (r->text) {
			fputs(" (", fp);
			raw(fp, r->text);
			fputc(')', fp);
		}
		if (owner[0])
			fprintf(fp, " %s", owner);
		break;
	case KT_REF_LOG:
		fprintf(fp, "log line %d: ", r->level);
		raw(fp, r->text);
		break;
	case KT_REF_REGISTER:
		raw(fp, r->text);
		fprintf(fp, " = 0x%" PRIx64, r->value);
		if (r->pid >= 0)
			fprintf(fp, " (pid %d frame #%d)", r->pid, r->level);
		break;
	}
	fputc('\n', fp);
}

static void print_finding(struct kt_cmd_ctx *ctx, const struct kt_finding *f,
			  bool verbose)
{
	FILE *fp = ctx->out;
	char sev[16];

	snprintf(sev, sizeof(sev), "%s", kt_severity_name(f->severity));
	for (char *c = sev; *c; c++)
		*c = *c - 'a' + 'A';
	fprintf(fp, "%-*s", INDENT, sev);
	raw(fp, f->title ? f->title : f->id);
	fprintf(fp, "\n%*sid: ", INDENT, "");
	raw(fp, f->id);
	fputc('\n', fp);
	if (f->explanation)
		wrapped(fp, f->explanation, INDENT);
	if (f->nrefs)
		fprintf(fp, "%*sevidence:\n", INDENT, "");
	for (size_t i = 0; i < f->nrefs; i++)
		print_ref(ctx, &f->refs[i]);
	if (verbose && f->nsteps) {
		fprintf(fp, "%*show it was found:\n", INDENT, "");
		for (size_t i = 0; i < f->nsteps; i++) {
			fprintf(fp, "%*s%2zu. ", INDENT + 2, "", i + 1);
			raw(fp, f->steps[i]);
			fputc('\n', fp);
		}
	}
	fputc('\n', fp);
}

static cJSON *ref_json(const struct kt_ref *r)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "kind", kt_ref_kind_name(r->kind));
	if (r->label)
		kt_json_add_raw(o, "label", r->label, strlen(r->label));
	if (r->kind == KT_REF_TASK || r->kind == KT_REF_FRAME ||
	    r->kind == KT_REF_ADDRESS)
		kt_json_add_addr(o, "address", r->addr);
	if (r->pid >= 0)
		cJSON_AddNumberToObject(o, "pid", r->pid);
	if (r->cpu >= 0)
		cJSON_AddNumberToObject(o, "cpu", r->cpu);
	if (r->level >= 0)
		cJSON_AddNumberToObject(o, r->kind == KT_REF_LOG ? "line" :
					"frame", r->level);
	if (r->kind == KT_REF_REGISTER)
		kt_json_add_addr(o, "value", r->value);
	if (r->text)
		kt_json_add_raw(o, r->kind == KT_REF_ADDRESS ? "type" :
				r->kind == KT_REF_REGISTER ? "register" :
				r->kind == KT_REF_FRAME ? "function" : "text",
				r->text, strlen(r->text));
	return o;
}

cJSON *kt_finding_json(const struct kt_finding *f)
{
	cJSON *o = cJSON_CreateObject(), *refs, *steps;

	kt_json_add_raw(o, "id", f->id, strlen(f->id));
	cJSON_AddStringToObject(o, "plugin", f->plugin);
	cJSON_AddStringToObject(o, "severity", kt_severity_name(f->severity));
	if (f->kind)
		cJSON_AddStringToObject(o, "kind", f->kind);
	kt_json_add_raw(o, "title", f->title ? f->title : "",
			f->title ? strlen(f->title) : 0);
	kt_json_add_raw(o, "explanation", f->explanation ? f->explanation : "",
			f->explanation ? strlen(f->explanation) : 0);
	refs = cJSON_AddArrayToObject(o, "evidence");
	for (size_t i = 0; refs && i < f->nrefs; i++)
		cJSON_AddItemToArray(refs, ref_json(&f->refs[i]));
	steps = cJSON_AddArrayToObject(o, "derivation");
	for (size_t i = 0; steps && i < f->nsteps; i++)
		cJSON_AddItemToArray(steps, cJSON_CreateString(f->steps[i]));
	return o;
}

/* A finding is shown when @want is NULL, its id, or its plugin's name. */
static bool wanted(const struct kt_finding *f, char **want, int nwant)
{
	if (!nwant)
		return true;
	for (int i = 0; i < nwant; i++)
		if (!strcmp(want[i], f->id) || !strcmp(want[i], f->plugin))
			return true;
	return false;
}

int kt_cmd_findings(struct kt_cmd_ctx *ctx, int argc, char **argv)
{
	static const char use[] = "findings [-v] [ID|PLUGIN]...";
	const struct kt_analysis *a;
	struct kt_error *err;
	bool verbose = false;
	size_t shown = 0;
	cJSON *doc = NULL, *arr = NULL;
	int c;

	optind = 0;
	while ((c = getopt(argc, argv, "v")) != -1) {
		if (c != 'v')
			return kt_cmd_usage(ctx, "findings", use);
		verbose = true;
	}
	err = kt_cmd_analysis(ctx, &a);
	if (err)
		return kt_cmd_fail(ctx, "findings", err);
	if (ctx->json) {
		doc = cJSON_CreateObject();
		cJSON_AddStringToObject(doc, "command", "findings");
		arr = cJSON_AddArrayToObject(doc, "findings");
	}
	for (size_t i = 0; i < a->findings.n; i++) {
		const struct kt_finding *f = &a->findings.v[i];

		if (!wanted(f, argv + optind, argc - optind))
			continue;
		shown++;
		if (arr)
			cJSON_AddItemToArray(arr, kt_finding_json(f));
		else
			print_finding(ctx, f, verbose);
	}
	if (doc)
		return kt_json_print(ctx, doc);
	if (!shown)
		fprintf(ctx->out, "no findings%s (see `plugins` for what "
			"ran)\n", argc > optind ? " match" : "");
	return 0;
}

int kt_cmd_plugins(struct kt_cmd_ctx *ctx, int argc, char **argv)
{
	const struct kt_analysis *a;
	struct kt_error *err = kt_cmd_analysis(ctx, &a);
	cJSON *doc, *arr;

	if (err)
		return kt_cmd_fail(ctx, "plugins", err);
	if (ctx->json) {
		doc = cJSON_CreateObject();
		cJSON_AddStringToObject(doc, "command", "plugins");
		cJSON_AddNumberToObject(doc, "seconds", a->seconds);
		arr = cJSON_AddArrayToObject(doc, "plugins");
		for (size_t i = 0; arr && i < a->nruns; i++) {
			const struct kt_plugin_run *r = &a->runs[i];
			cJSON *o = cJSON_CreateObject();

			cJSON_AddStringToObject(o, "name", r->name);
			cJSON_AddStringToObject(o, "summary", r->summary);
			kt_json_add_raw(o, "origin", r->origin,
					strlen(r->origin));
			cJSON_AddStringToObject(o, "status",
				kt_plugin_status_name(r->status));
			if (r->why)
				kt_json_add_raw(o, "why", r->why,
						strlen(r->why));
			cJSON_AddNumberToObject(o, "seconds", r->seconds);
			cJSON_AddNumberToObject(o, "findings", r->nfindings);
			cJSON_AddItemToArray(arr, o);
		}
		return kt_json_print(ctx, doc);
	}
	fprintf(ctx->out, "%-16s %-8s %8s %8s  %s\n", "PLUGIN", "STATUS",
		"TIME", "FINDINGS", "SUMMARY");
	for (size_t i = 0; i < a->nruns; i++) {
		const struct kt_plugin_run *r = &a->runs[i];

		fprintf(ctx->out, "%-16s %-8s %6.0fms %8zu  ", r->name,
			kt_plugin_status_name(r->status), r->seconds * 1e3,
			r->nfindings);
		raw(ctx->out, r->summary);
		fputc('\n', ctx->out);
		if (strcmp(r->origin, "built-in")) {
			fprintf(ctx->out, "%*sfrom ", 17, "");
			raw(ctx->out, r->origin);
			fputc('\n', ctx->out);
		}
		if (r->why) {
			fprintf(ctx->out, "%*s%s: ", 17, "",
				r->status == KT_PLUGIN_SKIPPED ? "skipped" :
				"failed");
			raw(ctx->out, r->why);
			fputc('\n', ctx->out);
		}
	}
	fprintf(ctx->out, "%zu plugins in %.0f ms\n", a->nruns,
		a->seconds * 1e3);
	return 0;
}
