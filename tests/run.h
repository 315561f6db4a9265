/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Running the ktriage binary where a hang or a runaway allocation is the
 * bug: with a time limit (it is killed, and the test fails, rather than
 * block the suite), a memory limit, a chosen standard input and extra
 * environment, and what it cost measured.
 */
#ifndef KT_TESTS_RUN_H
#define KT_TESTS_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "tests/helpers.h"

struct kt_limits {
	const char *program;		/* NULL: the ktriage binary */
	const char *stdin_path;		/* NULL: /dev/null */
	const char *const *env;		/* "NAME=value"..., NULL-ended; or NULL */
	unsigned seconds;		/* killed after this; 0: 60 */
	/* address space in bytes, 0: none; not applied under ASan, whose
	 * shadow memory needs terabytes of it */
	uint64_t max_memory;
};

struct kt_limited_run {
	struct kt_run run;	/* run.status -1 when it was killed */
	bool timed_out;		/* killed at the time limit */
	int signal;		/* the signal that ended it, or 0 */
	double cpu_seconds;	/* user + system */
	long max_rss_kb;
};

/**
 * Run the ktriage binary (or @l->program) with @argv (NULL-ended, without
 * argv[0]) within @l. At most 16 MiB of each output is kept. Free with
 * kt_run_free().
 */
struct kt_limited_run kt_test_run_limited(const char *const *argv,
					  const struct kt_limits *l);

/**
 * True when @s holds what drives a terminal: a C0 control but \n and \t,
 * DEL, a C1 control (UTF-8 or the 8-bit CSI). Written apart from
 * core/sanitize.c, to check it.
 */
bool kt_test_has_control(const char *s);

#endif /* KT_TESTS_RUN_H */
