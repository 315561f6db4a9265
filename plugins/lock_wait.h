/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a sleeping task waits on, found from memory rather than from the
 * DWARF locations of its slow path's variables (optimised frames often
 * lose `lock`).
 *
 * Every sleeping lock and wait primitive of the kernel queues a waiter
 * struct that lives on the sleeping task's own stack and names the task:
 * struct mutex_waiter, rwsem_waiter and semaphore_waiter {list, task},
 * struct swait_queue {task, task_list} (completions), struct
 * wait_queue_entry {private = task, entry} and the wait_page_queue and
 * wait_bit_queue_entry that wrap one. Which of them a task has is told by
 * the type of a local in scope in its scheduler frames or its wait point
 * (DWARF scopes, not locations); where it is, by the stack word equal to
 * the task_struct address at the type's task member whose list links form
 * a consistent ring. Walking that ring (bounded, cycle-checked) gives
 * every waiter and the one node that is not a waiter: the wait list's head
 * in the lock, and so the lock, by offsetof().
 *
 * Private to the plugins that read locks (lock_chain).
 */
#ifndef KT_PLUGINS_LOCK_WAIT_H
#define KT_PLUGINS_LOCK_WAIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hashmap.h"
#include "core/stack.h"

struct kt_program;
struct kt_task_list;

enum kt_wait_kind {
	KT_WAIT_MUTEX,
	KT_WAIT_RWSEM,
	KT_WAIT_SEMAPHORE,
	KT_WAIT_COMPLETION,	/* a swait queue inside a struct completion */
	KT_WAIT_SWAIT,		/* a bare swait queue */
	KT_WAIT_QUEUE,		/* a wait_queue_head */
	KT_WAIT_PERCPU_RWSEM,	/* its waiters wait queue */
	KT_WAIT_PAGE,		/* a folio or page bit (PG_locked...) */
};

/** "mutex", "rw_semaphore", "semaphore", "completion", ... */
const char *kt_wait_kind_name(enum kt_wait_kind kind);

/** The C type of the lock: "struct mutex", ...; NULL for KT_WAIT_PAGE. */
const char *kt_wait_kind_type(enum kt_wait_kind kind);

#define KT_WAIT_MAX_RING 64

/** One task queued on the same wait list. */
struct kt_wait_peer {
	uint64_t task;
	uint64_t waiter;	/* its waiter struct */
	bool write;		/* rwsem: RWSEM_WAITING_FOR_WRITE */
};

struct kt_lock_wait {
	enum kt_wait_kind kind;
	uint64_t task;
	uint64_t waiter;	/* the waiter struct on the task's stack */
	char waiter_type[48];	/* "struct mutex_waiter" */
	size_t frame;		/* the frame whose scope declares it */
	char function[96];	/* that scope's function */
	char variable[32];	/* the local's name */
	uint64_t head;		/* the list head the ring leads to */
	uint64_t lock;		/* the lock, completion or wait queue head */
	bool write;		/* rwsem: it waits to write */
	/* a variable in scope that confirms the lock (its value known) */
	char confirm[96];
	/* every task queued on the list (this one too), in list order */
	struct kt_wait_peer ring[KT_WAIT_MAX_RING];
	size_t nring;
	bool ring_cut;		/* more than KT_WAIT_MAX_RING */
	size_t others;		/* non-task entries of a wait queue's list */
	/* KT_WAIT_PAGE: the folio (or page) and the bit */
	uint64_t page;
	int bit;
};

/*
 * What is learnt once per run: which pcs have no waiter or lock pointer
 * in scope (most tasks sleep in the same few scheduler frames), and the
 * __sched text.
 */
struct kt_lock_wait_ctx {
	struct kt_u64map boring;	/* pc -> 1: nothing of interest */
	uint64_t sched_lo, sched_hi;
};

void kt_lock_wait_ctx_init(struct kt_program *prog,
			   struct kt_lock_wait_ctx *ctx);
void kt_lock_wait_ctx_deinit(struct kt_lock_wait_ctx *ctx);

/**
 * What the task unwound into @tr waits on. False when it waits on
 * nothing this knows (a sleep, a poll, a wait whose waiter is not found
 * consistently); @why then says why, for the derivation.
 */
bool kt_lock_wait_find(struct kt_program *prog, struct kt_lock_wait_ctx *ctx,
		       const struct kt_task_list *tl, const struct kt_trace *tr,
		       struct kt_lock_wait *ret, char *why, size_t len);

/** The state of a lock: who holds it, as its own fields say. */
struct kt_lock_state {
	bool read;		/* the fields below were read */
	uint64_t word;		/* mutex/rwsem owner word */
	uint64_t count;		/* rwsem count, semaphore count, done */
	uint64_t owner;		/* the holding task, 0 when not known */
	bool writer;		/* rwsem: RWSEM_WRITER_LOCKED */
	long readers;		/* rwsem: count >> RWSEM_READER_SHIFT */
	uint64_t last_reader;	/* rwsem reader-owned: the owner hint */
	uint64_t block;		/* percpu rwsem: a writer has it or wants it */
	bool locked;		/* page: its bit is set in the flags */
	uint64_t flags;		/* page: the flags word */
	bool pg_locked;		/* page: the bit is PG_locked */
};

/**
 * Read @w's lock: its owner word, count or done, a percpu rwsem's block
 * and the writer its rcuwait names (the owner: it has blocked new readers
 * and waits for the old ones to leave), a page's flags.
 */
void kt_lock_state_read(struct kt_program *prog,
			const struct kt_task_list *tl,
			const struct kt_lock_wait *w,
			struct kt_lock_state *ret);

/**
 * A symbolic name of the lock at @addr of C type @type (NULL: any): the
 * global and member path holding it ("some_dev.cfg_lock", " [module]"
 * after a module's), the slab object and offset ("kmalloc-64 object
 * 0xffff...+0x8"), whose stack, else kmem's brief. Raw: sanitise.
 */
void kt_lock_name(struct kt_program *prog, uint64_t addr, const char *type,
		  char *buf, size_t len);

#endif /* KT_PLUGINS_LOCK_WAIT_H */
