/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A real PostgreSQL server for a test: Debian's postgresql-15 initdb and
 * pg_ctl in a temporary directory, listening on a Unix socket in that
 * directory only (no TCP), trust authentication (nobody else can reach
 * the socket's directory... but root, who can anyway).
 *
 * initdb and postgres refuse to run as root: when the tests run as root,
 * they run as the `postgres` system user (runuser), in a directory
 * chowned to it. A guard process stops the server and removes the
 * directory when the test process ends, however it ends (a failed
 * assertion, a crash, criterion's timeout), so no server outlives its
 * test.
 */
#ifndef KT_TESTS_PG_SERVER_H
#define KT_TESTS_PG_SERVER_H

#include <libpq-fe.h>

/** Start a fresh server for this test (a criterion .init). */
void kt_test_pg_start(void);

/** Stop it and remove its directory (a criterion .fini). */
void kt_test_pg_stop(void);

/** pg_ctl @action ("restart -m fast", "stop -m fast", "start"): status. */
int kt_test_pg_ctl(const char *action);

/** The server's directory (its socket is there). */
const char *kt_test_pg_dir(void);

/**
 * "postgresql:///DB?host=DIR&user=USER" (malloc()ed): one word, as a
 * `-c 'case push URL'` needs.
 */
char *kt_test_pg_url(const char *db, const char *user);

/** Run @sql (several statements allowed) as the superuser in @db. */
void kt_test_pg_sql(const char *db, const char *sql);

/** The same, returning libpq's error message or NULL (free()). */
char *kt_test_pg_try_sql(const char *db, const char *sql);

#endif /* KT_TESTS_PG_SERVER_H */
