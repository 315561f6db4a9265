// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The lockup plugin against the kernel log and drgn on every dump.
 *
 * The log (makedumpfile's SCENARIO.dmesg.txt, read here with a parser of
 * its own) gives the CPU the detector reported, the task as it printed it
 * ("[comm:pid]", or the "CPU: N PID: P Comm: C" of the stack dump after an
 * RCU stall report) and the detector's numbers ("stuck for Ns", "t=N
 * jiffies", "(N ticks this GP)"). tests/expected/NAME.lockup.json
 * (tests/oracle/lockup.py) gives drgn's reading of the detector's state
 * (watchdog_touch_ts and rq->clock, rcu_state.gp_start and jiffies,
 * ticks_this_gp), the spinning CPUs' lock, its name, and the frames that
 * hold it. ktriage must report that CPU and task, the duration drgn
 * computes (and one the log's is consistent with), that lock by that name
 * and a holder drgn sees; and fire on no dump whose log has no report.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/lockup_log.h"
#include "plugins/plugin.h"
#include "tests/helpers.h"

/* What the log says, by this test's own reading of dmesg.txt. */
struct log_says {
	bool soft, rcu;
	int cpu, pid;
	long secs, t, ticks;
	char comm[48];
};

/* "CPU: 1 PID: 125 Comm: kt_stall_hold ..." (or "CPU: 1 UID: 0 PID: ...") */
static bool cpu_line(const char *s, int cpu, struct log_says *ls)
{
	const char *p = strstr(s, "CPU: "), *pid, *comm;
	int c;

	if (!p || sscanf(p, "CPU: %d ", &c) != 1 || c != cpu ||
	    !(pid = strstr(p, " PID: ")) || !(comm = strstr(p, " Comm: ")))
		return false;
	ls->pid = atoi(pid + 6);
	return sscanf(comm + 7, "%47s", ls->comm) == 1;
}

static void read_log(const char *name, struct log_says *ls)
{
	char *path = kt_test_dump_path(name, ".dmesg.txt");
	char *text = kt_test_slurp(path, NULL), *line, *save = NULL;
	bool after_rcu = false;

	cr_assert_not_null(text, "%s", path);
	memset(ls, 0, sizeof(*ls));
	ls->cpu = ls->pid = -1;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *p;
		char tag[48];

		if ((p = strstr(line, "soft lockup - CPU#")) &&
		    sscanf(p, "soft lockup - CPU#%d stuck for %lds! [%47[^]]",
			   &ls->cpu, &ls->secs, tag) == 3) {
			char *colon = strrchr(tag, ':');

			ls->soft = true;
			cr_assert_not_null(colon);
			*colon = 0;
			snprintf(ls->comm, sizeof(ls->comm), "%s", tag);
			ls->pid = atoi(colon + 1);
		} else if (strstr(line, "self-detected stall on CPU")) {
			ls->rcu = after_rcu = true;
		} else if (after_rcu && (p = strstr(line, " ticks this GP)"))) {
			p = strchr(line, '\t');
			cr_assert_not_null(p, "%s", line);
			sscanf(p + 1, "%d-", &ls->cpu);
			ls->ticks = atol(strchr(p, '(') + 1);
		} else if (after_rcu && (p = strstr(line, "(t="))) {
			ls->t = atol(p + 3);
		} else if (after_rcu && ls->pid < 0 && ls->cpu >= 0) {
			cpu_line(line, ls->cpu, ls);
		}
	}
	free(text);
	free(path);
}

static cJSON *oracle_cpu(cJSON *exp, int cpu)
{
	cJSON *c;

	cJSON_ArrayForEach(c, kt_test_get(exp, "cpus"))
		if (kt_test_get(c, "cpu")->valueint == cpu)
			return c;
	cr_assert_fail("drgn has no CPU %d", cpu);
	return NULL;
}

/* The spinner drgn sees on another CPU than @cpu, else on @cpu. */
static cJSON *oracle_spinner(cJSON *exp, int cpu, bool other)
{
	cJSON *s;

	cJSON_ArrayForEach(s, kt_test_get(exp, "spinners"))
		if ((kt_test_get(s, "cpu")->valueint != cpu) == other)
			return s;
	cr_assert_fail("drgn has no spinner %s CPU %d", other ? "but" : "on",
		       cpu);
	return NULL;
}

