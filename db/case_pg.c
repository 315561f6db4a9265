// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The PostgreSQL backend of a case: one database holds every case of a
 * team, keyed by dump id, in the schema "ktriage" (docs/case-format.md).
 * The case's identity is stored with it, so a case whose dump id matches
 * but whose release, build-id, crash time or content hash do not is
 * refused as a sqlite file of another dump is. Permissions are the
 * server's: a role that may not write opens the case read-only and is
 * told why.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/case_rows.h"
#include "db/pg/pg_conn.h"
#include "db/pg/pg_migrate.h"

/* Columns are COLLATE "C": ORDER BY sorts bytes, as sqlite does, so both
 * backends list and export a case in one order. */
#define T "text COLLATE \"C\" NOT NULL"

static const char *const steps[] = {
	// 1: the first version.
	"CREATE TABLE ktriage.cases(dump_id " T " PRIMARY KEY, release " T ","
	" build_id " T ", crash_time bigint NOT NULL, content_hash " T ","
	" created timestamptz NOT NULL DEFAULT now());"
	"CREATE TABLE ktriage.notes(dump_id " T " REFERENCES ktriage.cases,"
	" uuid " T ", target " T ", author " T ", created " T ","
	" PRIMARY KEY(dump_id, uuid));"
	"CREATE TABLE ktriage.revisions(dump_id " T ", uuid " T ", note " T ","
	" parent text COLLATE \"C\", author " T ", at " T ", text " T ","
	" PRIMARY KEY(dump_id, uuid),"
	" FOREIGN KEY(dump_id, note) REFERENCES ktriage.notes);"
	"CREATE INDEX revisions_note ON ktriage.revisions(dump_id, note);"
	"CREATE TABLE ktriage.verdicts(dump_id " T " REFERENCES ktriage.cases,"
	" uuid " T ", target " T ", kind " T ", text " T ", author " T ","
	" at " T ", PRIMARY KEY(dump_id, uuid));"
	"CREATE TABLE ktriage.tags(dump_id " T " REFERENCES ktriage.cases,"
	" target " T ", tag " T ", author " T ", at " T ","
	" PRIMARY KEY(dump_id, target, tag));"
	// The roles of docs/case-format.md, where the database has them:
	// rows are never updated or deleted, so a writer only inserts.
	"DO $$ BEGIN"
	" IF EXISTS (SELECT FROM pg_catalog.pg_roles"
	"  WHERE rolname = 'ktriage_reader') THEN"
	"  GRANT USAGE ON SCHEMA ktriage TO ktriage_reader;"
	"  GRANT SELECT ON ALL TABLES IN SCHEMA ktriage TO ktriage_reader;"
	" END IF;"
	" IF EXISTS (SELECT FROM pg_catalog.pg_roles"
	"  WHERE rolname = 'ktriage_writer') THEN"
	"  GRANT USAGE ON SCHEMA ktriage TO ktriage_writer;"
	"  GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA ktriage"
	"   TO ktriage_writer;"
	" END IF;"
	"END $$;",
};

static const struct kt_pg_schema schema = {
	.component = "case",
	.steps = steps,
	.version = sizeof(steps) / sizeof(steps[0]),
};

const struct kt_pg_schema *kt_case_pg_schema(void)
{
	return &schema;
}

/* What a writer inserts into. */
static const char *const tables[] = {
	"ktriage.cases", "ktriage.notes", "ktriage.revisions",
	"ktriage.verdicts", "ktriage.tags", NULL,
};

/* The stored identity of @dump_id into @ret; *@found false if none. */
static struct kt_error *stored(struct kt_case *c, const char *dump_id,
			       struct kt_case_identity *ret, bool *found)
{
	const char *v[] = { dump_id };
	PGresult *res;
	struct kt_error *err = kt_pg_conn_exec(c->pg, "reading the case",
		"SELECT release, build_id, crash_time, content_hash FROM "
		"ktriage.cases WHERE dump_id = $1", 1, v, &res);

	if (err)
		return err;
	memset(ret, 0, sizeof(*ret));
	*found = PQntuples(res) == 1;
	if (*found) {
		snprintf(ret->dump_id, sizeof(ret->dump_id), "%s", dump_id);
		snprintf(ret->release, sizeof(ret->release), "%s",
			 PQgetvalue(res, 0, 0));
		snprintf(ret->build_id, sizeof(ret->build_id), "%s",
			 PQgetvalue(res, 0, 1));
		ret->crash_time = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
		snprintf(ret->content_hash, sizeof(ret->content_hash), "%s",
			 PQgetvalue(res, 0, 3));
	}
	PQclear(res);
	return NULL;
}

