// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every dump format libkdumpfile reads (and the flattened one it does not),
 * made from the real list-poison dump by tests/vmcores/mkformats.sh: each
 * must give the same facts as the kdump it came from.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dump.h"
#include "core/log.h"
#include "core/stack.h"
#include "core/sysinfo.h"
#include "core/task.h"
#include "tests/helpers.h"

struct format {
	char suffix[24];	/* list-poison.SUFFIX; "split" is two files */
	char description[48];
	char kaslr_source[40];
};

ParameterizedTestParameters(formats, same_facts_as_the_kdump)
{
	static struct format f[] = {
		{ "flat", "flattened compressed kdump (zlib)",
		  "VMCOREINFO KERNELOFFSET" },
		{ "kdump-none", "kdump (uncompressed)",
		  "VMCOREINFO KERNELOFFSET" },
		{ "kdump-lzo", "compressed kdump (lzo)",
		  "VMCOREINFO KERNELOFFSET" },
		{ "kdump-snappy", "compressed kdump (snappy)",
		  "VMCOREINFO KERNELOFFSET" },
		{ "kdump-zstd", "compressed kdump (zstd)",
		  "VMCOREINFO KERNELOFFSET" },
		{ "split", "compressed kdump (zlib)", "VMCOREINFO KERNELOFFSET" },
		{ "elf", "ELF vmcore", "VMCOREINFO KERNELOFFSET" },
		// QEMU-like: no VMCOREINFO, KASLR found from memory.
		{ "elf-noinfo", "ELF vmcore", "linux_banner found in memory" },
	};

	return cr_make_param_array(struct format, f, sizeof(f) / sizeof(f[0]));
}

static struct kt_program *open_format(const struct format *f)
{
	const char *dir = kt_test_env("KT_FORMATS");
	char a[4096], b[4096];

	if (strcmp(f->suffix, "split")) {
		snprintf(a, sizeof(a), "%s/list-poison.%s", dir, f->suffix);
		return kt_test_open_files(a, NULL, false);
	}
	snprintf(a, sizeof(a), "%s/list-poison.kdump-split1", dir);
	snprintf(b, sizeof(b), "%s/list-poison.kdump-split2", dir);
	return kt_test_open_files(a, b, false);
}

ParameterizedTest(struct format *f, formats, same_facts_as_the_kdump)
{
	struct kt_program *ref = kt_test_open("list-poison");
	struct kt_program *prog = open_format(f);
	const struct kt_task_list *rt, *t;
	const struct kt_log *rl, *l;
	struct kt_sysinfo rs, s;

	cr_expect_str_eq(kt_dump_info(prog->dump)->description,
			 f->description);
	cr_expect_str_eq(prog->kaslr_source, f->kaslr_source);
	cr_expect_eq(prog->kaslr_offset, ref->kaslr_offset);
	cr_assert_null(kt_sysinfo_load(ref, &rs));
	cr_assert_null(kt_sysinfo_load(prog, &s));
	cr_expect_null(s.warnings, "%s: %s", f->suffix, s.warnings);
	cr_expect_str_eq(s.release, rs.release);
	cr_expect_str_eq(s.panic, rs.panic);
	cr_expect_eq(s.crash_time, rs.crash_time);
	cr_expect_eq(s.panic_pid, rs.panic_pid);
	cr_expect_eq(s.panic_task, rs.panic_task);
	cr_assert_null(kt_tasks_load(ref, &rt));
	cr_assert_null(kt_tasks_load(prog, &t));
	cr_assert_eq(t->n, rt->n, "%s: %zu tasks, kdump %zu", f->suffix, t->n,
		     rt->n);
	for (size_t i = 0; i < t->n; i++) {
		cr_expect_eq(t->tasks[i].addr, rt->tasks[i].addr);
		cr_expect_str_eq(t->tasks[i].st, rt->tasks[i].st);
		cr_expect_str_eq(t->tasks[i].comm, rt->tasks[i].comm);
	}
	// The panic task's backtrace is the same, frame for frame.
	struct kt_trace rtr, tr;

	cr_assert_null(kt_stack_trace(ref, rs.panic_task, &rtr));
	cr_assert_null(kt_stack_trace(prog, s.panic_task, &tr));
	cr_expect(tr.complete, "%s: %s", f->suffix, tr.stop);
	cr_assert_eq(tr.n, rtr.n, "%s: %zu frames, kdump %zu", f->suffix,
		     tr.n, rtr.n);
	for (size_t i = 0; i < tr.n; i++)
		cr_expect_eq(tr.frames[i].pc, rtr.frames[i].pc);
	kt_trace_deinit(&rtr);
	kt_trace_deinit(&tr);
	cr_assert_null(kt_log_load(ref, &rl));
	cr_assert_null(kt_log_load(prog, &l));
	cr_assert_eq(l->n, rl->n);
	for (size_t i = 0; i < l->n; i++)
		cr_expect(l->recs[i].len == rl->recs[i].len &&
			  !memcmp(l->recs[i].text, rl->recs[i].text,
				  l->recs[i].len));
	kt_sysinfo_deinit(&rs);
	kt_sysinfo_deinit(&s);
	kt_program_destroy(prog);
	kt_program_destroy(ref);
}

Test(formats, one_part_of_a_split_dump_is_refused)
{
	char *part;
	struct kt_run r;

	cr_assert(asprintf(&part, "%s/list-poison.kdump-split1",
			   kt_test_env("KT_FORMATS")) > 0);
	const char *argv[] = { part, kt_test_env("KT_VMLINUX"), "-c", "sys",
			       NULL };
	r = kt_test_run(argv);
	cr_expect_eq(r.status, 3);
	cr_expect(strstr(r.err, "part of a split dump (makedumpfile --split)"
			 "; the parts given hold pages up to pfn"), "%s", r.err);
	kt_run_free(&r);
	free(part);
}
