// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The lock_irq plugin against drgn on every shared dump.
 *
 * tests/expected/NAME.lock_irq.json (tests/oracle/lock_irq.py) holds each
 * CPU's running task as drgn unwinds it, continued by hand through the
 * pt_regs where drgn 0.0.22 stops (an NMI or IRQ entry), every frame
 * spinning in native_queued_spin_lock_slowpath with drgn's `lock`, and on
 * irq-lock the address of kt_mctx.lock. ktriage must find the same lock,
 * the same spinning CPUs, the interrupted frame and its RFLAGS, and the
 * holder kt_merge_one; and fire nowhere else.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/stack.h"
#include "core/task.h"
#include "plugins/plugin.h"
#include "tests/helpers.h"

ParameterizedTestParameters(plugin_lock_irq, drgn_spinners)
{
	KT_DUMP_PARAMS();
}

/* Fires on irq-lock only; where drgn sees no spinner, neither do we. */
ParameterizedTest(struct kt_dump_param *d, plugin_lock_irq, drgn_spinners)
{
	struct kt_program *prog = kt_test_open(d->name);
	char file[96];
	cJSON *exp;
	struct kt_findings out;

	snprintf(file, sizeof(file), "%s.lock_irq", d->name);
	exp = kt_test_expected(file);
	kt_test_run_plugin(prog, "lock_irq", &out);
	if (strcmp(kt_test_scenario(d->name), "irq-lock")) {
		// A CPU may be caught spinning a moment by the kdump NMI
		// (7.2's nbd-orphan-hung): that is no deadlock.
		cr_assert_eq(out.n, 0, "%s: %s", d->name,
			     out.n ? out.v[0].title : "");
	} else {
		cJSON *sp;
		unsigned cpus = 0;

		// both CPUs spin on the lock (drgn may list one twice, in
		// the IRQ segment and the task's)
		cJSON_ArrayForEach(sp, kt_test_get(exp, "spinners"))
			cpus |= 1u << (kt_test_get(sp, "cpu")->valueint & 31);
		cr_assert_eq(cpus, 3, "%s", d->name);
		cr_assert_eq(out.n, 1);
	}
	kt_findings_deinit(&out);
	cJSON_Delete(exp);
	kt_program_destroy(prog);
}

/* drgn's segment of @cpu that begins at the IRQ's pt_regs, or NULL. */
static cJSON *irq_segment(cJSON *exp, int cpu)
{
	cJSON *c, *s;

	cJSON_ArrayForEach(c, kt_test_get(exp, "cpus")) {
		if (kt_test_get(c, "cpu")->valueint != cpu)
			continue;
		cJSON_ArrayForEach(s, kt_test_get(c, "segments"))
			if (kt_test_get(s, "pt_regs"))
				return s;
	}
	return NULL;
}

/* drgn's frame of @function in segment @s, or NULL. */
static cJSON *drgn_frame(cJSON *s, const char *function)
{
	cJSON *f;

	cJSON_ArrayForEach(f, kt_test_get(s, "frames"))
		if (cJSON_IsString(kt_test_get(f, "function")) &&
		    !strcmp(kt_test_get(f, "function")->valuestring, function))
			return f;
	return NULL;
}

