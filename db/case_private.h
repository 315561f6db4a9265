/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the case database: shared by the files of db/ only.
 *
 * A case lives in a backend: a sqlite file (case_sqlite*.c, the embedded
 * default) or a PostgreSQL database holding every case of a team
 * (case_pg*.c). A backend is a const struct kt_case_ops of row-level
 * callbacks; what a case means (validation, UUIDs, revisions and heads,
 * merge, export) is written once, above it, in case.c, notes.c, list.c,
 * merge.c and export.c.
 */
#ifndef KT_DB_CASE_PRIVATE_H
#define KT_DB_CASE_PRIVATE_H

#include <sqlite3.h>

#include "db/case.h"

struct kt_pg_conn;

/* The rows a case is made of; put() takes their columns in this order. */
enum kt_case_row {
	KT_ROW_NOTE,		/* uuid, target, author, created */
	KT_ROW_REVISION,	/* uuid, note, parent (NULL: first), author, at, text */
	KT_ROW_VERDICT,		/* uuid, target, kind, text, author, at */
	KT_ROW_TAG,		/* target, tag, author, at */
};

struct kt_case_ops {
	const char *name;	/* "sqlite", "postgresql" */
	void (*close)(struct kt_case *c);
	/** Start a write transaction; end() commits, or rolls back on @err. */
	struct kt_error *(*begin)(struct kt_case *c);
	struct kt_error *(*end)(struct kt_case *c, struct kt_error *err);
	/**
	 * Insert a row unless one with its key is there: *@ret 1 added, 0
	 * the same row was there, -1 a different row has that key (a tag:
	 * 0 whenever one is there). Inside begin()/end().
	 */
	struct kt_error *(*put)(struct kt_case *c, enum kt_case_row row,
				const char *const *v, int *ret);
	/**
	 * Notes on @target, or the note @uuid, or all (both NULL), ordered
	 * by (created, uuid), each with its revisions in (at, uuid) order:
	 * rows as stored, every text cut to its field, NULL read as "".
	 */
	struct kt_error *(*notes)(struct kt_case *c, const char *target,
				  const char *uuid, struct kt_note_list *ret);
	/** Every verdict, ordered by (at, uuid). */
	struct kt_error *(*verdicts)(struct kt_case *c,
				     struct kt_verdict_list *ret);
	/** Tags (named @tag, or all when NULL) ordered by (tag, target). */
	struct kt_error *(*tags)(struct kt_case *c, const char *tag,
				 struct kt_tag_list *ret);
	/** The uuids of notes starting with @prefix: at most 2, in *@n. */
	struct kt_error *(*find_note)(struct kt_case *c, const char *prefix,
				      char uuid[37], int *n);
};

struct kt_case {
	const struct kt_case_ops *ops;
	char *path;		/* what to call it: a file, or a database */
	bool read_only;
	char *read_only_why;	/* why writes are refused, or NULL: --force */
	char *foreign;	/* read-only: what else the file holds, not read */
	struct kt_case_identity id;	/* what the case was made for */
	sqlite3 *db;			/* the sqlite backend */
	struct kt_pg_conn *pg;		/* the PostgreSQL backend */
};

extern const struct kt_case_ops kt_case_sqlite_ops;
extern const struct kt_case_ops kt_case_pg_ops;

struct kt_pg_schema;

/** The case tables' migrations on a server (the store makes them too). */
const struct kt_pg_schema *kt_case_pg_schema(void);

/** Open @path (a file) as kt_case_open() does; @c is filled in. */
struct kt_error *kt_case_sqlite_open(struct kt_case *c, const char *path,
				     const struct kt_case_identity *id,
				     enum kt_case_mode mode);

/** Open the case of @id in the database of @url (see kt_case_is_url()). */
struct kt_error *kt_case_pg_open(struct kt_case *c, const char *url,
				 const struct kt_case_identity *id,
				 enum kt_case_mode mode);

/**
 * "case WHERE belongs to another dump (...), not this one (...)": the
 * refusal of a case whose stored identity @theirs is not @ours.
 */
struct kt_error *kt_case_identity_refused(const char *where,
					  const struct kt_case_identity *theirs,
					  const struct kt_case_identity *ours);

/**
 * Open the case file @path as untrusted input: defensive, no triggers,
 * no views, no function of the schema trusted; read-only ones immutable
 * (nothing is created beside the file) unless a write-ahead log holds
 * commits. Returns sqlite's code; *@ret is to be closed in any case.
 */
int kt_case_db_open(const char *path, bool read_only, sqlite3 **ret);

/**
 * What @db's schema holds that running @schema (ktriage's CREATE
 * statements) does not make, as "trigger 'x' on notes, view 'v'" into
 * *@ret (sqlite3_free()), or NULL when nothing. Returns sqlite's code.
 */
int kt_case_db_foreign(sqlite3 *db, const char *schema, char **ret);

/** "case PATH: WHAT: sqlite's message". */
struct kt_error *kt_case_db_error(struct kt_case *c, const char *what);

/** A write transaction of @c's backend. */
struct kt_error *kt_case_begin(struct kt_case *c);

/** Commit, or roll back and return @err when it is set. */
struct kt_error *kt_case_end(struct kt_case *c, struct kt_error *err);

/** Notes on @target, or the note @uuid, or all (both NULL). */
struct kt_error *kt_case_notes_of(struct kt_case *c, const char *target,
				  const char *uuid, struct kt_note_list *ret);

/** True when @text is UTF-8 without control characters but \n and \t. */
bool kt_case_text_ok(const char *text);

/** The identity a case was made for, as stored with it. */
void kt_case_meta_identity(struct kt_case *c, struct kt_case_identity *id);

/** A note list row by row: grow @l by one zeroed note, or NULL. */
struct kt_note *kt_note_list_grow(struct kt_note_list *l, size_t *cap);

/** A note's revisions, by one more zeroed revision, or NULL. */
struct kt_note_rev *kt_note_revs_grow(struct kt_note *n, size_t *cap);

/** The verdict list, by one more zeroed verdict, or NULL. */
struct kt_verdict *kt_verdict_list_grow(struct kt_verdict_list *l,
					size_t *cap);

/** The tag list, by one more zeroed tag, or NULL. */
struct kt_tag *kt_tag_list_grow(struct kt_tag_list *l);

#endif /* KT_DB_CASE_PRIVATE_H */
