// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lock_irq: a spinlock taken again by an interrupt on the CPU that holds
 * it (seed 004: bfqd->lock held with spin_lock_irq, IRQs turned back on by
 * a spin_unlock_irq in a nested helper, then the IRQ handler spins on
 * bfqd->lock forever).
 *
 * 1. Spinners: on each CPU's running task, the frame spinning in the
 *    queued-spinlock slow path. The lock is its `lock` parameter (DWARF),
 *    or RDI of the pt_regs the NMI or IRQ saved there.
 * 2. Holders: a frame of any CPU's running task whose function called a
 *    _raw_spin_lock* function before its return address, with no
 *    _raw_spin_unlock* call since, and that has the lock (or the object
 *    that contains it) in a variable or a callee-saved register there.
 *    The frame whose last call is the lock call is acquiring, not holding.
 * 3. Recursion: the spinner and a holder on the same CPU, with an
 *    interrupt's pt_regs between them. RFLAGS.IF in those pt_regs says
 *    IRQs were on at the interruption; if the holder took the lock with an
 *    _irq/_irqsave variant, something it called turned them back on: the
 *    functions it called between the lock call and its return address
 *    are disassembled (two levels) for a call to _raw_spin_unlock_irq (or
 *    an sti).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/disasm.h"
#include "core/module.h"
#include "core/owner.h"
#include "core/stack.h"
#include "core/task.h"
#include "core/value.h"
#include "plugins/plugin.h"

#define NAME "lock_irq"
#define MAX_VARS 64
#define MAX_CPUS 512
#define MAX_FN_INSNS 4096
#define MAX_CALLEES 32
#define X86_EFLAGS_IF 0x200

struct cpu_trace {
	int cpu;
	const struct kt_task *t;
	struct kt_trace tr;
	bool ok;
};

struct spinner {
	struct cpu_trace *ct;
	size_t frame;
	size_t requester;	/* the first frame past the lock functions */
	uint64_t lock;
	char how[256];
};

struct holder {
	struct cpu_trace *ct;
	size_t frame;
	uint64_t acquire_pc;	/* the call of the lock function */
	char acquire_fn[64];	/* "_raw_spin_lock_irq" */
	char evidence[160];
};

/* What turned IRQs back on, found in a callee of the holder. */
struct enabler {
	bool found;
	char callee[64];	/* called by the holder */
	uint64_t call_pc;	/* the holder's call of it */
	char fn[64];		/* the function holding the enabling code */
	uint64_t pc;		/* the call/jmp/sti there */
	char what[64];		/* "_raw_spin_unlock_irq", "sti" */
};

static bool is_slowpath(const struct kt_frame *f)
{
	static const char *const names[] = {
		"native_queued_spin_lock_slowpath",
		"__pv_queued_spin_lock_slowpath",
		"queued_spin_lock_slowpath",
		"do_raw_spin_lock",
	};

	for (size_t i = 0; f->has_sym && i < sizeof(names) / sizeof(*names);
	     i++)
		if (!strcmp(f->sym.name, names[i]))
			return true;
	return false;
}

static const char *fn_name(const struct kt_frame *f)
{
	return f->has_sym && f->sym.name ? f->sym.name : "?";
}

static bool prefix(const char *s, const char *p)
{
	return s && !strncmp(s, p, strlen(p));
}

/* The name of the function that starts at @addr, or NULL. */
static const char *target_name(struct kt_program *prog, uint64_t addr)
{
	struct kt_symbol_hit s;

	if (!kt_symbol_lookup(prog, addr, &s) || s.offset)
		return NULL;
	return s.name;
}

static bool var_value(struct kt_program *prog, const struct kt_trace *tr,
		      size_t i, const char *name, uint64_t *ret)
{
	struct kt_frame_var v[MAX_VARS];
	size_t n = kt_frame_variables(prog, tr, i, v, MAX_VARS);

	for (size_t k = 0; k < n; k++)
		if (v[k].known && v[k].param && !strcmp(v[k].name, name)) {
			*ret = v[k].value;
			return true;
		}
	return false;
}

