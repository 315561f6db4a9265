/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Inside the case database: shared by the files of db/ only. */
#ifndef KT_DB_CASE_PRIVATE_H
#define KT_DB_CASE_PRIVATE_H

#include <sqlite3.h>

#include "db/case.h"

struct kt_case {
	sqlite3 *db;
	char *path;
	bool read_only;
};

/** "case PATH: WHAT: sqlite's message". */
struct kt_error *kt_case_db_error(struct kt_case *c, const char *what);

/** BEGIN IMMEDIATE: one writer at a time, waiting up to the timeout. */
struct kt_error *kt_case_begin(struct kt_case *c);

/** COMMIT, or ROLLBACK and return @err when it is set. */
struct kt_error *kt_case_end(struct kt_case *c, struct kt_error *err);

/** Notes on @target, or the note @uuid, or all (both NULL). */
struct kt_error *kt_case_notes_of(struct kt_case *c, const char *target,
				  const char *uuid, struct kt_note_list *ret);

/** True when @text is UTF-8 without control characters but \n and \t. */
bool kt_case_text_ok(const char *text);

/** The identity a case was made for, from its meta table. */
void kt_case_meta_identity(struct kt_case *c, struct kt_case_identity *id);

#endif /* KT_DB_CASE_PRIVATE_H */
