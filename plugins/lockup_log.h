/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The lockup detectors' reports in the kernel log, for the lockup
 * analyzer:
 *
 *   soft lockup  "watchdog: BUG: soft lockup - CPU#1 stuck for 13s!
 *                [kt_merge_peer:126]" (kernel/watchdog.c)
 *   hard lockup  "NMI watchdog: Watchdog detected hard LOCKUP on cpu 1"
 *                (watchdog_hld.c), "watchdog: CPU0: Watchdog detected hard
 *                LOCKUP on cpu 1" (6.7's buddy detector on)
 *   RCU stall    "rcu: INFO: rcu_preempt self-detected stall on CPU" or
 *                "rcu: INFO: rcu_sched detected stalls on CPUs/tasks:",
 *                then one "\t1-...!: (563 ticks this GP) idle=..." line
 *                per stalled CPU, then "\t(t=751 jiffies g=-495 ...)" or
 *                "\t(detected by 0, t=5252 jiffies, g=...)"
 *                (kernel/rcu/tree_stall.h)
 *
 * and the task each names: the soft lockup's "[comm:pid]", else the first
 * "CPU: 1 PID: 125 Comm: kt_stall_hold" header (5.10 to 6.9; "CPU: 1 UID:
 * 0 PID: ..." from 6.10) that a stack dump of that CPU prints after the
 * report.
 */
#ifndef KT_PLUGINS_LOCKUP_LOG_H
#define KT_PLUGINS_LOCKUP_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/log.h"

enum kt_lockup_kind {
	KT_LOCKUP_SOFT,
	KT_LOCKUP_HARD,
	KT_LOCKUP_RCU,
};

/** "soft lockup", "hard lockup", "RCU stall". */
const char *kt_lockup_kind_name(enum kt_lockup_kind kind);

/** One CPU the log reports stuck. Numbers not in the report are -1. */
struct kt_lockup_report {
	enum kt_lockup_kind kind;
	int cpu;
	long seconds;		/* soft: "stuck for Ns" */
	long ticks;		/* RCU: "(N ticks this GP)" */
	long jiffies;		/* RCU: "t=N jiffies" */
	int detector;		/* RCU: "detected by N", self: cpu; hard */
	int pid;		/* of the task the log names, -1 */
	char comm[17];		/* raw: sanitise; "" when not named */
	size_t record;		/* the report's first record */
	size_t count;		/* reports of this CPU and kind in the log */
};

/**
 * The reports in @recs (@n records, oldest first), at most @max, into
 * @ret; one per CPU and kind, the last. Returns how many.
 */
size_t kt_lockup_log_scan(const struct kt_log_record *recs, size_t n,
			  struct kt_lockup_report *ret, size_t max);

#endif /* KT_PLUGINS_LOCKUP_LOG_H */
