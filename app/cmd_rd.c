// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rd: crash's memory reader. Words in hex with an ASCII column, or as
 * symbols (-s), or as what owns them (-S); physical memory with -p; a
 * string with -a. A page that cannot be read is a line saying why, and
 * reading goes on at the next page.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "app/commands.h"
#include "core/module.h"
#include "core/owner.h"
#include "core/program.h"
#include "core/sanitize.h"

#define RD_USAGE "rd [-8|-16|-32|-64] [-s|-S] [-p] [-a] [-x|-d] ADDR|SYM [COUNT]"
#define PAGE_SIZE 4096ULL
#define LINE_BYTES 16
#define MAX_COUNT (1U << 20)
/* -a without COUNT: crash reads to the NUL; a corrupt string stops here. */
#define MAX_STRING 4096
#define STRING_LINE 60

struct rd_opts {
	unsigned size;		/* bytes per unit */
	bool symbols;		/* -s */
	bool owners;		/* -S */
	bool phys;		/* -p */
	bool ascii;		/* -a */
	bool decimal;		/* -d */
};

struct rd_line {
	uint64_t addr;
	unsigned n;		/* units in it so far */
	uint8_t bytes[LINE_BYTES];
};

static bool parse_u64(const char *s, int base, uint64_t *ret)
{
	char *end;

	errno = 0;
	*ret = strtoull(s, &end, base);
	return !errno && *s && !*end;
}

static struct kt_error *read_mem(struct kt_cmd_ctx *ctx,
				 const struct rd_opts *o, uint64_t addr,
				 void *buf, size_t size)
{
	return kt_dump_read(ctx->prog->dump, addr, o->phys, buf, size);
}

/*
 * What -S shows for a word: its symbol, else its owner in brackets.
 * A "user" owner is nearly always an integer on a kernel stack or in a
 * kernel object, so it stays a number.
 */
static void word_owner(struct kt_cmd_ctx *ctx, uint64_t v, char *buf,
		       size_t size)
{
	char brief[128];

	kt_out_symbol_dec(ctx->prog, v, buf, size);
	if (*buf)
		return;
	kt_owner_brief(ctx->prog, v, brief, sizeof(brief));
	if (*brief && strcmp(brief, "user"))
		snprintf(buf, size, "[%s]", brief);
}

static uint64_t unit_value(const uint8_t *p, unsigned size)
{
	uint64_t v = 0;

	memcpy(&v, p, size);
	return v;
}

static int64_t unit_signed(const uint8_t *p, unsigned size)
{
	uint64_t v = unit_value(p, size);
	unsigned shift = 64 - 8 * size;

	return (int64_t)(v << shift) >> shift;
}

static void print_addr(struct kt_cmd_ctx *ctx, const struct rd_opts *o,
		       uint64_t addr)
{
	// crash right-aligns physical addresses.
	if (o->phys)
		fprintf(ctx->out, "%16" PRIx64 ":  ", addr);
	else
		fprintf(ctx->out, "%016" PRIx64 ":  ", addr);
}

static void print_unit(struct kt_cmd_ctx *ctx, const struct rd_opts *o,
		       const uint8_t *p)
{
	char sym[256];
	uint64_t v = unit_value(p, o->size);

	*sym = 0;
	if (o->owners)
		word_owner(ctx, v, sym, sizeof(sym));
	else if (o->symbols)
		kt_out_symbol_dec(ctx->prog, v, sym, sizeof(sym));
	if (*sym)
		fprintf(ctx->out, "%-16s ", sym);
	else if (o->decimal)
		fprintf(ctx->out, "%*" PRId64 " ", o->size == 8 ? 16 : 11,
			unit_signed(p, o->size));
	else
		fprintf(ctx->out, "%0*" PRIx64 " ", 2 * o->size, v);
}

static void flush_line(struct kt_cmd_ctx *ctx, const struct rd_opts *o,
		       struct rd_line *l)
{
	unsigned per_line = LINE_BYTES / o->size;

