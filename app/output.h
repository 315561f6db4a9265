/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Printing batch command results: as text for people, or one JSON document
 * per command. Every string that comes from the dump, a case file or the
 * user goes through kt_sanitize() on its way out; and the streams the
 * batch commands write to (ctx->out, ctx->err) sanitise every byte again
 * (kt_sanitize_stream()), so a forgotten site cannot reach the terminal.
 */
#ifndef KT_APP_OUTPUT_H
#define KT_APP_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "core/error.h"
#include "core/search.h"

struct kt_program;
struct kt_plugin_set;
struct kt_analysis;
struct kt_case;

/** What a command runs with. */
struct kt_cmd_ctx {
	struct kt_program *prog;
	FILE *out;
	FILE *err;
	bool json;
	const struct kt_plugin_set *plugins;	/* external, or NULL */
	struct kt_analysis *analysis;	/* the plugins' run, on first need */
	/* the case database, opened on first need (db/case.h) */
	const char *dump_path;	/* its default place is beside the dump */
	const char *case_path;	/* --case, or NULL */
	bool force;		/* --force: another dump's case, read-only */
	char *author;		/* --author (malloc()ed), or found on need */
	struct kt_case *kase;
	/* the team's store (--store, $KTRIAGE_STORE), opened on first need */
	const char *store_dir;	/* NULL: none */
	struct kt_store *store;
	/* long work (search, foreach) stops when *cancel is set; NULL: never.
	 * progress counts pages (search) or tasks (foreach). */
	const atomic_bool *cancel;
	kt_search_progress_fn *progress;	/* NULL: none */
	void *progress_arg;
};

/** Print raw dump bytes (at most @len, up to a NUL) to @fp, sanitised. */
void kt_out_raw(FILE *fp, const char *raw, size_t len, bool keep_newlines);

/**
 * "ktriage: WHAT: MESSAGE" on one line of @fp (no "WHAT: " when @what is
 * NULL), both sanitised with newlines escaped. Every error line goes out
 * this way.
 */
void kt_out_error(FILE *fp, const char *what, const char *message);

/** Add "key": sanitised raw bytes to a JSON object. */
cJSON *kt_json_add_raw(cJSON *obj, const char *key, const char *raw,
		       size_t len);

/** Add "key": "0x%016x" to a JSON object. */
cJSON *kt_json_add_addr(cJSON *obj, const char *key, uint64_t addr);

/**
 * Print a JSON document and free it; every string in it is sanitised
 * first. Returns 0, or 1 when @doc is NULL (memory ran out while building
 * it).
 */
int kt_json_print(struct kt_cmd_ctx *ctx, cJSON *doc);

/**
 * Report a failed command: a line on the error stream (sanitised), and
 * with --json a {"command", "error"} document on the output. Destroys
 * @err and returns 1.
 */
int kt_cmd_fail(struct kt_cmd_ctx *ctx, const char *cmd, struct kt_error *err);

/**
 * "name+off" with a decimal offset, as gdb and crash's dis and rd -s write
 * it, sanitised; "" when no symbol holds @addr.
 */
void kt_out_symbol_dec(struct kt_program *prog, uint64_t addr, char *buf,
		       size_t size);

/** A crash time "YYYY-MM-DD HH:MM" (UTC) into @buf; "-" when 0. */
void kt_out_date(int64_t t, char *buf, size_t len);

/** Report a usage error; returns 1. */
int kt_cmd_usage(struct kt_cmd_ctx *ctx, const char *cmd, const char *usage);

#endif /* KT_APP_OUTPUT_H */
