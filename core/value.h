/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Typed values: a DWARF type at an address in the dump, as a tree of nodes
 * that batch output (`struct`, `p`) and an interactive inspector can both
 * walk. A node knows its member name, C type, offset, size and kind;
 * kt_value_describe() formats a scalar (integers, enums by name, pointers
 * with their target, function pointers with their symbol, char arrays as
 * strings) and kt_value_next_child() lists members or elements lazily, so
 * that a tree view reads only what it shows.
 *
 * Nothing here prints or allocates per node: a struct kt_value is a small
 * plain value the caller owns. Unreadable memory is a property of a node's
 * description (the fault), never an error of the walk.
 */
#ifndef KT_CORE_VALUE_H
#define KT_CORE_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <elfutils/libdw.h>

#include "core/error.h"

struct kt_program;

enum kt_value_kind {
	KT_VALUE_STRUCT,
	KT_VALUE_UNION,
	KT_VALUE_ARRAY,
	KT_VALUE_POINTER,
	KT_VALUE_FUNC_PTR,	/* a pointer to a function */
	KT_VALUE_ENUM,
	KT_VALUE_BASE,		/* integers, bool, char, floating point */
	KT_VALUE_FUNC,		/* a function itself (a symbol of code) */
	KT_VALUE_VOID,		/* void, or a type without layout */
};

/**
 * One node. @type is the declared type (typedefs kept, for its name);
 * @indirect adds levels of pointer that no DIE spells (the result of '&'
 * or of a cast to "struct foo *"). An array node of a multi-dimensional
 * array starts at subrange @dim of @type.
 */
struct kt_value {
	const char *name;	/* member name, owned by DWARF; NULL: none */
	char label[24];		/* "[3]" for an array element, else "" */
	Dwarf_Die type;
	bool has_type;		/* false: void */
	unsigned indirect;
	unsigned dim;
	enum kt_value_kind kind;
	uint64_t addr;		/* where the object is, when in_memory */
	bool in_memory;
	uint64_t raw;		/* the value of a non-memory scalar */
	uint64_t offset;	/* from the start of the outermost object */
	uint64_t size;		/* bytes; for bitfields, of the storage unit */
	unsigned bit_offset;	/* bits past addr (little-endian) */
	unsigned bit_size;	/* 0 unless a bitfield */
};

/**
 * A value of type @type (NULL: void) in the dump at @addr, with
 * @indirect extra levels of pointer.
 */
struct kt_error *kt_value_at(Dwarf_Die *type, unsigned indirect,
			     uint64_t addr, struct kt_value *ret);

/** A value not in memory (a literal, an address taken with '&'). */
struct kt_error *kt_value_rvalue(Dwarf_Die *type, unsigned indirect,
				 uint64_t raw, struct kt_value *ret);

/** The C type name of @v: "struct list_head *", "unsigned int:1". */
char *kt_value_type_name(const struct kt_value *v, char *buf, size_t size);

/** The C declaration of @v as a member: "unsigned int dead : 1". */
char *kt_value_declaration(const struct kt_value *v, char *buf, size_t size);

/** The integer (or pointer) of a scalar node, read and sign-extended. */
struct kt_error *kt_value_read_scalar(struct kt_program *prog,
				      const struct kt_value *v,
				      uint64_t *ret);

#define KT_VALUE_TEXT 512
#define KT_VALUE_OWNER 96

/** What a node shows on its line. All text is sanitised. */
struct kt_value_desc {
	bool composite;		/* struct/union/array: see its children */
	bool is_string;		/* a char array or char pointer's text */
	bool readable;		/* false: text says why (fault) */
	enum kt_fault fault;
	bool has_number;	/* number holds the scalar's bits */
	uint64_t number;
	bool is_signed;
	bool is_pointer;	/* pointer holds a target address */
	uint64_t pointer;
	char text[KT_VALUE_TEXT];	/* "42", "0xffff...", "BLK_STS_OK",
					 * "\"kworker/0:2\"" (quoted),
					 * "<page excluded from dump>" */
	char string[KT_VALUE_TEXT];	/* a string's text, unquoted */
	char symbol[KT_VALUE_OWNER];	/* a function pointer's symbol */
	char owner[KT_VALUE_OWNER];	/* kt_owner_brief() of pointer */
};

/**
 * Describe @v for display. For a composite only a fault of its first byte
 * is reported (children describe themselves). Errors only for out of
 * memory and corrupt DWARF; bad memory is a description.
 */
struct kt_error *kt_value_describe(struct kt_program *prog,
				   const struct kt_value *v,
				   struct kt_value_desc *ret);

/** Where kt_value_next_child() is; zero it to start. */
struct kt_value_iter {
	bool started, done;
	Dwarf_Die member;	/* struct/union: the current member DIE */
	uint64_t index;		/* array: the next element */
};

/**
 * The next member of a struct or union (anonymous ones as nodes with a
 * NULL name) or element of an array. False at the end, and for nodes
 * without children. Members whose DWARF is unusable are skipped.
 */
bool kt_value_next_child(const struct kt_value *v, struct kt_value_iter *it,
			 struct kt_value *ret);

/** Elements of an array node (0 for a flexible array member). */
uint64_t kt_value_array_count(const struct kt_value *v);

/** True for a char-like array element type, shown as a string. */
bool kt_value_is_char_array(const struct kt_value *v);

/* ---- what expressions do with values ---- */

/** @v.@member (through anonymous members); @v may be a pointer (->). */
struct kt_error *kt_value_member(struct kt_program *prog,
				 const struct kt_value *v, const char *member,
				 struct kt_value *ret);

/** *@v for a pointer; @v[0] for an array. */
struct kt_error *kt_value_deref(struct kt_program *prog,
				const struct kt_value *v,
				struct kt_value *ret);

/** @v[@i] for an array or a pointer. */
struct kt_error *kt_value_index(struct kt_program *prog,
				const struct kt_value *v, int64_t i,
				struct kt_value *ret);

/** &@v: a pointer rvalue; KT_ERR_INVALID when @v is not in memory. */
struct kt_error *kt_value_address_of(const struct kt_value *v,
				     struct kt_value *ret);

/** (@type with @indirect pointers)@v: a cast of a scalar or a pointer. */
struct kt_error *kt_value_cast(struct kt_program *prog,
			       const struct kt_value *v, Dwarf_Die *type,
			       unsigned indirect, struct kt_value *ret);

/** Name for output: "struct", "union", "array", "pointer"... */
const char *kt_value_kind_name(enum kt_value_kind kind);

#endif /* KT_CORE_VALUE_H */
