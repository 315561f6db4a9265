/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The dump's disks, their request queues and their blk-mq hardware
 * contexts, for the block-layer analyzers.
 *
 * Every whole-disk block_device is an inode of the bdev pseudo file system
 * (blockdev_superblock's s_inodes, as struct bdev_inode); its gendisk has
 * the queue. A blk-mq queue keeps its hctxs in hctx_table, an xarray
 * indexed by hctx number (5.18 on), or in the queue_hw_ctx array before.
 * The walks are bounded and read through faults.
 */
#ifndef KT_PLUGINS_BLK_QUEUES_H
#define KT_PLUGINS_BLK_QUEUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/program.h"

struct kt_blk_layout {
	uint64_t inode_sb_list, bdev_vfs_inode, bdev_disk, bdev_partno;
	bool bdev_flags;	/* partno is the low byte of __bd_flags (6.10) */
	uint64_t disk_queue, disk_name;
	uint64_t q_mq_ops, q_nr_hw;
	bool q_xarray;		/* request_queue.hctx_table (5.18 on) ... */
	uint64_t q_xa_head;
	uint64_t q_hw_ctx;	/* ... or the queue_hw_ctx array */
	uint64_t xa_shift, xa_slots;
};

/** A whole disk and its queue. */
struct kt_blk_disk {
	uint64_t bdev, disk, q;
};

/** The members the walks read, from the DWARF. */
struct kt_error *kt_blk_layout_load(struct kt_program *prog,
				    struct kt_blk_layout *l);

/**
 * Up to @max whole disks with a queue, in the order of the bdev inodes.
 * Reads at most a few thousand inodes.
 */
size_t kt_blk_disks(struct kt_program *prog, const struct kt_blk_layout *l,
		    struct kt_blk_disk *out, size_t max);

/** True when queue @q is blk-mq (has mq_ops). */
bool kt_blk_queue_is_mq(struct kt_program *prog,
			const struct kt_blk_layout *l, uint64_t q);

/**
 * Up to @max hctxs of blk-mq queue @q, in hctx number order, with their
 * numbers in @num (may be NULL).
 */
size_t kt_blk_hctxs(struct kt_program *prog, const struct kt_blk_layout *l,
		    uint64_t q, uint64_t *out, unsigned *num, size_t max);

/** The disk's name ("nullb0") into @buf; "<unreadable>" on a fault. */
void kt_blk_disk_name(struct kt_program *prog, const struct kt_blk_layout *l,
		      uint64_t disk, char *buf, size_t size);

#endif /* KT_PLUGINS_BLK_QUEUES_H */
