// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libpq, wrapped once: connecting, running SQL with parameters, and
 * turning what went wrong into a message that says what to do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/pg/pg_conn.h"

struct kt_pg_conn {
	PGconn *conn;
	char *info;		/* the connection string, to reconnect */
	char name[512];
	char user[128];
	char sqlstate[6];
	bool in_tx;
};

const char *kt_pg_conn_info(const char *url)
{
	if (!strncmp(url, "postgresql://", 13) ||
	    !strncmp(url, "postgres://", 11))
		return url;
	if (!strncmp(url, "postgresql:", 11))
		return url + 11;
	return NULL;
}

/* The value of @key in libpq's parse of a connection string, or NULL. */
static const char *opt(const PQconninfoOption *o, const char *key)
{
	for (; o && o->keyword; o++)
		if (!strcmp(o->keyword, key))
			return o->val && *o->val ? o->val : NULL;
	return NULL;
}

void kt_pg_conn_redact(const char *url, char *buf, size_t len)
{
	const char *info = kt_pg_conn_info(url);
	PQconninfoOption *o = info ? PQconninfoParse(info, NULL) : NULL;
	const char *user = opt(o, "user"), *host = opt(o, "host");
	const char *port = opt(o, "port"), *db = opt(o, "dbname");

	if (!user)
		user = getenv("PGUSER") ? getenv("PGUSER") : getenv("USER");
	snprintf(buf, len, "postgresql://%s@%s%s%s/%s", user ? user : "",
		 host ? host : "localhost", port ? ":" : "", port ? port : "",
		 db ? db : user ? user : "");
	PQconninfoFree(o);
}

static void name_from_conn(struct kt_pg_conn *pg)
{
	const char *host = PQhost(pg->conn), *port = PQport(pg->conn);

	snprintf(pg->user, sizeof(pg->user), "%s", PQuser(pg->conn));
	snprintf(pg->name, sizeof(pg->name), "postgresql://%s@%s%s%s/%s",
		 pg->user, host ? host : "", port && *port ? ":" : "",
		 port ? port : "", PQdb(pg->conn));
}

