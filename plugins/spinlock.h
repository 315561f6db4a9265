/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Spinlocks on the running CPUs, for the analyzers that need them
 * (lock_irq, lockup): who spins on which lock, who holds it, and the
 * lock's name.
 *
 * A waiter is a frame of a CPU's running task in the queued-spinlock slow
 * path; its lock is the frame's `lock` parameter (DWARF), or RDI of the
 * pt_regs an NMI or IRQ saved there. A holder is a frame whose function
 * called a _raw_spin_lock* function before its return address, with no
 * _raw_spin_unlock* call since (disassembly), and that has the lock (or
 * the object containing it) in a variable or a callee-saved register. A
 * frame whose last call is the lock call is acquiring, not holding.
 */
#ifndef KT_PLUGINS_SPINLOCK_H
#define KT_PLUGINS_SPINLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/disasm.h"
#include "core/stack.h"
#include "core/task.h"

/* The task running on one CPU at the time of the dump, unwound. */
struct kt_spinlock_cpu {
	int cpu;
	const struct kt_task *t;	/* NULL when not in the task list */
	struct kt_trace tr;
	bool ok;			/* tr was unwound */
};

/** A CPU spinning in the slow path. */
struct kt_spinlock_waiter {
	struct kt_spinlock_cpu *ct;
	size_t frame;		/* the slow-path frame */
	size_t requester;	/* the first frame past the lock functions */
	uint64_t lock;
	char how[256];		/* how the lock address was found */
};

/** A frame holding a lock. */
struct kt_spinlock_holder {
	struct kt_spinlock_cpu *ct;
	size_t frame;
	uint64_t acquire_pc;	/* the call of the lock function */
	char acquire_fn[64];	/* "_raw_spin_lock_irq" */
	char evidence[160];	/* which variable or register has the lock */
};

/**
 * Unwind each CPU's running task (up to @max CPUs) into a new array
 * *@ret of *@n entries; free it with kt_spinlock_cpus_free(). CPUs that
 * cannot be unwound have ->ok false. Errors only when out of memory.
 */
struct kt_error *kt_spinlock_cpus_load(struct kt_program *prog, size_t max,
				       struct kt_spinlock_cpu **ret,
				       size_t *n);

void kt_spinlock_cpus_free(struct kt_spinlock_cpu *cpus, size_t n);

/** True for a frame of the queued-spinlock slow path. */
bool kt_spinlock_is_slowpath(const struct kt_frame *f);

/** The frame's function name, or "?". */
const char *kt_spinlock_fn(const struct kt_frame *f);

/**
 * The waiters among @cpus (at most one per CPU: its innermost slow path)
 * into @ret (room for @n); returns how many.
 */
size_t kt_spinlock_waiters(struct kt_program *prog,
			   struct kt_spinlock_cpu *cpus, size_t n,
			   struct kt_spinlock_waiter *ret);

/**
 * The innermost frame of @ct, from frame @from on, that holds @lock; false
 * when none does.
 */
bool kt_spinlock_holder(struct kt_program *prog, struct kt_disasm *d,
			struct kt_spinlock_cpu *ct, size_t from,
			uint64_t lock, struct kt_spinlock_holder *ret);

/**
 * @lock's name into @buf: "var.member [module]" when it lies in a global
 * variable (DWARF), else what kmem says it is (slab object + offset ...),
 * else its address. Raw: sanitise before printing.
 */
void kt_spinlock_name(struct kt_program *prog, uint64_t lock, char *buf,
		      size_t len);

#endif /* KT_PLUGINS_SPINLOCK_H */
