// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <capstone/capstone.h>

#include "core/disasm.h"
#include "core/module.h"
#include "core/program.h"
#include "core/vmlinux.h"

#define PAGE_SIZE 4096ULL
/* A function larger than this is not a function: refuse, don't allocate. */
#define MAX_RANGE (1ULL << 20)
/* Modules live above this; vmlinux's text below it. */
#define MODULES_VADDR 0xffffffffc0000000ULL

struct kt_disasm {
	csh handle;
	cs_insn *insn;
};

struct kt_error *kt_disasm_create(struct kt_disasm **ret)
{
	struct kt_disasm *d = calloc(1, sizeof(*d));

	if (!d)
		return &kt_error_nomem;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &d->handle) != CS_ERR_OK) {
		free(d);
		return kt_error_create(KT_ERR_UNSUPPORTED,
				       "capstone has no x86-64 decoder");
	}
	cs_option(d->handle, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
	cs_option(d->handle, CS_OPT_DETAIL, CS_OPT_ON);
	d->insn = cs_malloc(d->handle);
	if (!d->insn) {
		cs_close(&d->handle);
		free(d);
		return &kt_error_nomem;
	}
	*ret = d;
	return NULL;
}

void kt_disasm_destroy(struct kt_disasm *d)
{
	if (!d)
		return;
	cs_free(d->insn, 1);
	cs_close(&d->handle);
	free(d);
}

/* ---- registers ---- */

/* Capstone's names of each general register at 8, 4, 2, 1 (and high 1). */
static const struct {
	int reg;
	const char *names[5];
} gprs[] = {
	{ KT_REG_RAX, { "rax", "eax", "ax", "al", "ah" } },
	{ KT_REG_RBX, { "rbx", "ebx", "bx", "bl", "bh" } },
	{ KT_REG_RCX, { "rcx", "ecx", "cx", "cl", "ch" } },
	{ KT_REG_RDX, { "rdx", "edx", "dx", "dl", "dh" } },
	{ KT_REG_RSI, { "rsi", "esi", "si", "sil" } },
	{ KT_REG_RDI, { "rdi", "edi", "di", "dil" } },
	{ KT_REG_RBP, { "rbp", "ebp", "bp", "bpl" } },
	{ KT_REG_RSP, { "rsp", "esp", "sp", "spl" } },
	{ KT_REG_R8, { "r8", "r8d", "r8w", "r8b" } },
	{ KT_REG_R9, { "r9", "r9d", "r9w", "r9b" } },
	{ KT_REG_R10, { "r10", "r10d", "r10w", "r10b" } },
	{ KT_REG_R11, { "r11", "r11d", "r11w", "r11b" } },
	{ KT_REG_R12, { "r12", "r12d", "r12w", "r12b" } },
	{ KT_REG_R13, { "r13", "r13d", "r13w", "r13b" } },
	{ KT_REG_R14, { "r14", "r14d", "r14w", "r14b" } },
	{ KT_REG_R15, { "r15", "r15d", "r15w", "r15b" } },
	{ KT_REG_RIP, { "rip", "eip", "ip" } },
	{ KT_REG_CS, { "cs" } },
	{ KT_REG_SS, { "ss" } },
	{ KT_REG_DS, { "ds" } },
	{ KT_REG_ES, { "es" } },
	{ KT_REG_FS, { "fs" } },
	{ KT_REG_GS, { "gs" } },
};

static int map_reg(struct kt_disasm *d, unsigned csreg)
{
	const char *name;

	if (csreg == X86_REG_INVALID)
		return KT_DISASM_NOREG;
	name = cs_reg_name(d->handle, csreg);
	if (!name)
		return KT_DISASM_NOREG;
	for (size_t i = 0; i < sizeof(gprs) / sizeof(gprs[0]); i++)
		for (size_t j = 0; j < 5 && gprs[i].names[j]; j++)
			if (!strcmp(name, gprs[i].names[j]))
				return gprs[i].reg;
	return KT_DISASM_NOREG;
}

const char *kt_disasm_reg_name(int reg)
{
	if (reg < 0 || reg >= KT_NR_REGS)
		return "?";
	return kt_reg_names[reg];
}

