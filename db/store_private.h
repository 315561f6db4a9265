/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the store: shared by db/store*.c only. A store is a directory
 * (an sqlite index beside the cases) or a PostgreSQL database (the same
 * tables beside the team's cases): each is an ops table behind store.h.
 */
#ifndef KT_DB_STORE_PRIVATE_H
#define KT_DB_STORE_PRIVATE_H

#include <sqlite3.h>

#include "db/store.h"

struct kt_pg_conn;

struct kt_store_ops {
	void (*close)(struct kt_store *s);
	struct kt_error *(*case_path)(const struct kt_store *s,
				      const char *dump_id, char **ret);
	struct kt_error *(*file_done)(struct kt_store *s, const char *path,
				      int64_t size, int64_t mtime, bool *ret);
	struct kt_error *(*record)(struct kt_store *s, const char *path,
				   int64_t size, int64_t mtime,
				   const struct kt_store_dump *d,
				   const char *reason);
	struct kt_error *(*fill)(struct kt_store *s,
				 const struct kt_store_dump *d, size_t n);
	struct kt_error *(*refresh_verdicts)(struct kt_store *s,
					     kt_store_verdict_reader reader);
	struct kt_error *(*groups)(struct kt_store *s,
				   struct kt_store_group_list *ret);
	struct kt_error *(*candidates)(struct kt_store *s, const char *sig_id,
				       const char *kind, const char *frame,
				       const char *finding, size_t max,
				       struct kt_store_dump_list *ret);
	/* the dump @dump_id: a list of one, or of none */
	struct kt_error *(*dump)(struct kt_store *s, const char *dump_id,
				 struct kt_store_dump_list *ret);
	struct kt_error *(*count)(struct kt_store *s, size_t *ret);
};

struct kt_store {
	const struct kt_store_ops *ops;
	char *dir;		/* the directory, or the server's name */
	char *url;		/* PostgreSQL: as given (with its password) */
	char *reports;		/* where triage's reports go */
	sqlite3 *db;
	struct kt_pg_conn *pg;
};

extern const struct kt_store_ops kt_store_sqlite_ops;

struct kt_error *kt_store_sqlite_open(const char *dir, struct kt_store **ret);
struct kt_error *kt_store_pg_open(const char *url, struct kt_store **ret);

/** "store DIR: WHAT: sqlite's message". */
struct kt_error *kt_store_sq_error(struct kt_store *s, const char *what);

/** Recount the group of @sig_id (in the caller's transaction). */
int kt_store_sq_regroup(sqlite3 *db, const char *sig_id);

struct kt_error *kt_store_sq_groups(struct kt_store *s,
				    struct kt_store_group_list *ret);
struct kt_error *kt_store_sq_candidates(struct kt_store *s,
					const char *sig_id, const char *kind,
					const char *frame, const char *finding,
					size_t max,
					struct kt_store_dump_list *ret);
struct kt_error *kt_store_sq_dump(struct kt_store *s, const char *dump_id,
				  struct kt_store_dump_list *ret);
struct kt_error *kt_store_sq_count(struct kt_store *s, size_t *ret);
struct kt_error *kt_store_sq_refresh_verdicts(struct kt_store *s,
					      kt_store_verdict_reader reader);

/** Now, as ISO 8601 UTC to the second. */
void kt_store_now(char buf[32]);

/* Grow @v (of @n, capacity @cap) by one element of @size; NULL: no memory. */
void *kt_store_grow(void **v, size_t n, size_t *cap, size_t size);

#endif /* KT_DB_STORE_PRIVATE_H */
