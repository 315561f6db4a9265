// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <getopt.h>
#include <stdatomic.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "app/commands.h"
#include "core/files.h"
#include "core/owner.h"
#include "core/program.h"
#include "core/sanitize.h"
#include "core/stack.h"
#include "core/task.h"

#define BT_USAGE "bt [-f|-F] [-l] [-v] [-a | -c CPU | PID | TASK]"
#define MAX_FRAME_WORDS 128

struct bt_opts {
	bool words;	/* -f: each frame's stack words */
	bool symbolic;	/* -F: words shown as symbols where they are */
	bool lines;	/* -l: source lines */
	bool vars;	/* -v: parameters and locals */
};

#define MAX_VARS 64

/* crash's layout of exception-frame registers, three a line. */
static const enum kt_reg regs_layout[] = {
	KT_REG_RAX, KT_REG_RBX, KT_REG_RCX, KT_REG_RDX, KT_REG_RSI,
	KT_REG_RDI, KT_REG_RBP, KT_REG_R8, KT_REG_R9, KT_REG_R10, KT_REG_R11,
	KT_REG_R12, KT_REG_R13, KT_REG_R14, KT_REG_R15,
};

static void upper(const char *s, char *buf, size_t size)
{
	size_t i;

	for (i = 0; s[i] && i < size - 1; i++)
		buf[i] = s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i];
	buf[i] = 0;
}

static void print_sym(FILE *fp, const struct kt_frame *f)
{
	char mod[KT_SANITIZED_SIZE(64)];

	if (!f->has_sym) {
		fprintf(fp, "%016" PRIx64, f->pc);
		return;
	}
	fprintf(fp, "%s+0x%" PRIx64, f->sym.name, f->sym.offset);
	if (f->sym.module) {
		kt_sanitize(f->sym.module, 64, mod, sizeof(mod), false);
		fprintf(fp, " [%s]", mod);
	}
}

static void print_regs(FILE *fp, const struct kt_frame *f)
{
	const struct kt_regset *r = &f->regs;
	char name[16];
	int col = 0;

	fprintf(fp, "    %s: %016" PRIx64 "  RSP: %016" PRIx64
		"  RFLAGS: %08" PRIx64 "\n", "RIP", r->r[KT_REG_RIP],
		r->r[KT_REG_RSP], r->r[KT_REG_RFLAGS]);
	for (size_t i = 0; i < sizeof(regs_layout) / sizeof(regs_layout[0]);
	     i++) {
		upper(kt_reg_names[regs_layout[i]], name, sizeof(name));
		fprintf(fp, "%s%3s: %016" PRIx64, col ? "  " : "    ", name,
			r->r[regs_layout[i]]);
		if (++col == 3) {
			fputc('\n', fp);
			col = 0;
		}
	}
	fprintf(fp, "%sORIG_RAX: %016" PRIx64 "  CS: %04" PRIx64 "  SS: %04"
		PRIx64 "\n", col ? "  " : "    ", r->r[KT_REG_ORIG_RAX],
		r->r[KT_REG_CS], r->r[KT_REG_SS]);
}

/*
 * crash's bt -f: the words from a frame's sp up to the next frame's sp,
 * i.e. the frame's locals and saved registers and the return address into
 * its caller. The last frame, or one before a stack switch, runs to the
 * top of its stack, at most MAX_FRAME_WORDS words.
 */
static size_t frame_words(struct kt_cmd_ctx *ctx, const struct kt_trace *tr,
			  size_t i, uint64_t *start, uint64_t *words)
{
	const struct kt_frame *f = &tr->frames[i];
	uint64_t end, lo, hi;
	size_t n;

	if (f->stack == KT_STACK_USER)
		return 0;
	if (i + 1 < tr->n && tr->frames[i + 1].stack == f->stack &&
	    tr->frames[i + 1].sp > f->sp)
		end = tr->frames[i + 1].sp;
	else if (kt_stack_bounds(ctx->prog, tr->task, tr->cpu, f->stack, &lo,
				 &hi) && hi > f->sp)
		end = hi;
	else
		return 0;
	n = (end - f->sp) / 8;
	if (n > MAX_FRAME_WORDS)
		n = MAX_FRAME_WORDS;
	*start = f->sp;
	for (size_t w = 0; w < n; w++) {
		if (kt_error_catch_any(kt_read_u64(ctx->prog, f->sp + 8 * w,
						   &words[w])))
			return w;
	}
	return n;
}

