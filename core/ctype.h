/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * C types as a user names them: finding "struct nbd_config" in vmlinux or
 * in whichever loaded module's debuginfo defines it, and spelling a DWARF
 * type the way C (and gdb, and crash) spells it: "struct list_head *",
 * "char [16]", "void (*)(struct work_struct *)".
 *
 * A Dwarf_Die carries its CU, so a type found in a module's DWARF can be
 * followed (members, targets) without remembering which file it came from.
 */
#ifndef KT_CORE_CTYPE_H
#define KT_CORE_CTYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <elfutils/libdw.h>

#include "core/error.h"

struct kt_program;

/** Longest type name or declaration ktriage spells; longer ones are cut. */
#define KT_CTYPE_NAME 256

/**
 * Find a type by its C name in vmlinux, then in each loaded module's
 * DWARF. C spellings of base types are accepted ("unsigned long" for
 * DWARF's "long unsigned int"). KT_ERR_LOOKUP names what was searched.
 * @where, if not NULL, is set to "vmlinux" or the module's name (raw bytes
 * from the dump: sanitise).
 */
struct kt_error *kt_ctype_find(struct kt_program *prog, const char *name,
			       Dwarf_Die *type, const char **where);

/**
 * A global variable's type DIE and address, in vmlinux or a module.
 * KT_ERR_LOOKUP when no debuginfo has it.
 */
struct kt_error *kt_ctype_find_variable(struct kt_program *prog,
					const char *name, Dwarf_Die *type,
					uint64_t *addr);

/**
 * Spell a declaration of @decl (NULL or "" for an abstract one, i.e. the
 * type name) with type @type, plus @indirect extra levels of pointer: "char
 * comm[16]", "void (*func)(struct work_struct *)". @type NULL is void.
 * Always terminated; returns @buf.
 */
char *kt_ctype_declare(Dwarf_Die *type, unsigned indirect, const char *decl,
		       char *buf, size_t size);

/** The C name of @type (kt_ctype_declare() without a declarator). */
char *kt_ctype_name(Dwarf_Die *type, unsigned indirect, char *buf,
		    size_t size);

/** The DIE @die's DW_AT_type refers to; false for void. */
bool kt_ctype_target(Dwarf_Die *die, Dwarf_Die *ret);

/** Normalise a C base type spelling to DWARF's ("unsigned long" ->
 * "long unsigned int"); other names are copied. */
void kt_ctype_normalize(const char *name, char *buf, size_t size);

#endif /* KT_CORE_CTYPE_H */