	if (!l->n)
		return;
	print_addr(ctx, o, l->addr);
	for (unsigned i = 0; i < l->n; i++)
		print_unit(ctx, o, l->bytes + i * o->size);
	if (o->symbols || o->owners || o->decimal) {
		fputc('\n', ctx->out);
		l->n = 0;
		return;
	}
	// The ASCII column is printable ASCII or '.': safe as it is.
	fprintf(ctx->out, "%*s  ", (per_line - l->n) * (2 * o->size + 1), "");
	for (unsigned i = 0; i < l->n * o->size; i++)
		fputc(l->bytes[i] >= 0x20 && l->bytes[i] < 0x7f ? l->bytes[i]
								: '.',
		      ctx->out);
	fputc('\n', ctx->out);
	l->n = 0;
}

static const char *fault_reason(const struct kt_error *err)
{
	return err->code == KT_ERR_FAULT ? kt_fault_str(err->fault)
					 : err->message;
}

static void print_fault(struct kt_cmd_ctx *ctx, const struct rd_opts *o,
			uint64_t addr, const struct kt_error *err)
{
	const char *why = fault_reason(err);

	print_addr(ctx, o, addr);
	fputc('<', ctx->out);
	kt_out_raw(ctx->out, why, strlen(why), false);
	fprintf(ctx->out, ">\n");
}

static cJSON *unit_json(struct kt_cmd_ctx *ctx, const struct rd_opts *o,
			uint64_t addr, const uint8_t *p)
{
	cJSON *j = cJSON_CreateObject();
	uint64_t v = unit_value(p, o->size);
	char sym[256];

	kt_json_add_addr(j, "address", addr);
	if (o->decimal)
		cJSON_AddNumberToObject(j, "value", (double)unit_signed(p, o->size));
	else
		kt_json_add_addr(j, "value", v);
	if (o->size == 8) {
		kt_out_symbol_dec(ctx->prog, v, sym, sizeof(sym));
		if (*sym)
			cJSON_AddStringToObject(j, "symbol", sym);
		if (o->owners) {
			kt_owner_brief(ctx->prog, v, sym, sizeof(sym));
			if (*sym)
				cJSON_AddStringToObject(j, "owner", sym);
		}
	}
	return j;
}

static cJSON *fault_json(uint64_t addr, uint64_t units,
			 const struct kt_error *err)
{
	cJSON *j = cJSON_CreateObject();
	const char *why = fault_reason(err);

	kt_json_add_addr(j, "address", addr);
	cJSON_AddNumberToObject(j, "units", (double)units);
	kt_json_add_raw(j, "reason", why, strlen(why));
	return j;
}

static void read_units(struct kt_cmd_ctx *ctx, const struct rd_opts *o,
		       uint64_t addr, uint64_t count, cJSON *doc)
{
	cJSON *words = NULL, *faults = NULL;
	struct rd_line line = { 0 };
	uint8_t buf[8];

	if (doc) {
		words = cJSON_AddArrayToObject(doc, "words");
		faults = cJSON_AddArrayToObject(doc, "faults");
	}
	for (uint64_t i = 0; i < count;) {
		uint64_t a = addr + i * o->size, skip;
		struct kt_error *err = read_mem(ctx, o, a, buf, o->size);

		if (err) {
			// The rest of the page is as unreadable: say it once.
			skip = (PAGE_SIZE - (a & (PAGE_SIZE - 1)) + o->size - 1) /
			       o->size;
			if (skip > count - i)
				skip = count - i;
			if (doc) {
				cJSON_AddItemToArray(faults,
						     fault_json(a, skip, err));
			} else {
				flush_line(ctx, o, &line);
				print_fault(ctx, o, a, err);
			}
			kt_error_destroy(err);
			i += skip;
			continue;
		}
		if (doc) {
			cJSON_AddItemToArray(words, unit_json(ctx, o, a, buf));
		} else {
			if (!line.n)
				line.addr = a;
			memcpy(line.bytes + line.n * o->size, buf, o->size);
			if (++line.n == LINE_BYTES / o->size)
				flush_line(ctx, o, &line);
		}
		i++;
	}
	if (!doc)
		flush_line(ctx, o, &line);
}

