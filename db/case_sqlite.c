// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The sqlite backend of a case: one file per dump, untrusted input. It is
 * opened read-only and checked before use (application id, schema
 * version, integrity, tables, nothing ktriage did not create), created
 * with its schema, and upgraded by versioned migrations.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#include "db/case_private.h"
#include "db/case_rows.h"

#define APP_ID 0x6b747269	/* "ktri" */
#define SCHEMA_VERSION 1
#define BUSY_MS 10000

static const char schema_v1[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE notes(uuid TEXT PRIMARY KEY, target TEXT NOT NULL,"
	" author TEXT NOT NULL, created TEXT NOT NULL);"
	"CREATE TABLE revisions(uuid TEXT PRIMARY KEY,"
	" note TEXT NOT NULL REFERENCES notes(uuid), parent TEXT,"
	" author TEXT NOT NULL, at TEXT NOT NULL, text TEXT NOT NULL);"
	"CREATE INDEX revisions_note ON revisions(note);"
	"CREATE TABLE verdicts(uuid TEXT PRIMARY KEY, target TEXT NOT NULL,"
	" kind TEXT NOT NULL, text TEXT NOT NULL, author TEXT NOT NULL,"
	" at TEXT NOT NULL);"
	"CREATE TABLE tags(target TEXT NOT NULL, tag TEXT NOT NULL,"
	" author TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY(target, tag));";

/*
 * Upgrades: migrations[v - 1] takes a case from version v to v + 1, run
 * in one transaction when a case older than SCHEMA_VERSION is opened for
 * writing (read-only opens never migrate). Version 1 is the first: none
 * yet. A new version appends its step here, bumps SCHEMA_VERSION, and
 * makes `required` below depend on the file's version (the checks run
 * before any migration), and the schema probe() compares the file with
 * (kt_case_db_foreign(): anything else in a file to write is refused)
 * the one of the file's version.
 */
static const char *const migrations[SCHEMA_VERSION - 1 + 1] = { NULL };

/* Every table and column a valid case has: checked before use. */
static const char *const required[] = {
	"SELECT key, value FROM meta",
	"SELECT uuid, target, author, created FROM notes",
	"SELECT uuid, note, parent, author, at, text FROM revisions",
	"SELECT uuid, target, kind, text, author, at FROM verdicts",
	"SELECT target, tag, author, at FROM tags",
};

static struct kt_error *db_error(sqlite3 *db, const char *path,
				 const char *what)
{
	return kt_error_create(KT_ERR_FORMAT, "case %s: %s: %s", path, what,
			       db ? sqlite3_errmsg(db) : "out of memory");
}

struct kt_error *kt_case_db_error(struct kt_case *c, const char *what)
{
	return db_error(c->db, c->path, what);
}

static int64_t pragma_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* meta's value for @key into @buf ("" when missing). */
static void meta_get(sqlite3 *db, const char *key, char *buf, size_t len)
{
	sqlite3_stmt *st;

	buf[0] = '\0';
	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?", -1,
			       &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(buf, len, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

static void meta_identity(sqlite3 *db, struct kt_case_identity *id)
{
	char when[32];

	memset(id, 0, sizeof(*id));
	meta_get(db, "dump_id", id->dump_id, sizeof(id->dump_id));
	meta_get(db, "release", id->release, sizeof(id->release));
	meta_get(db, "build_id", id->build_id, sizeof(id->build_id));
	meta_get(db, "content_hash", id->content_hash,
		 sizeof(id->content_hash));
	meta_get(db, "crash_time", when, sizeof(when));
	id->crash_time = strtoll(when, NULL, 10);
}

static struct kt_error *bad_case(const char *path, const char *what)
{
	return kt_error_create(KT_ERR_FORMAT, "%s is not a usable ktriage "
		"case: %s; it was not modified (move it aside to start a new "
		"case, or ask whoever sent it for a good copy)", path, what);
}

/* Everything a hostile or damaged file could get wrong, read-only. */
static struct kt_error *check_case(sqlite3 *db, const char *path)
{
	sqlite3_stmt *st;
	int64_t v = pragma_int(db, "PRAGMA application_id");
	char ok[64] = "";

	if (v != APP_ID)
		return bad_case(path, v < 0 ? "sqlite cannot read it (not a "
				"database, or damaged)" :
				"it is a sqlite database of another program");
	v = pragma_int(db, "PRAGMA user_version");
	if (v < 1)
		return bad_case(path, "it has no schema version");
	if (v > SCHEMA_VERSION)
		return kt_error_create(KT_ERR_UNSUPPORTED, "case %s has schema "
			"version %" PRId64 ", newer than this ktriage's %d: use "
			"a newer ktriage (the file was not modified)", path, v,
			SCHEMA_VERSION);
	if (sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &st, NULL) ==
	    SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
			snprintf(ok, sizeof(ok), "%s",
				 sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	if (strcmp(ok, "ok"))
		return bad_case(path, "sqlite's integrity check fails");
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (sqlite3_prepare_v2(db, required[i], -1, &st, NULL) !=
		    SQLITE_OK)
			return bad_case(path, "a table or column is missing");
		sqlite3_finalize(st);
	}
	return NULL;
}

static struct kt_error *check_identity(sqlite3 *db, const char *path,
				       const struct kt_case_identity *id)
{
	struct kt_case_identity theirs;
	char when[32];

	meta_get(db, "dump_id", theirs.dump_id, sizeof(theirs.dump_id));
	if (!strcmp(theirs.dump_id, id->dump_id))
		return NULL;
	meta_get(db, "release", theirs.release, sizeof(theirs.release));
	meta_get(db, "crash_time", when, sizeof(when));
	theirs.crash_time = strtoll(when, NULL, 10);
	return kt_case_identity_refused(path, &theirs, id);
}

static struct kt_error *exec(struct kt_case *c, const char *sql)
{
	char *msg = NULL;
	struct kt_error *err;

	if (sqlite3_exec(c->db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return NULL;
	err = kt_error_create(KT_ERR_FORMAT, "case %s: %s", c->path,
			      msg ? msg : sqlite3_errmsg(c->db));
	sqlite3_free(msg);
	return err;
}

/*
 * A new file gets the schema; a file another process made meanwhile is
 * checked instead. BEGIN IMMEDIATE makes the two exclusive.
 */
static struct kt_error *init_schema(struct kt_case *c,
				    const struct kt_case_identity *id)
{
	char *sql;
	struct kt_error *err = exec(c, "BEGIN IMMEDIATE");

	if (err)
		return err;
	if (pragma_int(c->db, "PRAGMA user_version") > 0) {
		exec(c, "ROLLBACK");
		err = check_case(c->db, c->path);
		return err ? err : check_identity(c->db, c->path, id);
	}
	sql = sqlite3_mprintf(
		"PRAGMA application_id = %d; PRAGMA user_version = %d;%s"
		"INSERT INTO meta VALUES('format', 'ktriage-case'),"
		"('dump_id', %Q), ('release', %Q), ('build_id', %Q),"
		"('crash_time', '%lld'), ('content_hash', %Q);"
		"COMMIT;", APP_ID, SCHEMA_VERSION, schema_v1, id->dump_id,
		id->release, id->build_id, (long long)id->crash_time,
		id->content_hash);
	if (!sql) {
		exec(c, "ROLLBACK");
		return &kt_error_nomem;
	}
	err = exec(c, sql);
	sqlite3_free(sql);
	if (err)
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	return err;
}

static struct kt_error *migrate(struct kt_case *c)
{
	int64_t v = pragma_int(c->db, "PRAGMA user_version");
	struct kt_error *err = NULL;
	char *sql;

	if (v >= SCHEMA_VERSION)
		return NULL;
	err = exec(c, "BEGIN IMMEDIATE");
	for (; !err && v < SCHEMA_VERSION; v++) {
		sql = sqlite3_mprintf("%s; PRAGMA user_version = %lld;",
				      migrations[v - 1], (long long)v + 1);
		err = sql ? exec(c, sql) : &kt_error_nomem;
		sqlite3_free(sql);
	}
	if (err) {
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
		return kt_error_wrap(err, "upgrading the case's schema");
	}
	return exec(c, "COMMIT");
}

/*
 * What ktriage never puts in a case makes it unfit for writing: a trigger
 * would fire on ktriage's own INSERT (none fires, but the file is not
 * ours to trust), an index on an expression would be evaluated.
 */
static struct kt_error *foreign_refused(const char *path, const char *what)
{
	return kt_error_create(KT_ERR_FORMAT, "case %s holds what ktriage "
		"never puts in a case: %s. Such objects can change or delete "
		"notes when ktriage writes, so it was not opened for writing "
		"and was not modified. Its notes can still be read (--force), or "
		"copied into a new case: ktriage DUMP VMLINUX --case NEW.ktriage "
		"-c 'case merge %s' (a merge reads ktriage's tables only)",
		path, what, path);
}

/*
 * Open an existing file read-only and check it, before anything else. A
 * file to write must hold nothing but what ktriage creates; one to read
 * is read through ktriage's tables only, and what else it holds is said
 * in *@foreign (sqlite3_free(); NULL: nothing, or not wanted).
 */
static struct kt_error *probe(const char *path,
			      const struct kt_case_identity *id,
			      enum kt_case_mode mode, char **foreign)
{
	sqlite3 *db = NULL;
	struct kt_error *err;
	char *what = NULL;

	if (kt_case_db_open(path, true, &db) != SQLITE_OK) {
		err = bad_case(path, db ? sqlite3_errmsg(db) : "no memory");
		sqlite3_close(db);
		return err;
	}
	sqlite3_busy_timeout(db, BUSY_MS);
	err = check_case(db, path);
	if (!err && kt_case_db_foreign(db, schema_v1, &what) != SQLITE_OK)
		err = bad_case(path, "its schema cannot be read");
	if (!err && what && mode == KT_CASE_WRITE)
		err = foreign_refused(path, what);
	if (!err && mode != KT_CASE_FORCE)
		err = check_identity(db, path, id);
	sqlite3_close(db);
	if (!err && foreign) {
		*foreign = what;
		what = NULL;
	}
	sqlite3_free(what);
	return err;
}

struct kt_error *kt_case_sqlite_open(struct kt_case *c, const char *path,
				     const struct kt_case_identity *id,
				     enum kt_case_mode mode)
{
	struct kt_error *err = NULL;
	struct stat st;
	// An empty file is what a creator killed before its first commit
	// leaves: a new case.
	bool exists = !stat(path, &st) && st.st_size > 0;

	c->ops = &kt_case_sqlite_ops;
	if (!exists && c->read_only)
		return kt_error_create(KT_ERR_INVALID, "no case at %s", path);
	if (exists)
		err = probe(path, id, mode, &c->foreign);
	if (err)
		return err;
	if (kt_case_db_open(path, c->read_only, &c->db) != SQLITE_OK)
		return db_error(c->db, path, "cannot open");
	sqlite3_busy_timeout(c->db, BUSY_MS);
	if (!c->read_only) {
		// WAL: readers and one writer at once; FULL: a commit is on
		// disk before it returns, so kill -9 loses nothing committed.
		err = exec(c, "PRAGMA journal_mode = WAL;"
			      "PRAGMA synchronous = FULL;");
		if (!err && !exists)
			err = init_schema(c, id);
		if (!err && exists)
			err = migrate(c);
	}
	if (!err)
		meta_identity(c->db, &c->id);
	return err;
}

static void sqlite_close(struct kt_case *c)
{
	sqlite3_close(c->db);
	sqlite3_free(c->foreign);
	c->foreign = NULL;
}

static struct kt_error *sqlite_begin(struct kt_case *c)
{
	return sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) ==
	       SQLITE_OK ? NULL : kt_case_db_error(c, "starting a write");
}

static struct kt_error *sqlite_end(struct kt_case *c, struct kt_error *err)
{
	if (err) {
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
		return err;
	}
	return sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ?
	       NULL : kt_case_db_error(c, "committing");
}

const struct kt_case_ops kt_case_sqlite_ops = {
	.name = "sqlite",
	.close = sqlite_close,
	.begin = sqlite_begin,
	.end = sqlite_end,
	.put = kt_case_sqlite_put,
	.notes = kt_case_sqlite_notes,
	.verdicts = kt_case_sqlite_verdicts,
	.tags = kt_case_sqlite_tags,
	.find_note = kt_case_sqlite_find_note,
};
