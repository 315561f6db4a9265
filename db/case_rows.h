/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rows of each backend (case_sqlite_rows.c, case_pg_rows.c), for
 * their ops tables (case_sqlite.c, case_pg.c). See struct kt_case_ops
 * for what each does.
 */
#ifndef KT_DB_CASE_ROWS_H
#define KT_DB_CASE_ROWS_H

#include "db/case_private.h"

/* sqlite */

struct kt_error *kt_case_sqlite_put(struct kt_case *c, enum kt_case_row row,
				    const char *const *v, int *ret);
struct kt_error *kt_case_sqlite_notes(struct kt_case *c, const char *target,
				      const char *uuid,
				      struct kt_note_list *ret);
struct kt_error *kt_case_sqlite_verdicts(struct kt_case *c,
					 struct kt_verdict_list *ret);
struct kt_error *kt_case_sqlite_tags(struct kt_case *c, const char *tag,
				     struct kt_tag_list *ret);
struct kt_error *kt_case_sqlite_find_note(struct kt_case *c,
					  const char *prefix, char uuid[37],
					  int *n);

/* PostgreSQL */

struct kt_error *kt_case_pg_put(struct kt_case *c, enum kt_case_row row,
				const char *const *v, int *ret);
struct kt_error *kt_case_pg_notes(struct kt_case *c, const char *target,
				  const char *uuid, struct kt_note_list *ret);
struct kt_error *kt_case_pg_verdicts(struct kt_case *c,
				     struct kt_verdict_list *ret);
struct kt_error *kt_case_pg_tags(struct kt_case *c, const char *tag,
				 struct kt_tag_list *ret);
struct kt_error *kt_case_pg_find_note(struct kt_case *c, const char *prefix,
				      char uuid[37], int *n);

#endif /* KT_DB_CASE_ROWS_H */
