// SPDX-License-Identifier: GPL-2.0-or-later
#include <dwarf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/module.h"
#include "core/orc.h"
#include "core/stack.h"
#include "core/task.h"

#define MAX_FRAMES 1024
#define PT_REGS_WORDS 21	/* r15 ... ss: a prefix of elf_gregset_t */
#define ALL_PT_REGS ((1u << PT_REGS_WORDS) - 1)
#define NT_PRSTATUS 1
/*
 * struct elf_prstatus is the ELF core-file ABI (libkdumpfile reads the
 * file's notes with this layout too); its DWARF is deep in the CU list.
 */
#define PRSTATUS_SIZE 336
#define PRSTATUS_PR_REG 112
#define IRQ_STACK_SIZE (16 << 10)	/* THREAD_SIZE on x86-64 */
#define REG_BIT(r) (1u << (r))

static const char *const class_names[KT_NR_STACKS] = {
	"unknown", "task", "irq", "nmi", "exception", "exception",
	"exception", "exception", "user",
};

static const char *const banner_names[KT_NR_STACKS] = {
	"unknown", "task", "IRQ", "NMI", "DOUBLEFAULT", "DEBUG", "MCE", "VC",
	"user",
};

const char *kt_stack_kind_class(enum kt_stack_kind kind)
{
	return kind < KT_NR_STACKS ? class_names[kind] : "unknown";
}

const char *kt_stack_kind_name(enum kt_stack_kind kind)
{
	return kind < KT_NR_STACKS ? banner_names[kind] : "unknown";
}

/* ---- where the stacks are ---- */

/*
 * THREAD_SIZE, from the linker script's labels around the initial task's
 * stack (init_stack .. __end_init_task; __start_init_stack ..
 * __end_init_stack on later kernels), else from union thread_union, often
 * not in DWARF at all.
 */
static bool thread_size(struct kt_program *prog, uint64_t *ret)
{
	static const char *const bounds[][2] = {
		{ "init_stack", "__end_init_task" },
		{ "__start_init_stack", "__end_init_stack" },
		{ "init_stack", "__end_init_stack" },
	};
	uint64_t start, end;

	for (size_t i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
		if (!kt_error_catch_any(kt_symbol_address(prog, bounds[i][0],
							  &start)) &&
		    !kt_error_catch_any(kt_symbol_address(prog, bounds[i][1],
							  &end)) &&
		    end > start && end - start <= (1 << 20)) {
			*ret = end - start;
			return true;
		}
	}
	return !kt_error_catch_any(kt_type_size(prog, "union thread_union",
						ret)) &&
	       *ret && *ret <= (1 << 20);
}

static bool task_stack(struct kt_program *prog, uint64_t task, uint64_t *lo,
		       uint64_t *hi)
{
	uint64_t off, stack, size;

	if (kt_error_catch_any(kt_type_member_offset(prog, "struct task_struct",
						     "stack", &off)) ||
	    kt_error_catch_any(kt_read_u64(prog, task + off, &stack)) ||
	    !thread_size(prog, &size))
		return false;
	*lo = stack;
	*hi = stack + size;
	return true;
}

/* The hardirq stack: hardirq_stack_ptr points 8 bytes below its top. */
static bool irq_stack(struct kt_program *prog, int cpu, uint64_t *lo,
		      uint64_t *hi)
{
	uint64_t addr, ptr;

	if (kt_error_catch_any(kt_percpu_symbol(prog, "hardirq_stack_ptr", cpu,
						&addr)) ||
	    kt_error_catch_any(kt_read_u64(prog, addr, &ptr)) || !ptr)
		return false;
	*hi = ptr + 8;
	*lo = *hi - IRQ_STACK_SIZE;
	return true;
}

/* The IST stacks in the CPU's cpu_entry_area, via cea_exception_stacks. */
static bool exception_stack(struct kt_program *prog, int cpu,
			    enum kt_stack_kind kind, uint64_t *lo,
			    uint64_t *hi)
{
	static const char *const members[KT_NR_STACKS] = {
		[KT_STACK_NMI] = "NMI_stack", [KT_STACK_DF] = "DF_stack",
		[KT_STACK_DB] = "DB_stack", [KT_STACK_MCE] = "MCE_stack",
		[KT_STACK_VC] = "VC_stack",
	};
	uint64_t addr, estacks;
	struct kt_member m;

	if (!members[kind] ||
	    kt_error_catch_any(kt_percpu_symbol(prog, "cea_exception_stacks",
						cpu, &addr)) ||
	    kt_error_catch_any(kt_read_u64(prog, addr, &estacks)) ||
	    kt_error_catch_any(kt_type_member(prog,
				"struct cea_exception_stacks", members[kind],
				&m)))
		return false;
	*lo = estacks + m.offset;
	*hi = *lo + m.size;
	return true;
}

