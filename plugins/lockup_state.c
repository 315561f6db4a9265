// SPDX-License-Identifier: GPL-2.0-or-later
/* The lockup detectors' per-CPU state in memory (see lockup_state.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "plugins/lockup_state.h"

/* touch_softlockup_watchdog()'s mark before 5.14 (SOFTLOCKUP_RESET) */
#define TOUCHED UINT64_MAX
#define RCU_SEQ_STATE_MASK 3
#define MAX_RCU_NODES 4096

/* Member @member of @type at @base, zero-extended from its size. */
static struct kt_error *member(struct kt_program *prog, uint64_t base,
			       const char *type, const char *member,
			       uint64_t *ret)
{
	struct kt_member m;
	struct kt_error *err = kt_type_member(prog, type, member, &m);

	*ret = 0;
	if (err)
		return err;
	if (!m.size || m.size > 8)
		return kt_error_create(KT_ERR_INVALID, "%s.%s is %" PRIu64
				       " bytes", type, member, m.size);
	return kt_read(prog, base + m.offset, ret, m.size);
}

/* A global int (watchdog_thresh, rcu_cpu_stall_timeout), or -1. */
static int global_int(struct kt_program *prog, const char *name)
{
	uint64_t addr;
	uint32_t v;

	if (kt_error_catch_any(kt_symbol_address(prog, name, &addr)) ||
	    kt_error_catch_any(kt_read_u32(prog, addr, &v)) || (int32_t)v < 0)
		return -1;
	return (int)v;
}

static bool failed(struct kt_error *err, const char *what, char *why,
		   size_t len)
{
	if (!err)
		return false;
	snprintf(why, len, "%s: %s", what, err->message);
	kt_error_destroy(err);
	return true;
}

bool kt_lockup_soft_state(struct kt_program *prog, int cpu,
			  struct kt_lockup_soft *ret, char *why, size_t len)
{
	uint64_t ts, rq;

	memset(ret, 0, sizeof(*ret));
	ret->thresh = global_int(prog, "watchdog_thresh");
	if (failed(kt_percpu_symbol(prog, "watchdog_touch_ts", cpu, &ts),
		   "watchdog_touch_ts", why, len) ||
	    failed(kt_read_u64(prog, ts, &ret->touch_ts), "watchdog_touch_ts",
		   why, len) ||
	    failed(kt_percpu_symbol(prog, "runqueues", cpu, &rq), "runqueues",
		   why, len) ||
	    failed(member(prog, rq, "struct rq", "clock", &ret->clock_ns),
		   "rq->clock", why, len))
		return false;
	if (ret->touch_ts == TOUCHED || !ret->touch_ts) {
		snprintf(why, len, "watchdog_touch_ts of CPU %d was reset "
			 "(0x%" PRIx64 ") since", cpu, ret->touch_ts);
		return false;
	}
	if ((ret->clock_ns >> 30) < ret->touch_ts) {
		snprintf(why, len, "CPU %d's rq->clock (%" PRIu64 " ns) is "
			 "before its watchdog_touch_ts (%" PRIu64 ")", cpu,
			 ret->clock_ns, ret->touch_ts);
		return false;
	}
	ret->stuck = (ret->clock_ns >> 30) - ret->touch_ts;
	return true;
}

bool kt_lockup_hard_state(struct kt_program *prog, int cpu,
			  struct kt_lockup_hard *ret, char *why, size_t len)
{
	uint64_t a, b;

	memset(ret, 0, sizeof(*ret));
	ret->thresh = global_int(prog, "watchdog_thresh");
	// unsigned long before 6.6, atomic_t/int since: the low 32 bits
	// compare the same either way (little endian)
	return !failed(kt_percpu_symbol(prog, "hrtimer_interrupts", cpu, &a),
		       "hrtimer_interrupts", why, len) &&
	       !failed(kt_percpu_symbol(prog, "hrtimer_interrupts_saved", cpu,
					&b), "hrtimer_interrupts_saved", why,
		       len) &&
	       !failed(kt_read_u32(prog, a, &ret->interrupts),
		       "hrtimer_interrupts", why, len) &&
	       !failed(kt_read_u32(prog, b, &ret->saved),
		       "hrtimer_interrupts_saved", why, len);
}

