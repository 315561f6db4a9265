// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktscen.ko - deliberately broken test module used to produce real kernel
 * crash dumps for the triage tool's fixtures.  NEVER load on a real machine.
 *
 * scen=hctx_fq      corrupt hctx->fq of a null_blk disk from the driver's
 *                   ->exit_hctx() hook; the fault happens later in
 *                   blk_free_flush_queue() when the device is deleted
 *                   (rmmod null_blk).
 * scen=hctx_fq_now  corrupt hctx->fq immediately; the fault happens in
 *                   blk_mq_exit_hctx() on device deletion.
 * scen=list_poison  list_del() + kmem_cache_free() an object, then walk
 *                   through the stale entry -> GP fault on 0xdead0000...100.
 * scen=irq_lock     spin_lock_irq(A); helper does spin_lock_irq(B) /
 *                   spin_unlock_irq(B) (re-enabling IRQs while A is held);
 *                   a pinned hrtimer on the same CPU takes A -> deadlock;
 *                   another kthread on CPU1 spins on A -> soft lockup panic.
 * scen=list_double_del  list_del() an entry of a kmalloc'd object twice:
 *                   CONFIG_DEBUG_LIST reports LIST_POISON1, then BUG().
 * scen=list_neighbour   an entry's predecessor has a wrong ->next (it
 *                   points at itself); list_del() of the entry: the
 *                   CONFIG_DEBUG_LIST report "prev->next should be", BUG().
 * scen=stale_ref    a kthread frees a request while an on-stack waiter and
 *                   a local still point at it, then blocks in D state; the
 *                   crash is a later sysrq.
 * scen=lock_chain   a mutex held by a task waiting on a completion that
 *                   nobody completes; an rw_semaphore writer waiting on
 *                   that mutex; readers waiting on the rw_semaphore; and an
 *                   ABBA deadlock of two mutexes (one global, one in a
 *                   kmalloc'd object). The crash is the hung task panic.
 * scen=rcu_stall    a kthread on CPU 1 takes a spinlock and spins forever
 *                   with it held; one on CPU 0 spins on that lock. The
 *                   crash is the RCU stall panic (panic_on_rcu_stall).
 * scen=warn         a WARN_ON(cond) whose condition holds, with
 *                   panic_on_warn set by the guest.
 * scen=div0         a division by a count that is zero: divide error.
 * scen=nx           a call through a function pointer into kmalloc'd data:
 *                   the NX fault of an instruction fetch.
 * scen=stack_overflow  unbounded recursion with a large frame: the task
 *                   stack's guard page, a double fault.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/list.h>
#include <linux/kthread.h>
#include <linux/delay.h>
#include <linux/spinlock.h>
#include <linux/hrtimer.h>
#include <linux/blkdev.h>
#include <linux/blk-mq.h>
#include <linux/uaccess.h>
#include <linux/sched.h>
#include <linux/version.h>
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/completion.h>
#include <linux/rcupdate.h>

static char *scen = "none";
module_param(scen, charp, 0444);
MODULE_PARM_DESC(scen, "scenario: hctx_fq, hctx_fq_now, list_poison, irq_lock, "
		 "list_double_del, list_neighbour, stale_ref, lock_chain, rcu_stall, "
		 "warn, div0, nx, stack_overflow");
static char *disk = "/dev/nullb0";
module_param(disk, charp, 0444);
static int delay_ms = 1500;
module_param(delay_ms, int, 0644);

/* ------------------------------------------------------------------ */
/* hctx-fq                                                             */
/* ------------------------------------------------------------------ */
static struct blk_mq_ops kt_ops;		/* patched copy of the driver's ops */
static const struct blk_mq_ops *kt_orig_ops;
static struct blk_mq_tag_set *kt_set;
static unsigned long kt_bogus_fq;

/* an address that looks like a direct-map (page_offset_base) pointer of a
 * kmalloc object but that is not mapped: beyond the end of RAM */
static unsigned long kt_pick_bogus(void)
{
	unsigned long top = (unsigned long)high_memory;	/* __va(end of RAM) */
	unsigned long va;
	char c;

	for (va = top + SZ_256M + 0x3a5c40; va < top + SZ_4G; va += SZ_64M)
		if (copy_from_kernel_nofault(&c, (void *)va, 1))
			return va;		/* not mapped: good */
	return top + 0x3a5c40;
}

static noinline void kt_exit_hctx(struct blk_mq_hw_ctx *hctx,
				  unsigned int hctx_idx)
{
	if (kt_orig_ops->exit_hctx)
		kt_orig_ops->exit_hctx(hctx, hctx_idx);
	/* the "bug": scribble over the flush queue pointer */
	pr_info("ktscen: exit_hctx hctx=%px idx=%u fq=%px -> %lx\n",
		hctx, hctx_idx, hctx->fq, kt_bogus_fq);
	WRITE_ONCE(hctx->fq, (struct blk_flush_queue *)kt_bogus_fq);
}

static int kt_hctx_fq(bool now)
{
	struct block_device *bdev;
	struct request_queue *q;
	struct blk_mq_hw_ctx *hctx;
	unsigned long i;

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 9, 0)
	/* 6.9+: blkdev_get_by_path()/blkdev_put() are gone */
	struct file *bf = bdev_file_open_by_path(disk, BLK_OPEN_READ, NULL,
						 NULL);

	if (IS_ERR(bf)) {
		pr_err("ktscen: cannot open %s: %ld\n", disk, PTR_ERR(bf));
		return PTR_ERR(bf);
	}
	bdev = file_bdev(bf);
#else
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	bdev = blkdev_get_by_path(disk, BLK_OPEN_READ, NULL, NULL);
#else
	bdev = blkdev_get_by_path(disk, FMODE_READ, NULL);
#endif
	if (IS_ERR(bdev)) {
		pr_err("ktscen: cannot open %s: %ld\n", disk, PTR_ERR(bdev));
		return PTR_ERR(bdev);
	}
#endif
	q = bdev_get_queue(bdev);
	kt_bogus_fq = kt_pick_bogus();
	pr_info("ktscen: %s queue=%px tag_set=%px bogus fq=%lx\n", disk, q,
		q->tag_set, kt_bogus_fq);
	queue_for_each_hw_ctx(q, hctx, i)
		pr_info("ktscen: hctx[%lu]=%px fq=%px\n", i, hctx, hctx->fq);

	if (now) {
		queue_for_each_hw_ctx(q, hctx, i)
			WRITE_ONCE(hctx->fq, (struct blk_flush_queue *)kt_bogus_fq);
	} else {
		kt_set = q->tag_set;
		kt_orig_ops = kt_set->ops;
		kt_ops = *kt_orig_ops;
		kt_ops.exit_hctx = kt_exit_hctx;
		WRITE_ONCE(kt_set->ops, &kt_ops);
	}
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 9, 0)
	fput(bf);
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	blkdev_put(bdev, NULL);
#else
	blkdev_put(bdev, FMODE_READ);
