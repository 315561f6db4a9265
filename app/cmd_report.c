// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * report FILE (and --report FILE): the case report (app/report.c) written
 * to FILE as JSON, or as one self-contained HTML page when FILE ends in
 * .html or .htm (app/report_html.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/commands.h"
#include "app/report.h"

int kt_cmd_report(struct kt_cmd_ctx *ctx, int argc, char **argv)
{
	struct kt_error *err;
	char *text, *tmp;
	cJSON *doc;
	FILE *fp;
	bool ok;

	if (argc != 2)
		return kt_cmd_usage(ctx, "report", "report FILE.json");
	doc = kt_report_build(ctx, &err);
	if (!doc)
		return kt_cmd_fail(ctx, "report", err);
	text = cJSON_Print(doc);
	cJSON_Delete(doc);
	if (!text)
		return kt_cmd_fail(ctx, "report", &kt_error_nomem);
	// Written beside and renamed: a failed write never leaves half a
	// report in place of the last good one.
	if (asprintf(&tmp, "%s.tmp", argv[1]) < 0) {
		free(text);
		return kt_cmd_fail(ctx, "report", &kt_error_nomem);
	}
	fp = fopen(tmp, "w");
	ok = fp && fputs(text, fp) >= 0 && fputc('\n', fp) != EOF;
	ok = fp && !fclose(fp) && ok && !rename(tmp, argv[1]);
	err = ok ? NULL : kt_error_os(errno, "writing %s", argv[1]);
	if (!ok)
		unlink(tmp);
	free(tmp);
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