bool kt_stack_bounds(struct kt_program *prog, uint64_t task, int cpu,
		     enum kt_stack_kind kind, uint64_t *lo, uint64_t *hi)
{
	if (kind == KT_STACK_TASK)
		return task_stack(prog, task, lo, hi);
	if (cpu < 0)
		return false;
	if (kind == KT_STACK_IRQ)
		return irq_stack(prog, cpu, lo, hi);
	return exception_stack(prog, cpu, kind, lo, hi);
}

struct unwinder {
	struct kt_program *prog;
	struct kt_trace *trace;
	uint64_t lo[KT_NR_STACKS], hi[KT_NR_STACKS];
	uint32_t left;		/* stacks the unwind has moved off */
	size_t cap;
};

static enum kt_stack_kind classify(const struct unwinder *u, uint64_t sp)
{
	for (int k = KT_STACK_TASK; k < KT_STACK_USER; k++) {
		if (u->hi[k] && sp >= u->lo[k] && sp < u->hi[k])
			return k;
	}
	return KT_STACK_UNKNOWN;
}

/* ---- starting registers ---- */

static void regs_from_words(struct kt_regset *rs, const uint64_t *w,
			    unsigned n)
{
	memset(rs, 0, sizeof(*rs));
	memcpy(rs->r, w, n * sizeof(uint64_t));
	rs->known = n >= 32 ? ~0u : (1u << n) - 1;
}

/*
 * On a kdump, each CPU's registers at the crash are in its crash_notes
 * buffer in kernel memory: {Elf64_Nhdr, "CORE\0\0\0\0", elf_prstatus}.
 * This covers CPUs stopped by NMI, whose notes the file may lack.
 */
static bool regs_from_crash_notes(struct kt_program *prog, int cpu,
				  struct kt_regset *rs)
{
	uint64_t addr, notes, pcpu, words[KT_NR_REGS];
	uint32_t nhdr[3];

	if (!kt_dump_vmcoreinfo(prog->dump, "CRASHTIME") ||
	    kt_error_catch_any(kt_symbol_address(prog, "crash_notes", &addr)) ||
	    kt_error_catch_any(kt_read_u64(prog, addr, &notes)) || !notes ||
	    kt_error_catch_any(kt_percpu_offset(prog, cpu, &pcpu)))
		return false;
	notes += pcpu;
	if (kt_error_catch_any(kt_read(prog, notes, nhdr, sizeof(nhdr))) ||
	    nhdr[2] != NT_PRSTATUS || nhdr[0] != sizeof("CORE") ||
	    nhdr[1] != PRSTATUS_SIZE)
		return false;	// this CPU never wrote its note
	// The descriptor follows the 12-byte header and "CORE" padded to 8.
	if (kt_error_catch_any(kt_read(prog, notes + 12 + 8 + PRSTATUS_PR_REG,
				       words, sizeof(words))))
		return false;
	regs_from_words(rs, words, KT_NR_REGS);
	return true;
}

static bool regs_from_file(struct kt_program *prog, int cpu,
			   struct kt_regset *rs)
{
	struct kt_prstatus pr;

	if ((unsigned)cpu >= kt_dump_num_prstatus(prog->dump) ||
	    kt_error_catch_any(kt_dump_prstatus(prog->dump, cpu, &pr)))
		return false;
	regs_from_words(rs, pr.regs, KT_NR_REGS);
	return true;
}

/* A task switched out: __switch_to_asm() left an inactive_task_frame. */
static struct kt_error *regs_from_switch(struct kt_program *prog,
					 uint64_t task, struct kt_regset *rs)
{
	static const struct {
		const char *member;
		enum kt_reg reg;
	} saved[] = {
		{ "r15", KT_REG_R15 }, { "r14", KT_REG_R14 },
		{ "r13", KT_REG_R13 }, { "r12", KT_REG_R12 },
		{ "bx", KT_REG_RBX }, { "bp", KT_REG_RBP },
		{ "ret_addr", KT_REG_RIP },
	};
	uint64_t off, sp, size;
	struct kt_error *err;

	memset(rs, 0, sizeof(*rs));
	if ((err = kt_type_member_offset(prog, "struct task_struct",
					 "thread.sp", &off)) ||
	    (err = kt_read_u64(prog, task + off, &sp)) ||
	    (err = kt_type_size(prog, "struct inactive_task_frame", &size)))
		return err;
	for (size_t i = 0; i < sizeof(saved) / sizeof(saved[0]); i++) {
		if ((err = kt_type_member_offset(prog,
				"struct inactive_task_frame", saved[i].member,
				&off)) ||
		    (err = kt_read_u64(prog, sp + off, &rs->r[saved[i].reg])))
			return kt_error_wrap(err, "inactive_task_frame");
		rs->known |= REG_BIT(saved[i].reg);
	}
	rs->r[KT_REG_RSP] = sp + size;
	rs->known |= REG_BIT(KT_REG_RSP);
	return NULL;
}

static int running_cpu(struct kt_program *prog, uint64_t task)
{
	for (unsigned cpu = 0; cpu < prog->nr_cpu_ids; cpu++) {
		uint64_t cur;

		if (!kt_error_catch_any(kt_task_current(prog, cpu, &cur)) &&
		    cur == task)
			return cpu;
	}
	return -1;
}

