// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Backtraces against drgn's prog.stack_trace() for every task of every
 * shared dump (tests/expected/NAME.stacks.json). ktriage's frames are
 * drgn's physical frames (drgn adds inline frames at the same pc), same pc,
 * symbol and offset, except where drgn is known to fall short: it does not
 * show the NMI handler's frames, and it stops at IRQ stacks.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/stack.h"
#include "core/sysinfo.h"
#include "core/task.h"
#include "tests/helpers.h"

/* drgn's physical frames: pcs and "name+0xoff" symbols. */
static size_t drgn_frames(cJSON *task, uint64_t *pcs, char (*syms)[128],
			  size_t max, bool *stopped_short)
{
	size_t n = 0;
	cJSON *f;

	*stopped_short = false;
	cJSON_ArrayForEach(f, kt_test_get(task, "frames")) {
		cJSON *pc = kt_test_get(f, "pc"), *sym = kt_test_get(f, "symbol");

		if (cJSON_IsTrue(kt_test_get(f, "is_inline")))
			continue;
		if (!cJSON_IsString(pc)) {
			*stopped_short = true;	// "program counter is not known"
			break;
		}
		cr_assert_lt(n, max);
		pcs[n] = strtoull(pc->valuestring, NULL, 16);
		// drgn writes name+0xoff/0xsize; compare name+0xoff.
		snprintf(syms[n], sizeof(syms[n]), "%s",
			 cJSON_IsString(sym) ? sym->valuestring : "");
		char *slash = strrchr(syms[n], '/');

		if (slash)
			*slash = 0;
		n++;
	}
	return n;
}

/*
 * drgn names the sized function that contains a pc; ktriage, like the
 * kernel's oops text and crash, the nearest label (entry_SYSCALL_64's
 * entry_SYSCALL_64_after_hwframe), and of aliases the one the kernel prints
 * (null_exit, not cleanup_module). Either names the same pc.
 */
static void expect_inner_label(const struct kt_frame *f, const char *drgn,
			       const char *dump, cJSON *task, size_t i)
{
	const char *plus = strrchr(drgn, '+');
	uint64_t start = f->pc - strtoull(plus ? plus + 1 : "0", NULL, 16);

	cr_expect(f->has_sym && ((!f->sym.size && f->sym.addr > start) ||
				 f->sym.addr == start),
		  "%s pid %d frame %zu: %s+0x%lx, drgn %s", dump,
		  kt_test_get(task, "pid")->valueint, i, f->has_sym ? f->sym.name : "?",
		  (unsigned long)(f->has_sym ? f->sym.offset : 0), drgn);
}

/*
 * A check of one task: drgn's entry for it in NAME.stacks.json and
 * ktriage's trace of it. Returns how many things it checked.
 */
typedef int drgn_task_check(struct kt_program *prog, const char *dump,
			    cJSON *task, const struct kt_trace *trp);

/* Run @check on every task of @dump that drgn's stacks file lists. */
static int each_drgn_task(const char *dump, drgn_task_check *check)
{
	struct kt_program *prog = kt_test_open(dump);
	char name[96];
	cJSON *exp, *task;
	int n = 0;

	snprintf(name, sizeof(name), "%s.stacks", dump);
	exp = kt_test_expected(name);
	cJSON_ArrayForEach(task, kt_test_get(exp, "tasks")) {
		struct kt_trace tr;

		cr_assert_null(kt_stack_trace(prog, strtoull(kt_test_get(task,
				"task")->valuestring, NULL, 16), &tr));
		n += check(prog, dump, task, &tr);
		kt_trace_deinit(&tr);
	}
	cJSON_Delete(exp);
	kt_program_destroy(prog);
	return n;
}

