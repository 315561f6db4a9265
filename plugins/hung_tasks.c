// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hung_tasks: tasks in D state, how long they have been blocked, where,
 * and on which file and block device (seed 003: blkid stuck on cbd6).
 *
 * How long: rq->clock of the task's CPU minus task->sched_info.last_arrival.
 * On 6.1 last_arrival is stamped with that same rq clock by
 * sched_info_arrive() every time the task gets the CPU (CONFIG_SCHED_INFO,
 * unconditional since 5.14's "sched,stats: Further simplify sched_info"),
 * so the difference bounds the time off the CPU from above by its last
 * slice. last_switch_time is no good as the source: it is in jiffies and
 * written only by the hung-task detector, and only for tasks whose
 * __state is exactly TASK_UNINTERRUPTIBLE (TASK_KILLABLE waiters keep 0);
 * it is reported as the detector's view.
 *
 * Where: the first frame outside the scheduler's own text
 * [__sched_text_start, __sched_text_end), as the kernel's get_wchan()
 * does; so lock slow paths (__sched) are skipped too and their lock is
 * reported with its owner.
 *
 * On what: a struct file in a frame variable (file, filp, or an iocb's
 * ki_filp) that kmem ownership confirms is an allocated filp object, else
 * the first such word on the task's stack; then its dentry name, inode
 * and rdev, and f_mapping->host as a block device inode (bdev_cache) ->
 * bd_disk->disk_name.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/ctype.h"
#include "core/owner.h"
#include "core/stack.h"
#include "core/task.h"
#include "plugins/plugin.h"

#define NAME "hung_tasks"
#define MAX_VARS 64
#define MAX_INLINE 8
#define MAX_STACK_WORDS 2048
/* the kernel's default hung_task_timeout_secs, when the sysctl is unread */
#define DEFAULT_TIMEOUT_S 120

/* What one D task waits on. */
struct hung {
	const struct kt_task *t;
	struct kt_trace tr;
	uint64_t now, last_arrival;	/* ns of rq->clock */
	int clock_cpu;
	bool blocked_known;
	bool bdev_by_place;	/* host found after the bdev, no bd_inode */
	size_t wait;			/* frame index of the wait point */
	char wait_fn[96];		/* "blkdev_llseek (inlined inode_lock)" */
	/* a lock the scheduler frames wait for */
	uint64_t lock, lock_owner;
	const char *lock_kind;
	size_t lock_frame;
	/* the file */
	uint64_t file, inode, host, bdev;
	uint32_t rdev, bd_dev;
	char file_name[64], disk[40];
	char file_how[160];
};

static bool in_sched_text(struct kt_program *prog, const struct kt_frame *f)
{
	uint64_t lo, hi, pc = f->pc - (f->interrupted ? 0 : 1);

	if (kt_error_catch_any(kt_symbol_address(prog, "__sched_text_start",
						 &lo)) ||
	    kt_error_catch_any(kt_symbol_address(prog, "__sched_text_end",
						 &hi)))
		return false;
	return pc >= lo && pc < hi;
}

static uint64_t member_u64(struct kt_program *prog, uint64_t base,
			   const char *type, const char *member, bool *ok)
{
	uint64_t off, v = 0;

	if (kt_error_catch_any(kt_type_member_offset(prog, type, member,
						     &off)) ||
	    kt_error_catch_any(kt_read_u64(prog, base + off, &v)))
		*ok = false;
	return v;
}

/*
 * The offset of clock in struct rq, from the type of __schedule's `rq`
 * variable: looking struct rq up by name makes the DWARF index scan the
 * CUs up to kernel/sched/ (0.15 s); the frame's variable has its DIE.
 */
static bool rq_clock_offset(struct kt_program *prog, const struct kt_trace *tr,
			    uint64_t *ret)
{
	struct kt_frame_var v[MAX_VARS];
	Dwarf_Die die, target;
	struct kt_member m;

	for (size_t i = 0; i < tr->n && i < 2; i++) {
		size_t n = kt_frame_variables(prog, tr, i, v, MAX_VARS);

		for (size_t k = 0; k < n; k++) {
			if (strcmp(v[k].name, "rq") || !v[k].type ||
			    kt_error_catch_any(kt_dwarf_die(prog->dwarf,
							    v[k].type, &die)) ||
			    kt_error_catch_any(kt_dwarf_underlying(&die, &die)) ||
			    !kt_ctype_target(&die, &target) ||
			    kt_error_catch_any(kt_dwarf_member(&target, "clock",
							       &m)))
				continue;
			*ret = m.offset;
			return true;
		}
	}
	return !kt_error_catch_any(kt_type_member_offset(prog, "struct rq",
							 "clock", ret));
}

/* rq->clock of @cpu; 0 when unread. */
static uint64_t rq_clock(struct kt_program *prog, int cpu, uint64_t off)
{
	uint64_t rq, clock;

	if (cpu < 0 || kt_error_catch_any(kt_percpu_symbol(prog, "runqueues",
							   cpu, &rq)) ||
	    kt_error_catch_any(kt_read_u64(prog, rq + off, &clock)))
		return 0;
	return clock;
}

static void blocked_time(struct kt_program *prog, struct hung *h)
{
	bool ok = true;
	uint64_t off;

	if (!rq_clock_offset(prog, &h->tr, &off))
		return;

	h->last_arrival = member_u64(prog, h->t->addr, "struct task_struct",
				     "sched_info.last_arrival", &ok);
	h->clock_cpu = h->t->cpu;
	h->now = rq_clock(prog, h->t->cpu, off);
	// A CPU idle in NOHZ updates its clock rarely: if it is behind the
	// task's last arrival, any CPU's newer clock will do (sched_clock
	// is one clock on x86 with a stable TSC).
	for (unsigned c = 0; h->now < h->last_arrival && c < prog->nr_cpu_ids;
	     c++) {
		uint64_t clk = rq_clock(prog, c, off);

		if (clk > h->now) {
			h->now = clk;
			h->clock_cpu = c;
		}
	}
	h->blocked_known = ok && h->last_arrival && h->now >= h->last_arrival;
}

static void frame_name(struct kt_program *prog, const struct kt_frame *f,
		       char *buf, size_t len)
{
	struct kt_inline in[MAX_INLINE];
	size_t n = kt_frame_functions(prog, f, in, MAX_INLINE);
	const char *fn = f->has_sym ? f->sym.name : "?";

	if (n > 1 && in[0].function)
		snprintf(buf, len, "%s (inlined %s)", fn, in[0].function);
	else
		snprintf(buf, len, "%s", fn);
}

static void find_wait_point(struct kt_program *prog, struct hung *h)
{
	h->wait = h->tr.n;
	for (size_t i = 0; i < h->tr.n; i++) {
		if (in_sched_text(prog, &h->tr.frames[i]))
			continue;
		h->wait = i;
		frame_name(prog, &h->tr.frames[i], h->wait_fn,
			   sizeof(h->wait_fn));
		return;
	}
}

/* The value of variable @name in frame @i, if known. */
static bool frame_var(struct kt_program *prog, const struct kt_trace *tr,
		      size_t i, const char *name, uint64_t *ret)
{
	struct kt_frame_var v[MAX_VARS];
	size_t n = kt_frame_variables(prog, tr, i, v, MAX_VARS);

	for (size_t k = 0; k < n; k++) {
		if (v[k].known && !strcmp(v[k].name, name)) {
			*ret = v[k].value;
			return true;
		}
	}
	return false;
}

/*
 * The lock a scheduler frame waits for: rwsem slow paths have `sem`,
 * mutex slow paths `lock`. The owner word keeps flags in its low 3 bits
 * (RWSEM_OWNER_FLAGS_MASK, MUTEX_FLAGS); a reader-owned rwsem names its
 * last reader only.
 */
static void find_lock(struct kt_program *prog, struct hung *h)
{
	for (size_t i = 0; i < h->wait && i < h->tr.n; i++) {
		const struct kt_frame *f = &h->tr.frames[i];
		const char *type, *var;
		bool ok = true;
		uint64_t owner;

		if (!f->has_sym)
			continue;
		if (strstr(f->sym.name, "rwsem_down_")) {
			type = "struct rw_semaphore";
			var = "sem";
		} else if (strstr(f->sym.name, "mutex_lock")) {
			type = "struct mutex";
			var = "lock";
		} else {
			continue;
		}
		if (!frame_var(prog, &h->tr, i, var, &h->lock))
			continue;
		owner = member_u64(prog, h->lock, type, "owner", &ok);
		h->lock_owner = ok ? owner : 0;
		h->lock_kind = type;
		h->lock_frame = i;
		return;
	}
}

static bool is_cache_object(struct kt_program *prog, uint64_t addr,
			    const char *cache, uint64_t *base)
{
	struct kt_owner o;

	if (addr < 0xffff800000000000ULL ||
	    kt_error_catch_any(kt_owner_identify(prog, addr, &o)))
		return false;
	for (unsigned i = 0; i < o.n; i++) {
		const struct kt_owner_id *id = &o.ids[i];

		if (id->kind == KT_OWNER_SLAB && !strcmp(id->name, cache) &&
		    id->state != KT_SLAB_FREE) {
			*base = id->base;
			return true;
		}
	}
	return false;
}

/* A struct file from a frame variable: file/filp, or iocb->ki_filp. */
static bool file_from_vars(struct kt_program *prog, struct hung *h)
{
	struct kt_frame_var v[MAX_VARS];

	for (size_t i = 0; i < h->tr.n; i++) {
		size_t n = kt_frame_variables(prog, &h->tr, i, v, MAX_VARS);

		for (size_t k = 0; k < n; k++) {
			uint64_t file = v[k].value, base;
			bool ok = true;

			if (!v[k].known)
				continue;
			if (!strcmp(v[k].name, "iocb"))
				file = member_u64(prog, file, "struct kiocb",
						  "ki_filp", &ok);
			else if (strcmp(v[k].name, "file") &&
				 strcmp(v[k].name, "filp"))
				continue;
			if (!ok || !is_cache_object(prog, file, "filp", &base) ||
			    base != file)
				continue;
			h->file = file;
			snprintf(h->file_how, sizeof(h->file_how),
				 "variable %s%s of frame #%zu %s (DWARF location)",
				 v[k].name, strcmp(v[k].name, "iocb") ? "" :
				 "->ki_filp", i, v[k].function ? v[k].function :
				 "?");
			return true;
		}
	}
	return false;
}

/*
 * Where the syscall's own frames end: the first frame of the entry code.
 * Below it lie stale words of earlier syscalls (an exec's busybox file).
 */
static uint64_t frames_end(const struct hung *h)
{
	for (size_t i = h->wait; i < h->tr.n; i++) {
		const struct kt_frame *f = &h->tr.frames[i];

		if (f->stack != KT_STACK_TASK || !f->has_sym ||
		    !strncmp(f->sym.name, "do_syscall", 10) ||
		    !strncmp(f->sym.name, "entry_", 6) ||
		    !strcmp(f->sym.name, "ret_from_fork"))
			return f->sp;
	}
	return h->tr.n ? h->tr.frames[h->tr.n - 1].sp : 0;
}

/*
 * Else the first word in the frames from the wait point to the syscall
 * entry that is an allocated struct file (bt -f's words, kmem's owner).
 */
static bool file_from_stack(struct kt_program *prog, struct hung *h)
{
	uint64_t lo, hi, w, base;

	if (h->wait >= h->tr.n)
		return false;
	lo = h->tr.frames[h->wait].sp;
	hi = frames_end(h);
	for (unsigned n = 0; lo + 8 <= hi && n < MAX_STACK_WORDS;
	     lo += 8, n++) {
		if (kt_error_catch_any(kt_read_u64(prog, lo, &w)))
			return false;
		if (!is_cache_object(prog, w, "filp", &base) || base != w)
			continue;
		h->file = w;
		snprintf(h->file_how, sizeof(h->file_how),
			 "stack word at 0x%" PRIx64 " (an allocated filp "
			 "object; a word, not a variable: it may be stale)", lo);
		return true;
	}
	return false;
}

static void read_name(struct kt_program *prog, uint64_t file, char *buf,
		      size_t len)
{
	bool ok = true;
	uint64_t dentry = member_u64(prog, file, "struct file", "f_path.dentry",
				     &ok);
	uint64_t name = member_u64(prog, dentry, "struct dentry",
				   "d_name.name", &ok);

	buf[0] = '\0';
	if (!ok || kt_error_catch_any(kt_read_cstr(prog, name, buf, len)))
		snprintf(buf, len, "?");
}

/*
 * The block device behind f_mapping->host: a bdev inode is the vfs_inode
 * of a struct bdev_inode { bdev; vfs_inode; } from the bdev_cache, so the
 * object's start is the block_device; its bd_inode pointing back at host
 * confirms it (or, without bd_inode from 6.10, the place and device number
 * of the inode after it). (Not by the type's name: struct bdev_inode is known to
 * block/bdev.c's CU only, and finding it costs the DWARF index 0.7 s.)
 */
static bool bdev_of_inode(struct kt_program *prog, uint64_t bdev,
			  uint64_t inode)
{
	uint64_t size, off;
	uint32_t dev, rdev;
	bool ok = true;

	// bd_inode points back at it, up to 6.9
	if (kt_type_has_member(prog, "struct block_device", "bd_inode"))
		return member_u64(prog, bdev, "struct block_device", "bd_inode",
				  &ok) == inode && ok;
	// after: the inode follows the block_device in struct bdev_inode,
	// and its i_rdev is the device's number
	return !kt_error_catch_any(kt_type_size(prog, "struct block_device",
						&size)) &&
	       inode - bdev == ((size + 7) & ~7ULL) &&
	       !kt_error_catch_any(kt_type_member_offset(prog,
				"struct block_device", "bd_dev", &off)) &&
	       !kt_error_catch_any(kt_read_u32(prog, bdev + off, &dev)) &&
	       !kt_error_catch_any(kt_type_member_offset(prog, "struct inode",
							 "i_rdev", &off)) &&
	       !kt_error_catch_any(kt_read_u32(prog, inode + off, &rdev)) &&
	       dev == rdev;
}

static void read_bdev(struct kt_program *prog, struct hung *h)
{
	uint64_t off, base, disk;
	uint32_t dev;
	bool ok = true;

	h->host = member_u64(prog, h->file, "struct file", "f_mapping", &ok);
	h->host = member_u64(prog, h->host, "struct address_space", "host",
			     &ok);
	if (!ok || !is_cache_object(prog, h->host, "bdev_cache", &base) ||
	    !bdev_of_inode(prog, base, h->host))
		return;
	h->bdev = base;
	h->bdev_by_place = !kt_type_has_member(prog, "struct block_device",
					       "bd_inode");
	disk = member_u64(prog, h->bdev, "struct block_device", "bd_disk", &ok);
	if (!ok || kt_error_catch_any(kt_type_member_offset(
			   prog, "struct gendisk", "disk_name", &off)) ||
	    kt_error_catch_any(kt_read_cstr(prog, disk + off, h->disk,
					    sizeof(h->disk))))
		snprintf(h->disk, sizeof(h->disk), "?");
	if (!kt_error_catch_any(kt_type_member_offset(
		    prog, "struct block_device", "bd_dev", &off)) &&
	    !kt_error_catch_any(kt_read_u32(prog, h->bdev + off, &dev)))
		h->bd_dev = dev;
}

static void find_file(struct kt_program *prog, struct hung *h)
{
	uint64_t off;
	bool ok = true;

	if (!file_from_vars(prog, h) && !file_from_stack(prog, h))
		return;
	read_name(prog, h->file, h->file_name, sizeof(h->file_name));
	h->inode = member_u64(prog, h->file, "struct file", "f_inode", &ok);
	if (ok && !kt_error_catch_any(kt_type_member_offset(
			  prog, "struct inode", "i_rdev", &off)))
		kt_error_catch_any(kt_read_u32(prog, h->inode + off, &h->rdev));
	read_bdev(prog, h);
}

/* ---- the finding ---- */

static const char *state_name(uint32_t state)
{
	// TASK_KILLABLE = TASK_WAKEKILL (0x100) | TASK_UNINTERRUPTIBLE
	return (state & 0x102) == 0x102 ? "TASK_KILLABLE" :
	       "TASK_UNINTERRUPTIBLE";
}

static void explain_lock(struct kt_findings *out, struct kt_finding *f,
			 const struct hung *h, const struct kt_task_list *tl)
{
	const struct kt_task *o = kt_task_by_addr(tl, h->lock_owner & ~7ULL);

	kt_finding_step(out, f,
			"lock: %s 0x%" PRIx64 " is variable %s of frame #%zu "
			"%s; its owner word is 0x%" PRIx64 " (low 3 bits are "
			"flags)", h->lock_kind, h->lock,
			strstr(h->lock_kind, "rw_") ? "sem" : "lock",
			h->lock_frame, h->tr.frames[h->lock_frame].sym.name,
			h->lock_owner);
	kt_finding_ref_address(out, f, "lock", h->lock, h->lock_kind);
	if (!o)
		return;
	kt_finding_explain(out, f,
			   " It waits for %s 0x%" PRIx64 ", whose owner field "
			   "names %.16s (pid %d, %s)%s.", h->lock_kind,
			   h->lock, o->comm, o->pid, o->st,
			   (h->lock_owner & 1) && strstr(h->lock_kind, "rw_") ?
			   ": reader-owned, so that is its last reader" : "");
	kt_finding_ref_task(out, f, "lock owner", o->pid, o->addr);
}

static void explain_file(struct kt_findings *out, struct kt_finding *f,
			 const struct hung *h)
{
	if (!h->file)
		return;
	kt_finding_step(out, f, "file 0x%" PRIx64 " \"%s\" from %s",
			h->file, h->file_name, h->file_how);
	kt_finding_step(out, f,
			"file->f_inode 0x%" PRIx64 ", i_rdev %u:%u; "
			"f_mapping->host 0x%" PRIx64, h->inode, h->rdev >> 20,
			h->rdev & 0xfffff, h->host);
	kt_finding_ref_address(out, f, "file", h->file, "struct file *");
	kt_finding_ref_address(out, f, "inode", h->inode, "struct inode *");
	if (!h->bdev) {
		kt_finding_explain(out, f, " It works on file \"%s\".",
				   h->file_name);
		return;
	}
	kt_finding_step(out, f,
			"host is in a bdev_cache object (struct bdev_inode) "
			"whose block_device 0x%" PRIx64 " owns it (%s) -> "
			"bd_disk->disk_name \"%s\", bd_dev %u:%u", h->bdev,
			h->bdev_by_place ? "host is the vfs_inode after "
			"it, i_rdev == bd_dev" : "bd_inode == host",
			h->disk, h->bd_dev >> 20, h->bd_dev & 0xfffff);
	kt_finding_ref_address(out, f, "block device", h->bdev,
			       "struct block_device *");
	kt_finding_explain(out, f,
			   " It works on block device %s (file \"%s\", dev "
			   "%u:%u): find why %s does not complete its I/O "
			   "(its driver, its queue, the server behind it).",
			   h->disk, h->file_name, h->bd_dev >> 20,
			   h->bd_dev & 0xfffff, h->disk);
}

static void explain_detector(struct kt_program *prog, struct kt_findings *out,
			     struct kt_finding *f, const struct hung *h)
{
	uint64_t jiffies, lst;
	bool ok = true;

	lst = member_u64(prog, h->t->addr, "struct task_struct",
			 "last_switch_time", &ok);
	if (!ok || kt_error_catch_any(kt_symbol_address(prog, "jiffies",
							 &jiffies)) ||
	    kt_error_catch_any(kt_read_u64(prog, jiffies, &jiffies)))
		return;
	if (h->t->state == 0x2) {
		kt_finding_step(out, f,
				"hung-task detector: last_switch_time %" PRIu64
				", jiffies %" PRIu64 " (%" PRIu64 " jiffies "
				"without a context switch when it last looked)",
				lst, jiffies, lst ? jiffies - lst : 0);
		return;
	}
	kt_finding_step(out, f,
			"hung-task detector: last_switch_time %" PRIu64
			"; check_hung_uninterruptible_tasks() looks only at "
			"TASK_UNINTERRUPTIBLE waits that cannot be killed, "
			"so it skips this %s task", lst,
			state_name(h->t->state));
	kt_finding_explain(out, f,
			   " The hung-task detector does not report it: it "
			   "skips %s waits, so the log has no \"blocked for "
			   "more than\" line for this task.",
			   state_name(h->t->state));
}

static uint64_t timeout_s(struct kt_program *prog)
{
	uint64_t addr, v;

	if (kt_error_catch_any(kt_symbol_address(
		    prog, "sysctl_hung_task_timeout_secs", &addr)) ||
	    kt_error_catch_any(kt_read_u64(prog, addr, &v)) || !v)
		return DEFAULT_TIMEOUT_S;
	return v;
}

static void explain_time(struct kt_findings *out, struct kt_finding *f,
			 const struct hung *h)
{
	kt_finding_step(out, f,
			"task 0x%" PRIx64 " __state 0x%x (%s, ps: %s)",
			h->t->addr, h->t->state, state_name(h->t->state),
			h->t->st);
	if (!h->blocked_known)
		return;
	kt_finding_step(out, f,
			"blocked %" PRIu64 " ns = rq->clock %" PRIu64
			" (runqueues of CPU %d) - task->sched_info.last_arrival "
			"%" PRIu64 " (when it last got a CPU; so the time off "
			"the CPU, plus at most its last slice; not "
			"last_switch_time, the hung-task detector's sample in "
			"jiffies)",
			h->now - h->last_arrival, h->now, h->clock_cpu,
			h->last_arrival);
}

static void explain_wait(struct kt_findings *out, struct kt_finding *f,
			 const struct hung *h)
{
	if (h->wait >= h->tr.n)
		return;
	kt_finding_ref_frame(out, f, "wait point", h->t->pid, h->t->addr,
			     (int)h->wait, h->wait_fn);
	kt_finding_step(out, f,
			"wait point: frame #%zu %s, the first frame outside "
			"[__sched_text_start, __sched_text_end) (as "
			"get_wchan())", h->wait, h->wait_fn);
}

static void report(struct kt_program *prog, struct kt_findings *out,
		   const struct hung *h, const struct kt_task_list *tl)
{
	uint64_t limit = timeout_s(prog);
	uint64_t ms = h->blocked_known ? (h->now - h->last_arrival) / 1000000 : 0;
	bool hung = h->blocked_known && ms >= limit * 1000;
	const char *wait = h->wait_fn[0] ? h->wait_fn : "?";
	struct kt_finding *f;
	char time[48];

	f = kt_finding_add(out, NAME, hung ? KT_SEV_WARNING : KT_SEV_INFO,
			   "0x%" PRIx64, h->t->addr);
	if (!f)
		return;
	kt_finding_kind(f, hung ? "hung-task" : "d-state");
	if (h->blocked_known)
		snprintf(time, sizeof(time), "for %" PRIu64 ".%03u s",
			 ms / 1000, (unsigned)(ms % 1000));
	else
		snprintf(time, sizeof(time), "for an unknown time");
	kt_finding_title(out, f, "%.16s (pid %d) in D state %s in %s%s%s",
			 h->t->comm, h->t->pid, time, wait,
			 h->disk[0] ? " on " : "", h->disk);
	kt_finding_explain(out, f,
			   "Task %.16s (pid %d) sleeps in %s and has not run "
			   "%s (hung-task timeout: %" PRIu64 " s%s); it waits "
			   "in %s.", h->t->comm, h->t->pid,
			   state_name(h->t->state), time, limit,
			   hung ? ", exceeded: it is hung" : "", wait);
	kt_finding_ref_task(out, f, "blocked task", h->t->pid, h->t->addr);
	explain_time(out, f, h);
	explain_detector(prog, out, f, h);
	explain_wait(out, f, h);
	if (h->lock)
		explain_lock(out, f, h, tl);
	explain_file(out, f, h);
}

static struct kt_error *hung_tasks_run(struct kt_program *prog,
				       struct kt_findings *out)
{
	const struct kt_task_list *tl;
	struct kt_error *err = kt_tasks_load(prog, &tl);

	if (err)
		return kt_error_wrap(err, "loading tasks");
	for (size_t i = 0; i < tl->n; i++) {
		struct hung h = { .t = &tl->tasks[i] };

		if (h.t->idle || strcmp(h.t->st, "UN"))
			continue;
		if (!kt_error_catch_any(kt_stack_trace(prog, h.t->addr,
						       &h.tr))) {
			blocked_time(prog, &h);
			find_wait_point(prog, &h);
			find_lock(prog, &h);
			find_file(prog, &h);
		}
		report(prog, out, &h, tl);
		kt_trace_deinit(&h.tr);
	}
	return NULL;
}

/* struct rq.clock is checked in run(): naming struct rq costs 0.15 s */
static const char *const hung_tasks_types[] = {
	"struct task_struct.sched_info",
	NULL,
};

static const char *const hung_tasks_symbols[] = {
	"runqueues",
	"__sched_text_start",
	"__sched_text_end",
	NULL,
};

const struct kt_plugin kt_plugin_hung_tasks = {
	.name = NAME,
	.summary = "D-state tasks: how long blocked, where, on which file "
		   "and block device",
	.types = hung_tasks_types,
	.symbols = hung_tasks_symbols,
	.run = hung_tasks_run,
};
