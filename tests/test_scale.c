// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The many-tasks dump (the recipe's scale scenario on the 6.1 kernel: a
 * 1 GiB guest with 2,000 threads of manytasks in mixed states, ktscale's
 * kthreads behind one mutex, 20,000 kmalloc'd records and 5,000 files on
 * tmpfs): the task walks, foreach and the analyzers at scale, against what
 * the guest itself counted before it crashed.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/program.h"
#include "core/files.h"
#include "core/task.h"
#include "tests/helpers.h"
#include "views/views.h"

#define DUMP "6.1/many-tasks"

static struct kt_run run(const char *cmd)
{
	char *path = kt_test_dump_path(DUMP, ".kdump");
	char *mods = kt_test_moddir(DUMP);
	const char *argv[] = { path, kt_test_vmlinux(DUMP), "-m", mods,
			       "-c", cmd, NULL };
	struct kt_run r;

	cr_assert(!access(path, R_OK), "no %s: scripts/test.sh makes it "
		  "(tests/vmcores/regen.sh, SCENARIOS=many-tasks)", path);
	r = kt_test_run(argv);
	free(path);
	free(mods);
	cr_assert_eq(r.status, 0, "%s: %s", cmd, r.err);
	return r;
}

/* The count the guest logged: "many-tasks: N tasks in /proc". */
static int proc_count(void)
{
	char *path = kt_test_dump_path(DUMP, ".dmesg.txt");
	FILE *f = fopen(path, "r");
	char line[512];
	int n = -1;

	cr_assert_not_null(f, "%s", path);
	while (fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, "many-tasks: ");

		if (p && strstr(p, " tasks in /proc"))
			n = atoi(p + strlen("many-tasks: "));
	}
	fclose(f);
	free(path);
	cr_assert_gt(n, 2000, "no task count in the guest's log");
	return n;
}

