// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A directory store's queries: the dumps grouped by signature, the candidates of
 * a similarity search, one dump, and the verdicts copied from the cases.
 * Text read back is untrusted (another process, or a hand, may have
 * written the file): what is not clean UTF-8 comes back as "?".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "db/case_private.h"
#include "db/store.h"
#include "db/store_private.h"

/* The columns read_dump() reads, of the dumps table aliased d. */
#define DUMP_COLUMNS "d.dump_id, d.path, d.release, d.crash_time, " \
	"d.sig_id, d.sig_text, d.title, d.report, d.case_path, " \
	"d.triaged_at, d.verdict, d.verdict_text"

static char *text_of(sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);

	return strdup(t && kt_case_text_ok(t) ? t : "?");
}

static void copy_col(sqlite3_stmt *st, int col, char *buf, size_t len)
{
	char *t = text_of(st, col);

	snprintf(buf, len, "%s", t ? t : "");
	free(t);
}

/* A row of DUMP_COLUMNS from column @c on. */
static bool read_dump(sqlite3_stmt *st, int c, struct kt_store_dump *d)
{
	memset(d, 0, sizeof(*d));
	copy_col(st, c, d->dump_id, sizeof(d->dump_id));
	d->path = text_of(st, c + 1);
	copy_col(st, c + 2, d->release, sizeof(d->release));
	d->crash_time = sqlite3_column_int64(st, c + 3);
	copy_col(st, c + 4, d->sig_id, sizeof(d->sig_id));
	d->sig_text = text_of(st, c + 5);
	d->title = text_of(st, c + 6);
	d->report = text_of(st, c + 7);
	d->case_path = text_of(st, c + 8);
	copy_col(st, c + 9, d->triaged_at, sizeof(d->triaged_at));
	copy_col(st, c + 10, d->verdict, sizeof(d->verdict));
	d->verdict_text = text_of(st, c + 11);
	return d->path && d->sig_text && d->title && d->report &&
	       d->case_path && d->verdict_text;
}

struct kt_error *kt_store_sq_groups(struct kt_store *s,
				 struct kt_store_group_list *ret)
{
	// one row a signature (kept by kt_store_sq_regroup()): its newest
	// dump is the example, the newest verdict of its dumps its verdict
	static const char sql[] =
		"SELECT g.sig_id, g.n, g.first, g.last, g.verdict || char(9) ||"
		" g.verdict_text, " DUMP_COLUMNS " FROM sigs g JOIN dumps d ON "
		"d.dump_id = g.example ORDER BY g.n DESC, g.last DESC";
	struct kt_error *err = NULL;
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	memset(ret, 0, sizeof(*ret));
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL))
		return kt_store_sq_error(s, "grouping");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct kt_store_group *g = kt_store_grow((void **)&ret->v, ret->n, &cap,
						sizeof(*g));
		char *v;

		if (!g) {
			err = &kt_error_nomem;
			break;
		}
		memset(g, 0, sizeof(*g));
		ret->n++;
		copy_col(st, 0, g->sig_id, sizeof(g->sig_id));
		g->count = sqlite3_column_int64(st, 1);
		g->first = sqlite3_column_int64(st, 2);
		g->last = sqlite3_column_int64(st, 3);
		v = text_of(st, 4);
		if (v && strchr(v, '\t') && *v != '\t') {
			*strchr(v, '\t') = 0;
			snprintf(g->verdict, sizeof(g->verdict), "%s", v);
			g->verdict_text = strdup(v + strlen(v) + 1);
		}
		free(v);
		if (!read_dump(st, 5, &g->example) ||
		    !(g->sig_text = strdup(g->example.sig_text))) {
			err = &kt_error_nomem;
			break;
		}
	}
	if (!err && rc != SQLITE_DONE)
		err = kt_store_sq_error(s, "grouping");
	sqlite3_finalize(st);
	if (err)
		kt_store_group_list_deinit(ret);
	return err;
}

static struct kt_error *dumps_of(struct kt_store *s, sqlite3_stmt *st,
				 struct kt_store_dump_list *ret)
{
	struct kt_error *err = NULL;
	size_t cap = 0;
	int rc;

	memset(ret, 0, sizeof(*ret));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct kt_store_dump *d = kt_store_grow((void **)&ret->v, ret->n, &cap,
					       sizeof(*d));

		if (!d) {
			err = &kt_error_nomem;
			break;
		}
		ret->n++;
		if (!read_dump(st, 0, d)) {
			err = &kt_error_nomem;
			break;
		}
	}
	if (!err && rc != SQLITE_DONE)
		err = kt_store_sq_error(s, "reading");
	sqlite3_finalize(st);
	if (err)
		kt_store_dump_list_deinit(ret);
	return err;
}

