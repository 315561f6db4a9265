/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DWARF types through libdw, looked up lazily.
 *
 * There is no start-up table. The first lookup of a name scans compilation
 * units in order until one defines it, indexing every named type and
 * variable it passes; later lookups of those names cost one hash probe.
 * Core kernel types sit in the first CUs (init/main.c includes most
 * headers), so most programs index a few CUs out of thousands.
 */
#ifndef KT_CORE_DWARF_H
#define KT_CORE_DWARF_H

#include <stdbool.h>
#include <stdint.h>

#include <elfutils/libdw.h>

#include "core/error.h"

struct kt_dwarf;

/** A member of a struct or union, as found by kt_dwarf_member(). */
struct kt_member {
	uint64_t offset;	/* bytes from the start of the outer type */
	uint64_t size;		/* bytes of the member's type */
	unsigned bit_offset;	/* for bitfields: bits past offset */
	unsigned bit_size;	/* 0 unless a bitfield */
	Dwarf_Off type;		/* DIE offset of the member's type */
};

/**
 * Open the DWARF of an ELF file (a libelf Elf * owned by the caller, which
 * must outlive the result). KT_ERR_NO_DWARF when the file has none.
 */
struct kt_error *kt_dwarf_open(void *elf, const char *path,
			       struct kt_dwarf **ret);

/** Free; NULL is accepted. */
void kt_dwarf_destroy(struct kt_dwarf *dw);

/**
 * Find a type by its C name: "struct task_struct", "union thread_union",
 * "enum pid_type", or a typedef/base type name ("atomic_t", "long int").
 * KT_ERR_LOOKUP when no CU defines it.
 */
struct kt_error *kt_dwarf_find_type(struct kt_dwarf *dw, const char *name,
				    Dwarf_Die *ret);

/** Find a global variable's DIE by name. */
struct kt_error *kt_dwarf_find_variable(struct kt_dwarf *dw, const char *name,
					Dwarf_Die *ret);

/** The type DIE of global variable @name. */
struct kt_error *kt_dwarf_variable_type(struct kt_dwarf *dw, const char *name,
					Dwarf_Die *ret);

/** The DIE at @off. */
struct kt_error *kt_dwarf_die(struct kt_dwarf *dw, Dwarf_Off off,
			      Dwarf_Die *ret);

/** Strip typedefs and qualifiers. */
struct kt_error *kt_dwarf_underlying(Dwarf_Die *type, Dwarf_Die *ret);

/** The size in bytes of a type. */
struct kt_error *kt_dwarf_type_size(Dwarf_Die *type, uint64_t *ret);

/** The value of enumerator @name of enum @type. */
struct kt_error *kt_dwarf_enumerator(Dwarf_Die *type, const char *name,
				     int64_t *ret);

/**
 * Find a member of a struct or union by a dotted path ("thread.sp"),
 * looking through anonymous struct and union members.
 */
/**
 * Index the top-level DIEs of the CU whose code holds @addr (as for
 * kt_dwarf_source(): a link-time address for vmlinux) now, ahead of the CUs before it: a type only that source file
 * defines is then found at once. The first DIE indexed for a name wins.
 */
struct kt_error *kt_dwarf_index_cu_at(struct kt_dwarf *dw, uint64_t addr);

struct kt_error *kt_dwarf_member(Dwarf_Die *type, const char *path,
				 struct kt_member *ret);

/** A section's runtime address, for placing a module's DWARF. */
struct kt_dwarf_section {
	const char *name;
	uint64_t addr;
};

/**
 * Open a module's .ko with its sections at the addresses the loaded module
 * has them (@secs, from sysfs sect_attrs), so that DWARF addresses (lines,
 * CFI) are runtime addresses. Sections not in @secs are not loaded.
 */
struct kt_error *kt_dwarf_open_module(const char *path,
				      const struct kt_dwarf_section *secs,
				      unsigned nsecs, struct kt_dwarf **ret);

/**
 * Where an address of @dw's own layout is at runtime: libdwfl lays out a
 * .ko's sections itself, so a module's DW_OP_addr (a static variable)
 * needs this; other files' addresses come back unchanged.
 */
uint64_t kt_dwarf_runtime_addr(const struct kt_dwarf *dw, uint64_t addr);

