// SPDX-License-Identifier: GPL-2.0-or-later
/* The workbench's views as rows, without a terminal. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/tui_keys.h"
#include "core/sysinfo.h"
#include "core/task.h"
#include "tests/helpers.h"
#include "views/views.h"

#define HCTX 0xffff8d76018b5a00ULL
#define HCTX_FQ 0xffff8d7630382c40ULL

/* The first row containing @needle, or NULL. */
static const struct kt_row *row_with(const struct kt_rows *rows,
				     const char *needle)
{
	for (size_t i = 0; i < rows->n; i++)
		if (strstr(rows->v[i].text, needle))
			return &rows->v[i];
	return NULL;
}

static void panic_trace(struct kt_program *prog, struct kt_trace *tr,
			int *pid)
{
	const struct kt_task_list *list;
	uint64_t task;
	int cpu;

	cr_assert_null(kt_task_panicked(prog, &cpu, &task));
	cr_assert_null(kt_tasks_load(prog, &list));
	*pid = kt_task_by_addr(list, task)->pid;
	cr_assert_null(kt_stack_trace(prog, task, tr));
}

Test(views, backtrace_frames_of_the_panic_task)
{
	struct kt_program *prog = kt_test_open("hctx-fq");
	struct kt_rows rows = { 0 };
	const struct kt_row *r;
	struct kt_trace tr;
	int pid;

	panic_trace(prog, &tr, &pid);
	kt_view_bt_frames(prog, &tr, pid, &rows);
	cr_assert_str_eq(rows.v[0].text, "--- <task stack> ---");
	r = &rows.v[1];
	cr_expect_str_eq(r->text, "#0  blk_free_flush_queue+0xe");
	cr_expect_eq(r->link.kind, KT_LINK_FRAME);
	cr_expect_eq(r->link.index, 0);
	cr_expect_eq(r->link.pid, 53);
	cr_expect_not_null(row_with(&rows, "#1  blk_mq_hw_sysfs_release+0x15"));
	kt_rows_deinit(&rows);
	kt_trace_deinit(&tr);
	kt_program_destroy(prog);
}

/*
 * Frame 0's words hold &hctx->kobj (bt -F: [kmalloc-512+0x190 alloc]);
 * frame 1 (blk_mq_hw_sysfs_release) has the hctx itself as a local, its
 * link typed for the inspector.
 */
Test(views, frame_words_and_variables_lead_to_the_hctx)
{
	struct kt_program *prog = kt_test_open("hctx-fq");
	struct kt_rows rows = { 0 };
	const struct kt_row *r;
	struct kt_trace tr;
	int pid;

	panic_trace(prog, &tr, &pid);
	kt_view_bt_words(prog, &tr, 0, &rows);
	r = row_with(&rows, "ffff8d76018b5b90");
	cr_assert_not_null(r);
	cr_expect(strstr(r->text, " kmalloc-512+0x190 alloc"), "%s", r->text);
	cr_expect_eq(r->link.kind, KT_LINK_ADDR);
	cr_expect_eq(r->link.addr, HCTX + 0x190);
	kt_rows_clear(&rows);
	kt_view_bt_vars(prog, &tr, 1, &rows);
	r = row_with(&rows, "local hctx = 0xffff8d76018b5a00");
	cr_assert_not_null(r);
	cr_expect_str_eq(r->text, "local hctx = 0xffff8d76018b5a00  "
			 "kmalloc-512+0x0 alloc");
	cr_expect_eq(r->link.addr, HCTX);
	cr_expect_str_eq(r->link.type, "struct blk_mq_hw_ctx");
	kt_rows_clear(&rows);
	kt_view_bt_regs(prog, &tr, 0, &rows);
	r = row_with(&rows, "rdi");
	cr_assert_not_null(r);
	cr_expect_eq(r->link.addr, HCTX_FQ, "RDI is the fq at the fault");
	kt_rows_deinit(&rows);
	kt_trace_deinit(&tr);
	kt_program_destroy(prog);
}

