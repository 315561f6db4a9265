/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The case database: what the team concluded about a crash dump (notes
 * with every revision, verdicts, tags), in one sqlite file per dump that
 * travels with the dump and is merged between engineers, or in a
 * PostgreSQL database that holds every case of a team, keyed by dump id
 * (a path that kt_case_is_url()). The calls below are the same for both.
 *
 * A case is bound to its dump's identity. It is untrusted input: before
 * it is used it is opened read-only and checked (application id, schema
 * version, integrity, tables), and a file that fails is never written.
 * Writes are transactions in WAL mode with a busy timeout, so two
 * processes can add notes at once and a kill loses nothing committed.
 */
#ifndef KT_DB_CASE_H
#define KT_DB_CASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct kt_program;
struct kt_case;

/** What binds a case to its dump. */
struct kt_case_identity {
	char release[65];
	char build_id[41];
	int64_t crash_time;	/* seconds since the epoch, 0: unknown */
	char content_hash[17];	/* FNV-1a 64 of VMCOREINFO + panic task */
	char dump_id[33];	/* hash of all of the above: the case's name */
};

/** The identity of @prog's dump. */
struct kt_error *kt_case_identity(struct kt_program *prog,
				  struct kt_case_identity *ret);

/**
 * Where the case of @dump_path lives when no --case is given:
 * DUMP.ktriage beside it when its directory is writable, else
 * $XDG_DATA_HOME/ktriage/cases/DUMP_ID.ktriage (created). malloc()ed.
 */
struct kt_error *kt_case_default_path(const char *dump_path,
				      const struct kt_case_identity *id,
				      char **ret);

enum kt_case_mode {
	KT_CASE_WRITE,		/* create when missing; refuse another dump */
	KT_CASE_READ_ONLY,	/* never written; refuse another dump */
	KT_CASE_FORCE,		/* read-only, even for another dump */
};

/**
 * True when @path names a PostgreSQL database rather than a file:
 * "postgresql://..." or "postgres://..." (libpq's URIs), or
 * "postgresql:KEY=VALUE ..." (libpq's key/value conninfo after the colon).
 */
bool kt_case_is_url(const char *path);

/**
 * Open (or create) the case at @path for the dump of @id: a sqlite file,
 * or the dump's case in the PostgreSQL database @path names. A role the
 * server lets only read opens a case for writing as read-only, and says
 * why on the first write.
 */
struct kt_error *kt_case_open(const char *path,
			      const struct kt_case_identity *id,
			      enum kt_case_mode mode, struct kt_case **ret);

void kt_case_close(struct kt_case *c);

/** True when writes are refused (read-only, forced open, or a role
 * that may only read). */
bool kt_case_read_only(const struct kt_case *c);

/** The file, or "postgresql://USER@HOST:PORT/DB" (never a password). */
const char *kt_case_path(const struct kt_case *c);

/**
 * The author of what this process writes: @given (--author), else
 * $KTRIAGE_AUTHOR, git's user.name, $USER, "unknown". malloc()ed.
 */
char *kt_case_author(const char *given);

/* ---- notes ---- */

/*
 * A target is "case", "finding:ID", "task:PID:0xTASK",
 * "frame:PID:0xTASK:LEVEL:FUNCTION", "addr:0xADDR[:TYPE]" or "log:INDEX".
 * kt_case_target_check() says whether a string is one.
 */
bool kt_case_target_check(const char *target, char *why, size_t len);

struct kt_note_rev {
	char uuid[37];
	char parent[37];	/* "" for the first */
	char author[128];
	char at[32];		/* ISO 8601 UTC, milliseconds */
	char *text;
};

struct kt_note {
	char uuid[37];
	char *target;
	char author[128];	/* who created it */
	char created[32];
	struct kt_note_rev *revs;	/* oldest first */
	size_t nrevs;
	size_t current;		/* the newest head revision */
	size_t heads;		/* >1: concurrent edits, all kept */
};

struct kt_note_list {
	struct kt_note *v;
	size_t n;
};

/** Add a note on @target; its UUID into @uuid_ret (37 bytes) if not NULL. */
struct kt_error *kt_case_note_add(struct kt_case *c, const char *target,
				  const char *author, const char *text,
				  char *uuid_ret);