/* Another CPU than @cpu spins on @lock too. */
static bool spun_elsewhere(cJSON *exp, int cpu, const char *lock)
{
	cJSON *s;

	cJSON_ArrayForEach(s, kt_test_get(exp, "spinners"))
		if (kt_test_get(s, "cpu")->valueint != cpu &&
		    !strcmp(kt_test_get(s, "lock")->valuestring, lock))
			return true;
	return false;
}

/* The holder ktriage names is a frame drgn sees holding the lock. */
static void check_holder(const struct kt_finding *f, cJSON *exp,
			 const char *lock)
{
	const struct kt_ref *holder = kt_test_ref(f, "holder");
	const struct kt_ref *frame = kt_test_ref(f, "frame holding the lock");
	bool seen = false, any = false;
	cJSON *h;

	// a lock nobody holds (garbage that reads as locked): none named
	cJSON_ArrayForEach(h, kt_test_get(exp, "holders"))
		any |= !strcmp(kt_test_get(h, "lock")->valuestring, lock);
	if (!any) {
		cr_assert_null(holder, "%s: drgn sees no holder", f->title);
		cr_assert(strstr(f->title, "holder not found"), "%s", f->title);
		return;
	}
	cr_assert_not_null(holder, "%s", f->title);
	cr_assert_not_null(frame);
	cJSON_ArrayForEach(h, kt_test_get(exp, "holders")) {
		const char *fn = kt_test_get(h, "function")->valuestring;

		seen |= !strcmp(kt_test_get(h, "lock")->valuestring, lock) &&
			kt_test_get(h, "pid")->valueint == holder->pid &&
			!strncmp(frame->text, fn, strlen(fn));
	}
	cr_assert(seen, "%s: drgn sees no %s (pid %d) holding %s", f->title,
		  frame->text, holder->pid, lock);
}

static void check_soft(const struct kt_finding *f, cJSON *exp,
		       const struct log_says *ls)
{
	cJSON *c = oracle_cpu(exp, ls->cpu);
	long stuck;
	char want[64];

	// 5.10: printing the panic touched the watchdog, which reset
	// watchdog_touch_ts: the log's number, said so
	if (cJSON_IsNull(kt_test_get(c, "stuck"))) {
		snprintf(want, sizeof(want), "stuck for %ld s", ls->secs);
		cr_assert(strstr(f->title, want), "%s: no '%s'", f->title, want);
		cr_assert(kt_test_has_step(f, "was reset"));
		return;
	}
	stuck = (long)kt_test_get(c, "stuck")->valuedouble;

	// drgn's (rq->clock >> 30) - watchdog_touch_ts, in the title; the
	// watchdog printed it a moment before the dump
	snprintf(want, sizeof(want), "stuck for %ld s", stuck);
	cr_assert(strstr(f->title, want), "%s: no '%s'", f->title, want);
	cr_assert(ls->secs <= stuck && stuck <= ls->secs + 2,
		  "log %ld s, dump %ld s", ls->secs, stuck);
}

static void check_rcu(const struct kt_finding *f, cJSON *exp,
		      const struct log_says *ls)
{
	cJSON *rcu = kt_test_get(exp, "rcu");
	cJSON *hz = kt_test_get(rcu, "hz");
	long age = (long)kt_test_get(rcu, "age")->valuedouble;
	long ticks = kt_test_get(oracle_cpu(exp, ls->cpu),
				 "ticks_this_gp")->valueint;
	char want[96];

	// jiffies - rcu_state.gp_start as drgn reads them; the report's t=
	// was that a few ticks before the dump
	snprintf(want, sizeof(want), "(%ld jiffies)", age);
	cr_assert(strstr(f->title, want), "%s: no '%s'", f->title, want);
	cr_assert(ls->t <= age && age <= ls->t + 250, "log t=%ld, dump %ld",
		  ls->t, age);
	if (cJSON_IsNumber(hz)) {
		snprintf(want, sizeof(want), "for %.1f s (", (double)age /
			 hz->valueint);
		cr_assert(strstr(f->title, want), "%s: no '%s'", f->title,
			  want);
	}
	snprintf(want, sizeof(want), "ticks_this_gp is %ld", ticks);
	cr_assert(kt_test_has_step(f, want), "no step '%s'", want);
	cr_assert(ls->ticks <= ticks && ticks <= ls->ticks + 250,
		  "log %ld ticks, dump %ld", ls->ticks, ticks);
	cr_assert_eq(kt_test_get(oracle_cpu(exp, ls->cpu),
				 "qs_pending")->valueint, 1);
	cr_assert(kt_test_has_step(f, "has not passed a quiescent state"));
}

