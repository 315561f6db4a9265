// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The rows of a sqlite case: written only when their key is new, read
 * back with every column checked for NULL and cut to its field (the file
 * may have been edited by hand or by an enemy).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/case_rows.h"

static const char *col(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? (const char *)s : "";
}

static void cut(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src);
}

/* Per row kind: the row with @key, the insertion, the number of columns. */
static const struct {
	const char *find, *insert;
	int n;
} rows[] = {
	[KT_ROW_NOTE] = { "SELECT target, author, created FROM notes WHERE "
			  "uuid = ?", "INSERT INTO notes VALUES(?, ?, ?, ?)", 4 },
	[KT_ROW_REVISION] = { "SELECT note, parent, author, at, text FROM "
			      "revisions WHERE uuid = ?", "INSERT INTO "
			      "revisions VALUES(?, ?, ?, ?, ?, ?)", 6 },
	[KT_ROW_VERDICT] = { "SELECT target, kind, text, author, at FROM "
			     "verdicts WHERE uuid = ?", "INSERT INTO verdicts "
			     "VALUES(?, ?, ?, ?, ?, ?)", 6 },
	[KT_ROW_TAG] = { NULL, "INSERT OR IGNORE INTO tags VALUES(?, ?, ?, ?)",
			 4 },
};

