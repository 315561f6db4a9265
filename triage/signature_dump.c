// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A dump's failure signature: the panic's kind from the log, the frames
 * of the panic stack (or, for a hung-task panic, of the task the detector
 * named), their module, and the top finding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/stack.h"
#include "core/sysinfo.h"
#include "core/task.h"
#include "triage/signature.h"

/* The record's text as a C string, cut at @len - 1 bytes. */
static void rec_text(const struct kt_log_record *r, char *buf, size_t len)
{
	size_t n = r->len < len - 1 ? r->len : len - 1;

	memcpy(buf, r->text, n);
	buf[n] = 0;
}

/*
 * The last record starting with @prefix at or after record @from (the
 * newest report is the one that killed the kernel), into @buf.
 */
static bool last_line(const struct kt_log *log, const char *prefix,
		      char *buf, size_t len)
{
	size_t n = strlen(prefix);

	for (size_t i = log->n; i-- > 0;) {
		const struct kt_log_record *r = &log->recs[i];

		if (r->len >= n && !memcmp(r->text, prefix, n)) {
			rec_text(r, buf, len);
			return true;
		}
	}
	return false;
}

/* The pid in the hung-task detector's "INFO: task COMM:PID blocked ..." */
static int hung_pid(const struct kt_log *log)
{
	char line[256], *b, *colon;

	if (!last_line(log, "INFO: task ", line, sizeof(line)))
		return -1;
	b = strstr(line, " blocked for more than ");
	if (!b)
		return -1;
	*b = 0;
	colon = strrchr(line, ':');
	return colon ? atoi(colon + 1) : -1;
}

static bool kernel_frame(const struct kt_frame *f)
{
	return f->stack != KT_STACK_USER && f->has_sym;
}

/*
 * Where the frames that tell the bug start: at the innermost exception
 * frame's interrupted kernel code (the fault, the WARN, the spinning CPU
 * a watchdog interrupted), else at the top.
 */
static size_t first_frame(const struct kt_trace *tr)
{
	for (size_t i = 0; i < tr->n; i++) {
		const struct kt_frame *f = &tr->frames[i];

		if (f->interrupted && f->regs_addr && kernel_frame(f))
			return i;
	}
	return 0;
}

static void frames_of(struct kt_program *prog, uint64_t task,
		      struct kt_signature *s)
{
	struct kt_trace tr;
	char fn[96];

	if (!task || kt_error_catch_any(kt_stack_trace(prog, task, &tr)))
		return;
	for (size_t i = first_frame(&tr); i < tr.n; i++) {
		const struct kt_frame *f = &tr.frames[i];

		if (s->nframes == KT_SIG_FRAMES || f->stack == KT_STACK_USER)
			break;
		// a jump into data (NX) has no symbol: its callers say more
		if (!f->has_sym)
			continue;
		kt_signature_function(f->sym.name, fn, sizeof(fn));
		// recursion is one frame, however deep it went
		if (kt_signature_generic(fn) || (s->nframes &&
		    !strcmp(s->frames[s->nframes - 1], fn)))
			continue;
		memcpy(s->frames[s->nframes++], fn, sizeof(fn));
		if (!s->module[0] && f->sym.module)
			kt_signature_function(f->sym.module, s->module,
					      sizeof(s->module));
	}
	kt_trace_deinit(&tr);
}

/*
 * The top finding by severity, then plugin and kind, never by its id:
 * ids hold addresses, and the same bug must give the same signature.
 * Findings below warning are context (a task briefly in D state), not
 * the failure.
 */
static void top_finding(const struct kt_findings *fs, struct kt_signature *s)
{
	const struct kt_finding *top = NULL;

	for (size_t i = 0; fs && i < fs->n; i++) {
		const struct kt_finding *f = &fs->v[i];
		int c;

		if (f->severity < KT_SEV_WARNING)
			continue;
		if (top && f->severity < top->severity)
			continue;
		if (top && f->severity == top->severity) {
			c = strcmp(f->plugin, top->plugin);
			if (c > 0 || (!c && strcmp(f->kind ? f->kind : "",
					   top->kind ? top->kind : "") >= 0))
				continue;
		}
		top = f;
	}
	if (!top)
		return;
	snprintf(s->finding, sizeof(s->finding), "%s%s%s", top->plugin,
		 top->kind ? "/" : "", top->kind ? top->kind : "");
	for (char *p = s->finding; *p; p++)
		if (*p == '|' || (unsigned char)*p < 0x20 ||
		    (unsigned char)*p > 0x7e)
			*p = '?';
}

struct kt_error *kt_signature_of(struct kt_program *prog,
				 const struct kt_findings *fs,
				 struct kt_signature *ret)
{
	const struct kt_task_list *tl;
	const struct kt_task *t;
	const struct kt_log *log;
	struct kt_sysinfo si;
	struct kt_error *err;
	char pf[160];
	uint64_t task;

	memset(ret, 0, sizeof(*ret));
	err = kt_log_load(prog, &log);
	if (!err)
		err = kt_sysinfo_load(prog, &si);
	if (err)
		return kt_error_wrap(err, "the failure signature");
	kt_signature_kind(si.panic, si.panic_cause,
			  last_line(log, "#PF: supervisor ", pf, sizeof(pf)) ?
			  pf : NULL, ret->kind, sizeof(ret->kind));
	task = si.panic_task;
	// khungtaskd's stack says nothing of the bug: the task it named does
	if (!strcmp(ret->kind, "hung task") &&
	    !kt_error_catch_any(kt_tasks_load(prog, &tl)) &&
	    (t = kt_task_by_pid(tl, hung_pid(log))))
		task = t->addr;
	kt_sysinfo_deinit(&si);
	frames_of(prog, task, ret);
	top_finding(fs, ret);
	kt_signature_finish(ret);
	return NULL;
}