/* ---- the unwind ---- */

static bool read_word(struct unwinder *u, uint64_t addr, uint64_t *ret,
		      const char *what)
{
	struct kt_error *err = kt_read_u64(u->prog, addr, ret);

	if (!err)
		return true;
	snprintf(u->trace->stop, sizeof(u->trace->stop), "reading %s: %s",
		 what, err->message);
	kt_error_destroy(err);
	return false;
}

static struct kt_frame *add_frame(struct unwinder *u,
				  const struct kt_regset *rs, bool interrupted)
{
	struct kt_trace *t = u->trace;
	struct kt_frame *f;

	if (t->n == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 32;
		void *p = realloc(t->frames, cap * sizeof(*t->frames));

		if (!p)
			return NULL;
		t->frames = p;
		u->cap = cap;
	}
	f = &t->frames[t->n++];
	memset(f, 0, sizeof(*f));
	f->pc = rs->r[KT_REG_RIP];
	f->sp = rs->r[KT_REG_RSP];
	f->interrupted = interrupted;
	f->regs = *rs;
	f->stack = classify(u, f->sp);
	// A return address may be the first byte past a noreturn call's
	// function: look up pc - 1 for returns.
	f->has_sym = kt_symbol_lookup(u->prog, interrupted ? f->pc : f->pc - 1,
				      &f->sym);
	if (f->has_sym)
		f->sym.offset = f->pc - f->sym.addr;
	return f;
}

static bool get_reg(struct unwinder *u, const struct kt_regset *rs,
		    enum kt_reg r, uint64_t *ret)
{
	if (!(rs->known & REG_BIT(r))) {
		snprintf(u->trace->stop, sizeof(u->trace->stop),
			 "ORC needs %s, which is not known here",
			 kt_reg_names[r]);
		return false;
	}
	*ret = rs->r[r];
	return true;
}

static bool orc_cfa(struct unwinder *u, const struct kt_orc *o,
		    const struct kt_regset *rs, uint64_t *cfa)
{
	static const enum kt_reg scratch[] = {
		[KT_ORC_REG_DX] = KT_REG_RDX, [KT_ORC_REG_DI] = KT_REG_RDI,
		[KT_ORC_REG_R10] = KT_REG_R10, [KT_ORC_REG_R13] = KT_REG_R13,
		[KT_ORC_REG_AX] = KT_REG_RAX,
	};
	uint64_t base;

	switch (o->sp_reg) {
	case KT_ORC_REG_SP:
		return get_reg(u, rs, KT_REG_RSP, &base) &&
		       (*cfa = base + o->sp_offset, true);
	case KT_ORC_REG_BP:
		return get_reg(u, rs, KT_REG_RBP, &base) &&
		       (*cfa = base + o->sp_offset, true);
	case KT_ORC_REG_SP_INDIRECT:
		// The stack switch of call_on_irqstack(): the old sp is
		// saved at the top of the new stack.
		return get_reg(u, rs, KT_REG_RSP, &base) &&
		       read_word(u, base, cfa, "a saved stack pointer") &&
		       (*cfa += o->sp_offset, true);
	case KT_ORC_REG_BP_INDIRECT:
		return get_reg(u, rs, KT_REG_RBP, &base) &&
		       read_word(u, base + o->sp_offset, cfa,
				 "a saved stack pointer");
	case KT_ORC_REG_DX:
	case KT_ORC_REG_DI:
	case KT_ORC_REG_R10:
	case KT_ORC_REG_R13:
	case KT_ORC_REG_AX:
		return get_reg(u, rs, scratch[o->sp_reg], cfa);
	}
	snprintf(u->trace->stop, sizeof(u->trace->stop),
		 "unknown ORC sp_reg %u", o->sp_reg);
	return false;
}

/* The caller's registers from a pt_regs (REGS) or an IRET frame. */
static bool regs_frame(struct unwinder *u, const struct kt_orc *o,
		       uint64_t cfa, struct kt_regset *rs)
{
	uint64_t w[PT_REGS_WORDS];
	struct kt_error *err;

	if (o->type == KT_ORC_REGS) {
		err = kt_read(u->prog, cfa, w, sizeof(w));
		if (!err) {
			memcpy(rs->r, w, sizeof(w));
			rs->known = ALL_PT_REGS;
		}
	} else {
		// ip, cs, flags, sp, ss: the rest stays as it was.
		err = kt_read(u->prog, cfa, w, 5 * sizeof(uint64_t));
		if (!err) {
			for (int i = 0; i < 5; i++)
				rs->r[KT_REG_RIP + i] = w[i];
			rs->known |= REG_BIT(KT_REG_RIP) | REG_BIT(KT_REG_CS) |
				     REG_BIT(KT_REG_RFLAGS) |
				     REG_BIT(KT_REG_RSP) | REG_BIT(KT_REG_SS);
		}
	}
	if (!err)
		return true;
	snprintf(u->trace->stop, sizeof(u->trace->stop),
		 "reading the pt_regs at 0x%" PRIx64 ": %s", cfa, err->message);
	kt_error_destroy(err);
	return false;
}

