// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Real dumps written by QEMU's dump-guest-memory (tests/vmcores/regen.sh,
 * MODES=qemu): ELF without and with paging, kdump, and the flattened kdump
 * QEMU writes. drgn 0.0.22 opens only the paging ELF of these.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "core/dump.h"
#include "core/log.h"
#include "core/sysinfo.h"
#include "core/task.h"
#include "tests/helpers.h"

struct qemu_format {
	char suffix[24];
	char description[48];
};

static struct kt_program *open_qemu(const char *suffix)
{
	static char path[4096];
	static const char *paths[] = { path };
	struct kt_open_options o = {
		.dump_paths = paths,
		.ndump_paths = 1,
		.vmlinux_path = kt_test_env("KT_VMLINUX"),
		.no_std_module_dirs = true,
	};
	struct kt_program *prog;
	struct kt_error *err;

	snprintf(path, sizeof(path), "%s/sysrq-null.%s",
		 kt_test_env("KT_QEMU_DUMPS"), suffix);
	err = kt_program_open(&o, &prog);
	cr_assert_null(err, "%s: %s", suffix, err ? err->message : "");
	return prog;
}

/* drgn's task count for the paging ELF, the QEMU format it reads. */
static int drgn_tasks(void)
{
	char cmd[8192];
	int n = -1, pid = -1;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "drgn -q -c '%s/sysrq-null.qemu-elf-paging' "
		 "-s '%s' '%s/tests/oracle/count_tasks.py'",
		 kt_test_env("KT_QEMU_DUMPS"), kt_test_env("KT_VMLINUX"),
		 KT_SOURCE_DIR);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	cr_assert_eq(fscanf(p, "%d %d", &n, &pid), 2, "drgn gave no count");
	pclose(p);
	cr_assert_eq(pid, 1, "drgn's crashed thread");
	return n;
}

ParameterizedTestParameters(qemu, dump_guest_memory_formats)
{
	static struct qemu_format f[] = {
		{ "qemu-elf", "ELF vmcore" },
		{ "qemu-elf-paging", "ELF vmcore" },
		{ "qemu-kdump", "compressed kdump (zlib)" },
		{ "qemu-kdump-flat", "flattened compressed kdump (zlib)" },
	};

	return cr_make_param_array(struct qemu_format, f,
				   sizeof(f) / sizeof(f[0]));
}

ParameterizedTest(struct qemu_format *f, qemu, dump_guest_memory_formats)
{
	struct kt_program *ref = open_qemu("qemu-elf-paging");
	struct kt_program *prog = open_qemu(f->suffix);
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
	// panic() stopped the other CPU with smp_send_stop(): offline.
	cr_expect(s.nr_cpus == 2 && s.online_cpus == 1);
	cr_assert_null(kt_tasks_load(prog, &t));
	cr_assert_null(kt_tasks_load(ref, &rt));
	cr_expect_eq(t->n, rt->n);
	cr_expect_eq(t->n, drgn_tasks() + s.nr_cpus, "%s: %zu tasks, drgn %d + "
		     "the idle tasks", f->suffix, t->n, drgn_tasks());
	cr_assert_null(kt_log_load(prog, &l));
	cr_expect(l->n > 300 && !strncmp(l->recs[0].text, "Linux version", 13));
	kt_sysinfo_deinit(&s);
	kt_program_destroy(prog);
	kt_program_destroy(ref);
}
