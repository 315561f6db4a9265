// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>

#include "app/commands.h"
#include "app/output.h"
#include "core/program.h"

static int cmd_help(struct kt_cmd_ctx *ctx, int argc, char **argv);

static const struct kt_command commands[] = {
	{ "sys", "sys", "what crashed: kernel, dump, time, panic, task",
	  kt_cmd_sys },
	{ "ps", "ps [-k|-u] [PID|COMM]...",
	  "tasks with state, CPU and parent; > marks a CPU's current task",
	  kt_cmd_ps },
	{ "log", "log [-t] [-m] [-c]",
	  "the kernel log (-t: no time, -m: level, -c: caller thread or CPU)",
	  kt_cmd_log },
	{ "mod", "mod", "loaded modules and their debuginfo", kt_cmd_mod },
	{ "sym", "sym NAME|ADDR...", "a symbol's address, or an address's symbol",
	  kt_cmd_sym },
	{ "bt", "bt [-fFlv] [-a|-c CPU|PID|TASK]",
	  "backtrace (panic task): -f words, -l lines, -v variables",
	  kt_cmd_bt },
	{ "search", "search [-k|-u|-p] [-t PID] [-w|-h] [-m MASK] VALUE",
	  "find a value in all memory (-j threads, -l limit, -v rate)",
	  kt_cmd_search },
	{ "dis", "dis [-l] [-r] [-s] SYM|ADDR [COUNT]",
	  "disassemble: a function, COUNT instructions, or up to ADDR (-r)",
	  kt_cmd_dis },
	{ "rd", "rd [-8|-16|-32|-64] [-s|-S] [-p] [-a] [-x|-d] ADDR|SYM [COUNT]",
	  "read memory: words, -s symbols, -S owners, -p physical, -a text",
	  kt_cmd_rd },
	{ "foreach", "foreach bt|files",
	  "the backtrace, or the open files, of every task", kt_cmd_foreach },
	{ "files", "files [PID|TASK]",
	  "open files (panic task): fd, file, dentry, inode, type, path",
	  kt_cmd_files },
	{ "kmem", "kmem ADDR... | kmem -s [NAME]",
	  "what an address is (slab object, page, stack...) and why; caches",
	  kt_cmd_kmem },
	{ "struct", "struct [-o] TYPE[.m[,m]] [ADDR [COUNT]]",
	  "a struct at ADDR, or its layout (-o: with offsets)", kt_cmd_struct },
	{ "union", "union [-o] TYPE[.m[,m]] [ADDR [COUNT]]",
	  "a union at ADDR, or its layout", kt_cmd_union },
	{ "whatis", "whatis TYPE|SYMBOL", "a type's definition, or a symbol's type",
	  kt_cmd_whatis },
	{ "p", "p EXPR", "print an expression: sym, *, ->, ., [i], &, casts",
	  kt_cmd_p },
	{ "findings", "findings [-v] [ID|PLUGIN]...",
	  "what the analyzers found, with evidence (-v: how it was found)",
	  kt_cmd_findings },
	{ "plugins", "plugins",
	  "the analyzers: which ran, which were skipped and why, time taken",
	  kt_cmd_plugins },
	{ "note", "note add [--on TARGET] TEXT | edit ID TEXT | list [--on T]",
	  "notes in the case database (TARGET: case, finding:ID, task:PID:"
	  "0xTASK, addr:0xADDR, ...)", kt_cmd_note },
	{ "verdict", "verdict set [--on FINDING] KIND TEXT | verdict list",
	  "root-cause, contributing, suspect, ruled-out or needs-info",
	  kt_cmd_verdict },
	{ "tag", "tag add [--on TARGET] TAG... | tag list [TAG]",
	  "label the case, a finding, a task, an address...", kt_cmd_tag },
	{ "bookmark", "bookmark [--on TARGET] [NAME] | bookmark list",
	  "mark a place to come back to", kt_cmd_bookmark },
	{ "case", "case [merge OTHER.ktriage | export [FILE] | import FILE | "
	  "push [URL] | pull [URL]]",
	  "the case database: where, what; merge a colleague's review; push "
	  "to or pull from the team's PostgreSQL server",
	  kt_cmd_case_cmd },
	{ "signature", "signature",
	  "the failure signature: panic kind, top frames, module, finding",
	  kt_cmd_signature },
	{ "similar", "similar [-n N]",
	  "earlier dumps in the store (--store) with the same or a close "
	  "signature, ranked, with their verdicts", kt_cmd_similar },
	{ "report", "report FILE.json|FILE.html",
	  "the case report: identity, backtrace, findings, notes, verdicts",
	  kt_cmd_report },
	{ "help", "help", "this list", cmd_help },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))
#define MAX_WORDS 64

static int cmd_help(struct kt_cmd_ctx *ctx, int argc, char **argv)
{
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(ctx->out, "  %-26s %s\n", commands[i].usage,
			commands[i].summary);
	return 0;
}

int kt_command_split(char *s, char **words, int max)
{
	int n = 0;

	for (;;) {
		char *w;

		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			return n;
		if (n == max)
			return -1;
		w = s;
		words[n++] = w;
		while (*s && *s != ' ' && *s != '\t') {
			if (*s == '\'' || *s == '"') {
				char q = *s++;

				while (*s && *s != q)
					*w++ = *s++;
				if (!*s)
					return -1;
				s++;
				continue;
			}
			*w++ = *s++;
		}
		if (*s)
			s++;
		*w = 0;
	}
}

/*
 * What the program worked around while the command ran (or as the dump
 * opened): a corrupt VMCOREINFO value, named. Dump bytes: sanitised.
 */
static void print_warnings(struct kt_cmd_ctx *ctx)
{
	const char *w = ctx->prog ? kt_program_new_warnings(ctx->prog) : NULL;

	while (w && *w) {
		size_t n = strcspn(w, "\n");

		fputs("ktriage: warning: ", ctx->err);
		kt_out_raw(ctx->err, w, n, false);
		fputc('\n', ctx->err);
		w += n + (w[n] == '\n');
	}
}

int kt_command_run(struct kt_cmd_ctx *ctx, const char *line)
{
	char *copy = strdup(line), *words[MAX_WORDS + 1];
	int n, ret = 1;

	if (!copy)
		return kt_cmd_fail(ctx, "ktriage", &kt_error_nomem);
	n = kt_command_split(copy, words, MAX_WORDS);
	if (n < 0) {
		ret = kt_cmd_fail(ctx, line, kt_error_create(KT_ERR_INVALID,
				"unbalanced quotes or more than %d words",
				MAX_WORDS));
		goto out;
	}
	if (n == 0) {
		ret = 0;
		goto out;
	}
	words[n] = NULL;
	for (size_t i = 0; i < NR_COMMANDS; i++) {
		if (!strcmp(words[0], commands[i].name)) {
			ret = commands[i].run(ctx, n, words);
			goto out;
		}
	}
	ret = kt_cmd_fail(ctx, words[0], kt_error_create(KT_ERR_INVALID,
			  "no such command; 'help' lists them"));
out:
	print_warnings(ctx);
	free(copy);
	return ret;
}