static bool orc_bp(struct unwinder *u, const struct kt_orc *o, uint64_t cfa,
		   const struct kt_regset *old, struct kt_regset *rs)
{
	uint64_t bp;

	switch (o->bp_reg) {
	case KT_ORC_REG_UNDEFINED:
		return true;
	case KT_ORC_REG_PREV_SP:
		if (!read_word(u, cfa + o->bp_offset, &bp, "a saved rbp"))
			return false;
		break;
	case KT_ORC_REG_BP:
		if (!get_reg(u, old, KT_REG_RBP, &bp) ||
		    !read_word(u, bp + o->bp_offset, &bp, "a saved rbp"))
			return false;
		break;
	default:
		rs->known &= ~REG_BIT(KT_REG_RBP);
		return true;
	}
	rs->r[KT_REG_RBP] = bp;
	rs->known |= REG_BIT(KT_REG_RBP);
	return true;
}

/*
 * One step with ORC, from the registers of a frame to its caller's. Only
 * rip, rsp and rbp are known after a call; after a pt_regs, all of them.
 */
static bool orc_step(struct unwinder *u, const struct kt_orc *o,
		     const struct kt_regset *old, struct kt_regset *rs,
		     bool *interrupted, uint64_t *regs_addr)
{
	uint64_t cfa;

	if (!orc_cfa(u, o, old, &cfa))
		return false;
	*rs = *old;
	*regs_addr = 0;
	if (o->type == KT_ORC_REGS || o->type == KT_ORC_REGS_PARTIAL) {
		if (!regs_frame(u, o, cfa, rs))
			return false;
		*interrupted = true;
		*regs_addr = cfa;
		return true;
	}
	// ORC does not say whether the callee changed rbx or r12-r15, so
	// they are unknown in the caller; rbp follows the bp rule below.
	rs->known &= REG_BIT(KT_REG_RBP);
	if (!read_word(u, cfa - 8, &rs->r[KT_REG_RIP], "a return address"))
		return false;
	rs->r[KT_REG_RSP] = cfa;
	rs->known |= REG_BIT(KT_REG_RIP) | REG_BIT(KT_REG_RSP);
	*interrupted = o->signal;
	return orc_bp(u, o, cfa, old, rs);
}

/* DWARF's x86-64 register numbers, as enum kt_reg. */
static const enum kt_reg dwarf_regs[KT_CFI_NREGS] = {
	KT_REG_RAX, KT_REG_RDX, KT_REG_RCX, KT_REG_RBX, KT_REG_RSI, KT_REG_RDI,
	KT_REG_RBP, KT_REG_RSP, KT_REG_R8, KT_REG_R9, KT_REG_R10, KT_REG_R11,
	KT_REG_R12, KT_REG_R13, KT_REG_R14, KT_REG_R15, KT_REG_RIP,
};

#define CALLEE_SAVED (REG_BIT(KT_REG_RBX) | REG_BIT(KT_REG_RBP) |          \
		      REG_BIT(KT_REG_R12) | REG_BIT(KT_REG_R13) |          \
		      REG_BIT(KT_REG_R14) | REG_BIT(KT_REG_R15))

/*
 * Where ORC says nothing (e.g. crash_setup_regs()'s inline asm in
 * __crash_kexec), vmlinux's .debug_frame usually does.
 */
static bool cfi_step(struct unwinder *u, const struct kt_regset *old,
		     bool interrupted, struct kt_regset *rs)
{
	uint64_t pc = old->r[KT_REG_RIP] - !interrupted, cfa;
	struct kt_dwarf *dw = NULL;
	const struct kt_module *m;
	struct kt_cfi_row row;
	uint64_t known = 0;

	// vmlinux's CFI is at linked addresses, a module's at runtime ones.
	if (pc >= KT_START_KERNEL_MAP && pc < 0xffffffffc0000000ULL)
		dw = u->prog->dwarf;
	else if ((m = kt_module_by_addr(u->prog, pc)))
		dw = m->dwarf;
	if (dw == u->prog->dwarf)
		pc -= u->prog->kaslr_offset;
	if (!dw || kt_error_catch_any(kt_dwarf_cfi_row(dw, pc, &row)) ||
	    row.cfa_reg >= KT_CFI_NREGS ||
	    !get_reg(u, old, dwarf_regs[row.cfa_reg], &cfa))
		return false;
	cfa += row.cfa_off;
	*rs = *old;
	for (int d = 0; d < KT_CFI_NREGS; d++) {
		const struct kt_cfi_rule *r = &row.rules[d];
		enum kt_reg reg = dwarf_regs[d];
		uint64_t v;

		switch (r->kind) {
		case KT_CFI_UNDEFINED:
			// The ABI keeps callee-saved registers across calls.
			if (!(CALLEE_SAVED & REG_BIT(reg)))
				continue;
			/* fall through */
		case KT_CFI_SAME:
			if (!(old->known & REG_BIT(reg)))
				continue;
			v = old->r[reg];
			break;
		case KT_CFI_AT_CFA:
			if (!read_word(u, cfa + r->off, &v, "a saved register"))
				return false;
			break;
		case KT_CFI_IS_CFA:
			v = cfa + r->off;
			break;
		case KT_CFI_REG:
			if (r->reg >= KT_CFI_NREGS ||
			    !(old->known & REG_BIT(dwarf_regs[r->reg])))
				continue;
			v = old->r[dwarf_regs[r->reg]];
			break;
		default:
			continue;
		}
		rs->r[reg] = v;
		known |= REG_BIT(reg);
	}
	if (!(known & REG_BIT(KT_REG_RIP)))
		return false;
	rs->r[KT_REG_RSP] = cfa;
	rs->known = known | REG_BIT(KT_REG_RSP);
	return true;
}

