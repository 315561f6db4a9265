/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `ktriage triage`: many dumps in batch. Each dump is triaged by a child
 * ktriage (its own process: a dump that crashes or exhausts it is a row
 * with its reason, never the end of the run), which writes the JSON report
 * and the case into the store; the parent records the result in the
 * store's index and ends with the dumps grouped by failure signature.
 */
#ifndef KT_APP_TRIAGE_H
#define KT_APP_TRIAGE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "db/store.h"

#define KT_TRIAGE_MAX_DIRS 32

struct kt_triage_opts {
	const char *self;		/* this executable */
	const char *store_dir;		/* a directory or a server's URL */
	const char *reports;		/* where the reports go */
	const char *dirs[KT_TRIAGE_MAX_DIRS];	/* --vmlinux-dir, absolute */
	unsigned ndirs;
	unsigned jobs;
	bool progress_bar;		/* redraw one line on a terminal */
	bool json;
};

/** What became of one dump file. */
struct kt_triage_result {
	char *path;
	enum { KT_TRIAGED, KT_SKIPPED, KT_FAILED } status;
	char *reason;			/* KT_FAILED: why, one line */
	struct kt_store_dump d;		/* KT_TRIAGED */
};

/**
 * Triage the dump files @paths (@n of them) into @store: results into
 * @ret (one per path, in order; free with kt_triage_results_free()).
 * Progress goes to @err. Errors only when the store cannot be written.
 */
struct kt_error *kt_triage_run(const struct kt_triage_opts *o,
			       struct kt_store *store, char **paths, size_t n,
			       FILE *err, struct kt_triage_result **ret);

void kt_triage_results_free(struct kt_triage_result *r, size_t n);

/** Parse a child's JSON report @text into @d (strings malloc()ed). */
bool kt_triage_parse_report(const char *text, struct kt_store_dump *d);

/** `ktriage triage ...`: argv without the program name; an exit code. */
int kt_triage_main(int argc, char **argv, FILE *out, FILE *err);

#endif /* KT_APP_TRIAGE_H */