struct kt_error *kt_store_sq_candidates(struct kt_store *s, const char *sig_id,
				     const char *kind, const char *frame,
				     const char *finding, size_t max,
				     struct kt_store_dump_list *ret)
{
	// each arm uses its own index; a part given as "" matches nothing;
	// the closest first by the parts' weights of kt_signature_score(),
	// so that the limit cuts the least alike
	static const char sql[] =
		"SELECT " DUMP_COLUMNS " FROM dumps d WHERE rowid IN ("
		"SELECT rowid FROM dumps WHERE sig_id = ?1 UNION "
		"SELECT rowid FROM dumps WHERE sig_kind = ?2 AND ?2 != '' UNION "
		"SELECT rowid FROM dumps WHERE sig_frame = ?3 AND ?3 != '' "
		"UNION SELECT rowid FROM dumps WHERE sig_finding = ?4 AND "
		"?4 != '') ORDER BY (sig_id = ?1) * 100 + (sig_kind = ?2) * 30 "
		"+ (sig_frame = ?3) * 25 + (sig_finding = ?4) * 15 DESC, "
		"crash_time DESC LIMIT ?5";
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL)) {
		memset(ret, 0, sizeof(*ret));
		return kt_store_sq_error(s, "searching");
	}
	sqlite3_bind_text(st, 1, sig_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, frame, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, finding, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (int64_t)max);
	return dumps_of(s, st, ret);
}

struct kt_error *kt_store_sq_dump(struct kt_store *s, const char *dump_id,
				  struct kt_store_dump_list *ret)
{
	sqlite3_stmt *st;

	memset(ret, 0, sizeof(*ret));
	if (sqlite3_prepare_v2(s->db, "SELECT " DUMP_COLUMNS " FROM dumps d "
			       "WHERE dump_id = ?", -1, &st, NULL))
		return kt_store_sq_error(s, "reading");
	sqlite3_bind_text(st, 1, dump_id, -1, SQLITE_STATIC);
	return dumps_of(s, st, ret);
}

struct kt_error *kt_store_sq_count(struct kt_store *s, size_t *ret)
{
	sqlite3_stmt *st;
	int rc;

	*ret = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM dumps", -1, &st,
			       NULL))
		return kt_store_sq_error(s, "counting");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*ret = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? NULL : kt_store_sq_error(s, "counting");
}

static int set_verdict(sqlite3 *db, const char *dump_id, const char *kind,
		       const char *text, int64_t seen)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(db, "UPDATE dumps SET verdict = ?, "
				"verdict_text = ?, verdict_seen = ? WHERE "
				"dump_id = ?", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, text ? text : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, seen);
	sqlite3_bind_text(st, 4, dump_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Recount the group dump @dump_id is in. */
static int regroup_of(sqlite3 *db, const char *dump_id)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(db, "SELECT sig_id FROM dumps WHERE dump_id = "
				"?", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(st, 1, dump_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		char sig[17];

		snprintf(sig, sizeof(sig), "%s", sqlite3_column_text(st, 0) ?
			 (const char *)sqlite3_column_text(st, 0) : "");
		sqlite3_finalize(st);
		return kt_store_sq_regroup(db, sig);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* One changed case: read its verdict and copy it. */
static struct kt_error *refresh_one(struct kt_store *s, const char *id,
				    const char *path, int64_t mtime,
				    kt_store_verdict_reader reader)
{
	char kind[16] = "";
	char *text = NULL;
	struct kt_error *err = reader(path, id, kind, &text);

	// a case that cannot be read keeps its last verdict; said once
	if (err)
		return err;
	if (set_verdict(s->db, id, kind, text, mtime) != SQLITE_OK ||
	    regroup_of(s->db, id) != SQLITE_OK)
		err = kt_store_sq_error(s, "copying a verdict");
	free(text);
	return err;
}

static int64_t mtime_ns(const char *path)
{
	struct stat sb;

	return stat(path, &sb) ? 0 : (int64_t)sb.st_mtim.tv_sec * 1000000000 +
	       sb.st_mtim.tv_nsec;
}

/*
 * When a case last changed, 0 when it is missing: a verdict may sit in
 * its write-ahead log until the last writer closes it.
 */
static int64_t changed_at(const char *path)
{
	char wal[4096];
	int64_t a = mtime_ns(path), b;

	snprintf(wal, sizeof(wal), "%s-wal", path);
	b = a ? mtime_ns(wal) : 0;
	return a > b ? a : b;
}

struct kt_error *kt_store_sq_refresh_verdicts(struct kt_store *s,
					   kt_store_verdict_reader reader)
{
	struct kt_error *err = NULL, *first = NULL;
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT dump_id, case_path, "
			       "verdict_seen FROM dumps WHERE case_path != ''",
			       -1, &st, NULL))
		return kt_store_sq_error(s, "reading");
	sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		const char *path = (const char *)sqlite3_column_text(st, 1);
		int64_t mt;

		if (!id || !path || !(mt = changed_at(path)))
			continue;
		if (mt == sqlite3_column_int64(st, 2))
			continue;
		err = refresh_one(s, id, path, mt, reader);
		if (err && !first)
			first = err;
		else if (err)
			kt_error_destroy(err);
	}
	sqlite3_finalize(st);
	if (!first && rc != SQLITE_DONE)
		first = kt_store_sq_error(s, "reading");
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK &&
	    !first)
		first = kt_store_sq_error(s, "copying verdicts");
	return first;
}
