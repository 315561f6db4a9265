// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktriage VMCORE [VMCORE...] VMLINUX [-c CMD]... [--json]
 *
 * Exit status: 0 when every command succeeded, 1 when one failed, 2 for a
 * usage error, 3 when the dump or the vmlinux cannot be opened.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/commands.h"
#include "app/triage.h"
#include "app/tui.h"
#include "core/debuginfo_find.h"
#include "core/dump.h"
#include "core/lines.h"
#include "core/program.h"
#include "core/sanitize.h"
#include "plugins/external.h"

#define EXIT_CMD_FAILED 1
#define EXIT_USAGE 2
#define EXIT_OPEN 3
#define MAX_ARGS 64
/* parse_args(): nothing more to do (--help, --version); exit 0 */
#define EXIT_DONE (-1)

static const char usage[] =
	"usage: ktriage [options] VMCORE [VMCORE...] [VMLINUX]\n"
	"       ktriage triage [options] DUMP...|DIR...  (see triage --help)\n"
	"\n"
	"  -c, --command CMD   run a command (as in crash) and print its result;\n"
	"                      may be given many times; 'help' lists commands\n"
	"  -i, --input FILE    run the commands in FILE, one a line, after the\n"
	"                      -c ones ('-': standard input; '#' starts a comment)\n"
	"      --json          print each command's result as one JSON document\n"
	"  -m, --modules DIR   look for module debuginfo (.ko) in DIR (repeatable)\n"
	"      --no-std-modules  do not search /usr/lib/debug/lib/modules/RELEASE\n"
	"      --plugin-dir DIR  load external plugins (*.so) from DIR (repeatable;\n"
	"                      also $KTRIAGE_PLUGIN_PATH, absolute dirs split by ':')\n"
	"      --case PATH|URL the case database: a file, or the team's PostgreSQL\n"
	"                      server (postgresql://...; default: $KTRIAGE_CASE_URL,\n"
	"                      else VMCORE.ktriage or\n"
	"                      $XDG_DATA_HOME/ktriage/cases/ID.ktriage)\n"
	"      --author NAME   who writes notes (default: $KTRIAGE_AUTHOR, git's\n"
	"                      user.name, $USER)\n"
	"      --force         open another dump's case, read-only\n"
	"      --store DIR|URL the team's store of triaged dumps (also\n"
	"                      $KTRIAGE_STORE): the case is DIR/cases/ID.ktriage\n"
	"                      or on the postgresql:// server; `similar` looks there\n"
	"      --report FILE   write the case report to FILE (after -c/-i): JSON,\n"
	"                      or one HTML page for FILE.html\n"
	"      --tui           open the workbench (the default on a terminal\n"
	"                      when no -c, -i or --report is given)\n"
	"      --no-tui        print `sys` instead of opening the workbench\n"
	"      --mono          the workbench without colours (also $NO_COLOR)\n"
	"  -h, --help          this text\n"
	"  -V, --version       the version\n"
	"\n"
	"The files can come in any order: the vmlinux is the ELF executable.\n"
	"Several VMCORE files are the parts of a split dump. Without a vmlinux,\n"
	"the dump's is looked for by its release and build-id: in\n"
	"/usr/lib/debug, $KTRIAGE_DEBUG_PATH, then debuginfod ($DEBUGINFOD_URLS).\n";

struct args {
	const char *cmds[MAX_ARGS];
	unsigned ncmds;
	const char *dirs[MAX_ARGS];
	unsigned ndirs;
	const char *plugin_dirs[MAX_ARGS];
	unsigned nplugin_dirs;
	const char *dumps[MAX_ARGS];
	unsigned ndumps;
	const char *vmlinux;
	const char *input;
	const char *case_path, *author, *report, *store;
	bool json, no_std_modules, force, tui, no_tui, mono;
};

/* An ELF executable (ET_EXEC) is the vmlinux; anything else is dump. */
static bool is_elf_exec(const char *path)
{
	unsigned char h[18];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool yes;

	if (fd < 0)
		return false;
	yes = read(fd, h, sizeof(h)) == sizeof(h) && !memcmp(h, "\177ELF", 4) &&
	      h[16] == 2 && h[17] == 0;
	close(fd);
	return yes;
}