/* Without ORC: the frame-pointer chain, if rbp points into the stack. */
static bool fp_step(struct unwinder *u, const struct kt_regset *old,
		    struct kt_regset *rs)
{
	uint64_t bp;

	if (!(old->known & REG_BIT(KT_REG_RBP)))
		return false;
	bp = old->r[KT_REG_RBP];
	if (classify(u, bp) == KT_STACK_UNKNOWN || bp < old->r[KT_REG_RSP])
		return false;
	*rs = *old;
	rs->known = REG_BIT(KT_REG_RIP) | REG_BIT(KT_REG_RSP) |
		    REG_BIT(KT_REG_RBP);
	rs->r[KT_REG_RSP] = bp + 16;
	return read_word(u, bp + 8, &rs->r[KT_REG_RIP], "a return address") &&
	       read_word(u, bp, &rs->r[KT_REG_RBP], "a saved rbp");
}

/* Is the move from @old_sp to @sp plausible? Sets the stop reason if not. */
static bool sp_ok(struct unwinder *u, uint64_t old_sp, uint64_t sp)
{
	enum kt_stack_kind from = classify(u, old_sp), to = classify(u, sp);

	if (to == KT_STACK_UNKNOWN) {
		snprintf(u->trace->stop, sizeof(u->trace->stop),
			 "stack pointer 0x%" PRIx64 " is on none of the "
			 "task's, IRQ or exception stacks", sp);
		return false;
	}
	if (to == from && sp <= old_sp) {
		snprintf(u->trace->stop, sizeof(u->trace->stop),
			 "stack pointer went down (0x%" PRIx64 " after 0x%"
			 PRIx64 ")", sp, old_sp);
		return false;
	}
	if (to != from) {
		// Each stack is left once: coming back to it is a loop.
		if (u->left & (1u << to)) {
			snprintf(u->trace->stop, sizeof(u->trace->stop),
				 "returned to the %s stack it had left",
				 kt_stack_kind_name(to));
			return false;
		}
		u->left |= 1u << from;
	}
	return true;
}

static void add_user_frame(struct unwinder *u, const struct kt_regset *rs,
			   uint64_t regs_addr)
{
	struct kt_frame *f = add_frame(u, rs, true);

	if (f) {
		f->stack = KT_STACK_USER;
		f->has_regs = true;
		f->regs_addr = regs_addr;
		f->has_sym = false;
	}
	u->trace->complete = true;
	snprintf(u->trace->stop, sizeof(u->trace->stop), "user mode");
}

/*
 * @pc is no code ktriage knows (no symbol), and the word at @sp is a
 * return address into code that has unwind information: the kernel
 * called through a bad function pointer and stopped at its target.
 */
static bool called_into_data(struct unwinder *u, uint64_t pc, uint64_t sp)
{
	struct kt_symbol_hit hit;
	uint64_t ret;

	if (kt_symbol_lookup(u->prog, pc, &hit) ||
	    kt_error_catch_any(kt_read_u64(u->prog, sp, &ret)))
		return false;
	return kt_orc_lookup(u->prog, ret - 1) != NULL &&
	       kt_symbol_lookup(u->prog, ret - 1, &hit);
}

