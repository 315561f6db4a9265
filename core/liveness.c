// SPDX-License-Identifier: GPL-2.0-or-later
/* Is a register or stack slot of a frame used again? See liveness.h. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/disasm.h"
#include "core/list.h"
#include "core/module.h"
#include "core/liveness.h"
#include "core/program.h"
#include "core/stack.h"

#define MAX_INSNS 4096		/* decoded per question */
#define MAX_PENDING 256		/* branches not yet followed */
#define THUNK "__x86_indirect_thunk_"

/* Where a path is: its pc, and rsp (as an offset from the frame's). */
struct path {
	uint64_t pc;
	int64_t delta;
	bool sp_ok;		/* delta is known */
	bool bp_ok;		/* rbp still holds the frame's value */
};

struct walk {
	struct kt_program *prog;
	const struct kt_frame *f;
	const struct kt_live_query *q;
	struct kt_disasm *d;
	struct kt_symbol_hit fn;
	struct kt_addrset seen;
	struct path pending[MAX_PENDING];
	size_t npending, ninsns;
	bool unknown;
	char *why;
	size_t len;
};

enum effect { E_NONE, E_USE, E_KILL, E_STOP };

const char *kt_live_name(enum kt_live l)
{
	return l == KT_LIVE_YES ? "live" : l == KT_LIVE_NO ? "dead" :
	       "unknown";
}

static void say(struct walk *w, const struct kt_disasm_insn *in,
		const char *what)
{
	struct kt_symbol_hit h;

	if (kt_symbol_lookup(w->prog, in->addr, &h))
		snprintf(w->why, w->len, "%s %s %s at %s+0x%" PRIx64, what,
			 in->mnemonic, in->operands, h.name, in->addr - h.addr);
	else
		snprintf(w->why, w->len, "%s %s %s at 0x%" PRIx64, what,
			 in->mnemonic, in->operands, in->addr);
}

static bool is_callee_saved(int r)
{
	return r == KT_REG_RBX || r == KT_REG_RBP || r == KT_REG_R12 ||
	       r == KT_REG_R13 || r == KT_REG_R14 || r == KT_REG_R15;
}

static bool is_arg_reg(int r)
{
	return r == KT_REG_RDI || r == KT_REG_RSI || r == KT_REG_RDX ||
	       r == KT_REG_RCX || r == KT_REG_R8 || r == KT_REG_R9;
}

/* The register a retpoline thunk jumps through: "__x86_indirect_thunk_rax". */
static int thunk_reg(struct walk *w, const struct kt_disasm_insn *in)
{
	struct kt_symbol_hit h;
	const char *r;

	if (!in->has_target || !kt_symbol_lookup(w->prog, in->target, &h) ||
	    strncmp(h.name, THUNK, strlen(THUNK)))
		return KT_DISASM_NOREG;
	r = h.name + strlen(THUNK);
	for (int i = 0; i < KT_NR_REGS; i++)
		if (!strcmp(r, kt_reg_names[i]))
			return i;
	return KT_DISASM_NOREG;
}

/* ---- what one instruction does to the question ---- */

static enum effect reg_effect(const struct kt_disasm_insn *in, int reg)
{
	bool used = false, killed = false;

	// xor %ebx,%ebx and sub %ebx,%ebx only write
	if (in->nops == 2 && in->ops[0].kind == KT_OP_REG &&
	    in->ops[1].kind == KT_OP_REG && in->ops[0].reg == reg &&
	    in->ops[1].reg == reg && (!strcmp(in->mnemonic, "xor") ||
				      !strcmp(in->mnemonic, "sub")))
		return E_KILL;
	for (unsigned i = 0; i < in->nops; i++) {
		const struct kt_disasm_op *op = &in->ops[i];

		if (op->kind == KT_OP_REG && op->reg == reg) {
			used |= op->read;
			killed |= op->written && op->size >= 4;
		} else if (op->kind == KT_OP_MEM &&
			   (op->mem.base == reg || op->mem.index == reg)) {
			used = true;
		}
	}
	return used ? E_USE : killed ? E_KILL : E_NONE;
}

