// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/expr.h"
#include "core/log.h"
#include "core/program.h"
#include "core/sysinfo.h"
#include "core/vmcoreinfo.h"
#include "core/value.h"
#include "core/task.h"

#define FSHIFT 11
#define FIXED_1 (1 << FSHIFT)
#define NSEC_PER_SEC 1000000000ULL
#define PAGE_SIZE 4096

static void warn(struct kt_sysinfo *info, struct kt_error *err,
		 const char *what)
{
	size_t old = info->warnings ? strlen(info->warnings) : 0;
	char *line;
	int n;

	n = asprintf(&line, "%s: %s\n", what, err->message);
	kt_error_destroy(err);
	if (n < 0)
		return;
	char *p = realloc(info->warnings, old + n + 1);

	if (p) {
		memcpy(p + old, line, n + 1);
		info->warnings = p;
	}
	free(line);
}

/* struct new_utsname is uapi: six char[65] fields. */
static struct kt_error *read_uts(struct kt_program *prog,
				 struct kt_sysinfo *info)
{
	char *fields[] = { info->sysname, info->nodename, info->release,
			   info->version, info->machine };
	struct kt_error *err;
	uint64_t ns, off;

	err = kt_symbol_address(prog, "init_uts_ns", &ns);
	if (!err)
		err = kt_type_member_offset(prog, "struct uts_namespace",
					    "name", &off);
	for (int i = 0; !err && i < 5; i++) {
		err = kt_read(prog, ns + off + i * KT_UTS_LEN, fields[i],
			      KT_UTS_LEN);
		fields[i][KT_UTS_LEN - 1] = 0;
	}
	return err;
}

static unsigned popcount_mask(struct kt_program *prog, const char *sym,
			      struct kt_error **errp)
{
	unsigned n = 0, words = (prog->nr_cpu_ids + 63) / 64;
	uint64_t addr;

	*errp = kt_symbol_address(prog, sym, &addr);
	for (unsigned i = 0; !*errp && i < words; i++) {
		uint64_t w;

		*errp = kt_read_u64(prog, addr + 8 * i, &w);
		if (i == words - 1 && prog->nr_cpu_ids % 64)
			w &= (1ULL << (prog->nr_cpu_ids % 64)) - 1;
		n += __builtin_popcountll(w);
	}
	return n;
}

/*
 * The timekeeper's wall clock in memory. tk_core is of an anonymous struct
 * until 6.13 names it struct tk_data.
 */
static struct kt_error *clock_seconds(struct kt_program *prog, uint64_t *ret)
{
	struct kt_member m;
	struct kt_error *err;
	uint64_t tk;

	// tk_core is defined in kernel/time/timekeeping.c, far down the
	// list of CUs: index that one first.
	kt_type_hint(prog, "ktime_get_real_seconds");
	err = kt_symbol_address(prog, "tk_core", &tk);
	if (!err)
		err = kt_variable_member(prog, "tk_core",
					 "timekeeper.xtime_sec", &m);
	if (!err)
		err = kt_read_u64(prog, tk + m.offset, ret);
	return err;
}

/* VMCOREINFO's CRASHTIME and the timekeeper were read within seconds. */
#define CLOCK_SLACK 3600

static struct kt_error *read_crash_time(struct kt_program *prog,
					struct kt_sysinfo *info)
{
	struct kt_error *err;
	uint64_t vmci, clock;
	bool have_vmci;

	have_vmci = !kt_error_catch_any(kt_vmcoreinfo_value(prog->dump,
							    "CRASHTIME", &vmci));
	// The dump's word, checked by the clock where there is DWARF for it
	// (a QEMU dump has no VMCOREINFO: the clock alone).
	err = have_vmci && !kt_program_has_types(prog) ?
	      kt_error_create(KT_ERR_NO_DWARF, "no DWARF") :
	      clock_seconds(prog, &clock);
	if (have_vmci && !err &&
	    (vmci > clock + CLOCK_SLACK || clock > vmci + CLOCK_SLACK)) {
		kt_program_warn(prog, "VMCOREINFO CRASHTIME=%" PRIu64 " is more "
				"than an hour from the timekeeper's clock in "
				"memory (%" PRIu64 "): the dump's VMCOREINFO is "
				"corrupt; ktriage shows the clock's time",
				vmci, clock);
		vmci = clock;
	}
	if (have_vmci) {
		kt_error_destroy(err);
		info->crash_time = vmci;
		info->crash_time_known = true;
		return NULL;
	}
	if (!err) {
		info->crash_time = clock;
		info->crash_time_known = true;
	}
	return err;
}