/* The lock a slow-path frame spins on: DWARF first, then the saved RDI. */
static bool spinner_lock(struct kt_program *prog, struct spinner *s)
{
	const struct kt_frame *f = &s->ct->tr.frames[s->frame];
	bool rdi = f->has_regs && f->regs_addr &&
		   f->regs.known & (1u << KT_REG_RDI);
	uint64_t v;

	if (var_value(prog, &s->ct->tr, s->frame, "lock", &v)) {
		s->lock = v;
		snprintf(s->how, sizeof(s->how),
			 "parameter lock of %s (DWARF location)", f->sym.name);
		if (rdi)
			snprintf(s->how + strlen(s->how),
				 sizeof(s->how) - strlen(s->how),
				 "; RDI in the pt_regs at 0x%" PRIx64
				 " is 0x%" PRIx64 " (%s)", f->regs_addr,
				 f->regs.r[KT_REG_RDI],
				 f->regs.r[KT_REG_RDI] == v ? "agrees" :
				 "differs");
		return true;
	}
	if (rdi) {
		s->lock = f->regs.r[KT_REG_RDI];
		snprintf(s->how, sizeof(s->how),
			 "RDI in the pt_regs at 0x%" PRIx64
			 " (the slow path's first argument)", f->regs_addr);
		return true;
	}
	return false;
}

/* The caller of the lock functions above slow-path frame @i. */
static size_t requester(const struct kt_trace *tr, size_t i)
{
	while (i + 1 < tr->n && (is_slowpath(&tr->frames[i]) ||
				 prefix(fn_name(&tr->frames[i]), "_raw_spin")))
		i++;
	return i;
}

static size_t find_spinners(struct kt_program *prog, struct cpu_trace *cts,
			    size_t ncpu, struct spinner *ret)
{
	size_t n = 0;

	for (size_t c = 0; c < ncpu; c++) {
		for (size_t i = 0; cts[c].ok && i < cts[c].tr.n; i++) {
			struct spinner *s = &ret[n];

			if (!is_slowpath(&cts[c].tr.frames[i]))
				continue;
			memset(s, 0, sizeof(*s));
			s->ct = &cts[c];
			s->frame = i;
			s->requester = requester(&cts[c].tr, i);
			if (spinner_lock(prog, s))
				n++;
			break;
		}
	}
	return n;
}

/* ---- holders ---- */

/* The base of what contains @lock (slab object or symbol), or @lock. */
static uint64_t lock_container(struct kt_program *prog, uint64_t lock)
{
	struct kt_owner o;

	if (kt_error_catch_any(kt_owner_identify(prog, lock, &o)) || !o.n)
		return lock;
	if (o.ids[0].kind == KT_OWNER_SLAB || o.ids[0].kind == KT_OWNER_SYMBOL)
		return o.ids[0].base;
	return lock;
}

/* Frame @i shows @lock or @base in a variable or callee-saved register. */
static bool frame_has_lock(struct kt_program *prog, const struct kt_trace *tr,
			   size_t i, uint64_t lock, uint64_t base, char *buf,
			   size_t len)
{
	static const int saved[] = { KT_REG_RBX, KT_REG_RBP, KT_REG_R12,
				     KT_REG_R13, KT_REG_R14, KT_REG_R15 };
	const struct kt_frame *f = &tr->frames[i];
	struct kt_frame_var v[MAX_VARS];
	size_t n = kt_frame_variables(prog, tr, i, v, MAX_VARS);

	for (size_t k = 0; k < n; k++) {
		if (!v[k].known || (v[k].value != lock && v[k].value != base))
			continue;
		snprintf(buf, len, "its variable %s = 0x%" PRIx64 "%s",
			 v[k].name, v[k].value, v[k].value == lock ? "" :
			 " (the object holding the lock)");
		return true;
	}
	for (size_t k = 0; k < sizeof(saved) / sizeof(*saved); k++) {
		int r = saved[k];

		if (!(f->regs.known & (1u << r)) || f->regs.r[r] != lock)
			continue;
		snprintf(buf, len, "callee-saved %%%s = 0x%" PRIx64 " there",
			 kt_reg_names[r], lock);
		return true;
	}
	return false;
}