#endif
	return 0;
}

/* ------------------------------------------------------------------ */
/* list-poison                                                         */
/* ------------------------------------------------------------------ */
struct kt_entry {
	unsigned long magic;
	struct list_head node;
	int id;
	unsigned int flags;
	char name[48];
};
#define KT_MAGIC 0x6b7473636e656e74UL	/* "ktscnent" */

static struct kmem_cache *kt_cache;
static LIST_HEAD(kt_list);
static struct kt_entry *kt_cursor;	/* cached cursor: the bug */
static struct task_struct *kt_task;

static noinline int kt_sum_from(struct kt_entry *start)
{
	struct kt_entry *e = start;
	int sum = 0, n = 0;

	/* resume a walk from a cached cursor that was already unlinked */
	while (n++ < 16) {
		e = list_entry(READ_ONCE(e->node.next), struct kt_entry, node);
		if (&e->node == &kt_list)
			break;
		sum += e->id;	/* e == LIST_POISON1 - 8 -> GP fault */
	}
	return sum;
}

static int kt_list_thread(void *arg)
{
	int i;

	msleep(delay_ms);
	/* drop entry 3 from the list and free it; kt_cursor still points at it */
	list_del(&kt_cursor->node);
	pr_info("ktscen: removed entry id=%d at %px next=%px prev=%px\n",
		kt_cursor->id, kt_cursor, kt_cursor->node.next,
		kt_cursor->node.prev);
	kmem_cache_free(kt_cache, kt_cursor);
	for (i = 0; i < 4; i++)
		msleep(100);
	pr_info("ktscen: sum=%d\n", kt_sum_from(kt_cursor));
	while (!kthread_should_stop())
		msleep(1000);
	return 0;
}

