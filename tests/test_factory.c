// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Dumps of one boot per route, made by tests/vmcores/regen.sh in the
 * formats the tools write themselves: QEMU's dump-guest-memory (ELF without
 * and with paging, kdump, flattened kdump; drgn 0.0.22 opens only the
 * paging ELF) and the in-guest capture kernel (raw /proc/vmcore copy,
 * makedumpfile -E, -c and -l). Each is checked against drgn on its route.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "core/dump.h"
#include "core/log.h"
#include "core/stack.h"
#include "core/sysinfo.h"
#include "core/task.h"
#include "tests/helpers.h"

struct factory_format {
	char suffix[24];
	char description[48];
	char drgn_suffix[24];	/* the format of the route drgn reads */
	unsigned online_cpus;	/* QEMU's route: panic() stopped CPU 1 */
};

static struct kt_program *open_factory(const char *suffix)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/sysrq-null.%s",
		 kt_test_env("KT_FACTORY_DUMPS"), suffix);
	return kt_test_open_files(path, NULL, false);
}

/* drgn's task count on a format of the same boot that drgn reads. */
static int drgn_tasks(const char *suffix)
{
	char cmd[8192];
	int n = -1, pid = -1;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "drgn -q -c '%s/sysrq-null.%s' -s '%s' "
		 "'%s/tests/oracle/count_tasks.py'",
		 kt_test_env("KT_FACTORY_DUMPS"), suffix,
		 kt_test_env("KT_VMLINUX"), KT_SOURCE_DIR);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	cr_assert_eq(fscanf(p, "%d %d", &n, &pid), 2, "drgn gave no count");
	pclose(p);
	cr_assert_eq(pid, 1, "drgn's crashed thread");
	return n;
}

ParameterizedTestParameters(factory, formats_tools_write)
{
	static struct factory_format f[] = {
		{ "qemu-elf", "ELF vmcore", "qemu-elf-paging", 1 },
		{ "qemu-elf-paging", "ELF vmcore", "qemu-elf-paging", 1 },
		{ "qemu-kdump", "compressed kdump (zlib)", "qemu-elf-paging", 1 },
		{ "qemu-kdump-flat", "flattened compressed kdump (zlib)",
		  "qemu-elf-paging", 1 },
		{ "vmcore.elf", "ELF vmcore", "vmcore.kdump", 2 },
		{ "vmcore.elf-d31", "ELF vmcore", "vmcore.kdump", 2 },
		{ "vmcore.kdump", "compressed kdump (zlib)", "vmcore.kdump", 2 },
		{ "vmcore.kdump-lzo", "compressed kdump (lzo)", "vmcore.kdump",
		  2 },
	};

	return cr_make_param_array(struct factory_format, f,
				   sizeof(f) / sizeof(f[0]));
}

ParameterizedTest(struct factory_format *f, factory, formats_tools_write)
{
	struct kt_program *ref = open_factory(f->drgn_suffix);
	struct kt_program *prog = open_factory(f->suffix);
	const struct kt_task_list *t, *rt;
	const struct kt_log *l;
	struct kt_sysinfo s;

	cr_expect_str_eq(kt_dump_info(prog->dump)->description,
			 f->description);
	cr_expect_eq(prog->kaslr_offset, ref->kaslr_offset);
	cr_assert_null(kt_sysinfo_load(prog, &s));
	cr_expect_null(s.warnings, "%s: %s", f->suffix, s.warnings);
	cr_expect_str_eq(s.release, "6.1.0-56-cloud-amd64");
	cr_expect_str_eq(s.panic,
			 "Kernel panic - not syncing: sysrq triggered crash");
	cr_expect_eq(s.panic_pid, 1);
	cr_expect_str_eq(s.panic_comm, "init");
	// On QEMU's route panic() stopped CPU 1 with smp_send_stop(): it is
	// offline. The capture kernel's route stops CPUs by NMI instead.
	cr_expect(s.nr_cpus == 2 && s.online_cpus == f->online_cpus);
	cr_assert_null(kt_tasks_load(prog, &t));
	cr_assert_null(kt_tasks_load(ref, &rt));
	cr_expect_eq(t->n, rt->n);
	cr_expect_eq(t->n, drgn_tasks(f->drgn_suffix) + s.nr_cpus,
		     "%s: %zu tasks, drgn %d + the idle tasks", f->suffix, t->n,
		     drgn_tasks(f->drgn_suffix));
	// The panic task unwinds from sysrq to user mode in every format.
	struct kt_trace tr;
	bool sysrq = false;

	cr_assert_null(kt_stack_trace(prog, s.panic_task, &tr));
	cr_expect(tr.complete, "%s: %s", f->suffix, tr.stop);
	for (size_t i = 0; i < tr.n; i++)
		sysrq |= tr.frames[i].has_sym &&
			 !strcmp(tr.frames[i].sym.name, "sysrq_handle_crash");
	cr_expect(sysrq, "%s: no sysrq_handle_crash frame", f->suffix);
	cr_expect_eq(tr.frames[tr.n - 1].stack, KT_STACK_USER);
	kt_trace_deinit(&tr);
	cr_assert_null(kt_log_load(prog, &l));
	cr_expect(l->n > 300 && !strncmp(l->recs[0].text, "Linux version", 13));
	kt_sysinfo_deinit(&s);
	kt_program_destroy(prog);
	kt_program_destroy(ref);
}
