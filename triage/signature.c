// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Failure signatures: the parts that need no dump (the panic's kind from
 * the log's words, function names, the text form, the score), kept pure
 * so that unit tests and the store use them alike.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "triage/signature.h"

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/*
 * The dump's words in a signature: printable ASCII, runs of digits and
 * hex numbers as '#' (pids, addresses and counts differ between two
 * dumps of one bug), '|' (the parts' separator) as '/'.
 */
static void normalise(const char *s, size_t n, char *buf, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < n && s[i] && o + 1 < len;) {
		unsigned char c = (unsigned char)s[i];

		if (c >= '0' && c <= '9') {
			if (c == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X'))
				i += 2;
			while (i < n && strchr("0123456789abcdefABCDEF",
					       s[i]) && s[i])
				i++;
			buf[o++] = '#';
			continue;
		}
		buf[o++] = c == '|' ? '/' : c < 0x20 || c > 0x7e ? '?' : c;
		i++;
	}
	while (o && buf[o - 1] == ' ')
		o--;
	buf[o] = 0;
}

/* "#PF: supervisor write access in kernel mode" -> "write" */
static const char *pf_access(const char *pf)
{
	if (!pf)
		return NULL;
	if (strstr(pf, "instruction fetch"))
		return "instruction fetch";
	if (strstr(pf, "write access"))
		return "write";
	if (strstr(pf, "read access"))
		return "read";
	return NULL;
}

/* A "BUG: WHAT ..." line with no kind of its own: WHAT, normalised. */
static void bug_words(const char *s, char *buf, size_t len)
{
	size_t n = strcspn(s, ",:[(");
	const char *in = strstr(s, " in process ");

	if (in && (size_t)(in - s) < n)
		n = in - s;
	snprintf(buf, len, "BUG: ");
	normalise(s, n, buf + strlen(buf), len - strlen(buf));
}

/* The kind an oops, BUG or lockup line says; false when it is none. */
static bool line_kind(const char *s, const char *pf, char *buf, size_t len)
{
	const char *acc = pf_access(pf);

	if (starts(s, "Oops: "))
		s += 6;
	if (starts(s, "watchdog: "))
		s += 10;
	if (starts(s, "kernel BUG at") || starts(s, "Kernel BUG at"))
		snprintf(buf, len, "BUG");
	else if (starts(s, "WARNING:"))
		snprintf(buf, len, "WARNING");
	else if (strstr(s, "stack guard page"))
		snprintf(buf, len, "stack overflow");
	else if (starts(s, "BUG: kernel NULL pointer dereference") ||
		 starts(s, "BUG: unable to handle kernel NULL pointer") ||
		 starts(s, "Unable to handle kernel NULL pointer"))
		snprintf(buf, len, "page fault: NULL pointer%s%s",
			 acc ? ", " : "", acc ? acc : "");
	else if (starts(s, "BUG: unable to handle") ||
		 starts(s, "Unable to handle kernel"))
		snprintf(buf, len, "page fault%s%s", acc ? ": " : "",
			 acc ? acc : "");
	else if (starts(s, "general protection fault"))
		snprintf(buf, len, "general protection fault%s",
			 strstr(s, "non-canonical") ?
			 ": non-canonical address" : "");
	else if (starts(s, "divide error"))
		snprintf(buf, len, "divide error");
	else if (starts(s, "invalid opcode"))
		snprintf(buf, len, "invalid opcode");
	else if (starts(s, "double fault"))
		snprintf(buf, len, "double fault");
	else if (starts(s, "stack segment"))
		snprintf(buf, len, "stack segment fault");
	else if (starts(s, "BUG: soft lockup"))
		snprintf(buf, len, "soft lockup");
	else if (strstr(s, "hard LOCKUP"))
		snprintf(buf, len, "hard lockup");
	else if (starts(s, "BUG: "))
		bug_words(s + 5, buf, len);
	else
		return false;
	return true;
}

/* The kind a panic() message says, for a panic with no oops behind it. */
static void panic_kind(const char *s, char *buf, size_t len)
{
	static const struct {
		const char *words, *kind;
	} known[] = {
		{ "hung_task: blocked tasks", "hung task" },
		{ "softlockup: hung tasks", "soft lockup" },
		{ "Hard LOCKUP", "hard lockup" },
		{ "RCU Stall", "RCU stall" },
		{ "sysrq triggered crash", "sysrq crash" },
		{ "panic_on_warn set", "WARNING" },
		{ "Fatal exception", "oops" },
		{ "Out of memory", "out of memory" },
		{ "System is deadlocked on memory", "out of memory" },
	};
	const char *p = "Kernel panic - not syncing: ";

	if (starts(s, p))
		s += strlen(p);
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (starts(s, known[i].words)) {
			snprintf(buf, len, "%s", known[i].kind);
			return;
		}
	}
	if (!*s) {
		snprintf(buf, len, "unknown");
		return;
	}
	snprintf(buf, len, "panic: ");
	normalise(s, 60, buf + strlen(buf), len - strlen(buf));
}

void kt_signature_kind(const char *panic, const char *cause, const char *pf,
		       char *buf, size_t len)
{
	if (cause && *cause && line_kind(cause, pf, buf, len))
		return;
	if (panic && line_kind(panic, pf, buf, len))
		return;
	panic_kind(panic ? panic : "", buf, len);
}

