// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * report FILE (and --report FILE): the case report (app/report.c) written
 * to FILE as JSON, or as one self-contained HTML page when FILE ends in
 * .html or .htm (app/report_html.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "app/commands.h"
#include "app/report.h"
#include "app/report_html.h"

/* The page for FILE.html and FILE.htm, as a browser would take them. */
static bool is_html(const char *path)
{
	const char *dot = strrchr(path, '.');

	return dot && (!strcasecmp(dot, ".html") || !strcasecmp(dot, ".htm"));
}

/*
 * Written beside and renamed: a failed write never leaves half a report
 * in place of the last good one.
 */
static struct kt_error *write_file(const char *path, const char *text,
				   const char *end)
{
	struct kt_error *err = NULL;
	char *tmp;
	FILE *fp;
	bool ok;

	if (asprintf(&tmp, "%s.tmp", path) < 0)
		return &kt_error_nomem;
	fp = fopen(tmp, "w");
	ok = fp && fputs(text, fp) >= 0 && fputs(end, fp) >= 0;
	ok = fp && !fclose(fp) && ok && !rename(tmp, path);
	if (!ok) {
		err = kt_error_os(errno, "writing %s", path);
		unlink(tmp);
	}
	free(tmp);
	return err;
}

int kt_cmd_report(struct kt_cmd_ctx *ctx, int argc, char **argv)
{
	struct kt_error *err;
	char *text;
	cJSON *doc;
	bool html;

	if (argc != 2)
		return kt_cmd_usage(ctx, "report", "report FILE.json|FILE.html");
	html = is_html(argv[1]);
	doc = kt_report_build(ctx, &err);
	if (!doc)
		return kt_cmd_fail(ctx, "report", err);
	text = html ? kt_report_html(doc) : cJSON_Print(doc);
	cJSON_Delete(doc);
	if (!text)
		return kt_cmd_fail(ctx, "report", &kt_error_nomem);
	// the page ends in a newline of its own
	err = write_file(argv[1], text, html ? "" : "\n");
	free(text);
	if (err)
		return kt_cmd_fail(ctx, "report", err);
	if (!ctx->json) {
		fputs("report written to ", ctx->out);
		kt_out_raw(ctx->out, argv[1], strlen(argv[1]), false);
		fputc('\n', ctx->out);
	}
	return 0;
}
