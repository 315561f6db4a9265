/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The case-database tests run on both backends: each body written once
 * with KT_CASE_TEST() runs as case::NAME on sqlite files in a temporary
 * directory and as case_pg::NAME on a PostgreSQL server started for it
 * (tests/pg_server.h), where each "file" is a database of its own (one
 * database holds every case of a team; two cases of one dump need two).
 */
#ifndef KT_TESTS_CASE_BACKEND_H
#define KT_TESTS_CASE_BACKEND_H

#include <stdbool.h>

#include <criterion/criterion.h>

/** True in the case_pg suites. */
bool kt_test_case_pg(void);

void kt_test_case_sqlite_init(void);
void kt_test_case_pg_init(void);
void kt_test_case_fini(void);

/** The test's temporary directory (local files go there). */
const char *kt_test_case_dir(void);

/** DIR/NAME (malloc()ed): a local file, whatever the backend. */
char *kt_test_case_file(const char *name);

/**
 * Where the case NAME lives (malloc()ed): DIR/NAME, or the URL of the
 * database NAME, created empty when missing.
 */
char *kt_test_case_at(const char *name);

/** Copy the case @from to @to (cp, or CREATE DATABASE ... TEMPLATE). */
void kt_test_case_copy(const char *from, const char *to);

/** Remove the case at @at: it is new again. */
void kt_test_case_remove(const char *at);

/**
 * Change a case behind ktriage's back: @sqlite on the file, or @pg as
 * the server's superuser in its database.
 */
void kt_test_case_tamper(const char *at, const char *sqlite, const char *pg);

/*
 * KT_CASE_TEST(suite, name) { body } runs the body as suite::name on
 * sqlite and as suite_pg::name on PostgreSQL.
 */
#define KT_CASE_TEST(suite, name)                                          \
	static void suite##_##name##_body(void);                           \
	Test(suite, name, .init = kt_test_case_sqlite_init,                \
	     .fini = kt_test_case_fini)                                    \
	{                                                                  \
		suite##_##name##_body();                                   \
	}                                                                  \
	Test(suite##_pg, name, .init = kt_test_case_pg_init,               \
	     .fini = kt_test_case_fini, .timeout = 300)                    \
	{                                                                  \
		suite##_##name##_body();                                   \
	}                                                                  \
	static void suite##_##name##_body(void)

#endif /* KT_TESTS_CASE_BACKEND_H */