/*
 * Did the function of frame @f take a spinlock before its return address
 * and not release one since? The last instruction before pc is the call
 * in progress; if that is the lock call, the frame is still acquiring.
 */
static bool frame_acquired(struct kt_program *prog, struct kt_disasm *d,
			   const struct kt_frame *f, struct holder *h)
{
	struct kt_disasm_list l = { 0 };
	bool held = false;
	size_t end;

	if (!f->has_sym || f->sym.offset > 0x10000 ||
	    kt_error_catch_any(kt_disasm_range(d, prog, f->sym.addr, f->pc,
					       MAX_FN_INSNS, &l)))
		return false;
	// A return address follows the call in progress, which is not
	// "before" it; an interrupted pc has run everything before it.
	end = f->interrupted ? l.n : l.n - !!l.n;
	for (size_t i = 0; i < end; i++) {
		const struct kt_disasm_insn *in = &l.insns[i];
		const char *t;

		if (in->flow != KT_FLOW_CALL || !in->has_target)
			continue;
		t = target_name(prog, in->target);
		if (prefix(t, "_raw_spin_lock") ||
		    prefix(t, "_raw_spin_trylock")) {
			held = true;
			h->acquire_pc = in->addr;
			snprintf(h->acquire_fn, sizeof(h->acquire_fn), "%s", t);
		} else if (prefix(t, "_raw_spin_unlock")) {
			held = false;
		}
	}
	kt_disasm_list_deinit(&l);
	return held;
}

static bool find_holder(struct kt_program *prog, struct kt_disasm *d,
			struct cpu_trace *ct, size_t from, uint64_t lock,
			struct holder *ret)
{
	uint64_t base = lock_container(prog, lock);

	for (size_t i = from; ct->ok && i < ct->tr.n; i++) {
		memset(ret, 0, sizeof(*ret));
		if (is_slowpath(&ct->tr.frames[i]) ||
		    !frame_has_lock(prog, &ct->tr, i, lock, base, ret->evidence,
				    sizeof(ret->evidence)) ||
		    !frame_acquired(prog, d, &ct->tr.frames[i], ret))
			continue;
		ret->ct = ct;
		ret->frame = i;
		return true;
	}
	return false;
}

/* ---- what re-enabled IRQs ---- */

static bool scan_function(struct kt_program *prog, struct kt_disasm *d,
			  uint64_t fn, int depth, struct enabler *e)
{
	struct kt_disasm_list l = { 0 };
	struct kt_symbol_hit s;
	bool found = false;

	if (!kt_symbol_lookup(prog, fn, &s) || s.offset || !s.size ||
	    s.size > 0x4000 ||
	    kt_error_catch_any(kt_disasm_range(d, prog, fn, fn + s.size,
					       MAX_FN_INSNS, &l)))
		return false;
	for (size_t i = 0; i < l.n && !found; i++) {
		const struct kt_disasm_insn *in = &l.insns[i];
		const char *t = in->has_target ? target_name(prog, in->target) :
			      NULL;

		if (!strcmp(in->mnemonic, "sti") ||
		    ((in->flow == KT_FLOW_CALL || in->flow == KT_FLOW_JMP) &&
		     t && strstr(t, "_unlock_irq") && !strstr(t, "restore"))) {
			snprintf(e->fn, sizeof(e->fn), "%s", s.name);
			snprintf(e->what, sizeof(e->what), "%s",
				 t ? t : "sti");
			e->pc = in->addr;
			found = true;
		} else if (depth > 0 && in->flow == KT_FLOW_CALL && t &&
			   !prefix(t, "_raw_spin")) {
			found = scan_function(prog, d, in->target, depth - 1, e);
		}
	}
	kt_disasm_list_deinit(&l);
	return found;
}

