/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel stack traces of x86-64 tasks, unwound with ORC.
 *
 * A trace starts from the registers a CPU saved at the crash (per-CPU
 * crash_notes in memory on a kdump, the file's PRSTATUS notes otherwise)
 * or, for a task that was not running, from its inactive_task_frame. It
 * follows pt_regs frames (exceptions, interrupts, syscalls) and crosses
 * from exception and IRQ stacks to the task stack. Every step is checked:
 * the stack pointer must stay on a stack of the task's CPU and move up, and
 * a trace ends with the reason it ended.
 */
#ifndef KT_CORE_STACK_H
#define KT_CORE_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dump.h"
#include "core/dwarf.h"
#include "core/error.h"
#include "core/program.h"

enum kt_stack_kind {
	KT_STACK_UNKNOWN,
	KT_STACK_TASK,
	KT_STACK_IRQ,
	KT_STACK_NMI,
	KT_STACK_DF,	/* double fault */
	KT_STACK_DB,	/* debug */
	KT_STACK_MCE,
	KT_STACK_VC,	/* SEV #VC, two stacks */
	KT_STACK_USER,
	KT_NR_STACKS,
};

/** "task", "irq", "nmi", "exception" (#DF/#DB/#MC/#VC) or "user". */
const char *kt_stack_kind_class(enum kt_stack_kind kind);

/** crash's banner name: "IRQ", "NMI", "DOUBLEFAULT", ... */
const char *kt_stack_kind_name(enum kt_stack_kind kind);

struct kt_regset {
	uint64_t r[KT_NR_REGS];
	uint32_t known;		/* bit (1 << enum kt_reg) */
};

struct kt_frame {
	uint64_t pc, sp;
	bool interrupted;	/* pc is where it stopped, not a return */
	enum kt_stack_kind stack;
	bool has_regs;		/* regs is the whole set in force here */
	uint64_t regs_addr;	/* the pt_regs on the stack; 0: saved regs */
	struct kt_regset regs;
	bool has_sym;
	struct kt_symbol_hit sym;	/* of pc, or pc - 1 for returns */
};

struct kt_trace {
	uint64_t task;
	int cpu;		/* the CPU it ran on, -1 if not running */
	const char *regs_source;	/* where the first registers came from */
	struct kt_frame *frames;
	size_t n;
	bool complete;		/* reached the end of the stack or user mode */
	char stop[192];		/* why the unwind stopped */
};

/** Unwind @task (a task_struct address). */
struct kt_error *kt_stack_trace(struct kt_program *prog, uint64_t task,
				struct kt_trace *ret);

void kt_trace_deinit(struct kt_trace *t);

/**
 * The functions at a frame's pc, innermost first: those inlined there,
 * then the one that contains them (see kt_dwarf_inline_chain()). 0 when
 * there is no DWARF for the pc.
 */
size_t kt_frame_functions(struct kt_program *prog, const struct kt_frame *f,
			  struct kt_inline *ret, size_t max);

/** A parameter or local of a frame, evaluated. */
struct kt_frame_var {
	const char *name, *function;	/* owned by the DWARF */
	bool param;
	bool known;		/* value is valid */
	uint64_t value;		/* up to 8 bytes, zero-extended */
	uint64_t size;
	Dwarf_Off type;
	const char *why;	/* when !known: "optimized out", ... */
	/* it lives in memory at addr (a struct too: why "not a scalar") */
	bool in_memory;
	uint64_t addr;
	int reg;		/* it is in register enum kt_reg; else -1 */
};

/**
 * The parameters and locals in scope at frame @i of @tr, innermost
 * function first, evaluated with the registers known there, the frame's
 * CFA and the dump's memory. What cannot be known says why.
 */
size_t kt_frame_variables(struct kt_program *prog, const struct kt_trace *tr,
			  size_t i, struct kt_frame_var *ret, size_t max);

/**
 * The DWARF a frame's code and variables' types live in: vmlinux's or its
 * module's; NULL for user frames or a module without debuginfo.
 */
struct kt_dwarf *kt_frame_dwarf(struct kt_program *prog,
				const struct kt_frame *f);

/**
 * The source file and line of a frame's pc (of pc - 1 for a return
 * address), from vmlinux's or a module's DWARF. @file is owned by @prog.
 */
bool kt_frame_source(struct kt_program *prog, const struct kt_frame *f,
		     const char **file, int *line);

/** Where the stack of @kind for @task (on @cpu, or -1) lies. */
bool kt_stack_bounds(struct kt_program *prog, uint64_t task, int cpu,
		     enum kt_stack_kind kind, uint64_t *lo, uint64_t *hi);

#endif /* KT_CORE_STACK_H */