static int add(const char **arr, unsigned *n, const char *s, const char *what,
	       FILE *err)
{
	if (*n == MAX_ARGS) {
		fprintf(err, "ktriage: too many %s (at most %d)\n", what,
			MAX_ARGS);
		return -1;
	}
	arr[(*n)++] = s;
	return 0;
}

static int sort_files(struct args *a, char **files, int nfiles, FILE *err)
{
	for (int i = 0; i < nfiles; i++) {
		if (!a->vmlinux && is_elf_exec(files[i]))
			a->vmlinux = files[i];
		else if (add(a->dumps, &a->ndumps, files[i], "dump files", err))
			return -1;
	}
	// Neither looks like a vmlinux (e.g. it is missing): crash's order
	// is VMLINUX VMCORE, ours VMCORE VMLINUX; take the last one and let
	// the open say what is wrong with it.
	if (!a->vmlinux && a->ndumps >= 2)
		a->vmlinux = a->dumps[--a->ndumps];
	// One dump and no vmlinux: run() looks for it by build-id.
	if (!a->ndumps) {
		fprintf(err, "ktriage: give a dump (and its vmlinux)\n\n%s",
			usage);
		return -1;
	}
	return 0;
}

/* debuginfod's download, on a terminal: one line redrawn. */
static void progress(void *arg, long done, long total)
{
	FILE *err = arg;

	if (!isatty(STDERR_FILENO))
		return;
	if (total > 0)
		fprintf(err, "\rktriage: downloading the vmlinux: %3ld%% "
			"(%ld of %ld MB)", done * 100 / total, done >> 20,
			total >> 20);
	else
		fprintf(err, "\rktriage: downloading the vmlinux: %ld MB",
			done >> 20);
	fflush(err);
}

/*
 * No vmlinux given: the dump's VMCOREINFO says its kernel's release and
 * build-id, core/debuginfo_find.c finds the file. Returns the path
 * (malloc()ed) or NULL after saying why on @err.
 */
static char *find_vmlinux(const struct args *a, FILE *err, bool quiet)
{
	struct kt_vmlinux_search s;
	struct kt_dump *dump;
	struct kt_error *e;
	const char *rel, *bid;
	char *path = NULL;

	e = kt_dump_open(a->dumps, a->ndumps, &dump);
	if (e) {
		if (!quiet)
			kt_out_error(err, NULL, e->message);
		kt_error_destroy(e);
		return NULL;
	}
	rel = kt_dump_vmcoreinfo(dump, "OSRELEASE");
	bid = kt_dump_vmcoreinfo(dump, "BUILD-ID");
	e = kt_vmlinux_find(rel ? rel : "", bid ? bid : "", progress, stderr, &s);
	if (isatty(STDERR_FILENO))
		fputs("\r\033[K", stderr);
	if (e) {
		if (!quiet)
			kt_out_error(err, NULL, e->message);
		kt_error_destroy(e);
	} else {
		fprintf(err, "ktriage: %s: %s, from %s\n", quiet ?
			"using the dump's own vmlinux instead" : "the vmlinux",
			s.path, s.how ? s.how : "?");
		path = s.path;
		s.path = NULL;
	}
	kt_vmlinux_search_deinit(&s);
	kt_dump_destroy(dump);
	return path;
}

/* getopt's own messages would echo the bad word raw: ours sanitise it. */
static int bad_option(int argc, char **argv, FILE *err)
{
	const char *word = optind > 1 && optind <= argc ? argv[optind - 1] : "";
	char shrt[3] = { '-', (char)optopt, 0 };

	kt_out_error(err, optopt && strncmp(word, "--", 2) ? shrt : word,
		     "unknown option, or its argument is missing");
	fputs(usage, err);
	return EXIT_USAGE;
}