/* Callees of the holder between its lock call and its return address. */
static void find_enabler(struct kt_program *prog, struct kt_disasm *d,
			 const struct holder *h, struct enabler *e)
{
	const struct kt_frame *f = &h->ct->tr.frames[h->frame];
	struct kt_disasm_list l = { 0 };

	memset(e, 0, sizeof(*e));
	if (kt_error_catch_any(kt_disasm_range(d, prog, h->acquire_pc, f->pc,
					       MAX_FN_INSNS, &l)))
		return;
	for (size_t i = 1; i < l.n && i < MAX_CALLEES && !e->found; i++) {
		const struct kt_disasm_insn *in = &l.insns[i];
		const char *t;

		if (in->flow != KT_FLOW_CALL || !in->has_target)
			continue;
		t = target_name(prog, in->target);
		if (!t || !scan_function(prog, d, in->target, 1, e))
			continue;
		e->found = true;
		e->call_pc = in->addr;
		snprintf(e->callee, sizeof(e->callee), "%s", t);
	}
	kt_disasm_list_deinit(&l);
}

/* ---- naming the lock ---- */

/*
 * "kt_mctx.lock": the member of global variable @s that holds @lock. A
 * module's variable is looked up in that module's DWARF only: the
 * vmlinux name index costs half a second to build.
 */
static bool member_name(struct kt_program *prog,
			const struct kt_symbol_hit *s, uint64_t lock,
			char *buf, size_t len)
{
	const struct kt_module *mod = s->module ?
				      kt_module_by_addr(prog, s->addr) : NULL;
	struct kt_dwarf *dw = mod ? mod->dwarf : prog->dwarf;
	struct kt_value v, child;
	Dwarf_Die type;
	uint64_t addr = s->addr;
	const char *var = s->name;
	size_t used;

	if (!dw || kt_error_catch_any(kt_dwarf_variable_type(dw, var, &type)) ||
	    kt_error_catch_any(kt_value_at(&type, 0, addr, &v)))
		return false;
	used = snprintf(buf, len, "%s", var);
	for (int depth = 0; depth < 8 && used < len; depth++) {
		struct kt_value_iter it = { 0 };
		bool inside = false;

		while (kt_value_next_child(&v, &it, &child)) {
			if (lock >= child.addr && lock < child.addr + child.size) {
				inside = true;
				break;
			}
		}
		if (!inside || child.kind == KT_VALUE_ARRAY)
			break;
		if (child.name)
			used += snprintf(buf + used, len - used, ".%s",
					 child.name);
		if (child.addr == lock && (child.size == 4 || child.size == 8))
			return true;
		v = child;
	}
	return lock == addr;
}

static void lock_name(struct kt_program *prog, uint64_t lock, char *buf,
		      size_t len)
{
	struct kt_symbol_hit s;

	if (kt_symbol_lookup(prog, lock, &s) &&
	    member_name(prog, &s, lock, buf, len)) {
		if (s.module)
			snprintf(buf + strlen(buf), len - strlen(buf),
				 " [%s]", s.module);
		return;
	}
	kt_owner_brief(prog, lock, buf, len);
	if (!buf[0])
		snprintf(buf, len, "0x%" PRIx64, lock);
}

/* ---- the finding ---- */

/* The pt_regs of the interrupt between spinner and holder, or NULL. */
static const struct kt_frame *interrupt_between(const struct kt_trace *tr,
						size_t spin, size_t hold)
{
	for (size_t i = spin + 1; i <= hold && i < tr->n; i++)
		if (tr->frames[i].regs_addr && tr->frames[i].has_regs)
			return &tr->frames[i];
	return NULL;
}

