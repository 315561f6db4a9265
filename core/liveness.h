/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Is a value a frame holds still live: will the code use it again?
 *
 * DWARF location lists say where a variable's value is, not whether the
 * program still needs it: GCC keeps a variable's location valid for as
 * long as its register or stack slot is not reused, long after the last
 * use (a pointer passed to kfree() stays "in" rbx until rbx is written).
 * The machine code tells: from the frame's pc (the return address, or the
 * interrupted instruction) the paths through the function are followed,
 * and the value is live when some path reads the register or the stack
 * slot before writing it.
 *
 * A may-analysis over decoded instructions (core/disasm.h): conditional
 * branches both ways, direct jumps within the function and its .cold
 * parts, calls stepped over (the callee keeps rbx, rbp and r12-r15; it
 * may take rdi, rsi, rdx, rcx, r8 and r9 as arguments and clobbers the
 * rest), an indirect call through a retpoline thunk read as a use of the
 * thunk's register. A return, a tail call and a trap end a path. The stack
 * pointer is followed through push, pop, add and sub, so that rsp- and
 * rbp-relative accesses can be matched with a stack slot; taking the
 * address of the variable holding the slot (lea) counts as a use.
 */
#ifndef KT_CORE_LIVENESS_H
#define KT_CORE_LIVENESS_H

#include <stddef.h>
#include <stdint.h>

struct kt_program;
struct kt_frame;

enum kt_live {
	KT_LIVE_UNKNOWN,	/* a path could not be followed (an indirect
				 * jump, undecodable text, too long) */
	KT_LIVE_YES,		/* some path reads it before writing it */
	KT_LIVE_NO,		/* every path writes it, or ends, first */
};

/** What to ask about: a register, or a stack slot. */
struct kt_live_query {
	int reg;		/* enum kt_reg; -1: the slot below */
	uint64_t slot;		/* the slot's address */
	uint64_t slot_size;	/* bytes (8 for a pointer) */
	/* the variable the slot belongs to (a struct): its address taken
	 * counts as a use; 0, 0: the slot alone */
	uint64_t var_lo, var_hi;
};

/**
 * Whether @q is live at frame @f (the frame's registers give rsp and rbp
 * at its pc). @why gets the instruction that decided it ("read by mov
 * (%rsp),%rax at kt_req_wait+0x94") or what stopped the analysis.
 */
enum kt_live kt_live_at(struct kt_program *prog, const struct kt_frame *f,
			const struct kt_live_query *q, char *why, size_t len);

/** "unknown", "live", "dead". */
const char *kt_live_name(enum kt_live l);

#endif /* KT_CORE_LIVENESS_H */