Test(views, object_members_link_and_say_not_ram)
{
	struct kt_program *prog = kt_test_open("hctx-fq");
	struct kt_rows rows = { 0 };
	const struct kt_row *r;
	char used[128];
	bool guessed;

	kt_view_object(prog, HCTX, "struct blk_mq_hw_ctx", "", &rows, used,
		       sizeof(used), &guessed);
	cr_expect_not(guessed);
	r = row_with(&rows, "struct blk_flush_queue *fq = ");
	cr_assert_not_null(r);
	cr_expect(strstr(r->text, "0xffff8d7630382c40  not RAM"), "%s",
		  r->text);
	cr_expect_eq(r->link.kind, KT_LINK_ADDR);
	cr_expect_eq(r->link.addr, HCTX_FQ);
	cr_expect_str_eq(r->link.type, "struct blk_flush_queue");
	// kobj is a member struct: closed, then opened by its path.
	r = row_with(&rows, "+ struct kobject kobj = {...}");
	cr_assert_not_null(r);
	cr_expect_eq(r->link.kind, KT_LINK_EXPAND);
	cr_expect_str_eq(r->link.type, "kobj");
	kt_rows_clear(&rows);
	kt_view_object(prog, HCTX, "struct blk_mq_hw_ctx", "kobj\n", &rows,
		       used, sizeof(used), &guessed);
	cr_expect_not_null(row_with(&rows, "- struct kobject kobj = {"));
	cr_expect_not_null(row_with(&rows, "    const char *name = "));
	kt_rows_deinit(&rows);
	kt_program_destroy(prog);
}

Test(views, object_type_guessed_from_the_slab_cache)
{
	struct kt_program *prog = kt_test_open("hctx-fq");
	struct kt_rows rows = { 0 };
	char used[128];
	bool guessed;

	// The panic task, 0x10 bytes in: the guess starts at the object.
	kt_view_object(prog, 0xffff8d76025520c0ULL + 0x10, "", "", &rows, used,
		       sizeof(used), &guessed);
	cr_expect(guessed);
	cr_expect_str_eq(used, "struct task_struct");
	cr_expect_str_eq(rows.v[0].text, "struct task_struct (guessed) at "
			 "ffff8d76025520c0");
	kt_rows_clear(&rows);
	// kmalloc-512 says nothing about a type.
	kt_view_object(prog, HCTX, "", "", &rows, used, sizeof(used),
		       &guessed);
	cr_expect_not(guessed);
	cr_expect(strstr(rows.v[0].text, "no type known"));
	kt_rows_deinit(&rows);
	kt_program_destroy(prog);
}

Test(views, tasks_filtered_to_uninterruptible)
{
	struct kt_program *prog = kt_test_open("nbd-orphan-hung");
	struct kt_task_filter flt = { .state = "UN", .cpu = -1 };
	struct kt_rows rows = { 0 };

	kt_view_tasks(prog, &flt, &rows);
	cr_assert(rows.n > 1);
	cr_expect_not_null(row_with(&rows, "blkid"));
	for (size_t i = 1; i < rows.n; i++) {
		cr_expect(strstr(rows.v[i].text, "  UN  "), "%s",
			  rows.v[i].text);
		cr_expect_eq(rows.v[i].link.kind, KT_LINK_TASK);
	}
	kt_rows_clear(&rows);
	snprintf(flt.name, sizeof(flt.name), "nomatch-at-all");
	kt_view_tasks(prog, &flt, &rows);
	cr_expect_eq(rows.n, 1, "the heading only");
	kt_rows_deinit(&rows);
	kt_program_destroy(prog);
}