static void ref_frame(struct kt_findings *out, struct kt_finding *f,
		      const char *label, const struct cpu_trace *ct, size_t i)
{
	const struct kt_frame *fr = &ct->tr.frames[i];

	kt_finding_ref_frame(out, f, label, ct->t ? ct->t->pid : -1,
			     ct->tr.task, (int)i,
			     fn_name(fr));
}

static const char *comm(const struct cpu_trace *ct)
{
	return ct->t ? ct->t->comm : "?";
}

static void explain_enabler(struct kt_findings *out, struct kt_finding *f,
			    const struct holder *h, const struct enabler *e)
{
	const struct kt_frame *hf = &h->ct->tr.frames[h->frame];

	if (!e->found) {
		kt_finding_explain(out, f,
				   " No call between the lock and the return "
				   "address was found to enable IRQs; look at "
				   "what %s did after taking it.", hf->sym.name);
		return;
	}
	kt_finding_step(out, f,
			"%s calls %s at 0x%" PRIx64 " after taking the lock; "
			"%s has %s at 0x%" PRIx64 ", which turns IRQs on "
			"unconditionally (disassembly)", hf->sym.name,
			e->callee, e->call_pc, e->fn, e->what, e->pc);
	kt_finding_explain(out, f,
			   " IRQs were turned back on by %s in %s: %s calls "
			   "%s with the lock held, and %s enables IRQs "
			   "whatever their state was. The nested code should "
			   "use spin_lock_irqsave()/spin_unlock_irqrestore().",
			   e->what, e->fn, hf->sym.name, e->callee, e->what);
}

/* One lock taken again by an interrupt on the CPU that holds it. */
struct recursion {
	const struct spinner *s;
	const struct holder *h;
	const struct kt_frame *sf, *rf, *hf;	/* spinning, requesting, holding */
	const struct kt_frame *irq;		/* interrupted, with pt_regs */
	size_t irq_level;
	bool if_on;				/* RFLAGS.IF there */
	char name[128];				/* of the lock */
};

static void report_text(struct kt_findings *out, struct kt_finding *f,
			const struct recursion *r)
{
	const struct cpu_trace *hc = r->h->ct;

	if (r->if_on)
		kt_finding_title(out, f, "IRQs were enabled while %s was held "
				 "in %s: %s takes it again in an interrupt on "
				 "CPU %d", r->name, fn_name(r->hf),
				 fn_name(r->rf), r->s->ct->cpu);
	else
		kt_finding_title(out, f, "Spinlock recursion on %s: held in %s, "
				 "taken again by %s in an interrupt on CPU %d",
				 r->name, fn_name(r->hf), fn_name(r->rf),
				 r->s->ct->cpu);
	kt_finding_explain(out, f,
			   "CPU %d spins forever on %s (0x%" PRIx64 ") in %s, "
			   "called by %s in an interrupt that arrived while "
			   "%.16s (pid %d) on the same CPU held that lock in "
			   "%s (taken with %s). The holder cannot run again "
			   "until the interrupt returns: a self-deadlock.",
			   r->s->ct->cpu, r->name, r->s->lock, fn_name(r->sf),
			   fn_name(r->rf), comm(hc), hc->t ? hc->t->pid : -1,
			   fn_name(r->hf), r->h->acquire_fn);
	if (r->if_on)
		kt_finding_explain(out, f,
				   " IRQs were enabled while %s was held "
				   "(RFLAGS 0x%" PRIx64 " in the interrupt's "
				   "pt_regs has IF set).", r->name,
				   r->irq->regs.r[KT_REG_RFLAGS]);
}