/* libpq's message without its trailing newline, on one line. */
static void one_line(const char *msg, char *buf, size_t len)
{
	snprintf(buf, len, "%s", msg ? msg : "");
	for (char *p = buf; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	for (size_t n = strlen(buf); n && buf[n - 1] == ' ';)
		buf[--n] = '\0';
}

/* Why a connection could not be made, and what to do about it. */
static struct kt_error *connect_error(const char *name, const char *msg)
{
	char m[1024];

	one_line(msg, m, sizeof(m));
	if (strstr(m, "authentication failed") || strstr(m, "password") ||
	    strstr(m, "pg_hba.conf") || strstr(m, "role \"") ||
	    strstr(m, "permission denied for database"))
		return kt_error_create(KT_ERR_INVALID, "the PostgreSQL server "
			"%s refused the login (%s): check the user and the "
			"password (in the URL, ~/.pgpass or $PGPASSWORD) and "
			"that the server's pg_hba.conf lets this role connect",
			name, m);
	if (strstr(m, "database \"") && strstr(m, "does not exist"))
		return kt_error_create(KT_ERR_INVALID, "the PostgreSQL server "
			"%s has no such database (%s): create it first "
			"(createdb, see the README's team setup)", name, m);
	return kt_error_create(KT_ERR_OS, "cannot reach the PostgreSQL server "
		"%s (%s): is it running (pg_isready -d URL)? Check the host "
		"and port, or work offline on a local case (--case FILE) and "
		"publish it later with `case push`", name, m);
}

/*
 * The server's notices ("schema already exists, skipping") are its text:
 * untrusted, and nothing a user needs. libpq's default prints them raw to
 * stderr.
 */
static void no_notice(void *arg, const char *message)
{
}

static PGconn *connect_to(const char *info)
{
	// Ours first, so that what the URL says overrides them; the
	// encoding last, so that text always comes as UTF-8.
	const char *const keys[] = { "connect_timeout", "application_name",
				     "dbname", "client_encoding", NULL };
	const char *const values[] = { "10", "ktriage", info, "UTF8", NULL };

	return PQconnectdbParams(keys, values, 1);
}

/* A URL libpq cannot parse is a usage error, not a server that is down. */
static struct kt_error *check_syntax(const char *info)
{
	char *why = NULL, m[512];
	PQconninfoOption *o = PQconninfoParse(info, &why);

	PQconninfoFree(o);
	if (o)
		return NULL;
	one_line(why ? why : "out of memory", m, sizeof(m));
	PQfreemem(why);
	return kt_error_create(KT_ERR_INVALID, "not a PostgreSQL URL libpq "
		"understands (%s): postgresql://USER@HOST:PORT/DB, or "
		"postgresql:host=... dbname=...", m);
}

/* The session ktriage relies on: nothing but pg_catalog on the path. */
static const char session_sql[] =
	"SELECT pg_catalog.set_config('search_path', 'pg_catalog', false)";

struct kt_error *kt_pg_conn_open(const char *url, struct kt_pg_conn **ret)
{
	struct kt_pg_conn *pg = calloc(1, sizeof(*pg));
	const char *info = kt_pg_conn_info(url);
	struct kt_error *err;

	if (!pg || !info || !(pg->info = strdup(info))) {
		free(pg);
		return info ? &kt_error_nomem : kt_error_create(KT_ERR_INVALID,
			"not a PostgreSQL URL (postgresql://...)");
	}
	kt_pg_conn_redact(url, pg->name, sizeof(pg->name));
	err = check_syntax(pg->info);
	if (err) {
		kt_pg_conn_close(pg);
		return err;
	}
	pg->conn = connect_to(pg->info);
	if (!pg->conn || PQstatus(pg->conn) != CONNECTION_OK) {
		err = pg->conn ? connect_error(pg->name,
					       PQerrorMessage(pg->conn)) :
		      &kt_error_nomem;
		kt_pg_conn_close(pg);
		return err;
	}
	PQsetNoticeProcessor(pg->conn, no_notice, NULL);
	name_from_conn(pg);
	err = kt_pg_conn_exec(pg, "setting up the session", session_sql, 0,
			      NULL, NULL);
	if (err) {
		kt_pg_conn_close(pg);
		return err;
	}
	*ret = pg;
	return NULL;
}

void kt_pg_conn_close(struct kt_pg_conn *pg)
{
	if (!pg)
		return;
	PQfinish(pg->conn);
	free(pg->info);
	free(pg);
}

const char *kt_pg_conn_name(const struct kt_pg_conn *pg)
{
	return pg->name;
}

const char *kt_pg_conn_user(const struct kt_pg_conn *pg)
{
	return pg->user;
}

const char *kt_pg_conn_sqlstate(const struct kt_pg_conn *pg)
{
	return pg->sqlstate;
}

bool kt_pg_conn_denied(const struct kt_pg_conn *pg)
{
	return !strcmp(pg->sqlstate, "42501") || !strcmp(pg->sqlstate, "25006");
}

char *kt_pg_conn_read_only_why(const struct kt_pg_conn *pg)
{
	char *s;

	if (asprintf(&s, "the PostgreSQL role '%s' may only read on %s (a "
		     "reviewer role, or a read-only server): connect as a "
		     "role that may write (user=... in the URL), or ask the "
		     "database's owner to GRANT ktriage_writer TO %s",
		     pg->user, pg->name, pg->user) < 0)
		return NULL;
	return s;
}

/* The connection is gone: the server stopped, restarted or dropped us. */
static bool lost(const struct kt_pg_conn *pg)
{
	return PQstatus(pg->conn) == CONNECTION_BAD ||
	       !strncmp(pg->sqlstate, "08", 2) ||
	       !strcmp(pg->sqlstate, "57P01") ||
	       !strcmp(pg->sqlstate, "57P02") ||
	       !strcmp(pg->sqlstate, "57P03");
}

static struct kt_error *exec_error(struct kt_pg_conn *pg, const char *what,
				   const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) :
			    NULL;
	char m[1024];

	snprintf(pg->sqlstate, sizeof(pg->sqlstate), "%s", state ? state : "");
	one_line(res && *PQresultErrorMessage(res) ?
		 PQresultErrorMessage(res) : PQerrorMessage(pg->conn), m,
		 sizeof(m));
	if (lost(pg))
		return kt_error_create(KT_ERR_OS, "the connection to the "
			"PostgreSQL server %s was lost while %s (%s): the "
			"server stopped or restarted; %s, and what was "
			"reported saved before is kept. Check that the server "
			"is up (pg_isready) and run the command again",
			pg->name, what, m, strcmp(what, "committing") ?
			"this was not done" : "this write may or may not be "
			"saved (look before writing it again)");
	if (kt_pg_conn_denied(pg)) {
		char *why = kt_pg_conn_read_only_why(pg);
		struct kt_error *err = kt_error_create(KT_ERR_INVALID, "%s "
			"(PostgreSQL refused %s: %s)", why ? why :
			"the role may only read", what, m);

		free(why);
		return err;
	}
	return kt_error_create(KT_ERR_FORMAT, "PostgreSQL server %s: %s: %s",
			       pg->name, what, m);
}

