// SPDX-License-Identifier: GPL-2.0-or-later
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "app/commands.h"
#include "core/program.h"
#include "core/sanitize.h"
#include "core/task.h"

#define PS_USAGE "ps [-k|-u] [PID|COMM]..."

struct ps_filter {
	bool kthreads, user;
	char **names;
	int nnames;
};

static bool matches(const struct ps_filter *f, const struct kt_task *t)
{
	if (f->kthreads && !(t->kthread || t->idle))
		return false;
	if (f->user && (t->kthread || t->idle))
		return false;
	if (!f->nnames)
		return true;
	for (int i = 0; i < f->nnames; i++) {
		char *end;
		long pid = strtol(f->names[i], &end, 10);

		if (!*end && pid == t->pid)
			return true;
		if (*end && !strncmp(f->names[i], t->comm, KT_TASK_COMM_LEN))
			return true;
	}
	return false;
}

static void print_task(FILE *fp, const struct kt_task *t)
{
	char comm[KT_SANITIZED_SIZE(KT_TASK_COMM_LEN)];

	kt_sanitize(t->comm, KT_TASK_COMM_LEN, comm, sizeof(comm), false);
	fprintf(fp, "%c %6d %6d %3d  %016" PRIx64 "  %s  %s%s%s\n",
		t->active ? '>' : ' ', t->pid, t->ppid, t->cpu, t->addr, t->st,
		t->kthread || t->idle ? "[" : "", comm,
		t->kthread || t->idle ? "]" : "");
}

static cJSON *task_json(const struct kt_task *t)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "pid", t->pid);
	cJSON_AddNumberToObject(o, "tgid", t->tgid);
	cJSON_AddNumberToObject(o, "ppid", t->ppid);
	cJSON_AddNumberToObject(o, "cpu", t->cpu);
	kt_json_add_addr(o, "task", t->addr);
	cJSON_AddStringToObject(o, "state", t->st);
	kt_json_add_raw(o, "comm", t->comm, KT_TASK_COMM_LEN);
	cJSON_AddBoolToObject(o, "active", t->active);
	cJSON_AddBoolToObject(o, "idle", t->idle);
	cJSON_AddBoolToObject(o, "kthread", t->kthread);
	return o;
}

static int parse(struct kt_cmd_ctx *ctx, int argc, char **argv,
		 struct ps_filter *f)
{
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt(argc, argv, "+ku")) != -1) {
		switch (c) {
		case 'k':
			f->kthreads = true;
			break;
		case 'u':
			f->user = true;
			break;
		default:
			return kt_cmd_usage(ctx, "ps", PS_USAGE);
		}
	}
	if (f->kthreads && f->user)
		return kt_cmd_usage(ctx, "ps", PS_USAGE);
	f->names = argv + optind;
	f->nnames = argc - optind;
	return 0;
}

int kt_cmd_ps(struct kt_cmd_ctx *ctx, int argc, char **argv)
{
	const struct kt_task_list *list;
	struct ps_filter f = { 0 };
	struct kt_error *err;
	cJSON *doc = NULL;

	if (parse(ctx, argc, argv, &f))
		return 1;
	err = kt_tasks_load(ctx->prog, &list);
	if (err)
		return kt_cmd_fail(ctx, "ps", err);
	if (ctx->json)
		doc = cJSON_CreateArray();
	else
		fprintf(ctx->out, "     PID   PPID CPU        TASK         ST  COMM\n");
	for (size_t i = 0; i < list->n; i++) {
		if (!matches(&f, &list->tasks[i]))
			continue;
		if (doc)
			cJSON_AddItemToArray(doc, task_json(&list->tasks[i]));
		else
			print_task(ctx->out, &list->tasks[i]);
	}
	if (list->warning) {
		fprintf(ctx->err, "ktriage: ps: task list incomplete: ");
		kt_out_raw(ctx->err, list->warning, strlen(list->warning),
			   false);
		fputc('\n', ctx->err);
	}
	return doc ? kt_json_print(ctx, doc) : 0;
}
