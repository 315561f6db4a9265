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

static cJSON *get(cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static uint64_t hex(cJSON *o)
{
	cr_assert(cJSON_IsString(o));
	return strtoull(o->valuestring, NULL, 16);
}

/* With KT_SHOW set, print the findings: for looking at them by hand. */
static void show(const struct kt_findings *out)
{
	for (size_t i = 0; getenv("KT_SHOW") && i < out->n; i++) {
		const struct kt_finding *f = &out->v[i];

		fprintf(stderr, "%s [%s] %s\n  %s\n", f->id,
			kt_severity_name(f->severity), f->title, f->explanation);
		for (size_t k = 0; k < f->nrefs; k++)
			fprintf(stderr, "  ref %s \"%s\" pid %d addr 0x%" PRIx64
				" %s\n", kt_ref_kind_name(f->refs[k].kind),
				f->refs[k].label, f->refs[k].pid,
				f->refs[k].addr,
				f->refs[k].text ? f->refs[k].text : "");
		for (size_t k = 0; k < f->nsteps; k++)
			fprintf(stderr, "  - %s\n", f->steps[k]);
	}
}

static void run(struct kt_program *prog, struct kt_findings *out)
{
	const struct kt_plugin *p = kt_plugin_find("hung_tasks");
	struct timespec t0, t1;
	char why[256];

	cr_assert_not_null(p);
	cr_assert_null(kt_plugin_check(p, prog, why, sizeof(why)), "%s", why);
	memset(out, 0, sizeof(*out));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cr_assert_null(p->run(prog, out));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (getenv("KT_SHOW"))
		fprintf(stderr, "%s: %.3f s\n", p->name, t1.tv_sec -
			t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	cr_assert_not(out->nomem);
	show(out);
}

static const struct kt_ref *ref(const struct kt_finding *f, const char *label)
{
	for (size_t i = 0; i < f->nrefs; i++)
		if (!strcmp(f->refs[i].label, label))
			return &f->refs[i];
	return NULL;
}

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

	snprintf(id, sizeof(id), "hung_tasks:0x%" PRIx64, hex(get(task, "task")));
	return kt_findings_find(fs, id);
}

/* One drgn D task against its finding. */
static void check_task(const struct kt_finding *f, cJSON *t)
{
	const struct kt_ref *r = ref(f, "blocked task");
	const char *s = step(f, "blocked ");
	uint64_t ns = get(t, "rq_clock")->valuedouble -
		      get(t, "last_arrival")->valuedouble;
	char want[64];

	cr_assert_not_null(r);
	cr_assert_eq(r->pid, get(t, "pid")->valueint);
	cr_assert(strstr(f->title, get(t, "comm")->valuestring), "%s", f->title);
	// The blocked time from the same two clocks drgn read.
	cr_assert_not_null(s);
	snprintf(want, sizeof(want), "blocked %" PRIu64 " ns", ns);
	cr_assert(!strncmp(s, want, strlen(want)), "%s, drgn %s", s, want);
	// drgn's wait point: the first frame outside the __sched text.
	r = ref(f, "wait point");
	cr_assert_not_null(r);
	cr_assert(!strncmp(r->text, get(t, "wait_point")->valuestring,
			   strlen(get(t, "wait_point")->valuestring)),
		  "%s, drgn %s", r->text, get(t, "wait_point")->valuestring);
	if (!get(t, "file")) {
		// rmmod's stack holds a stale busybox file from its exec
		cr_assert_null(ref(f, "file"), "%s", f->title);
		return;
	}
	r = ref(f, "file");
	cr_assert_not_null(r, "%s: no file", f->title);
	cr_assert_eq(r->addr, hex(get(t, "file")));
	cr_assert_eq(ref(f, "inode")->addr, hex(get(t, "inode")));
	if (!get(t, "bdev"))
		return;
	cr_assert_eq(ref(f, "block device")->addr, hex(get(t, "bdev")));
	cr_assert(strstr(f->title, get(t, "disk")->valuestring), "%s", f->title);
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
	run(prog, &out);
	cJSON_ArrayForEach(t, get(exp, "d_tasks")) {
		const struct kt_finding *f = finding_of(&out, t);

		cr_assert_not_null(f, "%s: no finding for pid %d", d->name,
				   get(t, "pid")->valueint);
		check_task(f, t);
		n++;
	}
	cr_assert_eq(out.n, n, "%s: %zu findings, drgn has %zu D tasks",
		     d->name, out.n, n);
	for (size_t i = 0; i < out.n; i++)
		warned += out.v[i].severity >= KT_SEV_WARNING;
	if (!strcmp(d->name, "nbd-orphan-hung"))
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
	run(prog, &out);
	cJSON_ArrayForEach(t, get(exp, "d_tasks")) {
		if (!strcmp(get(t, "comm")->valuestring, "blkid"))
			blkid = finding_of(&out, t);
		if (!strcmp(get(t, "comm")->valuestring, "dd")) {
			dd = finding_of(&out, t);
			cr_assert_not_null(dd);
			cr_assert_eq(ref(dd, "lock")->addr, hex(get(t, "rwsem")));
			cr_assert_eq(ref(dd, "lock owner")->addr,
				     hex(get(t, "rwsem_owner")));
		}
	}
	cr_assert_not_null(blkid);
	cr_assert_not_null(dd);
	cr_assert_eq(ref(dd, "lock owner")->pid, ref(blkid, "blocked task")->pid);
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
	run(prog, &out);
	snprintf(id, sizeof(id), "hung_tasks:0x%" PRIx64, t->addr);
	f = kt_findings_find(&out, id);
	cr_assert_not_null(f);
	cr_assert_eq(f->severity, KT_SEV_INFO);
	cr_assert(strstr(f->title, "for an unknown time"), "%s", f->title);
	kt_findings_deinit(&out);
	kt_program_destroy(prog);
}
