// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/checked.h"
#include "core/list.h"
#include "core/program.h"
#include "core/task.h"

/* Task state bits, stable since 4.14 (TASK_PARKED and TASK_IDLE reports). */
#define TASK_UNINTERRUPTIBLE 0x0002
#define TASK_REPORT 0x007f
#define TASK_NOLOAD 0x0400
#define TASK_IDLE (TASK_UNINTERRUPTIBLE | TASK_NOLOAD)
#define TASK_RTLOCK_WAIT 0x1000
#define TASK_WAKING 0x0200
#define TASK_NEW 0x0800
#define PF_KTHREAD 0x00200000

struct walk {
	struct kt_task_list *list;
	size_t cap;
	struct kt_addrset seen;
	uint64_t tasks_off, thread_off;
	bool thread_node;	/* 5.x+: signal->thread_head/thread_node */
};

const char *kt_task_state_letters(uint32_t state, uint32_t exit_state)
{
	// The order of the kernel's task_state_array[]: R S D T t X Z P I.
	static const char *const letters[] = {
		"RU", "IN", "UN", "ST", "TR", "DE", "ZO", "PA", "ID",
	};
	uint32_t report = (state | exit_state) & TASK_REPORT;
	int idx = 0;

	if (state == TASK_IDLE)
		return "ID";
	// crash's two states outside the report bits: a task being woken
	// (try_to_wake_up() between its CPUs) and one not yet started
	if (state == TASK_WAKING && !exit_state)
		return "WA";
	if (state == TASK_NEW && !exit_state)
		return "NE";
	if (state & TASK_RTLOCK_WAIT)
		return "UN";
	while (report) {
		idx++;
		report >>= 1;
	}
	return letters[idx];
}

static struct kt_error *member_u32(struct kt_program *prog, uint64_t addr,
				   const char *member, uint32_t *ret)
{
	uint64_t off;
	struct kt_error *err;

	err = kt_type_member_offset(prog, "struct task_struct", member, &off);
	return err ? err : kt_read_u32(prog, addr + off, ret);
}

static struct kt_error *member_u64(struct kt_program *prog, uint64_t addr,
				   const char *member, uint64_t *ret)
{
	uint64_t off;
	struct kt_error *err;

	err = kt_type_member_offset(prog, "struct task_struct", member, &off);
	return err ? err : kt_read_u64(prog, addr + off, ret);
}

/* 5.14 renamed state to __state (commit 2f064a59a11f). */
static const char *state_member(struct kt_program *prog)
{
	return kt_type_has_member(prog, "struct task_struct", "__state") ?
		"__state" : "state";
}

/* The CPU moved between task_struct and thread_info over the years. */
static const char *cpu_member(struct kt_program *prog)
{
	return kt_type_has_member(prog, "struct task_struct", "cpu") ?
		"cpu" : "thread_info.cpu";
}

static struct kt_error *read_task(struct kt_program *prog, uint64_t addr,
				  struct kt_task *t)
{
	struct kt_error *err;
	uint64_t off, parent;
	uint32_t v, flags;

	memset(t, 0, sizeof(*t));
	t->addr = addr;
	err = member_u32(prog, addr, "pid", &v);
	t->pid = (int32_t)v;
	if (!err)
		err = member_u32(prog, addr, "tgid", &v);
	t->tgid = (int32_t)v;
	if (!err)
		err = member_u32(prog, addr, state_member(prog), &t->state);
	if (!err)
		err = member_u32(prog, addr, "exit_state", &t->exit_state);
	if (!err)
		err = member_u32(prog, addr, cpu_member(prog), &v);
	t->cpu = (int32_t)v;
	if (!err)
		err = member_u32(prog, addr, "flags", &flags);
	if (!err)
		err = member_u64(prog, addr, "stack", &t->stack);
	if (!err)
		err = kt_type_member_offset(prog, "struct task_struct", "comm",
					    &off);
	if (!err)
		err = kt_read(prog, addr + off, t->comm, KT_TASK_COMM_LEN);
	if (err)
		return kt_error_wrap(err, "reading task 0x%" PRIx64, addr);
	t->comm[KT_TASK_COMM_LEN] = 0;
	t->kthread = flags & PF_KTHREAD;
	memcpy(t->st, kt_task_state_letters(t->state, t->exit_state), 3);
	// The parent matters less than the task: keep the task without it.
	t->ppid = -1;
	if (!kt_error_catch_any(member_u64(prog, addr, "real_parent",
					   &parent)) && parent &&
	    !kt_error_catch_any(member_u32(prog, parent, "pid", &v)))
		t->ppid = (int32_t)v;
	return NULL;
}

