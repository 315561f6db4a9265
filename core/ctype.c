// SPDX-License-Identifier: GPL-2.0-or-later
#include <dwarf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/ctype.h"
#include "core/module.h"
#include "core/program.h"

/* C spellings of base types whose DWARF names gcc writes differently. */
static const struct {
	const char *c, *dwarf;
} base_names[] = {
	{ "unsigned", "unsigned int" },
	{ "signed", "int" },
	{ "signed int", "int" },
	{ "long", "long int" },
	{ "signed long", "long int" },
	{ "unsigned long", "long unsigned int" },
	{ "unsigned long int", "long unsigned int" },
	{ "long long", "long long int" },
	{ "unsigned long long", "long long unsigned int" },
	{ "short", "short int" },
	{ "unsigned short", "short unsigned int" },
	{ "_Bool", "_Bool" },
};

void kt_ctype_normalize(const char *name, char *buf, size_t size)
{
	char tmp[KT_CTYPE_NAME];
	size_t n = 0;

	// Collapse blanks so "unsigned   long" matches.
	for (const char *p = name; *p && n < sizeof(tmp) - 1; p++) {
		if ((*p == ' ' || *p == '\t') &&
		    (!n || tmp[n - 1] == ' ' || !p[1]))
			continue;
		tmp[n++] = *p == '\t' ? ' ' : *p;
	}
	while (n && tmp[n - 1] == ' ')
		n--;
	tmp[n] = 0;
	for (size_t i = 0; i < sizeof(base_names) / sizeof(base_names[0]);
	     i++) {
		if (!strcmp(tmp, base_names[i].c)) {
			snprintf(buf, size, "%s", base_names[i].dwarf);
			return;
		}
	}
	snprintf(buf, size, "%s", tmp);
}

struct kt_error *kt_ctype_find(struct kt_program *prog, const char *name,
			       Dwarf_Die *type, const char **where)
{
	const struct kt_module_list *mods;
	char norm[KT_CTYPE_NAME];
	struct kt_error *err;

	kt_ctype_normalize(name, norm, sizeof(norm));
	if (!prog->dwarf)
		return kt_error_create(KT_ERR_NO_DWARF,
			"looking up '%s': the vmlinux has no DWARF", norm);
	err = kt_dwarf_find_type(prog->dwarf, norm, type);
	if (!err) {
		if (where)
			*where = "vmlinux";
		return NULL;
	}
	if (!kt_error_catch(&err, KT_ERR_LOOKUP))
		return err;
	// Module types (struct nbd_config) exist only in the .ko's DWARF.
	if (!kt_error_catch_any(kt_modules_load(prog, &mods))) {
		for (unsigned i = 0; i < mods->n; i++) {
			if (!mods->mods[i].dwarf)
				continue;
			err = kt_dwarf_find_type(mods->mods[i].dwarf, norm,
						 type);
			if (!err) {
				if (where)
					*where = mods->mods[i].name;
				return NULL;
			}
			if (!kt_error_catch(&err, KT_ERR_LOOKUP))
				return err;
		}
	}
	return kt_error_create(KT_ERR_LOOKUP,
			       "no type '%s' in vmlinux or modules' debuginfo",
			       norm);
}

bool kt_ctype_target(Dwarf_Die *die, Dwarf_Die *ret)
{
	Dwarf_Attribute attr;

	return dwarf_attr_integrate(die, DW_AT_type, &attr) &&
	       dwarf_formref_die(&attr, ret);
}

struct kt_error *kt_ctype_find_variable(struct kt_program *prog,
					const char *name, Dwarf_Die *type,
					uint64_t *addr)
{
	const struct kt_module_list *mods;
	struct kt_error *err = NULL;
	bool found = false;

	if (!prog->dwarf)
		return kt_error_create(KT_ERR_NO_DWARF,
			"looking up '%s': the vmlinux has no DWARF", name);
	err = kt_dwarf_variable_type(prog->dwarf, name, type);
	if (!err)
		found = true;
	else if (!kt_error_catch(&err, KT_ERR_LOOKUP))
		return err;
	if (!found && !kt_error_catch_any(kt_modules_load(prog, &mods))) {
		for (unsigned i = 0; i < mods->n && !found; i++) {
			if (!mods->mods[i].dwarf)
				continue;
			err = kt_dwarf_variable_type(mods->mods[i].dwarf, name, type);
			if (!err)
				found = true;
			else if (!kt_error_catch(&err, KT_ERR_LOOKUP))
				return err;
		}
	}
	if (!found && !kt_error_catch_any(kt_symbol_address(prog, name, addr)))
		return kt_error_create(KT_ERR_LOOKUP,
			"symbol '%s' is no variable in debuginfo (a function "
			"or an assembler symbol?); give a type: "
			"*(TYPE *)0x%lx", name, (unsigned long)*addr);
	if (!found)
		return kt_error_create(KT_ERR_LOOKUP,
			"no symbol '%s' in vmlinux or modules' debuginfo",
			name);
	// The symbol table has the relocated (KASLR, module) address.
	err = kt_symbol_address(prog, name, addr);
	return err ? kt_error_wrap(err, "variable '%s'", name) : NULL;
}

/* ---- spelling ---- */

/* snprintf whose cut is expected: names longer than the buffer are cut. */
static void __attribute__((format(printf, 3, 4)))
put(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, size, fmt, ap);
	va_end(ap);
}


static const char *tag_keyword(int tag)
{
	switch (tag) {
	case DW_TAG_structure_type:
		return "struct ";
	case DW_TAG_union_type:
		return "union ";
	case DW_TAG_enumeration_type:
		return "enum ";
	}
	return "";
}