/* Several states at once: each row in one of them, both present. */
Test(views, tasks_filtered_to_several_states)
{
	struct kt_program *prog = kt_test_open("nbd-orphan-hung");
	struct kt_task_filter flt = { .state = "UN,ru", .cpu = -1 };
	struct kt_rows rows = { 0 }, un = { 0 }, ru = { 0 };
	size_t nun = 0, nru = 0;

	kt_view_tasks(prog, &flt, &rows);
	for (size_t i = 1; i < rows.n; i++) {
		nun += strstr(rows.v[i].text, "  UN  ") != NULL;
		nru += strstr(rows.v[i].text, "  RU  ") != NULL;
	}
	cr_expect_eq(nun + nru, rows.n - 1, "only UN and RU rows");
	// As many as each filter alone: none lost, none twice.
	snprintf(flt.state, sizeof(flt.state), "UN");
	kt_view_tasks(prog, &flt, &un);
	snprintf(flt.state, sizeof(flt.state), "RU");
	kt_view_tasks(prog, &flt, &ru);
	cr_expect(nun > 0 && nru > 0, "UN %zu RU %zu", nun, nru);
	cr_expect_eq(nun, un.n - 1);
	cr_expect_eq(nru, ru.n - 1);
	// Separators: spaces too; "U" is no state.
	kt_rows_clear(&un);
	snprintf(flt.state, sizeof(flt.state), " RU  UN ");
	kt_view_tasks(prog, &flt, &un);
	cr_expect_eq(un.n, rows.n);
	kt_rows_clear(&un);
	snprintf(flt.state, sizeof(flt.state), "U");
	kt_view_tasks(prog, &flt, &un);
	cr_expect_eq(un.n, 1, "the heading only");
	kt_rows_deinit(&rows);
	kt_rows_deinit(&un);
	kt_rows_deinit(&ru);
	kt_program_destroy(prog);
}

Test(views, tasks_sorted_by_cpu_then_pid)
{
	struct kt_program *prog = kt_test_open("hctx-fq");
	struct kt_task_filter flt = { .cpu = -1, .sort = KT_SORT_CPU };
	struct kt_rows rows = { 0 };
	int last_cpu = -1, last_pid = -1, cpu, pid;

	kt_view_tasks(prog, &flt, &rows);
	cr_assert(rows.n > 10);
	for (size_t i = 1; i < rows.n; i++) {
		cr_assert_eq(sscanf(rows.v[i].text + 1, "%d %*d %d", &pid,
				    &cpu), 2, "%s", rows.v[i].text);
		cr_expect(cpu > last_cpu || (cpu == last_cpu && pid > last_pid),
			  "%s after cpu %d pid %d", rows.v[i].text, last_cpu,
			  last_pid);
		last_cpu = cpu;
		last_pid = pid;
	}
	cr_expect_eq(last_cpu, 1, "two CPUs");
	kt_rows_clear(&rows);
	flt.cpu = 1;
	kt_view_tasks(prog, &flt, &rows);
	for (size_t i = 1; i < rows.n; i++)
		cr_expect(sscanf(rows.v[i].text + 1, "%d %*d %d", &pid, &cpu) == 2
			  && cpu == 1, "%s", rows.v[i].text);
	kt_rows_deinit(&rows);
	kt_program_destroy(prog);
}

Test(views, landing_has_the_panic_and_the_dump)
{
	struct kt_program *prog = kt_test_open("sysrq-null");
	struct kt_view_finding f = { "critical", 3, "x:1", "a \033[31mtitle" };
	struct kt_rows rows = { 0 };
	const struct kt_row *r;

	kt_view_landing(prog, &f, 1, &rows);
	cr_expect_not_null(row_with(&rows, "PANIC:   Kernel panic - not "
				    "syncing: sysrq triggered crash"));
	r = row_with(&rows, "TASK:    PID ");
	cr_assert_not_null(r);
	cr_expect_eq(r->link.kind, KT_LINK_TASK);
	cr_expect_not_null(row_with(&rows, "dump level 31"));
	cr_expect_not_null(row_with(&rows, ", 0 in D state (UN)"));
	cr_expect_not_null(row_with(&rows, "VMLINUX: match"));
	// A title's escape sequence arrives inert.
	r = row_with(&rows, "title");
	cr_assert_not_null(r);
	cr_expect(strstr(r->text, "\\x1b[31m"), "%s", r->text);
	cr_expect_eq(r->link.kind, KT_LINK_FINDING);
	kt_rows_deinit(&rows);
	kt_program_destroy(prog);
}

Test(views, landing_counts_hung_tasks)
{
	struct kt_program *prog = kt_test_open("nbd-orphan-hung");
	struct kt_rows rows = { 0 };

	kt_view_landing(prog, NULL, 0, &rows);
	const struct kt_row *r = row_with(&rows, "TASKS:   ");

	cr_assert_not_null(r);
	cr_expect(strstr(r->text, ", 2 in D state (UN)"), "%s", r->text);
	cr_expect_eq(r->link.kind, KT_LINK_TASKS);
	cr_expect_str_eq(r->link.type, "UN");
	kt_rows_deinit(&rows);
	kt_program_destroy(prog);
}