static struct kt_error *add_task(struct kt_program *prog, struct walk *w,
				 uint64_t addr, bool idle)
{
	struct kt_task_list *list = w->list;
	struct kt_error *err;
	bool added;

	if (!kt_addrset_add(&w->seen, addr, &added))
		return &kt_error_nomem;
	if (!added)
		return NULL;
	if (list->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 256;
		void *p = realloc(list->tasks, cap * sizeof(*list->tasks));

		if (!p)
			return &kt_error_nomem;
		list->tasks = p;
		w->cap = cap;
	}
	err = read_task(prog, addr, &list->tasks[list->n]);
	if (err)
		return err;
	list->tasks[list->n].idle = idle;
	list->n++;
	return NULL;
}

static struct kt_error *visit_thread(struct kt_program *prog, uint64_t node,
				     void *arg)
{
	struct walk *w = arg;

	return add_task(prog, w, node - w->thread_off, false);
}

static struct kt_error *visit_process(struct kt_program *prog, uint64_t node,
				      void *arg)
{
	struct walk *w = arg;
	uint64_t leader = node - w->tasks_off, head;
	struct kt_error *err;

	err = add_task(prog, w, leader, false);
	if (err)
		return err;
	if (!w->thread_node)
		return kt_list_walk(prog, leader + w->thread_off,
				    visit_thread, w);
	err = member_u64(prog, leader, "signal", &head);
	if (!err) {
		uint64_t off;

		err = kt_type_member_offset(prog, "struct signal_struct",
					    "thread_head", &off);
		head += off;
	}
	return err ? err : kt_list_walk(prog, head, visit_thread, w);
}

/*
 * A per-CPU task pointer: the variable @var where the kernel has it (it
 * costs no type lookup), else the runqueue's @rq_member, which needs
 * struct rq from DWARF (deep in the CU list: kernel/sched/).
 */
static struct kt_error *percpu_task(struct kt_program *prog, unsigned cpu,
				    const char *var, const char *rq_member,
				    uint64_t *ret)
{
	struct kt_error *err;
	uint64_t addr, off;

	err = kt_percpu_symbol(prog, var, cpu, &addr);
	if (!err)
		return kt_read_u64(prog, addr, ret);
	kt_error_destroy(err);
	err = kt_percpu_symbol(prog, "runqueues", cpu, &addr);
	if (!err)
		err = kt_type_member_offset(prog, "struct rq", rq_member, &off);
	if (!err)
		err = kt_read_u64(prog, addr + off, ret);
	return err;
}

/* current_task is what `current` reads on x86 (pcpu_hot from 6.2). */
struct kt_error *kt_task_current(struct kt_program *prog, unsigned cpu,
				 uint64_t *ret)
{
	return percpu_task(prog, cpu, "current_task", "curr", ret);
}

struct kt_error *kt_task_panicked(struct kt_program *prog, int *cpu,
				  uint64_t *task)
{
	struct kt_error *err;
	uint64_t addr;
	int32_t c = -1;

	*cpu = -1;
	err = kt_symbol_address(prog, "panic_cpu", &addr);
	if (!err)
		err = kt_read_s32(prog, addr, &c);
	if (err)
		return kt_error_wrap(err, "panic_cpu");
	if (c < 0 || (unsigned)c >= prog->nr_cpu_ids)
		return kt_error_create(KT_ERR_LOOKUP,
				       "no CPU panicked in this dump");
	*cpu = c;
	return kt_task_current(prog, c, task);
}

