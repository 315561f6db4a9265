// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Corrupt data in the middle of a list walk: a real dump with a few words
 * patched or a page made unreadable. Every walk must stop, say where and
 * why, and keep what it found.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dump.h"
#include "core/log.h"
#include "core/module.h"
#include "core/task.h"
#include "app/commands.h"
#include "tests/helpers.h"

/* The list_head of the @n-th process after init_task. */
static uint64_t nth_process(struct kt_program *prog, int n)
{
	uint64_t head, off, node;

	cr_assert_null(kt_symbol_address(prog, "init_task", &head));
	cr_assert_null(kt_type_member_offset(prog, "struct task_struct",
					     "tasks", &off));
	head += off;
	node = head;
	for (int i = 0; i < n; i++)
		cr_assert_null(kt_read_u64(prog, node, &node));
	return node;
}

static size_t full_count(void)
{
	struct kt_program *prog = kt_test_open("sysrq-null");
	const struct kt_task_list *list;
	size_t n;

	cr_assert_null(kt_tasks_load(prog, &list));
	n = list->n;
	kt_program_destroy(prog);
	return n;
}

Test(corrupt, task_list_cycle_is_detected)
{
	size_t all = full_count();
	struct kt_program *prog = kt_test_open("sysrq-null");
	uint64_t second = nth_process(prog, 2), fifth = nth_process(prog, 5);
	const struct kt_task_list *list;

	// fifth->next = second: the walk would go round for ever.
	cr_assert_null(kt_dump_patch(prog->dump, fifth, &second, 8, 0));
	cr_assert_null(kt_tasks_load(prog, &list));
	cr_assert_not_null(list->warning);
	cr_expect(strstr(list->warning, "cycle at entry"), "%s", list->warning);
	cr_expect(list->n > 5 && list->n < all, "%zu of %zu", list->n, all);
	kt_program_destroy(prog);
}

Test(corrupt, broken_back_link_is_reported)
{
	struct kt_program *prog = kt_test_open("sysrq-null");
	uint64_t fifth = nth_process(prog, 5), eighth = nth_process(prog, 8);
	const struct kt_task_list *list;

	// fifth->next skips two entries: eighth->prev does not point back.
	cr_assert_null(kt_dump_patch(prog->dump, fifth, &eighth, 8, 0));
	cr_assert_null(kt_tasks_load(prog, &list));
	cr_assert_not_null(list->warning);
	cr_expect(strstr(list->warning, "->prev is"), "%s", list->warning);
	kt_program_destroy(prog);
}

Test(corrupt, unreadable_page_mid_walk)
{
	size_t all = full_count();
	struct kt_program *prog = kt_test_open("sysrq-null");
	uint64_t third = nth_process(prog, 3);
	const struct kt_task_list *list;

	cr_assert_null(kt_dump_patch(prog->dump, third, NULL, 16,
				     KT_FAULT_EXCLUDED));
	cr_assert_null(kt_tasks_load(prog, &list));
	cr_assert_not_null(list->warning);
	cr_expect(strstr(list->warning, "page excluded from dump"), "%s",
		  list->warning);
	cr_expect(list->n >= 2 && list->n < all);
	kt_program_destroy(prog);
}

Test(corrupt, module_list_loop_keeps_modules_found)
{
	struct kt_program *prog = kt_test_open("hctx-fq");
	const struct kt_module_list *list;
	uint64_t head, first, second;

	cr_assert_null(kt_symbol_address(prog, "modules", &head));
	cr_assert_null(kt_read_u64(prog, head, &first));
	cr_assert_null(kt_read_u64(prog, first, &second));
	// second->next = first.
	cr_assert_null(kt_dump_patch(prog->dump, second, &first, 8, 0));
	cr_assert_null(kt_modules_load(prog, &list));
	cr_expect_eq(list->n, 2);
	cr_assert_not_null(list->warning);
	cr_expect(strstr(list->warning, "cycle"), "%s", list->warning);
	kt_program_destroy(prog);
}

Test(corrupt, garbage_printk_ring_is_refused_not_followed)
{
	struct kt_program *prog = kt_test_open("sysrq-null");
	const struct kt_log *log;
	uint64_t prb, bits = 60;
	struct kt_error *err;

	cr_assert_null(kt_symbol_address(prog, "prb", &prb));
	cr_assert_null(kt_read_u64(prog, prb, &prb));
	// desc_ring.count_bits is the first word of the ring buffer.
	cr_assert_null(kt_dump_patch(prog->dump, prb, &bits, 4, 0));
	err = kt_log_load(prog, &log);
	cr_assert_not_null(err);
	cr_expect(strstr(err->message, "implausible size"), "%s", err->message);
	kt_error_destroy(err);
	kt_program_destroy(prog);
}

/* A task that names itself with escape codes cannot drive the terminal. */
Test(corrupt, hostile_comm_is_printed_inert)
{
	struct kt_program *prog = kt_test_open("sysrq-null");
	const char evil[16] = "\033]0;pwn\a\033[2J";
	struct kt_cmd_ctx ctx = { .prog = prog };
	uint64_t init_task, off, task;
	size_t len = 0, elen = 0;
	char *out = NULL, *errs = NULL;

	cr_assert_null(kt_symbol_address(prog, "init_task", &init_task));
	cr_assert_null(kt_type_member_offset(prog, "struct task_struct",
					     "tasks", &off));
	cr_assert_null(kt_read_u64(prog, init_task + off, &task));
	task -= off;	// the first process: init
	cr_assert_null(kt_type_member_offset(prog, "struct task_struct",
					     "comm", &off));
	cr_assert_null(kt_dump_patch(prog->dump, task + off, evil,
				     sizeof(evil), 0));
	ctx.out = open_memstream(&out, &len);
	ctx.err = open_memstream(&errs, &elen);
	cr_assert_eq(kt_command_run(&ctx, "ps 1"), 0);
	ctx.json = true;
	cr_assert_eq(kt_command_run(&ctx, "ps 1"), 0);
	fclose(ctx.out);
	fclose(ctx.err);
	cr_expect_null(memchr(out, '\033', len), "raw ESC in: %s", out);
	cr_expect_null(memchr(out, '\a', len));
	cr_expect(strstr(out, "\\x1b]0;pwn\\x07\\x1b[2J"), "%s", out);
	free(out);
	free(errs);
	kt_program_destroy(prog);
}
