/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ORC unwind tables: vmlinux's from its .orc_unwind_ip/.orc_unwind
 * sections, each module's read from kernel memory (mod->arch). Entries of
 * every kernel's format are normalised to struct kt_orc.
 */
#ifndef KT_CORE_ORC_H
#define KT_CORE_ORC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct kt_program;

enum kt_orc_type {
	KT_ORC_UNDEFINED,	/* no information: try something else */
	KT_ORC_END,		/* end of the stack */
	KT_ORC_CALL,		/* return address at CFA - 8 */
	KT_ORC_REGS,		/* a full pt_regs at CFA */
	KT_ORC_REGS_PARTIAL,	/* an IRET frame at CFA */
};

/*
 * Registers ORC names, as numbered before 7.1; the later numbering (AX
 * added, SP 3, PREV_SP 8...) is mapped onto these.
 */
enum kt_orc_reg {
	KT_ORC_REG_UNDEFINED = 0,
	KT_ORC_REG_PREV_SP = 1,
	KT_ORC_REG_DX = 2,
	KT_ORC_REG_DI = 3,
	KT_ORC_REG_BP = 4,
	KT_ORC_REG_SP = 5,
	KT_ORC_REG_R10 = 6,
	KT_ORC_REG_R13 = 7,
	KT_ORC_REG_BP_INDIRECT = 8,
	KT_ORC_REG_SP_INDIRECT = 9,
	KT_ORC_REG_AX = 10,	/* the later numbering's only */
};

struct kt_orc {
	int16_t sp_offset, bp_offset;
	uint8_t sp_reg, bp_reg;	/* enum kt_orc_reg */
	uint8_t type;		/* enum kt_orc_type */
	bool signal;		/* the next frame was interrupted */
};

struct kt_orc_table {
	uint64_t *ips;		/* absolute, sorted */
	struct kt_orc *entries;
	size_t n;
};

/** Free a table's arrays. */
void kt_orc_table_deinit(struct kt_orc_table *t);

/** The entry for @pc, or NULL when the table does not cover it. */
const struct kt_orc *kt_orc_find(const struct kt_orc_table *t, uint64_t pc);

/**
 * The ORC entry for @pc from vmlinux's or the containing module's table,
 * loading that table on first use. NULL when no table covers @pc.
 */
const struct kt_orc *kt_orc_lookup(struct kt_program *prog, uint64_t pc);

/** Free the tables hanging off @prog. */
void kt_orc_destroy(struct kt_program *prog);

#endif /* KT_CORE_ORC_H */
