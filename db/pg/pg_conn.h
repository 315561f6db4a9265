/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A connection to a PostgreSQL server through libpq, for every part of
 * ktriage that keeps its data there (the team's cases; later the store
 * of failure signatures). It owns what is the same for all of them:
 *
 * - what names a server: "postgresql://..." and "postgres://..." URIs,
 *   and "postgresql:KEY=VALUE ..." (libpq's key/value conninfo after the
 *   colon); the name ktriage prints is rebuilt from the parts and never
 *   holds a password;
 * - errors in words that say what is wrong and what to do: the server
 *   cannot be reached, refuses the login, or was lost mid-stream (stopped
 *   or restarted); a role that may only read (SQLSTATE 42501
 *   insufficient_privilege, 25006 read_only_sql_transaction);
 * - a lost connection is re-established on the next call outside a
 *   transaction, so a long session survives a server restart;
 * - every text the server sends is untrusted: messages pass through
 *   kt_error_create(), which sanitises them, and callers cut and check
 *   the values they read.
 *
 * Names in SQL are schema-qualified (ktriage.notes) and the session's
 * search_path is pg_catalog only, so no object another role created can
 * stand in for a function or table ktriage uses.
 */
#ifndef KT_DB_PG_CONN_H
#define KT_DB_PG_CONN_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "core/error.h"

struct kt_pg_conn;

/**
 * The libpq connection string in @url (a URI as is, or what follows
 * "postgresql:"), or NULL when @url names no PostgreSQL server.
 */
const char *kt_pg_conn_info(const char *url);

/**
 * "postgresql://USER@HOST:PORT/DB" from the parts of @url (defaults
 * where absent), without its password, into @buf.
 */
void kt_pg_conn_redact(const char *url, char *buf, size_t len);

/**
 * Connect to the server @url names (connect_timeout 10 s unless the URL
 * says otherwise; client_encoding UTF8). An error says whether the server
 * cannot be reached, refused the login, or lacks the database.
 */
struct kt_error *kt_pg_conn_open(const char *url, struct kt_pg_conn **ret);

/** Close; NULL is accepted. */
void kt_pg_conn_close(struct kt_pg_conn *pg);

/** The server's name, as kt_pg_conn_redact() makes it. */
const char *kt_pg_conn_name(const struct kt_pg_conn *pg);

/** The role this connection logged in as. */
const char *kt_pg_conn_user(const struct kt_pg_conn *pg);

/**
 * Run @sql with @n text parameters @v (NULL: SQL NULL). On success
 * *@ret is the result (PQclear() it) when @ret is not NULL. On failure
 * the error says what @what was and why; kt_pg_conn_sqlstate() then
 * gives the server's SQLSTATE. Outside a transaction, a connection found
 * lost is re-established first. With @n 0, @sql may hold several
 * statements (the simple protocol; *@ret is the last one's result).
 */
struct kt_error *kt_pg_conn_exec(struct kt_pg_conn *pg, const char *what,
				 const char *sql, int n, const char *const *v,
				 PGresult **ret);

/** BEGIN. */
struct kt_error *kt_pg_conn_begin(struct kt_pg_conn *pg);

/**
 * COMMIT, or ROLLBACK and return @err when it is set. A COMMIT whose
 * answer is lost says that the write may or may not have been committed.
 */
struct kt_error *kt_pg_conn_end(struct kt_pg_conn *pg, struct kt_error *err);

/** The SQLSTATE of the last failure ("" when none, or not from SQL). */
const char *kt_pg_conn_sqlstate(const struct kt_pg_conn *pg);

/** True when the last failure was a write the role may not make. */
bool kt_pg_conn_denied(const struct kt_pg_conn *pg);

/**
 * "the PostgreSQL role 'ROLE' may only read on NAME: ..." with what to
 * do (malloc()ed), for a write refused or known to be refused.
 */
char *kt_pg_conn_read_only_why(const struct kt_pg_conn *pg);

/**
 * Whether this role may INSERT into every table of @tables (NULL-ended,
 * schema-qualified) in a transaction that may write.
 */
struct kt_error *kt_pg_conn_may_write(struct kt_pg_conn *pg,
				      const char *const *tables, bool *ret);

#endif /* KT_DB_PG_CONN_H */