/* ---- text as gdb prints it ---- */

static void append(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void append(char *buf, size_t size, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
}

static uint64_t mask(int64_t v, unsigned size)
{
	return size && size < 8 ? (uint64_t)v & ((1ULL << (8 * size)) - 1)
				: (uint64_t)v;
}

static void signed_hex(char *buf, size_t size, int64_t v)
{
	if (v < 0)
		append(buf, size, "-0x%" PRIx64, -(uint64_t)v);
	else
		append(buf, size, "0x%" PRIx64, (uint64_t)v);
}

/*
 * gdb writes a displacement the encoding has even when it is zero
 * ("nopl 0x0(%rax,%rax,1)"), and a scale whenever there is an index.
 */
static void format_mem(struct kt_disasm *d, const cs_x86 *x,
		       const x86_op_mem *m, char *buf, size_t size)
{
	unsigned mod = x->modrm >> 6;
	bool base = m->base != X86_REG_INVALID;
	bool index = m->index != X86_REG_INVALID;

	if (m->segment != X86_REG_INVALID)
		append(buf, size, "%%%s:", cs_reg_name(d->handle, m->segment));
	if (!base && !index)
		append(buf, size, "0x%" PRIx64, (uint64_t)m->disp);
	else if (m->disp || mod == 1 || mod == 2)
		signed_hex(buf, size, m->disp);
	if (!base && !index)
		return;
	append(buf, size, "(");
	if (base)
		append(buf, size, "%%%s", cs_reg_name(d->handle, m->base));
	if (index)
		append(buf, size, ",%%%s,%d", cs_reg_name(d->handle, m->index),
		       m->scale);
	append(buf, size, ")");
}

static void format_operands(struct kt_disasm *d, const cs_insn *in,
			    struct kt_disasm_insn *ret)
{
	const cs_x86 *x = &in->detail->x86;
	bool branch = ret->flow == KT_FLOW_CALL || ret->flow == KT_FLOW_JMP ||
		      ret->flow == KT_FLOW_JCC;
	char *buf = ret->operands;
	size_t size = sizeof(ret->operands);

	*buf = 0;
	for (int i = 0; i < x->op_count; i++) {
		const cs_x86_op *o = &x->operands[i];

		if (i)
			append(buf, size, ",");
		if (branch && o->type != X86_OP_IMM)
			append(buf, size, "*");
		switch (o->type) {
		case X86_OP_REG:
			append(buf, size, "%%%s", cs_reg_name(d->handle, o->reg));
			break;
		case X86_OP_IMM:
			if (branch)
				append(buf, size, "0x%" PRIx64, (uint64_t)o->imm);
			else
				append(buf, size, "$0x%" PRIx64,
				       mask(o->imm, o->size));
			break;
		case X86_OP_MEM:
			format_mem(d, x, &o->mem, buf, size);
			break;
		default:
			append(buf, size, "?");
		}
	}
	// Capstone's text is the fallback for what its detail leaves out.
	if (!x->op_count && in->op_str[0])
		snprintf(buf, size, "%.127s", in->op_str);
}

/* Mnemonics whose size suffix gdb leaves out when a register tells it. */
static const char *const suffixed[] = {
	"mov", "add", "sub", "and", "or", "xor", "cmp", "test", "lea", "push",
	"pop", "inc", "dec", "neg", "not", "shl", "shr", "sar", "sal", "rol",
	"ror", "rcl", "rcr", "adc", "sbb", "xchg", "cmpxchg", "xadd", "imul",
	"mul", "div", "idiv", "bt", "bts", "btr", "btc", "bsf", "bsr", "shld",
	"shrd", "popcnt", "tzcnt", "lzcnt", "movbe", "bswap", "crc32",
};

static bool has_gpr_operand(const cs_insn *in)
{
	const cs_x86 *x = &in->detail->x86;

	for (int i = 0; i < x->op_count; i++)
		if (x->operands[i].type == X86_OP_REG)
			return true;
	return false;
}

/*
 * Capstone says "callq", "retq", "movq %rdi, %rbx"; gdb says "call",
 * "ret", "mov %rdi,%rbx" and keeps the suffix only where no register
 * gives the size ("cmpq $0x0,0x140(%rdx)").
 */
static void format_mnemonic(const cs_insn *in, struct kt_disasm_insn *ret)
{
	char *m = ret->mnemonic, *word, *end;
	size_t len;

	snprintf(m, sizeof(ret->mnemonic), "%s", in->mnemonic);
	word = strrchr(m, ' ');
	word = word ? word + 1 : m;
	len = strlen(word);
	if (len < 2 || !strchr("bwlq", word[len - 1]))
		return;
	end = word + len - 1;
	if (ret->flow == KT_FLOW_CALL || ret->flow == KT_FLOW_RET ||
	    ret->flow == KT_FLOW_JMP) {
		if (*end == 'q')
			*end = 0;
		return;
	}
	if (!has_gpr_operand(in) && strncmp(word, "push", 4) &&
	    strncmp(word, "pop", 3))
		return;
	if (!strncmp(word, "cmov", 4)) {
		*end = 0;
		return;
	}
	for (size_t i = 0; i < sizeof(suffixed) / sizeof(suffixed[0]); i++) {
		if (strlen(suffixed[i]) == len - 1 &&
		    !strncmp(word, suffixed[i], len - 1)) {
			*end = 0;
			return;
		}
	}
}

/* ---- facts ---- */

static bool in_group(const cs_insn *in, uint8_t group)
{
	for (int i = 0; i < in->detail->groups_count; i++)
		if (in->detail->groups[i] == group)
			return true;
	return false;
}

static enum kt_disasm_flow flow_of(const cs_insn *in)
{
	if (in_group(in, CS_GRP_CALL))
		return KT_FLOW_CALL;
	if (in_group(in, CS_GRP_RET) || in_group(in, CS_GRP_IRET))
		return KT_FLOW_RET;
	if (in_group(in, CS_GRP_JUMP))
		return in->id == X86_INS_JMP || in->id == X86_INS_LJMP
			       ? KT_FLOW_JMP
			       : KT_FLOW_JCC;
	if (in->id == X86_INS_UD2 || in->id == X86_INS_INT3 ||
	    in->id == X86_INS_INT || in_group(in, CS_GRP_INT))
		return KT_FLOW_TRAP;
	return KT_FLOW_NONE;
}

/*
 * Capstone 4 leaves the access of some destinations unset or read-only
 * (cmpxchg, xadd); those read and write their last AT&T operand.
 */
static void fix_access(const cs_insn *in, struct kt_disasm_insn *ret)
{
	struct kt_disasm_op *dst;

	if (!ret->nops)
		return;
	dst = &ret->ops[ret->nops - 1];
	switch (in->id) {
	case X86_INS_CMPXCHG:
	case X86_INS_XADD:
	case X86_INS_XCHG:
		dst->read = dst->written = true;
		if (in->id != X86_INS_CMPXCHG)
			ret->ops[0].written = true;
		break;
	default:
		break;
	}
}

static void fill_op(struct kt_disasm *d, const cs_insn *in,
		    const cs_x86_op *o, struct kt_disasm_op *op)
{
	memset(op, 0, sizeof(*op));
	op->size = o->size;
	op->read = o->access & CS_AC_READ;
	op->written = o->access & CS_AC_WRITE;
	op->reg = KT_DISASM_NOREG;
	switch (o->type) {
	case X86_OP_REG:
		op->kind = KT_OP_REG;
		op->reg = map_reg(d, o->reg);
		snprintf(op->reg_name, sizeof(op->reg_name), "%s",
			 cs_reg_name(d->handle, o->reg));
		break;
	case X86_OP_IMM:
		op->kind = KT_OP_IMM;
		op->imm = o->imm;
		break;
	case X86_OP_MEM:
		op->kind = KT_OP_MEM;
		op->mem.segment = map_reg(d, o->mem.segment);
		op->mem.base = map_reg(d, o->mem.base);
		op->mem.index = map_reg(d, o->mem.index);
		op->mem.scale = o->mem.scale;
		op->mem.disp = o->mem.disp;
		if (o->mem.base == X86_REG_RIP) {
			op->mem.rip_relative = true;
			op->mem.rip_addr = in->address + in->size + o->mem.disp;
		}
		break;
	default:
		op->kind = KT_OP_OTHER;
	}
}

static void fill(struct kt_disasm *d, const cs_insn *in,
		 struct kt_disasm_insn *ret)
{
	const cs_x86 *x = &in->detail->x86;

	ret->len = in->size;
	memcpy(ret->bytes, in->bytes, in->size);
	ret->flow = flow_of(in);
	ret->nops = x->op_count < KT_DISASM_MAX_OPS ? x->op_count
						     : KT_DISASM_MAX_OPS;
	for (unsigned i = 0; i < ret->nops; i++)
		fill_op(d, in, &x->operands[i], &ret->ops[i]);
	fix_access(in, ret);
	if (ret->flow != KT_FLOW_NONE && ret->flow != KT_FLOW_RET &&
	    ret->flow != KT_FLOW_TRAP && ret->nops == 1 &&
	    ret->ops[0].kind == KT_OP_IMM) {
		ret->has_target = true;
		ret->target = ret->ops[0].imm;
	}
	format_mnemonic(in, ret);
	format_operands(d, in, ret);
}

struct kt_error *kt_disasm_decode(struct kt_disasm *d, uint64_t addr,
				  const uint8_t *buf, size_t len,
				  struct kt_disasm_insn *ret)
{
	const uint8_t *code = buf;
	size_t left = len;
	uint64_t a = addr;

	memset(ret, 0, sizeof(*ret));
	ret->addr = addr;
	if (!len)
		return kt_error_create(KT_ERR_CORRUPT,
				       "0x%016" PRIx64 ": no bytes to decode",
				       addr);
	if (cs_disasm_iter(d->handle, &code, &left, &a, d->insn)) {
		fill(d, d->insn, ret);
		return NULL;
	}
	// Capstone cannot tell a cut-off instruction from a bad one; with
	// all that an instruction can have, it is bad.
	if (len < KT_DISASM_MAX_LEN)
		return kt_error_create(KT_ERR_CORRUPT,
				       "0x%016" PRIx64 ": instruction cut off after %zu bytes",
				       addr, len);
	ret->len = 1;
	ret->bytes[0] = buf[0];
	ret->bad = true;
	snprintf(ret->mnemonic, sizeof(ret->mnemonic), "(bad)");
	return NULL;
}

/* Read what can be read of [addr, addr + len): up to the first fault. */
static struct kt_error *read_text(struct kt_program *prog, uint64_t addr,
				  uint8_t *buf, size_t len, size_t *got)
{
	struct kt_error *err;

	*got = 0;
	if (!kt_error_catch_any(kt_read(prog, addr, buf, len))) {
		*got = len;
		return NULL;
	}
	while (*got < len) {
		uint64_t a = addr + *got;
		size_t chunk = PAGE_SIZE - (a & (PAGE_SIZE - 1));

		if (chunk > len - *got)
			chunk = len - *got;
		err = kt_read(prog, a, buf + *got, chunk);
		if (err)
			return err;
		*got += chunk;
	}
	return NULL;
}

struct kt_error *kt_disasm_read(struct kt_disasm *d, struct kt_program *prog,
				uint64_t addr, struct kt_disasm_insn *ret)
{
	uint8_t buf[KT_DISASM_MAX_LEN];
	struct kt_error *err, *derr;
	size_t got;

	err = read_text(prog, addr, buf, sizeof(buf), &got);
	derr = kt_disasm_decode(d, addr, buf, got, ret);
	if (!derr) {
		kt_error_destroy(err);
		return NULL;
	}
	if (err) {
		kt_error_destroy(derr);
		return kt_error_wrap(err, "reading text at 0x%016" PRIx64,
				     addr);
	}
	return derr;
}

void kt_disasm_list_deinit(struct kt_disasm_list *list)
{
	free(list->insns);
	kt_error_destroy(list->stop);
	memset(list, 0, sizeof(*list));
}

static struct kt_error *push(struct kt_disasm_list *list, size_t *cap,
			     const struct kt_disasm_insn *insn)
{
	if (list->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		void *p = realloc(list->insns, ncap * sizeof(*list->insns));

		if (!p)
			return &kt_error_nomem;
		list->insns = p;
		*cap = ncap;
	}
	list->insns[list->n++] = *insn;
	return NULL;
}

static struct kt_error *decode_all(struct kt_disasm *d, uint64_t start,
				   uint64_t end, size_t max, const uint8_t *buf,
				   size_t got, struct kt_disasm_list *ret)
{
	struct kt_disasm_insn insn;
	size_t cap = 0, off = 0;
	struct kt_error *err;

	while (off < got && (!end || start + off < end) &&
	       (!max || ret->n < max)) {
		err = kt_disasm_decode(d, start + off, buf + off, got - off,
				       &insn);
		if (err) {
			// Cut off by the end of what could be read.
			kt_error_destroy(err);
			break;
		}
		err = push(ret, &cap, &insn);
		if (err)
			return err;
		off += insn.len;
	}
	return NULL;
}

struct kt_error *kt_disasm_range(struct kt_disasm *d, struct kt_program *prog,
				 uint64_t start, uint64_t end, size_t max,
				 struct kt_disasm_list *ret)
{
	uint64_t len;
	uint8_t *buf;
	size_t got;
	struct kt_error *err, *fault;

	memset(ret, 0, sizeof(*ret));
	if (end && end <= start)
		return kt_error_create(KT_ERR_INVALID, "empty range");
	if (!end && !max)
		return kt_error_create(KT_ERR_INVALID, "neither end nor count");
	len = end ? end - start + KT_DISASM_MAX_LEN : max * KT_DISASM_MAX_LEN;
	if (max && max * KT_DISASM_MAX_LEN < len)
		len = max * KT_DISASM_MAX_LEN;
	if (len > MAX_RANGE)
		return kt_error_create(KT_ERR_INVALID,
				       "0x%" PRIx64 " bytes is too much text",
				       len);
	buf = malloc(len);
	if (!buf)
		return &kt_error_nomem;
	// Past @end the bytes only finish the last instruction: a fault
	// there is no fault of the range.
	fault = read_text(prog, start, buf, len, &got);
	err = decode_all(d, start, end, max, buf, got, ret);
	free(buf);
	if (err) {
		kt_error_destroy(fault);
		kt_disasm_list_deinit(ret);
		return err;
	}
	if (fault && (!end || fault->address < end) &&
	    (!max || ret->n < max)) {
		fault = kt_error_wrap(fault, "reading text at 0x%016" PRIx64,
				      start + got);
		if (!ret->n) {
			kt_disasm_list_deinit(ret);
			return fault;
		}
		ret->stop = fault;
		return NULL;
	}
	kt_error_destroy(fault);
	return NULL;
}

int kt_disasm_mem_op(const struct kt_disasm_insn *insn)
{
	for (unsigned i = 0; i < insn->nops; i++)
		if (insn->ops[i].kind == KT_OP_MEM)
			return i;
	return -1;
}

int kt_disasm_written_op(const struct kt_disasm_insn *insn)
{
	for (int i = insn->nops - 1; i >= 0; i--)
		if (insn->ops[i].written)
			return i;
	return -1;
}

/* ---- source ---- */

size_t kt_disasm_source(struct kt_program *prog, uint64_t addr,
			struct kt_inline *ret, size_t max)
{
	struct kt_dwarf *dw = NULL;
	const struct kt_module *m;
	const char *file;
	size_t n;
	int line;

	if (!max || addr < KT_START_KERNEL_MAP)
		return 0;
	// vmlinux's DWARF is at linked addresses; a module's is placed at
	// its runtime ones (kt_dwarf_open_module()).
	if (addr < MODULES_VADDR) {
		dw = prog->dwarf;
		addr -= prog->kaslr_offset;
	} else if ((m = kt_module_by_addr(prog, addr))) {
		dw = m->dwarf;
	}
	if (!dw)
		return 0;
	n = kt_dwarf_inline_chain(dw, addr, ret, max);
	if (n)
		return n;
	// Assembly has lines but no function DIEs.
	if (kt_error_catch_any(kt_dwarf_source(dw, addr, &file, &line)))
		return 0;
	ret[0] = (struct kt_inline){ .function = NULL, .file = file,
				     .line = line };
	return 1;
}
