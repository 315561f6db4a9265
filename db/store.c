// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The store behind store.h: a directory (store_sqlite*.c) or, for a
 * "postgresql://..." name, the team's PostgreSQL database (store_pg*.c).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/pg/pg_conn.h"
#include "db/store.h"
#include "db/store_private.h"

struct kt_error *kt_store_open(const char *where, struct kt_store **ret)
{
	*ret = NULL;
	if (kt_pg_conn_info(where))
		return kt_store_pg_open(where, ret);
	return kt_store_sqlite_open(where, ret);
}

void kt_store_close(struct kt_store *s)
{
	if (!s)
		return;
	if (s->ops)
		s->ops->close(s);
	free(s->dir);
	free(s->url);
	free(s->reports);
	free(s);
}

const char *kt_store_dir(const struct kt_store *s)
{
	return s->dir;
}

const char *kt_store_reports(const struct kt_store *s)
{
	return s->reports;
}

struct kt_error *kt_store_case_path(const struct kt_store *s,
				    const char *dump_id, char **ret)
{
	return s->ops->case_path(s, dump_id, ret);
}

struct kt_error *kt_store_file_done(struct kt_store *s, const char *path,
				    int64_t size, int64_t mtime, bool *ret)
{
	return s->ops->file_done(s, path, size, mtime, ret);
}

struct kt_error *kt_store_record(struct kt_store *s, const char *path,
				 int64_t size, int64_t mtime,
				 const struct kt_store_dump *d,
				 const char *reason)
{
	return s->ops->record(s, path, size, mtime, d, reason);
}

struct kt_error *kt_store_fill(struct kt_store *s,
			       const struct kt_store_dump *d, size_t n)
{
	return s->ops->fill(s, d, n);
}

struct kt_error *kt_store_refresh_verdicts(struct kt_store *s,
					   kt_store_verdict_reader reader)
{
	return s->ops->refresh_verdicts(s, reader);
}

struct kt_error *kt_store_groups(struct kt_store *s,
				 struct kt_store_group_list *ret)
{
	return s->ops->groups(s, ret);
}

struct kt_error *kt_store_candidates(struct kt_store *s, const char *sig_id,
				     const char *kind, const char *frame,
				     const char *finding, size_t max,
				     struct kt_store_dump_list *ret)
{
	return s->ops->candidates(s, sig_id, kind, frame, finding, max, ret);
}

struct kt_error *kt_store_dump(struct kt_store *s, const char *dump_id,
			       struct kt_store_dump *ret)
{
	struct kt_store_dump_list l;
	struct kt_error *err = s->ops->dump(s, dump_id, &l);

	memset(ret, 0, sizeof(*ret));
	if (err)
		return err;
	if (!l.n) {
		free(l.v);
		return kt_error_create(KT_ERR_LOOKUP, "no dump %s in the store "
				       "%s", dump_id, s->dir);
	}
	*ret = l.v[0];
	free(l.v);
	return NULL;
}

struct kt_error *kt_store_count(struct kt_store *s, size_t *ret)
{
	return s->ops->count(s, ret);
}

void kt_store_now(char buf[32])
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void *kt_store_grow(void **v, size_t n, size_t *cap, size_t size)
{
	if (n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		void *p = realloc(*v, c * size);

		if (!p)
			return NULL;
		*v = p;
		*cap = c;
	}
	return (char *)*v + n * size;
}

void kt_store_dump_deinit(struct kt_store_dump *d)
{
	free(d->path);
	free(d->sig_text);
	free(d->title);
	free(d->report);
	free(d->case_path);
	free(d->verdict_text);
	memset(d, 0, sizeof(*d));
}

void kt_store_dump_list_deinit(struct kt_store_dump_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		kt_store_dump_deinit(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void kt_store_group_list_deinit(struct kt_store_group_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].sig_text);
		free(l->v[i].verdict_text);
		kt_store_dump_deinit(&l->v[i].example);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

