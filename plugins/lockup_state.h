/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the lockup detectors keep in memory about a CPU, for the lockup
 * analyzer: how long it has been stuck by the detector's own clock.
 *
 * Soft lockup (kernel/watchdog.c): the per-CPU watchdog_touch_ts is
 * running_clock() >> 30 (seconds, about: 2^30 ns) when the CPU's stopper
 * thread last ran softlockup_fn(); the check in watchdog_timer_fn() reports
 * now - touch_ts once it passes 2 * watchdog_thresh. running_clock() is
 * local_clock() on x86, the clock rq->clock is read from, so the CPU's
 * rq->clock >> 30 is the detector's now as of the CPU's last tick. Before
 * 5.14 a touch (touch_softlockup_watchdog(), which printing on the serial
 * console does) wrote ULONG_MAX into watchdog_touch_ts itself, after
 * "watchdog/softlockup: Report the overall time of softlockups" into
 * watchdog_report_ts: a touched timestamp is reported as unknown.
 *
 * Hard lockup: the per-CPU hrtimer_interrupts (the watchdog hrtimer's
 * runs) against hrtimer_interrupts_saved (its count at the previous NMI
 * check): equal means no hrtimer ran for a whole NMI period
 * (watchdog_thresh seconds).
 *
 * RCU stall (kernel/rcu/tree_stall.h): the grace period started at
 * rcu_state.gp_start (jiffies); the report's "t=" is jiffies - gp_start
 * and "(N ticks this GP)" the CPU's rcu_data.ticks_this_gp; a leaf
 * rcu_node's qsmask has a bit for each of its CPUs (from grplo) that has
 * not yet passed a quiescent state in the current grace period.
 */
#ifndef KT_PLUGINS_LOCKUP_STATE_H
#define KT_PLUGINS_LOCKUP_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/program.h"

struct kt_lockup_soft {
	uint64_t touch_ts;	/* watchdog_touch_ts, 2^30 ns units */
	uint64_t clock_ns;	/* rq->clock of the CPU */
	uint64_t stuck;		/* clock_ns >> 30 - touch_ts */
	int thresh;		/* watchdog_thresh (s); -1 unread */
};

/**
 * The soft-lockup detector's view of @cpu. False, with why in @why, when
 * it cannot be read or the timestamp was touched since.
 */
bool kt_lockup_soft_state(struct kt_program *prog, int cpu,
			  struct kt_lockup_soft *ret, char *why, size_t len);

struct kt_lockup_hard {
	uint32_t interrupts, saved;	/* hrtimer_interrupts(_saved) */
	int thresh;			/* watchdog_thresh (s); -1 unread */
};

/** The hard-lockup detector's counters of @cpu. */
bool kt_lockup_hard_state(struct kt_program *prog, int cpu,
			  struct kt_lockup_hard *ret, char *why, size_t len);

struct kt_lockup_rcu {
	uint64_t jiffies, gp_start, gp_seq;
	uint64_t age;		/* jiffies - gp_start */
	bool gp_running;	/* gp_seq's low bits: a grace period is on */
	long ticks;		/* rcu_data.ticks_this_gp; -1 unread */
	int pending;		/* @cpu's bit in its leaf's qsmask; -1 */
	uint64_t qsmask;	/* that leaf's */
	int timeout;		/* rcu_cpu_stall_timeout (s); -1 unread */
};

/** The RCU grace period's state, and @cpu's part in it. */
bool kt_lockup_rcu_state(struct kt_program *prog, int cpu,
			 struct kt_lockup_rcu *ret, char *why, size_t len);

#endif /* KT_PLUGINS_LOCKUP_STATE_H */