static int compare_task(struct kt_program *prog, const char *dump,
			cJSON *task, const struct kt_trace *trp)
{
	const struct kt_trace tr = *trp;
	uint64_t pcs[256];
	char syms[256][128];
	bool short_;
	size_t n = drgn_frames(task, pcs, syms, 256, &short_), k = 0;

	cr_expect(tr.complete, "%s task %s: unwind stopped: %s", dump,
		  kt_test_get(task, "task")->valuestring, tr.stop);
	// Frames drgn cannot see lead on the NMI stack.
	while (n && k < tr.n && tr.frames[k].pc != pcs[0] &&
	       tr.frames[k].stack == KT_STACK_NMI)
		k++;
	cr_assert_geq(tr.n, k + n, "%s pid %d: %zu frames, drgn %zu", dump,
		      kt_test_get(task, "pid")->valueint, tr.n, n);
	for (size_t i = 0; i < n; i++) {
		const struct kt_frame *f = &tr.frames[k + i];
		char mine[160] = "";

		cr_expect_eq(f->pc, pcs[i], "%s pid %d frame %zu: pc %lx, drgn "
			     "%lx (%s)", dump, kt_test_get(task, "pid")->valueint, i,
			     (unsigned long)f->pc, (unsigned long)pcs[i],
			     syms[i]);
		if (f->has_sym)
			snprintf(mine, sizeof(mine), "%s+0x%lx", f->sym.name,
				 (unsigned long)f->sym.offset);
		if (*syms[i] && strcmp(mine, syms[i]))
			expect_inner_label(f, syms[i], dump, task, i);
	}
	// Where drgn stops short, ktriage goes on to the end of the stack.
	if (short_)
		cr_expect_gt(tr.n, k + n);
	else
		cr_expect_eq(tr.n, k + n, "%s pid %d: %zu frames, drgn %zu",
			     dump, kt_test_get(task, "pid")->valueint, tr.n - k, n);
	return 1;
}

ParameterizedTestParameters(stack, every_task_agrees_with_drgn)
{
	KT_DUMP_PARAMS();
}

ParameterizedTest(struct kt_dump_param *p, stack, every_task_agrees_with_drgn)
{
	struct kt_program *prog = kt_test_open(p->name);
	const struct kt_task_list *tl;

	// drgn lists every task; each was compared
	cr_assert_null(kt_tasks_load(prog, &tl));
	cr_expect_eq(each_drgn_task(p->name, compare_task), (int)tl->n,
		     "%s", p->name);
	cr_expect_gt(tl->n, 20, "%s", p->name);
	kt_program_destroy(prog);
}

static const struct kt_frame *find_frame(const struct kt_trace *tr,
					 const char *fn)
{
	for (size_t i = 0; i < tr->n; i++) {
		if (tr->frames[i].has_sym && !strcmp(tr->frames[i].sym.name, fn))
			return &tr->frames[i];
	}
	return NULL;
}

static void trace_of_cpu(struct kt_program *prog, int cpu, struct kt_trace *tr)
{
	uint64_t task;

	cr_assert_null(kt_task_current(prog, cpu, &task));
	cr_assert_null(kt_stack_trace(prog, task, tr));
}

