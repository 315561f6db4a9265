// SPDX-License-Identifier: GPL-2.0-or-later
/* The tasks view: crash's ps, filtered and sorted. */
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/sanitize.h"
#include "core/task.h"
#include "views/views.h"

static int cmp_tasks(const void *a, const void *b, void *arg)
{
	const struct kt_task *x = *(const struct kt_task *const *)a;
	const struct kt_task *y = *(const struct kt_task *const *)b;
	enum kt_task_sort sort_key = *(const enum kt_task_sort *)arg;
	int c = 0;

	if (sort_key == KT_SORT_STATE)
		c = strcmp(x->st, y->st);
	else if (sort_key == KT_SORT_CPU)
		c = x->cpu - y->cpu;
	else if (sort_key == KT_SORT_COMM)
		c = strncmp(x->comm, y->comm, KT_TASK_COMM_LEN);
	return c ? c : x->pid - y->pid;
}

/* Is @st one of @states ("UN,RU", separated by commas or spaces)? */
static bool state_in(const char *st, const char *states)
{
	size_t n;

	for (const char *p = states; *p; p += n) {
		p += strspn(p, ", ");
		n = strcspn(p, ", ");
		if (n && n == strlen(st) && !strncasecmp(p, st, n))
			return true;
	}
	return false;
}

static bool passes(const struct kt_task *t, const struct kt_task_filter *flt,
		   const char *comm)
{
	if (*flt->state && !state_in(t->st, flt->state))
		return false;
	if (flt->cpu >= 0 && t->cpu != flt->cpu)
		return false;
	if (!*flt->name)
		return true;
	// a glob ("kt_scale_w*", "kworker/?:*") matches the whole name, as
	// crash's ps takes them; anything else is a part of it
	if (strpbrk(flt->name, "*?["))
		return !fnmatch(flt->name, comm, FNM_CASEFOLD);
	return strcasestr(comm, flt->name);
}

void kt_view_tasks(struct kt_program *prog, const struct kt_task_filter *flt,
		   struct kt_rows *rows)
{
	const struct kt_task_list *list;
	const struct kt_task **v;
	char comm[KT_SANITIZED_SIZE(KT_TASK_COMM_LEN)];
	struct kt_error *err = kt_tasks_load(prog, &list);
	size_t n = 0;

	if (err) {
		kt_rows_add_raw(rows, KT_ROLE_ERROR, "tasks: ", err->message,
				strlen(err->message));
		kt_error_destroy(err);
		return;
	}
	kt_rows_add(rows, KT_ROLE_TITLE, "   PID    PPID  CPU       TASK        "
		    "ST  COMM");
	v = malloc(list->n * sizeof(*v) + 1);
	for (size_t i = 0; v && i < list->n; i++) {
		const struct kt_task *t = &list->tasks[i];

		kt_sanitize(t->comm, KT_TASK_COMM_LEN, comm, sizeof(comm),
			    false);
		if (passes(t, flt, comm))
			v[n++] = t;
	}
	if (v)
		qsort_r(v, n, sizeof(*v), cmp_tasks, (void *)&flt->sort);
	for (size_t i = 0; i < n; i++) {
		const struct kt_task *t = v[i];
		struct kt_row *r;

		kt_sanitize(t->comm, KT_TASK_COMM_LEN, comm, sizeof(comm),
			    false);
		r = kt_rows_add(rows, t->active ? KT_ROLE_ERROR :
				!strcmp(t->st, "UN") ? KT_ROLE_WARNING :
				KT_ROLE_TEXT, "%c%5d %7d %4d  %016" PRIx64
				"  %-2s  %s%s%s", t->active ? '>' : ' ', t->pid,
				t->ppid, t->cpu, t->addr, t->st,
				t->kthread ? "[" : "", comm,
				t->kthread ? "]" : "");
		if (r) {
			r->link.kind = KT_LINK_TASK;
			r->link.addr = t->addr;
			r->link.pid = t->pid;
		}
	}
	if (list->warning)
		kt_rows_add_raw(rows, KT_ROLE_WARNING, "warning: ",
				list->warning, strlen(list->warning));
	free(v);
}