Test(views, landing_shows_rip_and_cr2_of_the_oops)
{
	struct kt_program *prog = kt_test_open("hctx-fq");
	struct kt_rows rows = { 0 };
	const struct kt_row *r;

	kt_view_landing(prog, NULL, 0, &rows);
	cr_expect_not_null(row_with(&rows, "PANIC:   BUG: unable to handle "
				    "page fault for address: ffff8d7630382c80"));
	cr_expect_not_null(row_with(&rows, "RIP:     blk_free_flush_queue"
				    "+0xe/0x30"));
	r = row_with(&rows, "CR2:     ffff8d7630382c80");
	cr_assert_not_null(r);
	cr_expect_eq(r->link.kind, KT_LINK_LOG);
	kt_rows_deinit(&rows);
	kt_program_destroy(prog);
}

Test(views, log_rows_link_their_records)
{
	struct kt_program *prog = kt_test_open("hctx-fq");
	struct kt_rows rows = { 0 };
	const struct kt_row *r;

	kt_view_log(prog, &rows);
	r = row_with(&rows, "BUG: unable to handle page fault");
	cr_assert_not_null(r);
	cr_expect_eq(r->role, KT_ROLE_ERROR);
	cr_expect_eq(r->link.kind, KT_LINK_LOG);
	cr_expect_eq(&rows.v[r->link.index], r, "a row a record");
	kt_rows_deinit(&rows);
	kt_program_destroy(prog);
}

Test(views, text_rows_link_kernel_addresses_only)
{
	struct kt_rows rows = { 0 };

	kt_rows_add_text(&rows, "a 0xffff8d76018b5a00 b\n"
			 "ffffffffa89463ce: mov\n"
			 "0x0000000000001000 user\n"
			 "x\033]0;evil\007");
	cr_assert_eq(rows.n, 4);
	cr_expect_eq(rows.v[0].link.addr, HCTX);
	cr_expect_eq(rows.v[1].link.addr, 0xffffffffa89463ceULL);
	cr_expect_eq(rows.v[2].link.kind, KT_LINK_NONE);
	cr_expect_str_eq(rows.v[3].text, "x\\x1b]0;evil\\x07");
	cr_expect_eq(kt_rows_search(&rows, "MOV", 2, false), 1);
	uint64_t a[4];
	cr_expect_eq(kt_rows_find_addresses("ffff8d76018b5a00: ffffffffa89463ce "
					    "0000000000000001 x0xffff8d76018b5a00",
					    a, 4), 2);
	cr_expect_eq(a[1], 0xffffffffa89463ceULL);
	cr_expect_eq(kt_rows_search(&rows, "nothing", 0, false), -1);
	kt_rows_deinit(&rows);
}

Test(views, keymap_reports_bad_lines_and_keeps_good_ones)
{
	struct kt_keymap km;
	char *help;

	kt_keymap_load(&km, "/nonexistent/ktriagerc", 0);
	cr_expect_null(km.errors);
	cr_expect_eq(kt_keymap_lookup(&km, 'j'), KT_ACT_DOWN);
	kt_keymap_parse(&km, "# comment\nbind x quit\nbind\nbind y fly\n"
			"bind C-x help\nbind Zz quit\n", "rc");
	cr_expect_eq(kt_keymap_lookup(&km, 'x'), KT_ACT_QUIT);
	cr_expect_eq(kt_keymap_lookup(&km, 24), KT_ACT_HELP);
	cr_assert_not_null(km.errors);
	cr_expect_str_eq(km.errors, "rc:3: expected: bind KEY ACTION\n"
			 "rc:4: unknown action (see ? for the list)\n"
			 "rc:6: unknown key\n");
	help = kt_keymap_help(&km);
	cr_expect(strstr(help, "Backspace h Left   back "), "%s", help);
	free(help);
	kt_keymap_deinit(&km);
}
