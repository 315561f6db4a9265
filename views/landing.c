// SPDX-License-Identifier: GPL-2.0-or-later
/* The landing screen: what crashed, where, what the analyzers think. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dump.h"
#include "core/log.h"
#include "core/program.h"
#include "core/sanitize.h"
#include "core/sysinfo.h"
#include "core/task.h"
#include "core/vmlinux.h"
#include "views/views.h"

#define TOP_FINDINGS 5

/*
 * The last log line that starts with @key ("RIP: ", "CR2: "): an oops
 * prints its registers after the faulting line, and a later oops (e.g.
 * the panic's own) would not be the first one.
 */
static long log_line(const struct kt_log *log, const char *key, size_t *off)
{
	size_t klen = strlen(key);

	for (size_t i = log->n; i-- > 0;) {
		const struct kt_log_record *r = &log->recs[i];

		for (size_t k = 0; k + klen <= r->len; k++) {
			if (!memcmp(r->text + k, key, klen)) {
				*off = k;
				return i;
			}
		}
	}
	return -1;
}

static void oops_lines(struct kt_program *prog, struct kt_rows *rows)
{
	static const char *const keys[][2] = {
		{ "RIP: 0010:", "  RIP:     " },
		{ "CR2: ", "  CR2:     " },
	};
	const struct kt_log *log;
	struct kt_row *r;
	size_t off, len;
	long i;

	if (kt_error_catch_any(kt_log_load(prog, &log)))
		return;
	for (size_t k = 0; k < 2; k++) {
		i = log_line(log, keys[k][0], &off);
		if (i < 0)
			continue;
		// CR2 is a fault's address only after a page fault; every
		// oops prints it (a BUG()'s is a stale user fault's)
		if (k == 1 && log_line(log, "#PF: ", &len) < 0 &&
		    log_line(log, "BUG: unable to handle", &len) < 0 &&
		    log_line(log, "NULL pointer dereference", &len) < 0)
			continue;
		off += strlen(keys[k][0]);
		// "CR2: x CR3: y CR4: z" on one line: CR2's value only.
		len = log->recs[i].len - off;
		if (k == 1 && memchr(log->recs[i].text + off, ' ', len))
			len = (const char *)memchr(log->recs[i].text + off, ' ',
						   len) - log->recs[i].text - off;
		r = kt_rows_add_raw(rows, KT_ROLE_ERROR, keys[k][1],
				    log->recs[i].text + off, len);
		if (r) {
			r->link.kind = KT_LINK_LOG;
			r->link.index = i;
		}
	}
}

/* Hung tasks are often the story of a sysrq or hung-task panic. */
static void task_line(struct kt_program *prog, struct kt_rows *rows)
{
	const struct kt_task_list *list;
	struct kt_row *r;
	size_t un = 0;

	if (kt_error_catch_any(kt_tasks_load(prog, &list)))
		return;
	for (size_t i = 0; i < list->n; i++)
		un += !strcmp(list->tasks[i].st, "UN");
	r = kt_rows_add(rows, un ? KT_ROLE_WARNING : KT_ROLE_TEXT,
			"  TASKS:   %zu, %zu in D state (UN)", list->n, un);
	if (r && un) {
		r->link.kind = KT_LINK_TASKS;
		snprintf(r->link.type, sizeof(r->link.type), "UN");
	}
}

static enum kt_role sev_role(int rank)
{
	return rank >= 3 ? KT_ROLE_CRITICAL : rank == 2 ? KT_ROLE_ERROR :
	       rank == 1 ? KT_ROLE_WARNING : KT_ROLE_DIM;
}

/*
 * The one-line cause: the most severe finding's title (they come sorted),
 * when it is a warning or worse; an info finding explains nothing.
 */
static void cause_line(const struct kt_view_finding *f, size_t nf,
		       struct kt_rows *rows)
{
	struct kt_row *r;

	if (!nf || f[0].rank < 1)
		return;
	r = kt_rows_add_raw(rows, sev_role(f[0].rank), "  CAUSE:   ",
			    f[0].title, strlen(f[0].title));
	if (r) {
		r->link.kind = KT_LINK_FINDING;
		r->link.index = 0;
	}
}

static void crash_lines(struct kt_program *prog, const struct kt_sysinfo *si,
			const struct kt_view_finding *f, size_t nf,
			struct kt_rows *rows)
{
	char comm[KT_SANITIZED_SIZE(sizeof(si->panic_comm))];
	struct kt_row *r;

