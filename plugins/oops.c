// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * oops: decode the fault that crashed the kernel.
 *
 * The kernel log says that a fault happened ("BUG: unable to handle page
 * fault for address: X", "general protection fault, ...") and where
 * ("RIP: 0010:func+off/size"); the panic task's stack has the pt_regs of
 * that exception. The faulting instruction, decoded, gives the memory
 * operand and so the base register that held the bad pointer. What that
 * register meant in C comes from, in order: a DWARF variable whose
 * location list puts it in that register at that pc; a DWARF variable
 * whose value is the base minus a small offset (container_of); the last
 * instruction before the pc that loaded the register from a typed
 * pointer; the function's parameters by the x86-64 calling convention.
 * The displacement then names a member of the pointed-to struct.
 *
 * Without an oops in the log (a sysrq or watchdog panic), or without the
 * exception path in the panic task's stack, nothing is claimed: an
 * interrupted frame alone is an interrupt, not a fault.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dwarf.h>

#include "core/ctype.h"
#include "core/disasm.h"
#include "core/log.h"
#include "core/module.h"
#include "core/owner.h"
#include "core/stack.h"
#include "core/task.h"
#include "core/value.h"
#include "plugins/oops_trap.h"
#include "plugins/plugin.h"

#define NAME "oops"
#define MAX_VARS 64
#define MAX_DEPTH 3		/* loads followed back from the fault */
#define MAX_FUNC 8192		/* bytes of a function scanned for loads */
#define MAX_MEMBERS 4096	/* members and elements looked at per level */
#define MEMBER_DEPTH 8		/* nested structs followed to a member */

enum fault_kind { FAULT_NONE, FAULT_PAGE, FAULT_NULL, FAULT_GP };

/* What the log says about the last oops. */
struct oops_log {
	enum fault_kind kind;
	bool has_addr;		/* CR2, or the GP fault's non-canonical hint */
	uint64_t addr;
	int rec;
	char line[192];
	bool has_rip;
	char rip_sym[128];
	uint64_t rip_off;
	int rip_rec;
	char rip_line[192];
};

/* The fault being decoded. */
struct fault {
	struct kt_program *prog;
	struct kt_disasm *dis;
	const struct kt_trace *tr;
	size_t fi;			/* the faulting frame */
	const struct kt_frame *f;
	struct kt_dwarf *dw;		/* of the frame's code, or NULL */
	uint64_t bias;			/* runtime pc - DWARF pc */
	struct kt_disasm_list fn;	/* the function up to the pc */
	struct kt_disasm_insn insn;
	int mop;			/* its memory operand, or -1 */
	int base;			/* enum kt_reg, or KT_DISASM_NOREG */
	uint64_t base_val;
	uint64_t addr;			/* the address it accessed */
	bool addr_known;
};

/* What a register held, in C. */
struct cexpr {
	char expr[160];		/* "fq", "hctx->fq", "e" */
	uint64_t extra;		/* register = expr + extra */
	uint64_t load_pc;	/* by a load: where it ran, else 0 */
	struct kt_value obj;	/* what expr points to (at address 0) */
	char how[400];		/* how it was found, for the derivation */
};

static const char *const kind_words[] = {
	[FAULT_NONE] = "fault", [FAULT_PAGE] = "page fault",
	[FAULT_NULL] = "NULL pointer dereference",
	[FAULT_GP] = "general protection fault",
};

/* ---- the log ---- */

/* fmt() that may cut: every text here is for people, cut or not. */
__attribute__((format(printf, 3, 4)))
static void fmt(char *buf, size_t size, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(buf, size, f, ap);
	va_end(ap);
}


static void copy_text(char *buf, size_t size, const char *text, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(buf, text, len);
	buf[len] = '\0';
}

static enum fault_kind header_kind(const char *s, bool *has, uint64_t *addr)
{
	static const struct {
		const char *fmt;
		enum fault_kind kind;
	} hdrs[] = {
		{ "BUG: unable to handle page fault for address: %" SCNx64,
		  FAULT_PAGE },
		{ "BUG: kernel NULL pointer dereference, address: %" SCNx64,
		  FAULT_NULL },
		// before 4.20 (commit f28b11a2abd9 reworded these)
		{ "BUG: unable to handle kernel NULL pointer dereference at %"
		  SCNx64, FAULT_NULL },
		{ "BUG: unable to handle kernel paging request at %" SCNx64,
		  FAULT_PAGE },
	};
	const char *p;

	// Newer kernels prefix the trap's message: "Oops: general protection
	// fault, ..." (6.12 does, 6.1 does not).
	if (!strncmp(s, "Oops: ", 6))
		s += 6;
	for (size_t i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i++) {
		if (sscanf(s, hdrs[i].fmt, addr) == 1) {
			*has = true;
			return hdrs[i].kind;
		}
	}
	if (strncmp(s, "general protection fault", 24))
		return FAULT_NONE;
	p = strstr(s, "non-canonical address 0x");
	*has = p && sscanf(p, "non-canonical address 0x%" SCNx64, addr) == 1;
	return FAULT_GP;
}

static void parse_rip(struct oops_log *o, const char *s, int rec)
{
	char sym[128];
	uint64_t off;

	// Only a kernel-mode RIP (CS 0010) is the faulting instruction.
	if (strncmp(s, "RIP: 0010:", 10) ||
	    sscanf(s + 10, "%127[^+ ]+0x%" SCNx64, sym, &off) != 2)
		return;
	o->has_rip = true;
	fmt(o->rip_sym, sizeof(o->rip_sym), "%s", sym);
	o->rip_off = off;
	o->rip_rec = rec;
	fmt(o->rip_line, sizeof(o->rip_line), "%s", s);
}

/* The last oops header in the log and the kernel RIP printed after it. */
static void read_log(struct kt_program *prog, struct oops_log *o)
{
	const struct kt_log *log;
	struct kt_error *err;
	char buf[192];

	memset(o, 0, sizeof(*o));
	err = kt_log_load(prog, &log);
	if (err) {
		kt_error_destroy(err);
		return;
	}
	for (size_t i = 0; i < log->n; i++) {
		bool has = false;
		uint64_t addr = 0;
		enum fault_kind k;

		copy_text(buf, sizeof(buf), log->recs[i].text, log->recs[i].len);
		k = header_kind(buf, &has, &addr);
		if (k != FAULT_NONE) {
			memset(o, 0, sizeof(*o));
			o->kind = k;
			o->has_addr = has;
			o->addr = addr;
			o->rec = (int)i;
			fmt(o->line, sizeof(o->line), "%s", buf);
		} else if (o->kind != FAULT_NONE && !o->has_rip) {
			parse_rip(o, buf, (int)i);
		}
	}
}

/* ---- the frame ---- */

static bool kernel_frame(const struct kt_frame *f)
{
	return f->interrupted && f->has_regs && f->pc >= 0xffff800000000000ULL;
}

/* The interrupted frame at the log's RIP. */
static bool frame_of_log(const struct kt_trace *tr, const struct oops_log *o,
			 size_t *ret)
{
	for (size_t i = 0; o->has_rip && i < tr->n; i++) {
		const struct kt_frame *f = &tr->frames[i];

		if (kernel_frame(f) && f->has_sym &&
		    !strcmp(f->sym.name, o->rip_sym) &&
		    f->sym.offset == o->rip_off) {
			*ret = i;
			return true;
		}
	}
	return false;
}

/*
 * Without the log: the pt_regs frame under the page or GP fault handler
 * (a dump taken after the oops without kdump's crash_kexec(regs)).
 */
static enum fault_kind frame_of_handler(const struct kt_trace *tr,
					size_t *ret)
{
	enum fault_kind k = FAULT_NONE;

	for (size_t i = 0; i < tr->n; i++) {
		const struct kt_frame *f = &tr->frames[i];
		const char *n = f->has_sym ? f->sym.name : "";

		if (!strcmp(n, "asm_exc_page_fault") ||
		    !strcmp(n, "exc_page_fault") ||
		    !strcmp(n, "page_fault_oops"))
			k = FAULT_PAGE;
		else if (!strcmp(n, "asm_exc_general_protection") ||
			 !strcmp(n, "exc_general_protection"))
			k = FAULT_GP;
		else if (k != FAULT_NONE && f->regs_addr && kernel_frame(f)) {
			*ret = i;
			return k;
		}
	}
	return FAULT_NONE;
}

/* ---- types ---- */

/* @ptype's pointed-to struct or union, as a value at address 0. */
static bool pointee_struct(struct kt_program *prog, Dwarf_Die *ptype,
			   struct kt_value *ret)
{
	struct kt_value pv;
	struct kt_error *err;

	if (kt_value_rvalue(ptype, 0, 0, &pv) || pv.kind != KT_VALUE_POINTER)
		return false;
	err = kt_value_index(prog, &pv, 0, ret);
	if (err) {
		kt_error_destroy(err);
		return false;
	}
	return ret->kind == KT_VALUE_STRUCT || ret->kind == KT_VALUE_UNION;
}

static void append(char *buf, size_t size, const char *s)
{
	size_t n = strlen(buf);

	if (n < size)
		fmt(buf + n, size - n, "%s", s);
}

/*
 * The innermost member of @obj (a node whose children have offsets from
 * the outermost object) that holds byte @off, as a C path ("node.next").
 */
static bool member_at(const struct kt_value *obj, uint64_t off, char *path,
		      size_t size, struct kt_value *ret, int depth)
{
	struct kt_value_iter it = { 0 };
	struct kt_value c;
	unsigned seen = 0;

	while (seen++ < MAX_MEMBERS && kt_value_next_child(obj, &it, &c)) {
		if (!c.size || off < c.offset || off - c.offset >= c.size)
			continue;
		if (c.name) {
			if (path[0])
				append(path, size, ".");
			append(path, size, c.name);
		} else {
			append(path, size, c.label);
		}
		*ret = c;
		if (depth < MEMBER_DEPTH && (c.kind == KT_VALUE_STRUCT ||
				  c.kind == KT_VALUE_UNION ||
				  c.kind == KT_VALUE_ARRAY))
			member_at(&c, off, path, size, ret, depth + 1);
		return true;
	}
	return false;
}

/* The C name of @v's type; @buf holds KT_CTYPE_NAME bytes. */
static const char *type_name(const struct kt_value *v, char *buf)
{
	return kt_value_type_name(v, buf, KT_CTYPE_NAME);
}

/* ---- registers in C ---- */

/* DWARF register numbers of x86-64 to ktriage's. */
static int dwarf_reg(enum kt_reg r)
{
	static const enum kt_reg map[16] = {
		KT_REG_RAX, KT_REG_RDX, KT_REG_RCX, KT_REG_RBX,
		KT_REG_RSI, KT_REG_RDI, KT_REG_RBP, KT_REG_RSP,
		KT_REG_R8, KT_REG_R9, KT_REG_R10, KT_REG_R11,
		KT_REG_R12, KT_REG_R13, KT_REG_R14, KT_REG_R15,
	};

	for (int i = 0; i < 16; i++)
		if (map[i] == r)
			return i;
	return -1;
}

static bool var_in_reg(const struct kt_dwarf_var *v, int reg)
{
	int d = dwarf_reg(reg);

	if (v->nops != 1 || d < 0)
		return false;
	return v->ops[0].atom == DW_OP_reg0 + d ||
	       (v->ops[0].atom == DW_OP_regx && v->ops[0].number == (unsigned)d);
}

static const char *upper(int reg, char *buf)
{
	const char *n = kt_disasm_reg_name(reg);
	size_t i;

	for (i = 0; n[i] && i < 7; i++)
		buf[i] = n[i] >= 'a' && n[i] <= 'z' ? n[i] - 32 : n[i];
	buf[i] = '\0';
	return buf;
}

static void where(const struct fault *ft, uint64_t pc, char *buf, size_t n)
{
	const struct kt_symbol_hit *s = &ft->f->sym;

	if (ft->f->has_sym && pc >= s->addr)
		fmt(buf, n, "%s+0x%" PRIx64, s->name, pc - s->addr);
	else
		fmt(buf, n, "0x%" PRIx64, pc);
}

/* A variable whose location list puts it in @reg at @pc. */
static bool by_location(struct fault *ft, uint64_t pc, int reg,
			struct cexpr *ret)
{
	struct kt_dwarf_var vars[MAX_VARS];
	char at[160], rn[8];
	Dwarf_Die t;
	size_t n;

	if (!ft->dw)
		return false;
	n = kt_dwarf_frame_vars(ft->dw, pc - ft->bias, vars, MAX_VARS);
	for (size_t i = 0; i < n; i++) {
		struct kt_error *err;

		if (!var_in_reg(&vars[i], reg))
			continue;
		err = kt_dwarf_die(ft->dw, vars[i].type, &t);
		if (err) {
			kt_error_destroy(err);
			continue;
		}
		if (!pointee_struct(ft->prog, &t, &ret->obj))
			continue;
		fmt(ret->expr, sizeof(ret->expr), "%s", vars[i].name);
		ret->extra = 0;
		ret->load_pc = 0;
		where(ft, pc, at, sizeof(at));
		fmt(ret->how, sizeof(ret->how),
		    "DWARF location list: %s %s (of %s) is in %s at %s",
		    vars[i].param ? "parameter" : "variable",
		    vars[i].name, vars[i].function ? vars[i].function : "?",
		    upper(reg, rn), at);
		return true;
	}
	return false;
}

/*
 * A pointer variable whose value is the register's minus less than the
 * size of what it points to: the compiler kept &e->member, not e.
 */
static bool by_value(struct fault *ft, uint64_t val, int reg,
		     struct cexpr *ret)
{
	struct kt_frame_var vars[MAX_VARS];
	char rn[8], tn[KT_CTYPE_NAME];
	size_t n;

	if (!ft->dw)
		return false;
	n = kt_frame_variables(ft->prog, ft->tr, ft->fi, vars, MAX_VARS);
	for (size_t i = 0; i < n; i++) {
		struct kt_value obj;
		struct kt_error *err;
		Dwarf_Die t;
		uint64_t d = val - vars[i].value;

		if (!vars[i].known || vars[i].size != 8 || !d)
			continue;
		err = kt_dwarf_die(ft->dw, vars[i].type, &t);
		if (err) {
			kt_error_destroy(err);
			continue;
		}
		if (!pointee_struct(ft->prog, &t, &obj) || d >= obj.size)
			continue;
		ret->obj = obj;
		fmt(ret->expr, sizeof(ret->expr), "%s", vars[i].name);
		ret->extra = d;
		ret->load_pc = 0;
		fmt(ret->how, sizeof(ret->how),
		    "DWARF: %s %s (of %s) = 0x%" PRIx64 " at the fault, "
		    "and %s = %s + 0x%" PRIx64 ", inside the %s it points to",
		    vars[i].param ? "parameter" : "variable", vars[i].name,
		    vars[i].function ? vars[i].function : "?",
		    vars[i].value, upper(reg, rn), vars[i].name, d,
		    type_name(&obj, tn));
		return true;
	}
	return false;
}

static bool clobbered_by_call(int reg)
{
	return reg == KT_REG_RAX || reg == KT_REG_RCX || reg == KT_REG_RDX ||
	       reg == KT_REG_RSI || reg == KT_REG_RDI || reg == KT_REG_R8 ||
	       reg == KT_REG_R9 || reg == KT_REG_R10 || reg == KT_REG_R11;
}

/* The last instruction before @pc that writes @reg (or calls), or NULL. */
static const struct kt_disasm_insn *last_write(const struct fault *ft,
					       uint64_t pc, int reg)
{
	const struct kt_disasm_insn *w = NULL;

	for (size_t i = 0; i < ft->fn.n && ft->fn.insns[i].addr < pc; i++) {
		const struct kt_disasm_insn *in = &ft->fn.insns[i];
		int o = kt_disasm_written_op(in);

		if ((in->flow == KT_FLOW_CALL && clobbered_by_call(reg)) ||
		    (o >= 0 && in->ops[o].kind == KT_OP_REG &&
		     in->ops[o].reg == reg))
			w = in;
	}
	return w;
}

/* x86-64 passes the first six arguments in these. */
static int param_index(int reg)
{
	static const int abi[] = { KT_REG_RDI, KT_REG_RSI, KT_REG_RDX,
				   KT_REG_RCX, KT_REG_R8, KT_REG_R9 };

	for (int i = 0; i < 6; i++)
		if (abi[i] == reg)
			return i;
	return -1;
}

/* The parameter the calling convention put in @reg, never written since. */
static bool by_parameter(struct fault *ft, uint64_t pc, int reg,
			 struct cexpr *ret)
{
	struct kt_dwarf_var vars[MAX_VARS];
	const char *outer;
	int want = param_index(reg), k = 0;
	char rn[8], at[160];
	size_t n;

	// .isra/.constprop/.part clones do not keep the C signature.
	if (!ft->dw || want < 0 || !ft->f->has_sym ||
	    strchr(ft->f->sym.name, '.') || last_write(ft, pc, reg))
		return false;
	n = kt_dwarf_frame_vars(ft->dw, pc - ft->bias, vars, MAX_VARS);
	if (!n)
		return false;
	outer = vars[n - 1].function;
	for (size_t i = 0; i < n; i++) {
		Dwarf_Die t;
		struct kt_error *err;

		if (!vars[i].param || vars[i].function != outer || k++ != want)
			continue;
		err = kt_dwarf_die(ft->dw, vars[i].type, &t);
		if (err) {
			kt_error_destroy(err);
			return false;
		}
		if (!pointee_struct(ft->prog, &t, &ret->obj))
			return false;
		fmt(ret->expr, sizeof(ret->expr), "%s", vars[i].name);
		ret->extra = 0;
		ret->load_pc = 0;
		where(ft, pc, at, sizeof(at));
		fmt(ret->how, sizeof(ret->how),
		    "parameter types: %s is parameter %d of %s, passed in "
		    "%s, which nothing before %s writes",
		    vars[i].name, want + 1, outer ? outer : "?",
		    upper(reg, rn), at);
		return true;
	}
	return false;
}

static bool resolve(struct fault *ft, uint64_t pc, int reg, int depth,
		    struct cexpr *ret);

/* @reg was loaded by @w from a member of a typed pointer: follow it. */
static bool by_load(struct fault *ft, const struct kt_disasm_insn *w,
		    int depth, struct cexpr *ret)
{
	const struct kt_disasm_mem *m;
	char path[128] = "", at[160], tn[KT_CTYPE_NAME], tn2[KT_CTYPE_NAME];
	char rn[8];
	struct kt_value mem;
	struct cexpr src;

	if (w->flow != KT_FLOW_NONE || strcmp(w->mnemonic, "mov") ||
	    w->nops != 2 || w->ops[0].kind != KT_OP_MEM ||
	    w->ops[0].size != 8)
		return false;
	m = &w->ops[0].mem;
	if (m->base == KT_DISASM_NOREG || m->index != KT_DISASM_NOREG ||
	    m->rip_relative || !resolve(ft, w->addr, m->base, depth + 1, &src))
		return false;
	if (!member_at(&src.obj, src.extra + m->disp, path, sizeof(path),
		       &mem, 0) ||
	    mem.offset != src.extra + m->disp ||
	    !pointee_struct(ft->prog, &mem.type, &ret->obj))
		return false;
	fmt(ret->expr, sizeof(ret->expr), "%s->%s", src.expr, path);
	ret->extra = 0;
	ret->load_pc = w->addr;
	where(ft, w->addr, at, sizeof(at));
	// Address order is not flow order: a loop's back edge can bring a
	// later write first. The derivation says which write was taken.
	fmt(ret->how, sizeof(ret->how),
	    "the last write of %s before the fault in address order is %s: "
	    "%s %s, which loads %s (%s, at +0x%" PRIx64 " of %s) [%s]",
	    upper(w->ops[1].reg, rn), at, w->mnemonic, w->operands, ret->expr,
	    type_name(&mem, tn), mem.offset, type_name(&src.obj, tn2),
	    src.how);
	return true;
}

/* What @reg held at @pc, in C. */
static bool resolve(struct fault *ft, uint64_t pc, int reg, int depth,
		    struct cexpr *ret)
{
	const struct kt_disasm_insn *w;

	if (depth > MAX_DEPTH || reg == KT_DISASM_NOREG)
		return false;
	if (by_location(ft, pc, reg, ret))
		return true;
	w = last_write(ft, pc, reg);
	if (w && by_load(ft, w, depth, ret))
		return true;
	return !w && by_parameter(ft, pc, reg, ret);
}

/* ---- the fault ---- */

static struct kt_dwarf *code_dwarf(struct kt_program *prog, uint64_t pc,
				   uint64_t *bias)
{
	const struct kt_module *m;

	// vmlinux's DWARF is at link addresses, a module's at runtime ones.
	if (pc >= KT_START_KERNEL_MAP && pc < 0xffffffffc0000000ULL) {
		*bias = prog->kaslr_offset;
		return prog->dwarf;
	}
	*bias = 0;
	m = kt_module_by_addr(prog, pc);
	return m ? m->dwarf : NULL;
}

static uint64_t reg_value(const struct kt_frame *f, int reg, bool *ok)
{
	if (reg < 0 || reg >= KT_NR_REGS || !(f->regs.known & (1u << reg))) {
		*ok = false;
		return 0;
	}
	return f->regs.r[reg];
}

/* Decode the instruction at the frame's pc and what it accessed. */
static void decode(struct fault *ft)
{
	const struct kt_disasm_mem *m;
	struct kt_error *err;
	bool ok = true;
	uint64_t start;

	ft->mop = -1;
	ft->base = KT_DISASM_NOREG;
	err = kt_disasm_read(ft->dis, ft->prog, ft->f->pc, &ft->insn);
	if (err) {
		// Text left out of the dump: the fault is still worth saying.
		fmt(ft->insn.mnemonic, sizeof(ft->insn.mnemonic), "%s",
		    "(unreadable)");
		fmt(ft->insn.operands, sizeof(ft->insn.operands), "%s",
		    err->message);
		kt_error_destroy(err);
		return;
	}
	ft->dw = code_dwarf(ft->prog, ft->f->pc, &ft->bias);
	start = ft->f->has_sym ? ft->f->sym.addr : ft->f->pc;
	if (ft->f->pc - start > MAX_FUNC)
		start = ft->f->pc;
	if (start < ft->f->pc) {
		err = kt_disasm_range(ft->dis, ft->prog, start, ft->f->pc, 0,
				      &ft->fn);
		kt_error_destroy(err);	// no function body: no loads to follow
	}
	ft->mop = kt_disasm_mem_op(&ft->insn);
	if (ft->mop < 0)
		return;
	m = &ft->insn.ops[ft->mop].mem;
	if (m->rip_relative) {
		ft->addr = m->rip_addr;
		ft->addr_known = true;
		return;
	}
	ft->base = m->base;
	ft->base_val = m->base == KT_DISASM_NOREG ? 0 :
		       reg_value(ft->f, m->base, &ok);
	if (!ok)
		ft->base = KT_DISASM_NOREG;	// a value not known: no claim
	ft->addr = ft->base_val + (uint64_t)m->disp;
	if (m->index != KT_DISASM_NOREG)
		ft->addr += reg_value(ft->f, m->index, &ok) * m->scale;
	// fs:/gs: bases are not in pt_regs: the address is not known.
	ft->addr_known = ok && m->segment == KT_DISASM_NOREG;
}

/* ---- the finding ---- */

struct report {
	struct oops_log log;
	enum fault_kind kind;
	const char *frame_how;
	int pid;
	uint64_t task;
	bool resolved;
	struct cexpr ce;
	char member[128];	/* "flush_rq" */
	struct kt_value mem;
	bool has_member;
	char inner[200];	/* "&e->node" for a base inside *ce.expr */
	bool has_origin;	/* where the base register came from */
	struct cexpr origin;
};

static uint64_t fault_addr(const struct report *r, const struct fault *ft,
			   bool *known)
{
	*known = true;
	if ((r->kind == FAULT_PAGE || r->kind == FAULT_NULL) &&
	    r->log.has_addr)
		return r->log.addr;
	*known = ft->addr_known;
	return ft->addr;
}

static void add_title(struct kt_findings *out, struct kt_finding *f,
		      const struct report *r, const struct fault *ft)
{
	const struct kt_frame *fr = ft->f;
	char at[160], rn[8], brief[96], acc[200];
	const bool wr = ft->mop >= 0 && ft->insn.ops[ft->mop].written;
	const char *mod = fr->has_sym && fr->sym.module ? fr->sym.module : NULL;

	where(ft, fr->pc, at, sizeof(at));
	if (mod)
		fmt(at + strlen(at), sizeof(at) - strlen(at), " [%s]", mod);
	kt_owner_brief(ft->prog, ft->base_val, brief, sizeof(brief));
	if (!brief[0])
		fmt(brief, sizeof(brief), "%s",
		    ft->base_val < 4096 ? "NULL" : "?");
	if (ft->mop < 0) {
		kt_finding_title(out, f, "%s: %s at %s %s", at,
				 kind_words[r->kind], ft->insn.mnemonic,
				 ft->insn.operands);
		return;
	}
	if (r->has_member)
		fmt(acc, sizeof(acc), "%s->%s", r->ce.expr, r->member);
	else
		fmt(acc, sizeof(acc), "%s", ft->insn.operands);
	if (ft->base == KT_DISASM_NOREG)
		kt_finding_title(out, f, "%s: %s of %s", at,
				 wr ? "write" : "read", acc);
	else if (!r->resolved || !r->ce.extra)
		kt_finding_title(out, f, "%s: %s of %s (%s = %s = 0x%" PRIx64
				 ", %s)", at, wr ? "write" : "read", acc,
				 r->resolved ? r->ce.expr : "base",
				 upper(ft->base, rn), ft->base_val, brief);
	else if (r->inner[0])
		kt_finding_title(out, f, "%s: %s of %s (%s = %s = 0x%" PRIx64
				 ", %s)", at, wr ? "write" : "read", acc,
				 upper(ft->base, rn), r->inner, ft->base_val,
				 brief);
	else
		kt_finding_title(out, f, "%s: %s of %s (%s = %s + 0x%" PRIx64
				 " = 0x%" PRIx64 ", %s)", at,
				 wr ? "write" : "read", acc, upper(ft->base, rn),
				 r->ce.expr, r->ce.extra, ft->base_val, brief);
}

static void add_explanation(struct kt_findings *out, struct kt_finding *f,
			    const struct report *r, const struct fault *ft)
{
	struct kt_owner o;
	struct kt_error *err;
	char tn[KT_CTYPE_NAME], rn[8];
	const char *poison = NULL;

	kt_finding_explain(out, f, "The kernel took a %s at %s+0x%" PRIx64
			   " (%s %s).", kind_words[r->kind],
			   ft->f->has_sym ? ft->f->sym.name : "?",
			   ft->f->has_sym ? ft->f->sym.offset : 0,
			   ft->insn.mnemonic, ft->insn.operands);
	if (ft->base == KT_DISASM_NOREG)
		return;
	err = kt_owner_identify(ft->prog, ft->base_val, &o);
	if (!err) {
		for (unsigned i = 0; i < o.n; i++)
			if (o.ids[i].kind == KT_OWNER_POISON)
				poison = o.ids[i].name;
	}
	kt_error_destroy(err);
	if (r->resolved)
		kt_finding_explain(out, f, "%s held %s%s, a %s pointer.",
				   upper(ft->base, rn),
				   r->ce.extra ? "an address inside " : "",
				   r->ce.expr,
				   type_name(&r->ce.obj, tn));
	if (poison)
		kt_finding_explain(out, f, "Its value 0x%" PRIx64 " is %s: "
				   "the pointer was read from an object that "
				   "had already been unlinked (list_del) or "
				   "freed, so the walk used a stale pointer.",
				   ft->base_val, poison);
	else if (ft->base_val < 4096)
		kt_finding_explain(out, f, "The pointer was NULL; find why "
				   "it was not set.");
	else
		kt_finding_explain(out, f, "The pointer 0x%" PRIx64 " itself "
				   "is bad: look at where it came from, not at "
				   "this function.", ft->base_val);
	if (r->has_origin && r->origin.load_pc) {
		char at[160];

		where(ft, r->origin.load_pc, at, sizeof(at));
		kt_finding_explain(out, f, "%s was loaded from %s, with the "
				   "values these had at %s.", upper(ft->base, rn),
				   r->origin.expr, at);
	} else if (r->has_origin) {
		kt_finding_explain(out, f, "%s is %s.", upper(ft->base, rn),
				   r->origin.expr);
	}
}

static void add_refs(struct kt_findings *out, struct kt_finding *f,
		     const struct report *r, const struct fault *ft)
{
	const struct kt_frame *fr = ft->f;
	char rn[8], label[160], brief[96], tn[KT_CTYPE_NAME];
	char tn2[KT_CTYPE_NAME];
	bool known;
	uint64_t a = fault_addr(r, ft, &known);

	kt_finding_ref_task(out, f, "panic task", r->pid, r->task);
	kt_finding_ref_frame(out, f, "faulting frame", r->pid, r->task,
			     (int)ft->fi, fr->has_sym ? fr->sym.name : NULL);
	kt_finding_ref_register(out, f, "RIP", "RIP", fr->pc, r->pid,
				(int)ft->fi);
	if (ft->base != KT_DISASM_NOREG)
		kt_finding_ref_register(out, f, "bad base", upper(ft->base, rn),
					ft->base_val, r->pid, (int)ft->fi);
	if (known) {
		kt_owner_brief(ft->prog, a, brief, sizeof(brief));
		fmt(label, sizeof(label), "faulting address%s%s%s",
		    brief[0] ? " (" : "", brief, brief[0] ? ")" : "");
		kt_finding_ref_address(out, f, label, a, r->has_member ?
				       type_name(&r->mem, tn) :
				       NULL);
	}
	if (r->resolved) {
		fmt(label, sizeof(label), "base: %s", r->ce.expr);
		fmt(tn, sizeof(tn), "%s *",
		    type_name(&r->ce.obj, tn2));
		kt_finding_ref_address(out, f, label,
				       ft->base_val - r->ce.extra, tn);
	}
	if (r->log.kind != FAULT_NONE)
		kt_finding_ref_log(out, f, "oops", r->log.rec, r->log.line);
}

static const char *regs_source(const struct fault *ft, char *buf, size_t n)
{
	if (ft->f->regs_addr)
		fmt(buf, n, "pt_regs at 0x%" PRIx64, ft->f->regs_addr);
	else
		fmt(buf, n, "%s", ft->fi == 0 && ft->tr->regs_source ?
		    ft->tr->regs_source : "saved registers");
	return buf;
}

static void add_steps(struct kt_findings *out, struct kt_finding *f,
		      const struct report *r, const struct fault *ft)
{
	char rn[8], tn[KT_CTYPE_NAME], tn2[KT_CTYPE_NAME], rs[96];
	bool known;
	uint64_t a = fault_addr(r, ft, &known);

	if (r->log.kind != FAULT_NONE)
		kt_finding_step(out, f, "log record %d: \"%s\"", r->log.rec,
				r->log.line);
	if (r->log.has_rip)
		kt_finding_step(out, f, "log record %d: \"%s\"",
				r->log.rip_rec, r->log.rip_line);
	kt_finding_step(out, f, "faulting frame #%zu of pid %d: %s",
			ft->fi, r->pid, r->frame_how);
	kt_finding_step(out, f, "instruction at 0x%" PRIx64 " (capstone): "
			"%s %s", ft->f->pc, ft->insn.mnemonic,
			ft->insn.operands);
	if (ft->mop < 0)
		return;
	if (ft->base != KT_DISASM_NOREG)
		kt_finding_step(out, f, "base register %s = 0x%" PRIx64
				" (registers of frame #%zu: %s)",
				upper(ft->base, rn), ft->base_val, ft->fi,
				regs_source(ft, rs, sizeof(rs)));
	if (r->log.has_addr)
		kt_finding_step(out, f, "the log names 0x%" PRIx64 " (%s); "
				"the operand computes 0x%" PRIx64 "%s",
				r->log.addr, r->kind == FAULT_GP ?
				"the GP fault's guess" : "CR2", ft->addr,
				ft->addr_known && ft->addr == r->log.addr ?
				" (they agree)" : " (they differ)");
	else if (known)
		kt_finding_step(out, f, "faulting address 0x%" PRIx64
				" = base + index * scale + displacement", a);
	if (r->resolved && r->ce.extra)
		kt_finding_step(out, f, "%s is %s + 0x%" PRIx64 " (%s *): %s",
				upper(ft->base, rn), r->ce.expr, r->ce.extra,
				type_name(&r->ce.obj, tn), r->ce.how);
	else if (r->resolved)
		kt_finding_step(out, f, "%s is %s (%s *): %s",
				upper(ft->base, rn), r->ce.expr,
				type_name(&r->ce.obj, tn),
				r->ce.how);
	else if (ft->base != KT_DISASM_NOREG)
		kt_finding_step(out, f, "no DWARF variable, load or parameter "
				"says what %s held", upper(ft->base, rn));
	if (r->has_member)
		kt_finding_step(out, f, "displacement 0x%" PRIx64 " + 0x%"
				PRIx64 " is member %s (%s) of %s",
				ft->insn.ops[ft->mop].mem.disp, r->ce.extra,
				r->member, type_name(&r->mem, tn),
				type_name(&r->ce.obj, tn2));
	if (r->has_origin)
		kt_finding_step(out, f, "%s came from %s: %s",
				upper(ft->base, rn), r->origin.expr,
				r->origin.how);
}

/* The member @ce's struct has at the access, into @r. */
static bool name_member(struct report *r, const struct fault *ft,
			const struct cexpr *ce)
{
	uint64_t off = ce->extra + (uint64_t)ft->insn.ops[ft->mop].mem.disp;

	r->member[0] = '\0';
	return member_at(&ce->obj, off, r->member, sizeof(r->member), &r->mem,
			 0);
}

/*
 * Name the base register and the member accessed. A name whose struct has
 * no member at the displacement (RAX = e->node.next, then 0x10(%rax)) is
 * the wrong level: a variable the base lies inside of (RAX = e + 8) names
 * the member, and the load stays as where the register came from.
 */
static void name_base(struct report *r, struct fault *ft)
{
	const struct kt_disasm_insn *w;
	struct cexpr first = { 0 };
	bool have_first;

	have_first = resolve(ft, ft->f->pc, ft->base, 0, &first);
	if (have_first && name_member(r, ft, &first)) {
		r->ce = first;
		r->resolved = r->has_member = true;
	} else if (by_value(ft, ft->base_val, ft->base, &r->ce)) {
		char path[128] = "";
		struct kt_value m;

		r->resolved = true;
		r->has_member = name_member(r, ft, &r->ce);
		// The outermost member there: &e->node, not &e->node.next.
		if (member_at(&r->ce.obj, r->ce.extra, path, sizeof(path), &m,
			      MEMBER_DEPTH) && m.offset == r->ce.extra)
			fmt(r->inner, sizeof(r->inner), "&%s->%s", r->ce.expr,
			    path);
	} else if (have_first) {
		r->ce = first;
		r->resolved = true;
	}
	if (have_first && r->ce.extra) {
		r->origin = first;
		r->has_origin = true;
		return;
	}
	w = last_write(ft, ft->f->pc, ft->base);
	if (w && !strstr(r->ce.how, w->operands))
		r->has_origin = by_load(ft, w, 0, &r->origin);
}

static void emit(struct kt_findings *out, struct report *r, struct fault *ft)
{
	struct kt_finding *f;

	if (ft->base != KT_DISASM_NOREG)
		name_base(r, ft);
	f = kt_finding_add(out, NAME, KT_SEV_CRITICAL, "0x%" PRIx64,
			   ft->f->pc);
	if (!f)
		return;
	kt_finding_kind(f, r->kind == FAULT_GP ? "gp-fault" :
			ft->base_val < 4096 ? "null-deref" : "bad-pointer");
	add_title(out, f, r, ft);
	add_explanation(out, f, r, ft);
	add_refs(out, f, r, ft);
	add_steps(out, f, r, ft);
}

/* ---- the plugin ---- */

/*
 * The frame that faulted: the one the log's oops names, else the one under
 * a fault handler on the stack. An oops in the log that no frame of the
 * panic task matches was another task's, which a later panic outlived:
 * nothing is claimed for it.
 */
static bool fault_frame(struct report *r, const struct kt_trace *tr,
			size_t *fi)
{
	enum fault_kind k;

	r->kind = r->log.kind;
	if (r->kind != FAULT_NONE && frame_of_log(tr, &r->log, fi)) {
		r->frame_how = "the interrupted frame at the log's RIP line";
		return true;
	}
	k = frame_of_handler(tr, fi);
	if (k == FAULT_NONE)
		return false;
	// The log's oops, if any, did not name this frame: none of its facts
	// (CR2) are claimed for it.
	memset(&r->log, 0, sizeof(r->log));
	r->kind = k;
	r->frame_how = "the pt_regs frame under the fault handler";
	return true;
}

static struct kt_error *oops_run(struct kt_program *prog,
				 struct kt_findings *out)
{
	struct report r = { 0 };
	struct fault ft = { .prog = prog };
	const struct kt_task_list *tl;
	const struct kt_task *t;
	const struct kt_module_list *ml;
	struct kt_trace tr = { 0 };
	struct kt_error *err;
	int cpu;

	err = kt_task_panicked(prog, &cpu, &r.task);
	if (err)
		return err;
	err = kt_tasks_load(prog, &tl);
	if (err)
		return err;
	t = kt_task_by_addr(tl, r.task);
	r.pid = t ? t->pid : -1;
	kt_error_destroy(kt_modules_load(prog, &ml));
	read_log(prog, &r.log);
	err = kt_stack_trace(prog, r.task, &tr);
	if (err)
		return err;
	ft.tr = &tr;
	if (!fault_frame(&r, &tr, &ft.fi)) {
		// no bad access: a BUG()/WARN() or another trap, or none (a
		// panic, a watchdog, sysrq)
		kt_oops_trap(prog, &tr, r.pid, r.task, out);
		kt_trace_deinit(&tr);
		return NULL;
	}
	ft.f = &tr.frames[ft.fi];
	err = kt_disasm_create(&ft.dis);
	if (!err) {
		decode(&ft);
		emit(out, &r, &ft);
	}
	kt_disasm_list_deinit(&ft.fn);
	kt_disasm_destroy(ft.dis);
	kt_trace_deinit(&tr);
	return err;
}

const struct kt_plugin kt_plugin_oops = {
	.name = NAME,
	.summary = "decode the faulting instruction of an oops: which "
		   "pointer, which struct member",
	.applies = kt_plugin_needs_panic,
	.run = oops_run,
};
