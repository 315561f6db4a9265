// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The oops plugin's traps on the dumps of the trap scenarios, against the
 * kernel's own log: a WARN_ON with panic_on_warn (warn), a division by a
 * zero count (div0), a call into kmalloc'd data (nx), unbounded recursion
 * into the stack's guard page (stack-overflow). Each finding must say what
 * the log says, and what only memory and code tell: the compare and its
 * values, the divisor, the owner of the data and the caller, the recursion.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/plugin.h"
#include "tests/helpers.h"

/* The text after @key on the last log line that has it, up to @stop. */
static bool log_field(const char *dmesg, const char *key, const char *stop,
		      char *buf, size_t size)
{
	const char *p, *last = NULL;

	for (p = strstr(dmesg, key); p; p = strstr(p + 1, key))
		last = p;
	if (!last)
		return false;
	last += strlen(key);
	snprintf(buf, size, "%.*s", (int)strcspn(last, stop), last);
	return true;
}

static const struct kt_finding *oops_finding(struct kt_findings *out)
{
	cr_assert_eq(out->n, 1);
	return &out->v[0];
}

ParameterizedTestParameters(plugin_oops_traps, agree_with_the_log)
{
	KT_ALL_DUMP_PARAMS();
}

ParameterizedTest(struct kt_dump_param *d, plugin_oops_traps,
		  agree_with_the_log)
{
	const char *scen = kt_test_scenario(d->name);
	char *path = kt_test_dump_path(d->name, ".dmesg.txt");
	char *dmesg = kt_test_slurp(path, NULL);
	char want[512], buf[200];
	struct kt_program *prog;
	struct kt_findings out;
	const struct kt_finding *f;

	cr_assert_not_null(dmesg);
	if (strcmp(scen, "warn") && strcmp(scen, "div0") &&
	    strcmp(scen, "nx") && strcmp(scen, "stack-overflow"))
		goto done;
	prog = kt_test_open(d->name);
	kt_test_run_plugin(prog, "oops", &out);
	f = oops_finding(&out);
	cr_expect_eq(f->severity, KT_SEV_CRITICAL);
	if (!strcmp(scen, "warn")) {
		// "WARNING: CPU: 1 PID: 125 at FILE:LINE kt_quota_charge...",
		// 7.x: "WARNING: FILE:LINE at kt_quota_charge..., CPU#1: ..."
		const char *fl;

		cr_assert(log_field(dmesg, "WARNING: ", "\n", buf,
				    sizeof(buf)));
		fl = buf;
		if (!strncmp(buf, "CPU: ", 5)) {
			cr_assert_not_null(strstr(buf, " at "), "%s", buf);
			fl = strstr(buf, " at ") + 4;
		}
		snprintf(want, sizeof(want), "WARNING at %.*s in kt_quota_charge"
			 " [ktscen]", (int)strcspn(fl, " "), fl);
		cr_expect(!strncmp(f->title, want, strlen(want)), "%s: '%s' "
			  "for '%s'", d->name, f->title, want);
		cr_expect(strstr(f->title, "(panic_on_warn)"), "%s", f->title);
		// used 4096 + 512 > limit 1024: the compare and both values
		cr_expect(strstr(f->explanation, "=0x1200") &&
			  strstr(f->explanation, "kt_quota+0x8 [ktscen]]=0x400"),
			  "%s: %s", d->name, f->explanation);
	} else if (!strcmp(scen, "div0")) {
		cr_assert(log_field(dmesg, "RIP: 0010:", ".+", buf, sizeof(buf)));
		snprintf(want, sizeof(want), "divide error in %s [ktscen]: ",
			 buf);
		cr_expect(!strncmp(f->title, want, strlen(want)), "%s: '%s' "
			  "for '%s'", d->name, f->title, want);
		cr_expect(strstr(f->title, "a division by zero"), "%s",
			  f->title);
	} else if (!strcmp(scen, "nx")) {
		cr_assert(log_field(dmesg, "unable to handle page fault for "
				    "address: ", "\n", buf, sizeof(buf)));
		snprintf(want, sizeof(want), "the kernel jumped to "
			 "non-executable memory at 0x%s (kmalloc-64+0x0 alloc)"
			 ", called from kt_trap_thread [ktscen]", buf);
		cr_expect_str_eq(f->title, want, "%s", d->name);
	} else {
		unsigned n = 0, total = 0;

		cr_assert(strstr(dmesg, "stack guard page was hit at"));
		cr_assert(sscanf(f->title, "kernel stack overflow: kt_descend "
				 "[ktscen] fills %u of the task's %u frames",
				 &n, &total) == 2, "%s: %s", d->name, f->title);
		// a 16 KiB stack of ~600-byte frames
		cr_expect(n >= 16 && n <= total, "%s: %s", d->name, f->title);
	}
	kt_findings_deinit(&out);
	kt_program_destroy(prog);
done:
	free(dmesg);
	free(path);
}