/*
 * What a stack word points to: "name+0xoff [module]" for a symbol, crash's
 * bt -F style "[kmalloc-512+0x190 alloc]" for anything else the ownership
 * engine knows, "" for values that are not kernel addresses.
 */
static void word_symbol(struct kt_cmd_ctx *ctx, uint64_t v, char *buf,
			size_t size)
{
	struct kt_owner o;
	enum kt_owner_kind k;
	char brief[192];

	*buf = 0;
	if (kt_error_catch_any(kt_owner_identify(ctx->prog, v, &o)) || !o.n)
		return;
	k = o.ids[0].kind;
	// Integers, user values and stray bits are data, not pointers; a
	// non-canonical value is named only when it is a known poison.
	if (k == KT_OWNER_NULL || k == KT_OWNER_USER || k == KT_OWNER_UNMAPPED ||
	    (k == KT_OWNER_NONCANONICAL && o.n == 1))
		return;
	kt_owner_format(&o, brief, sizeof(brief));
	snprintf(buf, size, k == KT_OWNER_SYMBOL ? "%s" : "[%s]", brief);
}

static void print_words(struct kt_cmd_ctx *ctx, const struct kt_trace *tr,
			size_t i, const struct bt_opts *o)
{
	uint64_t words[MAX_FRAME_WORDS], start;
	size_t n = frame_words(ctx, tr, i, &start, words);
	char sym[256];

	for (size_t w = 0; w < n; w++) {
		if (!(w % 2))
			fprintf(ctx->out, "    %016" PRIx64 ":", start + 8 * w);
		// bt -f prints numbers: name them only for -F.
		*sym = 0;
		if (o->symbolic)
			word_symbol(ctx, words[w], sym, sizeof(sym));
		if (*sym)
			fprintf(ctx->out, " %-16s", sym);
		else
			fprintf(ctx->out, " %016" PRIx64, words[w]);
		if (w % 2 || w + 1 == n)
			fputc('\n', ctx->out);
	}
}