void kt_signature_function(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%.*s", (int)strcspn(name, "."), name);
	for (char *p = buf; *p; p++)
		if (*p == '|' || (unsigned char)*p < 0x21 ||
		    (unsigned char)*p > 0x7e)
			*p = '?';
}

bool kt_signature_generic(const char *fn)
{
	static const char *const exact[] = {
		"panic", "vpanic", "nmi_panic", "__crash_kexec",
		"crash_kexec", "oops_end", "die", "die_addr", "__die",
		"__die_body", "do_trap", "do_error_trap", "handle_bug",
		"report_bug", "__report_bug", "__warn", "warn_slowpath_fmt",
		"check_panic_on_warn", "page_fault_oops",
		"kernelmode_fixup_or_oops", "no_context",
		"__bad_area_nosemaphore", "bad_area_nosemaphore",
		"do_user_addr_fault", "do_kern_addr_fault",
		"handle_page_fault", "spurious_kernel_fault",
		"irq_exit_rcu", "__irq_exit_rcu", "hrtimer_interrupt",
		"__hrtimer_run_queues", "watchdog_timer_fn",
		"update_process_times", "tick_sched_handle",
		"tick_sched_timer", "dump_stack", "dump_stack_lvl",
		"show_stack", "machine_kexec", "__schedule", "schedule",
		"schedule_timeout", "schedule_preempt_disabled",
		"io_schedule", "io_schedule_timeout",
		"native_queued_spin_lock_slowpath",
		"queued_spin_lock_slowpath", "__pv_queued_spin_lock_slowpath",
		"do_raw_spin_lock", "kthread", "ret_from_fork",
		"ret_from_fork_asm", "worker_thread", "process_one_work",
		"do_syscall_64",
	};
	static const char *const prefix[] = {
		"exc_", "asm_exc_", "asm_sysvec_", "sysvec_", "__sysvec_",
		"_raw_spin_lock", "__switch_to", "entry_SYSCALL_64",
	};

	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (!strcmp(fn, exact[i]))
			return true;
	for (size_t i = 0; i < sizeof(prefix) / sizeof(prefix[0]); i++)
		if (starts(fn, prefix[i]))
			return true;
	return false;
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

void kt_signature_finish(struct kt_signature *s)
{
	size_t o;

	o = snprintf(s->text, sizeof(s->text), "%s | ", s->kind);
	for (size_t i = 0; i < s->nframes && o < sizeof(s->text); i++)
		o += snprintf(s->text + o, sizeof(s->text) - o, "%s%s",
			      i ? " < " : "", s->frames[i]);
	if (o < sizeof(s->text))
		snprintf(s->text + o, sizeof(s->text) - o, " | %s | %s",
			 s->module, s->finding);
	snprintf(s->id, sizeof(s->id), "%016" PRIx64, fnv1a(s->text));
}

/* Copy the part [s, end) into @buf, without the spaces around it. */
static void part(const char *s, const char *end, char *buf, size_t len)
{
	while (s < end && *s == ' ')
		s++;
	while (end > s && end[-1] == ' ')
		end--;
	snprintf(buf, len, "%.*s", (int)(end - s), s);
}

bool kt_signature_parse(const char *text, struct kt_signature *ret)
{
	const char *bar[3], *p = text, *f;

	memset(ret, 0, sizeof(*ret));
	for (int i = 0; i < 3; i++) {
		bar[i] = strchr(p, '|');
		if (!bar[i])
			return false;
		p = bar[i] + 1;
	}
	if (strchr(p, '|'))
		return false;
	part(text, bar[0], ret->kind, sizeof(ret->kind));
	part(bar[1] + 1, bar[2], ret->module, sizeof(ret->module));
	part(p, p + strlen(p), ret->finding, sizeof(ret->finding));
	for (f = bar[0] + 1; f < bar[1] && ret->nframes < KT_SIG_FRAMES;) {
		const char *lt = strstr(f, " < ");
		const char *end = lt && lt < bar[1] ? lt : bar[1];

		part(f, end, ret->frames[ret->nframes],
		     sizeof(ret->frames[0]));
		if (ret->frames[ret->nframes][0])
			ret->nframes++;
		f = end == bar[1] ? bar[1] : end + 3;
	}
	kt_signature_finish(ret);
	return !strcmp(ret->text, text);
}

int kt_signature_score(const struct kt_signature *a,
		       const struct kt_signature *b)
{
	int score = 0, common = 0;

	if (!strcmp(a->id, b->id))
		return 100;
	if (a->kind[0] && !strcmp(a->kind, b->kind))
		score += 30;
	if (a->nframes && b->nframes && !strcmp(a->frames[0], b->frames[0]))
		score += 25;
	for (size_t i = 0; i < a->nframes; i++)
		for (size_t j = 0; j < b->nframes; j++)
			if (!strcmp(a->frames[i], b->frames[j])) {
				common++;
				break;
			}
	score += 5 * common;
	if (!strcmp(a->module, b->module))
		score += 10;
	if (a->finding[0] && !strcmp(a->finding, b->finding))
		score += 15;
	// all the parts equal are the same id: anything else stays below
	return score > 99 ? 99 : score;
}