/* 1: no row has @v's key; 0: the same row is there; -1: it differs. */
static int compare_row(struct kt_case *c, enum kt_case_row row,
		       const char *const *v)
{
	sqlite3_stmt *st;
	int ret = 1;

	if (sqlite3_prepare_v2(c->db, rows[row].find, -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, v[0], -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		ret = 0;
		for (int i = 1; i < rows[row].n && !ret; i++)
			if (strcmp(col(st, i - 1), v[i] ? v[i] : ""))
				ret = -1;
	}
	sqlite3_finalize(st);
	return ret;
}

struct kt_error *kt_case_sqlite_put(struct kt_case *c, enum kt_case_row row,
				    const char *const *v, int *ret)
{
	sqlite3_stmt *st;
	int rc;

	*ret = rows[row].find ? compare_row(c, row, v) : 1;
	if (*ret <= 0)
		return NULL;
	if (sqlite3_prepare_v2(c->db, rows[row].insert, -1, &st, NULL) !=
	    SQLITE_OK)
		return kt_case_db_error(c, "writing");
	for (int i = 0; i < rows[row].n; i++) {
		if (v[i])
			sqlite3_bind_text(st, i + 1, v[i], -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, i + 1);
	}
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return kt_case_db_error(c, "writing");
	if (row == KT_ROW_TAG)
		*ret = sqlite3_changes(c->db) > 0;
	return NULL;
}

static struct kt_error *load_revs(struct kt_case *c, struct kt_note *n)
{
	sqlite3_stmt *st;
	struct kt_error *err = NULL;
	size_t cap = 0;

	if (sqlite3_prepare_v2(c->db, "SELECT uuid, parent, author, at, text "
			       "FROM revisions WHERE note = ? ORDER BY at, uuid",
			       -1, &st, NULL) != SQLITE_OK)
		return kt_case_db_error(c, "reading revisions");
	sqlite3_bind_text(st, 1, n->uuid, -1, SQLITE_STATIC);
	while (!err && sqlite3_step(st) == SQLITE_ROW) {
		struct kt_note_rev *r = kt_note_revs_grow(n, &cap);

		if (!r || !(r->text = strdup(col(st, 4)))) {
			err = &kt_error_nomem;
			break;
		}
		cut(r->uuid, sizeof(r->uuid), col(st, 0));
		cut(r->parent, sizeof(r->parent), col(st, 1));
		cut(r->author, sizeof(r->author), col(st, 2));
		cut(r->at, sizeof(r->at), col(st, 3));
	}
	sqlite3_finalize(st);
	return err;
}

struct kt_error *kt_case_sqlite_notes(struct kt_case *c, const char *target,
				      const char *uuid,
				      struct kt_note_list *ret)
{
	const char *sql = target ?
		"SELECT uuid, target, author, created FROM notes WHERE target "
		"= ? ORDER BY created, uuid" : uuid ?
		"SELECT uuid, target, author, created FROM notes WHERE uuid = ?" :
		"SELECT uuid, target, author, created FROM notes ORDER BY "
		"created, uuid";
	struct kt_error *err = NULL;
	sqlite3_stmt *st;
	size_t cap = 0;

	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
		return kt_case_db_error(c, "reading notes");
	if (target || uuid)
		sqlite3_bind_text(st, 1, target ? target : uuid, -1,
				  SQLITE_STATIC);
	while (!err && sqlite3_step(st) == SQLITE_ROW) {
		struct kt_note *n = kt_note_list_grow(ret, &cap);

		if (!n || !(n->target = strdup(col(st, 1)))) {
			err = &kt_error_nomem;
			break;
		}
		cut(n->uuid, sizeof(n->uuid), col(st, 0));
		cut(n->author, sizeof(n->author), col(st, 2));
		cut(n->created, sizeof(n->created), col(st, 3));
		err = load_revs(c, n);
	}
	sqlite3_finalize(st);
	return err;
}

struct kt_error *kt_case_sqlite_verdicts(struct kt_case *c,
					 struct kt_verdict_list *ret)
{
	struct kt_error *err = NULL;
	sqlite3_stmt *st;
	size_t cap = 0;

	if (sqlite3_prepare_v2(c->db, "SELECT uuid, target, kind, text, author,"
			       " at FROM verdicts ORDER BY at, uuid", -1, &st,
			       NULL) != SQLITE_OK)
		return kt_case_db_error(c, "reading verdicts");
	while (!err && sqlite3_step(st) == SQLITE_ROW) {
		struct kt_verdict *v = kt_verdict_list_grow(ret, &cap);

		if (!v) {
			err = &kt_error_nomem;
			break;
		}
		cut(v->uuid, sizeof(v->uuid), col(st, 0));
		cut(v->kind, sizeof(v->kind), col(st, 2));
		cut(v->author, sizeof(v->author), col(st, 4));
		cut(v->at, sizeof(v->at), col(st, 5));
		v->target = strdup(col(st, 1));
		v->text = strdup(col(st, 3));
		if (!v->target || !v->text)
			err = &kt_error_nomem;
	}
	sqlite3_finalize(st);
	return err;
}

struct kt_error *kt_case_sqlite_tags(struct kt_case *c, const char *tag,
				     struct kt_tag_list *ret)
{
	struct kt_error *err = NULL;
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(c->db, tag ? "SELECT target, tag, author, at "
			       "FROM tags WHERE tag = ? ORDER BY tag, target" :
			       "SELECT target, tag, author, at FROM tags ORDER "
			       "BY tag, target", -1, &st, NULL) != SQLITE_OK)
		return kt_case_db_error(c, "reading tags");
	if (tag)
		sqlite3_bind_text(st, 1, tag, -1, SQLITE_STATIC);
	while (!err && sqlite3_step(st) == SQLITE_ROW) {
		struct kt_tag *t = kt_tag_list_grow(ret);

		if (!t) {
			err = &kt_error_nomem;
			break;
		}
		t->target = strdup(col(st, 0));
		t->tag = strdup(col(st, 1));
		t->author = strdup(col(st, 2));
		cut(t->at, sizeof(t->at), col(st, 3));
		if (!t->target || !t->tag || !t->author)
			err = &kt_error_nomem;
	}
	sqlite3_finalize(st);
	return err;
}

struct kt_error *kt_case_sqlite_find_note(struct kt_case *c,
					  const char *prefix, char uuid[37],
					  int *n)
{
	sqlite3_stmt *st;
	char *pat;

	// The caller checked @prefix: hex digits and dashes, no wildcard.
	if (asprintf(&pat, "%s%%", prefix) < 0)
		return &kt_error_nomem;
	if (sqlite3_prepare_v2(c->db, "SELECT uuid FROM notes WHERE uuid LIKE "
			       "? LIMIT 2", -1, &st, NULL) != SQLITE_OK) {
		free(pat);
		return kt_case_db_error(c, "reading");
	}
	sqlite3_bind_text(st, 1, pat, -1, SQLITE_TRANSIENT);
	free(pat);
	while (sqlite3_step(st) == SQLITE_ROW)
		if (!(*n)++)
			cut(uuid, 37, col(st, 0));
	sqlite3_finalize(st);
	return NULL;
}
