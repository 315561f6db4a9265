// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The hung_tasks plugin against drgn on every shared dump.
 *
 * tests/expected/NAME.hung_tasks.json (tests/oracle/hung_tasks.py) lists
 * drgn's D-state tasks with last_arrival and their CPU's rq->clock, the
 * wait point (first frame outside the __sched text), the file found in
 * the frames' variables and its block device. ktriage must raise one
 * finding per such task, with the same task, wait point, blocked time,
 * file and disk; warning or worse only where a task really hangs
 * (nbd-orphan-hung), and the hung-task detector's verdict must agree with
 * what the kernel printed.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/task.h"
#include "plugins/plugin.h"
#include "tests/helpers.h"

static const char *step(const struct kt_finding *f, const char *prefix)
{
	for (size_t i = 0; i < f->nsteps; i++)
		if (!strncmp(f->steps[i], prefix, strlen(prefix)))
			return f->steps[i];
	return NULL;
}

static const struct kt_finding *finding_of(const struct kt_findings *fs,
					   cJSON *task)
{
	char id[64];

	snprintf(id, sizeof(id), "hung_tasks:0x%" PRIx64, kt_test_hex(kt_test_get(task, "task")));
	return kt_findings_find(fs, id);
}

/* One drgn D task against its finding. */
static void check_task(const struct kt_finding *f, cJSON *t)
{
	const struct kt_ref *r = kt_test_ref(f, "blocked task");
	const char *s = step(f, "blocked ");
	uint64_t ns = kt_test_get(t, "rq_clock")->valuedouble -
		      kt_test_get(t, "last_arrival")->valuedouble;
	char want[64];

	cr_assert_not_null(r);
	cr_assert_eq(r->pid, kt_test_get(t, "pid")->valueint);
	cr_assert(strstr(f->title, kt_test_get(t, "comm")->valuestring), "%s", f->title);
	// The blocked time from the same two clocks drgn read.
	cr_assert_not_null(s);
	snprintf(want, sizeof(want), "blocked %" PRIu64 " ns", ns);
	cr_assert(!strncmp(s, want, strlen(want)), "%s, drgn %s", s, want);
	// drgn's wait point: the first frame outside the __sched text.
	r = kt_test_ref(f, "wait point");
	cr_assert_not_null(r);
	cr_assert(!strncmp(r->text, kt_test_get(t, "wait_point")->valuestring,
			   strlen(kt_test_get(t, "wait_point")->valuestring)),
		  "%s, drgn %s", r->text, kt_test_get(t, "wait_point")->valuestring);
	if (!kt_test_get(t, "file")) {
		// rmmod's stack holds a stale busybox file from its exec
		cr_assert_null(kt_test_ref(f, "file"), "%s", f->title);
		return;
	}
	r = kt_test_ref(f, "file");
	cr_assert_not_null(r, "%s: no file", f->title);
	cr_assert_eq(r->addr, kt_test_hex(kt_test_get(t, "file")));
	cr_assert_eq(kt_test_ref(f, "inode")->addr, kt_test_hex(kt_test_get(t, "inode")));
	if (!kt_test_get(t, "bdev"))
		return;
	cr_assert_eq(kt_test_ref(f, "block device")->addr, kt_test_hex(kt_test_get(t, "bdev")));
	cr_assert(strstr(f->title, kt_test_get(t, "disk")->valuestring), "%s", f->title);
}

ParameterizedTestParameters(plugin_hung_tasks, drgn_d_tasks)
{
	KT_DUMP_PARAMS();
}

/* One finding per drgn D task, nothing else; warning only where hung. */
ParameterizedTest(struct kt_dump_param *d, plugin_hung_tasks, drgn_d_tasks)
{
	struct kt_program *prog = kt_test_open(d->name);
	char file[96];
	cJSON *exp, *t;
	struct kt_findings out;
	size_t n = 0, warned = 0;

	snprintf(file, sizeof(file), "%s.hung_tasks", d->name);
	exp = kt_test_expected(file);
	kt_test_run_plugin(prog, "hung_tasks", &out);
	cJSON_ArrayForEach(t, kt_test_get(exp, "d_tasks")) {
		const struct kt_finding *f = finding_of(&out, t);

		cr_assert_not_null(f, "%s: no finding for pid %d", d->name,
				   kt_test_get(t, "pid")->valueint);
		check_task(f, t);
		n++;
	}
	cr_assert_eq(out.n, n, "%s: %zu findings, drgn has %zu D tasks",
		     d->name, out.n, n);
	for (size_t i = 0; i < out.n; i++)
		warned += out.v[i].severity >= KT_SEV_WARNING;
	if (!strcmp(kt_test_scenario(d->name), "nbd-orphan-hung"))
		cr_assert_eq(warned, 2);
	else
		cr_assert_eq(warned, 0, "%s: %s", d->name,
			     out.n ? out.v[0].title : "");
	kt_findings_deinit(&out);
	cJSON_Delete(exp);
	kt_program_destroy(prog);
}