/* bt -a on irq-lock: CPU0 NMI -> IRQ -> task stack; the lock in RDI. */
Test(stack, irq_lock_segments_and_lock_address)
{
	struct kt_program *prog = kt_test_open("irq-lock");
	const struct kt_frame *spin, *timer, *delay, *peer_spin;
	struct kt_trace cpu0, cpu1;

	trace_of_cpu(prog, 0, &cpu0);
	trace_of_cpu(prog, 1, &cpu1);
	cr_expect(cpu0.complete && cpu1.complete);
	cr_expect_eq(cpu0.frames[0].stack, KT_STACK_NMI, "CPU0 starts in NMI");
	cr_assert_not_null(find_frame(&cpu0, "crash_nmi_callback"));
	spin = find_frame(&cpu0, "native_queued_spin_lock_slowpath");
	timer = find_frame(&cpu0, "kt_timer_fn");
	delay = find_frame(&cpu0, "delay_tsc");
	cr_assert(spin && timer && delay);
	cr_expect_eq(spin->stack, KT_STACK_IRQ);
	cr_expect_eq(timer->stack, KT_STACK_IRQ);
	cr_expect_str_eq(timer->sym.module, "ktscen");
	cr_expect_eq(delay->stack, KT_STACK_TASK);
	cr_expect(delay->has_regs && delay->regs_addr, "delay_tsc is the "
		  "interrupted frame, with its pt_regs");
	cr_expect(delay->regs.r[KT_REG_RFLAGS] & 0x200,
		  "IRQs were on while lock A was held");
	cr_assert_not_null(find_frame(&cpu0, "kt_merge_one"));
	// CPU1 spins on the same lock: RDI in both pt_regs.
	peer_spin = find_frame(&cpu1, "native_queued_spin_lock_slowpath");
	cr_assert(peer_spin && peer_spin->has_regs && peer_spin->regs_addr);
	cr_assert(spin->has_regs && spin->regs_addr);
	cr_expect_eq(peer_spin->regs.r[KT_REG_RDI], spin->regs.r[KT_REG_RDI]);
	cr_assert_not_null(find_frame(&cpu1, "kt_other_thread"));
	kt_trace_deinit(&cpu0);
	kt_trace_deinit(&cpu1);
	kt_program_destroy(prog);
}

Test(stack, hctx_fq_exception_frame)
{
	struct kt_program *prog = kt_test_open("hctx-fq");
	const struct kt_frame *f;
	struct kt_trace tr;

	trace_of_cpu(prog, 0, &tr);
	f = &tr.frames[0];
	cr_expect_str_eq(f->sym.name, "blk_free_flush_queue");
	cr_expect_eq(f->sym.offset, 0xe);
	cr_expect(f->interrupted && f->has_regs);
	cr_assert_not_null(find_frame(&tr, "blkg_free_workfn"));
	cr_expect_eq(tr.frames[tr.n - 1].stack, KT_STACK_TASK);
	kt_trace_deinit(&tr);
	kt_program_destroy(prog);
}

Test(stack, module_frames_without_ko)
{
	char *path = kt_test_dump_path("hctx-fq-exit", ".kdump");
	struct kt_program *prog = kt_test_open_files(path, NULL, false);
	struct kt_trace tr;

	free(path);
	// drgn 0.0.22 loses the frames after null_del_dev without the .ko;
	// module ORC comes from memory here.
	trace_of_cpu(prog, 1, &tr);
	cr_expect(tr.complete, "%s", tr.stop);
	// The names the kernel's oops text gives them.
	cr_assert_not_null(find_frame(&tr, "null_del_dev.part.0"));
	cr_assert_not_null(find_frame(&tr, "null_exit"));
	cr_assert_not_null(find_frame(&tr, "__do_sys_delete_module"));
	cr_expect_eq(tr.frames[tr.n - 1].stack, KT_STACK_USER);
	kt_trace_deinit(&tr);
	kt_program_destroy(prog);
}

/* bt -l: the line of each frame is drgn's (its innermost frame at that pc). */
ParameterizedTestParameters(stack, source_lines_agree_with_drgn)
{
	KT_DUMP_PARAMS();
}

/* The line of each pc drgn lists is the line of the first frame there. */
static int check_lines(struct kt_program *prog, const char *dump, cJSON *task,
		       const struct kt_trace *tr)
{
	uint64_t last_pc = 0;
	int checked = 0;
	cJSON *f;

	cJSON_ArrayForEach(f, kt_test_get(task, "frames")) {
		cJSON *pc = kt_test_get(f, "pc"), *file = kt_test_get(f, "file");
		const char *mine;
		uint64_t v;
		int line;

		if (!cJSON_IsString(pc) || !cJSON_IsString(file))
			continue;
		v = strtoull(pc->valuestring, NULL, 16);
		if (v == last_pc)
			continue;	// outer frames of an inline chain
		last_pc = v;
		for (size_t i = 0; i < tr->n; i++) {
			if (tr->frames[i].pc != v)
				continue;
			cr_assert(kt_frame_source(prog, &tr->frames[i], &mine,
						  &line),
				  "%s: no line for %s", dump, pc->valuestring);
			cr_expect_str_eq(mine, file->valuestring);
			cr_expect_eq(line, kt_test_get(f, "line")->valueint, "%s %s",
				     dump, pc->valuestring);
			checked++;
			break;
		}
	}
	return checked;
}

