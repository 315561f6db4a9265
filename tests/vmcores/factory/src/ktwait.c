// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktwait.ko - tasks blocked on the sleeping locks and wait primitives the
 * lock_chain analyzer reads but ktscen's lock-chain scenario does not
 * show, for crash dumps of the triage tool's fixtures. NEVER load on a
 * real machine.
 *
 * A module of its own, so that a change here does not remake the dumps of
 * ktscen.ko's scenarios.
 *
 * scen=wait_kinds  a struct semaphore inside a kmalloc'd object, taken
 *                  with down() by a task that then waits on a wait queue
 *                  head inside a global struct for a condition that never
 *                  holds; two tasks blocked in down() on it. A
 *                  percpu_rw_semaphore in that global struct held for
 *                  write by a task waiting on a completion nobody
 *                  completes; a task blocked in percpu_down_read(). A
 *                  page locked (PG_locked) by a task that then waits on
 *                  the same wait queue; a task blocked locking it. Every
 *                  task sleeps uninterruptibly: the crash is the hung
 *                  task panic (guest/init sets hung_task_panic).
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/kthread.h>
#include <linux/delay.h>
#include <linux/semaphore.h>
#include <linux/percpu-rwsem.h>
#include <linux/completion.h>
#include <linux/wait.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/version.h>

static char *scen = "none";
module_param(scen, charp, 0444);
MODULE_PARM_DESC(scen, "scenario: wait_kinds");

/* a device's shared state: a global */
struct kt_hub {
	unsigned long flags;
	wait_queue_head_t idle_wq;
	bool idle;
	struct percpu_rw_semaphore resize_sem;
	struct completion quiesced;
};
static struct kt_hub kt_hub;

/* a pool of slots: kmalloc'd, the semaphore not at its start */
struct kt_pool {
	unsigned long tag;
	struct list_head users;
	struct semaphore slots;
	int nr_free;
};
static struct kt_pool *kt_pool;
static struct page *kt_page;

/* the wait queue's condition never holds */
static noinline void kt_wait_idle(struct kt_hub *h)
{
	wait_event(h->idle_wq, READ_ONCE(h->idle));
}

static noinline void kt_pool_drain(struct kt_pool *p)
{
	down(&p->slots);
	p->nr_free--;
	kt_wait_idle(&kt_hub);
	up(&p->slots);
}

static int kt_sem_holder(void *arg)
{
	kt_pool_drain(kt_pool);
	return 0;
}

static noinline void kt_pool_get(struct kt_pool *p)
{
	down(&p->slots);
	p->nr_free--;
	up(&p->slots);
}

static int kt_sem_waiter(void *arg)
{
	msleep(300 + 50 * (long)arg);
	kt_pool_get(kt_pool);
	return 0;
}

static noinline void kt_hub_resize(struct kt_hub *h)
{
	percpu_down_write(&h->resize_sem);
	/* waits for a quiesce that never comes, write lock held */
	wait_for_completion(&h->quiesced);
	percpu_up_write(&h->resize_sem);
}

static int kt_pcpu_writer(void *arg)
{
	kt_hub_resize(&kt_hub);
	return 0;
}

static noinline unsigned long kt_hub_read(struct kt_hub *h)
{
	unsigned long f;

	percpu_down_read(&h->resize_sem);
	f = h->flags;
	percpu_up_read(&h->resize_sem);
	return f;
}

static int kt_pcpu_reader(void *arg)
{
	msleep(600);
	return (int)kt_hub_read(&kt_hub);
}

/* 5.16's "mm/filemap: Add folio_lock()": lock_page() on older kernels */
static noinline void kt_page_lock(struct page *page)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 16, 0)
	folio_lock(page_folio(page));
#else
	lock_page(page);
#endif
}

static noinline void kt_page_unlock(struct page *page)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 16, 0)
	folio_unlock(page_folio(page));
#else
	unlock_page(page);
#endif
}

static int kt_page_holder(void *arg)
{
	kt_page_lock(kt_page);
	/* waits on the hub, page locked */
	kt_wait_idle(&kt_hub);
	kt_page_unlock(kt_page);
	return 0;
}

static int kt_page_waiter(void *arg)
{
	msleep(400);
	kt_page_lock(kt_page);
	kt_page_unlock(kt_page);
	return 0;
}

static int kt_wait_kinds(void)
{
	long i;

	init_waitqueue_head(&kt_hub.idle_wq);
	init_completion(&kt_hub.quiesced);
	if (percpu_init_rwsem(&kt_hub.resize_sem))
		return -ENOMEM;
	kt_pool = kzalloc(sizeof(*kt_pool), GFP_KERNEL);
	kt_page = alloc_page(GFP_KERNEL);
	if (!kt_pool || !kt_page)
		return -ENOMEM;
	kt_pool->tag = 0x6b74706f6f6c7331UL;	/* "ktpools1" */
	INIT_LIST_HEAD(&kt_pool->users);
	sema_init(&kt_pool->slots, 1);
	kt_pool->nr_free = 1;
	kthread_run(kt_sem_holder, NULL, "kt_drain");
	for (i = 0; i < 2; i++)
		kthread_run(kt_sem_waiter, (void *)i, "kt_get/%ld", i);
	kthread_run(kt_pcpu_writer, NULL, "kt_resize");
	kthread_run(kt_pcpu_reader, NULL, "kt_stat");
	kthread_run(kt_page_holder, NULL, "kt_pgown");
	kthread_run(kt_page_waiter, NULL, "kt_pgwait");
	return 0;
}

static int __init ktwait_init(void)
{
	pr_info("ktwait: scenario %s\n", scen);
	if (!strcmp(scen, "wait_kinds"))
		return kt_wait_kinds();
	return 0;
}

static void __exit ktwait_exit(void)
{
	/* not meant to be unloaded after a scenario ran */
}

module_init(ktwait_init);
module_exit(ktwait_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("sleeping-lock crash-dump fixture scenarios (deliberately hung)");
