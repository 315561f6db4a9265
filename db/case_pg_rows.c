// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The rows of a case on PostgreSQL: inserted when their key is new (ON
 * CONFLICT DO NOTHING: two writers at once never fail, and a row is never
 * changed), read back in the order the sqlite backend reads them, every
 * value from the server cut to its field (it is untrusted: what prints
 * it sanitises it, and what merges it validates it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/case_rows.h"
#include "db/pg/pg_conn.h"

/* Per row kind: the insertion, the row with that key, its columns. */
static const struct {
	const char *insert, *find;
	int n;
} rows[] = {
	[KT_ROW_NOTE] = { "INSERT INTO ktriage.notes VALUES($1, $2, $3, $4, "
			  "$5) ON CONFLICT DO NOTHING", "SELECT target, author, "
			  "created FROM ktriage.notes WHERE dump_id = $1 AND "
			  "uuid = $2", 4 },
	[KT_ROW_REVISION] = { "INSERT INTO ktriage.revisions VALUES($1, $2, "
			      "$3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
			      "SELECT note, coalesce(parent, ''), author, at, "
			      "text FROM ktriage.revisions WHERE dump_id = $1 "
			      "AND uuid = $2", 6 },
	[KT_ROW_VERDICT] = { "INSERT INTO ktriage.verdicts VALUES($1, $2, $3, "
			     "$4, $5, $6, $7) ON CONFLICT DO NOTHING", "SELECT "
			     "target, kind, text, author, at FROM "
			     "ktriage.verdicts WHERE dump_id = $1 AND uuid = $2",
			     6 },
	[KT_ROW_TAG] = { "INSERT INTO ktriage.tags VALUES($1, $2, $3, $4, $5) "
			 "ON CONFLICT DO NOTHING", NULL, 4 },
};

#define MAX_COLS 7

/* 0: the row with @v's key is @v; -1: it differs. */
static struct kt_error *compare_row(struct kt_case *c, enum kt_case_row row,
				    const char *const *v, int *ret)
{
	const char *key[] = { c->id.dump_id, v[0] };
	PGresult *res;
	struct kt_error *err = kt_pg_conn_exec(c->pg, "writing", rows[row].find,
					       2, key, &res);

	if (err)
		return err;
	*ret = PQntuples(res) == 1 ? 0 : -1;
	for (int i = 1; i < rows[row].n && !*ret; i++)
		if (strcmp(PQgetvalue(res, 0, i - 1), v[i] ? v[i] : ""))
			*ret = -1;
	PQclear(res);
	return NULL;
}

struct kt_error *kt_case_pg_put(struct kt_case *c, enum kt_case_row row,
				const char *const *v, int *ret)
{
	const char *all[MAX_COLS + 1] = { c->id.dump_id };
	PGresult *res;
	struct kt_error *err;

	for (int i = 0; i < rows[row].n; i++)
		all[i + 1] = v[i];
	err = kt_pg_conn_exec(c->pg, "writing", rows[row].insert,
			      rows[row].n + 1, all, &res);
	if (err)
		return err;
	*ret = !strcmp(PQcmdTuples(res), "1");
	PQclear(res);
	if (*ret || !rows[row].find)
		return NULL;
	return compare_row(c, row, v, ret);
}

static const char *col(const PGresult *res, int row, int i)
{
	return PQgetisnull(res, row, i) ? "" : PQgetvalue(res, row, i);
}

static void cut(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src);
}

/* Notes by uuid, to attach revisions to. */
static int cmp_by_uuid(const void *a, const void *b)
{
	return strcmp((*(struct kt_note *const *)a)->uuid,
		      (*(struct kt_note *const *)b)->uuid);
}

static struct kt_note *note_named(struct kt_note **by_uuid, size_t n,
				  const char *uuid)
{
	struct kt_note key, *k = &key, **hit;

	cut(key.uuid, sizeof(key.uuid), uuid);
	hit = bsearch(&k, by_uuid, n, sizeof(*by_uuid), cmp_by_uuid);
	return hit ? *hit : NULL;
}

/* Each revision of @res (note, uuid, parent, author, at, text) into its note. */
static struct kt_error *attach_revs(struct kt_note_list *l, PGresult *res)
{
	struct kt_note **by_uuid = calloc(l->n + 1, sizeof(*by_uuid));
	size_t *caps = calloc(l->n + 1, sizeof(*caps));
	struct kt_error *err = NULL;

	if (!by_uuid || !caps)
		err = &kt_error_nomem;
	for (size_t i = 0; !err && i < l->n; i++)
		by_uuid[i] = &l->v[i];
	if (!err)
		qsort(by_uuid, l->n, sizeof(*by_uuid), cmp_by_uuid);
	for (int i = 0; !err && i < PQntuples(res); i++) {
		struct kt_note *n = note_named(by_uuid, l->n, col(res, i, 0));
		struct kt_note_rev *r;

		if (!n)
			continue;
		r = kt_note_revs_grow(n, &caps[n - l->v]);
		if (!r || !(r->text = strdup(col(res, i, 5)))) {
			err = &kt_error_nomem;
			break;
		}
		cut(r->uuid, sizeof(r->uuid), col(res, i, 1));
		cut(r->parent, sizeof(r->parent), col(res, i, 2));
		cut(r->author, sizeof(r->author), col(res, i, 3));
		cut(r->at, sizeof(r->at), col(res, i, 4));
	}
	free(by_uuid);
	free(caps);
	return err;
}