/* An integer expression (a member path of a variable) read from the dump. */
static struct kt_error *read_expr(struct kt_program *prog, const char *text,
				  uint64_t *ret)
{
	struct kt_value v;
	struct kt_error *err = kt_expr_eval(prog, text, &v);

	if (!err)
		err = kt_value_read_scalar(prog, &v, ret);
	return err;
}

/* INITIAL_JIFFIES: jiffies start 5 minutes before wrapping 32 bits. */
static uint64_t initial_jiffies(unsigned hz)
{
	return (uint32_t)(-300 * (int)hz);
}

/*
 * HZ where there is no tick_nsec (7.x made it the constant TICK_NSEC):
 * of the values CONFIG_HZ takes, the one whose jiffies count agrees with
 * the timekeeper's monotonic clock (xtime + wall_to_monotonic).
 */
static struct kt_error *hz_from_clock(struct kt_program *prog, uint64_t jiffies,
				      unsigned *ret)
{
	static const unsigned hzs[] = { 100, 250, 300, 1000 };
	// tk_core, or timekeeper_data[TIMEKEEPER_CORE] since there are
	// several timekeepers (6.15 on)
	static const char *const tks[] = { "tk_core", "timekeeper_data[0]" };
	uint64_t xtime, wtm, mono, best = UINT64_MAX;
	struct kt_error *err = NULL;
	char expr[96];

	for (size_t i = 0; i < 2; i++) {
		kt_error_destroy(err);
		snprintf(expr, sizeof(expr), "%s.timekeeper.xtime_sec", tks[i]);
		err = read_expr(prog, expr, &xtime);
		snprintf(expr, sizeof(expr),
			 "%s.timekeeper.wall_to_monotonic.tv_sec", tks[i]);
		if (!err)
			err = read_expr(prog, expr, &wtm);
		if (!err)
			break;
	}
	if (err)
		return kt_error_wrap(err, "no tick_nsec, and the timekeeper");
	mono = xtime + wtm;
	*ret = 0;
	for (size_t i = 0; i < sizeof(hzs) / sizeof(hzs[0]); i++) {
		uint64_t up = (jiffies - initial_jiffies(hzs[i])) / hzs[i];
		uint64_t d = up > mono ? up - mono : mono - up;

		if (d < best) {
			best = d;
			*ret = hzs[i];
		}
	}
	if (best > 2 + mono / 100)
		return kt_error_create(KT_ERR_CORRUPT, "no HZ makes jiffies "
				       "agree with the monotonic clock (%" PRIu64
				       " s)", mono);
	return NULL;
}

static struct kt_error *read_uptime(struct kt_program *prog,
				    struct kt_sysinfo *info)
{
	uint64_t addr, tick_nsec, jiffies;
	struct kt_error *err;
	unsigned hz = 0;

	err = kt_symbol_address(prog, "jiffies_64", &addr);
	if (!err)
		err = kt_read_u64(prog, addr, &jiffies);
	if (err)
		return err;
	err = kt_symbol_address(prog, "tick_nsec", &addr);
	if (!err) {
		err = kt_read_u64(prog, addr, &tick_nsec);
		if (!err && (tick_nsec < 100000 || tick_nsec > 100000000))
			err = kt_error_create(KT_ERR_CORRUPT, "tick_nsec is %"
					      PRIu64, tick_nsec);
		if (!err)
			hz = (NSEC_PER_SEC + tick_nsec / 2) / tick_nsec;
	} else if (err->code == KT_ERR_LOOKUP) {
		kt_error_destroy(err);
		err = hz_from_clock(prog, jiffies, &hz);
	}
	if (err)
		return err;
	info->hz = hz;
	info->uptime_sec = (jiffies - initial_jiffies(hz)) / hz;
	info->uptime_known = true;
	return NULL;
}