/*
 * nbd-orphan-hung: blkid reads nbd0 and waits for the page (killable, so
 * the hung-task detector skips it: no "blocked for more than" line in the
 * log); dd waits in lseek for nbd0's bdev inode lock, which blkid holds
 * for reading, and the detector reported it.
 */
Test(plugin_hung_tasks, nbd_orphan_chain)
{
	struct kt_program *prog = kt_test_open("nbd-orphan-hung");
	cJSON *exp = kt_test_expected("nbd-orphan-hung.hung_tasks");
	char *path = kt_test_dump_path("nbd-orphan-hung", ".dmesg.txt");
	char *dmesg = kt_test_slurp(path, NULL);
	const struct kt_finding *blkid = NULL, *dd = NULL;
	struct kt_findings out;
	cJSON *t;

	cr_assert_not_null(dmesg);
	kt_test_run_plugin(prog, "hung_tasks", &out);
	cJSON_ArrayForEach(t, kt_test_get(exp, "d_tasks")) {
		if (!strcmp(kt_test_get(t, "comm")->valuestring, "blkid"))
			blkid = finding_of(&out, t);
		if (!strcmp(kt_test_get(t, "comm")->valuestring, "dd")) {
			dd = finding_of(&out, t);
			cr_assert_not_null(dd);
			cr_assert_eq(kt_test_ref(dd, "lock")->addr, kt_test_hex(kt_test_get(t, "rwsem")));
			cr_assert_eq(kt_test_ref(dd, "lock owner")->addr,
				     kt_test_hex(kt_test_get(t, "rwsem_owner")));
		}
	}
	cr_assert_not_null(blkid);
	cr_assert_not_null(dd);
	cr_assert_eq(kt_test_ref(dd, "lock owner")->pid, kt_test_ref(blkid, "blocked task")->pid);
	cr_assert(strstr(blkid->explanation, "does not report it"));
	cr_assert(strstr(dmesg, "INFO: task dd:128 blocked for more than"));
	cr_assert_null(strstr(dmesg, "INFO: task blkid"));
	cr_assert_null(strstr(dd->explanation, "does not report it"));
	cr_assert(strstr(blkid->title, "folio_wait_bit_common on nbd0"), "%s",
		  blkid->title);
	kt_findings_deinit(&out);
	free(dmesg);
	free(path);
	cJSON_Delete(exp);
	kt_program_destroy(prog);
}

/* An unreadable last_arrival: the finding says so, no warning, no abort. */
Test(plugin_hung_tasks, unreadable_clock)
{
	struct kt_program *prog = kt_test_open("nbd-orphan-hung");
	const struct kt_task_list *tl;
	const struct kt_task *t;
	struct kt_findings out;
	const struct kt_finding *f;
	uint64_t off;
	char id[64];

	cr_assert_null(kt_tasks_load(prog, &tl));
	t = kt_task_by_pid(tl, 128);
	cr_assert_not_null(t);
	cr_assert_null(kt_type_member_offset(prog, "struct task_struct",
					     "sched_info.last_arrival", &off));
	cr_assert_null(kt_dump_patch(prog->dump, t->addr + off, NULL, 8,
				     KT_FAULT_EXCLUDED));
	kt_test_run_plugin(prog, "hung_tasks", &out);
	snprintf(id, sizeof(id), "hung_tasks:0x%" PRIx64, t->addr);
	f = kt_findings_find(&out, id);
	cr_assert_not_null(f);
	cr_assert_eq(f->severity, KT_SEV_INFO);
	cr_assert(strstr(f->title, "for an unknown time"), "%s", f->title);
	kt_findings_deinit(&out);
	kt_program_destroy(prog);
}
