// SPDX-License-Identifier: GPL-2.0-or-later
/* The case tests' two backends (see case_backend.h). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/case_backend.h"
#include "tests/pg_server.h"

static char dir[64];
static bool pg;

bool kt_test_case_pg(void)
{
	return pg;
}

static void make_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/kt-case-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

void kt_test_case_sqlite_init(void)
{
	pg = false;
	make_dir();
}

void kt_test_case_pg_init(void)
{
	pg = true;
	make_dir();
	kt_test_pg_start();
}

void kt_test_case_fini(void)
{
	char cmd[128];

	if (pg)
		kt_test_pg_stop();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_expect_eq(system(cmd), 0);
}

const char *kt_test_case_dir(void)
{
	return dir;
}

/* The database of a URL made by kt_test_pg_url(): "///NAME?". */
static char *db_of(const char *url)
{
	const char *p = strstr(url, "///");
	char *db;

	cr_assert_not_null(p, "%s", url);
	p += 3;
	db = strndup(p, strcspn(p, "?"));
	cr_assert_not_null(db);
	return db;
}

static void create_db(const char *db, const char *from)
{
	char *sql;

	// Apart: DROP DATABASE cannot run in a transaction block.
	cr_assert_geq(asprintf(&sql, "DROP DATABASE IF EXISTS \"%s\"", db),
		      0);
	kt_test_pg_sql("postgres", sql);
	free(sql);
	cr_assert_geq(asprintf(&sql, "CREATE DATABASE \"%s\"%s%s%s", db,
			       from ? " TEMPLATE \"" : "", from ? from : "",
			       from ? "\"" : ""), 0);
	kt_test_pg_sql("postgres", sql);
	free(sql);
}

char *kt_test_case_file(const char *name)
{
	char *p;

	cr_assert_geq(asprintf(&p, "%s/%s", dir, name), 0);
	return p;
}

char *kt_test_case_at(const char *name)
{
	char *at, *sql;

	if (!pg)
		return kt_test_case_file(name);
	at = kt_test_pg_url(name, "postgres");
	cr_assert_geq(asprintf(&sql, "CREATE DATABASE \"%s\"", name), 0);
	free(kt_test_pg_try_sql("postgres", sql));	// there already: fine
	free(sql);
	return at;
}

void kt_test_case_copy(const char *from, const char *to)
{
	char cmd[512], *a, *b;

	if (!pg) {
		snprintf(cmd, sizeof(cmd), "cp %s %s", from, to);
		cr_assert_eq(system(cmd), 0);
		return;
	}
	a = db_of(from);
	b = db_of(to);
	create_db(b, a);
	free(a);
	free(b);
}

void kt_test_case_remove(const char *at)
{
	char *db;

	if (!pg) {
		unlink(at);
		return;
	}
	db = db_of(at);
	create_db(db, NULL);
	free(db);
}

void kt_test_case_tamper(const char *at, const char *sqlite, const char *pgsql)
{
	sqlite3 *db;
	char *msg = NULL, *name;

	if (pg) {
		name = db_of(at);
		kt_test_pg_sql(name, pgsql);
		free(name);
		return;
	}
	cr_assert_eq(sqlite3_open(at, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, sqlite, NULL, NULL, &msg), SQLITE_OK,
		     "%s: %s", sqlite, msg ? msg : "");
	sqlite3_close(db);
}
