// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dis: crash's disassembler command. `dis SYM` is the whole function,
 * `dis ADDR COUNT` COUNT instructions, `-r` the function up to ADDR;
 * `-l` adds source lines, `-s` the source text where the file is found.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "app/commands.h"
#include "core/disasm.h"
#include "core/lines.h"
#include "core/module.h"
#include "core/program.h"
#include "core/sanitize.h"

#define DIS_USAGE "dis [-l] [-r] [-s] SYM|ADDR [COUNT]"
#define MAX_INLINE 8
#define MAX_COUNT 100000

struct dis_opts {
	bool lines;	/* -l: file: line before each change */
	bool reverse;	/* -r: from the function start up to ADDR */
	bool source;	/* -s: the source text too */
};

/* Where the last -l line was, to print only changes. */
struct dis_pos {
	const char *file, *function;
	int line;
};

static bool parse_u64(const char *s, int base, uint64_t *ret)
{
	char *end;

	errno = 0;
	*ret = strtoull(s, &end, base);
	return !errno && *s && !*end;
}

/*
 * SYM, SYM+OFF (decimal, or hex with 0x, as crash prints them) or a hex
 * address; *is_sym says the argument named a symbol's start.
 */
static struct kt_error *resolve(struct kt_program *prog, const char *arg,
				uint64_t *addr, bool *is_sym)
{
	char name[256], *plus;
	uint64_t off = 0;

	*is_sym = false;
	snprintf(name, sizeof(name), "%s", arg);
	plus = strchr(name, '+');
	if (plus) {
		*plus++ = 0;
		if (!parse_u64(plus, 0, &off))
			return kt_error_create(KT_ERR_INVALID,
					       "%s: bad offset", arg);
	}
	if (!kt_error_catch_any(kt_symbol_address(prog, name, addr))) {
		*addr += off;
		*is_sym = !plus;
		return NULL;
	}
	if (plus || !parse_u64(arg, 16, addr))
		return kt_error_create(KT_ERR_LOOKUP, "%s: no such symbol",
				       arg);
	if (*addr >> 47 && ~*addr >> 47)
		return kt_error_create(KT_ERR_INVALID,
				       "0x%016" PRIx64 ": non-canonical address",
				       *addr);
	return NULL;
}

/* "<name+off>", or "" */
static void sym_tag(struct kt_program *prog, uint64_t addr, char *buf,
		    size_t size)
{
	char name[256];

	kt_out_symbol_dec(prog, addr, name, sizeof(name));
	*buf = 0;
	if (*name)
		snprintf(buf, size, "<%s>", name);
}

static bool ftrace_nop(struct kt_program *prog,
		       const struct kt_disasm_insn *in)
{
	static const uint8_t nop5[] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
	struct kt_symbol_hit h;

	return in->len == 5 && !memcmp(in->bytes, nop5, 5) &&
	       kt_symbol_lookup(prog, in->addr, &h) && !h.offset;
}

/* What follows the operands: a target's or a RIP-relative symbol. */
static void annotation(struct kt_program *prog,
		       const struct kt_disasm_insn *in, char *buf,
		       size_t size)
{
	char tag[512];
	int m;

	*buf = 0;
	if (in->has_target) {
		sym_tag(prog, in->target, tag, sizeof(tag));
		if (*tag)
			snprintf(buf, size, " %s", tag);
	} else if ((m = kt_disasm_mem_op(in)) >= 0 &&
		   in->ops[m].mem.rip_relative) {
		sym_tag(prog, in->ops[m].mem.rip_addr, tag, sizeof(tag));
		snprintf(buf, size, "        # 0x%" PRIx64 "%s%s",
			 in->ops[m].mem.rip_addr, *tag ? " " : "", tag);
	}
	if (ftrace_nop(prog, in))
		snprintf(buf, size, " [FTRACE NOP]");
}

/*
 * A module's DW_AT_name may hold runs of slashes
 * ("/usr/src/ktscen/////ktscen.c"): one is enough to read.
 */
