// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A store on the team's PostgreSQL server: the tables of a directory's
 * index (ktriage.dumps, ktriage.sigs, ktriage.files; component "store"
 * of ktriage.schema_version) beside the cases, which are the server's
 * own (a dump's case is the server, keyed by dump id), so a group's
 * verdict is read from ktriage.verdicts as engineers set it, never a
 * copy. Writes are transactions; what the server sends is checked text.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/case_private.h"
#include "db/pg/pg_conn.h"
#include "db/pg/pg_migrate.h"
#include "db/store.h"
#include "db/store_private.h"

#define T "text COLLATE \"C\" NOT NULL"

static const char *const steps[] = {
	"CREATE TABLE ktriage.dumps(dump_id " T " PRIMARY KEY, path " T ","
	" release " T ", crash_time bigint NOT NULL, sig_id " T ","
	" sig_text " T ", sig_kind " T ", sig_frame " T ", sig_finding " T ","
	" title " T ", report " T ", case_path " T ", triaged_at " T ");"
	"CREATE INDEX dumps_sig ON ktriage.dumps(sig_id, crash_time);"
	"CREATE INDEX dumps_kind ON ktriage.dumps(sig_kind);"
	"CREATE INDEX dumps_frame ON ktriage.dumps(sig_frame);"
	"CREATE INDEX dumps_finding ON ktriage.dumps(sig_finding);"
	"CREATE TABLE ktriage.sigs(sig_id " T " PRIMARY KEY, sig_text " T ","
	" n bigint NOT NULL, first bigint NOT NULL, last bigint NOT NULL,"
	" example " T ");"
	"CREATE TABLE ktriage.files(path " T ", size bigint NOT NULL,"
	" mtime bigint NOT NULL, dump_id " T ", status " T ", reason " T ","
	" at " T ", PRIMARY KEY(path, size, mtime));"
	// triage records and recounts: a writer inserts, updates, deletes
	"DO $$ BEGIN"
	" IF EXISTS (SELECT FROM pg_catalog.pg_roles"
	"  WHERE rolname = 'ktriage_reader') THEN"
	"  GRANT USAGE ON SCHEMA ktriage TO ktriage_reader;"
	"  GRANT SELECT ON ktriage.dumps, ktriage.sigs, ktriage.files"
	"   TO ktriage_reader;"
	" END IF;"
	" IF EXISTS (SELECT FROM pg_catalog.pg_roles"
	"  WHERE rolname = 'ktriage_writer') THEN"
	"  GRANT USAGE ON SCHEMA ktriage TO ktriage_writer;"
	"  GRANT SELECT, INSERT, UPDATE, DELETE ON ktriage.dumps,"
	"   ktriage.sigs, ktriage.files TO ktriage_writer;"
	" END IF;"
	"END $$;",
};

static const struct kt_pg_schema schema = {
	.component = "store",
	.steps = steps,
	.version = sizeof(steps) / sizeof(steps[0]),
};

/* The columns of dump_of(), of ktriage.dumps d; the verdict of its case. */
#define DUMP_COLUMNS "d.dump_id, d.path, d.release, d.crash_time, " \
	"d.sig_id, d.sig_text, d.title, d.report, d.case_path, " \
	"d.triaged_at, coalesce(v.kind, ''), coalesce(v.text, '')"
/* The newest verdict on the case of dump d.dump_id. */
#define CASE_VERDICT "LEFT JOIN LATERAL (SELECT kind, text FROM " \
	"ktriage.verdicts x WHERE x.dump_id = d.dump_id AND x.target = " \
	"'case' ORDER BY x.at DESC LIMIT 1) v ON true"

static char *text_at(PGresult *r, int row, int col)
{
	const char *t = PQgetvalue(r, row, col);

	return strdup(t && kt_case_text_ok(t) ? t : "?");
}

static void copy_at(PGresult *r, int row, int col, char *buf, size_t len)
{
	char *t = text_at(r, row, col);

	snprintf(buf, len, "%s", t ? t : "");
	free(t);
}

static bool dump_of(PGresult *r, int row, int c, struct kt_store_dump *d)
{
	memset(d, 0, sizeof(*d));
	copy_at(r, row, c, d->dump_id, sizeof(d->dump_id));
	d->path = text_at(r, row, c + 1);
	copy_at(r, row, c + 2, d->release, sizeof(d->release));
	d->crash_time = strtoll(PQgetvalue(r, row, c + 3), NULL, 10);
	copy_at(r, row, c + 4, d->sig_id, sizeof(d->sig_id));
	d->sig_text = text_at(r, row, c + 5);
	d->title = text_at(r, row, c + 6);
	d->report = text_at(r, row, c + 7);
	d->case_path = text_at(r, row, c + 8);
	copy_at(r, row, c + 9, d->triaged_at, sizeof(d->triaged_at));
	copy_at(r, row, c + 10, d->verdict, sizeof(d->verdict));
	d->verdict_text = text_at(r, row, c + 11);
	return d->path && d->sig_text && d->title && d->report &&
	       d->case_path && d->verdict_text;
}

static void pg_close(struct kt_store *s)
{
	kt_pg_conn_close(s->pg);
}

static struct kt_error *pg_case_path(const struct kt_store *s,
				     const char *dump_id, char **ret)
{
	*ret = strdup(s->url);
	return *ret ? NULL : &kt_error_nomem;
}

static struct kt_error *pg_file_done(struct kt_store *s, const char *path,
				     int64_t size, int64_t mtime, bool *ret)
{
	char sz[24], mt[24];
	const char *v[] = { path, sz, mt };
	PGresult *r;
	struct kt_error *err;

	snprintf(sz, sizeof(sz), "%" PRId64, size);
	snprintf(mt, sizeof(mt), "%" PRId64, mtime);
	err = kt_pg_conn_exec(s->pg, "reading the store", "SELECT status FROM"
			      " ktriage.files WHERE path = $1 AND size = "
			      "$2::bigint AND mtime = $3::bigint", 3, v, &r);
	*ret = false;
	if (err)
		return err;
	*ret = PQntuples(r) == 1 && !strcmp(PQgetvalue(r, 0, 0), "done");
	PQclear(r);
	return NULL;
}

/* Recount the group of @sig (in the caller's transaction). */
static struct kt_error *regroup(struct kt_store *s, const char *sig)
{
	const char *v[] = { sig };
	struct kt_error *err = kt_pg_conn_exec(s->pg, "counting a signature",
		"INSERT INTO ktriage.sigs SELECT $1, (SELECT sig_text FROM "
		"ktriage.dumps WHERE sig_id = $1 ORDER BY crash_time DESC LIMIT"
		" 1), count(*), min(crash_time), max(crash_time), (SELECT "
		"dump_id FROM ktriage.dumps WHERE sig_id = $1 ORDER BY "
		"crash_time DESC LIMIT 1) FROM ktriage.dumps WHERE sig_id = $1 "
		"HAVING count(*) > 0 ON CONFLICT (sig_id) DO UPDATE SET "
		"sig_text = EXCLUDED.sig_text, n = EXCLUDED.n, first = "
		"EXCLUDED.first, last = EXCLUDED.last, example = "
		"EXCLUDED.example", 1, v, NULL);

	if (!err)
		err = kt_pg_conn_exec(s->pg, "counting a signature", "DELETE "
			"FROM ktriage.sigs WHERE sig_id = $1 AND NOT EXISTS ("
			"SELECT 1 FROM ktriage.dumps WHERE sig_id = $1)", 1, v,
			NULL);
	return err;
}

static struct kt_error *put_dump(struct kt_store *s,
				 const struct kt_store_dump *d, const char *at)
{
	char when[24];
	const char *v[] = {
		d->dump_id, d->path ? d->path : "", d->release, when,
		d->sig_id, d->sig_text ? d->sig_text : "",
		d->sig_kind ? d->sig_kind : "", d->sig_frame ? d->sig_frame :
		"", d->sig_finding ? d->sig_finding : "", d->title ? d->title :
		"", d->report ? d->report : "", d->case_path ? d->case_path :
		"", at,
	};

	snprintf(when, sizeof(when), "%" PRId64, d->crash_time);
	return kt_pg_conn_exec(s->pg, "recording a dump", "INSERT INTO "
		"ktriage.dumps VALUES($1, $2, $3, $4::bigint, $5, $6, $7, $8, "
		"$9, $10, $11, $12, $13) ON CONFLICT (dump_id) DO UPDATE SET "
		"path = EXCLUDED.path, release = EXCLUDED.release, crash_time ="
		" EXCLUDED.crash_time, sig_id = EXCLUDED.sig_id, sig_text = "
		"EXCLUDED.sig_text, sig_kind = EXCLUDED.sig_kind, sig_frame = "
		"EXCLUDED.sig_frame, sig_finding = EXCLUDED.sig_finding, title "
		"= EXCLUDED.title, report = EXCLUDED.report, case_path = "
		"EXCLUDED.case_path, triaged_at = EXCLUDED.triaged_at", 13, v,
		NULL);
}

static struct kt_error *put_file(struct kt_store *s, const char *path,
				 int64_t size, int64_t mtime, const char *id,
				 const char *reason, const char *at)
{
	char sz[24], mt[24];
	const char *v[] = { path, sz, mt, id ? id : "", id ? "done" : "failed",
			    reason ? reason : "", at };

	snprintf(sz, sizeof(sz), "%" PRId64, size);
	snprintf(mt, sizeof(mt), "%" PRId64, mtime);
	return kt_pg_conn_exec(s->pg, "recording a dump", "INSERT INTO "
		"ktriage.files VALUES($1, $2::bigint, $3::bigint, $4, $5, $6, "
		"$7) ON CONFLICT (path, size, mtime) DO UPDATE SET dump_id = "
		"EXCLUDED.dump_id, status = EXCLUDED.status, reason = "
		"EXCLUDED.reason, at = EXCLUDED.at", 7, v, NULL);
}

/* The signature @d->dump_id had before (into @old), "" when new. */
static struct kt_error *old_sig(struct kt_store *s, const char *id,
				char old[17])
{
	const char *v[] = { id };
	PGresult *r;
	struct kt_error *err = kt_pg_conn_exec(s->pg, "recording a dump",
		"SELECT sig_id FROM ktriage.dumps WHERE dump_id = $1 FOR "
		"UPDATE", 1, v, &r);

	old[0] = 0;
	if (err)
		return err;
	if (PQntuples(r) == 1)
		snprintf(old, 17, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return NULL;
}

static struct kt_error *pg_record(struct kt_store *s, const char *path,
				  int64_t size, int64_t mtime,
				  const struct kt_store_dump *d,
				  const char *reason)
{
	char at[32], old[17] = "";
	struct kt_error *err;

	kt_store_now(at);
	err = kt_pg_conn_begin(s->pg);
	if (!err && d)
		err = old_sig(s, d->dump_id, old);
	if (!err && d)
		err = put_dump(s, d, at);
	if (!err && d)
		err = regroup(s, d->sig_id);
	if (!err && d && old[0] && strcmp(old, d->sig_id))
		err = regroup(s, old);
	if (!err)
		err = put_file(s, path, size, mtime, d ? d->dump_id : NULL,
			       reason, at);
	return kt_pg_conn_end(s->pg, err);
}

static struct kt_error *pg_fill(struct kt_store *s,
				const struct kt_store_dump *d, size_t n)
{
	char at[32], num[24], when[24];
	const char *v[] = { d->dump_id, d->path ? d->path : "", d->release,
			    when, d->sig_id, d->sig_text, d->sig_kind,
			    d->sig_frame, d->sig_finding, d->title, at, num };
	struct kt_error *err;

	kt_store_now(at);
	snprintf(num, sizeof(num), "%zu", n);
	snprintf(when, sizeof(when), "%" PRId64, d->crash_time);
	err = kt_pg_conn_begin(s->pg);
	if (!err)
		err = kt_pg_conn_exec(s->pg, "filling", "INSERT INTO "
			"ktriage.dumps SELECT substr($1, 1, 16) || lpad(to_hex(i),"
			" 16, '0'), $2 || '.' || i, $3, $4::bigint + i, $5, $6, "
			"$7, $8, $9, $10, '', '', $11 FROM generate_series(0, "
			"$12::bigint - 1) i ON CONFLICT DO NOTHING", 12, v,
			NULL);
	if (!err)
		err = regroup(s, d->sig_id);
	return kt_pg_conn_end(s->pg, err);
}

/* The server's cases hold the verdicts: nothing to copy. */
static struct kt_error *pg_refresh(struct kt_store *s,
				   kt_store_verdict_reader reader)
{
	return NULL;
}

static struct kt_error *pg_groups(struct kt_store *s,
				  struct kt_store_group_list *ret)
{
	// the newest verdict of any dump of the group, from the cases
	static const char sql[] =
		"SELECT g.sig_id, g.n, g.first, g.last, coalesce(gv.kind, ''),"
		" coalesce(gv.text, ''), " DUMP_COLUMNS " FROM ktriage.sigs g "
		"JOIN ktriage.dumps d ON d.dump_id = g.example " CASE_VERDICT
		" LEFT JOIN LATERAL (SELECT x.kind, x.text FROM ktriage.dumps "
		"y JOIN ktriage.verdicts x ON x.dump_id = y.dump_id AND "
		"x.target = 'case' WHERE y.sig_id = g.sig_id ORDER BY x.at "
		"DESC LIMIT 1) gv ON true ORDER BY g.n DESC, g.last DESC";
	struct kt_error *err;
	PGresult *r;
	int n;

	memset(ret, 0, sizeof(*ret));
	err = kt_pg_conn_exec(s->pg, "grouping", sql, 0, NULL, &r);
	if (err)
		return err;
	n = PQntuples(r);
	ret->v = calloc(n + 1, sizeof(*ret->v));
	for (int i = 0; ret->v && i < n; i++) {
		struct kt_store_group *g = &ret->v[ret->n++];

		copy_at(r, i, 0, g->sig_id, sizeof(g->sig_id));
		g->count = strtoull(PQgetvalue(r, i, 1), NULL, 10);
		g->first = strtoll(PQgetvalue(r, i, 2), NULL, 10);
		g->last = strtoll(PQgetvalue(r, i, 3), NULL, 10);
		copy_at(r, i, 4, g->verdict, sizeof(g->verdict));
		g->verdict_text = text_at(r, i, 5);
		if (!dump_of(r, i, 6, &g->example) ||
		    !(g->sig_text = strdup(g->example.sig_text)) ||
		    !g->verdict_text) {
			err = &kt_error_nomem;
			break;
		}
	}
	PQclear(r);
	if (!ret->v)
		err = &kt_error_nomem;
	if (err)
		kt_store_group_list_deinit(ret);
	return err;
}

static struct kt_error *dumps_of(PGresult *r, struct kt_store_dump_list *ret)
{
	int n = PQntuples(r);

	memset(ret, 0, sizeof(*ret));
	ret->v = calloc(n + 1, sizeof(*ret->v));
	for (int i = 0; ret->v && i < n; i++) {
		if (!dump_of(r, i, 0, &ret->v[ret->n++])) {
			PQclear(r);
			kt_store_dump_list_deinit(ret);
			return &kt_error_nomem;
		}
	}
	PQclear(r);
	return ret->v ? NULL : &kt_error_nomem;
}

static struct kt_error *pg_candidates(struct kt_store *s, const char *sig_id,
				      const char *kind, const char *frame,
				      const char *finding, size_t max,
				      struct kt_store_dump_list *ret)
{
	char lim[24];
	const char *v[] = { sig_id, kind, frame, finding, lim };
	struct kt_error *err;
	PGresult *r;

	snprintf(lim, sizeof(lim), "%zu", max);
	err = kt_pg_conn_exec(s->pg, "searching", "SELECT " DUMP_COLUMNS
		" FROM (SELECT * FROM ktriage.dumps WHERE sig_id = $1 UNION "
		"SELECT * FROM ktriage.dumps WHERE sig_kind = $2 AND $2 != '' "
		"UNION SELECT * FROM ktriage.dumps WHERE sig_frame = $3 AND $3 "
		"!= '' UNION SELECT * FROM ktriage.dumps WHERE sig_finding = $4"
		" AND $4 != '') d " CASE_VERDICT " ORDER BY (d.sig_id = $1)::int"
		" * 100 + (d.sig_kind = $2)::int * 30 + (d.sig_frame = $3)::int"
		" * 25 + (d.sig_finding = $4)::int * 15 DESC, d.crash_time DESC"
		" LIMIT $5::bigint", 5, v, &r);
	if (err) {
		memset(ret, 0, sizeof(*ret));
		return err;
	}
	return dumps_of(r, ret);
}

static struct kt_error *pg_dump(struct kt_store *s, const char *dump_id,
				struct kt_store_dump_list *ret)
{
	const char *v[] = { dump_id };
	struct kt_error *err;
	PGresult *r;

	memset(ret, 0, sizeof(*ret));
	err = kt_pg_conn_exec(s->pg, "reading the store", "SELECT "
			      DUMP_COLUMNS " FROM ktriage.dumps d " CASE_VERDICT
			      " WHERE d.dump_id = $1", 1, v, &r);
	return err ? err : dumps_of(r, ret);
}

static struct kt_error *pg_count(struct kt_store *s, size_t *ret)
{
	PGresult *r;
	struct kt_error *err = kt_pg_conn_exec(s->pg, "counting", "SELECT "
		"count(*) FROM ktriage.dumps", 0, NULL, &r);

	*ret = 0;
	if (err)
		return err;
	*ret = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return NULL;
}

static const struct kt_store_ops pg_ops = {
	.close = pg_close,
	.case_path = pg_case_path,
	.file_done = pg_file_done,
	.record = pg_record,
	.fill = pg_fill,
	.refresh_verdicts = pg_refresh,
	.groups = pg_groups,
	.candidates = pg_candidates,
	.dump = pg_dump,
	.count = pg_count,
};

/* A server's store keeps no files: triage's reports go to a directory. */
static char *reports_dir(void)
{
	const char *e = getenv("KTRIAGE_REPORTS"), *x = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	char *s = NULL;

	if (e && *e == '/')
		return strdup(e);
	if (x && *x == '/')
		return asprintf(&s, "%s/ktriage/reports", x) < 0 ? NULL : s;
	return asprintf(&s, "%s/.local/share/ktriage/reports",
			home ? home : "/tmp") < 0 ? NULL : s;
}

struct kt_error *kt_store_pg_open(const char *url, struct kt_store **ret)
{
	struct kt_store *s = calloc(1, sizeof(*s));
	struct kt_error *err;

	if (!s || !(s->url = strdup(url)) || !(s->reports = reports_dir())) {
		kt_store_close(s);
		return &kt_error_nomem;
	}
	s->ops = &pg_ops;
	err = kt_pg_conn_open(url, &s->pg);
	if (!err && !(s->dir = strdup(kt_pg_conn_name(s->pg))))
		err = &kt_error_nomem;
	// the verdicts the groups show are the cases': both sets of tables
	if (!err)
		err = kt_pg_migrate(s->pg, kt_case_pg_schema());
	if (!err)
		err = kt_pg_migrate(s->pg, &schema);
	if (err) {
		kt_store_close(s);
		return err;
	}
	*ret = s;
	return NULL;
}
