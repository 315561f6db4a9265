// SPDX-License-Identifier: GPL-2.0-or-later
/* The dump's disks, their queues and hctxs: see blk_queues.h. */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>

#include "core/list.h"
#include "plugins/blk_queues.h"

#define MAX_BDEVS 4096		/* bdev inodes read */
#define MAX_XA_NODES 64		/* per hctx_table */
#define MAX_HW_QUEUES 4096	/* queue_hw_ctx entries read */

#define AT(m) offsetof(struct kt_blk_layout, m)

static const struct {
	const char *type, *member;
	size_t at;
} members[] = {
	{ "struct inode", "i_sb_list", AT(inode_sb_list) },
	{ "struct bdev_inode", "vfs_inode", AT(bdev_vfs_inode) },
	{ "struct block_device", "bd_disk", AT(bdev_disk) },
	{ "struct gendisk", "queue", AT(disk_queue) },
	{ "struct gendisk", "disk_name", AT(disk_name) },
	{ "struct request_queue", "mq_ops", AT(q_mq_ops) },
	{ "struct request_queue", "nr_hw_queues", AT(q_nr_hw) },
	{ "struct xa_node", "shift", AT(xa_shift) },
	{ "struct xa_node", "slots", AT(xa_slots) },
};

/*
 * Members that moved: the hctxs went from the queue_hw_ctx array to the
 * hctx_table xarray (5.18, "blk-mq: manage hctx map via xarray"), and a
 * block_device's partition number into the low byte of __bd_flags (6.10,
 * "bdev: infrastructure for flags").
 */
struct kt_error *kt_blk_layout_load(struct kt_program *prog,
				    struct kt_blk_layout *l)
{
	struct kt_error *err;

	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		err = kt_type_member_offset(prog, members[i].type,
					    members[i].member,
					    (uint64_t *)((char *)l + members[i].at));
		if (err)
			return kt_error_wrap(err, "blk-mq layout");
	}
	l->q_xarray = kt_type_has_member(prog, "struct request_queue",
					 "hctx_table");
	if (l->q_xarray)
		err = kt_type_member_offset(prog, "struct request_queue",
					    "hctx_table.xa_head", &l->q_xa_head);
	else
		err = kt_type_member_offset(prog, "struct request_queue",
					    "queue_hw_ctx", &l->q_hw_ctx);
	if (err)
		return kt_error_wrap(err, "blk-mq layout (neither hctx_table "
				     "nor queue_hw_ctx)");
	l->bdev_flags = !kt_type_has_member(prog, "struct block_device",
					    "bd_partno");
	err = kt_type_member_offset(prog, "struct block_device",
				    l->bdev_flags ? "__bd_flags" : "bd_partno",
				    &l->bdev_partno);
	if (err)
		return kt_error_wrap(err, "blk-mq layout (neither bd_partno "
				     "nor __bd_flags)");
	return NULL;
}

struct disks_arg {
	const struct kt_blk_layout *l;
	struct kt_blk_disk *out;
	size_t n, max, seen;
};

static struct kt_error *bdev_fn(struct kt_program *prog, uint64_t node,
				void *arg)
{
	struct disks_arg *a = arg;
	uint64_t bdev = node - a->l->inode_sb_list - a->l->bdev_vfs_inode;
	uint64_t disk, q;
	uint8_t partno;

	if (++a->seen > MAX_BDEVS || a->n >= a->max)
		return kt_error_create(KT_ERR_STOP, "enough bdevs");
	if (kt_error_catch_any(kt_read_u8(prog, bdev + a->l->bdev_partno,
					  &partno)) || partno ||
	    kt_error_catch_any(kt_read_u64(prog, bdev + a->l->bdev_disk,
					   &disk)) || !disk ||
	    kt_error_catch_any(kt_read_u64(prog, disk + a->l->disk_queue,
					   &q)) || !q)
		return NULL;
	a->out[a->n++] = (struct kt_blk_disk){ .bdev = bdev, .disk = disk,
					       .q = q };
	return NULL;
}