static void clean_path(const char *in, char *buf, size_t size)
{
	size_t n = 0;

	for (; *in && n + 1 < size; in++)
		if (*in != '/' || !n || buf[n - 1] != '/')
			buf[n++] = *in;
	buf[n] = 0;
}

/* The debuginfo names the file: it may be anything, even /dev/zero. */
#define SOURCE_MAX_LINE 4096
#define SOURCE_MAX_SIZE (64u << 20)

static void print_source_text(FILE *fp, const char *file, int line)
{
	FILE *src = fopen(file, "r");
	struct kt_lines lines;
	struct kt_error *err;
	size_t len;
	char *text;

	if (!src) {
		fprintf(fp, "    (source not found)\n");
		return;
	}
	kt_lines_init(&lines, src, file, SOURCE_MAX_LINE, SOURCE_MAX_SIZE);
	for (;;) {
		err = kt_lines_next(&lines, &text, &len);
		// A bad line before ours does not move ours: go on.
		if (lines.lineno < (unsigned long)line && kt_error_catch_any(err))
			continue;
		if (err) {
			fprintf(fp, "%6d  (", line);
			kt_out_raw(fp, err->message, strlen(err->message), false);
			fputs(")\n", fp);
			kt_error_destroy(err);
		} else if (text && lines.lineno == (unsigned long)line) {
			fprintf(fp, "%6d  ", line);
			kt_out_raw(fp, text, len, false);
			fputc('\n', fp);
		} else if (text) {
			continue;
		}
		break;
	}
	kt_lines_deinit(&lines);
	fclose(src);
}

static void print_lines(struct kt_cmd_ctx *ctx, const struct dis_opts *o,
			uint64_t addr, struct dis_pos *pos)
{
	struct kt_inline in[MAX_INLINE];
	size_t n = kt_disasm_source(ctx->prog, addr, in, MAX_INLINE);
	char path[512];

	if (!n || !in[0].file)
		return;
	if (pos->file == in[0].file && pos->line == in[0].line &&
	    pos->function == in[0].function)
		return;
	*pos = (struct dis_pos){ in[0].file, in[0].function, in[0].line };
	clean_path(in[0].file, path, sizeof(path));
	kt_out_raw(ctx->out, path, strlen(path), false);
	fprintf(ctx->out, ": %d", in[0].line);
	for (size_t i = 0; i + 1 < n; i++)
		fprintf(ctx->out, "%s%s", i ? " <- " : "  [inlined: ",
			in[i].function ? in[i].function : "?");
	fprintf(ctx->out, "%s\n", n > 1 ? "]" : "");
	if (o->source)
		print_source_text(ctx->out, path, in[0].line);
}

static void print_insn(struct kt_cmd_ctx *ctx, const struct kt_disasm_insn *in)
{
	char tag[512], note[600];

	sym_tag(ctx->prog, in->addr, tag, sizeof(tag));
	annotation(ctx->prog, in, note, sizeof(note));
	fprintf(ctx->out, "0x%016" PRIx64 " %s:\t", in->addr, tag);
	if (*in->operands)
		fprintf(ctx->out, "%-6s %s%s\n", in->mnemonic, in->operands,
			note);
	else
		fprintf(ctx->out, "%s%s\n", in->mnemonic, note);
}

static const char *const flow_names[] = {
	[KT_FLOW_NONE] = "none", [KT_FLOW_CALL] = "call",
	[KT_FLOW_JMP] = "jmp",	 [KT_FLOW_JCC] = "jcc",
	[KT_FLOW_RET] = "ret",	 [KT_FLOW_TRAP] = "trap",
};