/**
 * Edit note @uuid (or a unique prefix of at least 8 characters): a new
 * revision on top of the current one. Nothing is overwritten.
 */
struct kt_error *kt_case_note_edit(struct kt_case *c, const char *uuid,
				   const char *author, const char *text);

/** Notes, oldest first; on @target only when not NULL. */
struct kt_error *kt_case_notes(struct kt_case *c, const char *target,
			       struct kt_note_list *ret);

void kt_note_list_deinit(struct kt_note_list *l);

/* ---- verdicts ---- */

/** "root-cause", "contributing", "suspect", "ruled-out", "needs-info". */
bool kt_case_verdict_kind_check(const char *kind);

struct kt_verdict {
	char uuid[37];
	char *target;		/* "case" or "finding:ID" */
	char kind[16];
	char *text;
	char author[128];
	char at[32];
};

struct kt_verdict_list {
	struct kt_verdict *v;	/* every verdict ever set, oldest first */
	size_t n;
};

/** Set the verdict on @target ("case" or "finding:ID"). */
struct kt_error *kt_case_verdict_set(struct kt_case *c, const char *target,
				     const char *kind, const char *author,
				     const char *text);

struct kt_error *kt_case_verdicts(struct kt_case *c,
				  struct kt_verdict_list *ret);

void kt_verdict_list_deinit(struct kt_verdict_list *l);

/* ---- tags and bookmarks ---- */

/*
 * A tag labels a target ("hw-bug", "dup-of-JIRA-123"); a bookmark is the
 * tag "bookmark" or "bookmark:NAME". Tags are never removed: a merge is a
 * union.
 */
struct kt_tag {
	char *target, *tag, *author;
	char at[32];
};

struct kt_tag_list {
	struct kt_tag *v;	/* sorted by tag, then target */
	size_t n;
};

/** Tag @target with @tag ([A-Za-z0-9_.:/-]+, at most 100); idempotent. */
struct kt_error *kt_case_tag_add(struct kt_case *c, const char *target,
				 const char *tag, const char *author);

/** Tags, all or those named @tag (NULL: all). */
struct kt_error *kt_case_tags(struct kt_case *c, const char *tag,
			      struct kt_tag_list *ret);

void kt_tag_list_deinit(struct kt_tag_list *l);

/* ---- sharing ---- */

struct kt_merge_stats {
	size_t notes_added, revisions_added, verdicts_added, tags_added;
	size_t concurrent;	/* notes that now have several heads */
	size_t conflicts;	/* same uuid, different content: ours kept */
	char *report;		/* one line per conflict or concurrent edit */
};

/**
 * Bring the notes, revisions, verdicts and tags of the case at @other
 * (checked as untrusted, and of the same dump) into @c, in one
 * transaction: a union by UUID, so merging twice changes nothing and
 * A+B equals B+A. Concurrent edits of one note stay as revisions.
 */
struct kt_error *kt_case_merge(struct kt_case *c, const char *other,
			       struct kt_merge_stats *ret);

/**
 * Publish @c into the case at @other (another case of the same dump,
 * usually a PostgreSQL URL: `case push`), opened for writing and created
 * when missing: the same union as a merge, in one transaction there, so
 * pushing twice adds nothing. `case pull` is kt_case_merge() from a URL.
 */
struct kt_error *kt_case_push(struct kt_case *c, const char *other,
			      struct kt_merge_stats *ret);

void kt_merge_stats_deinit(struct kt_merge_stats *s);

struct cJSON;

/**
 * A note as JSON: uuid, target, author, created and every revision, as
 * the export writes it (sanitised).
 */
struct cJSON *kt_case_note_json(const struct kt_note *n);

/** The whole case as JSON text (malloc()ed), sorted, for export/diff. */
struct kt_error *kt_case_export(struct kt_case *c, char **ret);

/** Merge a case exported by kt_case_export() (text @json) into @c. */
struct kt_error *kt_case_import(struct kt_case *c, const char *json,
				struct kt_merge_stats *ret);

#endif /* KT_DB_CASE_H */
