// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktscale.ko - the kernel side of the scale scenarios (many-tasks,
 * big-machine): a machine with many tasks and many slab objects, for the
 * triage tool's benchmarks and its many-tasks tests. NEVER load on a real
 * machine.
 *
 * A module of its own, so that a change here does not remake the dumps of
 * the other modules' scenarios.
 *
 * objs=N     N kmalloc'd records (96 bytes, kmalloc-96 or kmalloc-128) on
 *            a global list, each with its serial number: a kmalloc-heavy
 *            driver's table
 * waiters=N  one kthread takes a mutex and sleeps holding it (D state,
 *            msleep); N kthreads block in mutex_lock() behind it (D state)
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/kthread.h>
#include <linux/delay.h>
#include <linux/sched.h>

static unsigned long objs;
module_param(objs, ulong, 0444);
MODULE_PARM_DESC(objs, "records kmalloc'd and kept on a list");
static unsigned int waiters;
module_param(waiters, uint, 0444);
MODULE_PARM_DESC(waiters, "kthreads blocked on the held mutex");

struct kt_scale_record {
	struct list_head link;
	unsigned long serial;
	char payload[72];
};

static LIST_HEAD(kt_scale_records);
static DEFINE_MUTEX(kt_scale_lock);

static int kt_scale_holder(void *arg)
{
	mutex_lock(&kt_scale_lock);
	for (;;)
		msleep(100000);
	return 0;
}

static int kt_scale_waiter(void *arg)
{
	mutex_lock(&kt_scale_lock);
	mutex_unlock(&kt_scale_lock);
	return 0;
}

static int __init kt_scale_init(void)
{
	struct kt_scale_record *r;
	unsigned long i;
	unsigned int w;

	for (i = 0; i < objs; i++) {
		r = kmalloc(sizeof(*r), GFP_KERNEL);
		if (!r)
			break;
		r->serial = i;
		snprintf(r->payload, sizeof(r->payload), "kt_scale record %lu", i);
		list_add_tail(&r->link, &kt_scale_records);
		if (!(i % 4096))
			cond_resched();
	}
	pr_info("ktscale: %lu records of %zu bytes\n", i, sizeof(*r));
	if (waiters) {
		kthread_run(kt_scale_holder, NULL, "kt_scale_holder");
		msleep(200);
		for (w = 0; w < waiters; w++)
			kthread_run(kt_scale_waiter, NULL, "kt_scale_w%u", w);
		pr_info("ktscale: %u kthreads wait on kt_scale_lock\n", waiters);
	}
	return 0;
}
module_init(kt_scale_init);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktriage fixture factory: many tasks and slab objects");
