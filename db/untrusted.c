// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The one way ktriage opens a case file: as untrusted input. A case
 * travels between engineers and sits on shared disks; sqlite runs what a
 * file's schema holds (a trigger fires on our own INSERT, a view or an
 * index evaluates its expressions), so a file could make ktriage delete
 * notes, or worse, merely by being written to. Following sqlite's "Defense
 * Against the Dark Arts" (https://sqlite.org/security.html):
 *
 * - every connection is defensive (no writable_schema, no shadow-table
 *   writes), runs no trigger, reads no view, trusts no function named in
 *   the schema, checks cell sizes and maps no memory;
 * - a file read for a merge (or --force) is opened read-only and
 *   immutable, so nothing (-wal, -shm, a journal) appears beside it;
 * - kt_case_db_foreign() names every schema object ktriage did not
 *   create, by comparing the file's schema with the one ktriage makes.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db/case_private.h"

/* "file:PATH?immutable=1" with PATH percent-encoded (sqlite3_free()). */
static char *immutable_uri(const char *path)
{
	static const char keep[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
				   "QRSTUVWXYZ0123456789/._-~";
	sqlite3_str *s = sqlite3_str_new(NULL);

	sqlite3_str_appendall(s, "file:");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if (strchr(keep, *p))
			sqlite3_str_appendchar(s, 1, *p);
		else
			sqlite3_str_appendf(s, "%%%02X", *p);
	}
	sqlite3_str_appendall(s, "?immutable=1");
	return sqlite3_str_finish(s);
}

/*
 * A read-only open may be immutable only when no write-ahead log holds
 * commits the file does not have yet (a ktriage has the case open, or was
 * killed): they would be missed. Then the log is read, and sqlite leaves
 * the -wal and -shm that are already there.
 */
static bool has_log(const char *path)
{
	char *wal = sqlite3_mprintf("%s-wal", path);
	struct stat st;
	bool yes = wal && !stat(wal, &st) && st.st_size > 0;

	sqlite3_free(wal);
	return yes;
}

static bool harden(sqlite3 *db)
{
	static const int off[] = {
		SQLITE_DBCONFIG_ENABLE_TRIGGER,
		SQLITE_DBCONFIG_ENABLE_VIEW,
		SQLITE_DBCONFIG_TRUSTED_SCHEMA,
		SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION,
	};
	int v = 0;

	if (sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, &v) !=
	    SQLITE_OK || v != 1)
		return false;
	for (size_t i = 0; i < sizeof(off) / sizeof(off[0]); i++)
		if (sqlite3_db_config(db, off[i], 0, &v) != SQLITE_OK || v)
			return false;
	return sqlite3_exec(db, "PRAGMA cell_size_check = ON;"
			    "PRAGMA mmap_size = 0;", NULL, NULL, NULL) ==
	       SQLITE_OK;
}

int kt_case_db_open(const char *path, bool read_only, sqlite3 **ret)
{
	char *uri = NULL;
	int flags = read_only ? SQLITE_OPEN_READONLY :
				SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	int rc;

	if (read_only && !has_log(path)) {
		uri = immutable_uri(path);
		if (!uri) {
			*ret = NULL;
			return SQLITE_NOMEM;
		}
		flags |= SQLITE_OPEN_URI;
	}
	rc = sqlite3_open_v2(uri ? uri : path, ret, flags, NULL);
	sqlite3_free(uri);
	if (rc == SQLITE_OK && !harden(*ret))
		rc = SQLITE_ERROR;
	return rc;
}

/* ---- what ktriage did not create ---- */

struct object {
	char *type, *name, *tbl, *sql;
};

struct objects {
	struct object *v;
	size_t n;
};

static void objects_deinit(struct objects *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->v[i].type);
		free(o->v[i].name);
		free(o->v[i].tbl);
		free(o->v[i].sql);
	}
	free(o->v);
}

static char *col(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? strdup((const char *)s) : NULL;
}

/* Every row of @db's sqlite_schema; SQLITE_OK or sqlite's error. */
static int objects_load(sqlite3 *db, struct objects *ret)
{
	sqlite3_stmt *st;
	int rc;

	memset(ret, 0, sizeof(*ret));
	rc = sqlite3_prepare_v2(db, "SELECT type, name, tbl_name, sql FROM "
				"sqlite_schema", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct object *v = realloc(ret->v, (ret->n + 1) * sizeof(*v));

		if (!v) {
			rc = SQLITE_NOMEM;
			break;
		}
		ret->v = v;
		v[ret->n++] = (struct object){ col(st, 0), col(st, 1),
					       col(st, 2), col(st, 3) };
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static bool same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool made_by_us(const struct object *o, const struct objects *ours)
{
	for (size_t i = 0; i < ours->n; i++)
		if (same(o->type, ours->v[i].type) &&
		    same(o->name, ours->v[i].name) &&
		    same(o->tbl, ours->v[i].tbl) && same(o->sql, ours->v[i].sql))
			return true;
	return false;
}

/* "trigger 'x' on notes", "table 'notes' (not as ktriage makes it)". */
static void describe(sqlite3_str *s, const struct object *o,
		     const struct objects *ours)
{
	bool known = false;

	for (size_t i = 0; i < ours->n && !known; i++)
		known = same(o->type, ours->v[i].type) &&
			same(o->name, ours->v[i].name);
	sqlite3_str_appendf(s, "%s '%.60s'", o->type ? o->type : "object",
			    o->name ? o->name : "");
	if (o->tbl && o->name && strcmp(o->tbl, o->name))
		sqlite3_str_appendf(s, " on %.60s", o->tbl);
	if (known)
		sqlite3_str_appendall(s, " (not as ktriage makes it)");
}

#define MAX_NAMED 5

int kt_case_db_foreign(sqlite3 *db, const char *schema, char **ret)
{
	struct objects theirs = { 0 }, ours = { 0 };
	sqlite3 *mem = NULL;
	sqlite3_str *s;
	size_t found = 0;
	int rc;

	*ret = NULL;
	rc = sqlite3_open_v2(":memory:", &mem, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(mem, schema, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = objects_load(mem, &ours);
	if (rc == SQLITE_OK)
		rc = objects_load(db, &theirs);
	sqlite3_close(mem);
	s = sqlite3_str_new(NULL);
	for (size_t i = 0; rc == SQLITE_OK && i < theirs.n; i++) {
		if (made_by_us(&theirs.v[i], &ours))
			continue;
		if (found++ < MAX_NAMED) {
			if (found > 1)
				sqlite3_str_appendall(s, ", ");
			describe(s, &theirs.v[i], &ours);
		}
	}
	if (found > MAX_NAMED)
		sqlite3_str_appendf(s, " and %zu more", found - MAX_NAMED);
	objects_deinit(&theirs);
	objects_deinit(&ours);
	if (rc == SQLITE_OK && sqlite3_str_errcode(s))
		rc = SQLITE_NOMEM;
	if (rc == SQLITE_OK && found)
		*ret = sqlite3_str_finish(s);
	else
		sqlite3_free(sqlite3_str_finish(s));
	return rc;
}
