// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Spinlocks on the running CPUs: waiters, holders and names (see
 * spinlock.h). Shared by lock_irq and lockup.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/module.h"
#include "core/owner.h"
#include "core/value.h"
#include "plugins/spinlock.h"

#define MAX_VARS 64
#define MAX_FN_INSNS 4096

bool kt_spinlock_is_slowpath(const struct kt_frame *f)
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

const char *kt_spinlock_fn(const struct kt_frame *f)
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
static bool spinner_lock(struct kt_program *prog, struct kt_spinlock_waiter *s)
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
	while (i + 1 < tr->n && (kt_spinlock_is_slowpath(&tr->frames[i]) ||
				 prefix(kt_spinlock_fn(&tr->frames[i]), "_raw_spin")))
		i++;
	return i;
}

size_t kt_spinlock_waiters(struct kt_program *prog,
			   struct kt_spinlock_cpu *cts, size_t ncpu,
			   struct kt_spinlock_waiter *ret)
{
	size_t n = 0;

	for (size_t c = 0; c < ncpu; c++) {
		for (size_t i = 0; cts[c].ok && i < cts[c].tr.n; i++) {
			struct kt_spinlock_waiter *s = &ret[n];

			if (!kt_spinlock_is_slowpath(&cts[c].tr.frames[i]))
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
			   const struct kt_frame *f, struct kt_spinlock_holder *h)
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

bool kt_spinlock_holder(struct kt_program *prog, struct kt_disasm *d,
			struct kt_spinlock_cpu *ct, size_t from,
			uint64_t lock, struct kt_spinlock_holder *ret)
{
	uint64_t base = lock_container(prog, lock);

	for (size_t i = from; ct->ok && i < ct->tr.n; i++) {
		memset(ret, 0, sizeof(*ret));
		if (kt_spinlock_is_slowpath(&ct->tr.frames[i]) ||
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

void kt_spinlock_name(struct kt_program *prog, uint64_t lock, char *buf,
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


/* ---- the CPUs ---- */

struct kt_error *kt_spinlock_cpus_load(struct kt_program *prog, size_t max,
				       struct kt_spinlock_cpu **ret, size_t *n)
{
	size_t ncpu = prog->nr_cpu_ids < max ? prog->nr_cpu_ids : max;
	const struct kt_task_list *tl = NULL;
	struct kt_spinlock_cpu *cts = calloc(ncpu ? ncpu : 1, sizeof(*cts));

	if (!cts)
		return &kt_error_nomem;
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
	*ret = cts;
	*n = ncpu;
	return NULL;
}

void kt_spinlock_cpus_free(struct kt_spinlock_cpu *cpus, size_t n)
{
	for (size_t c = 0; cpus && c < n; c++)
		kt_trace_deinit(&cpus[c].tr);
	free(cpus);
}