static cJSON *words_json(struct kt_cmd_ctx *ctx, const struct kt_trace *tr,
			 size_t i)
{
	uint64_t words[MAX_FRAME_WORDS], start;
	size_t n = frame_words(ctx, tr, i, &start, words);
	cJSON *arr = cJSON_CreateArray();
	char sym[256];

	for (size_t w = 0; w < n; w++) {
		cJSON *o = cJSON_CreateObject();

		kt_json_add_addr(o, "addr", start + 8 * w);
		kt_json_add_addr(o, "value", words[w]);
		word_symbol(ctx, words[w], sym, sizeof(sym));
		if (*sym == '[') {
			sym[strlen(sym) - 1] = 0;
			cJSON_AddStringToObject(o, "owner", sym + 1);
		} else if (*sym) {
			cJSON_AddStringToObject(o, "symbol", sym);
		}
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

#define MAX_INLINE 8

static void print_position(FILE *fp, const char *file, int line)
{
	if (!file)
		return;
	kt_out_raw(fp, file, strlen(file), false);
	fprintf(fp, ": %d", line);
}

/*
 * Functions inlined at the frame's pc, innermost first, as drgn shows
 * them; with -l each with its line, and the frame's own line last.
 */
static void print_inlines(struct kt_cmd_ctx *ctx, const struct kt_frame *f,
			  bool lines)
{
	struct kt_inline in[MAX_INLINE];
	size_t n = kt_frame_functions(ctx->prog, f, in, MAX_INLINE);
	const char *file;
	int line;

	for (size_t i = 0; i + 1 < n; i++) {
		fprintf(ctx->out, "    (inlined) %s",
			in[i].function ? in[i].function : "?");
		if (lines && in[i].file) {
			fputs(" at ", ctx->out);
			print_position(ctx->out, in[i].file, in[i].line);
		}
		fputc('\n', ctx->out);
	}
	if (!lines)
		return;
	if (n) {
		file = in[n - 1].file;
		line = in[n - 1].line;
	} else if (!kt_frame_source(ctx->prog, f, &file, &line)) {
		return;
	}
	fputs("    ", ctx->out);
	print_position(ctx->out, file, line);
	fputc('\n', ctx->out);
}

static void print_vars(struct kt_cmd_ctx *ctx, const struct kt_trace *tr,
		       size_t i)
{
	struct kt_frame_var v[MAX_VARS];
	size_t n = kt_frame_variables(ctx->prog, tr, i, v, MAX_VARS);

	for (size_t k = 0; k < n; k++) {
		fprintf(ctx->out, "    %s %s", v[k].param ? "param" : "local",
			v[k].name);
		if (v[k].function && (!tr->frames[i].has_sym ||
				      strcmp(v[k].function,
					     tr->frames[i].sym.name)))
			fprintf(ctx->out, " (in %s)", v[k].function);
		if (v[k].known)
			fprintf(ctx->out, " = 0x%" PRIx64 "\n", v[k].value);
		else
			fprintf(ctx->out, " = <%s>\n", v[k].why);
	}
}

static cJSON *vars_json(struct kt_cmd_ctx *ctx, const struct kt_trace *tr,
			size_t i)
{
	struct kt_frame_var v[MAX_VARS];
	size_t n = kt_frame_variables(ctx->prog, tr, i, v, MAX_VARS);
	cJSON *arr = cJSON_CreateArray();

	for (size_t k = 0; k < n; k++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "name", v[k].name);
		if (v[k].function)
			cJSON_AddStringToObject(o, "function", v[k].function);
		cJSON_AddBoolToObject(o, "param", v[k].param);
		if (v[k].known) {
			kt_json_add_addr(o, "value", v[k].value);
		} else {
			cJSON_AddNullToObject(o, "value");
			cJSON_AddStringToObject(o, "why", v[k].why);
		}
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static void print_header(struct kt_cmd_ctx *ctx, const struct kt_task *t,
			 const struct kt_trace *tr)
{
	char comm[KT_SANITIZED_SIZE(KT_TASK_COMM_LEN)];

	kt_sanitize(t->comm, KT_TASK_COMM_LEN, comm, sizeof(comm), false);
	fprintf(ctx->out, "PID: %-7d TASK: %016" PRIx64 "  CPU: %-3d "
		"COMMAND: \"%s\"\n", t->pid, t->addr, t->cpu, comm);
	if (tr->cpu < 0 && t->active)
		fprintf(ctx->out, "    (running, but no registers were saved "
			"for CPU %d: starting from its last switch)\n", t->cpu);
}

static void print_trace(struct kt_cmd_ctx *ctx, const struct kt_task *t,
			const struct kt_trace *tr, const struct bt_opts *o)
{
	FILE *fp = ctx->out;

	print_header(ctx, t, tr);
	for (size_t i = 0; i < tr->n; i++) {
		const struct kt_frame *f = &tr->frames[i];

		if (i && f->stack != tr->frames[i - 1].stack &&
		    tr->frames[i - 1].stack != KT_STACK_TASK &&
		    tr->frames[i - 1].stack != KT_STACK_USER)
			fprintf(fp, " --- <%s stack> ---\n",
				kt_stack_kind_name(tr->frames[i - 1].stack));
		if (f->stack == KT_STACK_USER) {
			fprintf(fp, " #%zu user mode at %016" PRIx64 "\n", i,
				f->pc);
			print_regs(fp, f);
			continue;
		}
		fprintf(fp, "%s#%zu [%016" PRIx64 "] ", i < 10 ? " " : "", i,
			f->sp);
		print_sym(fp, f);
		fprintf(fp, " at %016" PRIx64 "\n", f->pc);
		print_inlines(ctx, f, o->lines);
		if (f->has_regs && f->regs_addr) {
			fprintf(fp, "    [exception RIP: ");
			print_sym(fp, f);
			fprintf(fp, "]  (pt_regs at %016" PRIx64 ")\n",
				f->regs_addr);
			print_regs(fp, f);
		} else if (f->has_regs && i == 0) {
			fprintf(fp, "    [registers saved at the crash (%s)]\n",
				tr->regs_source);
			print_regs(fp, f);
		}
		if (o->vars)
			print_vars(ctx, tr, i);
		if (o->words)
			print_words(ctx, tr, i, o);
	}
	if (!tr->complete)
		fprintf(fp, "    (unwind stopped: %s)\n", tr->stop);
}

static cJSON *regs_json(const struct kt_frame *f)
{
	cJSON *o = cJSON_CreateObject();

	for (int r = 0; r < KT_NR_REGS; r++) {
		if (f->regs.known & (1u << r))
			kt_json_add_addr(o, kt_reg_names[r], f->regs.r[r]);
	}
	return o;
}

static void add_source(cJSON *o, const char *file, int line)
{
	cJSON *src;

	if (!file) {
		cJSON_AddNullToObject(o, "source");
		return;
	}
	src = cJSON_AddObjectToObject(o, "source");
	kt_json_add_raw(src, "file", file, strlen(file));
	cJSON_AddNumberToObject(src, "line", line);
}

static void add_position(cJSON *o, const struct kt_frame *f)
{
	kt_json_add_addr(o, "pc", f->pc);
	kt_json_add_addr(o, "sp", f->sp);
	if (f->has_sym && f->sym.module)
		kt_json_add_raw(o, "module", f->sym.module, 64);
	else
		cJSON_AddNullToObject(o, "module");
}

/* drgn-style inline frames: same pc and sp, listed before their frame. */
static void add_inline_frames(cJSON *frames, const struct kt_frame *f,
			      size_t level, const struct kt_inline *in,
			      size_t n)
{
	for (size_t i = 0; i + 1 < n; i++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddNumberToObject(o, "level", level);
		cJSON_AddStringToObject(o, "function",
					in[i].function ? in[i].function : "?");
		cJSON_AddNullToObject(o, "offset");
		add_position(o, f);
		add_source(o, in[i].file, in[i].line);
		cJSON_AddBoolToObject(o, "inlined", true);
		cJSON_AddBoolToObject(o, "interrupted", f->interrupted);
		cJSON_AddItemToArray(frames, o);
	}
}

static cJSON *frame_json(struct kt_cmd_ctx *ctx, const struct kt_trace *tr,
			 size_t level, const struct bt_opts *opts,
			 cJSON *frames)
{
	const struct kt_frame *f = &tr->frames[level];
	cJSON *o = cJSON_CreateObject();
	struct kt_inline in[MAX_INLINE];
	size_t n = kt_frame_functions(ctx->prog, f, in, MAX_INLINE);
	const char *file = NULL;
	int line = 0;

	cJSON_AddNumberToObject(o, "level", level);
	if (f->has_sym) {
		cJSON_AddStringToObject(o, "function", f->sym.name);
		cJSON_AddNumberToObject(o, "offset", f->sym.offset);
	} else {
		cJSON_AddNullToObject(o, "function");
		cJSON_AddNullToObject(o, "offset");
	}
	add_position(o, f);
	add_inline_frames(frames, f, level, in, n);
	// With inline frames, this frame's position is its call site.
	if (n) {
		file = in[n - 1].file;
		line = in[n - 1].line;
	} else if (!kt_frame_source(ctx->prog, f, &file, &line)) {
		file = NULL;
	}
	add_source(o, file, line);
	cJSON_AddBoolToObject(o, "inlined", false);
	cJSON_AddBoolToObject(o, "interrupted", f->interrupted);
	if (f->has_regs && f->regs_addr)
		kt_json_add_addr(o, "pt_regs", f->regs_addr);
	if (f->has_regs)
		cJSON_AddItemToObject(o, "regs", regs_json(f));
	if (opts->words)
		cJSON_AddItemToObject(o, "words", words_json(ctx, tr, level));
	if (opts->vars)
		cJSON_AddItemToObject(o, "variables", vars_json(ctx, tr, level));
	return o;
}

static cJSON *trace_json(struct kt_cmd_ctx *ctx, const struct kt_task *t,
			 const struct kt_trace *tr, const struct bt_opts *opts)
{
	cJSON *o = cJSON_CreateObject(), *segs, *seg = NULL, *frames = NULL;

	kt_json_add_addr(o, "task", t->addr);
	cJSON_AddNumberToObject(o, "pid", t->pid);
	kt_json_add_raw(o, "comm", t->comm, KT_TASK_COMM_LEN);
	cJSON_AddNumberToObject(o, "cpu", t->cpu);
	cJSON_AddBoolToObject(o, "active", t->active);
	cJSON_AddStringToObject(o, "regs_source", tr->regs_source);
	cJSON_AddBoolToObject(o, "complete", tr->complete);
	cJSON_AddStringToObject(o, "stop", tr->stop);
	segs = cJSON_AddArrayToObject(o, "segments");
	for (size_t i = 0; i < tr->n; i++) {
		const struct kt_frame *f = &tr->frames[i];

		if (!seg || f->stack != tr->frames[i - 1].stack) {
			seg = cJSON_CreateObject();
			cJSON_AddStringToObject(seg, "kind",
						kt_stack_kind_class(f->stack));
			cJSON_AddStringToObject(seg, "stack",
						kt_stack_kind_name(f->stack));
			frames = cJSON_AddArrayToObject(seg, "frames");
			cJSON_AddItemToArray(segs, seg);
		}
		cJSON_AddItemToArray(frames, frame_json(ctx, tr, i, opts,
							frames));
	}
	return o;
}

cJSON *kt_cmd_trace_json(struct kt_cmd_ctx *ctx, const struct kt_task *t,
			 struct kt_error **err)
{
	static const struct bt_opts plain;
	struct kt_trace tr;
	cJSON *o;

	*err = kt_stack_trace(ctx->prog, t->addr, &tr);
	if (*err)
		return NULL;
	o = trace_json(ctx, t, &tr, &plain);
	kt_trace_deinit(&tr);
	return o;
}

static int bt_one(struct kt_cmd_ctx *ctx, const struct kt_task *t,
		  cJSON *doc, const struct bt_opts *o)
{
	struct kt_trace tr;
	struct kt_error *err = kt_stack_trace(ctx->prog, t->addr, &tr);

	if (err)
		return kt_cmd_fail(ctx, "bt", err);
	if (doc)
		cJSON_AddItemToArray(doc, trace_json(ctx, t, &tr, o));
	else
		print_trace(ctx, t, &tr, o);
	kt_trace_deinit(&tr);
	return 0;
}

static const struct kt_task *find_task(const struct kt_task_list *list,
				       const char *arg)
{
	char *end;
	long pid;

	errno = 0;
	pid = strtol(arg, &end, 10);
	if (!errno && !*end && pid >= 0 && pid < (1L << 30))
		return kt_task_by_pid(list, pid);
	errno = 0;
	uint64_t addr = strtoull(arg, &end, 16);

	return !errno && !*end ? kt_task_by_addr(list, addr) : NULL;
}

/* bt -a / -c: the active task of each (or one) CPU. */
static int bt_cpus(struct kt_cmd_ctx *ctx, const struct kt_task_list *list,
		   int only, cJSON *doc, const struct bt_opts *o)
{
	int ret = 0;

	for (size_t i = 0; i < list->n; i++) {
		const struct kt_task *t = &list->tasks[i];

		if (t->active && (only < 0 || t->cpu == only)) {
			ret |= bt_one(ctx, t, doc, o);
			if (!doc)
				fputc('\n', ctx->out);
		}
	}
	return ret;
}

static int panic_task(struct kt_cmd_ctx *ctx, const struct kt_task_list *list,
		      const struct kt_task **ret)
{
	struct kt_error *err;
	uint64_t task;
	int cpu;

	err = kt_task_panicked(ctx->prog, &cpu, &task);
	if (!err && !(*ret = kt_task_by_addr(list, task)))
		err = kt_error_create(KT_ERR_LOOKUP, "the task on CPU %d is "
				      "not in the task list", cpu);
	if (err)
		return kt_cmd_fail(ctx, "bt", kt_error_wrap(err,
			"give a PID, or -a"));
	return 0;
}

int kt_cmd_bt(struct kt_cmd_ctx *ctx, int argc, char **argv)
{
	const struct kt_task_list *list;
	const struct kt_task *t = NULL;
	struct bt_opts o = { 0 };
	struct kt_error *err;
	cJSON *doc = NULL;
	int c, cpu = -1, ret;
	bool all = false;

	optind = 0;
	opterr = 0;
	while ((c = getopt(argc, argv, "+ac:fFlv")) != -1) {
		if (c == 'a')
			all = true;
		else if (c == 'c')
			cpu = atoi(optarg);
		else if (c == 'f')
			o.words = true;
		else if (c == 'F')
			o.words = o.symbolic = true;
		else if (c == 'l')
			o.lines = true;
		else if (c == 'v')
			o.vars = true;
		else
			return kt_cmd_usage(ctx, "bt", BT_USAGE);
	}
	if (argc - optind > 1 || (all && cpu >= 0))
		return kt_cmd_usage(ctx, "bt", BT_USAGE);
	err = kt_tasks_load(ctx->prog, &list);
	if (err)
		return kt_cmd_fail(ctx, "bt", err);
	if (ctx->json)
		doc = cJSON_CreateArray();
	if (all || cpu >= 0) {
		ret = bt_cpus(ctx, list, cpu, doc, &o);
	} else if (optind < argc) {
		t = find_task(list, argv[optind]);
		ret = t ? bt_one(ctx, t, doc, &o) :
			  kt_cmd_fail(ctx, "bt", kt_error_create(KT_ERR_LOOKUP,
				"%s: no such PID or task", argv[optind]));
	} else {
		ret = panic_task(ctx, list, &t);
		if (!ret)
			ret = bt_one(ctx, t, doc, &o);
	}
	return doc ? kt_json_print(ctx, doc) | ret : ret;
}

int kt_cmd_foreach(struct kt_cmd_ctx *ctx, int argc, char **argv)
{
	const struct kt_task_list *list;
	struct bt_opts o = { 0 };
	struct kt_error *err;
	struct kt_files last = { 0 };
	cJSON *doc = NULL;
	bool files;
	int ret = 0;

	if (argc != 2 || (strcmp(argv[1], "bt") && strcmp(argv[1], "files")))
		return kt_cmd_usage(ctx, "foreach", "foreach bt|files");
	files = !strcmp(argv[1], "files");
	err = kt_tasks_load(ctx->prog, &list);
	if (err)
		return kt_cmd_fail(ctx, "foreach", err);
	if (ctx->json)
		doc = cJSON_CreateArray();
	for (size_t i = 0; i < list->n; i++) {
		// Long on big machines: the workbench shows how far it is
		// and may stop it between tasks.
		if (ctx->cancel && atomic_load(ctx->cancel)) {
			fprintf(ctx->err, "foreach: stopped after %zu of %zu "
				"tasks\n", i, list->n);
			cJSON_Delete(doc);
			kt_files_deinit(&last);
			return 1;
		}
		if (ctx->progress)
			ctx->progress(ctx->progress_arg, i, list->n);
		if (files)
			ret |= kt_files_one(ctx, &list->tasks[i], doc, &last);
		else
			ret |= bt_one(ctx, &list->tasks[i], doc, &o);
		if (!doc)
			fputc('\n', ctx->out);
	}
	kt_files_deinit(&last);
	return doc ? kt_json_print(ctx, doc) | ret : ret;
}