static void unwind(struct unwinder *u, struct kt_regset rs, bool interrupted)
{
	uint64_t regs_addr = 0;
	bool has_regs = true;

	for (;;) {
		struct kt_regset next;
		const struct kt_orc *o;
		struct kt_frame *f;
		uint64_t pc;

		if (u->trace->n == MAX_FRAMES) {
			snprintf(u->trace->stop, sizeof(u->trace->stop),
				 "more than %d frames", MAX_FRAMES);
			return;
		}
		// A pt_regs from user mode ends the kernel stack.
		if (has_regs && regs_addr && (rs.r[KT_REG_CS] & 3)) {
			add_user_frame(u, &rs, regs_addr);
			return;
		}
		f = add_frame(u, &rs, interrupted);
		if (!f)
			return;
		f->has_regs = has_regs;
		f->regs_addr = regs_addr;
		pc = rs.r[KT_REG_RIP];
		o = kt_orc_lookup(u->prog, interrupted ? pc : pc - 1);
		if (o && o->type == KT_ORC_END) {
			u->trace->complete = true;
			snprintf(u->trace->stop, sizeof(u->trace->stop),
				 "end of stack");
			return;
		}
		if (!pc || (interrupted && !o &&
			    called_into_data(u, pc, rs.r[KT_REG_RSP]))) {
			// A call through a NULL or wild pointer (into data:
			// an NX fault): the return address is on top of the
			// stack.
			next = rs;
			if (!read_word(u, rs.r[KT_REG_RSP], &next.r[KT_REG_RIP],
				       "a return address"))
				return;
			next.r[KT_REG_RSP] += 8;
			interrupted = false;
			regs_addr = 0;
		} else if (o && o->type == KT_ORC_CALL &&
			   o->sp_reg != KT_ORC_REG_SP_INDIRECT &&
			   cfi_step(u, &rs, interrupted, &next)) {
			// For ordinary code DWARF CFI also says where callees
			// saved rbx and r12-r15, which ORC does not: the
			// caller's variables can then be read (as drgn does).
			interrupted = false;
			regs_addr = 0;
		} else if (o && o->type != KT_ORC_UNDEFINED) {
			if (!orc_step(u, o, &rs, &next, &interrupted,
				      &regs_addr))
				return;
		} else if (cfi_step(u, &rs, interrupted, &next) ||
			   fp_step(u, &rs, &next)) {
			interrupted = false;
			regs_addr = 0;
		} else {
			snprintf(u->trace->stop, sizeof(u->trace->stop),
				 "no unwind information for 0x%" PRIx64, pc);
			return;
		}
		has_regs = regs_addr != 0;
		if (!(has_regs && (next.r[KT_REG_CS] & 3)) &&
		    !sp_ok(u, rs.r[KT_REG_RSP], next.r[KT_REG_RSP]))
			return;
		rs = next;
	}
}

#define MAX_NMI_REGS 8

/* Does an ORC unwind from (pc, sp) reach one of the pt_regs at @targets? */
static bool chains_to(struct unwinder *u, uint64_t pc, uint64_t sp,
		      const uint64_t *targets, unsigned ntargets)
{
	struct kt_regset rs = { .known = REG_BIT(KT_REG_RIP) |
					 REG_BIT(KT_REG_RSP) };
	bool interrupted = false;

	rs.r[KT_REG_RIP] = pc;
	rs.r[KT_REG_RSP] = sp;
	for (int i = 0; i < 16; i++) {
		const struct kt_orc *o;
		struct kt_regset next;
		uint64_t regs_addr;

		o = kt_orc_lookup(u->prog, rs.r[KT_REG_RIP] - !interrupted);
		if (!o || o->type == KT_ORC_UNDEFINED || o->type == KT_ORC_END ||
		    !orc_step(u, o, &rs, &next, &interrupted, &regs_addr))
			return false;
		if (regs_addr) {
			for (unsigned t = 0; t < ntargets; t++) {
				if (regs_addr == targets[t])
					return true;
			}
			return false;
		}
		if (next.r[KT_REG_RSP] <= rs.r[KT_REG_RSP] ||
		    next.r[KT_REG_RSP] > targets[ntargets - 1])
			return false;
		rs = next;
	}
	return false;
}

/*
 * A CPU stopped by the kdump NMI saved the registers it was interrupted
 * with; the NMI handler's own frames are on its NMI stack, below a pt_regs
 * holding those registers. Copies of them lie about too (the handler's
 * fixed_regs, the NMI entry's saved IRET frames), so take every place they
 * match, then the lowest return address on the NMI stack whose ORC unwind
 * lands exactly on one of them, and start there: frames found this way are
 * verified, not guessed.
 */
static bool nmi_start(struct unwinder *u, const struct kt_regset *saved,
		      struct kt_regset *rs)
{
	uint64_t lo = u->lo[KT_STACK_NMI], hi = u->hi[KT_STACK_NMI];
	uint64_t *words, n = (hi - lo) / 8, targets[MAX_NMI_REGS];
	unsigned ntargets = 0;
	bool found = false;

	if (!hi || classify(u, saved->r[KT_REG_RSP]) == KT_STACK_NMI ||
	    !(words = malloc(hi - lo)))
		return false;
	if (kt_error_catch_any(kt_read(u->prog, lo, words, hi - lo)))
		goto out;
	for (uint64_t i = 0; i + PT_REGS_WORDS <= n &&
			     ntargets < MAX_NMI_REGS; i++) {
		const uint64_t *r = words + i;

		if (r[KT_REG_RIP] == saved->r[KT_REG_RIP] &&
		    r[KT_REG_RSP] == saved->r[KT_REG_RSP] &&
		    r[KT_REG_CS] == saved->r[KT_REG_CS])
			targets[ntargets++] = lo + 8 * i;
	}
	for (uint64_t i = 0; ntargets && lo + 8 * i < targets[ntargets - 1] &&
			     !found; i++) {
		struct kt_symbol_hit hit;
		uint64_t w = words[i];

		if (w < KT_START_KERNEL_MAP ||
		    !kt_symbol_lookup(u->prog, w - 1, &hit) ||
		    !chains_to(u, w, lo + 8 * i + 8, targets, ntargets))
			continue;
		memset(rs, 0, sizeof(*rs));
		rs->r[KT_REG_RIP] = w;
		rs->r[KT_REG_RSP] = lo + 8 * i + 8;
		rs->known = REG_BIT(KT_REG_RIP) | REG_BIT(KT_REG_RSP);
		found = true;
	}
out:
	free(words);
	u->trace->stop[0] = 0;
	return found;
}

