/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The case report: one cJSON document (docs/report-format.md) that the
 * JSON writer prints and the HTML writer (app/report_html.h) renders.
 */
#ifndef KT_APP_REPORT_H
#define KT_APP_REPORT_H

#include <cjson/cJSON.h>

#include "app/output.h"

/**
 * The "ktriage-report" document of the case of @ctx: identity, summary,
 * backtrace, findings, signature, plugins, notes, verdicts, tags. Returns
 * a new document the caller frees with cJSON_Delete(), or NULL with *@err
 * set.
 */
cJSON *kt_report_build(struct kt_cmd_ctx *ctx, struct kt_error **err);

#endif /* KT_APP_REPORT_H */