ParameterizedTest(struct kt_dump_param *p, stack, source_lines_agree_with_drgn)
{
	cr_expect_gt(each_drgn_task(p->name, check_lines), 200);
}

/* bt -f and --json: the documented fields, and the frame words. */
Test(stack, bt_json_fields_and_frame_words)
{
	char *dump = kt_test_dump_path("list-poison", ".kdump"), *mods;
	struct kt_run r;
	cJSON *doc, *t, *seg, *fr, *w;
	bool ret_addr_seen = false;

	cr_assert(asprintf(&mods, "%s/modules", kt_test_env("KT_FIXTURES")) > 0);
	const char *argv[] = { dump, kt_test_env("KT_VMLINUX"), "-m", mods,
			       "--json", "-c", "bt -f", NULL };
	r = kt_test_run(argv);
	cr_assert_eq(r.status, 0, "%s", r.err);
	doc = cJSON_Parse(r.out);
	cr_assert(cJSON_IsArray(doc) && cJSON_GetArraySize(doc) == 1);
	t = cJSON_GetArrayItem(doc, 0);
	cr_expect_eq(kt_test_get(t, "pid")->valueint, 118);
	cr_expect_eq(kt_test_get(t, "cpu")->valueint, 0);
	cr_expect(!strncmp(kt_test_get(t, "task")->valuestring, "0x", 2));
	seg = cJSON_GetArrayItem(kt_test_get(t, "segments"), 0);
	cr_expect_str_eq(kt_test_get(seg, "kind")->valuestring, "task");
	fr = cJSON_GetArrayItem(kt_test_get(seg, "frames"), 0);
	cr_expect_str_eq(kt_test_get(fr, "function")->valuestring, "kt_sum_from");
	cr_expect_eq(kt_test_get(fr, "offset")->valueint, 0x1c);
	cr_expect_str_eq(kt_test_get(fr, "module")->valuestring, "ktscen");
	cr_expect_eq(kt_test_get(fr, "level")->valueint, 0);
	cr_expect(cJSON_IsFalse(kt_test_get(fr, "inlined")));
	cr_expect_eq(kt_test_get(kt_test_get(fr, "source"), "line")->valueint, 133);
	// RAX = LIST_POISON1, the fault's evidence, in the saved registers.
	cr_expect_str_eq(kt_test_get(kt_test_get(fr, "regs"), "rax")->valuestring,
			 "0xdead000000000100");
	// Frame 0's words end with the return address into frame 1.
	cJSON_ArrayForEach(w, kt_test_get(fr, "words")) {
		cJSON *sym = kt_test_get(w, "symbol");

		if (sym && !strcmp(sym->valuestring,
				   "kt_list_thread.cold+0x8a [ktscen]"))
			ret_addr_seen = true;
	}
	cr_expect(ret_addr_seen);
	cJSON_Delete(doc);
	kt_run_free(&r);
	free(mods);
	free(dump);
}

/* Inline frames: drgn's, function and line, at every frame of every task. */
ParameterizedTestParameters(stack, inline_frames_agree_with_drgn)
{
	KT_DUMP_PARAMS();
}