Test(plugin_lock_irq, irq_lock_evidence)
{
	struct kt_program *prog = kt_test_open("irq-lock");
	cJSON *exp = kt_test_expected("irq-lock.lock_irq");
	uint64_t lock = kt_test_hex(kt_test_get(kt_test_get(exp, "scenario"), "lock"));
	const struct kt_finding *f;
	const struct kt_ref *r;
	struct kt_findings out;
	cJSON *sp, *seg, *holder;
	char id[64];
	int cpu;

	kt_test_run_plugin(prog, "lock_irq", &out);
	snprintf(id, sizeof(id), "lock_irq:0x%" PRIx64, lock);
	f = kt_findings_find(&out, id);
	cr_assert_not_null(f, "no %s", id);
	cr_assert_eq(f->severity, KT_SEV_CRITICAL);	// CPU1's soft lockup
	cr_assert(strstr(f->title, "IRQs were enabled"), "%s", f->title);
	cr_assert(strstr(f->title, "kt_mctx.lock [ktscen]"), "%s", f->title);
	cr_assert_eq(kt_test_ref(f, "lock")->addr, lock);
	// drgn's lock parameter of both spinning slow paths is this lock.
	cJSON_ArrayForEach(sp, kt_test_get(exp, "spinners"))
		cr_assert_eq(kt_test_hex(kt_test_get(sp, "lock")), lock);
	// CPU 0 spins in the interrupt over the frame that holds the lock.
	cpu = kt_test_ref(f, "deadlocked CPU")->cpu;
	r = kt_test_ref(f, "spinning frame (interrupt)");
	cr_assert_str_eq(r->text, "native_queued_spin_lock_slowpath");
	cr_assert_str_eq(kt_test_ref(f, "frame taking the lock again (interrupt)")->text,
			 "kt_timer_fn");
	seg = irq_segment(exp, cpu);
	cr_assert_not_null(seg);
	holder = drgn_frame(seg, "kt_merge_one");
	cr_assert_not_null(holder, "drgn has no kt_merge_one past the IRQ");
	cr_assert_eq(kt_test_hex(kt_test_get(holder, "c")), lock);
	cr_assert_str_eq(kt_test_ref(f, "frame holding the lock")->text, "kt_merge_one");
	cr_assert_not_null(drgn_frame(seg, kt_test_ref(f, "interrupted frame")->text));
	cr_assert_eq(kt_test_ref(f, "RFLAGS at the interrupt")->value,
		     kt_test_hex(kt_test_get(seg, "flags")));
	// kt_update_stats's spin_unlock_irq re-enabled IRQs (ktscen.c).
	cr_assert(strstr(f->explanation, "kt_update_stats"), "%s",
		  f->explanation);
	cr_assert(strstr(f->explanation, "_raw_spin_unlock_irq"));
	// The other CPU spins on it in task context: the soft lockup.
	seg = irq_segment(exp, !cpu);
	cr_assert_not_null(seg);
	cr_assert_eq(kt_test_hex(kt_test_get(seg, "rdi")), lock);
	r = kt_test_ref(f, "also spinning");
	cr_assert_str_eq(r->text, "native_queued_spin_lock_slowpath");
	cr_assert_not_null(drgn_frame(seg, kt_test_ref(f, "also waiting for the lock")->text));
	kt_findings_deinit(&out);
	cJSON_Delete(exp);
	kt_program_destroy(prog);
}

/*
 * With IF clear in the interrupt's pt_regs (an NMI would look so) the
 * recursion is still reported, but not as "IRQs were enabled".
 */
Test(plugin_lock_irq, if_clear)
{
	struct kt_program *prog = kt_test_open("irq-lock");
	struct kt_trace tr;
	struct kt_findings out;
	uint64_t task, off, flags = 0x83;
	size_t i;

	cr_assert_null(kt_task_current(prog, 0, &task));
	cr_assert_null(kt_stack_trace(prog, task, &tr));
	for (i = 0; i < tr.n; i++)
		if (tr.frames[i].stack == KT_STACK_TASK && tr.frames[i].regs_addr)
			break;
	cr_assert_lt(i, tr.n);
	cr_assert_null(kt_type_member_offset(prog, "struct pt_regs", "flags",
					     &off));
	cr_assert_null(kt_dump_patch(prog->dump, tr.frames[i].regs_addr + off,
				     &flags, 8, KT_FAULT_NONE));
	kt_trace_deinit(&tr);
	kt_test_run_plugin(prog, "lock_irq", &out);
	cr_assert_eq(out.n, 1);
	cr_assert(strstr(out.v[0].title, "Spinlock recursion"), "%s",
		  out.v[0].title);
	kt_findings_deinit(&out);
	kt_program_destroy(prog);
}
