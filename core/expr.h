/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The C expressions of crash's and gdb's `p`: a global variable of
 * vmlinux or a module, integer literals, unary '*' and '&', '->', '.',
 * '[i]', parentheses and casts to a type name ("(struct request *)0x...").
 * "struct T ADDR" (crash's form) is the object of type T at ADDR.
 *
 * Nothing is evaluated eagerly: the result is a struct kt_value node that
 * the caller describes or walks. No arithmetic: triage needs navigation.
 */
#ifndef KT_CORE_EXPR_H
#define KT_CORE_EXPR_H

#include <stdbool.h>

#include <elfutils/libdw.h>

#include "core/error.h"
#include "core/value.h"

struct kt_program;

/**
 * Evaluate @text. Syntax errors are KT_ERR_INVALID with the position;
 * unknown names KT_ERR_LOOKUP; a pointer that cannot be read KT_ERR_FAULT.
 */
struct kt_error *kt_expr_eval(struct kt_program *prog, const char *text,
			      struct kt_value *ret);

/** A parsed type name: "struct list_head **" is the DIE plus 2. */
struct kt_type_ref {
	Dwarf_Die type;
	bool has_type;		/* false: void */
	unsigned indirect;
};

/**
 * Parse a whole type name such as "struct task_struct", "unsigned long",
 * "atomic_t *" (vmlinux, then modules' DWARF).
 */
struct kt_error *kt_expr_parse_type(struct kt_program *prog, const char *text,
				    struct kt_type_ref *ret);

#endif /* KT_CORE_EXPR_H */
