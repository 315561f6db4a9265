/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The case report as one self-contained HTML page, for bug trackers and
 * e-mail: rendered from the document kt_report_build() makes, with inline
 * CSS only, no script, and a Content-Security-Policy that lets the page
 * fetch nothing and run nothing, whatever text the dump or the case holds.
 */
#ifndef KT_APP_REPORT_HTML_H
#define KT_APP_REPORT_HTML_H

#include <stdio.h>

#include <cjson/cJSON.h>

/**
 * The page of report @doc (docs/report-format.md): summary, signature
 * when @doc has one, findings most severe first, the panic backtrace with
 * the registers of its exception frames, plugins, notes with every
 * revision, verdicts, tags. Returns a malloc()ed string, or NULL when
 * memory ran out.
 */
char *kt_report_html(const cJSON *doc);

/* The parts of the page written by report_html_bt.c and report_html_case.c. */

/** The "backtrace" section of the page from @bt (`bt --json` of a task). */
void kt_report_html_backtrace(FILE *fp, const cJSON *bt);

/** The notes, verdicts and tags sections from the members of @doc. */
void kt_report_html_case(FILE *fp, const cJSON *doc);

/**
 * A task as "COMM pid PID on CPU CPU, task ADDR" from the members
 * @prefix"comm", "pid", "cpu" and "task" of @o (a backtrace's, or the
 * summary's with "panic_").
 */
void kt_report_html_task(FILE *fp, const cJSON *o, const char *prefix);

/** <section id="@id"><h2>@title</h2>; both literals of the caller. */
void kt_report_html_section(FILE *fp, const char *id, const char *title);

#endif /* KT_APP_REPORT_HTML_H */