static cJSON *mem_json(struct kt_program *prog, const struct kt_disasm_mem *m)
{
	cJSON *o = cJSON_CreateObject();
	char tag[512];

	if (m->segment != KT_DISASM_NOREG)
		cJSON_AddStringToObject(o, "segment",
					kt_disasm_reg_name(m->segment));
	if (m->base != KT_DISASM_NOREG)
		cJSON_AddStringToObject(o, "base", kt_disasm_reg_name(m->base));
	if (m->index != KT_DISASM_NOREG) {
		cJSON_AddStringToObject(o, "index",
					kt_disasm_reg_name(m->index));
		cJSON_AddNumberToObject(o, "scale", m->scale);
	}
	cJSON_AddNumberToObject(o, "disp", (double)m->disp);
	if (m->rip_relative) {
		kt_json_add_addr(o, "address", m->rip_addr);
		kt_out_symbol_dec(prog, m->rip_addr, tag, sizeof(tag));
		if (*tag)
			cJSON_AddStringToObject(o, "symbol", tag);
	}
	return o;
}

static void source_json(struct kt_program *prog, cJSON *o, uint64_t addr)
{
	struct kt_inline in[MAX_INLINE];
	size_t n = kt_disasm_source(prog, addr, in, MAX_INLINE);
	cJSON *inl;
	char path[512];

	if (!n || !in[0].file)
		return;
	clean_path(in[0].file, path, sizeof(path));
	kt_json_add_raw(o, "file", path, strlen(path));
	cJSON_AddNumberToObject(o, "line", in[0].line);
	if (n < 2)
		return;
	inl = cJSON_AddArrayToObject(o, "inlined");
	for (size_t i = 0; i + 1 < n; i++)
		cJSON_AddItemToArray(inl, cJSON_CreateString(
				in[i].function ? in[i].function : "?"));
}

static cJSON *insn_json(struct kt_cmd_ctx *ctx, const struct dis_opts *o,
			const struct kt_disasm_insn *in)
{
	cJSON *j = cJSON_CreateObject(), *mems;
	char tag[512], bytes[3 * KT_DISASM_MAX_LEN + 1] = "";
	int w;

	kt_json_add_addr(j, "address", in->addr);
	kt_out_symbol_dec(ctx->prog, in->addr, tag, sizeof(tag));
	cJSON_AddStringToObject(j, "symbol", tag);
	for (unsigned i = 0; i < in->len; i++)
		snprintf(bytes + strlen(bytes), 4, "%s%02x", i ? " " : "",
			 in->bytes[i]);
	cJSON_AddStringToObject(j, "bytes", bytes);
	cJSON_AddStringToObject(j, "mnemonic", in->mnemonic);
	cJSON_AddStringToObject(j, "operands", in->operands);
	cJSON_AddStringToObject(j, "flow", flow_names[in->flow]);
	if (in->has_target) {
		kt_json_add_addr(j, "target", in->target);
		kt_out_symbol_dec(ctx->prog, in->target, tag, sizeof(tag));
		cJSON_AddStringToObject(j, "target_symbol", tag);
	}
	mems = cJSON_AddArrayToObject(j, "memory");
	for (unsigned i = 0; i < in->nops; i++)
		if (in->ops[i].kind == KT_OP_MEM)
			cJSON_AddItemToArray(mems,
					     mem_json(ctx->prog, &in->ops[i].mem));
	w = kt_disasm_written_op(in);
	if (w >= 0 && in->ops[w].kind == KT_OP_REG)
		cJSON_AddStringToObject(j, "writes", in->ops[w].reg_name);
	else if (w >= 0 && in->ops[w].kind == KT_OP_MEM)
		cJSON_AddStringToObject(j, "writes", "memory");
	if (o->lines || o->source)
		source_json(ctx->prog, j, in->addr);
	return j;
}

