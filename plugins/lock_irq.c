// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lock_irq: a spinlock taken again by an interrupt on the CPU that holds
 * it (seed 004: bfqd->lock held with spin_lock_irq, IRQs turned back on by
 * a spin_unlock_irq in a nested helper, then the IRQ handler spins on
 * bfqd->lock forever).
 *
 * 1. Spinners: on each CPU's running task, the frame spinning in the
 *    queued-spinlock slow path, and its lock (spinlock.h).
 * 2. Holders: a frame of the spinner's own task that holds the lock
 *    (spinlock.h: a lock call before its return address, no unlock since,
 *    the lock in a variable or callee-saved register).
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
#include "core/stack.h"
#include "core/task.h"
#include "plugins/plugin.h"
#include "plugins/spinlock.h"

#define NAME "lock_irq"
#define MAX_CPUS 512
#define MAX_FN_INSNS 4096
#define MAX_CALLEES 32
#define X86_EFLAGS_IF 0x200

/* What turned IRQs back on, found in a callee of the holder. */
struct enabler {
	bool found;
	char callee[64];	/* called by the holder */
	uint64_t call_pc;	/* the holder's call of it */
	char fn[64];		/* the function holding the enabling code */
	uint64_t pc;		/* the call/jmp/sti there */
	char what[64];		/* "_raw_spin_unlock_irq", "sti" */
};

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
			 const struct kt_spinlock_holder *h, struct enabler *e)
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
		      const char *label, const struct kt_spinlock_cpu *ct, size_t i)
{
	const struct kt_frame *fr = &ct->tr.frames[i];

	kt_finding_ref_frame(out, f, label, ct->t ? ct->t->pid : -1,
			     ct->tr.task, (int)i,
			     kt_spinlock_fn(fr));
}

static const char *comm(const struct kt_spinlock_cpu *ct)
{
	return ct->t ? ct->t->comm : "?";
}

static void explain_enabler(struct kt_findings *out, struct kt_finding *f,
			    const struct kt_spinlock_holder *h, const struct enabler *e)
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
	const struct kt_spinlock_waiter *s;
	const struct kt_spinlock_holder *h;
	const struct kt_frame *sf, *rf, *hf;	/* spinning, requesting, holding */
	const struct kt_frame *irq;		/* interrupted, with pt_regs */
	size_t irq_level;
	bool if_on;				/* RFLAGS.IF there */
	char name[128];				/* of the lock */
};

static void report_text(struct kt_findings *out, struct kt_finding *f,
			const struct recursion *r)
{
	const struct kt_spinlock_cpu *hc = r->h->ct;

	if (r->if_on)
		kt_finding_title(out, f, "IRQs were enabled while %s was held "
				 "in %s: %s takes it again in an interrupt on "
				 "CPU %d", r->name, kt_spinlock_fn(r->hf),
				 kt_spinlock_fn(r->rf), r->s->ct->cpu);
	else
		kt_finding_title(out, f, "Spinlock recursion on %s: held in %s, "
				 "taken again by %s in an interrupt on CPU %d",
				 r->name, kt_spinlock_fn(r->hf), kt_spinlock_fn(r->rf),
				 r->s->ct->cpu);
	kt_finding_explain(out, f,
			   "CPU %d spins forever on %s (0x%" PRIx64 ") in %s, "
			   "called by %s in an interrupt that arrived while "
			   "%.16s (pid %d) on the same CPU held that lock in "
			   "%s (taken with %s). The holder cannot run again "
			   "until the interrupt returns: a self-deadlock.",
			   r->s->ct->cpu, r->name, r->s->lock, kt_spinlock_fn(r->sf),
			   kt_spinlock_fn(r->rf), comm(hc), hc->t ? hc->t->pid : -1,
			   kt_spinlock_fn(r->hf), r->h->acquire_fn);
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
	const struct kt_spinlock_cpu *hc = r->h->ct;

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
			": %s", r->s->ct->cpu, r->s->frame, kt_spinlock_fn(r->sf),
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
			kt_spinlock_fn(r->hf), r->h->acquire_fn, r->h->acquire_pc,
			r->hf->pc, r->h->evidence);
	kt_finding_step(out, f,
			"between them frame #%zu %s was interrupted: pt_regs "
			"at 0x%" PRIx64 ", RFLAGS 0x%" PRIx64 " (IF %s)",
			r->irq_level, kt_spinlock_fn(r->irq), r->irq->regs_addr,
			r->irq->regs.r[KT_REG_RFLAGS],
			r->if_on ? "set" : "clear");
}