ParameterizedTestParameters(plugin_lockup, log_drgn_and_finding)
{
	KT_ALL_DUMP_PARAMS();
}

ParameterizedTest(struct kt_dump_param *d, plugin_lockup,
		  log_drgn_and_finding)
{
	struct kt_program *prog = kt_test_open(d->name);
	const struct kt_finding *f;
	struct kt_findings out;
	struct log_says ls;
	const char *lock, *name;
	cJSON *exp, *sp;
	char file[96];

	read_log(d->name, &ls);
	kt_test_run_plugin(prog, "lockup", &out);
	if (!ls.soft && !ls.rcu) {
		cr_assert_eq(out.n, 0, "%s: %s", d->name,
			     out.n ? out.v[0].title : "");
		goto done;
	}
	cr_assert_eq(out.n, 1, "%s: %zu findings", d->name, out.n);
	f = &out.v[0];
	snprintf(file, sizeof(file), "%s.lockup", d->name);
	exp = kt_test_expected(file);
	// the CPU and task as the log printed them, and as drgn sees them
	snprintf(file, sizeof(file), "lockup:%s:cpu%d", ls.soft ? "soft" :
		 "rcu", ls.cpu);
	cr_assert_str_eq(f->id, file);
	cr_assert_eq(kt_test_ref(f, "stuck CPU")->cpu, ls.cpu);
	cr_assert_eq(kt_test_ref(f, "stuck task")->pid, ls.pid);
	cr_assert_eq(kt_test_get(oracle_cpu(exp, ls.cpu), "pid")->valueint,
		     ls.pid);
	cr_assert(strstr(f->title, ls.comm), "%s: no %s", f->title, ls.comm);
	if (ls.soft)
		check_soft(f, exp, &ls);
	else
		check_rcu(f, exp, &ls);
	// the lock: a soft lockup's CPU spins on it; an RCU-stalled CPU
	// holds the one another CPU spins on
	sp = oracle_spinner(exp, ls.cpu, ls.rcu);
	lock = kt_test_get(sp, "lock")->valuestring;
	cr_assert_eq(kt_test_ref(f, "lock")->addr, kt_test_hex(kt_test_get(sp, "lock")));
	// drgn 0.0.22 has no symbols of a 6.4+ module (7.2): no name there
	name = kt_test_get(kt_test_get(exp, "names"), lock)->valuestring;
	if (name)
		cr_assert(strstr(f->title, name), "%s: no %s", f->title, name);
	check_holder(f, exp, lock);
	// the kernel panicked on it; where another CPU spins on the same
	// lock (irq-lock: the holder's, lock_irq's deadlock) it is a
	// consequence, an error
	cr_assert_eq(f->severity, ls.soft && spun_elsewhere(exp, ls.cpu, lock) ?
		     KT_SEV_ERROR : KT_SEV_CRITICAL, "%s: %s", d->name,
		     kt_severity_name(f->severity));
	cJSON_Delete(exp);
done:
	kt_findings_deinit(&out);
	kt_program_destroy(prog);
}

/* ---- the log's formats, on text ---- */

static size_t scan(const char *const *lines, struct kt_lockup_report *r,
		   size_t max)
{
	struct kt_log_record recs[16];
	size_t n = 0;

	for (; lines[n]; n++) {
		memset(&recs[n], 0, sizeof(recs[n]));
		recs[n].text = lines[n];
		recs[n].len = strlen(lines[n]);
	}
	return kt_lockup_log_scan(recs, n, r, max);
}

