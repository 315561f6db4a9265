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

/**
 * Print (or, with @doc, add to the JSON array @doc) the open files of
 * @t. Returns 0, or 1 when its fd table cannot be read.
 */
int kt_files_one(struct kt_cmd_ctx *ctx, const struct kt_task *t, cJSON *doc);

#endif /* KT_APP_COMMANDS_H */
