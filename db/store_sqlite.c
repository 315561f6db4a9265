// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A store in a directory: its index DIR/store.sqlite opened and checked,
 * triaged dumps recorded. The queries are in store_sqlite_query.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#include "db/case_private.h"
#include "db/store.h"
#include "db/store_private.h"

#define STORE_APP_ID 0x6b747273	/* "ktrs" */
#define STORE_VERSION 1
#define BUSY_MS 30000

static const char schema_v1[] =
	"CREATE TABLE dumps(dump_id TEXT PRIMARY KEY, path TEXT NOT NULL,"
	" release TEXT NOT NULL, crash_time INTEGER NOT NULL,"
	" sig_id TEXT NOT NULL, sig_text TEXT NOT NULL,"
	" sig_kind TEXT NOT NULL, sig_frame TEXT NOT NULL,"
	" sig_finding TEXT NOT NULL, title TEXT NOT NULL,"
	" report TEXT NOT NULL, case_path TEXT NOT NULL,"
	" triaged_at TEXT NOT NULL, verdict TEXT NOT NULL DEFAULT '',"
	" verdict_text TEXT NOT NULL DEFAULT '',"
	" verdict_seen INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX dumps_sig ON dumps(sig_id, crash_time);"
	"CREATE INDEX dumps_kind ON dumps(sig_kind);"
	"CREATE INDEX dumps_frame ON dumps(sig_frame);"
	"CREATE INDEX dumps_finding ON dumps(sig_finding);"
	"CREATE TABLE sigs(sig_id TEXT PRIMARY KEY, sig_text TEXT NOT NULL,"
	" n INTEGER NOT NULL, first INTEGER NOT NULL, last INTEGER NOT NULL,"
	" example TEXT NOT NULL, verdict TEXT NOT NULL,"
	" verdict_text TEXT NOT NULL);"
	"CREATE TABLE files(path TEXT NOT NULL, size INTEGER NOT NULL,"
	" mtime INTEGER NOT NULL, dump_id TEXT NOT NULL, status TEXT NOT NULL,"
	" reason TEXT NOT NULL, at TEXT NOT NULL,"
	" PRIMARY KEY(path, size, mtime));";

static const char *const required[] = {
	("SELECT dump_id, path, release, crash_time, sig_id, sig_text, "
	 "sig_kind, sig_frame, sig_finding, title, report, case_path, "
	 "triaged_at, verdict, verdict_text, verdict_seen FROM dumps"),
	"SELECT path, size, mtime, dump_id, status, reason, at FROM files",
	("SELECT sig_id, sig_text, n, first, last, example, verdict, "
	 "verdict_text FROM sigs"),
};

struct kt_error *kt_store_sq_error(struct kt_store *s, const char *what)
{
	return kt_error_create(KT_ERR_FORMAT, "store %s: %s: %s", s->dir, what,
			       sqlite3_errmsg(s->db));
}

static struct kt_error *exec(struct kt_store *s, const char *sql)
{
	return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ? NULL :
	       kt_store_sq_error(s, "writing");
}

static int64_t pragma(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* A new index, or one made by this ktriage: anything else is refused. */
static struct kt_error *check(struct kt_store *s)
{
	int64_t app = pragma(s->db, "PRAGMA application_id");
	int64_t ver = pragma(s->db, "PRAGMA user_version");
	int64_t tables = pragma(s->db, "SELECT count(*) FROM sqlite_master");
	char *foreign = NULL;
	sqlite3_stmt *st;

	if (app == 0 && ver == 0 && tables == 0) {
		char sql[sizeof(schema_v1) + 128];

		snprintf(sql, sizeof(sql), "BEGIN IMMEDIATE;PRAGMA "
			 "application_id = %d; PRAGMA user_version = %d;%s"
			 "COMMIT;", STORE_APP_ID, STORE_VERSION, schema_v1);
		return exec(s, sql);
	}
	if (app != STORE_APP_ID)
		return kt_error_create(KT_ERR_FORMAT, "%s/store.sqlite is no "
				       "ktriage store (its application id is "
				       "%#llx): give another --store directory",
				       s->dir, (unsigned long long)app);
	if (ver > STORE_VERSION)
		return kt_error_create(KT_ERR_FORMAT, "%s/store.sqlite is of "
				       "version %lld, newer than this ktriage "
				       "knows (%d): upgrade ktriage", s->dir,
				       (long long)ver, STORE_VERSION);
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (sqlite3_prepare_v2(s->db, required[i], -1, &st, NULL) !=
		    SQLITE_OK) {
			sqlite3_finalize(st);
			return kt_error_create(KT_ERR_FORMAT, "%s/store.sqlite "
					       "is damaged (%s): move it "
					       "away and triage again",
					       s->dir, sqlite3_errmsg(s->db));
		}
		sqlite3_finalize(st);
	}
	if (kt_case_db_foreign(s->db, schema_v1, &foreign) != SQLITE_OK)
		return kt_store_sq_error(s, "reading its schema");
	if (foreign) {
		struct kt_error *err = kt_error_create(KT_ERR_FORMAT,
			"%s/store.sqlite holds what ktriage did not make "
			"(%s): refused; move it away", s->dir, foreign);

		sqlite3_free(foreign);
		return err;
	}
	return NULL;
}