struct kt_error *kt_stack_trace(struct kt_program *prog, uint64_t task,
				struct kt_trace *ret)
{
	struct unwinder u = { .prog = prog, .trace = ret };
	struct kt_regset rs;
	bool interrupted = true;

	memset(ret, 0, sizeof(*ret));
	ret->task = task;
	ret->cpu = running_cpu(prog, task);
	for (int k = KT_STACK_TASK; k < KT_STACK_USER; k++) {
		if (!kt_stack_bounds(prog, task, ret->cpu, k, &u.lo[k],
				     &u.hi[k]))
			u.lo[k] = u.hi[k] = 0;
	}
	if (ret->cpu >= 0 && regs_from_crash_notes(prog, ret->cpu, &rs)) {
		ret->regs_source = "crash_notes";
		if (nmi_start(&u, &rs, &rs)) {
			ret->regs_source = "crash_notes, NMI frames from the "
					   "NMI stack (ORC-verified)";
			interrupted = false;
		}
	} else if (ret->cpu >= 0 && regs_from_file(prog, ret->cpu, &rs)) {
		ret->regs_source = "PRSTATUS";
	} else {
		struct kt_error *err = regs_from_switch(prog, task, &rs);

		if (err)
			return kt_error_wrap(err, "task 0x%" PRIx64, task);
		ret->regs_source = ret->cpu >= 0 ?
			"inactive_task_frame (no saved registers for its CPU)" :
			"inactive_task_frame";
		interrupted = false;
	}
	unwind(&u, rs, interrupted);
	// Only the first frame of a switched-out task lacks a full set.
	if (ret->n && !interrupted)
		ret->frames[0].has_regs = false;
	return NULL;
}

void kt_trace_deinit(struct kt_trace *t)
{
	free(t->frames);
	memset(t, 0, sizeof(*t));
}

/* The DWARF of a pc, and the pc as that DWARF knows it. */
static struct kt_dwarf *frame_dwarf(struct kt_program *prog,
				    const struct kt_frame *f, uint64_t *pc)
{
	const struct kt_module *m;

	*pc = f->pc - !f->interrupted;
	if (*pc < KT_START_KERNEL_MAP)
		return NULL;
	// vmlinux's DWARF is at linked addresses; a module's is placed at
	// its runtime ones (kt_dwarf_open_module()).
	if (*pc < 0xffffffffc0000000ULL) {
		*pc -= prog->kaslr_offset;
		return prog->dwarf;
	}
	m = kt_module_by_addr(prog, *pc);
	return m ? m->dwarf : NULL;
}

struct kt_dwarf *kt_frame_dwarf(struct kt_program *prog,
				const struct kt_frame *f)
{
	uint64_t pc;

	return frame_dwarf(prog, f, &pc);
}

size_t kt_frame_functions(struct kt_program *prog, const struct kt_frame *f,
			  struct kt_inline *ret, size_t max)
{
	uint64_t pc;
	struct kt_dwarf *dw = frame_dwarf(prog, f, &pc);

	return dw ? kt_dwarf_inline_chain(dw, pc, ret, max) : 0;
}

bool kt_frame_source(struct kt_program *prog, const struct kt_frame *f,
		     const char **file, int *line)
{
	uint64_t pc;
	struct kt_dwarf *dw = frame_dwarf(prog, f, &pc);

	return dw && !kt_error_catch_any(kt_dwarf_source(dw, pc, file, line));
}

#define MAX_VARS 64
#define EVAL_STACK 8

struct eval {
	struct kt_program *prog;
	const struct kt_frame *f;
	bool cfa_known;
	uint64_t cfa;
	const struct kt_dwarf *dw;	/* a module's: DW_OP_addr to runtime */
	int64_t addr_bias;	/* vmlinux's: DW_OP_addr to runtime */
};

static bool eval_reg(const struct eval *e, uint64_t dreg, uint64_t *ret)
{
	if (dreg >= KT_CFI_NREGS ||
	    !(e->f->regs.known & REG_BIT(dwarf_regs[dreg])))
		return false;
	*ret = e->f->regs.r[dwarf_regs[dreg]];
	return true;
}

/*
 * A small DWARF expression evaluator: registers, CFA-based and absolute
 * addresses, constants, deref and stack_value. Entry values, pieces and
 * implicit pointers are reported, not guessed.
 */
