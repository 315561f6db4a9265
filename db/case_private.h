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
	char *foreign;	/* read-only: what else the file holds, not read */
};

/**
 * Open the case file @path as untrusted input: defensive, no triggers,
 * no views, no function of the schema trusted; read-only ones immutable
 * (nothing is created beside the file) unless a write-ahead log holds
 * commits. Returns sqlite's code; *@ret is to be closed in any case.
 */
int kt_case_db_open(const char *path, bool read_only, sqlite3 **ret);

/**
 * What @db's schema holds that running @schema (ktriage's CREATE
 * statements) does not make, as "trigger 'x' on notes, view 'v'" into
 * *@ret (sqlite3_free()), or NULL when nothing. Returns sqlite's code.
 */
int kt_case_db_foreign(sqlite3 *db, const char *schema, char **ret);

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