static int parse_args(int argc, char **argv, struct args *a, FILE *err)
{
	static const struct option opts[] = {
		{ "command", required_argument, NULL, 'c' },
		{ "input", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' },
		{ "modules", required_argument, NULL, 'm' },
		{ "no-std-modules", no_argument, NULL, 'N' },
		{ "plugin-dir", required_argument, NULL, 'P' },
		{ "case", required_argument, NULL, 'C' },
		{ "author", required_argument, NULL, 'A' },
		{ "force", no_argument, NULL, 'F' },
		{ "store", required_argument, NULL, 'S' },
		{ "report", required_argument, NULL, 'R' },
		{ "tui", no_argument, NULL, 'T' },
		{ "no-tui", no_argument, NULL, 'U' },
		{ "mono", no_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "c:i:m:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (add(a->cmds, &a->ncmds, optarg, "commands", err))
				return EXIT_USAGE;
			break;
		case 'i':
			a->input = optarg;
			break;
		case 'j':
			a->json = true;
			break;
		case 'm':
			if (add(a->dirs, &a->ndirs, optarg, "module dirs", err))
				return EXIT_USAGE;
			break;
		case 'N':
			a->no_std_modules = true;
			break;
		case 'C':
			a->case_path = optarg;
			break;
		case 'A':
			a->author = optarg;
			break;
		case 'F':
			a->force = true;
			break;
		case 'S':
			a->store = optarg;
			break;
		case 'R':
			a->report = optarg;
			break;
		case 'P':
			if (add(a->plugin_dirs, &a->nplugin_dirs, optarg,
				"plugin dirs", err))
				return EXIT_USAGE;
			break;
		case 'T':
			a->tui = true;
			break;
		case 'U':
			a->no_tui = true;
			break;
		case 'M':
			a->mono = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return EXIT_DONE;
		case 'V':
			printf("ktriage %s\n", KT_VERSION);
			return EXIT_DONE;
		default:
			return bad_option(argc, argv, err);
		}
	}
	if (sort_files(a, argv + optind, argc - optind, err))
		return EXIT_USAGE;
	return 0;
}

/*
 * The workbench opens by itself only for a person at a terminal asking
 * for nothing else; scripts and pipes keep the batch output.
 */
static bool wants_tui(const struct args *a)
{
	if (a->tui)
		return true;
	return !a->no_tui && !a->ncmds && !a->input && !a->report &&
	       !a->json && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
}

/*
 * The longest command line -i takes: room for a long note, not for a file
 * that is not commands (/dev/zero, a binary).
 */
#define MAX_INPUT_LINE 65536

/*
 * Run each line of @path as a command; true when one failed. A line that
 * is too long or not text ends the input: what follows it is not what the
 * user meant to run.
 */
static bool run_input(struct kt_cmd_ctx *ctx, const char *path)
{
	bool is_stdin = !strcmp(path, "-");
	FILE *fp = is_stdin ? stdin : fopen(path, "r");
	struct kt_lines lines;
	struct kt_error *err;
	bool failed = false;
	size_t len;
	char *line;

	if (!fp) {
		kt_out_error(ctx->err, path, strerror(errno));
		return true;
	}
	kt_lines_init(&lines, fp, is_stdin ? "standard input" : path,
		      MAX_INPUT_LINE, 0);
	while (!(err = kt_lines_next(&lines, &line, &len)) && line) {
		char *s = line;

		while (len && line[len - 1] == '\r')
			line[--len] = 0;
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			continue;
		if (kt_command_run(ctx, s))
			failed = true;
		fflush(ctx->out);
	}
	if (err) {
		fprintf(ctx->err, "ktriage: %s; the commands after it are not "
			"run\n", err->message);
		kt_error_destroy(err);
		failed = true;
	}
	kt_lines_deinit(&lines);
	if (!is_stdin)
		fclose(fp);
	return failed;
}

/*
 * External plugins from --plugin-dir and $KTRIAGE_PLUGIN_PATH; those that
 * cannot be used are named on stderr, and the others still load.
 */
static int load_plugins(const struct args *a, struct kt_plugin_set **ret,
			FILE *errf)
{
	char *warnings, *line, *p;
	struct kt_error *err;

	err = kt_plugin_set_load(a->plugin_dirs, a->nplugin_dirs,
				 getenv("KTRIAGE_PLUGIN_PATH"), ret,
				 &warnings);
	if (err) {
		kt_out_error(errf, "loading plugins", err->message);
		kt_error_destroy(err);
		return -1;
	}
	for (p = warnings; p && (line = strsep(&p, "\n"));)
		if (*line)
			kt_out_error(errf, NULL, line);
	free(warnings);
	return 0;
}

/*
 * Standard output and error as the batch commands see them: every byte
 * sanitised on its way (core/sanitize.h). The plain streams stay for the
 * workbench, which draws with curses.
 */
static int open_streams(struct kt_cmd_ctx *ctx)
{
	ctx->out = kt_sanitize_stream(stdout);
	ctx->err = kt_sanitize_stream(stderr);
	if (ctx->out && ctx->err)
		return 0;
	fputs("ktriage: out of memory\n", stderr);
	return -1;
}

static void close_streams(struct kt_cmd_ctx *ctx)
{
	if (ctx->out)
		fclose(ctx->out);
	if (ctx->err)
		fclose(ctx->err);
}

static int run(struct kt_cmd_ctx *ctx, struct args *a)
{
	struct kt_open_options o = { 0 };
	struct kt_plugin_set *plugins = NULL;
	struct kt_program *prog;
	struct kt_error *err;
	char *found = NULL;
	bool mismatch_said = false;
	int ret = 0;

	if (!a->vmlinux &&
	    !(a->vmlinux = found = find_vmlinux(a, ctx->err, false)))
		return EXIT_OPEN;
	if (load_plugins(a, &plugins, ctx->err)) {
		free(found);
		return EXIT_USAGE;
	}
	o.dump_paths = a->dumps;
	o.ndump_paths = a->ndumps;
	o.vmlinux_path = a->vmlinux;
	o.module_dirs = a->dirs;
	o.nmodule_dirs = a->ndirs;
	o.no_std_module_dirs = a->no_std_modules;
	err = kt_program_open(&o, &prog);
	if (err && err->code == KT_ERR_MISMATCH && !found) {
		mismatch_said = true;
		// The vmlinux given is another kernel's: the dump's own, if
		// it can be found by build-id, with a word about the swap;
		// else the mismatch alone says what to install.
		kt_out_error(ctx->err, NULL, err->message);
		found = find_vmlinux(a, ctx->err, true);
		if (found) {
			kt_error_destroy(err);
			mismatch_said = false;
			o.vmlinux_path = a->vmlinux = found;
			err = kt_program_open(&o, &prog);
		}
	}
	if (err) {
		if (!mismatch_said)
			kt_out_error(ctx->err, NULL, err->message);
		kt_error_destroy(err);
		kt_plugin_set_destroy(plugins);
		free(found);
		return EXIT_OPEN;
	}
	ctx->prog = prog;
	ctx->plugins = plugins;
	ctx->dump_path = a->dumps[0];
	ctx->case_path = a->case_path;
	ctx->force = a->force;
	ctx->store_dir = a->store ? a->store : getenv("KTRIAGE_STORE");
	if (ctx->store_dir && !*ctx->store_dir)
		ctx->store_dir = NULL;
	ctx->author = a->author ? strdup(a->author) : NULL;
	ctx->json = a->json;
	if (wants_tui(a)) {
		struct kt_tui_options to = {
			.mono = a->mono || getenv("NO_COLOR"),
		};

		// Wide characters need the user's locale; numbers in
		// command output keep C's.
		setlocale(LC_ALL, "");
		setlocale(LC_NUMERIC, "C");
		ret = kt_tui_main(ctx, &to);
		goto out;
	}
	// Without commands, say what crashed, as crash does at start-up.
	if (!a->ncmds && !a->input && !a->report)
		a->cmds[a->ncmds++] = "sys";
	for (unsigned i = 0; i < a->ncmds; i++) {
		if (kt_command_run(ctx, a->cmds[i]))
			ret = EXIT_CMD_FAILED;
		fflush(ctx->out);
	}
	if (a->input && run_input(ctx, a->input))
		ret = EXIT_CMD_FAILED;
	if (a->report && kt_cmd_report(ctx, 2, (char *[]){ "report",
				      (char *)a->report, NULL }))
		ret = EXIT_CMD_FAILED;
out:
	kt_cmd_ctx_deinit(ctx);
	kt_program_destroy(prog);
	kt_plugin_set_destroy(plugins);
	free(found);
	return ret;
}

int main(int argc, char **argv)
{
	struct kt_cmd_ctx ctx = { 0 };
	struct args a = { 0 };
	int ret;

	if (open_streams(&ctx))
		return EXIT_OPEN;
	if (argc > 1 && !strcmp(argv[1], "triage")) {
		ret = kt_triage_main(argc - 1, argv + 1, ctx.out, ctx.err);
		close_streams(&ctx);
		return ret;
	}
	ret = parse_args(argc, argv, &a, ctx.err);
	if (!ret)
		ret = run(&ctx, &a);
	close_streams(&ctx);
	return ret == EXIT_DONE ? 0 : ret;
}
