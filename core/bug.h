/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's bug table: where BUG(), BUG_ON() and WARN() trap.
 *
 * Each BUG()/WARN() site is a trapping instruction (ud2 on x86) with an
 * entry in __bug_table (vmlinux) or a module's bug_table: the trap's
 * address, the source file and line, and flags (BUGFLAG_WARNING for a
 * WARN). Entries are relative (int displacements from the field itself,
 * CONFIG_GENERIC_BUG_RELATIVE_POINTERS) or absolute pointers; the layout,
 * and whether it holds a WARN format string (7.x), comes from DWARF.
 */
#ifndef KT_CORE_BUG_H
#define KT_CORE_BUG_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

struct kt_program;

/* include/asm-generic/bug.h: unchanged since the flags were introduced */
#define KT_BUGFLAG_WARNING 0x1
#define KT_BUGFLAG_ONCE 0x2
#define KT_BUGFLAG_DONE 0x4

struct kt_bug {
	uint64_t addr;		/* the trapping instruction */
	uint64_t entry;		/* its struct bug_entry */
	char file[256];		/* raw bytes from the dump: sanitise; "" if none */
	unsigned line;
	unsigned flags;
	char format[160];	/* a WARN's format string, where kept; or "" */
	char table[64];		/* "vmlinux" or the module's name (raw) */
};

/**
 * The bug table entry of the trap at @addr. KT_ERR_LOOKUP when @addr is
 * no BUG()/WARN() site; KT_ERR_LOOKUP also when the kernel has no bug
 * table (no struct bug_entry in its DWARF).
 */
struct kt_error *kt_bug_find(struct kt_program *prog, uint64_t addr,
			     struct kt_bug *ret);

/** True when @b is a WARN() (else a BUG()). */
static inline bool kt_bug_is_warning(const struct kt_bug *b)
{
	return b->flags & KT_BUGFLAG_WARNING;
}

#endif /* KT_CORE_BUG_H */