static struct kt_error *mkdir_p(const char *dir)
{
	char *p = strdup(dir);

	if (!p)
		return &kt_error_nomem;
	for (char *q = p + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = 0;
		mkdir(p, 0755);
		*q = '/';
	}
	free(p);
	if (mkdir(dir, 0755) && errno != EEXIST)
		return kt_error_os(errno, "creating the store %s", dir);
	return NULL;
}

struct kt_error *kt_store_sqlite_open(const char *dir, struct kt_store **ret)
{
	struct kt_store *s = calloc(1, sizeof(*s));
	struct kt_error *err;
	char *path = NULL;

	*ret = NULL;
	if (s)
		s->ops = &kt_store_sqlite_ops;
	if (!s || !(s->dir = strdup(dir)) ||
	    asprintf(&s->reports, "%s/reports", dir) < 0 ||
	    asprintf(&path, "%s/store.sqlite", dir) < 0) {
		kt_store_close(s);
		return &kt_error_nomem;
	}
	err = mkdir_p(dir);
	for (const char *sub = "cases\0reports\0"; !err && *sub;
	     sub += strlen(sub) + 1) {
		char *d;

		if (asprintf(&d, "%s/%s", dir, sub) < 0) {
			err = &kt_error_nomem;
			break;
		}
		err = mkdir_p(d);
		free(d);
	}
	if (!err && kt_case_db_open(path, false, &s->db) != SQLITE_OK)
		err = kt_store_sq_error(s, "opening its index");
	free(path);
	if (!err) {
		sqlite3_busy_timeout(s->db, BUSY_MS);
		err = exec(s, "PRAGMA journal_mode = WAL;"
			   "PRAGMA synchronous = NORMAL;");
	}
	if (!err)
		err = check(s);
	if (err) {
		kt_store_close(s);
		return err;
	}
	*ret = s;
	return NULL;
}

static void sq_close(struct kt_store *s)
{
	sqlite3_close(s->db);
}

static struct kt_error *sq_case_path(const struct kt_store *s,
				     const char *dump_id, char **ret)
{
	return asprintf(ret, "%s/cases/%s.ktriage", s->dir, dump_id) < 0 ?
	       &kt_error_nomem : NULL;
}

static struct kt_error *sq_file_done(struct kt_store *s, const char *path,
				    int64_t size, int64_t mtime, bool *ret)
{
	sqlite3_stmt *st;
	int rc;

	*ret = false;
	if (sqlite3_prepare_v2(s->db, "SELECT status FROM files WHERE path = ?"
			       " AND size = ? AND mtime = ?", -1, &st, NULL))
		return kt_store_sq_error(s, "reading");
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, size);
	sqlite3_bind_int64(st, 3, mtime);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*ret = !strcmp((const char *)sqlite3_column_text(st, 0) ?
			       (const char *)sqlite3_column_text(st, 0) : "",
			       "done");
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? NULL :
	       kt_store_sq_error(s, "reading");
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

