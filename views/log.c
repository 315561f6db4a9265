// SPDX-License-Identifier: GPL-2.0-or-later
/* The log view: dmesg, a row a line, oops lines marked. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "views/views.h"

static enum kt_role line_role(const struct kt_log_record *r)
{
	static const char *const bad[] = { "BUG:", "Oops", "Kernel panic",
					   "RIP:", "WARNING:", "Call Trace" };

	if (r->level >= 0 && r->level <= 3)
		return KT_ROLE_ERROR;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (memmem(r->text, r->len, bad[i], strlen(bad[i])))
			return KT_ROLE_ERROR;
	return r->level == 4 ? KT_ROLE_WARNING : KT_ROLE_TEXT;
}

void kt_view_log(struct kt_program *prog, struct kt_rows *rows)
{
	const struct kt_log *log;
	struct kt_error *err = kt_log_load(prog, &log);
	char ts[40];

	if (err) {
		kt_rows_add_raw(rows, KT_ROLE_ERROR, "log: ", err->message,
				strlen(err->message));
		kt_error_destroy(err);
		return;
	}
	for (size_t i = 0; i < log->n; i++) {
		const struct kt_log_record *r = &log->recs[i];
		struct kt_row *row;

		snprintf(ts, sizeof(ts), "[%5" PRIu64 ".%06" PRIu64 "] ",
			 r->ts_nsec / 1000000000, r->ts_nsec / 1000 % 1000000);
		row = kt_rows_add_raw(rows, line_role(r), ts, r->text, r->len);
		if (row) {
			row->link.kind = KT_LINK_LOG;
			row->link.index = i;
		}
	}
	if (log->warning)
		kt_rows_add_raw(rows, KT_ROLE_WARNING, "warning: ",
				log->warning, strlen(log->warning));
}
