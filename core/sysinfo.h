/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The facts of crash's `sys`: what kernel, what dump, when it crashed, why,
 * on which CPU and in which task.
 */
#ifndef KT_CORE_SYSINFO_H
#define KT_CORE_SYSINFO_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

struct kt_program;

#define KT_UTS_LEN 65

struct kt_sysinfo {
	unsigned nr_cpus;		/* nr_cpu_ids */
	unsigned online_cpus;		/* bits in cpu_online_mask */
	int64_t crash_time;		/* seconds since the epoch */
	bool crash_time_known;
	uint64_t uptime_sec;
	bool uptime_known;
	unsigned hz;
	uint64_t avenrun[3];		/* fixed point, FSHIFT 11 */
	bool load_known;
	uint64_t tasks;
	uint64_t memory_bytes;		/* present (or spanned) pages */
	char sysname[KT_UTS_LEN], nodename[KT_UTS_LEN], release[KT_UTS_LEN];
	char version[KT_UTS_LEN], machine[KT_UTS_LEN];
	/* Raw bytes from the log and the dump: sanitise before printing. */
	char panic[512];		/* panic() message, else the oops line */
	char panic_cause[512];		/* the oops/BUG line behind a panic */
	int panic_cpu;			/* -1 when unknown */
	int panic_pid;
	char panic_comm[17];
	uint64_t panic_task;
	char *warnings;			/* what could not be read, one a line */
};

/** Gather the facts; parts that cannot be read are listed in ->warnings. */
struct kt_error *kt_sysinfo_load(struct kt_program *prog,
				 struct kt_sysinfo *ret);

void kt_sysinfo_deinit(struct kt_sysinfo *info);

/** "HH:MM:SS" or "N days, HH:MM:SS" into @buf. */
void kt_format_uptime(uint64_t sec, char *buf, size_t size);

/** One load average value "0.42" from fixed point. */
void kt_format_load(uint64_t avenrun, char *buf, size_t size);

#endif /* KT_CORE_SYSINFO_H */