	kt_rows_add(rows, KT_ROLE_TITLE, "Crash");
	kt_rows_add_raw(rows, KT_ROLE_CRITICAL, "  PANIC:   ", si->panic,
			sizeof(si->panic));
	// the log's report behind a panic ("BUG: soft lockup ...")
	if (*si->panic_cause)
		kt_rows_add_raw(rows, KT_ROLE_ERROR, "  REPORT:  ",
				si->panic_cause, sizeof(si->panic_cause));
	cause_line(f, nf, rows);
	oops_lines(prog, rows);
	if (si->panic_cpu < 0) {
		kt_rows_add(rows, KT_ROLE_DIM, "  no CPU panicked");
		return;
	}
	kt_sanitize(si->panic_comm, sizeof(si->panic_comm), comm, sizeof(comm),
		    false);
	r = kt_rows_add(rows, KT_ROLE_LINK, "  TASK:    PID %d \"%s\" on CPU "
			"%d  (task %016" PRIx64 ")", si->panic_pid, comm,
			si->panic_cpu, si->panic_task);
	if (r) {
		r->link.kind = KT_LINK_TASK;
		r->link.addr = si->panic_task;
		r->link.pid = si->panic_pid;
	}
	task_line(prog, rows);
}

static void finding_lines(const struct kt_view_finding *f, size_t nf,
			  struct kt_rows *rows)
{
	struct kt_row *r;
	char pre[32];

	kt_rows_add(rows, KT_ROLE_TITLE, "Findings (%zu)", nf);
	if (!nf)
		kt_rows_add(rows, KT_ROLE_DIM, "  none");
	for (size_t i = 0; i < nf && i < TOP_FINDINGS; i++) {
		snprintf(pre, sizeof(pre), "  %-8s ", f[i].severity);
		r = kt_rows_add_raw(rows, sev_role(f[i].rank), pre,
				    f[i].title, strlen(f[i].title));
		if (r) {
			r->link.kind = KT_LINK_FINDING;
			r->link.index = i;
		}
	}
	if (nf > TOP_FINDINGS)
		kt_rows_add(rows, KT_ROLE_DIM, "  ... %zu more (F)",
			    nf - TOP_FINDINGS);
}

static void dump_lines(struct kt_program *prog, const struct kt_sysinfo *si,
		       struct kt_rows *rows)
{
	const struct kt_dump_info *di = kt_dump_info(prog->dump);
	uint64_t missing = di->ram_pages > di->present_pages ?
			   di->ram_pages - di->present_pages : 0;

	kt_rows_add(rows, KT_ROLE_TITLE, "Dump");
	kt_rows_add_raw(rows, KT_ROLE_TEXT, "  KERNEL:  ", si->release,
			sizeof(si->release));
	kt_rows_add_raw(rows, KT_ROLE_DIM, "  FILE:    ",
			prog->opts.dump_paths[0],
			strlen(prog->opts.dump_paths[0]));
	if (di->dump_level >= 0)
		kt_rows_add(rows, KT_ROLE_TEXT, "  FORMAT:  %s, dump level %d",
			    di->description, di->dump_level);
	else
		kt_rows_add(rows, KT_ROLE_TEXT, "  FORMAT:  %s",
			    di->description);
	kt_rows_add(rows, missing ? KT_ROLE_WARNING : KT_ROLE_TEXT,
		    "  PAGES:   %" PRIu64 " of %" PRIu64 " RAM pages in the "
		    "file, %" PRIu64 " excluded or missing", di->present_pages,
		    di->ram_pages, missing);
	kt_rows_add_raw(rows, KT_ROLE_TEXT, "  VMLINUX: ",
			prog->identity.verdict, sizeof(prog->identity.verdict));
	if (si->warnings)
		kt_rows_add_raw(rows, KT_ROLE_WARNING, "  WARNING: ",
				si->warnings, strlen(si->warnings));
}

void kt_view_landing(struct kt_program *prog,
		     const struct kt_view_finding *f, size_t nf,
		     struct kt_rows *rows)
{
	struct kt_sysinfo si;
	struct kt_error *err = kt_sysinfo_load(prog, &si);

	if (err) {
		kt_rows_add_raw(rows, KT_ROLE_ERROR, "sys: ", err->message,
				strlen(err->message));
		kt_error_destroy(err);
		return;
	}
	crash_lines(prog, &si, f, nf, rows);
	kt_rows_add(rows, KT_ROLE_TEXT, "%s", "");
	finding_lines(f, nf, rows);
	kt_rows_add(rows, KT_ROLE_TEXT, "%s", "");
	dump_lines(prog, &si, rows);
	kt_sysinfo_deinit(&si);
}