static int check_inlines(struct kt_program *prog, const char *dump,
			 cJSON *task, const struct kt_trace *tr)
{
	cJSON *frames = kt_test_get(task, "frames");
	int nf = cJSON_GetArraySize(frames), j = 0, inlined = 0;

	for (size_t i = 0; i < tr->n && j < nf; i++) {
		struct kt_inline in[8];
		size_t n = kt_frame_functions(prog, &tr->frames[i], in, 8);
		cJSON *f = cJSON_GetArrayItem(frames, j);

		if (!cJSON_IsString(kt_test_get(f, "pc")) ||
		    strtoull(kt_test_get(f, "pc")->valuestring, NULL, 16) !=
		    tr->frames[i].pc)
			continue;	// frames drgn does not have
		for (size_t k = 0; k + 1 < n && j < nf; k++, j++) {
			f = cJSON_GetArrayItem(frames, j);
			cr_expect(cJSON_IsTrue(kt_test_get(f, "is_inline")),
				  "%s: %s not inlined in drgn", dump,
				  in[k].function);
			cr_expect_str_eq(in[k].function,
					 kt_test_get(f, "function")->valuestring);
			cr_expect_eq(in[k].line, kt_test_get(f, "line")->valueint);
			inlined++;
		}
		f = cJSON_GetArrayItem(frames, j++);
		cr_expect(!cJSON_IsTrue(kt_test_get(f, "is_inline")),
			  "%s pid %d: drgn has more inline frames at %s", dump,
			  kt_test_get(task, "pid")->valueint, kt_test_get(f, "pc")->valuestring);
		if (n && cJSON_IsNumber(kt_test_get(f, "line")))
			cr_expect_eq(in[n - 1].line, kt_test_get(f, "line")->valueint);
	}
	return inlined;
}

ParameterizedTest(struct kt_dump_param *p, stack, inline_frames_agree_with_drgn)
{
	cr_expect_gt(each_drgn_task(p->name, check_inlines), 50);
}

static const struct kt_frame_var *find_var(struct kt_program *prog,
					   const struct kt_trace *tr,
					   size_t i, const char *name,
					   struct kt_frame_var *vars)
{
	size_t n = kt_frame_variables(prog, tr, i, vars, 64);

	for (size_t k = 0; k < n; k++) {
		if (!strcmp(vars[k].name, name))
			return &vars[k];
	}
	return NULL;
}

/*
 * Seed 000/001 on hctx-fq: blk_free_flush_queue's fq is the bogus pointer
 * (CR2 - 0x40), and the caller's hctx (found as drgn's trace[1]["hctx"]
 * did) holds it in ->fq. Values checked against drgn 0.0.22: fq
 * 0x...2c40 at CR2 0x...2c80, hctx->fq equal to it.
 */
Test(stack, frame_variables_find_hctx_and_bogus_fq)
{
	struct kt_program *prog = kt_test_open("hctx-fq");
	struct kt_frame_var vars[64];
	const struct kt_frame_var *fq, *hctx;
	uint64_t off, hctx_fq;
	struct kt_sysinfo si;
	struct kt_trace tr;
	const char *cr2;

	trace_of_cpu(prog, 0, &tr);
	fq = find_var(prog, &tr, 0, "fq", vars);
	cr_assert(fq && fq->known && fq->param, "%s", fq ? fq->why : "none");
	// The oops: "BUG: unable to handle page fault for address: CR2".
	cr_assert_null(kt_sysinfo_load(prog, &si));
	cr2 = strrchr(si.panic, ' ');
	cr_assert_not_null(cr2);
	cr_expect_eq(fq->value + 0x40, strtoull(cr2 + 1, NULL, 16),
		     "fq->flush_rq (fq + 0x40) is the faulting address");
	kt_sysinfo_deinit(&si);
	hctx = find_var(prog, &tr, 1, "hctx", vars + 32);
	cr_assert(hctx && hctx->known, "%s", hctx ? hctx->why : "none");
	cr_assert_null(kt_type_member_offset(prog, "struct blk_mq_hw_ctx",
					     "fq", &off));
	cr_assert_null(kt_read_u64(prog, hctx->value + off, &hctx_fq));
	cr_expect_eq(hctx_fq, fq->value, "hctx->fq is the bogus fq");
	kt_trace_deinit(&tr);
	kt_program_destroy(prog);
}