/* @cpu's bit in the qsmask of the leaf rcu_node that covers it. */
static void rcu_pending(struct kt_program *prog, uint64_t rs, int cpu,
			struct kt_lockup_rcu *ret)
{
	static const char rn[] = "struct rcu_node";
	uint64_t off, size, addr, lvls = 0, nnodes = 0;
	struct kt_member node;

	if (kt_error_catch_any(kt_type_member(prog, "struct rcu_state", "node",
					      &node)) ||
	    kt_error_catch_any(kt_type_size(prog, rn, &size)) || !size ||
	    kt_error_catch_any(kt_symbol_address(prog, "rcu_num_lvls", &addr)) ||
	    kt_error_catch_any(kt_read(prog, addr, &lvls, 4)) ||
	    kt_error_catch_any(kt_symbol_address(prog, "rcu_num_nodes",
						 &addr)) ||
	    kt_error_catch_any(kt_read(prog, addr, &nnodes, 4)))
		return;
	lvls = (uint32_t)lvls;
	nnodes = (uint32_t)nnodes;
	for (off = 0; off < nnodes && off < MAX_RCU_NODES &&
	     (off + 1) * size <= node.size; off++) {
		uint64_t base = rs + node.offset + off * size;
		uint64_t level, lo, hi, mask;

		if (kt_error_catch_any(member(prog, base, rn, "level", &level)) ||
		    level + 1 != lvls ||
		    kt_error_catch_any(member(prog, base, rn, "grplo", &lo)) ||
		    kt_error_catch_any(member(prog, base, rn, "grphi", &hi)) ||
		    (uint64_t)cpu < lo || (uint64_t)cpu > hi || cpu - lo >= 64 ||
		    kt_error_catch_any(member(prog, base, rn, "qsmask", &mask)))
			continue;
		ret->qsmask = mask;
		ret->pending = (int)((mask >> (cpu - lo)) & 1);
		return;
	}
}

bool kt_lockup_rcu_state(struct kt_program *prog, int cpu,
			 struct kt_lockup_rcu *ret, char *why, size_t len)
{
	static const char rs_t[] = "struct rcu_state";
	uint64_t rs, j, rdp, ticks;

	memset(ret, 0, sizeof(*ret));
	ret->ticks = ret->pending = -1;
	ret->timeout = global_int(prog, "rcu_cpu_stall_timeout");
	if (failed(kt_symbol_address(prog, "jiffies_64", &j), "jiffies_64",
		   why, len) ||
	    failed(kt_read_u64(prog, j, &ret->jiffies), "jiffies_64", why,
		   len) ||
	    failed(kt_symbol_address(prog, "rcu_state", &rs), "rcu_state", why,
		   len) ||
	    failed(member(prog, rs, rs_t, "gp_start", &ret->gp_start),
		   "rcu_state.gp_start", why, len) ||
	    failed(member(prog, rs, rs_t, "gp_seq", &ret->gp_seq),
		   "rcu_state.gp_seq", why, len))
		return false;
	// jiffies is unsigned long: the difference wraps as time_after()'s
	ret->age = ret->jiffies - ret->gp_start;
	ret->gp_running = ret->gp_seq & RCU_SEQ_STATE_MASK;
	if (!kt_error_catch_any(kt_percpu_symbol(prog, "rcu_data", cpu, &rdp)) &&
	    !kt_error_catch_any(member(prog, rdp, "struct rcu_data",
				       "ticks_this_gp", &ticks)))
		ret->ticks = (long)ticks;
	rcu_pending(prog, rs, cpu, ret);
	return true;
}
