// SPDX-License-Identifier: GPL-2.0-or-later
/* `ps` against drgn on every shared dump. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>

#include "core/task.h"
#include "tests/helpers.h"

static int field(cJSON *t, const char *name)
{
	cJSON *x = cJSON_GetObjectItemCaseSensitive(t, name);

	cr_assert_not_null(x, "expected task has no %s", name);
	return x->valueint;
}

ParameterizedTestParameters(tasks, agree_with_drgn)
{
	KT_DUMP_PARAMS();
}

/* drgn's list plus each CPU's idle task, which crash's ps also shows. */
ParameterizedTest(struct kt_dump_param *p, tasks, agree_with_drgn)
{
	struct kt_program *prog = kt_test_open(p->name);
	cJSON *exp = kt_test_expected(p->name), *t;
	const struct kt_task_list *list;
	size_t nexp = 0;

	cr_assert_null(kt_tasks_load(prog, &list));
	cr_expect_null(list->warning);
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(exp, "tasks")) {
		const char *addr = cJSON_GetObjectItemCaseSensitive(t, "task")->valuestring;
		const struct kt_task *k =
			kt_task_by_addr(list, strtoull(addr, NULL, 16));

		nexp++;
		cr_assert_not_null(k, "%s: task %s (pid %d) missing", p->name,
				   addr, field(t, "pid"));
		cr_expect_eq(k->pid, field(t, "pid"));
		cr_expect_eq(k->tgid, field(t, "tgid"));
		cr_expect_eq(k->ppid, field(t, "real_parent_pid"),
			     "%s pid %d", p->name, k->pid);
		cr_expect_eq(k->cpu, field(t, "cpu"), "%s pid %d", p->name,
			     k->pid);
		cr_expect_str_eq(k->comm,
				 cJSON_GetObjectItemCaseSensitive(t, "comm")->valuestring);
		cr_expect_str_eq(k->st,
				 cJSON_GetObjectItemCaseSensitive(t, "state")->valuestring,
				 "%s pid %d", p->name, k->pid);
		cr_expect_eq(k->active, cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t,
			     "is_current")), "%s pid %d", p->name, k->pid);
		cr_expect_eq(k->idle, cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t,
			     "idle")));
	}
	cr_expect_eq(list->n, nexp, "%s: %zu tasks, drgn+idle %zu", p->name,
		     list->n, nexp);
	cJSON_Delete(exp);
	kt_program_destroy(prog);
}

Test(tasks, nbd_readers_are_in_D_state)
{
	struct kt_program *prog = kt_test_open("nbd-orphan-hung");
	const struct kt_task_list *list;
	int found = 0;

	cr_assert_null(kt_tasks_load(prog, &list));
	for (size_t i = 0; i < list->n; i++) {
		const struct kt_task *t = &list->tasks[i];

		if (!strcmp(t->comm, "blkid") || !strcmp(t->comm, "dd")) {
			cr_expect_str_eq(t->st, "UN", "%s", t->comm);
			found++;
		}
	}
	cr_expect_eq(found, 2);
	cr_expect_not_null(kt_task_by_pid(list, 128));
	cr_expect_str_eq(kt_task_by_pid(list, 128)->comm, "dd");
	kt_program_destroy(prog);
}

Test(tasks, every_cpu_has_one_active_task)
{
	struct kt_program *prog = kt_test_open("irq-lock");
	const struct kt_task_list *list;
	int active[2] = { 0 };

	cr_assert_null(kt_tasks_load(prog, &list));
	for (size_t i = 0; i < list->n; i++) {
		if (list->tasks[i].active)
			active[list->tasks[i].cpu]++;
		if (list->tasks[i].active && list->tasks[i].cpu == 1)
			cr_expect_str_eq(list->tasks[i].comm, "kt_merge_peer");
		if (list->tasks[i].active && list->tasks[i].cpu == 0)
			cr_expect_str_eq(list->tasks[i].comm, "kt_merge");
	}
	cr_expect(active[0] == 1 && active[1] == 1);
	kt_program_destroy(prog);
}

Test(tasks, ps_json_fields)
{
	char *dump = kt_test_dump_path("nbd-orphan-hung", ".kdump");
	const char *argv[] = { dump, kt_test_env("KT_VMLINUX"), "--json",
			       "-c", "ps dd", NULL };
	struct kt_run r = kt_test_run(argv);
	cJSON *doc = cJSON_Parse(r.out), *t;

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(cJSON_IsArray(doc) && cJSON_GetArraySize(doc) == 1, "%s",
		  r.out);
	t = cJSON_GetArrayItem(doc, 0);
	cr_expect_eq(cJSON_GetObjectItemCaseSensitive(t, "pid")->valueint, 128);
	cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(t, "state")->valuestring, "UN");
	cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(t, "comm")->valuestring, "dd");
	cr_expect(!strncmp(cJSON_GetObjectItemCaseSensitive(t, "task")->valuestring, "0x",
			   2));
	cr_expect_not_null(cJSON_GetObjectItemCaseSensitive(t, "ppid"));
	cr_expect_not_null(cJSON_GetObjectItemCaseSensitive(t, "cpu"));
	cr_expect(cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(t, "active")));
	cJSON_Delete(doc);
	kt_run_free(&r);
	free(dump);
}
