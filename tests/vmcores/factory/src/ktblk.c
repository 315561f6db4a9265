// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktblk.ko - deliberately broken block-layer test module, for crash dumps
 * of the triage tool's fixtures.  NEVER load on a real machine.
 *
 * A module of its own, so that a change here does not remake the dumps of
 * ktscen.ko's scenarios.
 *
 * scen=kyber_ctx   seed 001's state: a blk-mq software queue (ctx) that
 *                  the kyber scheduler indexes out of its hardware queue's
 *                  kcqs[]. The disk (null_blk, one hardware queue per CPU,
 *                  so every hctx has nr_ctx 1) gets kyber; CPU 1's ctx is
 *                  then mapped to CPU 0's hctx with index_hw 1, as a task
 *                  that moved CPUs between blk_mq_get_ctx() and the merge
 *                  saw it on kernels before "kyber: fix out of bounds
 *                  access when preempted". A read on CPU 1 makes
 *                  kyber_bio_merge() take &khd->kcqs[1].lock, past the
 *                  one-element array: the next kmalloc object. Objects of
 *                  that size are allocated around kcqs[] (kyber set again
 *                  until the object after kcqs[] is one of them), with a
 *                  first word that reads as a held spinlock (the garbage
 *                  seed 001's lock held), so CPU 1 spins there until the
 *                  soft-lockup watchdog panics.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/kthread.h>
#include <linux/delay.h>
#include <linux/blkdev.h>
#include <linux/blk-mq.h>
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/version.h>
#include <linux/percpu.h>

static char *scen = "none";
module_param(scen, charp, 0444);
MODULE_PARM_DESC(scen, "scenario: kyber_ctx");
static char *disk = "/dev/nullb0";
module_param(disk, charp, 0444);
static char *sched = "/sys/block/nullb0/queue/scheduler";
module_param(sched, charp, 0444);

/*
 * The head of block/blk-mq.h's struct blk_mq_ctx (private to block/), the
 * same from 5.10 to 7.x; checked against the queue before anything is
 * written through it.
 */
struct kt_mq_ctx {
	struct {
		spinlock_t lock;
		struct list_head rq_lists[HCTX_MAX_TYPES];
	} ____cacheline_aligned_in_smp;
	unsigned int cpu;
	unsigned short index_hw[HCTX_MAX_TYPES];
	struct blk_mq_hw_ctx *hctxs[HCTX_MAX_TYPES];
};

/* kmalloc objects of kcqs[]'s size whose first word is a held lock */
#define KT_TOKEN_SIZE 128
#define KT_SPRAY_FIRST 4096
#define KT_SPRAY_MORE 512
#define KT_TRIES 16
#define KT_MAX_TOKENS (KT_SPRAY_FIRST + 2 * KT_TRIES * KT_SPRAY_MORE)
struct kt_token {
	u32 state;	/* 1: the locked byte of a qspinlock */
	u32 gen;
	char pad[KT_TOKEN_SIZE - 8];
};
static struct kt_token **kt_tokens;
static unsigned int kt_ntokens;

static void kt_spray(unsigned int n)
{
	while (n-- && kt_ntokens < KT_MAX_TOKENS) {
		struct kt_token *t = kzalloc(sizeof(*t), GFP_KERNEL);

		if (!t)
			return;
		t->state = 1;
		t->gen = kt_ntokens;
		kt_tokens[kt_ntokens++] = t;
	}
}

static bool kt_is_token(void *p)
{
	unsigned int i;

	for (i = 0; i < kt_ntokens; i++)
		if (kt_tokens[i] == p)
			return true;
	return false;
}

static struct request_queue *kt_queue;
static struct file *kt_disk_file;

static int kt_write_file(const char *path, const char *s)
{
	struct file *f = filp_open(path, O_WRONLY, 0);
	loff_t pos = 0;
	ssize_t n;

	if (IS_ERR(f))
		return PTR_ERR(f);
	n = kernel_write(f, s, strlen(s), &pos);
	filp_close(f, NULL);
	return n < 0 ? (int)n : 0;
}

/* CPU 1's ctx mapped to CPU 0's hctx, one past the end of its ctxs[] */
static int kt_remap(struct request_queue *q)
{
	struct kt_mq_ctx __percpu *ctxs = (void __percpu *)q->queue_ctx;
	struct kt_mq_ctx *c0 = per_cpu_ptr(ctxs, 0);
	struct kt_mq_ctx *c1 = per_cpu_ptr(ctxs, 1);
	struct blk_mq_hw_ctx *h0 = c0->hctxs[HCTX_TYPE_DEFAULT];
	struct blk_mq_hw_ctx *h1 = c1->hctxs[HCTX_TYPE_DEFAULT];
	int t;

	if (c0->cpu != 0 || c1->cpu != 1 || !h0 || !h1 || h0 == h1 ||
	    h0->nr_ctx != 1 || h1->nr_ctx != 1 ||
	    h0->ctxs[c0->index_hw[HCTX_TYPE_DEFAULT]] != (void *)c0 ||
	    h1->ctxs[c1->index_hw[HCTX_TYPE_DEFAULT]] != (void *)c1) {
		pr_err("ktblk: blk_mq_ctx is not laid out as expected, or the "
		       "queue has not one hctx per CPU\n");
		return -EINVAL;
	}
	pr_info("ktblk: ctx0=%px hctx0=%px ctx1=%px hctx1=%px sched_data=%px\n",
		c0, h0, c1, h1, h0->sched_data);
	/* every type CPU 1 maps to its own hctx (a read: HCTX_TYPE_READ,
	 * the default hctx on a disk with one map) */
	for (t = 0; t < HCTX_MAX_TYPES; t++)
		if (c1->hctxs[t] == h1)
			WRITE_ONCE(c1->hctxs[t], h0);
	WRITE_ONCE(c1->index_hw[h0->type], h0->nr_ctx);
	return 0;
}

static DECLARE_COMPLETION(kt_remapped);

/*
 * kyber's kcqs[] for @h: the pointer in its sched_data (struct
 * kyber_hctx_data, private to kyber) to an array whose first entry's
 * rq_list[0] is an empty list.
 */
static void *kt_kcqs(struct blk_mq_hw_ctx *h)
{
	unsigned long *khd = h->sched_data, p;
	int i;

	if (!khd)
		return NULL;
	for (i = 0; i < 32; i++) {
		p = khd[i];
		if (p && !(p & 63) && virt_addr_valid((void *)p) &&
		    virt_addr_valid((void *)(p + KT_TOKEN_SIZE)) &&
		    *(unsigned long *)(p + 8) == p + 8)
			return (void *)p;
	}
	return NULL;
}

/*
 * On CPU 0: kyber's kcqs[] allocated among the tokens (again, until the
 * object after CPU 0's one-element kcqs[] is a token), then the remap.
 */
static int kt_setup(void *arg)
{
	struct kt_mq_ctx *c0 = per_cpu_ptr((struct kt_mq_ctx __percpu *)
					   kt_queue->queue_ctx, 0);
	void *kcqs = NULL;
	int err, i;

	kt_spray(KT_SPRAY_FIRST);
	for (i = 0; i < KT_TRIES; i++) {
		kt_spray(KT_SPRAY_MORE);
		err = kt_write_file(sched, "kyber");
		if (err) {
			pr_err("ktblk: cannot set kyber on %s: %d\n", sched, err);
			return err;
		}
		kt_spray(KT_SPRAY_MORE);
		kcqs = kt_kcqs(c0->hctxs[HCTX_TYPE_DEFAULT]);
		if (kcqs && kt_is_token(kcqs + KT_TOKEN_SIZE))
			break;
		kcqs = NULL;
		kt_write_file(sched, "none");
	}
	if (!kcqs) {
		pr_err("ktblk: no token after kcqs[] in %d tries\n", KT_TRIES);
		return -EAGAIN;
	}
	pr_info("ktblk: %u tokens of %d bytes, kcqs=%px, try %d\n",
		kt_ntokens, KT_TOKEN_SIZE, kcqs, i);
	if (kt_remap(kt_queue))
		return -EINVAL;
	complete(&kt_remapped);
	while (!kthread_should_stop())
		msleep(1000);
	return 0;
}

/* on CPU 1: a read, whose bio kyber tries to merge */
static int kt_reader(void *arg)
{
	char *buf = kmalloc(4096, GFP_KERNEL);
	loff_t pos = SZ_1M;
	ssize_t n;

	wait_for_completion(&kt_remapped);
	msleep(200);
	if (buf) {
		n = kernel_read(kt_disk_file, buf, 4096, &pos);
		pr_err("ktblk: read returned %zd: no lockup?\n", n);
	}
	while (!kthread_should_stop())
		msleep(1000);
	return 0;
}

static int kt_kyber_ctx(void)
{
	struct task_struct *s, *r;
	struct block_device *bdev;

	if (num_online_cpus() < 2)
		return -EINVAL;
	kt_tokens = kcalloc(KT_MAX_TOKENS,
			    sizeof(*kt_tokens), GFP_KERNEL);
	if (!kt_tokens)
		return -ENOMEM;
	kt_disk_file = filp_open(disk, O_RDONLY | O_LARGEFILE, 0);
	if (IS_ERR(kt_disk_file)) {
		pr_err("ktblk: cannot open %s: %ld\n", disk,
		       PTR_ERR(kt_disk_file));
		return PTR_ERR(kt_disk_file);
	}
	bdev = I_BDEV(kt_disk_file->f_mapping->host);
	kt_queue = bdev_get_queue(bdev);
	s = kthread_create(kt_setup, NULL, "kt_blk_setup");
	if (IS_ERR(s))
		return PTR_ERR(s);
	kthread_bind(s, 0);
	r = kthread_create(kt_reader, NULL, "kt_blk_read");
	if (IS_ERR(r))
		return PTR_ERR(r);
	kthread_bind(r, 1);
	wake_up_process(s);
	wake_up_process(r);
	return 0;
}

static int __init ktblk_init(void)
{
	pr_info("ktblk: scenario %s\n", scen);
	if (!strcmp(scen, "kyber_ctx"))
		return kt_kyber_ctx();
	return 0;
}

static void __exit ktblk_exit(void)
{
	/* not meant to be unloaded after a scenario ran */
}

module_init(ktblk_init);
module_exit(ktblk_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("block-layer crash-dump fixture scenarios (deliberately buggy)");
