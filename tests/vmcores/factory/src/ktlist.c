// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktlist.ko - list corruption that CONFIG_DEBUG_LIST does not report, for
 * crash dumps of the triage tool's fixtures. NEVER load on a real machine.
 *
 * A module of its own, so that a change here does not remake the dumps of
 * ktscen.ko's scenarios.
 *
 * scen=list_garbage  four kmalloc'd records on a list whose head is in a
 *                    global struct; a string copied past the end of one
 *                    record's name overwrites the next member, the list
 *                    entry's ->next, with text. Removing that record
 *                    unlinks it the way list_del() does on a kernel built
 *                    without CONFIG_DEBUG_LIST (__list_del(), no checks):
 *                    the store through ->next is a general protection
 *                    fault at a non-canonical address (oops=panic).
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/list.h>
#include <linux/string.h>
#include <linux/mutex.h>

static char *scen = "none";
module_param(scen, charp, 0444);
MODULE_PARM_DESC(scen, "scenario: list_garbage");

/* a record: the list entry right after a short name */
struct kt_record {
	unsigned long serial;
	char label[8];
	struct list_head link;
	unsigned int flags;
};

/* the registry: a global, its list head not at its start */
struct kt_registry {
	struct mutex lock;
	unsigned int count;
	struct list_head records;
};
static struct kt_registry kt_registry = {
	.lock = __MUTEX_INITIALIZER(kt_registry.lock),
	.records = LIST_HEAD_INIT(kt_registry.records),
};

/*
 * The "bug": a label longer than the field, copied with its NUL and
 * without a bound (byte by byte from the record's base, as a parser
 * would, so that FORTIFY_SOURCE has no field size to check).
 */
static noinline void kt_record_relabel(struct kt_record *r, const char *label)
{
	char *p = (char *)r + offsetof(struct kt_record, label);
	size_t i;

	for (i = 0; i == 0 || label[i - 1]; i++)
		WRITE_ONCE(p[i], label[i]);
}

/* list_del() as a kernel without CONFIG_DEBUG_LIST inlines it */
static noinline void kt_record_remove(struct kt_registry *reg,
				      struct kt_record *r)
{
	mutex_lock(&reg->lock);
	__list_del(r->link.prev, r->link.next);
	r->link.next = LIST_POISON1;
	r->link.prev = LIST_POISON2;
	reg->count--;
	mutex_unlock(&reg->lock);
}

static int kt_list_garbage(void)
{
	static const char overlong[] = "sensor-overflow";	/* 15 bytes */
	struct kt_record *r[4];
	int i;

	for (i = 0; i < 4; i++) {
		r[i] = kzalloc(sizeof(*r[i]), GFP_KERNEL);
		if (!r[i])
			return -ENOMEM;
		r[i]->serial = 0x6b746c6973740000UL + i;	/* "ktlist" */
		scnprintf(r[i]->label, sizeof(r[i]->label), "rec%d", i);
		mutex_lock(&kt_registry.lock);
		list_add_tail(&r[i]->link, &kt_registry.records);
		kt_registry.count++;
		mutex_unlock(&kt_registry.lock);
	}
	/* 16 bytes from the label: link.next becomes "verflow\0" */
	kt_record_relabel(r[2], overlong);
	pr_info("ktlist: record %px relabelled\n", r[2]);
	kt_record_remove(&kt_registry, r[2]);
	return 0;
}

static int __init ktlist_init(void)
{
	pr_info("ktlist: scenario %s\n", scen);
	if (!strcmp(scen, "list_garbage"))
		return kt_list_garbage();
	return 0;
}

static void __exit ktlist_exit(void)
{
	/* not meant to be unloaded after a scenario ran */
}

module_init(ktlist_init);
module_exit(ktlist_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("list corruption crash-dump fixture scenarios (deliberately corrupt)");