/* -a: the string at @addr, crash's 60 characters a line. */
static void read_string(struct kt_cmd_ctx *ctx, const struct rd_opts *o,
			uint64_t addr, uint64_t max, cJSON *doc)
{
	char *s = malloc(max + 1);
	struct kt_error *err = NULL;
	size_t n = 0;

	if (!s)
		return;
	while (n < max) {
		uint64_t a = addr + n;
		size_t chunk = PAGE_SIZE - (a & (PAGE_SIZE - 1));

		if (chunk > max - n)
			chunk = max - n;
		err = read_mem(ctx, o, a, s + n, chunk);
		if (err)
			break;
		if (memchr(s + n, 0, chunk)) {
			n += strnlen(s + n, chunk);
			break;
		}
		n += chunk;
	}
	s[n] = 0;
	if (doc) {
		kt_json_add_raw(doc, "string", s, n);
		if (err)
			cJSON_AddItemToObject(doc, "fault",
					      fault_json(addr + n, 0, err));
	} else {
		for (size_t i = 0; i < n; i += STRING_LINE) {
			size_t len = n - i < STRING_LINE ? n - i : STRING_LINE;

			print_addr(ctx, o, addr + i);
			kt_out_raw(ctx->out, s + i, len, true);
			if (s[i + len - 1] != '\n')
				fputc('\n', ctx->out);
		}
		if (err)
			print_fault(ctx, o, addr + n, err);
	}
	kt_error_destroy(err);
	free(s);
}

/* Options as crash spells them: -8 -16 -32 -64 and letters. */
static int parse_opts(int argc, char **argv, struct rd_opts *o)
{
	int i;

	*o = (struct rd_opts){ .size = 8 };
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *a = argv[i] + 1;

		if (!strcmp(a, "8") || !strcmp(a, "16") || !strcmp(a, "32") ||
		    !strcmp(a, "64")) {
			o->size = atoi(a) / 8;
			continue;
		}
		for (; *a; a++) {
			switch (*a) {
			case 's': o->symbols = true; break;
			case 'S': o->owners = true; break;
			case 'p': o->phys = true; break;
			case 'a': o->ascii = true; break;
			case 'd': o->decimal = true; break;
			case 'x': o->decimal = false; break;
			default: return -1;
			}
		}
	}
	// Symbols and owners are of 64-bit words, as in crash.
	if (o->symbols || o->owners)
		o->size = 8;
	return i;
}

static struct kt_error *resolve(struct kt_cmd_ctx *ctx, const struct rd_opts *o,
				const char *arg, uint64_t *ret)
{
	if (!o->phys &&
	    !kt_error_catch_any(kt_symbol_address(ctx->prog, arg, ret)))
		return NULL;
	if (!parse_u64(arg, 16, ret))
		return kt_error_create(KT_ERR_LOOKUP, "%s: no such symbol",
				       arg);
	return NULL;
}

int kt_cmd_rd(struct kt_cmd_ctx *ctx, int argc, char **argv)
{
	const struct kt_module_list *mods;
	struct rd_opts o;
	uint64_t addr, count;
	struct kt_error *err;
	cJSON *doc = NULL;
	int i = parse_opts(argc, argv, &o);

	if (i < 0 || i >= argc || argc - i > 2)
		return kt_cmd_usage(ctx, "rd", RD_USAGE);
	kt_error_destroy(kt_modules_load(ctx->prog, &mods));
	err = resolve(ctx, &o, argv[i], &addr);
	if (err)
		return kt_cmd_fail(ctx, "rd", err);
	count = o.ascii ? MAX_STRING : 1;
	if (argc - i == 2 && (!parse_u64(argv[i + 1], 0, &count) || !count ||
			      count > MAX_COUNT))
		return kt_cmd_fail(ctx, "rd", kt_error_create(KT_ERR_INVALID,
				   "%s: count must be 1 to %u", argv[i + 1],
				   MAX_COUNT));
	if (ctx->json) {
		doc = cJSON_CreateObject();
		cJSON_AddStringToObject(doc, "command", "rd");
		kt_json_add_addr(doc, "address", addr);
		cJSON_AddBoolToObject(doc, "physical", o.phys);
		cJSON_AddNumberToObject(doc, "size", o.size);
	}
	if (o.ascii)
		read_string(ctx, &o, addr, count, doc);
	else
		read_units(ctx, &o, addr, count, doc);
	return doc ? kt_json_print(ctx, doc) : 0;
}