/* After a restart: a new connection, where no transaction is open. */
static struct kt_error *revive(struct kt_pg_conn *pg)
{
	if (PQstatus(pg->conn) == CONNECTION_OK || pg->in_tx)
		return NULL;
	PQreset(pg->conn);
	if (PQstatus(pg->conn) != CONNECTION_OK)
		return connect_error(pg->name, PQerrorMessage(pg->conn));
	return kt_pg_conn_exec(pg, "setting up the session", session_sql, 0,
			       NULL, NULL);
}

struct kt_error *kt_pg_conn_exec(struct kt_pg_conn *pg, const char *what,
				 const char *sql, int n, const char *const *v,
				 PGresult **ret)
{
	struct kt_error *err = revive(pg);
	PGresult *res;
	ExecStatusType st;

	pg->sqlstate[0] = '\0';
	if (err)
		return err;
	// Without parameters, the simple protocol: a migration is several
	// statements in one string.
	res = n ? PQexecParams(pg->conn, sql, n, NULL, v, NULL, NULL, 0) :
		  PQexec(pg->conn, sql);
	st = PQresultStatus(res);
	if (res && (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)) {
		if (ret)
			*ret = res;
		else
			PQclear(res);
		return NULL;
	}
	err = res || PQstatus(pg->conn) == CONNECTION_BAD ?
	      exec_error(pg, what, res) : &kt_error_nomem;
	PQclear(res);
	return err;
}

struct kt_error *kt_pg_conn_begin(struct kt_pg_conn *pg)
{
	struct kt_error *err = kt_pg_conn_exec(pg, "starting a write", "BEGIN",
					       0, NULL, NULL);

	pg->in_tx = !err;
	return err;
}

struct kt_error *kt_pg_conn_end(struct kt_pg_conn *pg, struct kt_error *err)
{
	struct kt_error *e;

	if (err) {
		// A lost connection has rolled back already.
		if (PQstatus(pg->conn) == CONNECTION_OK)
			PQclear(PQexec(pg->conn, "ROLLBACK"));
		pg->in_tx = false;
		return err;
	}
	e = kt_pg_conn_exec(pg, "committing", "COMMIT", 0, NULL, NULL);
	pg->in_tx = false;
	return e;
}

struct kt_error *kt_pg_conn_may_write(struct kt_pg_conn *pg,
				      const char *const *tables, bool *ret)
{
	char list[1024] = "{";
	const char *v[] = { list };
	PGresult *res;
	struct kt_error *err;

	// Table names are ktriage's own constants: no quoting is needed.
	for (size_t n = 1; *tables; tables++)
		n += snprintf(list + n, n < sizeof(list) ? sizeof(list) - n : 0,
			      "%s%s", n > 1 ? "," : "", *tables);
	strncat(list, "}", sizeof(list) - strlen(list) - 1);
	err = kt_pg_conn_exec(pg, "reading the role's privileges", "SELECT "
		"pg_catalog.current_setting('transaction_read_only') = 'off' "
		"AND pg_catalog.bool_and(pg_catalog.has_table_privilege(t, "
		"'INSERT')) FROM pg_catalog.unnest($1::text[]) t", 1, v, &res);
	if (err)
		return err;
	*ret = !strcmp(PQgetvalue(res, 0, 0), "t");
	PQclear(res);
	return NULL;
}
