// SPDX-License-Identifier: GPL-2.0-or-later
/* Versioned schema migrations in one transaction (see pg_migrate.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/pg/pg_migrate.h"

/* pg_advisory_xact_lock()'s key for migrations: "ktri". */
#define LOCK_KEY "1802793577"

static const char version_sql[] =
	"SELECT version FROM ktriage.schema_version WHERE component = $1";

/* The version in @res (0: no row), refused when newer than @s knows. */
static struct kt_error *read_version(struct kt_pg_conn *pg,
				     const struct kt_pg_schema *s,
				     PGresult *res, int *ret)
{
	*ret = PQntuples(res) ? atoi(PQgetvalue(res, 0, 0)) : 0;
	PQclear(res);
	if (*ret <= s->version)
		return NULL;
	return kt_error_create(KT_ERR_UNSUPPORTED, "the %s tables on the "
		"PostgreSQL server %s have schema version %d, newer than this "
		"ktriage's %d: use a newer ktriage (nothing was changed)",
		s->component, kt_pg_conn_name(pg), *ret, s->version);
}

struct kt_error *kt_pg_migrate_version(struct kt_pg_conn *pg,
				       const struct kt_pg_schema *s, int *ret)
{
	const char *v[] = { s->component };
	PGresult *res;
	struct kt_error *err = kt_pg_conn_exec(pg, "reading the schema version",
		"SELECT pg_catalog.to_regclass('ktriage.schema_version') IS "
		"NOT NULL", 0, NULL, &res);
	bool there;

	*ret = 0;
	if (err)
		return err;
	there = !strcmp(PQgetvalue(res, 0, 0), "t");
	PQclear(res);
	if (!there)
		return NULL;
	err = kt_pg_conn_exec(pg, "reading the schema version", version_sql, 1,
			      v, &res);
	return err ? err : read_version(pg, s, res, ret);
}

static struct kt_error *steps(struct kt_pg_conn *pg,
			      const struct kt_pg_schema *s)
{
	const char *v[] = { s->component, NULL };
	char version[16];
	PGresult *res;
	int at;
	struct kt_error *err = kt_pg_conn_exec(pg, "locking the schema",
		"SELECT pg_catalog.pg_advisory_xact_lock(" LOCK_KEY ")", 0,
		NULL, NULL);

	if (!err)
		err = kt_pg_conn_exec(pg, "creating the schema",
			"CREATE SCHEMA IF NOT EXISTS ktriage;"
			"CREATE TABLE IF NOT EXISTS ktriage.schema_version("
			"component text PRIMARY KEY, version integer NOT NULL)",
			0, NULL, NULL);
	if (!err)	// again, under the lock: another may have done it
		err = kt_pg_conn_exec(pg, "reading the schema version",
				      version_sql, 1, v, &res);
	if (!err)
		err = read_version(pg, s, res, &at);
	for (; !err && at < s->version; at++)
		err = kt_pg_conn_exec(pg, "upgrading the schema",
				      s->steps[at], 0, NULL, NULL);
	if (err)
		return err;
	snprintf(version, sizeof(version), "%d", s->version);
	v[1] = version;
	return kt_pg_conn_exec(pg, "recording the schema version",
		"INSERT INTO ktriage.schema_version VALUES($1, $2::integer) "
		"ON CONFLICT (component) DO UPDATE SET version = "
		"EXCLUDED.version", 2, v, NULL);
}

struct kt_error *kt_pg_migrate(struct kt_pg_conn *pg,
			       const struct kt_pg_schema *s)
{
	int at;
	struct kt_error *err = kt_pg_migrate_version(pg, s, &at);

	if (err || at == s->version)
		return err;
	err = kt_pg_conn_begin(pg);
	if (!err)
		err = kt_pg_conn_end(pg, steps(pg, s));
	if (err && kt_pg_conn_denied(pg))
		return kt_error_wrap(err, "the %s tables on %s are %s: the "
			"role '%s' may not %s them; run ktriage once as the "
			"database's owner (see the README's team setup)",
			s->component, kt_pg_conn_name(pg),
			at ? "of an older version" : "not there yet",
			kt_pg_conn_user(pg), at ? "upgrade" : "create");
	return err;
}
