// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The case report as one cJSON document, "ktriage-report" version 1
 * (docs/report-format.md): identity, what crashed, the panic task's
 * backtrace, findings with evidence, notes with every revision, verdicts.
 * Nothing volatile (no paths, times of the run or durations) and every
 * list in a fixed order, so reports of one case diff cleanly. Both
 * writers, JSON and HTML, render this one document.
 */
#include <stdlib.h>
#include <string.h>

#include "app/commands.h"
#include "app/report.h"
#include "core/program.h"
#include "core/sysinfo.h"
#include "core/task.h"
#include "db/case.h"
#include "plugins/plugin.h"
#include "triage/signature.h"

#define REPORT_VERSION 1

static cJSON *summary_json(struct kt_cmd_ctx *ctx, const struct kt_sysinfo *s)
{
	cJSON *o = cJSON_CreateObject();

	kt_json_add_raw(o, "release", s->release, sizeof(s->release));
	kt_json_add_raw(o, "panic", s->panic, sizeof(s->panic));
	if (s->panic_cause[0])
		kt_json_add_raw(o, "cause", s->panic_cause,
				sizeof(s->panic_cause));
	if (s->crash_time_known)
		cJSON_AddNumberToObject(o, "crash_time", (double)s->crash_time);
	cJSON_AddNumberToObject(o, "panic_pid", s->panic_pid);
	kt_json_add_raw(o, "panic_comm", s->panic_comm, sizeof(s->panic_comm));
	kt_json_add_addr(o, "panic_task", s->panic_task);
	cJSON_AddNumberToObject(o, "panic_cpu", s->panic_cpu);
	return o;
}

static cJSON *backtrace_json(struct kt_cmd_ctx *ctx, uint64_t task)
{
	const struct kt_task_list *tl;
	struct kt_error *err = kt_tasks_load(ctx->prog, &tl);
	cJSON *o = NULL;

	for (size_t i = 0; !err && i < tl->n && !o; i++)
		if (tl->tasks[i].addr == task)
			o = kt_cmd_trace_json(ctx, &tl->tasks[i], &err);
	if (err) {
		o = cJSON_CreateObject();
		kt_json_add_raw(o, "error", err->message, strlen(err->message));
		kt_error_destroy(err);
	}
	return o ? o : cJSON_CreateNull();
}

/* Notes, verdicts and tags from the case, when there is one. */
static struct kt_error *add_case(struct kt_cmd_ctx *ctx, cJSON *doc)
{
	struct kt_case *c;
	struct kt_error *err;
	char *text;
	cJSON *exp;
	static const char *const keys[] = { "notes", "verdicts", "tags" };

	err = kt_cmd_case(ctx, &c);
	if (!err)
		err = kt_case_export(c, &text);
	if (err)
		return err;
	exp = cJSON_Parse(text);
	free(text);
	if (!exp)
		return &kt_error_nomem;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		cJSON_AddItemToObject(doc, keys[i],
			cJSON_DetachItemFromObject(exp, keys[i]));
	cJSON_Delete(exp);
	return NULL;
}

cJSON *kt_report_build(struct kt_cmd_ctx *ctx, struct kt_error **err)
{
	const struct kt_analysis *a;
	struct kt_case_identity id;
	struct kt_signature sig;
	struct kt_sysinfo s;
	cJSON *doc, *o, *arr;

	*err = kt_case_identity(ctx->prog, &id);
	if (!*err)
		*err = kt_sysinfo_load(ctx->prog, &s);
	if (*err)
		return NULL;
	doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "format", "ktriage-report");
	cJSON_AddNumberToObject(doc, "version", REPORT_VERSION);
	o = cJSON_AddObjectToObject(doc, "identity");
	cJSON_AddStringToObject(o, "dump_id", id.dump_id);
	kt_json_add_raw(o, "release", id.release, strlen(id.release));
	kt_json_add_raw(o, "build_id", id.build_id, strlen(id.build_id));
	cJSON_AddNumberToObject(o, "crash_time", (double)id.crash_time);
	kt_json_add_raw(o, "vmlinux", ctx->prog->identity.verdict,
			strlen(ctx->prog->identity.verdict));
	cJSON_AddItemToObject(doc, "summary", summary_json(ctx, &s));
	cJSON_AddItemToObject(doc, "backtrace",
			      backtrace_json(ctx, s.panic_task));
	kt_sysinfo_deinit(&s);
	*err = kt_cmd_analysis(ctx, &a);
	if (*err) {
		cJSON_Delete(doc);
		return NULL;
	}
	arr = cJSON_AddArrayToObject(doc, "findings");
	for (size_t i = 0; arr && i < a->findings.n; i++)
		cJSON_AddItemToArray(arr, kt_finding_json(&a->findings.v[i]));
	*err = kt_signature_of(ctx->prog, &a->findings, &sig);
	if (*err) {
		cJSON_Delete(doc);
		return NULL;
	}
	cJSON_AddItemToObject(doc, "signature", kt_signature_json(&sig));
	arr = cJSON_AddArrayToObject(doc, "plugins");
	for (size_t i = 0; arr && i < a->nruns; i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", a->runs[i].name);
		cJSON_AddStringToObject(o, "status",
			kt_plugin_status_name(a->runs[i].status));
		if (a->runs[i].why)
			kt_json_add_raw(o, "why", a->runs[i].why,
					strlen(a->runs[i].why));
		cJSON_AddItemToArray(arr, o);
	}
	*err = add_case(ctx, doc);
	if (*err) {
		cJSON_Delete(doc);
		return NULL;
	}
	return doc;
}
