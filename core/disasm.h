/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86-64 instructions decoded from dump memory, through capstone.
 *
 * Each instruction comes as text in AT&T syntax, spelled as gdb (and so
 * crash's `dis`) spells it, and as facts a fault analyzer can reason with
 * without parsing text: its memory operands (base, index, scale,
 * displacement, segment), which operand it writes, and whether it is a
 * call, jump, conditional jump or return, with the direct target.
 * Registers are the project's (enum kt_reg), whatever the width used:
 * %r8d and %r8 are both KT_REG_R8, with the size on the operand.
 *
 * Only this file talks to capstone.
 */
#ifndef KT_CORE_DISASM_H
#define KT_CORE_DISASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dwarf.h"
#include "core/error.h"

struct kt_program;
struct kt_disasm;

/** No register: an absent base or index, or one ktriage has no name for. */
#define KT_DISASM_NOREG (-1)
/** The longest x86 instruction. */
#define KT_DISASM_MAX_LEN 15
#define KT_DISASM_MAX_OPS 4

enum kt_disasm_flow {
	KT_FLOW_NONE,
	KT_FLOW_CALL,
	KT_FLOW_JMP,		/* unconditional */
	KT_FLOW_JCC,		/* conditional (jcc, jrcxz, loop) */
	KT_FLOW_RET,		/* ret, iret, sysret */
	KT_FLOW_TRAP,		/* ud2, int3, int: BUG(), WARN(), padding */
};

enum kt_disasm_op_kind {
	KT_OP_REG,
	KT_OP_IMM,
	KT_OP_MEM,
	KT_OP_OTHER,		/* an operand capstone could not classify */
};

/** A memory operand: segment:disp(base,index,scale). */
struct kt_disasm_mem {
	int segment;		/* KT_REG_FS/GS/..., or KT_DISASM_NOREG */
	int base;		/* enum kt_reg (KT_REG_RIP too), or NOREG */
	int index;		/* enum kt_reg, or NOREG */
	unsigned scale;		/* 1, 2, 4 or 8 */
	int64_t disp;
	bool rip_relative;
	uint64_t rip_addr;	/* rip_relative: the address it names */
};

struct kt_disasm_op {
	enum kt_disasm_op_kind kind;
	unsigned size;		/* bytes accessed; 0 if unknown */
	bool read, written;
	int reg;		/* KT_OP_REG: enum kt_reg, or NOREG */
	char reg_name[8];	/* KT_OP_REG: as capstone names it ("r8d") */
	int64_t imm;		/* KT_OP_IMM */
	struct kt_disasm_mem mem;	/* KT_OP_MEM */
};

struct kt_disasm_insn {
	uint64_t addr;
	unsigned len;
	uint8_t bytes[KT_DISASM_MAX_LEN];
	bool bad;		/* bytes that are no instruction: "(bad)" */
	char mnemonic[32];	/* as gdb prints it: "mov", "lock cmpxchg" */
	char operands[128];	/* AT&T, as gdb: "0x40(%rdi),%rdi" */
	enum kt_disasm_flow flow;
	bool has_target;	/* a direct call or jump */
	uint64_t target;
	/* AT&T order: sources first, the destination last */
	unsigned nops;
	struct kt_disasm_op ops[KT_DISASM_MAX_OPS];
};

/** Instructions decoded from a range of memory. */
struct kt_disasm_list {
	struct kt_disasm_insn *insns;	/* owned; free with _deinit */
	size_t n;
	/* why decoding stopped before the end (an unreadable page), or NULL;
	 * owned */
	struct kt_error *stop;
};

/** A decoder; not shared between threads. Free with kt_disasm_destroy(). */
struct kt_error *kt_disasm_create(struct kt_disasm **ret);

/** Free; NULL is accepted. */
void kt_disasm_destroy(struct kt_disasm *d);

/**
 * Decode the instruction at the start of @buf (@len bytes), located at
 * @addr. Bytes that are no instruction give one byte of "(bad)" with
 * ret->bad set, as gdb does; too few bytes give KT_ERR_CORRUPT.
 */
struct kt_error *kt_disasm_decode(struct kt_disasm *d, uint64_t addr,
				  const uint8_t *buf, size_t len,
				  struct kt_disasm_insn *ret);

/** Decode the instruction at kernel address @addr in the dump. */
struct kt_error *kt_disasm_read(struct kt_disasm *d, struct kt_program *prog,
				uint64_t addr, struct kt_disasm_insn *ret);

/**
 * Decode from @start until an instruction reaches @end (0: no end) or
 * @max instructions (0: no limit; one of the two must be set). A page
 * that cannot be read stops the list there with ->stop set; when not even
 * the first instruction can be read, that is the error instead.
 */
struct kt_error *kt_disasm_range(struct kt_disasm *d, struct kt_program *prog,
				 uint64_t start, uint64_t end, size_t max,
				 struct kt_disasm_list *ret);

void kt_disasm_list_deinit(struct kt_disasm_list *list);

/** The index of @insn's first memory operand, or -1. */
int kt_disasm_mem_op(const struct kt_disasm_insn *insn);

/** The index of the operand @insn writes (its destination), or -1. */
int kt_disasm_written_op(const struct kt_disasm_insn *insn);

/** A register's name ("rdi"), or "?" for KT_DISASM_NOREG. */
const char *kt_disasm_reg_name(int reg);

/**
 * The functions at runtime address @addr of vmlinux or a loaded module,
 * innermost (inlined) first, with file and line, as
 * kt_dwarf_inline_chain(). 0 without DWARF for it. Modules must have been
 * loaded (kt_modules_load()) to be found.
 */
size_t kt_disasm_source(struct kt_program *prog, uint64_t addr,
			struct kt_inline *ret, size_t max);

#endif /* KT_CORE_DISASM_H */