static void report_refs(struct kt_findings *out, struct kt_finding *f,
			const struct recursion *r)
{
	const struct cpu_trace *hc = r->h->ct;

	kt_finding_ref_address(out, f, "lock", r->s->lock, "spinlock_t *");
	kt_finding_ref_cpu(out, f, "deadlocked CPU", r->s->ct->cpu);
	ref_frame(out, f, "spinning frame (interrupt)", r->s->ct, r->s->frame);
	ref_frame(out, f, "frame taking the lock again (interrupt)", r->s->ct,
		  r->s->requester);
	ref_frame(out, f, "interrupted frame", hc, r->irq_level);
	ref_frame(out, f, "frame holding the lock", hc, r->h->frame);
	kt_finding_ref_register(out, f, "RFLAGS at the interrupt", "rflags",
				r->irq->regs.r[KT_REG_RFLAGS],
				hc->t ? hc->t->pid : -1, (int)r->irq_level);
}

static void report_steps(struct kt_program *prog, struct kt_findings *out,
			 struct kt_finding *f, const struct recursion *r)
{
	uint32_t val;

	kt_finding_step(out, f, "CPU %d frame #%zu %s spins on lock 0x%" PRIx64
			": %s", r->s->ct->cpu, r->s->frame, fn_name(r->sf),
			r->s->lock, r->s->how);
	if (!kt_error_catch_any(kt_read_u32(prog, r->s->lock, &val)))
		kt_finding_step(out, f,
				"the lock word is 0x%x: locked byte %u, "
				"pending %u, queue tail 0x%x", val, val & 0xff,
				(val >> 8) & 1, val >> 16);
	kt_finding_step(out, f, "lock 0x%" PRIx64 " is %s (symbol/DWARF, kmem)",
			r->s->lock, r->name);
	kt_finding_step(out, f,
			"frame #%zu %s holds it: it calls %s at 0x%" PRIx64
			" before its return address 0x%" PRIx64 " and no "
			"unlock since (disassembly); %s", r->h->frame,
			fn_name(r->hf), r->h->acquire_fn, r->h->acquire_pc,
			r->hf->pc, r->h->evidence);
	kt_finding_step(out, f,
			"between them frame #%zu %s was interrupted: pt_regs "
			"at 0x%" PRIx64 ", RFLAGS 0x%" PRIx64 " (IF %s)",
			r->irq_level, fn_name(r->irq), r->irq->regs_addr,
			r->irq->regs.r[KT_REG_RFLAGS],
			r->if_on ? "set" : "clear");
}

static struct kt_finding *report(struct kt_program *prog,
				 struct kt_findings *out,
				 const struct spinner *s,
				 const struct holder *h,
				 const struct kt_frame *irq,
				 struct kt_disasm *d, bool panicked)
{
	struct recursion r = {
		.s = s, .h = h, .irq = irq,
		.sf = &s->ct->tr.frames[s->frame],
		.rf = &s->ct->tr.frames[s->requester],
		.hf = &h->ct->tr.frames[h->frame],
		.irq_level = (size_t)(irq - h->ct->tr.frames),
		.if_on = irq->regs.r[KT_REG_RFLAGS] & X86_EFLAGS_IF,
	};
	struct kt_finding *f;
	struct enabler e;

	lock_name(prog, s->lock, r.name, sizeof(r.name));
	// A panic on a CPU caught in this deadlock (a soft lockup on the
	// other spinner) makes it the defect that crashed the kernel.
	f = kt_finding_add(out, NAME, panicked ? KT_SEV_CRITICAL :
			   KT_SEV_ERROR, "0x%" PRIx64, s->lock);
	if (!f)
		return NULL;
	report_text(out, f, &r);
	report_refs(out, f, &r);
	report_steps(prog, out, f, &r);
	find_enabler(prog, d, h, &e);
	explain_enabler(out, f, h, &e);
	return f;
}