/** The GNU build-id of a file opened with kt_dwarf_open_path(), or "". */
const char *kt_dwarf_build_id(const struct kt_dwarf *dw);

/* ---- call frame information (.debug_frame) ---- */

/** DWARF's x86-64 register numbers: rax rdx rcx rbx rsi rdi rbp rsp r8-15 ra */
#define KT_CFI_NREGS 17
#define KT_CFI_RA 16

enum kt_cfi_rule_kind {
	KT_CFI_UNDEFINED,	/* not saved: unknown (callee-saved: as is) */
	KT_CFI_SAME,		/* unchanged */
	KT_CFI_AT_CFA,		/* saved at CFA + off */
	KT_CFI_IS_CFA,		/* its value is CFA + off */
	KT_CFI_REG,		/* its value is in register reg */
	KT_CFI_COMPLEX,		/* a DWARF expression ktriage does not run */
};

struct kt_cfi_rule {
	uint8_t kind;
	uint8_t reg;
	int64_t off;
};

/** How to find the caller's registers at one pc: CFA = cfa_reg + cfa_off. */
struct kt_cfi_row {
	unsigned cfa_reg;
	int64_t cfa_off;
	struct kt_cfi_rule rules[KT_CFI_NREGS];
};

/**
 * The CFI row in force at @pc (the file's own, unrelocated address).
 * KT_ERR_LOOKUP when no FDE covers it or its CFA is not register+offset.
 */
struct kt_error *kt_dwarf_cfi_row(struct kt_dwarf *dw, uint64_t pc,
				  struct kt_cfi_row *ret);

/**
 * The source file and line of @addr (the file's own address). The file
 * name is owned by @dw. KT_ERR_LOOKUP when no line table covers it.
 */
struct kt_error *kt_dwarf_source(struct kt_dwarf *dw, uint64_t addr,
				 const char **file, int *line);

/** A function inlined at a pc, with the source position in force in it. */
struct kt_inline {
	const char *function;	/* owned by the DWARF; NULL: the symbol's */
	const char *file;	/* owned by the DWARF, or NULL */
	int line;
};

/**
 * The chain of functions at @addr (the file's own address), innermost
 * first: the inlined ones, then the function that contains them, each with
 * its file and line (the innermost from the line table, the others from
 * the call site of the function inlined into them). Returns how many were
 * written into @ret (at most @max); 0 when DWARF does not cover @addr.
 */
size_t kt_dwarf_inline_chain(struct kt_dwarf *dw, uint64_t addr,
			     struct kt_inline *ret, size_t max);

/**
 * Whether the function whose code holds @addr (the file's own address) is
 * declared not to return (DW_AT_noreturn: __noreturn, do_exit()). False
 * when DWARF does not cover @addr.
 */
bool kt_dwarf_noreturn(struct kt_dwarf *dw, uint64_t addr);

/* ---- variables of a frame ---- */

#define KT_LOC_MAX_OPS 8

/** One DWARF location operation, copied out of libdw. */
struct kt_loc_op {
	uint8_t atom;
	uint64_t number, number2;
};

/** A parameter or local variable in scope at a pc, with its location. */
struct kt_dwarf_var {
	const char *name;	/* owned by the DWARF */
	const char *function;	/* the (inlined) function it belongs to */
	bool param;
	Dwarf_Off type;		/* DIE of its type */
	uint64_t size;		/* of its type; 0 if unknown */
	unsigned nops;		/* 0: optimized out at this pc */
	struct kt_loc_op ops[KT_LOC_MAX_OPS];
	bool frame_base_cfa;	/* its function's frame base is the CFA */
};

/**
 * The parameters and locals in scope at @addr (the file's own address),
 * innermost function first, with the location that applies at @addr.
 */
size_t kt_dwarf_frame_vars(struct kt_dwarf *dw, uint64_t addr,
			   struct kt_dwarf_var *ret, size_t max);

/** How many CUs have been indexed, and how many there are (if known). */
void kt_dwarf_index_stats(const struct kt_dwarf *dw, unsigned *indexed,
			  bool *complete);

#endif /* KT_CORE_DWARF_H */

/**
 * Open the DWARF of a separate debuginfo file (a module's .ko), with its
 * relocations applied. KT_ERR_NO_DWARF when it has none.
 */
struct kt_error *kt_dwarf_open_path(const char *path, struct kt_dwarf **ret);
