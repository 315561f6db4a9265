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

static char *scen = "none";
module_param(scen, charp, 0444);
MODULE_PARM_DESC(scen, "scenario: hctx_fq, hctx_fq_now, list_poison, irq_lock");
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