static int kt_list_poison(void)
{
	int i;

	kt_cache = kmem_cache_create("ktscen_entry", sizeof(struct kt_entry), 0,
				     SLAB_ACCOUNT, NULL);
	if (!kt_cache)
		return -ENOMEM;
	for (i = 0; i < 8; i++) {
		struct kt_entry *e = kmem_cache_alloc(kt_cache, GFP_KERNEL);

		if (!e)
			return -ENOMEM;
		e->magic = KT_MAGIC;
		e->id = i;
		e->flags = 0x10 + i;
		snprintf(e->name, sizeof(e->name), "ktscen-entry-%d", i);
		list_add_tail(&e->node, &kt_list);
		if (i == 3)
			kt_cursor = e;
	}
	kt_task = kthread_run(kt_list_thread, NULL, "kt_listwalk");
	return PTR_ERR_OR_ZERO(kt_task);
}

/* ------------------------------------------------------------------ */
/* irq-lock                                                            */
/* ------------------------------------------------------------------ */
struct kt_merge_ctx {
	spinlock_t lock;	/* "A" */
	spinlock_t stats_lock;	/* "B" */
	unsigned long merged, stats, timer_hits, other;
	struct hrtimer timer;
};
static struct kt_merge_ctx kt_mctx;
static struct task_struct *kt_merge_task, *kt_other_task;

static noinline void kt_update_stats(struct kt_merge_ctx *c)
{
	spin_lock_irq(&c->stats_lock);
	c->stats++;
	spin_unlock_irq(&c->stats_lock);	/* BUG: re-enables IRQs, A held */
}

static noinline void kt_merge_one(struct kt_merge_ctx *c)
{
	spin_lock_irq(&c->lock);
	kt_update_stats(c);
	c->merged++;
	udelay(500);	/* IRQs are (wrongly) on while A is held */
	spin_unlock_irq(&c->lock);
}

static enum hrtimer_restart kt_timer_fn(struct hrtimer *t)
{
	struct kt_merge_ctx *c = container_of(t, struct kt_merge_ctx, timer);
	unsigned long flags;

