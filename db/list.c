// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading notes and verdicts back. Rows come from a file that may have
 * been edited by hand or by an enemy: every column is checked for NULL
 * and cut to its field, and a note's revision graph is taken as it is
 * (heads are revisions no other revision names as parent).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/case_private.h"

static const char *col(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? (const char *)s : "";
}

static void cut(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src);
}

/*
 * Put each revision after its parent: two edits in one millisecond have
 * timestamps that do not order them. Among those ready, the (time, uuid)
 * order they were read in is kept, so the order is the same in every copy
 * of the case. A revision whose parent is missing or in a cycle (a damaged
 * case) counts as ready.
 */
static struct kt_error *parents_first(struct kt_note *n)
{
	struct kt_note_rev *out;
	size_t k = 0;
	bool *used;

	if (n->nrevs < 2)	// nothing to order (a note with no revisions
		return NULL;	// has no array to copy back)
	out = malloc(n->nrevs * sizeof(*out));
	used = calloc(n->nrevs, sizeof(*used));
	if (!out || !used) {
		free(out);
		free(used);
		return &kt_error_nomem;
	}
	while (k < n->nrevs) {
		size_t pick = n->nrevs;

		for (size_t i = 0; i < n->nrevs && pick == n->nrevs; i++) {
			bool waits = false;

			if (used[i])
				continue;
			for (size_t j = 0; j < n->nrevs && !waits; j++)
				waits = !used[j] && j != i &&
					!strcmp(n->revs[i].parent, n->revs[j].uuid);
			if (!waits)
				pick = i;
		}
		if (pick == n->nrevs)	// a cycle: take the first left
			for (pick = 0; used[pick]; pick++)
				;
		used[pick] = true;
		out[k++] = n->revs[pick];
	}
	memcpy(n->revs, out, n->nrevs * sizeof(*out));
	free(out);
	free(used);
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
		struct kt_note_rev *r;

		if (n->nrevs == cap) {
			cap = cap * 2 + 4;
			r = realloc(n->revs, cap * sizeof(*r));
			if (!r) {
				err = &kt_error_nomem;
				break;
			}
			n->revs = r;
		}
		r = &n->revs[n->nrevs];
		cut(r->uuid, sizeof(r->uuid), col(st, 0));
		cut(r->parent, sizeof(r->parent), col(st, 1));
		cut(r->author, sizeof(r->author), col(st, 2));
		cut(r->at, sizeof(r->at), col(st, 3));
		r->text = strdup(col(st, 4));
		if (!r->text)
			err = &kt_error_nomem;
		else
			n->nrevs++;
	}
	sqlite3_finalize(st);
	if (!err)
		err = parents_first(n);
	// Heads: named by no other revision as parent. The newest is shown.
	for (size_t i = 0; !err && i < n->nrevs; i++) {
		bool parent = false;

		for (size_t j = 0; j < n->nrevs && !parent; j++)
			parent = !strcmp(n->revs[j].parent, n->revs[i].uuid);
		if (!parent) {
			n->heads++;
			n->current = i;
		}
	}
	if (!err && !n->nrevs)
		err = kt_error_create(KT_ERR_FORMAT, "case %s: note %s has no "
				      "text (a damaged case)", c->path,
				      n->uuid);
	return err;
}

struct kt_error *kt_case_notes_of(struct kt_case *c, const char *target,
				  const char *uuid, struct kt_note_list *ret)
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

	memset(ret, 0, sizeof(*ret));
	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
		return kt_case_db_error(c, "reading notes");
	if (target || uuid)
		sqlite3_bind_text(st, 1, target ? target : uuid, -1,
				  SQLITE_STATIC);
	while (!err && sqlite3_step(st) == SQLITE_ROW) {
		struct kt_note *n;

		if (ret->n == cap) {
			cap = cap * 2 + 8;
			n = realloc(ret->v, cap * sizeof(*n));
			if (!n) {
				err = &kt_error_nomem;
				break;
			}
			ret->v = n;
		}
		n = &ret->v[ret->n++];
		memset(n, 0, sizeof(*n));
		cut(n->uuid, sizeof(n->uuid), col(st, 0));
		n->target = strdup(col(st, 1));
		cut(n->author, sizeof(n->author), col(st, 2));
		cut(n->created, sizeof(n->created), col(st, 3));
		err = n->target ? load_revs(c, n) : &kt_error_nomem;
	}
	sqlite3_finalize(st);
	if (!err && uuid && !ret->n)
		err = kt_error_create(KT_ERR_INVALID, "no note %s", uuid);
	if (err)
		kt_note_list_deinit(ret);
	return err;
}

struct kt_error *kt_case_notes(struct kt_case *c, const char *target,
			       struct kt_note_list *ret)
{
	return kt_case_notes_of(c, target, NULL, ret);
}

void kt_note_list_deinit(struct kt_note_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		for (size_t j = 0; j < l->v[i].nrevs; j++)
			free(l->v[i].revs[j].text);
		free(l->v[i].revs);
		free(l->v[i].target);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

struct kt_error *kt_case_verdicts(struct kt_case *c,
				  struct kt_verdict_list *ret)
{
	struct kt_error *err = NULL;
	sqlite3_stmt *st;
	size_t cap = 0;

	memset(ret, 0, sizeof(*ret));
	if (sqlite3_prepare_v2(c->db, "SELECT uuid, target, kind, text, author,"
			       " at FROM verdicts ORDER BY at, uuid", -1, &st,
			       NULL) != SQLITE_OK)
		return kt_case_db_error(c, "reading verdicts");
	while (!err && sqlite3_step(st) == SQLITE_ROW) {
		struct kt_verdict *v;

		if (ret->n == cap) {
			cap = cap * 2 + 8;
			v = realloc(ret->v, cap * sizeof(*v));
			if (!v) {
				err = &kt_error_nomem;
				break;
			}
			ret->v = v;
		}
		v = &ret->v[ret->n++];
		memset(v, 0, sizeof(*v));
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
	if (err)
		kt_verdict_list_deinit(ret);
	return err;
}

void kt_verdict_list_deinit(struct kt_verdict_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].target);
		free(l->v[i].text);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}