static int insert_dump(sqlite3 *db, const struct kt_store_dump *d,
		       const char *at)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO dumps(dump_id, "
				"path, release, crash_time, sig_id, sig_text, "
				"sig_kind, sig_frame, sig_finding, title, "
				"report, case_path, triaged_at) VALUES(?, ?, "
				"?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &st,
				NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(st, 1, d->dump_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, or_empty(d->path), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, d->release, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, d->crash_time);
	sqlite3_bind_text(st, 5, d->sig_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, or_empty(d->sig_text), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, or_empty(d->sig_kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, or_empty(d->sig_frame), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, or_empty(d->sig_finding), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, or_empty(d->title), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, or_empty(d->report), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, or_empty(d->case_path), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 13, at, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int insert_file(sqlite3 *db, const char *path, int64_t size,
		       int64_t mtime, const char *dump_id, const char *reason,
		       const char *at)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO files(path, size, "
				"mtime, dump_id, status, reason, at) VALUES(?, "
				"?, ?, ?, ?, ?, ?)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, size);
	sqlite3_bind_int64(st, 3, mtime);
	sqlite3_bind_text(st, 4, or_empty(dump_id), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, dump_id ? "done" : "failed", -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(st, 6, or_empty(reason), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, at, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/*
 * The group of @sig_id, recounted from its dumps: the grouped summary
 * reads one row a signature, however many dumps a fleet sent.
 */
static int regroup(sqlite3 *db, const char *sig_id)
{
	static const char sql[] =
		"INSERT OR REPLACE INTO sigs(sig_id, sig_text, n, first, last,"
		" example, verdict, verdict_text) SELECT ?1, (SELECT sig_text"
		" FROM dumps WHERE sig_id = ?1 ORDER BY crash_time DESC LIMIT"
		" 1), count(*), min(crash_time), max(crash_time), (SELECT "
		"dump_id FROM dumps WHERE sig_id = ?1 ORDER BY crash_time DESC"
		" LIMIT 1), coalesce((SELECT verdict FROM dumps WHERE sig_id ="
		" ?1 AND verdict != '' ORDER BY crash_time DESC LIMIT 1), ''),"
		" coalesce((SELECT verdict_text FROM dumps WHERE sig_id = ?1 "
		"AND verdict != '' ORDER BY crash_time DESC LIMIT 1), '') FROM"
		" dumps WHERE sig_id = ?1 HAVING count(*) > 0;"
		"DELETE FROM sigs WHERE sig_id = ?1 AND NOT EXISTS (SELECT 1 "
		"FROM dumps WHERE sig_id = ?1)";
	const char *tail = sql;
	int rc = SQLITE_OK;

	while (rc == SQLITE_OK && *tail) {
		sqlite3_stmt *st;

		rc = sqlite3_prepare_v2(db, tail, -1, &st, &tail);
		if (rc != SQLITE_OK || !st)
			break;
		sqlite3_bind_text(st, 1, sig_id, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	return rc;
}

/* The signature dump @dump_id had before it is triaged again, or "". */
static void old_sig(sqlite3 *db, const char *dump_id, char old[17])
{
	sqlite3_stmt *st;

	old[0] = 0;
	if (sqlite3_prepare_v2(db, "SELECT sig_id FROM dumps WHERE dump_id = "
			       "?", -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(st, 1, dump_id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(old, 17, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

static struct kt_error *sq_record(struct kt_store *s, const char *path,
				 int64_t size, int64_t mtime,
				 const struct kt_store_dump *d,
				 const char *reason)
{
	char at[32], old[17] = "";
	int rc;

	kt_store_now(at);
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL))
		return kt_store_sq_error(s, "recording a dump");
	rc = SQLITE_OK;
	if (d) {
		// triaged again by another ktriage: its old group loses it
		old_sig(s->db, d->dump_id, old);
		rc = insert_dump(s->db, d, at);
		if (rc == SQLITE_OK)
			rc = regroup(s->db, d->sig_id);
		if (rc == SQLITE_OK && old[0] && strcmp(old, d->sig_id))
			rc = regroup(s->db, old);
	}
	if (rc == SQLITE_OK)
		rc = insert_file(s->db, path, size, mtime, d ? d->dump_id :
				 NULL, reason, at);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		return NULL;
	struct kt_error *err = kt_store_sq_error(s, "recording a dump");

	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return err;
}

static struct kt_error *sq_fill(struct kt_store *s,
			       const struct kt_store_dump *d, size_t n)
{
	struct kt_store_dump c = *d;
	char at[32], path[4096];
	int rc = SQLITE_OK;

	kt_store_now(at);
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL))
		return kt_store_sq_error(s, "filling");
	for (size_t i = 0; i < n && rc == SQLITE_OK; i++) {
		snprintf(c.dump_id, sizeof(c.dump_id), "%.16s%016zx",
			 d->dump_id, i);
		snprintf(path, sizeof(path), "%s.%zu", or_empty(d->path), i);
		c.path = path;
		c.crash_time = d->crash_time + (int64_t)i;
		rc = insert_dump(s->db, &c, at);
	}
	// one signature a call (see store.h): one group to count
	if (rc == SQLITE_OK)
		rc = regroup(s->db, d->sig_id);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		return NULL;
	struct kt_error *err = kt_store_sq_error(s, "filling");

	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return err;
}

int kt_store_sq_regroup(sqlite3 *db, const char *sig_id)
{
	return regroup(db, sig_id);
}

const struct kt_store_ops kt_store_sqlite_ops = {
	.close = sq_close,
	.case_path = sq_case_path,
	.file_done = sq_file_done,
	.record = sq_record,
	.fill = sq_fill,
	.refresh_verdicts = kt_store_sq_refresh_verdicts,
	.groups = kt_store_sq_groups,
	.candidates = kt_store_sq_candidates,
	.dump = kt_store_sq_dump,
	.count = kt_store_sq_count,
};