static int count(const char *s, const char *what)
{
	int n = 0;

	for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

/* ps's rows whose state column is @st (the header's "ST  COMM" aside). */
static int in_state(const char *ps, const char *st)
{
	char col[8];

	snprintf(col, sizeof(col), "  %s  ", st);
	return count(ps, col) - !strcmp(st, "ST");
}

/*
 * Every task: /proc's count when the guest logged it, less the ls, wc and
 * shell of that count (gone by the crash), plus the two CPUs' idle tasks
 * (not in /proc). States as manytasks and ktscale made them: 4 stopped
 * processes of 50 threads, 4 zombies, ktscale's holder and its 16
 * waiters in D state.
 */
Test(scale, ps_lists_every_task_in_its_state, .timeout = 120)
{
	struct kt_run r = run("ps");
	int rows = count(r.out, "\n") - 1, want = proc_count();

	cr_expect(rows >= want - 4 && rows <= want + 2,
		  "ps: %d tasks; the guest counted %d in /proc", rows, want);
	cr_expect_eq(in_state(r.out, "ST"), 200);
	cr_expect_eq(in_state(r.out, "ZO"), 4);
	cr_expect_eq(in_state(r.out, "UN"), 17);
	cr_expect_eq(count(r.out, "[kt_scale_w"), 16);
	// 40 processes of 50 threads, and the 4 zombies
	cr_expect_eq(count(r.out, " manytasks\n"), 40 * 50 + 4);
	kt_run_free(&r);
}

/* A backtrace for every task, none of them an error. */
Test(scale, foreach_bt_unwinds_every_task, .timeout = 300)
{
	struct kt_run p = run("ps");
	struct kt_run r = run("foreach bt");
	int tasks = count(p.out, "\n") - 1;

	cr_expect_eq(count(r.out, "PID: "), tasks);
	cr_expect_eq(count(r.out, "#0 "), tasks, "a task without frame #0");
	cr_expect_eq(count(r.out, "cannot"), 0, "%s", r.out);
	// the waiters' stacks: mutex_lock under their thread function
	cr_expect_geq(count(r.out, "kt_scale_waiter"), 16);
	kt_run_free(&p);
	kt_run_free(&r);
}

/* Each manytasks process's own file, in every one of its threads' tables. */
Test(scale, foreach_files_has_every_process_file, .timeout = 300)
{
	struct kt_run r = run("foreach files");

	for (int i = 0; i < 40; i++) {
		char path[64];

		snprintf(path, sizeof(path), " REG  /tmp/kt/proc-%d\n", i);
		// the stopped and the running threads alike (the
		// zombie's leader has no table)
		cr_expect_geq(count(r.out, path), 40, "%s", path);
	}
	cr_expect_eq(count(r.out, "left unread"), 0);
	kt_run_free(&r);
}

/* ktscale's 20,000 records of 96 bytes are in kmalloc-96. */
Test(scale, kmem_s_counts_the_records, .timeout = 120)
{
	struct kt_run r = run("kmem -s");
	const char *l = strstr(r.out, " kmalloc-96\n");
	unsigned long objsize = 0, alloc = 0, total = 0;

	cr_assert_not_null(l, "%s", r.out);
	while (l > r.out && l[-1] != '\n')
		l--;
	cr_assert_eq(sscanf(l, "%*x %lu %lu %lu", &objsize, &alloc, &total),
		     3, "%.80s", l);
	cr_expect_eq(objsize, 96);
	cr_expect_geq(alloc, 20000);
	cr_expect_leq(alloc, total);
	kt_run_free(&r);
}

/* lock_chain: the 16 waiters behind the one holder, as one chain. */
Test(scale, lock_chain_finds_the_waiters_behind_the_holder, .timeout = 300)
{
	struct kt_run r = run("findings");

	cr_expect(strstr(r.out, "16 task(s) blocked behind kt_scale_holder "
			 "(pid "), "%s", r.out);
	cr_expect(strstr(r.out, "holds mutex kt_scale_lock [ktscale]"), "%s",
		  r.out);
	kt_run_free(&r);
}

/*
 * The workbench's tasks view holds every task, and its name filter takes a
 * part of a name or a glob of the whole, as crash's ps does.
 */
Test(scale, tasks_view_filters_by_part_or_glob, .timeout = 120)
{
	struct kt_program *prog = kt_test_open(DUMP);
	const struct kt_task_list *list;
	struct kt_task_filter flt = { .cpu = -1 };
	struct kt_rows rows = { 0 };

	cr_assert_null(kt_tasks_load(prog, &list));
	kt_view_tasks(prog, &flt, &rows);
	cr_expect_eq(rows.n, list->n + 1, "a heading and every task");
	kt_rows_clear(&rows);
	snprintf(flt.name, sizeof(flt.name), "KT_SCALE");
	kt_view_tasks(prog, &flt, &rows);
	cr_expect_eq(rows.n, 1 + 17, "the holder and its 16 waiters");
	kt_rows_clear(&rows);
	snprintf(flt.name, sizeof(flt.name), "kt_scale_w*");
	kt_view_tasks(prog, &flt, &rows);
	cr_expect_eq(rows.n, 1 + 16, "the waiters");
	kt_rows_clear(&rows);
	snprintf(flt.name, sizeof(flt.name), "*_w1?");
	kt_view_tasks(prog, &flt, &rows);
	cr_expect_eq(rows.n, 1 + 6, "kt_scale_w10 to kt_scale_w15");
	kt_rows_deinit(&rows);
	kt_program_destroy(prog);
}

/*
 * The threads of one process share their fd table: foreach files reads it
 * once and copies it, and the copy is what reading it again gives.
 */
Test(scale, shared_fd_table_is_read_once_and_the_same, .timeout = 120)
{
	struct kt_program *prog = kt_test_open(DUMP);
	const struct kt_task_list *list;
	struct kt_files a = { 0 }, b, c;
	const struct kt_task *t = NULL, *u = NULL;
	size_t copies = 0, pipes = 0;

	cr_assert_null(kt_tasks_load(prog, &list));
	for (size_t i = 0; i < list->n; i++) {
		if (strncmp(list->tasks[i].comm, "manytasks", 10) ||
		    strcmp(list->tasks[i].st, "IN"))
			continue;
		if (!t)
			t = &list->tasks[i];
		else if (list->tasks[i].tgid == t->tgid && !u)
			u = &list->tasks[i];
	}
	cr_assert(t && u, "two threads of one manytasks process");
	cr_assert_null(kt_files_load(prog, t->addr, &a));
	cr_assert_null(kt_files_load_reuse(prog, u->addr, &a, &b));
	cr_assert_null(kt_files_load(prog, u->addr, &c));
	cr_expect_eq(b.task, u->addr);
	cr_expect_eq(b.files, c.files);
	cr_expect_eq(b.n, c.n);
	cr_expect_eq(b.n, 10, "the console thrice, a pipe's two ends, a "
		     "socketpair, a datagram socket, /dev/null and its file");
	cr_expect_str_eq(b.cwd, c.cwd);
	for (size_t i = 0; i < b.n && i < c.n; i++) {
		cr_expect_eq(b.v[i].file, c.v[i].file);
		cr_expect_str_eq(b.v[i].path ? b.v[i].path : "",
				 c.v[i].path ? c.v[i].path : "");
		copies += b.v[i].path != c.v[i].path;
	}
	cr_expect_eq(copies, b.n, "the copy owns its paths");
	// a pipe's end is named as /proc/PID/fd names it, by its inode
	for (size_t i = 0; i < c.n; i++) {
		uint64_t off, ino;
		char want[64];

		if (c.v[i].type != KT_FILE_FIFO)
			continue;
		cr_assert_null(kt_type_member_offset(prog, "struct inode",
						     "i_ino", &off));
		cr_assert_null(kt_read_u64(prog, c.v[i].inode + off, &ino));
		snprintf(want, sizeof(want), "pipe:[%llu]",
			 (unsigned long long)ino);
		cr_expect_str_eq(c.v[i].path, want);
		pipes++;
	}
	cr_expect_eq(pipes, 2, "the two ends of its pipe");
	kt_files_deinit(&a);
	kt_files_deinit(&b);
	kt_files_deinit(&c);
	kt_program_destroy(prog);
}