static void join(char *out, size_t size, const char *a, const char *b)
{
	put(out, size, "%s%s%s", a, *b && *a ? " " : "", b);
}

/* A declarator that starts with '*' must be parenthesised before [] or (). */
static void wrap(const char *inner, char *out, size_t size)
{
	if (*inner == '*')
		put(out, size, "(%s)", inner);
	else
		put(out, size, "%s", inner);
}

static void declare(Dwarf_Die *type, const char *inner, char *out,
		    size_t size, int depth);

static void array_dims(Dwarf_Die *arr, char *out, size_t size)
{
	Dwarf_Die sub;
	size_t n = 0;

	*out = 0;
	if (dwarf_child(arr, &sub))
		return;
	do {
		Dwarf_Attribute attr;
		Dwarf_Word v;

		if (dwarf_tag(&sub) != DW_TAG_subrange_type || n >= size)
			continue;
		if (dwarf_attr(&sub, DW_AT_count, &attr) &&
		    !dwarf_formudata(&attr, &v))
			n += snprintf(out + n, size - n, "[%lu]",
				      (unsigned long)v);
		else if (dwarf_attr(&sub, DW_AT_upper_bound, &attr) &&
			 !dwarf_formudata(&attr, &v))
			n += snprintf(out + n, size - n, "[%lu]",
				      (unsigned long)v + 1);
		else
			n += snprintf(out + n, size - n, "[]");
	} while (dwarf_siblingof(&sub, &sub) == 0);
}

static void params(Dwarf_Die *fn, char *out, size_t size)
{
	Dwarf_Die child, t;
	size_t n = 0;
	bool any = false, prototyped = dwarf_hasattr(fn, DW_AT_prototyped);

	n += snprintf(out, size, "(");
	if (!dwarf_child(fn, &child)) {
		do {
			char p[KT_CTYPE_NAME];
			int tag = dwarf_tag(&child);

			if (n >= size)
				break;
			if (tag == DW_TAG_unspecified_parameters) {
				n += snprintf(out + n, size - n, "%s...",
					      any ? ", " : "");
				any = true;
			}
			if (tag != DW_TAG_formal_parameter)
				continue;
			declare(kt_ctype_target(&child, &t) ? &t : NULL, "",
				p, sizeof(p), 1);
			n += snprintf(out + n, size - n, "%s%s",
				      any ? ", " : "", p);
			any = true;
		} while (dwarf_siblingof(&child, &child) == 0);
	}
	if (n < size)
		put(out + n, size - n, "%s)",
			 !any && prototyped ? "void" : "");
}

static void declare(Dwarf_Die *type, const char *inner, char *out,
		    size_t size, int depth)
{
	char next[KT_CTYPE_NAME], tmp[KT_CTYPE_NAME], suffix[KT_CTYPE_NAME];
	Dwarf_Die t, *target;
	const char *name;
	int tag;

	if (!type || depth > 32) {
		join(out, size, depth > 32 ? "?" : "void", inner);
		return;
	}
	tag = dwarf_tag(type);
	target = kt_ctype_target(type, &t) ? &t : NULL;
	name = dwarf_diename(type);
	switch (tag) {
	case DW_TAG_pointer_type:
		put(next, sizeof(next), "*%s", inner);
		declare(target, next, out, size, depth + 1);
		return;
	case DW_TAG_const_type:
	case DW_TAG_volatile_type: {
		const char *q = tag == DW_TAG_const_type ? "const" : "volatile";

		// A qualified pointer: the qualifier follows the '*'.
		if (target && dwarf_tag(target) == DW_TAG_pointer_type) {
			put(next, sizeof(next), "%s%s%s", q,
				 *inner ? " " : "", inner);
			declare(target, next, out, size, depth + 1);
			return;
		}
		declare(target, inner, tmp, sizeof(tmp), depth + 1);
		// A qualified array is an array of qualified elements, which
		// say so themselves ("const char []", not "const const").
		if (target && dwarf_tag(target) == DW_TAG_array_type)
			put(out, size, "%s", tmp);
		else
			put(out, size, "%s %s", q, tmp);
		return;
	}
	case DW_TAG_array_type:
		wrap(inner, tmp, sizeof(tmp));
		array_dims(type, suffix, sizeof(suffix));
		put(next, sizeof(next), "%s%s", tmp, suffix);
		declare(target, next, out, size, depth + 1);
		return;
	case DW_TAG_subroutine_type:
		wrap(inner, tmp, sizeof(tmp));
		params(type, suffix, sizeof(suffix));
		put(next, sizeof(next), "%s%s", tmp, suffix);
		declare(target, next, out, size, depth + 1);
		return;
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
	case DW_TAG_enumeration_type:
		put(tmp, sizeof(tmp), "%s%s", tag_keyword(tag),
			 name ?: "{...}");
		join(out, size, tmp, inner);
		return;
	default:
		join(out, size, name ?: "?", inner);
	}
}

char *kt_ctype_declare(Dwarf_Die *type, unsigned indirect, const char *decl,
		       char *buf, size_t size)
{
	char inner[KT_CTYPE_NAME];
	unsigned i;

	for (i = 0; i < indirect && i < sizeof(inner) - 1; i++)
		inner[i] = '*';
	put(inner + i, sizeof(inner) - i, "%s", decl ?: "");
	declare(type, inner, buf, size, 0);
	return buf;
}

char *kt_ctype_name(Dwarf_Die *type, unsigned indirect, char *buf,
		    size_t size)
{
	return kt_ctype_declare(type, indirect, NULL, buf, size);
}
