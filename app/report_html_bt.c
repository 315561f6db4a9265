// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The report page's backtrace: the panic task's stacks as `bt` shows them,
 * in one table so that their columns line up: a row naming each segment
 * (task, IRQ, NMI, exception or user stack), then its frames with pc, sp,
 * module and source line, and the registers of a frame that has them (an
 * exception frame's pt_regs, the crash notes') right under it.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "app/html.h"
#include "app/report_html.h"

#define REGS_PER_ROW 4

static void registers(FILE *fp, const cJSON *frame)
{
	const cJSON *regs = cJSON_GetObjectItem(frame, "regs");
	const char *pt = kt_html_str(frame, "pt_regs");
	const cJSON *r;
	int n = 0;

	if (!cJSON_IsObject(regs))
		return;
	fputs("<tr class=\"regs\"><td></td><td colspan=\"5\">"
	      "<div class=\"muted\">", fp);
	if (pt) {
		fputs("exception frame, pt_regs at ", fp);
		kt_html_escape(fp, pt);
	} else {
		fputs("registers", fp);
	}
	fputs("</div>\n<table class=\"regs\"><tr>", fp);
	cJSON_ArrayForEach(r, regs) {
		if (n && !(n % REGS_PER_ROW))
			fputs("</tr>\n<tr>", fp);
		kt_html_elem(fp, "td", "r", r->string ?: "?");
		fputs("<td>", fp);
		kt_html_value(fp, r);
		fputs("</td>", fp);
		n++;
	}
	fputs("</tr></table></td></tr>\n", fp);
}

static void frame(FILE *fp, const cJSON *f)
{
	const cJSON *off = cJSON_GetObjectItem(f, "offset");
	const cJSON *src = cJSON_GetObjectItem(f, "source");

	fputs("<tr class=\"frame\"><td>#", fp);
	kt_html_value(fp, cJSON_GetObjectItem(f, "level"));
	fputs("</td><td>", fp);
	kt_html_escape(fp, kt_html_str(f, "function") ?: "?");
	if (cJSON_IsNumber(off) && off->valuedouble >= 0 &&
	    off->valuedouble < 1e15)
		fprintf(fp, "+0x%llx", (unsigned long long)off->valuedouble);
	if (cJSON_IsTrue(cJSON_GetObjectItem(f, "inlined")))
		fputs(" <span class=\"muted\">(inlined)</span>", fp);
	fputs("</td>", fp);
	kt_html_elem(fp, "td", NULL, kt_html_str(f, "module") ?: "");
	kt_html_elem(fp, "td", NULL, kt_html_str(f, "pc") ?: "");
	kt_html_elem(fp, "td", NULL, kt_html_str(f, "sp") ?: "");
	fputs("<td class=\"src\">", fp);
	if (cJSON_IsObject(src)) {
		kt_html_escape(fp, kt_html_str(src, "file") ?: "?");
		fputc(':', fp);
		kt_html_value(fp, cJSON_GetObjectItem(src, "line"));
	}
	fputs("</td></tr>\n", fp);
	registers(fp, f);
}

/* A segment's frames under a row that names its stack ("IRQ stack"). */
static void segment(FILE *fp, const cJSON *seg)
{
	const char *kind = kt_html_str(seg, "kind") ?: "?";
	const char *stack = kt_html_str(seg, "stack") ?: kind;
	const cJSON *f;

	fputs("<tr class=\"seg\"><th colspan=\"6\">", fp);
	kt_html_escape(fp, stack);
	fputs(" stack", fp);
	if (strcasecmp(stack, kind)) {
		fputs(" (", fp);
		kt_html_escape(fp, kind);
		fputc(')', fp);
	}
	fputs("</th></tr>\n", fp);
	cJSON_ArrayForEach(f, cJSON_GetObjectItem(seg, "frames"))
		frame(fp, f);
}

/* The member @prefix@name of @o. */
static const cJSON *member(const cJSON *o, const char *prefix,
			   const char *name)
{
	char key[64];

	snprintf(key, sizeof(key), "%s%s", prefix, name);
	return cJSON_GetObjectItem(o, key);
}

void kt_report_html_task(FILE *fp, const cJSON *o, const char *prefix)
{
	const char *comm = cJSON_GetStringValue(member(o, prefix, "comm"));
	const char *task = cJSON_GetStringValue(member(o, prefix, "task"));

	kt_html_elem(fp, "code", NULL, comm ?: "?");
	fputs(" pid ", fp);
	kt_html_value(fp, member(o, prefix, "pid"));
	fputs(" on CPU ", fp);
	kt_html_value(fp, member(o, prefix, "cpu"));
	fputs(", task ", fp);
	kt_html_elem(fp, "code", NULL, task ?: "?");
}

/* Whose stack, where the registers came from, and where the walk ended. */
static void trace_header(FILE *fp, const cJSON *bt)
{
	fputs("<p>", fp);
	kt_report_html_task(fp, bt, "");
	fputs(" &middot; registers from ", fp);
	kt_html_escape(fp, kt_html_str(bt, "regs_source") ?: "?");
	fputs(cJSON_IsTrue(cJSON_GetObjectItem(bt, "complete")) ?
	      " &middot; complete: " : " &middot; incomplete: ", fp);
	kt_html_escape(fp, kt_html_str(bt, "stop") ?: "?");
	fputs("</p>\n", fp);
}

void kt_report_html_backtrace(FILE *fp, const cJSON *bt)
{
	const cJSON *seg;

	kt_report_html_section(fp, "backtrace", "Panic backtrace");
	if (kt_html_str(bt, "error")) {
		fputs("<p>The backtrace could not be read: ", fp);
		kt_html_escape(fp, kt_html_str(bt, "error"));
		fputs("</p>\n", fp);
	} else if (!cJSON_IsObject(bt)) {
		fputs("<p class=\"muted\">No task panicked.</p>\n", fp);
	} else {
		trace_header(fp, bt);
		fputs("<table class=\"bt\">\n<tr><th>#</th><th>function</th>"
		      "<th>module</th><th>pc</th><th>sp</th><th>source</th>"
		      "</tr>\n", fp);
		cJSON_ArrayForEach(seg, cJSON_GetObjectItem(bt, "segments"))
			segment(fp, seg);
		fputs("</table>\n", fp);
	}
	fputs("</section>\n", fp);
}