/* Other CPUs spinning on the same lock: victims, named in the finding. */
static void report_victims(struct kt_findings *out, struct kt_finding *f,
			   const struct spinner *sp, size_t n, size_t self)
{
	for (size_t i = 0; f && i < n; i++) {
		if (i == self || sp[i].lock != sp[self].lock)
			continue;
		kt_finding_explain(out, f,
				   " CPU %d (%.16s, pid %d) spins on the same "
				   "lock in %s, called by %s.", sp[i].ct->cpu,
				   comm(sp[i].ct),
				   sp[i].ct->t ? sp[i].ct->t->pid : -1,
				   fn_name(&sp[i].ct->tr.frames[sp[i].frame]),
				   fn_name(&sp[i].ct->tr.frames[sp[i].requester]));
		ref_frame(out, f, "also spinning", sp[i].ct, sp[i].frame);
		ref_frame(out, f, "also waiting for the lock", sp[i].ct,
			  sp[i].requester);
		kt_finding_step(out, f, "CPU %d frame #%zu %s spins on it too: "
				"%s", sp[i].ct->cpu, sp[i].frame,
				fn_name(&sp[i].ct->tr.frames[sp[i].frame]),
				sp[i].how);
	}
}

static void analyse(struct kt_program *prog, struct kt_findings *out,
		    struct cpu_trace *cts, size_t ncpu, struct kt_disasm *d)
{
	struct spinner *sp = calloc(ncpu, sizeof(*sp));
	size_t n = sp ? find_spinners(prog, cts, ncpu, sp) : 0;
	int panic_cpu = -1;
	uint64_t ptask;

	if (!sp) {
		out->nomem = true;
		return;
	}
	kt_error_catch_any(kt_task_panicked(prog, &panic_cpu, &ptask));
	for (size_t i = 0; i < n; i++) {
		const struct kt_frame *irq;
		struct kt_finding *f;
		struct holder h;
		char id[64];
		bool panicked = false;

		snprintf(id, sizeof(id), NAME ":0x%" PRIx64, sp[i].lock);
		if (kt_findings_find(out, id) ||
		    !find_holder(prog, d, sp[i].ct, sp[i].frame + 1, sp[i].lock,
				 &h))
			continue;
		irq = interrupt_between(&sp[i].ct->tr, sp[i].frame, h.frame);
		if (!irq)
			continue;
		for (size_t k = 0; k < n; k++)
			panicked |= sp[k].lock == sp[i].lock &&
				    sp[k].ct->cpu == panic_cpu;
		f = report(prog, out, &sp[i], &h, irq, d, panicked);
		if (f)
			report_victims(out, f, sp, n, i);
	}
	free(sp);
}

static struct kt_error *lock_irq_run(struct kt_program *prog,
				     struct kt_findings *out)
{
	size_t ncpu = prog->nr_cpu_ids < MAX_CPUS ? prog->nr_cpu_ids : MAX_CPUS;
	const struct kt_task_list *tl = NULL;
	struct cpu_trace *cts = calloc(ncpu, sizeof(*cts));
	struct kt_disasm *d = NULL;
	struct kt_error *err;

	if (!cts)
		return &kt_error_nomem;
	if ((err = kt_disasm_create(&d))) {
		free(cts);
		return err;
	}
	kt_error_catch_any(kt_tasks_load(prog, &tl));
	for (size_t c = 0; c < ncpu; c++) {
		uint64_t task;

		cts[c].cpu = (int)c;
		if (kt_error_catch_any(kt_task_current(prog, c, &task)))
			continue;
		cts[c].t = tl ? kt_task_by_addr(tl, task) : NULL;
		cts[c].ok = !kt_error_catch_any(kt_stack_trace(prog, task,
							       &cts[c].tr));
	}
	analyse(prog, out, cts, ncpu, d);
	for (size_t c = 0; c < ncpu; c++)
		kt_trace_deinit(&cts[c].tr);
	free(cts);
	kt_disasm_destroy(d);
	return NULL;
}

static const char *const lock_irq_symbols[] = {
	"native_queued_spin_lock_slowpath",
	NULL,
};

const struct kt_plugin kt_plugin_lock_irq = {
	.name = NAME,
	.summary = "a spinlock taken again by an interrupt on the CPU that "
		   "holds it (IRQs enabled while it was held)",
	.symbols = lock_irq_symbols,
	.run = lock_irq_run,
};
