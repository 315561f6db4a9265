/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tasks of the dumped kernel: every thread of every process, plus each
 * CPU's idle task (which no process list holds), with crash's state
 * letters and which task was running on each CPU.
 */
#ifndef KT_CORE_TASK_H
#define KT_CORE_TASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct kt_program;

#define KT_TASK_COMM_LEN 16

struct kt_task {
	uint64_t addr;		/* struct task_struct */
	int pid, tgid, ppid;
	int cpu;
	char comm[KT_TASK_COMM_LEN + 1];	/* raw bytes: sanitise */
	uint32_t state;		/* __state (state before 5.14) */
	uint32_t exit_state;
	char st[3];		/* crash's letters: RU IN UN ID ZO ST TR DE PA */
	bool active;		/* current task of its CPU */
	bool idle;		/* a CPU's idle task (pid 0) */
	bool kthread;
	uint64_t stack;		/* task->stack */
};

struct kt_task_list {
	struct kt_task *tasks;	/* sorted by pid, idle tasks by CPU */
	size_t n;
	char *warning;		/* set when a list walk stopped early */
};

/**
 * Load every task once; the result is owned by @prog. A corrupt task list
 * keeps the tasks read so far and sets ->warning.
 */
struct kt_error *kt_tasks_load(struct kt_program *prog,
			       const struct kt_task_list **ret);

void kt_task_list_destroy(struct kt_task_list *list);

/** The task with @pid (not an idle task), or NULL. */
const struct kt_task *kt_task_by_pid(const struct kt_task_list *list, int pid);

/** The task at @addr, or NULL. */
const struct kt_task *kt_task_by_addr(const struct kt_task_list *list,
				      uint64_t addr);

/** The task running on @cpu at the time of the dump (rq->curr). */
struct kt_error *kt_task_current(struct kt_program *prog, unsigned cpu,
				 uint64_t *ret);

/**
 * The CPU that panicked (the kernel's panic_cpu) and the task running on
 * it. KT_ERR_LOOKUP when no CPU panicked; *cpu is -1 then.
 */
struct kt_error *kt_task_panicked(struct kt_program *prog, int *cpu,
				  uint64_t *task);

/** crash's two-letter state for raw __state/exit_state values. */
const char *kt_task_state_letters(uint32_t state, uint32_t exit_state);

#endif /* KT_CORE_TASK_H */
