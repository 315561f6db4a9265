/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The team's store of triaged dumps: for every dump, its identity, its
 * failure signature, the top finding and where its report and case are,
 * so that a new dump's "seen before in case X" is one indexed query.
 *
 * A store is a directory: DIR/store.sqlite (this index, WAL, shared by
 * the processes of one machine), DIR/cases/DUMP_ID.ktriage (the cases)
 * and DIR/reports/DUMP_ID.json. Verdicts live in the cases; the index
 * keeps a copy, refreshed from a case whenever its file changed.
 *
 * The store file is untrusted input like a case: checked (application
 * id, version, tables) before use; text read back is checked to be UTF-8
 * without control characters before it is returned.
 */
#ifndef KT_DB_STORE_H
#define KT_DB_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct kt_store;

/** One triaged dump. Strings are malloc()ed by the store's readers. */
struct kt_store_dump {
	char dump_id[33];
	char *path;		/* the dump as it was given */
	char release[65];
	int64_t crash_time;	/* 0: unknown */
	char sig_id[17];
	char *sig_text;		/* triage/signature.h's text form */
	/* its parts the similarity search looks up (recorded, not read) */
	const char *sig_kind, *sig_frame, *sig_finding;
	char *title;		/* the top finding's title, else the panic */
	char *report, *case_path;
	char triaged_at[32];
	char verdict[16];	/* "": none */
	char *verdict_text;
};

/**
 * Open the store @where: a directory, created with its index when it
 * does not exist (a file that is not a ktriage store is refused), or a
 * "postgresql://..." server, whose store tables are made on first use.
 */
struct kt_error *kt_store_open(const char *where, struct kt_store **ret);

void kt_store_close(struct kt_store *s);

/** The store's directory, or its server's name (no password). */
const char *kt_store_dir(const struct kt_store *s);

/** Where triage writes reports: DIR/reports, or for a server's store
 * $KTRIAGE_REPORTS, else $XDG_DATA_HOME/ktriage/reports. */
const char *kt_store_reports(const struct kt_store *s);

/**
 * Where the case of @dump_id is (malloc()ed into *@ret): DIR/cases/
 * DUMP_ID.ktriage, or the server's URL (its cases are keyed by dump id).
 */
struct kt_error *kt_store_case_path(const struct kt_store *s,
				    const char *dump_id, char **ret);

/**
 * Whether the dump file @path, of @size bytes and modified at @mtime, was
 * triaged already (a dump that failed is tried again).
 */
struct kt_error *kt_store_file_done(struct kt_store *s, const char *path,
				    int64_t size, int64_t mtime, bool *ret);

/**
 * Record the triage of the file @path (@size, @mtime): @d when it was
 * triaged (NULL when it failed, with @reason). One transaction: a kill
 * leaves either all of it or nothing.
 */
struct kt_error *kt_store_record(struct kt_store *s, const char *path,
				 int64_t size, int64_t mtime,
				 const struct kt_store_dump *d,
				 const char *reason);

/**
 * Copy each case's newest verdict into the index where the case file
 * changed since it was last read (@reader reads one case file's newest
 * case verdict; the store does not open cases itself).
 */
typedef struct kt_error *(*kt_store_verdict_reader)(const char *case_path,
						    const char *dump_id,
						    char kind[16],
						    char **text);
struct kt_error *kt_store_refresh_verdicts(struct kt_store *s,
					   kt_store_verdict_reader reader);

struct kt_store_group {
	char sig_id[17];
	char *sig_text;
	size_t count;
	int64_t first, last;	/* crash times; 0: unknown */
	struct kt_store_dump example;	/* the newest of the group */
	char verdict[16];	/* the newest verdict in the group, "" */
	char *verdict_text;
};

struct kt_store_group_list {
	struct kt_store_group *v;	/* most dumps first, then newest */
	size_t n;
};

/** Every signature in the store with its dumps, counted. */
struct kt_error *kt_store_groups(struct kt_store *s,
				 struct kt_store_group_list *ret);

void kt_store_group_list_deinit(struct kt_store_group_list *l);

struct kt_store_dump_list {
	struct kt_store_dump *v;
	size_t n;
};

/**
 * Dumps that share the signature @sig_id, or its kind @kind, innermost
 * frame @frame or finding @finding (each "" to ignore): the candidates a
 * similarity ranking scores, at most @max, newest first.
 */
struct kt_error *kt_store_candidates(struct kt_store *s, const char *sig_id,
				     const char *kind, const char *frame,
				     const char *finding, size_t max,
				     struct kt_store_dump_list *ret);

/** The dump @dump_id, or KT_ERR_LOOKUP. */
struct kt_error *kt_store_dump(struct kt_store *s, const char *dump_id,
			       struct kt_store_dump *ret);

/** How many dumps the store holds. */
struct kt_error *kt_store_count(struct kt_store *s, size_t *ret);

void kt_store_dump_deinit(struct kt_store_dump *d);

void kt_store_dump_list_deinit(struct kt_store_dump_list *l);

/**
 * Insert @n synthetic dumps in one transaction (benchmarks): each a copy
 * of @d (of one signature) with dump_id, path and crash time numbered.
 */
struct kt_error *kt_store_fill(struct kt_store *s,
			       const struct kt_store_dump *d, size_t n);

#endif /* KT_DB_STORE_H */
