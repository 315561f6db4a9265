/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Batch commands, named as in crash. Each is one entry of the table in
 * commands.c; `help` is generated from it.
 */
#ifndef KT_APP_COMMANDS_H
#define KT_APP_COMMANDS_H

#include "app/output.h"

struct kt_task;

struct kt_command {
	const char *name;
	const char *usage;
	const char *summary;
	int (*run)(struct kt_cmd_ctx *ctx, int argc, char **argv);
};

/**
 * Split @s in place into at most @max words: blanks separate them, and
 * '...' or "..." quote blanks and the other quote. Returns the number of
 * words, or -1 for an unbalanced quote or more than @max words.
 */
int kt_command_split(char *s, char **words, int max);

/**
 * Split @line into words (shell-like quotes) and run the command it names.
 * Returns 0 on success, 1 when the command failed or is unknown.
 */
int kt_command_run(struct kt_cmd_ctx *ctx, const char *line);

int kt_cmd_sys(struct kt_cmd_ctx *ctx, int argc, char **argv);
int kt_cmd_ps(struct kt_cmd_ctx *ctx, int argc, char **argv);
int kt_cmd_log(struct kt_cmd_ctx *ctx, int argc, char **argv);
int kt_cmd_mod(struct kt_cmd_ctx *ctx, int argc, char **argv);
int kt_cmd_sym(struct kt_cmd_ctx *ctx, int argc, char **argv);
int kt_cmd_bt(struct kt_cmd_ctx *ctx, int argc, char **argv);
int kt_cmd_search(struct kt_cmd_ctx *ctx, int argc, char **argv);
int kt_cmd_dis(struct kt_cmd_ctx *ctx, int argc, char **argv);
int kt_cmd_rd(struct kt_cmd_ctx *ctx, int argc, char **argv);
int kt_cmd_files(struct kt_cmd_ctx *ctx, int argc, char **argv);
int kt_cmd_foreach(struct kt_cmd_ctx *ctx, int argc, char **argv);
int kt_cmd_kmem(struct kt_cmd_ctx *ctx, int argc, char **argv);
int kt_cmd_struct(struct kt_cmd_ctx *ctx, int argc, char **argv);
int kt_cmd_union(struct kt_cmd_ctx *ctx, int argc, char **argv);
int kt_cmd_whatis(struct kt_cmd_ctx *ctx, int argc, char **argv);
int kt_cmd_p(struct kt_cmd_ctx *ctx, int argc, char **argv);
int kt_cmd_findings(struct kt_cmd_ctx *ctx, int argc, char **argv);
int kt_cmd_plugins(struct kt_cmd_ctx *ctx, int argc, char **argv);
int kt_cmd_note(struct kt_cmd_ctx *ctx, int argc, char **argv);
int kt_cmd_verdict(struct kt_cmd_ctx *ctx, int argc, char **argv);
int kt_cmd_tag(struct kt_cmd_ctx *ctx, int argc, char **argv);
int kt_cmd_bookmark(struct kt_cmd_ctx *ctx, int argc, char **argv);
int kt_cmd_case_cmd(struct kt_cmd_ctx *ctx, int argc, char **argv);

struct kt_note;
struct kt_task;

/** The backtrace of @t as `bt --json` gives it (no words, no variables). */
cJSON *kt_cmd_trace_json(struct kt_cmd_ctx *ctx, const struct kt_task *t,
			 struct kt_error **err);

int kt_cmd_report(struct kt_cmd_ctx *ctx, int argc, char **argv);
int kt_cmd_signature(struct kt_cmd_ctx *ctx, int argc, char **argv);

struct kt_signature;

/** The dump's failure signature (runs the analyzers once, see below). */
struct kt_error *kt_cmd_signature_of(struct kt_cmd_ctx *ctx,
				     struct kt_signature *ret);

/** A signature as JSON: id, text and parts (kind, frames, module, finding). */
cJSON *kt_signature_json(const struct kt_signature *s);

struct kt_store;

/** The team's store (ctx->store_dir), opened on the first call. */
struct kt_error *kt_cmd_store(struct kt_cmd_ctx *ctx, struct kt_store **ret);

/**
 * The newest verdict on "case" in the case file @path (read-only): the
 * store's kt_store_verdict_reader.
 */
struct kt_error *kt_cmd_case_verdict(const char *path, const char *dump_id,
				     char kind[16], char **text);

int kt_cmd_similar(struct kt_cmd_ctx *ctx, int argc, char **argv);

/** The case database, opened (or created) on the first call. */
struct kt_error *kt_cmd_case(struct kt_cmd_ctx *ctx, struct kt_case **ret);

/** A note as JSON: uuid, target, author, text, every revision. */
cJSON *kt_note_json(const struct kt_note *n);

struct kt_finding;

/**
 * The analyzers' findings and runs, computed on the first call (built-in
 * plugins, then ctx->plugins) and kept in @ctx.
 */
struct kt_error *kt_cmd_analysis(struct kt_cmd_ctx *ctx,
				 const struct kt_analysis **ret);

struct kt_analysis_options;

/**
 * kt_cmd_analysis() watched and cancellable through @opts: a cancelled
 * run is not kept (the next call runs it again) and errors KT_ERR_STOP.
 */
struct kt_error *kt_cmd_analysis_opts(struct kt_cmd_ctx *ctx,
				      const struct kt_analysis_options *opts,
				      const struct kt_analysis **ret);

/** A finding as JSON: id, plugin, severity, title, evidence, derivation. */
cJSON *kt_finding_json(const struct kt_finding *f);

/** Free what commands kept in @ctx (the analysis, the case). */
void kt_cmd_ctx_deinit(struct kt_cmd_ctx *ctx);

/**
 * Print (or, with @doc, add to the JSON array @doc) the open files of
 * @t. Returns 0, or 1 when its fd table cannot be read.
 */
/*
 * `files` of task @t, printed or added to @doc. @keep (or NULL): the table
 * of the task before, reused when @t shares it, and replaced by @t's.
 */
struct kt_files;
int kt_files_one(struct kt_cmd_ctx *ctx, const struct kt_task *t, cJSON *doc,
		 struct kt_files *keep);

#endif /* KT_APP_COMMANDS_H */
