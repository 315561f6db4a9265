// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The case database: identity, checks, schema, notes and verdicts.
 *
 * Notes are never updated in place: an edit inserts a revision whose
 * parent is the revision it replaces. Two engineers who edit the same note
 * apart produce two revisions with one parent; a merge keeps both (two
 * "heads"), and the newest is shown, with the other still listed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/dump.h"
#include "core/program.h"
#include "core/sysinfo.h"
#include "db/case.h"
#include "db/case_private.h"

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

/* ---- identity ---- */

static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

#define FNV_INIT 0xcbf29ce484222325ULL

/*
 * The content hash covers VMCOREINFO and the panic task, not the file's
 * header: the same crash copied to ELF or recompressed keeps its case.
 */
struct kt_error *kt_case_identity(struct kt_program *prog,
				  struct kt_case_identity *ret)
{
	const char *info = kt_dump_vmcoreinfo_raw(prog->dump);
	struct kt_sysinfo s;
	struct kt_error *err;
	uint64_t h = FNV_INIT, all;

	memset(ret, 0, sizeof(*ret));
	err = kt_sysinfo_load(prog, &s);
	if (err)
		return kt_error_wrap(err, "the dump's identity");
	snprintf(ret->release, sizeof(ret->release), "%s",
		 prog->identity.dump_release[0] ? prog->identity.dump_release :
		 s.release);
	snprintf(ret->build_id, sizeof(ret->build_id), "%s",
		 prog->identity.dump_build_id);
	ret->crash_time = s.crash_time_known ? s.crash_time : 0;
	if (info)
		h = fnv1a(h, info, strlen(info));
	h = fnv1a(h, &s.panic_task, sizeof(s.panic_task));
	kt_sysinfo_deinit(&s);
	snprintf(ret->content_hash, sizeof(ret->content_hash), "%016" PRIx64,
		 h);
	all = fnv1a(FNV_INIT, ret->release, strlen(ret->release));
	all = fnv1a(all, ret->build_id, strlen(ret->build_id));
	all = fnv1a(all, &ret->crash_time, sizeof(ret->crash_time));
	snprintf(ret->dump_id, sizeof(ret->dump_id), "%016" PRIx64 "%s", all,
		 ret->content_hash);
	return NULL;
}

static int mkdirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return mkdir(path, 0700) && errno != EEXIST ? -1 : 0;
}

struct kt_error *kt_case_default_path(const char *dump_path,
				      const struct kt_case_identity *id,
				      char **ret)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	char *dir = strdup(dump_path), *slash, *beside = NULL, *data;

	if (!dir)
		return &kt_error_nomem;
	slash = strrchr(dir, '/');
	if (slash)
		slash[slash == dir ? 1 : 0] = '\0';
	if (!access(slash ? dir : ".", W_OK) &&
	    asprintf(&beside, "%s.ktriage", dump_path) < 0)
		beside = NULL;
	free(dir);
	if (beside) {
		*ret = beside;
		return NULL;
	}
	if ((!xdg || xdg[0] != '/') && !home)
		return kt_error_create(KT_ERR_INVALID, "the dump's directory "
			"is not writable and neither XDG_DATA_HOME nor HOME "
			"is set: give the case file with --case PATH");
	if (xdg && xdg[0] == '/' ?
	    asprintf(&data, "%s/ktriage/cases", xdg) < 0 :
	    asprintf(&data, "%s/.local/share/ktriage/cases", home) < 0)
		return &kt_error_nomem;
	if (mkdirs(data)) {
		struct kt_error *err = kt_error_os(errno, "creating %s", data);

		free(data);
		return err;
	}
	if (asprintf(ret, "%s/%s.ktriage", data, id->dump_id) < 0) {
		free(data);
		return &kt_error_nomem;
	}
	free(data);
	return NULL;
}

/* ---- open and check ---- */

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

void kt_case_meta_identity(struct kt_case *c, struct kt_case_identity *id)
{
	char when[32];

	memset(id, 0, sizeof(*id));
	meta_get(c->db, "dump_id", id->dump_id, sizeof(id->dump_id));
	meta_get(c->db, "release", id->release, sizeof(id->release));
	meta_get(c->db, "build_id", id->build_id, sizeof(id->build_id));
	meta_get(c->db, "content_hash", id->content_hash,
		 sizeof(id->content_hash));
	meta_get(c->db, "crash_time", when, sizeof(when));
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

/* "2026-11-30 04:18:24 UTC", or "an unknown time". */
static void utc(int64_t t, char *buf, size_t len)
{
	time_t tt = t;
	struct tm tm;

	if (!t || !gmtime_r(&tt, &tm) ||
	    !strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, len, "an unknown time");
}

static struct kt_error *check_identity(sqlite3 *db, const char *path,
				       const struct kt_case_identity *id)
{
	char dump_id[64], release[80], when[32], theirs[40], ours[40];

	meta_get(db, "dump_id", dump_id, sizeof(dump_id));
	if (!strcmp(dump_id, id->dump_id))
		return NULL;
	meta_get(db, "release", release, sizeof(release));
	meta_get(db, "crash_time", when, sizeof(when));
	utc(strtoll(when, NULL, 10), theirs, sizeof(theirs));
	utc(id->crash_time, ours, sizeof(ours));
	return kt_error_create(KT_ERR_INVALID, "case %s belongs to another "
		"dump (release %s, crashed %s; dump id %s), not this one "
		"(release %s, crashed %s; dump id %s): give this dump's case "
		"with --case, or look at it read-only with --force", path,
		release, theirs, dump_id, id->release, ours, id->dump_id);
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

struct kt_error *kt_case_open(const char *path,
			      const struct kt_case_identity *id,
			      enum kt_case_mode mode, struct kt_case **ret)
{
	struct kt_case *c = calloc(1, sizeof(*c));
	struct kt_error *err = NULL;
	struct stat st;
	// An empty file is what a creator killed before its first commit
	// leaves: a new case.
	bool exists = !stat(path, &st) && st.st_size > 0;

	if (!c || !(c->path = strdup(path))) {
		free(c);
		return &kt_error_nomem;
	}
	c->read_only = mode != KT_CASE_WRITE;
	if (!exists && c->read_only)
		err = kt_error_create(KT_ERR_INVALID, "no case at %s", path);
	if (!err && exists)
		err = probe(path, id, mode, &c->foreign);
	if (err)
		goto fail;
	if (kt_case_db_open(path, c->read_only, &c->db) != SQLITE_OK) {
		err = db_error(c->db, path, "cannot open");
		goto fail;
	}
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
	if (err)
		goto fail;
	*ret = c;
	return NULL;
fail:
	kt_case_close(c);
	return err;
}

void kt_case_close(struct kt_case *c)
{
	if (!c)
		return;
	sqlite3_close(c->db);
	sqlite3_free(c->foreign);
	free(c->path);
	free(c);
}

bool kt_case_read_only(const struct kt_case *c)
{
	return c->read_only;
}

const char *kt_case_path(const struct kt_case *c)
{
	return c->path;
}