/* 5.10's watchdog_hld.c, and 6.7's with the CPU that checked. */
Test(plugin_lockup, hard_lockup_lines)
{
	static const char *const old[] = {
		"NMI watchdog: Watchdog detected hard LOCKUP on cpu 3",
		"Modules linked in: ktscen(OE)",
		"CPU: 2 PID: 12 Comm: other Not tainted 5.10.0-32-cloud-amd64 #1",
		"CPU: 3 PID: 77 Comm: spin Not tainted 5.10.0-32-cloud-amd64 #1",
		"Kernel panic - not syncing: Hard LOCKUP",
		NULL,
	};
	static const char *const new[] = {
		"watchdog: CPU0: Watchdog detected hard LOCKUP on cpu 2",
		"CPU: 2 UID: 0 PID: 9 Comm: busy loop Kdump: loaded Tainted: G",
		NULL,
	};
	struct kt_lockup_report r[4];

	cr_assert_eq(scan(old, r, 4), 1);
	cr_assert_eq(r[0].kind, KT_LOCKUP_HARD);
	cr_assert_eq(r[0].cpu, 3);
	cr_assert_eq(r[0].detector, -1);
	cr_assert_eq(r[0].pid, 77);
	cr_assert_str_eq(r[0].comm, "spin");
	cr_assert_eq(r[0].record, 0);
	cr_assert_eq(scan(new, r, 4), 1);
	cr_assert_eq(r[0].cpu, 2);
	cr_assert_eq(r[0].detector, 0);
	cr_assert_eq(r[0].pid, 9);
	cr_assert_str_eq(r[0].comm, "busy loop");
}

/* Another CPU's detection lists every stalled CPU; "GPs behind" too. */
Test(plugin_lockup, rcu_stall_of_other_cpus)
{
	static const char *const log[] = {
		"rcu: INFO: rcu_sched detected stalls on CPUs/tasks:",
		"rcu: \t2-...0: (1 GPs behind) idle=2e4c/1/0x4000000000000000 "
		"softirq=354/354 fqs=32",
		"rcu: \t3-...!: (5249 ticks this GP) idle=0a1/1/0x4000000000000000 "
		"softirq=1/1 fqs=2",
		"\t(detected by 0, t=5252 jiffies, g=1234, q=5 ncpus=4)",
		"NMI backtrace for cpu 3",
		"CPU: 3 PID: 40 Comm: kworker/3:1 Not tainted 6.1.0 #1",
		NULL,
	};
	struct kt_lockup_report r[4];

	cr_assert_eq(scan(log, r, 4), 2);
	cr_assert_eq(r[0].cpu, 2);
	cr_assert_eq(r[0].ticks, -1);
	cr_assert_eq(r[1].cpu, 3);
	cr_assert_eq(r[1].ticks, 5249);
	cr_assert_eq(r[1].jiffies, 5252);
	cr_assert_eq(r[1].detector, 0);
	cr_assert_eq(r[1].pid, 40);
	cr_assert_str_eq(r[1].comm, "kworker/3:1");
	cr_assert_eq(r[0].pid, -1);
}

/* A soft lockup reported again: one report, the last, counted. */
Test(plugin_lockup, soft_lockup_again_and_garbage)
{
	static const char *const log[] = {
		"watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [kworker/1:2:57]",
		"watchdog: BUG: soft lockup - CPU#x stuck for 22s! [a:1]",
		"watchdog: BUG: soft lockup - CPU#1 stuck for 48s! [kworker/1:2:57]",
		"watchdog: BUG: soft lockup - CPU#99999999999999999999 stuck",
		"rcu: INFO: rcu_preempt self-detected stall on CPU",
		"rcu: \t-...!: (",
		"",
		NULL,
	};
	struct kt_lockup_report r[4];

	cr_assert_eq(scan(log, r, 4), 1);
	cr_assert_eq(r[0].kind, KT_LOCKUP_SOFT);
	cr_assert_eq(r[0].seconds, 48);
	cr_assert_eq(r[0].count, 2);
	cr_assert_eq(r[0].record, 2);
	cr_assert_eq(r[0].pid, 57);
	cr_assert_str_eq(r[0].comm, "kworker/1:2");
}