	spin_lock_irqsave(&c->lock, flags);	/* deadlocks on this CPU */
	c->timer_hits++;
	spin_unlock_irqrestore(&c->lock, flags);
	hrtimer_forward_now(t, ns_to_ktime(700 * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

static int kt_merge_thread(void *arg)
{
	struct kt_merge_ctx *c = arg;

	msleep(delay_ms);
	hrtimer_start(&c->timer, ns_to_ktime(700 * NSEC_PER_USEC), HRTIMER_MODE_REL_PINNED);
	while (!kthread_should_stop()) {
		kt_merge_one(c);
		cond_resched();
	}
	return 0;
}

static int kt_other_thread(void *arg)
{
	struct kt_merge_ctx *c = arg;

	msleep(delay_ms);
	while (!kthread_should_stop()) {
		/* IRQs stay on here so the soft-lockup watchdog can fire */
		spin_lock(&c->lock);
		c->other++;
		spin_unlock(&c->lock);
		usleep_range(200, 400);
	}
	return 0;
}

static int kt_irq_lock(void)
{
	if (num_online_cpus() < 2)
		return -EINVAL;
	spin_lock_init(&kt_mctx.lock);
	spin_lock_init(&kt_mctx.stats_lock);
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
	/* hrtimer_setup() in 6.13; hrtimer_init() went away in 6.15 */
	hrtimer_setup(&kt_mctx.timer, kt_timer_fn, CLOCK_MONOTONIC,
		      HRTIMER_MODE_REL_PINNED);
#else
	hrtimer_init(&kt_mctx.timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED);
	kt_mctx.timer.function = kt_timer_fn;
#endif
	kt_merge_task = kthread_create(kt_merge_thread, &kt_mctx, "kt_merge");
	if (IS_ERR(kt_merge_task))
		return PTR_ERR(kt_merge_task);
	kthread_bind(kt_merge_task, 0);
	kt_other_task = kthread_create(kt_other_thread, &kt_mctx, "kt_merge_peer");
	if (IS_ERR(kt_other_task))
		return PTR_ERR(kt_other_task);
	kthread_bind(kt_other_task, 1);
	wake_up_process(kt_merge_task);
	wake_up_process(kt_other_task);
	return 0;
}

/* ------------------------------------------------------------------ */
/* list-double-del, list-neighbour: CONFIG_DEBUG_LIST reports          */
/* ------------------------------------------------------------------ */
struct kt_item {
	unsigned long cookie;
	struct list_head link;
	int id;
	char label[40];
	unsigned long stamp;
};
static LIST_HEAD(kt_items);
static struct kt_item *kt_victim;

static noinline void kt_item_unlink(struct kt_item *it)
{
	pr_info("ktscen: unlinking item %d at %px\n", it->id, it);
	list_del(&it->link);
	it->stamp = jiffies;
}

static int kt_items_make(int n)
{
	int i;

	for (i = 0; i < n; i++) {
		struct kt_item *it = kzalloc(sizeof(*it), GFP_KERNEL);

		if (!it)
			return -ENOMEM;
		it->cookie = 0x6b74736369746d00UL | i;	/* "ktscitm" */
		it->id = i;
		snprintf(it->label, sizeof(it->label), "ktscen-item-%d", i);
		list_add_tail(&it->link, &kt_items);
		if (i == n / 2)
			kt_victim = it;
	}
	return 0;
}

static int kt_items_thread(void *arg)
{
	bool twice = arg != NULL;
	struct kt_item *prev;

	msleep(delay_ms);
	if (twice) {
		/* the bug: the entry is removed twice */
		kt_item_unlink(kt_victim);
		msleep(100);
		kt_item_unlink(kt_victim);
	} else {
		/* the bug: a stray store through a stale pointer makes the
		 * predecessor's next point at itself */
		prev = list_entry(kt_victim->link.prev, struct kt_item, link);
		WRITE_ONCE(prev->link.next, &prev->link);
		msleep(100);
		kt_item_unlink(kt_victim);
	}
	while (!kthread_should_stop())
		msleep(1000);
	return 0;
}

static int kt_list_debug(bool twice)
{
	struct task_struct *t;
	int err = kt_items_make(8);

	if (err)
		return err;
	t = kthread_run(kt_items_thread, twice ? (void *)1 : NULL,
			"kt_items");
	return PTR_ERR_OR_ZERO(t);
}

/* ------------------------------------------------------------------ */
/* stale-ref: a freed object still referenced by a blocked frame       */
/* ------------------------------------------------------------------ */
struct kt_req {
	unsigned long magic;
	int id;
	unsigned int len;
	struct completion *done;
	char payload[1000];	/* kmalloc-1k: a quiet cache, it stays free */
};
struct kt_waiter {
	struct kt_req *req;
	struct completion done;
	int status;
};

static noinline int kt_req_wait(struct kt_req *req)
{
	struct kt_waiter w = { .req = req, .status = 0 };

	init_completion(&w.done);
	req->done = &w.done;
	/* the bug: the request is freed while this frame still holds it */
	kfree(req);
	pr_info("ktscen: waiting on a freed request %px\n", w.req);
	wait_for_completion(&w.done);	/* nobody completes it */
	return READ_ONCE(w.req)->id + w.status + req->len;
}

static int kt_stale_thread(void *arg)
{
	struct kt_req *req = kmalloc(sizeof(*req), GFP_KERNEL_ACCOUNT);
	int r;

	if (!req)
		return -ENOMEM;
	req->magic = 0x6b74736372657100UL;	/* "ktscreq" */
	req->id = 42;
	req->len = sizeof(req->payload);
	memset(req->payload, 0x21, sizeof(req->payload));
	msleep(delay_ms / 3);
	r = kt_req_wait(req);
	pr_info("ktscen: request done %d\n", r);
	return 0;
}

static int kt_stale_ref(void)
{
	struct task_struct *t = kthread_run(kt_stale_thread, NULL, "kt_reqwait");

	return PTR_ERR_OR_ZERO(t);
}

/* ------------------------------------------------------------------ */
/* lock-chain: a chain of sleeping locks to a completion, and ABBA     */
/* ------------------------------------------------------------------ */
struct kt_dev {
	struct mutex cfg_lock;
	struct rw_semaphore state_sem;
	struct completion ready;
	unsigned long generation;
};
static struct kt_dev kt_dev;

struct kt_pair {
	unsigned long tag;
	struct mutex lock;
	int users;
};
static DEFINE_MUTEX(kt_table_lock);
static struct kt_pair *kt_pair;

static noinline void kt_dev_reconfigure(struct kt_dev *d)
{
	mutex_lock(&d->cfg_lock);
	/* waits for a device that never becomes ready, lock held */
	wait_for_completion(&d->ready);
	d->generation++;
	mutex_unlock(&d->cfg_lock);
}

static int kt_chain_root(void *arg)
{
	kt_dev_reconfigure(&kt_dev);
	return 0;
}

static noinline void kt_dev_update(struct kt_dev *d)
{
	down_write(&d->state_sem);
	msleep(300);
	mutex_lock(&d->cfg_lock);
	d->generation++;
	mutex_unlock(&d->cfg_lock);
	up_write(&d->state_sem);
}

static int kt_chain_writer(void *arg)
{
	msleep(200);
	kt_dev_update(&kt_dev);
	return 0;
}

static noinline unsigned long kt_dev_read_state(struct kt_dev *d)
{
	unsigned long g;

	down_read(&d->state_sem);
	g = d->generation;
	up_read(&d->state_sem);
	return g;
}

static int kt_chain_reader(void *arg)
{
	msleep(400 + 50 * (long)arg);
	return (int)kt_dev_read_state(&kt_dev);
}

static noinline void kt_lock_both(struct mutex *first, struct mutex *second)
{
	mutex_lock(first);
	msleep(300);
	mutex_lock(second);
	mutex_unlock(second);
	mutex_unlock(first);
}

static int kt_abba_one(void *arg)
{
	kt_lock_both(&kt_table_lock, &kt_pair->lock);
	return 0;
}

static int kt_abba_two(void *arg)
{
	kt_lock_both(&kt_pair->lock, &kt_table_lock);
	return 0;
}

static int kt_lock_chain(void)
{
	long i;

	mutex_init(&kt_dev.cfg_lock);
	init_rwsem(&kt_dev.state_sem);
	init_completion(&kt_dev.ready);
	kt_pair = kzalloc(sizeof(*kt_pair), GFP_KERNEL);
	if (!kt_pair)
		return -ENOMEM;
	kt_pair->tag = 0x6b74736370616972UL;	/* "ktscpair" */
	mutex_init(&kt_pair->lock);
	kthread_run(kt_chain_root, NULL, "kt_cfg");
	kthread_run(kt_chain_writer, NULL, "kt_update");
	for (i = 0; i < 2; i++)
		kthread_run(kt_chain_reader, (void *)i, "kt_reader/%ld", i);
	kthread_run(kt_abba_one, NULL, "kt_abba_a");
	kthread_run(kt_abba_two, NULL, "kt_abba_b");
	return 0;
}

/* ------------------------------------------------------------------ */
/* rcu-stall: a spinlock held forever, and a CPU spinning on it         */
/* ------------------------------------------------------------------ */
struct kt_stall_ctx {
	spinlock_t lock;
	unsigned long spins, rounds;
};
static struct kt_stall_ctx kt_stall;

static noinline void kt_stall_hold(struct kt_stall_ctx *c)
{
	spin_lock(&c->lock);
	for (;;) {	/* the bug: never lets go, never schedules */
		c->rounds++;
		cpu_relax();
	}
}

static int kt_stall_holder(void *arg)
{
	msleep(delay_ms);
	kt_stall_hold(&kt_stall);
	return 0;
}

/* a grace period must be under way for RCU to see the stall: an idle
 * guest has none, so one task waits for one */
static int kt_stall_sync(void *arg)
{
	msleep(delay_ms + 100);
	synchronize_rcu();
	return 0;
}

static int kt_stall_waiter(void *arg)
{
	msleep(delay_ms + 400);
	spin_lock(&kt_stall.lock);
	kt_stall.spins++;
	spin_unlock(&kt_stall.lock);
	return 0;
}

static int kt_rcu_stall(void)
{
	struct task_struct *h, *w;

	if (num_online_cpus() < 2)
		return -EINVAL;
	spin_lock_init(&kt_stall.lock);
	h = kthread_create(kt_stall_holder, NULL, "kt_stall_hold");
	if (IS_ERR(h))
		return PTR_ERR(h);
	kthread_bind(h, 1);
	w = kthread_create(kt_stall_waiter, NULL, "kt_stall_wait");
	if (IS_ERR(w))
		return PTR_ERR(w);
	kthread_bind(w, 0);
	wake_up_process(h);
	wake_up_process(w);
	return PTR_ERR_OR_ZERO(kthread_run(kt_stall_sync, NULL, "kt_rcu_sync"));
}

/* ------------------------------------------------------------------ */
/* traps: WARN with panic_on_warn, divide error, NX, stack overflow    */
/* ------------------------------------------------------------------ */
struct kt_quota {
	unsigned long used, limit;
	unsigned int shares;
};
static struct kt_quota kt_quota = { .used = 4096, .limit = 1024 };

static noinline void kt_quota_charge(struct kt_quota *q, unsigned long n)
{
	q->used += n;
	/* the "invariant" the bug breaks */
	WARN_ON(q->used > q->limit);
}

static noinline unsigned long kt_quota_per_share(struct kt_quota *q)
{
	/* shares is 0: divide error */
	return q->used / READ_ONCE(q->shares);
}

typedef void (*kt_hook_fn)(unsigned long);
static kt_hook_fn kt_hook;

static noinline void kt_run_hook(unsigned long arg)
{
	kt_hook_fn fn = READ_ONCE(kt_hook);

	fn(arg);	/* kt_hook points into a kmalloc'd buffer */
}

static noinline unsigned long kt_descend(unsigned long depth)
{
	volatile char pad[600];

	pad[0] = (char)depth;
	pad[sizeof(pad) - 1] = (char)(depth >> 8);
	/* no base case: the bug */
	return kt_descend(depth + 1) + pad[0] + pad[sizeof(pad) - 1];
}

static int kt_trap_thread(void *arg)
{
	long which = (long)arg;

	msleep(delay_ms);
	switch (which) {
	case 0:
		kt_quota_charge(&kt_quota, 512);
		break;
	case 1:
		pr_info("ktscen: per share %lu\n", kt_quota_per_share(&kt_quota));
		break;
	case 2: {
		void *buf = kmalloc(64, GFP_KERNEL);

		if (!buf)
			break;
		memset(buf, 0xc3, 64);	/* "ret": never runs, NX stops it */
		WRITE_ONCE(kt_hook, (kt_hook_fn)buf);
		kt_run_hook(7);
		break;
	}
	case 3:
		pr_info("ktscen: depth %lu\n", kt_descend(0));
		break;
	}
	while (!kthread_should_stop())
		msleep(1000);
	return 0;
}

static int kt_trap(long which)
{
	static const char *const names[] = { "kt_quota", "kt_share",
					     "kt_hook", "kt_descend" };

	return PTR_ERR_OR_ZERO(kthread_run(kt_trap_thread, (void *)which,
					   names[which]));
}

static int __init ktscen_init(void)
{
	pr_info("ktscen: scenario %s\n", scen);
	if (!strcmp(scen, "hctx_fq"))
		return kt_hctx_fq(false);
	if (!strcmp(scen, "hctx_fq_now"))
		return kt_hctx_fq(true);
	if (!strcmp(scen, "list_poison"))
		return kt_list_poison();
	if (!strcmp(scen, "irq_lock"))
		return kt_irq_lock();
	if (!strcmp(scen, "list_double_del"))
		return kt_list_debug(true);
	if (!strcmp(scen, "list_neighbour"))
		return kt_list_debug(false);
	if (!strcmp(scen, "stale_ref"))
		return kt_stale_ref();
	if (!strcmp(scen, "lock_chain"))
		return kt_lock_chain();
	if (!strcmp(scen, "rcu_stall"))
		return kt_rcu_stall();
	if (!strcmp(scen, "warn"))
		return kt_trap(0);
	if (!strcmp(scen, "div0"))
		return kt_trap(1);
	if (!strcmp(scen, "nx"))
		return kt_trap(2);
	if (!strcmp(scen, "stack_overflow"))
		return kt_trap(3);
	return 0;
}

static void __exit ktscen_exit(void)
{
	/* not meant to be unloaded after a scenario ran */
	if (kt_set && kt_set->ops == &kt_ops)
		kt_set->ops = kt_orig_ops;
}

module_init(ktscen_init);
module_exit(ktscen_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("crash-dump fixture scenarios (deliberately buggy)");