static struct kt_error *create(struct kt_case *c,
			       const struct kt_case_identity *id)
{
	char when[24];
	const char *v[] = { id->dump_id, id->release, id->build_id, when,
			    id->content_hash };

	snprintf(when, sizeof(when), "%" PRId64, id->crash_time);
	return kt_pg_conn_exec(c->pg, "creating the case", "INSERT INTO "
		"ktriage.cases VALUES($1, $2, $3, $4::bigint, $5) ON CONFLICT "
		"DO NOTHING", 5, v, NULL);
}

static bool same_dump(const struct kt_case_identity *a,
		      const struct kt_case_identity *b)
{
	return !strcmp(a->release, b->release) &&
	       !strcmp(a->build_id, b->build_id) &&
	       a->crash_time == b->crash_time &&
	       !strcmp(a->content_hash, b->content_hash);
}

/* The case row of @id: there and of this dump, or made now. */
static struct kt_error *bind_case(struct kt_case *c,
				  const struct kt_case_identity *id,
				  enum kt_case_mode mode)
{
	bool found;
	struct kt_error *err = stored(c, id->dump_id, &c->id, &found);

	if (!err && !found && c->read_only)
		err = kt_error_create(KT_ERR_INVALID, "no case of this dump "
			"(dump id %s) on %s%s%s", id->dump_id, c->path,
			c->read_only_why ? " yet, and " : "",
			c->read_only_why ? c->read_only_why : "");
	if (!err && !found) {
		err = create(c, id);
		if (!err)
			err = stored(c, id->dump_id, &c->id, &found);
	}
	if (!err && mode != KT_CASE_FORCE && !same_dump(&c->id, id))
		err = kt_case_identity_refused(c->path, &c->id, id);
	return err;
}

/* A role that may not write reads: the open works, writes say why. */
static struct kt_error *check_writable(struct kt_case *c)
{
	bool ok;
	struct kt_error *err = kt_pg_conn_may_write(c->pg, tables, &ok);

	if (err || ok)
		return err;
	c->read_only = true;
	c->read_only_why = kt_pg_conn_read_only_why(c->pg);
	return c->read_only_why ? NULL : &kt_error_nomem;
}

struct kt_error *kt_case_pg_open(struct kt_case *c, const char *url,
				 const struct kt_case_identity *id,
				 enum kt_case_mode mode)
{
	struct kt_error *err;
	int version;

	c->ops = &kt_case_pg_ops;
	err = kt_pg_conn_open(url, &c->pg);
	if (err)
		return err;
	free(c->path);
	if (!(c->path = strdup(kt_pg_conn_name(c->pg))))
		return &kt_error_nomem;
	err = kt_pg_migrate_version(c->pg, &schema, &version);
	if (!err && version < schema.version && !c->read_only)
		err = kt_pg_migrate(c->pg, &schema);
	else if (!err && version < schema.version)
		err = version ? kt_error_create(KT_ERR_UNSUPPORTED, "the case "
			"tables on %s are of an older version (%d): open a "
			"case there once for writing to upgrade them",
			c->path, version) : kt_error_create(KT_ERR_INVALID,
			"no ktriage cases on %s yet", c->path);
	if (!err && !c->read_only)
		err = check_writable(c);
	if (!err)
		err = bind_case(c, id, mode);
	return err;
}

static void pg_close(struct kt_case *c)
{
	kt_pg_conn_close(c->pg);
	c->pg = NULL;
}

static struct kt_error *pg_begin(struct kt_case *c)
{
	return kt_pg_conn_begin(c->pg);
}

static struct kt_error *pg_end(struct kt_case *c, struct kt_error *err)
{
	err = kt_pg_conn_end(c->pg, err);
	// Refused by the server: the privileges changed since the open.
	if (err && kt_pg_conn_denied(c->pg) && !c->read_only_why) {
		c->read_only = true;
		c->read_only_why = kt_pg_conn_read_only_why(c->pg);
	}
	return err;
}

const struct kt_case_ops kt_case_pg_ops = {
	.name = "postgresql",
	.close = pg_close,
	.begin = pg_begin,
	.end = pg_end,
	.put = kt_case_pg_put,
	.notes = kt_case_pg_notes,
	.verdicts = kt_case_pg_verdicts,
	.tags = kt_case_pg_tags,
	.find_note = kt_case_pg_find_note,
};
