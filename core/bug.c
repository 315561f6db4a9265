// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bug.h"
#include "core/module.h"
#include "core/program.h"

#define MAX_ENTRIES (1u << 20)	/* a bigger table is garbage */
#define CHUNK 4096		/* entries read at a time */

/* struct bug_entry, from DWARF */
struct layout {
	uint64_t size;
	bool relative;		/* int displacements, not pointers */
	uint64_t addr_off, file_off, line_off, flags_off;
	bool has_file, has_format;
	uint64_t format_off;
};

static struct kt_error *member(struct kt_program *prog, const char *name,
			       uint64_t *off, bool *has)
{
	struct kt_error *err = kt_type_member_offset(prog, "struct bug_entry",
						     name, off);

	if (has)
		*has = !err;
	if (err && has) {
		kt_error_destroy(err);
		return NULL;
	}
	return err;
}

static struct kt_error *get_layout(struct kt_program *prog, struct layout *l)
{
	struct kt_error *err;
	bool rel;

	memset(l, 0, sizeof(*l));
	if ((err = kt_type_size(prog, "struct bug_entry", &l->size)))
		return err;
	if ((err = member(prog, "bug_addr_disp", &l->addr_off, &rel)))
		return err;
	l->relative = rel;
	if (!rel && (err = member(prog, "bug_addr", &l->addr_off, NULL)))
		return err;
	if ((err = member(prog, rel ? "file_disp" : "file", &l->file_off,
			  &l->has_file)))
		return err;
	if ((err = member(prog, rel ? "format_disp" : "format",
			  &l->format_off, &l->has_format)))
		return err;
	if ((err = member(prog, "line", &l->line_off, NULL)) ||
	    (err = member(prog, "flags", &l->flags_off, NULL)))
		return err;
	if (l->size < 8 || l->size > 64 || l->line_off + 2 > l->size ||
	    l->flags_off + 2 > l->size)
		return kt_error_create(KT_ERR_CORRUPT,
				       "struct bug_entry has an odd layout");
	return NULL;
}

static uint64_t rd(const unsigned char *p, unsigned n)
{
	uint64_t v = 0;

	memcpy(&v, p, n);	/* little-endian */
	return v;
}

/* A pointer field of the entry at @ea: relative or absolute. */
static uint64_t field_ptr(const struct layout *l, const unsigned char *e,
			  uint64_t ea, uint64_t off)
{
	if (l->relative)
		return ea + off + (uint64_t)(int64_t)(int32_t)rd(e + off, 4);
	return rd(e + off, 8);
}

/*
 * A relative string field: displacement from the field itself (the
 * generic code since 6.x: ".long file - ."), or from the entry's start
 * (older x86 asm: ".long file - 2b", 5.10). Nothing in the debuginfo says
 * which; the right one points to the start of a string literal, right
 * after the NUL that ends the one before it, and the wrong one 4 bytes off
 * into or before it.
 */
static uint64_t string_field(struct kt_program *prog, const struct layout *l,
			     const unsigned char *e, uint64_t ea, uint64_t off)
{
	uint64_t a = field_ptr(l, e, ea, off), b;
	uint8_t before;

	if (!l->relative || !off)
		return a;
	b = a - off;
	if (!kt_error_catch_any(kt_read_u8(prog, a - 1, &before)) && !before)
		return a;
	if (!kt_error_catch_any(kt_read_u8(prog, b - 1, &before)) && !before)
		return b;
	return a;
}

static void read_str(struct kt_program *prog, uint64_t addr, char *buf,
		     size_t size)
{
	struct kt_error *err;

	buf[0] = 0;
	if (!addr)
		return;
	if ((err = kt_read_cstr(prog, addr, buf, size))) {
		kt_error_destroy(err);
		buf[0] = 0;
	}
}

/* Search @n entries at @table for @addr. */
static struct kt_error *search(struct kt_program *prog, const struct layout *l,
			       uint64_t table, uint64_t n, uint64_t addr,
			       struct kt_bug *ret)
{
	unsigned char *buf;
	struct kt_error *err = NULL;

	if (n > MAX_ENTRIES)
		return kt_error_create(KT_ERR_CORRUPT,
				       "a bug table of %llu entries",
				       (unsigned long long)n);
	buf = malloc(CHUNK * l->size);
	if (!buf)
		return kt_error_create(KT_ERR_NOMEM, "bug table");
	for (uint64_t i = 0; i < n; i += CHUNK) {
		uint64_t k = n - i < CHUNK ? n - i : CHUNK;

		if ((err = kt_read(prog, table + i * l->size, buf,
				   k * l->size)))
			break;
		for (uint64_t j = 0; j < k; j++) {
			const unsigned char *e = buf + j * l->size;
			uint64_t ea = table + (i + j) * l->size;

			if (field_ptr(l, e, ea, l->addr_off) != addr)
				continue;
			ret->addr = addr;
			ret->entry = ea;
			ret->line = (unsigned)rd(e + l->line_off, 2);
			ret->flags = (unsigned)rd(e + l->flags_off, 2);
			if (l->has_file)
				read_str(prog, string_field(prog, l, e, ea,
							    l->file_off),
					 ret->file, sizeof(ret->file));
			if (l->has_format)
				read_str(prog, string_field(prog, l, e, ea,
							    l->format_off),
					 ret->format, sizeof(ret->format));
			free(buf);
			return NULL;
		}
	}
	free(buf);
	return err ? err : kt_error_create(KT_ERR_LOOKUP,
					   "no bug table entry");
}

static struct kt_error *in_module(struct kt_program *prog,
				  const struct layout *l,
				  const struct kt_module *m, uint64_t addr,
				  struct kt_bug *ret)
{
	uint64_t off_table, off_num, table;
	uint32_t n;
	struct kt_error *err;

	if ((err = kt_type_member_offset(prog, "struct module", "bug_table",
					 &off_table)) ||
	    (err = kt_type_member_offset(prog, "struct module", "num_bugs",
					 &off_num)) ||
	    (err = kt_read_u64(prog, m->addr + off_table, &table)) ||
	    (err = kt_read_u32(prog, m->addr + off_num, &n)))
		return err;
	snprintf(ret->table, sizeof(ret->table), "%s", m->name);
	return search(prog, l, table, n, addr, ret);
}

struct kt_error *kt_bug_find(struct kt_program *prog, uint64_t addr,
			     struct kt_bug *ret)
{
	const struct kt_module *m;
	struct layout l;
	uint64_t start, stop;
	struct kt_error *err;

	memset(ret, 0, sizeof(*ret));
	if ((err = get_layout(prog, &l)))
		return err;
	m = kt_module_by_addr(prog, addr);
	if (m)
		return in_module(prog, &l, m, addr, ret);
	if ((err = kt_symbol_address(prog, "__start___bug_table", &start)) ||
	    (err = kt_symbol_address(prog, "__stop___bug_table", &stop)))
		return err;
	if (stop < start || (stop - start) % l.size)
		return kt_error_create(KT_ERR_CORRUPT,
				       "__bug_table's bounds are odd");
	snprintf(ret->table, sizeof(ret->table), "vmlinux");
	return search(prog, &l, start, (stop - start) / l.size, addr, ret);
}
