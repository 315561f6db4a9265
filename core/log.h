/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel log (dmesg) as it was in the ring buffer at the time of the
 * dump: the lockless printk ring buffer of 5.10+ (commit 896fbe20b4e2) and
 * the older variable-length log_buf records. Layout comes from VMCOREINFO
 * (which makedumpfile also relies on) or DWARF, so the log reads even
 * with a vmlinux that has no debuginfo.
 */
#ifndef KT_CORE_LOG_H
#define KT_CORE_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct kt_program;

struct kt_log_record {
	uint64_t seq;
	uint64_t ts_nsec;
	int level;		/* 0-7; -1 unknown or not loaded, see below */
	uint32_t caller_id;
	const char *text;	/* raw bytes, not NUL-terminated: sanitise */
	size_t len;
};

struct kt_log {
	struct kt_log_record *recs;
	size_t n;
	char *data;		/* backing store of the record texts */
	char *warning;		/* records skipped, and why */
	unsigned char *infos;	/* the ring's printk_info array, for levels */
	size_t *info_index;	/* each record's slot in it */
	size_t info_size;
	bool levels_loaded;
};

/** Load the log once; the result is owned by @prog. */
struct kt_error *kt_log_load(struct kt_program *prog,
			     const struct kt_log **ret);

/**
 * kt_log_load(), with the records' levels. Levels need printk_info's
 * layout from DWARF, which the rest of the log does not (VMCOREINFO has
 * it), so they are loaded only when asked for. Without DWARF they stay -1.
 */
struct kt_error *kt_log_load_levels(struct kt_program *prog,
				    const struct kt_log **ret);

void kt_log_destroy(struct kt_log *log);

#endif /* KT_CORE_LOG_H */