static struct kt_error *read_load(struct kt_program *prog,
				  struct kt_sysinfo *info)
{
	struct kt_error *err;
	uint64_t addr;

	err = kt_symbol_address(prog, "avenrun", &addr);
	if (!err)
		err = kt_read(prog, addr, info->avenrun, sizeof(info->avenrun));
	info->load_known = !err;
	return err;
}

static struct kt_error *read_memory(struct kt_program *prog,
				    struct kt_sysinfo *info)
{
	uint64_t nodes, off, pgdat, pages;
	struct kt_error *err;

	// Present pages, as crash's MEMORY; without DWARF, the spanned pages
	// (holes included) whose offset VMCOREINFO gives.
	err = kt_symbol_address(prog, "node_data", &nodes);
	if (!err)
		err = kt_type_member_offset(prog, "struct pglist_data",
			kt_program_has_types(prog) ? "node_present_pages" :
						     "node_spanned_pages", &off);
	// MAX_NUMNODES is a config option; stop at the first empty slot.
	for (unsigned i = 0; !err && i < 1024; i++) {
		err = kt_read_u64(prog, nodes + 8 * i, &pgdat);
		if (err || !pgdat)
			break;
		err = kt_read_u64(prog, pgdat + off, &pages);
		if (!err)
			info->memory_bytes += pages * PAGE_SIZE;
	}
	return err;
}

static bool starts(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !memcmp(s, prefix, n);
}

/* The first line of an oops, BUG or lockup report. */
static bool oops_head(const struct kt_log_record *r)
{
	static const char *const heads[] = {
		"BUG: ", "general protection fault", "kernel BUG at",
		"Unable to handle kernel", "watchdog: BUG: soft lockup",
		"watchdog: Watchdog detected hard LOCKUP", "divide error:",
		"invalid opcode:", "stack segment:", "double fault:",
		"Kernel BUG at", "WARNING: CPU:",
	};

	const char *text = r->text;
	size_t len = r->len;

	// Newer kernels prefix a trap's message: "Oops: general protection
	// fault, ...", "Oops: invalid opcode: ..." (but "Oops: Oops: 0000"
	// follows a page fault's "BUG:" line, which says more).
	if (starts(text, len, "Oops: ")) {
		text += 6;
		len -= 6;
	}
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		if (starts(text, len, heads[i]))
			return true;
	}
	return false;
}

static bool trap_of_bug(const struct kt_log_record *r)
{
	const char *text = r->text;
	size_t len = r->len;

	if (starts(text, len, "Oops: ")) {
		text += 6;
		len -= 6;
	}
	return starts(text, len, "invalid opcode:");
}

static void copy_text(char *dst, size_t size, const struct kt_log_record *r)
{
	size_t n = r->len < size - 1 ? r->len : size - 1;

	memcpy(dst, r->text, n);
	while (n && (dst[n - 1] == '\n' || dst[n - 1] == ' '))
		n--;
	dst[n] = 0;
}

/*
 * Why the kernel died, from the log: the last panic() message, and the
 * last oops/BUG report before it. With kdump loaded an oops goes straight
 * to crash_kexec() and there is no panic() message, so the oops line is
 * the reason. crash 8.0.6 misses 6.1's "general protection fault,
 * probably for ..." wording and prints an empty PANIC.
 */