static struct kt_error *add_idle_tasks(struct kt_program *prog,
					    struct walk *w)
{
	for (unsigned cpu = 0; cpu < prog->nr_cpu_ids; cpu++) {
		struct kt_error *err;
		uint64_t idle;

		// smpboot's idle_threads, which fork_idle() fills.
		err = percpu_task(prog, cpu, "idle_threads", "idle", &idle);
		if (!err && idle)
			err = add_task(prog, w, idle, true);
		if (err)
			return kt_error_wrap(err, "idle task of CPU %u", cpu);
	}
	return NULL;
}

static void mark_active(struct kt_program *prog, struct kt_task_list *list)
{
	for (unsigned cpu = 0; cpu < prog->nr_cpu_ids; cpu++) {
		uint64_t cur;

		if (kt_error_catch_any(kt_task_current(prog, cpu, &cur)))
			continue;
		for (size_t i = 0; i < list->n; i++) {
			if (list->tasks[i].addr == cur)
				list->tasks[i].active = true;
		}
	}
}

static int cmp_task(const void *a, const void *b)
{
	const struct kt_task *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->cpu > y->cpu) - (x->cpu < y->cpu);
}

static struct kt_error *walk_all(struct kt_program *prog, struct walk *w)
{
	struct kt_error *err;
	uint64_t init_task;

	w->thread_node = kt_type_has_member(prog, "struct task_struct",
					    "thread_node");
	err = kt_type_member_offset(prog, "struct task_struct", "tasks",
				    &w->tasks_off);
	if (!err)
		err = kt_type_member_offset(prog, "struct task_struct",
					    w->thread_node ? "thread_node" :
							     "thread_group",
					    &w->thread_off);
	if (!err)
		err = kt_symbol_address(prog, "init_task", &init_task);
	if (err)
		return err;
	err = add_idle_tasks(prog, w);
	if (err)
		return err;
	return kt_list_walk(prog, init_task + w->tasks_off, visit_process, w);
}

struct kt_error *kt_tasks_load(struct kt_program *prog,
			       const struct kt_task_list **ret)
{
	struct walk w = { 0 };
	struct kt_error *err;

	if (prog->tasks) {
		*ret = prog->tasks;
		return NULL;
	}
	w.list = calloc(1, sizeof(*w.list));
	if (!w.list)
		return &kt_error_nomem;
	kt_addrset_init(&w.seen);
	err = walk_all(prog, &w);
	kt_addrset_deinit(&w.seen);
	if (err && err->code != KT_ERR_NOMEM &&
	    err->code != KT_ERR_NO_DWARF && w.list->n > 0) {
		w.list->warning = strdup(err->message);
		kt_error_destroy(err);
		err = NULL;
	}
	if (err) {
		kt_task_list_destroy(w.list);
		return kt_error_wrap(err, "reading the task list");
	}
	mark_active(prog, w.list);
	kt_qsort(w.list->tasks, w.list->n, sizeof(*w.list->tasks), cmp_task);
	prog->tasks = w.list;
	*ret = w.list;
	return NULL;
}

void kt_task_list_destroy(struct kt_task_list *list)
{
	if (!list)
		return;
	free(list->tasks);
	free(list->warning);
	free(list);
}

const struct kt_task *kt_task_by_pid(const struct kt_task_list *list, int pid)
{
	for (size_t i = 0; i < list->n; i++) {
		if (list->tasks[i].pid == pid && !list->tasks[i].idle)
			return &list->tasks[i];
	}
	return NULL;
}

const struct kt_task *kt_task_by_addr(const struct kt_task_list *list,
				      uint64_t addr)
{
	for (size_t i = 0; i < list->n; i++) {
		if (list->tasks[i].addr == addr)
			return &list->tasks[i];
	}
	return NULL;
}
