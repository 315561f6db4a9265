// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Traps: BUG()/WARN() through the bug table, and the oops kinds that are
 * no bad memory access. See oops_trap.h.
 *
 * A BUG() or WARN() is a ud2 whose address has an entry in __bug_table (or
 * the module's bug_table): file, line, and BUGFLAG_WARNING. The frame that
 * trapped is an interrupted kernel frame of the panic task (kdump's
 * crash_notes or a pt_regs on its stacks) whose pc has such an entry; the
 * log's "kernel BUG at FILE:LINE!" or "WARNING: ... at FILE:LINE" must say
 * the same. A BUG_ON(cond) reaches its ud2 by a conditional jump: the
 * compare before that jump, with the registers at the trap (a jump changes
 * none), says what was tested.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bug.h"
#include "core/disasm.h"
#include "core/log.h"
#include "core/module.h"
#include "core/owner.h"
#include "plugins/oops_trap.h"

/* the oops plugin's own name: a finding's plugin is compared as a pointer
 * (a sanitizer build does not merge equal string literals) */
extern const struct kt_plugin kt_plugin_oops;
#define NAME (kt_plugin_oops.name)
#define MAX_SCAN 16384		/* bytes of code searched for the jump */
#define MAX_LINE 256

void kt_trap_log_init(struct kt_trap_log *l)
{
	memset(l, 0, sizeof(*l));
	l->bug_rec = l->warn_rec = l->ud_rec = l->de_rec = -1;
	l->guard_rec = l->nx_rec = l->pagedump_rec = l->page_rec = -1;
	l->panic_warn_rec = -1;
}

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* "FILE:LINE" at @s: the file up to the last ':' before digits. */
static bool file_line(const char *s, char *file, size_t size, unsigned *line)
{
	const char *end = s + strcspn(s, " !"), *colon = NULL;

	for (const char *p = s; p < end; p++)
		if (*p == ':')
			colon = p;
	if (!colon || colon == s || sscanf(colon + 1, "%u", line) != 1)
		return false;
	snprintf(file, size, "%.*s", (int)(colon - s), s);
	return true;
}

void kt_trap_log_line(struct kt_trap_log *l, const char *text, int rec)
{
	const char *s = text, *at;
	uint64_t a, lo, hi;

	// Newer kernels prefix the trap's name: "Oops: invalid opcode: ..."
	if (starts(s, "Oops: "))
		s += 6;
	if (starts(s, "kernel BUG at ") &&
	    file_line(s + 14, l->bug_file, sizeof(l->bug_file), &l->bug_line))
		l->bug_rec = rec;
	// "WARNING: CPU: 1 PID: 42 at FILE:LINE func+0x1/0x2", and 7.x's
	// "WARNING: FILE:LINE at func+0x1/0x2, CPU#1: comm/42"
	else if (starts(s, "WARNING: ") &&
		 (((at = strstr(s, " at ")) &&
		   file_line(at + 4, l->warn_file, sizeof(l->warn_file),
			     &l->warn_line)) ||
		  file_line(s + 9, l->warn_file, sizeof(l->warn_file),
			    &l->warn_line)))
		l->warn_rec = rec;
	else if (starts(s, "invalid opcode: "))
		l->ud_rec = rec;
	else if (starts(s, "divide error: "))
		l->de_rec = rec;
	else if (starts(s, "BUG: ") && (at = strstr(s, "stack guard page was "
						    "hit at ")) &&
		 sscanf(at, "stack guard page was hit at %" SCNx64
			" (stack is %" SCNx64 "..%" SCNx64 ")", &a, &lo,
			&hi) == 3) {
		// 6.x names the stack: "BUG: TASK stack guard page ..."; the
		// addresses are %p, hashed: not addresses
		l->guard_rec = rec;
		l->guard_addr = a;
		l->guard_lo = lo;
		l->guard_hi = hi;
	} else if (starts(s, "kernel tried to execute NX-protected page"))
		l->nx_rec = rec;
	else if (starts(s, "page dumped because: ")) {
		l->pagedump_rec = rec;
		snprintf(l->pagedump, sizeof(l->pagedump), "%s", s + 21);
	} else if (sscanf(s, "page:%" SCNx64 " refcount:", &a) == 1) {
		l->page_rec = rec;
		l->page = a;
	} else if (starts(s, "Kernel panic - not syncing: ") &&
		   strstr(s, "panic_on_warn"))
		l->panic_warn_rec = rec;
}

static void read_log(struct kt_program *prog, struct kt_trap_log *l,
		     const struct kt_log **ret)
{
	char buf[MAX_LINE];
	struct kt_error *err;

	kt_trap_log_init(l);
	*ret = NULL;
	if ((err = kt_log_load(prog, ret))) {
		kt_error_destroy(err);
		*ret = NULL;
		return;
	}
	for (size_t i = 0; i < (*ret)->n; i++) {
		const struct kt_log_record *r = &(*ret)->recs[i];
		size_t n = r->len < sizeof(buf) - 1 ? r->len : sizeof(buf) - 1;

		memcpy(buf, r->text, n);
		buf[n] = 0;
		kt_trap_log_line(l, buf, (int)i);
	}
}

/* ---- the trap ---- */

struct trap {
	struct kt_program *prog;
	const struct kt_trace *tr;
	size_t fi;
	const struct kt_frame *f;
	struct kt_bug bug;
	char func[160];		/* the function the trap is in */
	char src[200];		/* "lib/list_debug.c:53" from DWARF, or "" */
	char caller[160];	/* the frame above, or "" */
	/* a BUG_ON()'s test */
	bool has_test;
	bool fallthrough;	/* the jump skips the trap when not taken */
	struct kt_disasm_insn test, jump;
	char test_vals[160];
};

static bool kernel_frame(const struct kt_frame *f)
{
	return f->interrupted && f->pc >= 0xffff800000000000ULL;
}

/* "name [module]" of a frame's function, without the .cold & co. part */
static void frame_name(const struct kt_frame *f, char *buf, size_t size)
{
	size_t n;

	if (!f->has_sym) {
		snprintf(buf, size, "0x%" PRIx64, f->pc);
		return;
	}
	n = strcspn(f->sym.name, ".");
	snprintf(buf, size, "%.*s%s%s%s", (int)n, f->sym.name,
		 f->sym.module ? " [" : "", f->sym.module ? f->sym.module : "",
		 f->sym.module ? "]" : "");
}

static void names(struct trap *t)
{
	struct kt_inline in[8];
	size_t n = kt_frame_functions(t->prog, t->f, in, 8);

	frame_name(t->f, t->func, sizeof(t->func));
	if (n && in[n - 1].function)
		snprintf(t->func, sizeof(t->func), "%s%s%s%s",
			 in[n - 1].function,
			 t->f->has_sym && t->f->sym.module ? " [" : "",
			 t->f->has_sym && t->f->sym.module ?
			 t->f->sym.module : "",
			 t->f->has_sym && t->f->sym.module ? "]" : "");
	if (n && in[0].file)
		snprintf(t->src, sizeof(t->src), "%s:%d%s%s", in[0].file,
			 in[0].line, in[0].function ? " in " : "",
			 in[0].function ? in[0].function : "");
	for (size_t i = t->fi + 1; i < t->tr->n; i++) {
		if (t->tr->frames[i].has_sym) {
			frame_name(&t->tr->frames[i], t->caller,
				   sizeof(t->caller));
			break;
		}
	}
}

static uint64_t regval(const struct kt_frame *f, int reg, bool *ok)
{
	*ok = reg >= 0 && reg < KT_NR_REGS && (f->regs.known & (1u << reg));
	return *ok ? f->regs.r[reg] : 0;
}

/* A memory operand's address and value at the trap: "[0x...]=0x400". */
static void mem_value(const struct trap *t, const struct kt_disasm_op *op,
		      char *buf, size_t size)
{
	const struct kt_disasm_mem *m = &op->mem;
	uint64_t a = (uint64_t)m->disp, v = 0, x;
	bool ok = true;
	char brief[96];

	if (m->segment != KT_DISASM_NOREG || !op->size || op->size > 8)
		return;
	if (m->rip_relative) {
		a = m->rip_addr;
	} else {
		if (m->base != KT_DISASM_NOREG)
			a += regval(t->f, m->base, &ok);
		if (ok && m->index != KT_DISASM_NOREG)
			a += (x = regval(t->f, m->index, &ok)) * m->scale;
	}
	if (!ok || kt_error_catch_any(kt_read(t->prog, a, &v, op->size)))
		return;
	kt_owner_brief(t->prog, a, brief, sizeof(brief));
	snprintf(buf + strlen(buf), size - strlen(buf), "%s[0x%" PRIx64 "%s%s%s]"
		 "=0x%" PRIx64, buf[0] ? ", " : "", a, brief[0] ? " " : "",
		 brief, "", v);
}

/* The operands' values at the trap, "RAX=0x4e RDX=0x0". */
static void operand_values(const struct trap *t, const struct kt_disasm_insn *i,
			   char *buf, size_t size)
{
	buf[0] = 0;
	for (unsigned k = 0; k < i->nops; k++) {
		const struct kt_disasm_op *op = &i->ops[k];
		uint64_t v;
		bool ok;

		if (op->kind == KT_OP_MEM) {
			mem_value(t, op, buf, size);
			continue;
		}
		if (op->kind != KT_OP_REG)
			continue;
		v = regval(t->f, op->reg, &ok);
		if (ok)
			snprintf(buf + strlen(buf), size - strlen(buf),
				 "%s%s=0x%" PRIx64, buf[0] ? ", " : "",
				 op->reg_name, v);
	}
}

static bool is_test(const struct kt_disasm_insn *c)
{
	return !strncmp(c->mnemonic, "cmp", 3) ||
	       !strncmp(c->mnemonic, "test", 4) ||
	       !strncmp(c->mnemonic, "bt", 2);
}

/* Instructions that leave the flags alone, between a test and its jump. */
static bool keeps_flags(const struct kt_disasm_insn *c)
{
	return !strncmp(c->mnemonic, "mov", 3) ||
	       !strncmp(c->mnemonic, "lea", 3) || !strncmp(c->mnemonic, "nop", 3);
}

/* The compare that set the flags for the jump at @i of @l, or NULL. */
static const struct kt_disasm_insn *flag_setter(const struct kt_disasm_list *l,
						size_t i)
{
	for (size_t k = i; k-- > 0 && i - k <= 4;) {
		if (keeps_flags(&l->insns[k]))
			continue;
		return is_test(&l->insns[k]) ? &l->insns[k] : NULL;
	}
	return NULL;
}

/*
 * A conditional jump to the trap in the code before it (its own function,
 * or the one its .cold part was split from), and the compare before that.
 */
static void find_test(struct trap *t, struct kt_disasm *dis)
{
	uint64_t starts_[2] = { 0, 0 };
	size_t ns = 0;
	char main_name[160];

	if (!t->f->has_sym)
		return;
	starts_[ns++] = t->f->sym.addr;
	snprintf(main_name, sizeof(main_name), "%.*s",
		 (int)strcspn(t->f->sym.name, "."), t->f->sym.name);
	if (strcmp(main_name, t->f->sym.name)) {
		uint64_t a;
		struct kt_error *err = kt_symbol_address(t->prog, main_name,
							  &a);

		if (!err)
			starts_[ns++] = a;
		kt_error_destroy(err);
	}
	for (size_t s = 0; s < ns && !t->has_test; s++) {
		struct kt_disasm_list l = { 0 };
		struct kt_error *err;

		err = kt_disasm_range(dis, t->prog, starts_[s],
				      starts_[s] == t->f->sym.addr ? t->f->pc :
				      starts_[s] + MAX_SCAN, 0, &l);
		if (err) {
			kt_error_destroy(err);
			continue;
		}
		for (size_t i = 1; i < l.n; i++) {
			const struct kt_disasm_insn *j = &l.insns[i];
			const struct kt_disasm_insn *c = flag_setter(&l, i);

			if (j->flow != KT_FLOW_JCC || !c)
				continue;
			// WARN_ON(x) often falls through into its trap: the
			// jump right before it skips the trap when x is false
			if (j->addr + j->len == t->f->pc && i + 1 == l.n) {
				t->has_test = t->fallthrough = true;
				t->test = *c;
				t->jump = *j;
				operand_values(t, c, t->test_vals,
					       sizeof(t->test_vals));
				break;
			}

			if (j->flow == KT_FLOW_TRAP && j->addr > t->f->pc)
				break;
			if (!j->has_target || j->target != t->f->pc)
				continue;
			t->has_test = true;
			t->test = *c;
			t->jump = *j;
			operand_values(t, c, t->test_vals,
				       sizeof(t->test_vals));
			break;
		}
		kt_disasm_list_deinit(&l);
	}
}

static bool find_bug(struct trap *t)
{
	for (size_t i = 0; i < t->tr->n; i++) {
		const struct kt_frame *f = &t->tr->frames[i];
		struct kt_error *err;

		if (!kernel_frame(f))
			continue;
		err = kt_bug_find(t->prog, f->pc, &t->bug);
		if (!err) {
			t->fi = i;
			t->f = f;
			return true;
		}
		kt_error_destroy(err);
	}
	return false;
}

static void emit_bug(struct trap *t, const struct kt_trap_log *l,
		     const struct kt_log *log, int pid, uint64_t task,
		     struct kt_findings *out)
{
	const bool warn = kt_bug_is_warning(&t->bug);
	const int rec = warn ? l->warn_rec : l->bug_rec;
	const char *lfile = warn ? l->warn_file : l->bug_file;
	const unsigned lline = warn ? l->warn_line : l->bug_line;
	struct kt_finding *f;
	char where[300];

	if (t->bug.file[0])
		snprintf(where, sizeof(where), "%s:%u", t->bug.file,
			 t->bug.line);
	else
		snprintf(where, sizeof(where), "%s", t->func);
	f = kt_finding_add(out, NAME, KT_SEV_CRITICAL, "0x%" PRIx64,
			   t->f->pc);
	if (!f)
		return;
	kt_finding_kind(f, warn ? "warn" : "bug");
	if (warn)
		kt_finding_title(out, f, "WARNING at %s in %s%s%s%s", where,
				 t->func, t->caller[0] ? ", called from " : "",
				 t->caller, l->panic_warn_rec >= 0 ?
				 " (panic_on_warn)" : "");
	else
		kt_finding_title(out, f, "kernel BUG at %s in %s%s%s", where,
				 t->func, t->caller[0] ? ", called from " : "",
				 t->caller);
	kt_finding_explain(out, f, "%s hit a %s: the trap at 0x%" PRIx64
			   " is the %s of %s:%u, by the %s bug table.",
			   t->func, warn ? "WARN()" : "BUG()", t->f->pc,
			   warn ? "WARN()" : "BUG()",
			   t->bug.file[0] ? t->bug.file : "?", t->bug.line,
			   t->bug.table);
	if (t->has_test)
		kt_finding_explain(out, f, "It is a conditional one (%s): %s "
				   "%s (%s), then %s %s the trap: the "
				   "condition held with these values.",
				   warn ? "WARN_ON" : "BUG_ON", t->test.mnemonic,
				   t->test.operands, t->test_vals[0] ?
				   t->test_vals : "no register operands",
				   t->jump.mnemonic, t->fallthrough ?
				   "not taken, falling into" : "to");
	else
		kt_finding_explain(out, f, "No conditional jump to the trap "
				   "was found: the code reached it "
				   "unconditionally (a plain %s, often after "
				   "a report printed just before it in the "
				   "log).", warn ? "WARN()" : "BUG()");
	if (warn && l->panic_warn_rec < 0)
		kt_finding_explain(out, f, "A WARN() alone does not stop the "
				   "kernel; this one is on the panic task's "
				   "stack.");
	kt_finding_ref_task(out, f, "panic task", pid, task);
	kt_finding_ref_frame(out, f, "trapping frame", pid, task,
			     (int)t->fi, t->f->has_sym ? t->f->sym.name :
			     NULL);
	kt_finding_ref_register(out, f, "RIP", "RIP", t->f->pc, pid,
				(int)t->fi);
	kt_finding_ref_address(out, f, "bug table entry", t->bug.entry,
			       "struct bug_entry");
	if (rec >= 0 && log && (size_t)rec < log->n) {
		const struct kt_log_record *r = &log->recs[rec];

		snprintf(where, sizeof(where), "%.*s",
			 (int)(r->len < 200 ? r->len : 200), r->text);
		kt_finding_ref_log(out, f, warn ? "warning" : "BUG", rec,
				   where);
	}
	kt_finding_step(out, f, "frame #%zu of pid %d stopped at 0x%" PRIx64
			" (%s+0x%" PRIx64 "): %s", t->fi, pid, t->f->pc,
			t->f->has_sym ? t->f->sym.name : "?",
			t->f->has_sym ? t->f->sym.offset : 0,
			t->f->regs_addr ? "a pt_regs on its stack" :
			"the registers saved at the crash");
	kt_finding_step(out, f, "%s bug table: entry 0x%" PRIx64 " has "
			"address 0x%" PRIx64 ", file \"%s\", line %u, flags "
			"0x%x (%s)", t->bug.table, t->bug.entry, t->bug.addr,
			t->bug.file, t->bug.line, t->bug.flags,
			warn ? "BUGFLAG_WARNING: a WARN" : "a BUG");
	if (t->bug.format[0])
		kt_finding_step(out, f, "its format string: \"%s\"",
				t->bug.format);
	if (t->src[0])
		kt_finding_step(out, f, "DWARF line table at the trap: %s",
				t->src);
	if (rec >= 0)
		kt_finding_step(out, f, "log record %d names %s:%u%s", rec,
				lfile, lline, !strcmp(lfile, t->bug.file) &&
				lline == t->bug.line ? " (they agree)" :
				" (it differs: the log's is another trap)");
	else
		kt_finding_step(out, f, "the log has no \"%s\" line for it",
				warn ? "WARNING:" : "kernel BUG at");
	if (t->has_test)
		kt_finding_step(out, f, "0x%" PRIx64 ": %s %s, then 0x%" PRIx64
				": %s %s the trap; at the trap %s",
				t->test.addr, t->test.mnemonic,
				t->test.operands, t->jump.addr,
				t->jump.mnemonic, t->fallthrough ?
				"(not taken) right before" : "to",
				t->test_vals[0] ? t->test_vals :
				"(no register operands)");
	if (t->caller[0])
		kt_finding_step(out, f, "the frame above is %s", t->caller);
}

/* "divl 0x10(%rdi): the divisor [0x...]=0x0", from the trapping pc. */
static void divisor(struct kt_program *prog, const struct kt_frame *fr,
		    char *buf, size_t size, bool *zero)
{
	struct trap t = { .prog = prog, .f = fr };
	struct kt_disasm_insn in;
	struct kt_disasm *dis;
	char vals[200] = "";
	uint64_t v;
	bool ok;

	buf[0] = 0;
	*zero = false;
	if (kt_error_catch_any(kt_disasm_create(&dis)))
		return;
	if (!kt_error_catch_any(kt_disasm_read(dis, prog, fr->pc, &in)) &&
	    (!strncmp(in.mnemonic, "div", 3) ||
	     !strncmp(in.mnemonic, "idiv", 4)) && in.nops >= 1) {
		const struct kt_disasm_op *op = &in.ops[0];

		if (op->kind == KT_OP_MEM) {
			mem_value(&t, op, vals, sizeof(vals));
			*zero = strstr(vals, "]=0x0") &&
				!strstr(vals, "]=0x0")[5];
		} else if (op->kind == KT_OP_REG &&
			   (v = regval(fr, op->reg, &ok), ok)) {
			snprintf(vals, sizeof(vals), "%s=0x%" PRIx64,
				 op->reg_name, v);
			*zero = !v;
		}
		snprintf(buf, size, "%s %s, the divisor %s", in.mnemonic,
			 in.operands, vals[0] ? vals : "not known");
	}
	kt_disasm_destroy(dis);
}

/* The function most frames of @tr are in, and how many: recursion. */
static size_t most_frames(const struct kt_trace *tr, char *name, size_t size)
{
	size_t best = 0;

	name[0] = 0;
	for (size_t i = 0; i < tr->n; i++) {
		size_t n = 0;

		if (!tr->frames[i].has_sym)
			continue;
		for (size_t k = 0; k < tr->n; k++)
			n += tr->frames[k].has_sym &&
			     tr->frames[k].sym.addr == tr->frames[i].sym.addr;
		if (n > best) {
			best = n;
			frame_name(&tr->frames[i], name, size);
		}
	}
	return best;
}

/* The interrupted frame the log's other trap kinds point at. */
static bool other_trap(struct kt_program *prog, const struct kt_trace *tr,
		       const struct kt_trap_log *l, int pid, uint64_t task,
		       struct kt_findings *out)
{
	struct kt_finding *f;
	const struct kt_frame *fr = NULL;
	size_t fi = 0;
	char fn[160], dv[300];
	bool zero = false;

	for (size_t i = 0; i < tr->n && !fr; i++)
		if (kernel_frame(&tr->frames[i])) {
			fr = &tr->frames[i];
			fi = i;
		}
	if (l->guard_rec >= 0) {
		f = kt_finding_add(out, NAME, KT_SEV_CRITICAL,
				   "stack-guard:0x%" PRIx64, l->guard_addr);
		if (!f)
			return true;
		kt_finding_kind(f, "stack-overflow");
		size_t rep = most_frames(tr, fn, sizeof(fn));

		if (rep >= 8)
			kt_finding_title(out, f, "kernel stack overflow: %s "
					 "fills %zu of the task's %zu frames "
					 "(recursion)", fn, rep, tr->n);
		else
			kt_finding_title(out, f, "kernel stack overflow into "
					 "the stack's guard page%s%s",
					 fr ? " in " : "", fr ? fn : "");
		kt_finding_explain(out, f, "The kernel stack ran past its "
				   "end into the unmapped guard page below it "
				   "(a double fault): look for deep recursion "
				   "or large on-stack arrays in the trace.");
		kt_finding_ref_task(out, f, "panic task", pid, task);
		if (fr)
			kt_finding_ref_frame(out, f, "overflowing frame", pid,
					     task, (int)fi, fr->has_sym ?
					     fr->sym.name : NULL);
		kt_finding_step(out, f, "log record %d: the stack guard page "
				"was hit (the log's addresses are hashed)",
				l->guard_rec);
		if (fr)
			kt_finding_step(out, f, "frame #%zu stopped at 0x%"
					PRIx64 " with sp 0x%" PRIx64, fi,
					fr->pc, fr->sp);
		if (rep >= 8)
			kt_finding_step(out, f, "%zu of %zu frames are %s",
					rep, tr->n, fn);
		return true;
	}
	if (!fr)
		return false;
	frame_name(fr, fn, sizeof(fn));
	if (l->de_rec >= 0) {
		f = kt_finding_add(out, NAME, KT_SEV_CRITICAL, "0x%" PRIx64,
				   fr->pc);
		if (!f)
			return true;
		kt_finding_kind(f, "divide-error");
		divisor(prog, fr, dv, sizeof(dv), &zero);
		if (dv[0])
			kt_finding_title(out, f, "divide error in %s: %s%s", fn,
					 dv, zero ? ", a division by zero" :
					 "");
		else
			kt_finding_title(out, f, "divide error in %s", fn);
		kt_finding_explain(out, f, "A division by zero, or a quotient "
				   "too large for its register, at 0x%" PRIx64
				   ".", fr->pc);
		kt_finding_step(out, f, "log record %d: divide error",
				l->de_rec);
		if (dv[0])
			kt_finding_step(out, f, "the instruction and its divisor "
					"at the trap (capstone, the frame's "
					"registers): %s", dv);
	} else if (l->nx_rec >= 0) {
		f = kt_finding_add(out, NAME, KT_SEV_CRITICAL, "nx:0x%" PRIx64,
				   fr->pc);
		if (!f)
			return true;
		kt_finding_kind(f, "nx-execute");
		char caller[160] = "", brief[96];

		for (size_t i = fi + 1; i < tr->n && !caller[0]; i++)
			if (tr->frames[i].has_sym)
				frame_name(&tr->frames[i], caller,
					   sizeof(caller));
		kt_owner_brief(prog, fr->pc, brief, sizeof(brief));
		kt_finding_title(out, f, "the kernel jumped to non-executable "
				 "memory at 0x%" PRIx64 "%s%s%s%s%s", fr->pc,
				 brief[0] ? " (" : "", brief,
				 brief[0] ? ")" : "", caller[0] ?
				 ", called from " : "", caller);
		kt_finding_explain(out, f, "The instruction pointer holds a "
				   "data address: a corrupted function pointer "
				   "or return address sent the kernel there.");
		kt_finding_step(out, f, "log record %d: the kernel tried to "
				"execute an NX-protected page", l->nx_rec);
	} else if (l->ud_rec >= 0) {
		f = kt_finding_add(out, NAME, KT_SEV_CRITICAL, "0x%" PRIx64,
				   fr->pc);
		if (!f)
			return true;
		kt_finding_kind(f, "invalid-opcode");
		kt_finding_title(out, f, "invalid opcode in %s, at no BUG() or "
				 "WARN() site", fn);
		kt_finding_explain(out, f, "The bug table has no entry for "
				   "0x%" PRIx64 ": the kernel executed bytes "
				   "that are no valid instruction (corrupt "
				   "text, or a jump into the middle of one).",
				   fr->pc);
		kt_finding_step(out, f, "log record %d: invalid opcode; no "
				"bug table entry for the trap address",
				l->ud_rec);
	} else {
		return false;
	}
	kt_finding_ref_task(out, f, "panic task", pid, task);
	kt_finding_ref_frame(out, f, "trapping frame", pid, task, (int)fi,
			     fr->has_sym ? fr->sym.name : NULL);
	kt_finding_ref_register(out, f, "RIP", "RIP", fr->pc, pid, (int)fi);
	kt_finding_step(out, f, "frame #%zu of pid %d stopped at 0x%" PRIx64,
			fi, pid, fr->pc);
	return true;
}

static void page_dump(const struct kt_trap_log *l, struct kt_findings *out)
{
	struct kt_finding *f;

	if (l->pagedump_rec < 0 || !out->n)
		return;
	f = &out->v[out->n - 1];
	kt_finding_explain(out, f, "The kernel dumped a page first: \"%s\".",
			   l->pagedump);
	if (l->page_rec >= 0) {
		kt_finding_ref_address(out, f, "dumped page", l->page,
				       "struct page");
		kt_finding_step(out, f, "log record %d: page 0x%" PRIx64
				" dumped because: %s", l->page_rec, l->page,
				l->pagedump);
	}
}

bool kt_oops_trap(struct kt_program *prog, const struct kt_trace *tr,
		  int pid, uint64_t task, struct kt_findings *out)
{
	struct trap t = { .prog = prog, .tr = tr };
	struct kt_trap_log l;
	const struct kt_log *log;
	struct kt_disasm *dis;
	struct kt_error *err;
	bool done = false;

	read_log(prog, &l, &log);
	if (find_bug(&t)) {
		names(&t);
		if (!(err = kt_disasm_create(&dis))) {
			find_test(&t, dis);
			kt_disasm_destroy(dis);
		}
		kt_error_destroy(err);
		emit_bug(&t, &l, log, pid, task, out);
		done = true;
	} else {
		done = other_trap(prog, tr, &l, pid, task, out);
	}
	if (done)
		page_dump(&l, out);
	return done;
}