size_t kt_blk_disks(struct kt_program *prog, const struct kt_blk_layout *l,
		    struct kt_blk_disk *out, size_t max)
{
	struct disks_arg a = { .l = l, .out = out, .max = max };
	uint64_t sbp, sb, head;
	struct kt_error *err;

	if (kt_error_catch_any(kt_symbol_address(prog, "blockdev_superblock",
						 &sbp)) ||
	    kt_error_catch_any(kt_read_u64(prog, sbp, &sb)) || !sb ||
	    kt_error_catch_any(kt_type_member_offset(prog,
			"struct super_block", "s_inodes", &head)))
		return 0;
	err = kt_list_walk(prog, sb + head, bdev_fn, &a);
	kt_error_catch(&err, KT_ERR_STOP);
	kt_error_catch_any(err);	// keep what the walk gave
	return a.n;
}

bool kt_blk_queue_is_mq(struct kt_program *prog,
			const struct kt_blk_layout *l, uint64_t q)
{
	uint64_t ops;

	return !kt_error_catch_any(kt_read_u64(prog, q + l->q_mq_ops, &ops)) &&
	       ops;
}

struct hctxs_arg {
	uint64_t *out;
	unsigned *num;
	size_t n, max;
	unsigned nodes;
};

static void put(struct hctxs_arg *a, uint64_t hctx, uint64_t index)
{
	if (a->n >= a->max)
		return;
	if (a->num)
		a->num[a->n] = (unsigned)index;
	a->out[a->n++] = hctx;
}

/* An xarray entry: NULL, a value (odd), an internal node (..10), or a
 * pointer; @index is the first index it covers. */
static void xa_walk(struct kt_program *prog, const struct kt_blk_layout *l,
		    struct hctxs_arg *a, uint64_t entry, uint64_t index,
		    unsigned depth)
{
	uint64_t node, slot;
	uint8_t shift;

	if (!entry || (entry & 1))
		return;
	if ((entry & 3) != 2 || entry < 4096) {
		put(a, entry, index);
		return;
	}
	node = entry - 2;
	if (depth > 10 || ++a->nodes > MAX_XA_NODES ||
	    kt_error_catch_any(kt_read_u8(prog, node + l->xa_shift, &shift)) ||
	    shift > 60)
		return;
	for (uint64_t i = 0; i < 64 && a->n < a->max; i++) {
		if (kt_error_catch_any(kt_read_u64(prog, node + l->xa_slots +
						   8 * i, &slot)))
			return;
		xa_walk(prog, l, a, slot, index + (i << shift), depth + 1);
	}
}

size_t kt_blk_hctxs(struct kt_program *prog, const struct kt_blk_layout *l,
		    uint64_t q, uint64_t *out, unsigned *num, size_t max)
{
	struct hctxs_arg a = { .out = out, .num = num, .max = max };
	uint64_t head, array, hctx;
	uint32_t n;

	if (l->q_xarray) {
		if (!kt_error_catch_any(kt_read_u64(prog, q + l->q_xa_head,
						    &head)))
			xa_walk(prog, l, &a, head, 0, 0);
		return a.n;
	}
	if (kt_error_catch_any(kt_read_u64(prog, q + l->q_hw_ctx, &array)) ||
	    !array ||
	    kt_error_catch_any(kt_read_u32(prog, q + l->q_nr_hw, &n)))
		return 0;
	for (uint32_t i = 0; i < n && i < MAX_HW_QUEUES; i++) {
		if (kt_error_catch_any(kt_read_u64(prog, array + 8 * i, &hctx)))
			break;
		if (hctx)
			put(&a, hctx, i);
	}
	return a.n;
}

void kt_blk_disk_name(struct kt_program *prog, const struct kt_blk_layout *l,
		      uint64_t disk, char *buf, size_t size)
{
	if (kt_error_catch_any(kt_read_cstr(prog, disk + l->disk_name, buf,
					    size)))
		snprintf(buf, size, "<unreadable>");
}
