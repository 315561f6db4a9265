// SPDX-License-Identifier: GPL-2.0-or-later
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/run.h"

#define KEEP (16u << 20)

/* All of @fd to its end, keeping the first KEEP bytes. */
static char *drain(int fd)
{
	char *buf = malloc(KEEP + 1), skip[65536];
	size_t n = 0;
	ssize_t r;

	cr_assert_not_null(buf);
	do {
		if (n < KEEP)
			r = read(fd, buf + n, KEEP - n);
		else
			r = read(fd, skip, sizeof(skip));
		if (r > 0 && n < KEEP)
			n += r;
	} while (r > 0);
	buf[n] = 0;
	return buf;
}

static void child(const char *const *args, const struct kt_limits *l,
		  int out, int err)
{
	int in = open(l->stdin_path ? l->stdin_path : "/dev/null", O_RDONLY);

	if (in < 0)
		_exit(126);
	dup2(in, 0);
	dup2(out, 1);
	dup2(err, 2);
	// No test asks a debuginfod server or the user's debug path unless
	// it says so in l->env (a vmlinux left out is looked for there).
	unsetenv("DEBUGINFOD_URLS");
	unsetenv("KTRIAGE_DEBUG_PATH");
	for (const char *const *e = l->env; e && *e; e++)
		putenv((char *)*e);
#ifndef __SANITIZE_ADDRESS__
	if (l->max_memory) {
		struct rlimit rl = { l->max_memory, l->max_memory };

		setrlimit(RLIMIT_AS, &rl);
	}
#endif
	// The alarm outlives exec(): SIGALRM ends a hung ktriage.
	alarm(l->seconds ? l->seconds : 60);
	execv(args[0], (char *const *)args);
	_exit(127);
}

struct kt_limited_run kt_test_run_limited(const char *const *argv,
					  const struct kt_limits *l)
{
	char errpath[] = "/tmp/kt-test-err.XXXXXX";
	const char *args[64] = { l->program ?: kt_test_env("KT_BINARY") };
	struct kt_limited_run r = { .run.status = -1 };
	int pipefd[2], errfd, status;
	struct rusage ru;
	size_t n = 1;
	pid_t pid;

	for (; *argv && n < 63; argv++)
		args[n++] = *argv;
	args[n] = NULL;
	errfd = mkstemp(errpath);
	cr_assert(errfd >= 0 && pipe(pipefd) == 0);
	unlink(errpath);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		close(pipefd[0]);
		child(args, l, pipefd[1], errfd);
	}
	close(pipefd[1]);
	r.run.out = drain(pipefd[0]);
	close(pipefd[0]);
	cr_assert_eq(wait4(pid, &status, 0, &ru), pid);
	if (WIFEXITED(status))
		r.run.status = WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		r.signal = WTERMSIG(status);
	r.timed_out = r.signal == SIGALRM;
	r.cpu_seconds = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
			ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	r.max_rss_kb = ru.ru_maxrss;
	lseek(errfd, 0, SEEK_SET);
	r.run.err = drain(errfd);
	close(errfd);
	return r;
}

/*
 * Every test's run: a hang still ends (at a bound far above any command's
 * time under ASan), and no test reads the terminal.
 */
struct kt_run kt_test_run(const char *const *argv)
{
	static const struct kt_limits l = { .seconds = 900 };

	return kt_test_run_limited(argv, &l).run;
}

bool kt_test_has_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
			return true;
		// C1 controls: the 8-bit CSI, and U+0080-U+009F in UTF-8.
		if (*p == 0x9b || (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			return true;
	}
	return false;
}
