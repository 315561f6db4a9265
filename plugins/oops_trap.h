/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The oops plugin's second half: traps that are no bad memory access.
 * BUG()/BUG_ON() and WARN() decoded through the kernel's bug table, and
 * the other exceptions a distro kernel dies of (divide error, a kernel
 * stack overflow into the guard page, executing non-executable memory),
 * told by the log and checked against the panic task's frames.
 */
#ifndef KT_PLUGINS_OOPS_TRAP_H
#define KT_PLUGINS_OOPS_TRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/stack.h"
#include "plugins/plugin.h"

/* What the log says about the last trap. */
struct kt_trap_log {
	int bug_rec;		/* "kernel BUG at FILE:LINE!", or -1 */
	char bug_file[160];
	unsigned bug_line;
	int warn_rec;		/* "WARNING: CPU: N PID: P at FILE:LINE ..." */
	char warn_file[160];
	unsigned warn_line;
	int ud_rec;		/* "invalid opcode: 0000 [#1] ..." */
	int de_rec;		/* "divide error: 0000 [#1] ..." */
	int guard_rec;		/* "BUG: stack guard page was hit at X ..." */
	uint64_t guard_addr, guard_lo, guard_hi;
	int nx_rec;		/* "kernel tried to execute NX-protected page" */
	int pagedump_rec;	/* "page dumped because: ..." */
	char pagedump[160];
	int page_rec;		/* "page:ADDR refcount:..." of a page dump */
	uint64_t page;
	int panic_warn_rec;	/* "Kernel panic - not syncing: ...panic_on_warn..." */
};

/** Parse one log line into @l (call for every record, in order). */
void kt_trap_log_line(struct kt_trap_log *l, const char *text, int rec);

/** An empty trap log: every record index -1. */
void kt_trap_log_init(struct kt_trap_log *l);

/**
 * Decode a trap in @tr, the panic task's trace (pid @pid, task @task);
 * emits at most one finding. True when it did.
 */
bool kt_oops_trap(struct kt_program *prog, const struct kt_trace *tr,
		  int pid, uint64_t task, struct kt_findings *out);

#endif /* KT_PLUGINS_OOPS_TRAP_H */