/* The address a memory operand names, when rsp or rbp make it known. */
static bool mem_addr(const struct walk *w, const struct path *p,
		     const struct kt_disasm_mem *m, uint64_t *ret)
{
	if (m->index != KT_DISASM_NOREG || m->segment != KT_DISASM_NOREG)
		return false;
	if (m->base == KT_REG_RSP && p->sp_ok) {
		*ret = w->f->sp + p->delta + m->disp;
		return true;
	}
	if (m->base == KT_REG_RBP && p->bp_ok &&
	    (w->f->regs.known & (1u << KT_REG_RBP))) {
		*ret = w->f->regs.r[KT_REG_RBP] + m->disp;
		return true;
	}
	return false;
}

static enum effect slot_effect(const struct walk *w, const struct path *p,
			       const struct kt_disasm_insn *in)
{
	const struct kt_live_query *q = w->q;
	uint64_t lo = q->var_hi ? q->var_lo : q->slot;
	uint64_t hi = q->var_hi ? q->var_hi : q->slot + q->slot_size;
	bool lea = !strcmp(in->mnemonic, "lea");

	for (unsigned i = 0; i < in->nops; i++) {
		const struct kt_disasm_op *op = &in->ops[i];
		uint64_t a, size;

		if (op->kind != KT_OP_MEM || !mem_addr(w, p, &op->mem, &a))
			continue;
		// &var: whoever gets the address may read the slot
		if (lea)
			return a >= lo && a < hi ? E_USE : E_NONE;
		size = op->size ? op->size : 8;
		if (a + size <= q->slot || a >= q->slot + q->slot_size)
			continue;
		if (op->read)
			return E_USE;
		if (op->written && a <= q->slot &&
		    a + size >= q->slot + q->slot_size)
			return E_KILL;
	}
	return E_NONE;
}

/* Follow rsp and rbp past @in. */
static void track_sp(struct path *p, const struct kt_disasm_insn *in)
{
	const struct kt_disasm_op *dst = in->nops ? &in->ops[in->nops - 1] :
					 NULL;

	if (!strcmp(in->mnemonic, "push") || !strcmp(in->mnemonic, "pushf")) {
		p->delta -= 8;
	} else if (!strcmp(in->mnemonic, "pop") ||
		   !strcmp(in->mnemonic, "popf")) {
		p->delta += 8;
	} else if (dst && dst->kind == KT_OP_REG && dst->reg == KT_REG_RSP &&
		   dst->written) {
		if (in->nops == 2 && in->ops[0].kind == KT_OP_IMM &&
		    !strcmp(in->mnemonic, "add"))
			p->delta += in->ops[0].imm;
		else if (in->nops == 2 && in->ops[0].kind == KT_OP_IMM &&
			 !strcmp(in->mnemonic, "sub"))
			p->delta -= in->ops[0].imm;
		else
			p->sp_ok = false;
	}
	if (!strcmp(in->mnemonic, "leave"))
		p->sp_ok = p->bp_ok = false;
	for (unsigned i = 0; i < in->nops; i++)
		if (in->ops[i].kind == KT_OP_REG &&
		    in->ops[i].reg == KT_REG_RBP && in->ops[i].written)
			p->bp_ok = false;
}

/* A call: the callee keeps callee-saved registers, and stack slots. */
static enum effect call_effect(struct walk *w, const struct kt_disasm_insn *in)
{
	int reg = w->q->reg;

	if (reg < 0)
		return E_NONE;
	if (thunk_reg(w, in) == reg)
		return E_USE;
	if (is_callee_saved(reg))
		return E_NONE;
	// may be an argument; anything else is clobbered
	return is_arg_reg(reg) ? E_USE : E_KILL;
}

/*
 * A call that does not return (do_exit(), BUG paths): what follows it in
 * the text is another block, reached from elsewhere if at all.
 */
static bool noreturn(struct walk *w, const struct kt_disasm_insn *in)
{
	const struct kt_module *m;
	struct kt_dwarf *dw = NULL;
	uint64_t t = in->target;

	if (!in->has_target || t < KT_START_KERNEL_MAP)
		return false;
	if (t < 0xffffffffc0000000ULL) {
		dw = w->prog->dwarf;
		t -= w->prog->kaslr_offset;
	} else if ((m = kt_module_by_addr(w->prog, t))) {
		dw = m->dwarf;
	}
	return dw && kt_dwarf_noreturn(dw, t);
}

/* ---- following paths ---- */

/* @a is @b's unlikely part: "kthread.cold" of "kthread". */
static bool cold_part_of(const char *a, const char *b)
{
	size_t n = strlen(b);

	return !strncmp(a, b, n) && !strcmp(a + n, ".cold");
}