#define NOTE_FILTER "WHERE n.dump_id = $1 AND ($2::text IS NULL OR " \
		    "n.target = $2) AND ($3::text IS NULL OR n.uuid = $3)"

struct kt_error *kt_case_pg_notes(struct kt_case *c, const char *target,
				  const char *uuid, struct kt_note_list *ret)
{
	const char *v[] = { c->id.dump_id, target, uuid };
	PGresult *res;
	size_t cap = 0;
	struct kt_error *err = kt_pg_conn_exec(c->pg, "reading notes",
		"SELECT n.uuid, n.target, n.author, n.created FROM "
		"ktriage.notes n " NOTE_FILTER " ORDER BY n.created, n.uuid",
		3, v, &res);

	if (err)
		return err;
	for (int i = 0; !err && i < PQntuples(res); i++) {
		struct kt_note *n = kt_note_list_grow(ret, &cap);

		if (!n || !(n->target = strdup(col(res, i, 1)))) {
			err = &kt_error_nomem;
			break;
		}
		cut(n->uuid, sizeof(n->uuid), col(res, i, 0));
		cut(n->author, sizeof(n->author), col(res, i, 2));
		cut(n->created, sizeof(n->created), col(res, i, 3));
	}
	PQclear(res);
	if (err)
		return err;
	// One query for every revision of those notes, not one a note.
	err = kt_pg_conn_exec(c->pg, "reading revisions", "SELECT r.note, "
		"r.uuid, r.parent, r.author, r.at, r.text FROM "
		"ktriage.revisions r JOIN ktriage.notes n ON n.dump_id = "
		"r.dump_id AND n.uuid = r.note " NOTE_FILTER " ORDER BY r.at, "
		"r.uuid", 3, v, &res);
	if (err)
		return err;
	err = attach_revs(ret, res);
	PQclear(res);
	return err;
}

struct kt_error *kt_case_pg_verdicts(struct kt_case *c,
				     struct kt_verdict_list *ret)
{
	const char *v[] = { c->id.dump_id };
	PGresult *res = NULL;
	size_t cap = 0;
	struct kt_error *err = kt_pg_conn_exec(c->pg, "reading verdicts",
		"SELECT uuid, target, kind, text, author, at FROM "
		"ktriage.verdicts WHERE dump_id = $1 ORDER BY at, uuid", 1, v,
		&res);

	for (int i = 0; !err && i < PQntuples(res); i++) {
		struct kt_verdict *d = kt_verdict_list_grow(ret, &cap);

		if (!d) {
			err = &kt_error_nomem;
			break;
		}
		cut(d->uuid, sizeof(d->uuid), col(res, i, 0));
		cut(d->kind, sizeof(d->kind), col(res, i, 2));
		cut(d->author, sizeof(d->author), col(res, i, 4));
		cut(d->at, sizeof(d->at), col(res, i, 5));
		d->target = strdup(col(res, i, 1));
		d->text = strdup(col(res, i, 3));
		if (!d->target || !d->text)
			err = &kt_error_nomem;
	}
	if (res)
		PQclear(res);
	return err;
}

struct kt_error *kt_case_pg_tags(struct kt_case *c, const char *tag,
				 struct kt_tag_list *ret)
{
	const char *v[] = { c->id.dump_id, tag };
	PGresult *res = NULL;
	struct kt_error *err = kt_pg_conn_exec(c->pg, "reading tags",
		"SELECT target, tag, author, at FROM ktriage.tags WHERE "
		"dump_id = $1 AND ($2::text IS NULL OR tag = $2) ORDER BY tag, "
		"target", 2, v, &res);

	for (int i = 0; !err && i < PQntuples(res); i++) {
		struct kt_tag *t = kt_tag_list_grow(ret);

		if (!t) {
			err = &kt_error_nomem;
			break;
		}
		t->target = strdup(col(res, i, 0));
		t->tag = strdup(col(res, i, 1));
		t->author = strdup(col(res, i, 2));
		cut(t->at, sizeof(t->at), col(res, i, 3));
		if (!t->target || !t->tag || !t->author)
			err = &kt_error_nomem;
	}
	if (res)
		PQclear(res);
	return err;
}

struct kt_error *kt_case_pg_find_note(struct kt_case *c, const char *prefix,
				      char uuid[37], int *n)
{
	const char *v[] = { c->id.dump_id, prefix };
	PGresult *res;
	// The caller checked @prefix: hex digits and dashes, no wildcard.
	struct kt_error *err = kt_pg_conn_exec(c->pg, "reading notes",
		"SELECT uuid FROM ktriage.notes WHERE dump_id = $1 AND "
		"uuid LIKE $2 || '%' ORDER BY uuid LIMIT 2", 2, v, &res);

	if (err)
		return err;
	*n = PQntuples(res);
	if (*n)
		cut(uuid, 37, col(res, 0, 0));
	PQclear(res);
	return NULL;
}