static struct kt_finding *report(struct kt_program *prog,
				 struct kt_findings *out,
				 const struct kt_spinlock_waiter *s,
				 const struct kt_spinlock_holder *h,
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

	kt_spinlock_name(prog, s->lock, r.name, sizeof(r.name));
	// A panic on a CPU caught in this deadlock (a soft lockup on the
	// other spinner) makes it the defect that crashed the kernel.
	f = kt_finding_add(out, NAME, panicked ? KT_SEV_CRITICAL :
			   KT_SEV_ERROR, "0x%" PRIx64, s->lock);
	if (!f)
		return NULL;
	kt_finding_kind(f, "irq-unsafe-spinlock");
	report_text(out, f, &r);
	report_refs(out, f, &r);
	report_steps(prog, out, f, &r);
	find_enabler(prog, d, h, &e);
	explain_enabler(out, f, h, &e);
	return f;
}

/* Other CPUs spinning on the same lock: victims, named in the finding. */
static void report_victims(struct kt_findings *out, struct kt_finding *f,
			   const struct kt_spinlock_waiter *sp, size_t n, size_t self)
{
	for (size_t i = 0; f && i < n; i++) {
		if (i == self || sp[i].lock != sp[self].lock)
			continue;
		kt_finding_explain(out, f,
				   " CPU %d (%.16s, pid %d) spins on the same "
				   "lock in %s, called by %s.", sp[i].ct->cpu,
				   comm(sp[i].ct),
				   sp[i].ct->t ? sp[i].ct->t->pid : -1,
				   kt_spinlock_fn(&sp[i].ct->tr.frames[sp[i].frame]),
				   kt_spinlock_fn(&sp[i].ct->tr.frames[sp[i].requester]));
		ref_frame(out, f, "also spinning", sp[i].ct, sp[i].frame);
		ref_frame(out, f, "also waiting for the lock", sp[i].ct,
			  sp[i].requester);
		kt_finding_step(out, f, "CPU %d frame #%zu %s spins on it too: "
				"%s", sp[i].ct->cpu, sp[i].frame,
				kt_spinlock_fn(&sp[i].ct->tr.frames[sp[i].frame]),
				sp[i].how);
	}
}

static void analyse(struct kt_program *prog, struct kt_findings *out,
		    struct kt_spinlock_cpu *cts, size_t ncpu, struct kt_disasm *d)
{
	struct kt_spinlock_waiter *sp = calloc(ncpu, sizeof(*sp));
	size_t n = sp ? kt_spinlock_waiters(prog, cts, ncpu, sp) : 0;
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
		struct kt_spinlock_holder h;
		char id[64];
		bool panicked = false;

		snprintf(id, sizeof(id), NAME ":0x%" PRIx64, sp[i].lock);
		if (kt_findings_find(out, id) ||
		    !kt_spinlock_holder(prog, d, sp[i].ct, sp[i].frame + 1, sp[i].lock,
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
	struct kt_spinlock_cpu *cts;
	struct kt_disasm *d = NULL;
	struct kt_error *err;
	size_t ncpu;

	if ((err = kt_disasm_create(&d)))
		return err;
	if ((err = kt_spinlock_cpus_load(prog, MAX_CPUS, &cts, &ncpu))) {
		kt_disasm_destroy(d);
		return err;
	}
	analyse(prog, out, cts, ncpu, d);
	kt_spinlock_cpus_free(cts, ncpu);
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