static bool in_function(struct walk *w, uint64_t addr)
{
	struct kt_symbol_hit h;

	if (addr >= w->fn.addr && addr < w->fn.addr + w->fn.size)
		return true;
	// GCC moves unlikely blocks to "NAME.cold", which jump back
	return kt_symbol_lookup(w->prog, addr, &h) &&
	       (cold_part_of(h.name, w->fn.name) ||
		cold_part_of(w->fn.name, h.name));
}

static void push_path(struct walk *w, const struct path *p, uint64_t pc)
{
	if (w->npending == MAX_PENDING) {
		w->unknown = true;
		return;
	}
	w->pending[w->npending] = *p;
	w->pending[w->npending++].pc = pc;
}

/* One path to its end: E_USE as soon as it uses the value. */
static enum effect follow(struct walk *w, struct path p)
{
	struct kt_disasm_insn in;
	enum effect e;
	bool added;

	for (;;) {
		// past the end: the call before it did not return
		if (!in_function(w, p.pc))
			return E_KILL;
		if (!kt_addrset_add(&w->seen, p.pc, &added) || !added)
			return E_NONE;
		if (++w->ninsns > MAX_INSNS ||
		    kt_error_catch_any(kt_disasm_read(w->d, w->prog, p.pc,
						      &in)) || in.bad) {
			w->unknown = true;
			return E_STOP;
		}
		e = w->q->reg >= 0 ? reg_effect(&in, w->q->reg) :
				     slot_effect(w, &p, &in);
		if (e == E_NONE && in.flow == KT_FLOW_CALL)
			e = call_effect(w, &in);
		if (e == E_USE)
			say(w, &in, "used by");
		if (e != E_NONE)
			return e;
		track_sp(&p, &in);
		if (in.flow == KT_FLOW_CALL && noreturn(w, &in))
			return E_KILL;
		switch (in.flow) {
		case KT_FLOW_RET:
			// the return value is rax
			return w->q->reg == KT_REG_RAX ? E_USE : E_KILL;
		case KT_FLOW_TRAP:
			return E_KILL;
		case KT_FLOW_JCC:
			if (in.has_target && in_function(w, in.target))
				push_path(w, &p, in.target);
			else if (!in.has_target)
				w->unknown = true;
			break;
		case KT_FLOW_JMP:
			if (!in.has_target || thunk_reg(w, &in) >= 0) {
				// a switch table or indirect tail call
				w->unknown = true;
				return E_STOP;
			}
			if (!in_function(w, in.target))
				// a tail call: callee-saved registers were
				// restored and the frame is gone
				return is_arg_reg(w->q->reg) ? E_USE : E_KILL;
			p.pc = in.target;
			continue;
		default:
			break;
		}
		p.pc = in.addr + in.len;
	}
}

enum kt_live kt_live_at(struct kt_program *prog, const struct kt_frame *f,
			const struct kt_live_query *q, char *why, size_t len)
{
	struct walk w = { .prog = prog, .f = f, .q = q, .why = why,
			  .len = len };
	struct path start = { .pc = f->pc, .sp_ok = true, .bp_ok = true };
	enum kt_live ret = KT_LIVE_NO;

	snprintf(why, len, "no path from 0x%" PRIx64 " reads it before "
		 "writing it", f->pc);
	if (!f->has_sym || !f->sym.size ||
	    kt_error_catch_any(kt_disasm_create(&w.d))) {
		snprintf(why, len, "no function or decoder for 0x%" PRIx64,
			 f->pc);
		return KT_LIVE_UNKNOWN;
	}
	w.fn = f->sym;
	kt_addrset_init(&w.seen);
	push_path(&w, &start, f->pc);
	while (w.npending) {
		struct path p = w.pending[--w.npending];

		if (follow(&w, p) == E_USE) {
			ret = KT_LIVE_YES;
			break;
		}
	}
	if (ret == KT_LIVE_NO && w.unknown) {
		ret = KT_LIVE_UNKNOWN;
		snprintf(why, len, "not read on the paths followed from 0x%"
			 PRIx64 ", but %s", f->pc, w.ninsns > MAX_INSNS ?
			 "there were too many instructions" :
			 "some could not be followed (an indirect jump, or "
			 "text not in the dump)");
	}
	kt_addrset_deinit(&w.seen);
	kt_disasm_destroy(w.d);
	return ret;
}
