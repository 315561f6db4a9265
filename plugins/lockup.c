// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lockup: a CPU the soft-lockup watchdog, the hard-lockup (NMI) watchdog
 * or RCU's stall detector reported stuck; how long by the detector's own
 * data, which task, and what it spins on.
 *
 * 1. Reports: the detectors' lines in the kernel log (lockup_log.h), one
 *    per CPU and kind: the CPU, and the task as the log names it.
 * 2. How long: the detector's state in memory (lockup_state.h): for a
 *    soft lockup the CPU's rq->clock >> 30 against its watchdog_touch_ts,
 *    for an RCU stall jiffies against rcu_state.gp_start (and HZ), with the
 *    CPU's ticks_this_gp and its qsmask bit; for a hard lockup the
 *    hrtimer count the NMI check saw standing still. The log's numbers
 *    are the cross-check, and the fallback.
 * 3. What it spins on (spinlock.h): if the CPU's running task (or the IRQ
 *    or NMI context on it) is in the queued-spinlock slow path, its lock,
 *    named as a global's member or a slab object, and the frame of any
 *    CPU's running task that holds it. Else, if it holds a lock another
 *    CPU spins on, that lock and its waiter. Else where it runs.
 *
 * The report whose kind the panic message names ("softlockup: hung
 * tasks", "Hard LOCKUP", "RCU Stall") is the defect that crashed the
 * kernel, unless the holder of its lock is stuck on that same lock
 * itself: then the lockup is the consequence of that deadlock (lock_irq
 * says how it came about) and an error. A report that did not panic is a
 * warning.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/sysinfo.h"
#include "plugins/lockup_log.h"
#include "plugins/lockup_state.h"
#include "plugins/plugin.h"
#include "plugins/spinlock.h"

#define NAME "lockup"
#define MAX_REPORTS 32
#define MAX_CPUS 512
#define LINE_LEN 256

struct run {
	struct kt_program *prog;
	struct kt_findings *out;
	const struct kt_log *log;
	struct kt_spinlock_cpu *cpus;
	size_t ncpu;
	struct kt_spinlock_waiter *waiters;
	size_t nw;
	struct kt_disasm *d;
	struct kt_sysinfo si;
	bool si_ok;
};

/* What a stuck CPU has to do with spinlocks. */
struct spin {
	const struct kt_spinlock_waiter *waiter;	/* it spins */
	const struct kt_spinlock_waiter *victim;	/* one waits for it */
	struct kt_spinlock_holder h;
	bool held;			/* h is the lock's holder */
	bool deadlock;			/* h's CPU spins on the lock too */
	uint64_t lock;
	char name[160];
};

/* One report, with what memory says about it. */
struct lockup {
	const struct kt_lockup_report *rep;
	struct kt_spinlock_cpu *ct;	/* NULL: a CPU past nr_cpu_ids */
	char dur[96];			/* "13 s", "773 jiffies (3.1 s)" */
	bool panicked;
	struct spin sp;
};

static const char *comm_of(const struct kt_spinlock_cpu *ct)
{
	return ct && ct->t ? ct->t->comm : "?";
}

static int pid_of(const struct kt_spinlock_cpu *ct)
{
	return ct && ct->t ? ct->t->pid : -1;
}

static const char *title_kind(enum kt_lockup_kind kind)
{
	return kind == KT_LOCKUP_SOFT ? "Soft lockup" :
	       kind == KT_LOCKUP_HARD ? "Hard lockup" : "RCU stall";
}

/* ---- the spinlock ---- */

static const struct kt_spinlock_waiter *waiter_on(const struct run *r,
						  const struct kt_spinlock_cpu *ct)
{
	for (size_t i = 0; i < r->nw; i++)
		if (r->waiters[i].ct == ct)
			return &r->waiters[i];
	return NULL;
}

/* The holder of @s->lock among every CPU's running task. */
static void find_holder(struct run *r, struct spin *s)
{
	const struct kt_spinlock_waiter *on_holder;

	for (size_t c = 0; c < r->ncpu && !s->held; c++) {
		struct kt_spinlock_cpu *ct = &r->cpus[c];
		size_t from = ct == s->waiter->ct ? s->waiter->frame + 1 : 0;

		s->held = kt_spinlock_holder(r->prog, r->d, ct, from, s->lock,
					     &s->h);
	}
	if (!s->held)
		return;
	on_holder = waiter_on(r, s->h.ct);
	s->deadlock = on_holder && on_holder->lock == s->lock;
}

static void find_spin(struct run *r, struct lockup *l)
{
	struct spin *s = &l->sp;

	memset(s, 0, sizeof(*s));
	if (!l->ct || !l->ct->ok)
		return;
	s->waiter = waiter_on(r, l->ct);
	if (s->waiter) {
		s->lock = s->waiter->lock;
		find_holder(r, s);
	} else {
		for (size_t i = 0; i < r->nw && !s->held; i++) {
			if (r->waiters[i].ct == l->ct)
				continue;
			s->held = kt_spinlock_holder(r->prog, r->d, l->ct, 0,
						     r->waiters[i].lock, &s->h);
			if (s->held) {
				s->victim = &r->waiters[i];
				s->lock = s->victim->lock;
			}
		}
	}
	if (s->lock)
		kt_spinlock_name(r->prog, s->lock, s->name, sizeof(s->name));
}

/* The frame where the CPU's task was interrupted (its own context). */
static size_t task_frame(const struct kt_spinlock_cpu *ct)
{
	size_t at = 0;

	for (size_t i = 0; i < ct->tr.n; i++)
		if (ct->tr.frames[i].interrupted && ct->tr.frames[i].regs_addr)
			at = i;
	return at;
}

/* ---- how long ---- */

static void soft_duration(struct run *r, struct lockup *l,
			  struct kt_finding *f)
{
	const struct kt_lockup_report *rep = l->rep;
	struct kt_lockup_soft st;
	char why[160];

	if (!kt_lockup_soft_state(r->prog, rep->cpu, &st, why, sizeof(why))) {
		kt_finding_step(r->out, f, "the watchdog's clock: %s", why);
		snprintf(l->dur, sizeof(l->dur), "%ld s", rep->seconds);
		kt_finding_step(r->out, f, "stuck for %ld s: the log's report",
				rep->seconds);
		return;
	}
	snprintf(l->dur, sizeof(l->dur), "%" PRIu64 " s", st.stuck);
	kt_finding_step(r->out, f,
			"CPU %d's watchdog_touch_ts is %" PRIu64 " (running_"
			"clock() >> 30 when its watchdog last ran); its "
			"rq->clock %" PRIu64 " ns >> 30 is %" PRIu64 ": stuck "
			"for %" PRIu64 " s (units of 2^30 ns) by the dump; the "
			"log reported %ld s", rep->cpu, st.touch_ts, st.clock_ns,
			st.clock_ns >> 30, st.stuck, rep->seconds);
	if (st.thresh > 0)
		kt_finding_step(r->out, f, "the soft-lockup threshold is %d s "
				"(2 * watchdog_thresh %d)", 2 * st.thresh,
				st.thresh);
}

static void hard_duration(struct run *r, struct lockup *l,
			  struct kt_finding *f)
{
	struct kt_lockup_hard st;
	char why[160];

	if (!kt_lockup_hard_state(r->prog, l->rep->cpu, &st, why,
				  sizeof(why))) {
		kt_finding_step(r->out, f, "the watchdog's counters: %s", why);
		return;
	}
	if (st.thresh > 0)
		snprintf(l->dur, sizeof(l->dur), "at least %d s", st.thresh);
	kt_finding_step(r->out, f,
			"CPU %d's hrtimer_interrupts is %u, "
			"hrtimer_interrupts_saved %u: %s", l->rep->cpu,
			st.interrupts, st.saved,
			st.interrupts == st.saved ?
			"its watchdog hrtimer did not run for a whole NMI "
			"period (watchdog_thresh s)" :
			"its hrtimer ran since the NMI check");
}

static void rcu_duration(struct run *r, struct lockup *l,
			 struct kt_finding *f)
{
	const struct kt_lockup_report *rep = l->rep;
	unsigned hz = r->si_ok ? r->si.hz : 0;
	struct kt_lockup_rcu st;
	char why[160];

	if (!kt_lockup_rcu_state(r->prog, rep->cpu, &st, why, sizeof(why))) {
		kt_finding_step(r->out, f, "RCU's state: %s", why);
		if (rep->jiffies >= 0)
			snprintf(l->dur, sizeof(l->dur), "%ld jiffies",
				 rep->jiffies);
		return;
	}
	if (hz)
		snprintf(l->dur, sizeof(l->dur), "%.1f s (%" PRIu64
			 " jiffies)", (double)st.age / hz, st.age);
	else
		snprintf(l->dur, sizeof(l->dur), "%" PRIu64 " jiffies", st.age);
	kt_finding_step(r->out, f,
			"rcu_state.gp_start %" PRIu64 ", jiffies %" PRIu64
			": the grace period (gp_seq %" PRId64 ", %s) is %"
			PRIu64 " jiffies old%s; the log's report said t=%ld",
			st.gp_start, st.jiffies, (int64_t)st.gp_seq,
			st.gp_running ? "running" : "not running", st.age,
			hz ? "" : " (HZ unknown)", rep->jiffies);
	if (hz)
		kt_finding_step(r->out, f, "HZ is %u: %" PRIu64 " jiffies are "
				"%.2f s", hz, st.age, (double)st.age / hz);
	if (st.ticks >= 0)
		kt_finding_step(r->out, f, "CPU %d's rcu_data.ticks_this_gp is "
				"%ld (scheduler ticks in this grace period); "
				"the log's report said %ld", rep->cpu, st.ticks,
				rep->ticks);
	if (st.pending >= 0)
		kt_finding_step(r->out, f, "its leaf rcu_node's qsmask is "
				"0x%" PRIx64 ": CPU %d %s", st.qsmask, rep->cpu,
				st.pending ? "has not passed a quiescent state "
				"in this grace period" : "has passed its "
				"quiescent state since");
	if (st.timeout > 0)
		kt_finding_step(r->out, f, "the stall timeout is %d s "
				"(rcu_cpu_stall_timeout)", st.timeout);
}

/* ---- the finding ---- */

static void spin_title(struct run *r, struct lockup *l, char *buf,
		       size_t len)
{
	const struct spin *s = &l->sp;
	const struct kt_spinlock_cpu *hc = s->held ? s->h.ct : NULL;

	if (s->waiter && s->held && hc == l->ct)
		snprintf(buf, len, ", spinning on %s, which it holds itself "
			 "in %s", s->name,
			 kt_spinlock_fn(&hc->tr.frames[s->h.frame]));
	else if (s->waiter && s->held)
		snprintf(buf, len, ", spinning on %s held by %.16s (pid %d) "
			 "on CPU %d", s->name, comm_of(hc), pid_of(hc),
			 hc->cpu);
	else if (s->waiter)
		snprintf(buf, len, ", spinning on %s (holder not found)",
			 s->name);
	else if (s->victim)
		snprintf(buf, len, ", holding %s, which %.16s (pid %d) on "
			 "CPU %d spins on", s->name, comm_of(s->victim->ct),
			 pid_of(s->victim->ct), s->victim->ct->cpu);
	else if (l->ct && l->ct->ok && l->ct->tr.n)
		snprintf(buf, len, ", running in %s",
			 kt_spinlock_fn(&l->ct->tr.frames[task_frame(l->ct)]));
	else
		buf[0] = 0;
	(void)r;
}

static void title(struct run *r, struct lockup *l, struct kt_finding *f)
{
	const struct kt_lockup_report *rep = l->rep;
	char spin[320];

	spin_title(r, l, spin, sizeof(spin));
	if (rep->kind == KT_LOCKUP_SOFT)
		kt_finding_title(r->out, f, "Soft lockup on CPU %d: %.16s "
				 "(pid %d) stuck for %s%s", rep->cpu,
				 comm_of(l->ct), pid_of(l->ct), l->dur, spin);
	else
		kt_finding_title(r->out, f, "%s on CPU %d%s%s: %.16s (pid %d)"
				 "%s", title_kind(rep->kind), rep->cpu,
				 *l->dur ? " for " : "", l->dur,
				 comm_of(l->ct), pid_of(l->ct), spin);
}

static void ref_frame(struct run *r, struct kt_finding *f, const char *label,
		      const struct kt_spinlock_cpu *ct, size_t i)
{
	kt_finding_ref_frame(r->out, f, label, pid_of(ct), ct->tr.task, (int)i,
			     kt_spinlock_fn(&ct->tr.frames[i]));
}

static void explain_spin(struct run *r, struct lockup *l, struct kt_finding *f)
{
	const struct spin *s = &l->sp;
	const struct kt_spinlock_cpu *hc = s->held ? s->h.ct : NULL;
	uint32_t val;

	if (!s->lock)
		return;
	kt_finding_ref_address(r->out, f, "lock", s->lock, "spinlock_t *");
	kt_finding_step(r->out, f, "lock 0x%" PRIx64 " is %s (symbol/DWARF, "
			"kmem)", s->lock, s->name);
	if (!kt_error_catch_any(kt_read_u32(r->prog, s->lock, &val)))
		kt_finding_step(r->out, f, "the lock word is 0x%x: locked "
				"byte %u, pending %u, queue tail 0x%x", val,
				val & 0xff, (val >> 8) & 1, val >> 16);
	if (s->waiter) {
		ref_frame(r, f, "spinning frame", l->ct, s->waiter->frame);
		ref_frame(r, f, "frame taking the lock", l->ct,
			  s->waiter->requester);
		kt_finding_step(r->out, f, "CPU %d frame #%zu %s spins on it "
				"for %s: %s", l->ct->cpu, s->waiter->frame,
				kt_spinlock_fn(&l->ct->tr.frames[s->waiter->frame]),
				kt_spinlock_fn(&l->ct->tr.frames[s->waiter->requester]),
				s->waiter->how);
	}
	if (s->victim) {
		const struct kt_spinlock_cpu *vc = s->victim->ct;

		kt_finding_ref_task(r->out, f, "waiter", pid_of(vc),
				    vc->tr.task);
		ref_frame(r, f, "waiting frame", vc, s->victim->requester);
		kt_finding_step(r->out, f, "CPU %d (%.16s, pid %d) frame #%zu "
				"%s spins on it for %s: %s", vc->cpu,
				comm_of(vc), pid_of(vc), s->victim->frame,
				kt_spinlock_fn(&vc->tr.frames[s->victim->frame]),
				kt_spinlock_fn(&vc->tr.frames[s->victim->requester]),
				s->victim->how);
	}
	if (!hc) {
		kt_finding_explain(r->out, f, "No running task's frame was "
				   "found holding %s: its holder may be a task "
				   "that is not running, or a frame whose "
				   "variables do not show it.", s->name);
		return;
	}
	kt_finding_ref_task(r->out, f, "holder", pid_of(hc), hc->tr.task);
	ref_frame(r, f, "frame holding the lock", hc, s->h.frame);
	kt_finding_step(r->out, f, "CPU %d (%.16s, pid %d) frame #%zu %s "
			"holds it: it calls %s at 0x%" PRIx64 " before its "
			"pc 0x%" PRIx64 " and no unlock since (disassembly); "
			"%s", hc->cpu, comm_of(hc), pid_of(hc), s->h.frame,
			kt_spinlock_fn(&hc->tr.frames[s->h.frame]),
			s->h.acquire_fn, s->h.acquire_pc,
			hc->tr.frames[s->h.frame].pc, s->h.evidence);
	if (s->deadlock) {
		const struct kt_spinlock_waiter *hw = waiter_on(r, hc);

		ref_frame(r, f, "holder's CPU spinning too", hc, hw->frame);
		kt_finding_step(r->out, f, "and CPU %d frame #%zu %s spins on "
				"the same lock, for %s: %s", hc->cpu, hw->frame,
				kt_spinlock_fn(&hc->tr.frames[hw->frame]),
				kt_spinlock_fn(&hc->tr.frames[hw->requester]),
				hw->how);
	}
}

static void explain(struct run *r, struct lockup *l, struct kt_finding *f)
{
	const struct spin *s = &l->sp;
	const struct kt_spinlock_cpu *hc = s->held ? s->h.ct : NULL;

	char dur[128] = "";

	if (*l->dur)
		snprintf(dur, sizeof(dur), "; by the detector's own data, for "
			 "%s at the time of the dump", l->dur);
	kt_finding_explain(r->out, f, "The %s detector reported CPU %d stuck "
			   "running %.16s (pid %d)%s.",
			   kt_lockup_kind_name(l->rep->kind), l->rep->cpu,
			   comm_of(l->ct), pid_of(l->ct), dur);
	if (s->waiter && hc)
		kt_finding_explain(r->out, f, "It spins on %s, which %.16s "
				   "(pid %d) on CPU %d holds in %s.", s->name,
				   comm_of(hc), pid_of(hc), hc->cpu,
				   kt_spinlock_fn(&hc->tr.frames[s->h.frame]));
	else if (s->waiter)
		kt_finding_explain(r->out, f, "It spins on %s.", s->name);
	if (s->victim)
		kt_finding_explain(r->out, f, "It holds %s in %s and does not "
				   "let go: CPU %d (%.16s, pid %d) spins on it.",
				   s->name,
				   kt_spinlock_fn(&hc->tr.frames[s->h.frame]),
				   s->victim->ct->cpu, comm_of(s->victim->ct),
				   pid_of(s->victim->ct));
	if (s->deadlock)
		kt_finding_explain(r->out, f, "CPU %d, the holder's, spins on "
				   "that same lock itself: the holder cannot "
				   "release it, a deadlock of which this %s "
				   "is the consequence.", hc->cpu,
				   kt_lockup_kind_name(l->rep->kind));
	if (l->panicked)
		kt_finding_explain(r->out, f, "The kernel panicked on it: "
				   "\"%s\".", r->si.panic);
}

static void report_log(struct run *r, struct lockup *l, struct kt_finding *f)
{
	const struct kt_log_record *rec = &r->log->recs[l->rep->record];
	char line[LINE_LEN];

	snprintf(line, sizeof(line), "%.*s",
		 (int)(rec->len < LINE_LEN ? rec->len : LINE_LEN - 1),
		 rec->text);
	kt_finding_ref_log(r->out, f, "report", (int)l->rep->record, line);
	kt_finding_step(r->out, f, "log record %zu: %s%s", l->rep->record,
			line, l->rep->count > 1 ? " (the last of several)" : "");
	if (l->rep->pid >= 0)
		kt_finding_step(r->out, f, "the log names the task %s:%d; "
				"CPU %d runs %.16s (pid %d) in the dump "
				"(rq->curr)", l->rep->comm, l->rep->pid,
				l->rep->cpu, comm_of(l->ct), pid_of(l->ct));
}

static void report(struct run *r, struct lockup *l)
{
	const struct kt_lockup_report *rep = l->rep;
	enum kt_severity sev;
	struct kt_finding *f;

	find_spin(r, l);
	sev = !l->panicked ? KT_SEV_WARNING :
	      l->sp.deadlock ? KT_SEV_ERROR : KT_SEV_CRITICAL;
	f = kt_finding_add(r->out, NAME, sev, "%s:cpu%d",
			   rep->kind == KT_LOCKUP_SOFT ? "soft" :
			   rep->kind == KT_LOCKUP_HARD ? "hard" : "rcu",
			   rep->cpu);
	if (!f)
		return;
	kt_finding_kind(f, rep->kind == KT_LOCKUP_SOFT ? "soft-lockup" :
			rep->kind == KT_LOCKUP_HARD ? "hard-lockup" :
			"rcu-stall");
	kt_finding_ref_cpu(r->out, f, "stuck CPU", rep->cpu);
	if (l->ct)
		kt_finding_ref_task(r->out, f, "stuck task", pid_of(l->ct),
				    l->ct->tr.task);
	report_log(r, l, f);
	if (rep->kind == KT_LOCKUP_SOFT)
		soft_duration(r, l, f);
	else if (rep->kind == KT_LOCKUP_HARD)
		hard_duration(r, l, f);
	else
		rcu_duration(r, l, f);
	title(r, l, f);
	explain(r, l, f);
	explain_spin(r, l, f);
}

/* ---- which report panicked ---- */

static bool panic_names(const struct run *r, enum kt_lockup_kind kind)
{
	static const char *const said[] = {
		[KT_LOCKUP_SOFT] = "softlockup: hung tasks",
		[KT_LOCKUP_HARD] = "Hard LOCKUP",
		[KT_LOCKUP_RCU] = "RCU Stall",
	};

	return r->si_ok && (strstr(r->si.panic, said[kind]) ||
			    (kind == KT_LOCKUP_HARD &&
			     strstr(r->si.panic, "hard LOCKUP")));
}

/* The last report of the kind the panic names is the one that panicked. */
static void mark_panicked(const struct run *r, struct lockup *ls, size_t n)
{
	for (int kind = KT_LOCKUP_SOFT; kind <= KT_LOCKUP_RCU; kind++) {
		struct lockup *last = NULL;

		if (!panic_names(r, kind))
			continue;
		for (size_t i = 0; i < n; i++)
			if (ls[i].rep->kind == (enum kt_lockup_kind)kind &&
			    (!last || ls[i].rep->record >= last->rep->record))
				last = &ls[i];
		// every CPU of the one RCU report that panicked
		for (size_t i = 0; last && i < n; i++)
			ls[i].panicked |= ls[i].rep->kind == last->rep->kind &&
					  ls[i].rep->record == last->rep->record;
	}
}

static void analyse(struct run *r, const struct kt_lockup_report *reps,
		    size_t n)
{
	struct lockup ls[MAX_REPORTS];

	for (size_t i = 0; i < n; i++) {
		memset(&ls[i], 0, sizeof(ls[i]));
		ls[i].rep = &reps[i];
		if (reps[i].cpu >= 0 && (size_t)reps[i].cpu < r->ncpu)
			ls[i].ct = &r->cpus[reps[i].cpu];
	}
	mark_panicked(r, ls, n);
	for (size_t i = 0; i < n; i++)
		report(r, &ls[i]);
}

static struct kt_error *lockup_run(struct kt_program *prog,
				   struct kt_findings *out)
{
	struct kt_lockup_report reps[MAX_REPORTS];
	struct run r = { .prog = prog, .out = out };
	struct kt_error *err;
	size_t n;

	if ((err = kt_log_load(prog, &r.log)))
		return kt_error_wrap(err, "the kernel log");
	n = kt_lockup_log_scan(r.log->recs, r.log->n, reps, MAX_REPORTS);
	if (!n)
		return NULL;
	if ((err = kt_disasm_create(&r.d)))
		return err;
	if ((err = kt_spinlock_cpus_load(prog, MAX_CPUS, &r.cpus, &r.ncpu)))
		goto out;
	r.waiters = calloc(r.ncpu ? r.ncpu : 1, sizeof(*r.waiters));
	if (!r.waiters) {
		err = &kt_error_nomem;
		goto out;
	}
	r.nw = kt_spinlock_waiters(prog, r.cpus, r.ncpu, r.waiters);
	r.si_ok = !kt_error_catch_any(kt_sysinfo_load(prog, &r.si));
	analyse(&r, reps, n);
	if (r.si_ok)
		kt_sysinfo_deinit(&r.si);
out:
	free(r.waiters);
	kt_spinlock_cpus_free(r.cpus, r.ncpu);
	kt_disasm_destroy(r.d);
	return err;
}

const struct kt_plugin kt_plugin_lockup = {
	.name = NAME,
	.summary = "a soft lockup, hard lockup or RCU stall the log reports: "
		   "the CPU, the task, how long, the spinlock and its holder",
	.run = lockup_run,
};