static void find_panic(const struct kt_log *log, struct kt_sysinfo *info)
{
	ssize_t panic = -1, oops = -1;

	for (ssize_t i = log->n - 1; i >= 0; i--) {
		const struct kt_log_record *r = &log->recs[i];

		if (panic < 0 && oops < 0 &&
		    starts(r->text, r->len, "Kernel panic - not syncing"))
			panic = i;
		else if (oops < 0 && oops_head(r))
			oops = i;
		if (oops >= 0)
			break;
	}
	// An invalid opcode at a BUG() follows "kernel BUG at FILE:LINE!",
	// which says more: crash prints that one.
	if (oops >= 0 && trap_of_bug(&log->recs[oops])) {
		for (ssize_t i = oops - 1; i >= 0 && i >= oops - 4; i--) {
			if (starts(log->recs[i].text, log->recs[i].len,
				   "kernel BUG at")) {
				oops = i;
				break;
			}
		}
	}
	if (panic >= 0)
		copy_text(info->panic, sizeof(info->panic), &log->recs[panic]);
	if (oops >= 0)
		copy_text(panic >= 0 ? info->panic_cause : info->panic,
			  sizeof(info->panic), &log->recs[oops]);
}

static void find_panic_task(struct kt_program *prog, struct kt_sysinfo *info)
{
	const struct kt_task_list *tasks;
	const struct kt_task *t;
	struct kt_error *err;

	err = kt_task_panicked(prog, &info->panic_cpu, &info->panic_task);
	if (kt_error_catch(&err, KT_ERR_LOOKUP))
		return;	// no CPU panicked: no panic task, nothing wrong
	if (err) {
		warn(info, err, "panic task");
		return;
	}
	if (!kt_error_catch_any(kt_tasks_load(prog, &tasks)) &&
	    (t = kt_task_by_addr(tasks, info->panic_task))) {
		info->panic_pid = t->pid;
		memcpy(info->panic_comm, t->comm, sizeof(info->panic_comm));
	}
}

struct kt_error *kt_sysinfo_load(struct kt_program *prog,
				 struct kt_sysinfo *info)
{
	const struct kt_task_list *tasks;
	const struct kt_log *log;
	struct kt_error *err;

	memset(info, 0, sizeof(*info));
	info->nr_cpus = prog->nr_cpu_ids;
	info->panic_cpu = -1;
	err = read_uts(prog, info);
	if (err)
		return kt_error_wrap(err, "reading init_uts_ns");
	info->online_cpus = popcount_mask(prog, "__cpu_online_mask", &err);
	if (err)
		warn(info, err, "online CPUs");
	if ((err = read_crash_time(prog, info)))
		warn(info, err, "crash time");
	if ((err = read_uptime(prog, info)))
		warn(info, err, "uptime");
	if ((err = read_load(prog, info)))
		warn(info, err, "load average");
	if ((err = read_memory(prog, info)))
		warn(info, err, "memory");
	if ((err = kt_tasks_load(prog, &tasks)))
		warn(info, err, "tasks");
	else
		info->tasks = tasks->n;
	if ((err = kt_log_load(prog, &log)))
		warn(info, err, "panic message");
	else
		find_panic(log, info);
	find_panic_task(prog, info);
	return NULL;
}

void kt_sysinfo_deinit(struct kt_sysinfo *info)
{
	free(info->warnings);
	info->warnings = NULL;
}

void kt_format_uptime(uint64_t sec, char *buf, size_t size)
{
	uint64_t days = sec / 86400;

	sec %= 86400;
	if (days)
		snprintf(buf, size, "%" PRIu64 " days, %02u:%02u:%02u", days,
			 (unsigned)(sec / 3600), (unsigned)(sec / 60 % 60),
			 (unsigned)(sec % 60));
	else
		snprintf(buf, size, "%02u:%02u:%02u", (unsigned)(sec / 3600),
			 (unsigned)(sec / 60 % 60), (unsigned)(sec % 60));
}

void kt_format_load(uint64_t avenrun, char *buf, size_t size)
{
	// The kernel's LOAD_INT/LOAD_FRAC, after rounding like /proc/loadavg.
	uint64_t x = avenrun + FIXED_1 / 200;

	snprintf(buf, size, "%" PRIu64 ".%02" PRIu64, x >> FSHIFT,
		 ((x & (FIXED_1 - 1)) * 100) >> FSHIFT);
}