static const char *eval_location(const struct eval *e,
				 const struct kt_dwarf_var *v, uint64_t *ret,
				 uint64_t *addr, int *reg)
{
	uint64_t st[EVAL_STACK], r;
	unsigned sp = 0;
	bool value = false;

	if (!v->nops)
		return "optimized out";
	for (unsigned i = 0; i < v->nops; i++) {
		const struct kt_loc_op *op = &v->ops[i];
		uint8_t a = op->atom;

		if (sp == EVAL_STACK)
			return "expression too deep";
		if (a >= DW_OP_reg0 && a <= DW_OP_reg31) {
			if (v->nops != 1 || !eval_reg(e, a - DW_OP_reg0, ret))
				return "register not saved at this frame";
			*reg = (int)dwarf_regs[a - DW_OP_reg0];
			return NULL;
		} else if (a == DW_OP_regx) {
			if (v->nops != 1 || !eval_reg(e, op->number, ret))
				return "register not saved at this frame";
			*reg = (int)dwarf_regs[op->number];
			return NULL;
		} else if (a >= DW_OP_breg0 && a <= DW_OP_breg31) {
			if (!eval_reg(e, a - DW_OP_breg0, &r))
				return "register not saved at this frame";
			st[sp++] = r + (int64_t)op->number;
		} else if (a == DW_OP_fbreg || a == DW_OP_call_frame_cfa) {
			if (!e->cfa_known || (a == DW_OP_fbreg &&
					      !v->frame_base_cfa))
				return "frame base unknown";
			st[sp++] = e->cfa + (a == DW_OP_fbreg ?
					     (int64_t)op->number : 0);
		} else if (a == DW_OP_addr) {
			st[sp++] = e->dw ? kt_dwarf_runtime_addr(e->dw,
								 op->number) :
					   op->number + e->addr_bias;
		} else if (a >= DW_OP_lit0 && a <= DW_OP_lit31) {
			st[sp++] = a - DW_OP_lit0;
		} else if (a == DW_OP_const1u || a == DW_OP_const2u ||
			   a == DW_OP_const4u || a == DW_OP_const8u ||
			   a == DW_OP_constu || a == DW_OP_const1s ||
			   a == DW_OP_const2s || a == DW_OP_const4s ||
			   a == DW_OP_const8s || a == DW_OP_consts) {
			st[sp++] = op->number;
		} else if (a == DW_OP_plus_uconst && sp) {
			st[sp - 1] += op->number;
		} else if (a == DW_OP_deref && sp) {
			if (kt_error_catch_any(kt_read_u64(e->prog, st[sp - 1],
							   &st[sp - 1])))
				return "not in the dump";
		} else if (a == DW_OP_stack_value && sp) {
			value = true;
		} else if (a == DW_OP_entry_value || a == DW_OP_GNU_entry_value) {
			return "optimized out (value at entry)";
		} else {
			return "location not supported";
		}
	}
	if (!sp)
		return "empty location";
	if (value) {
		*ret = st[sp - 1];
		return NULL;
	}
	// A memory location: the variable's bytes, up to a word.
	*addr = st[sp - 1];
	if (!v->size || v->size > 8)
		return "not a scalar";
	*ret = 0;
	if (kt_error_catch_any(kt_read(e->prog, st[sp - 1], ret, v->size)))
		return "not in the dump";
	return NULL;
}

size_t kt_frame_variables(struct kt_program *prog, const struct kt_trace *tr,
			  size_t i, struct kt_frame_var *ret, size_t max)
{
	const struct kt_frame *f = &tr->frames[i];
	struct kt_dwarf_var vars[MAX_VARS];
	struct eval e = { .prog = prog, .f = f };
	struct kt_dwarf *dw;
	uint64_t pc;
	size_t n;

	dw = frame_dwarf(prog, f, &pc);
	if (!dw)
		return 0;
	if (dw == prog->dwarf)
		e.addr_bias = prog->kaslr_offset;
	else
		e.dw = dw;
	// The CFA of a frame is its caller's sp, when it returns there.
	if (i + 1 < tr->n && !tr->frames[i + 1].regs_addr) {
		e.cfa = tr->frames[i + 1].sp;
		e.cfa_known = true;
	}
	n = kt_dwarf_frame_vars(dw, pc, vars, MAX_VARS);
	if (n > max)
		n = max;
	for (size_t v = 0; v < n; v++) {
		struct kt_frame_var *o = &ret[v];

		memset(o, 0, sizeof(*o));
		o->name = vars[v].name;
		o->function = vars[v].function;
		o->param = vars[v].param;
		o->size = vars[v].size;
		o->type = vars[v].type;
		o->reg = -1;
		o->why = eval_location(&e, &vars[v], &o->value, &o->addr,
				       &o->reg);
		o->known = !o->why;
		o->in_memory = o->addr != 0;
		if (o->known && o->size && o->size < 8)
			o->value &= (1ULL << (8 * o->size)) - 1;
	}
	return n;
}
