/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Versioned schema migrations on a PostgreSQL server, like the sqlite
 * case's user_version: the table ktriage.schema_version holds one row per
 * component ("case"; later "store") with the version its tables are at.
 *
 * A component is a list of steps: steps[v] takes it from version v to
 * v + 1 (steps[0] creates it). Opening for writing applies the missing
 * steps in one transaction, under an advisory lock so that two ktriage
 * starting at once on an empty database do it once; a server whose
 * version is newer than the steps this ktriage knows is refused, and
 * nothing is changed.
 */
#ifndef KT_DB_PG_MIGRATE_H
#define KT_DB_PG_MIGRATE_H

#include <stdbool.h>

#include "db/pg/pg_conn.h"

struct kt_pg_schema {
	const char *component;		/* "case" */
	const char *const *steps;	/* SQL; steps[v]: version v to v + 1 */
	int version;			/* the number of steps */
};

/**
 * The version of @s's component on the server: 0 when it has none yet.
 * Refuses one newer than @s->version.
 */
struct kt_error *kt_pg_migrate_version(struct kt_pg_conn *pg,
				       const struct kt_pg_schema *s, int *ret);

/**
 * Bring @s's component up to @s->version. A role that may not create
 * the schema is told to have the database's owner run ktriage once.
 */
struct kt_error *kt_pg_migrate(struct kt_pg_conn *pg,
			       const struct kt_pg_schema *s);

#endif /* KT_DB_PG_MIGRATE_H */