/* Which instructions the arguments name: [start, end) or count. */
static struct kt_error *select_range(struct kt_cmd_ctx *ctx,
				     const struct dis_opts *o, const char *arg,
				     const char *count_arg, uint64_t *start,
				     uint64_t *end, size_t *count)
{
	struct kt_symbol_hit h;
	uint64_t addr, count64 = 0;
	bool is_sym, have_sym;
	struct kt_error *err;

	err = resolve(ctx->prog, arg, &addr, &is_sym);
	if (err)
		return err;
	if (count_arg && (!parse_u64(count_arg, 0, &count64) || !count64 ||
			  count64 > MAX_COUNT))
		return kt_error_create(KT_ERR_INVALID,
				       "%s: count must be 1 to %d", count_arg,
				       MAX_COUNT);
	have_sym = kt_symbol_lookup(ctx->prog, addr, &h);
	*start = addr;
	*end = 0;
	*count = count64 ? count64 : 1;
	if (o->reverse) {
		if (!have_sym)
			return kt_error_create(KT_ERR_LOOKUP,
					       "0x%016" PRIx64 ": no function contains it",
					       addr);
		// Up to and including the instruction at ADDR.
		*start = h.addr;
		*end = addr + 1;
		*count = 0;
	} else if (is_sym && !count64 && have_sym && h.size) {
		*end = h.addr + h.size;
		*count = 0;
	}
	return NULL;
}

static int run(struct kt_cmd_ctx *ctx, const struct dis_opts *o,
	       const char *arg, const char *count_arg)
{
	struct kt_disasm_list list = { 0 };
	struct dis_pos pos = { 0 };
	struct kt_disasm *d = NULL;
	uint64_t start = 0, end = 0;
	struct kt_error *err;
	cJSON *doc = NULL, *arr = NULL;
	size_t count = 0;

	err = select_range(ctx, o, arg, count_arg, &start, &end, &count);
	if (!err)
		err = kt_disasm_create(&d);
	if (!err)
		err = kt_disasm_range(d, ctx->prog, start, end, count, &list);
	kt_disasm_destroy(d);
	if (err)
		return kt_cmd_fail(ctx, "dis", err);
	if (ctx->json) {
		doc = cJSON_CreateObject();
		cJSON_AddStringToObject(doc, "command", "dis");
		kt_json_add_addr(doc, "start", start);
		arr = cJSON_AddArrayToObject(doc, "instructions");
	}
	for (size_t i = 0; i < list.n; i++) {
		if (o->reverse && list.insns[i].addr >= end)
			break;
		if (doc) {
			cJSON_AddItemToArray(arr, insn_json(ctx, o, &list.insns[i]));
			continue;
		}
		if (o->lines || o->source)
			print_lines(ctx, o, list.insns[i].addr, &pos);
		print_insn(ctx, &list.insns[i]);
	}
	if (list.stop && doc)
		kt_json_add_raw(doc, "stopped", list.stop->message,
				strlen(list.stop->message));
	else if (list.stop) {
		fprintf(ctx->out, "  <");
		kt_out_raw(ctx->out, list.stop->message,
			   strlen(list.stop->message), false);
		fprintf(ctx->out, ">\n");
	}
	kt_disasm_list_deinit(&list);
	return doc ? kt_json_print(ctx, doc) : 0;
}

int kt_cmd_dis(struct kt_cmd_ctx *ctx, int argc, char **argv)
{
	const struct kt_module_list *mods;
	struct dis_opts o = { 0 };
	int c;

	optind = 0;
	while ((c = getopt(argc, argv, "+lrs")) != -1) {
		switch (c) {
		case 'l':
			o.lines = true;
			break;
		case 'r':
			o.reverse = true;
			break;
		case 's':
			o.source = true;
			break;
		default:
			return kt_cmd_usage(ctx, "dis", DIS_USAGE);
		}
	}
	if (optind >= argc || argc - optind > 2 ||
	    (o.reverse && argc - optind > 1))
		return kt_cmd_usage(ctx, "dis", DIS_USAGE);
	// Module functions and their DWARF; vmlinux works without.
	kt_error_destroy(kt_modules_load(ctx->prog, &mods));
	return run(ctx, &o, argv[optind],
		   argc - optind > 1 ? argv[optind + 1] : NULL);
}
