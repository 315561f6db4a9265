// SPDX-License-Identifier: GPL-2.0-or-later
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/plugin.h"
#include "tests/helpers.h"

static void show(const char *dump)
{
	struct kt_program *prog = kt_test_open(dump);
	const struct kt_plugin *p = kt_plugin_find("oops");
	struct kt_findings out = { 0 };

	cr_assert_null(p->run(prog, &out));
	for (size_t i = 0; i < out.n; i++) {
		struct kt_finding *f = &out.v[i];
		fprintf(stderr, "== %s %s\n  %s\n  %s\n", dump, f->id, f->title, f->explanation);
		for (size_t j = 0; j < f->nrefs; j++)
			fprintf(stderr, "  ref %s %s addr=0x%lx val=0x%lx pid=%d lvl=%d %s\n", kt_ref_kind_name(f->refs[j].kind), f->refs[j].label, f->refs[j].addr, f->refs[j].value, f->refs[j].pid, f->refs[j].level, f->refs[j].text ? f->refs[j].text : "");
		for (size_t j = 0; j < f->nsteps; j++)
			fprintf(stderr, "  step %s\n", f->steps[j]);
	}
	if (!out.n) fprintf(stderr, "== %s: none\n", dump);
	kt_findings_deinit(&out);
	kt_program_destroy(prog);
}

Test(plugin_oops, show)
{
	for (int i = 0; kt_test_dumps[i]; i++)
		show(kt_test_dumps[i]);
}
