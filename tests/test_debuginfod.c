// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `ktriage VMCORE` with no vmlinux: found by the dump's release and
 * build-id (core/debuginfo_find.c) in $KTRIAGE_DEBUG_PATH, or from a real
 * debuginfod server (Debian's, started here on loopback over a folder with
 * the vmlinux, stopped after), and refused when a path or a server has
 * another file. With nothing found, the message names the package.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/debuginfo_find.h"
#include "tests/helpers.h"
#include "tests/run.h"

#define DUMP "sysrq-null"
#define RELEASE "6.1.0-56-cloud-amd64"

static char dir[64];

static void setup(void)
{
	char cmd[256];

	snprintf(dir, sizeof(dir), "/tmp/kt-dbgi-%d", (int)getpid());
	snprintf(cmd, sizeof(cmd), "rm -rf %s && mkdir -p %s", dir, dir);
	cr_assert_eq(system(cmd), 0);
}

static void teardown(void)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(debuginfod, .init = setup, .fini = teardown, .timeout = 600);

/* ktriage DUMP -c sys [-c mod], with @env ("NAME=value"..., NULL-ended). */
static struct kt_run run_on(const char *name, bool mod,
			    const char *const *env)
{
	char *dump = kt_test_dump_path(name, ".kdump");
	const char *argv[] = { dump, "-c", "sys", mod ? "-c" : NULL, "mod",
			       NULL };
	// nothing from the machine's own configuration leaks in
	const char *base[16] = { "DEBUGINFOD_URLS=", "KTRIAGE_DEBUG_PATH=" };
	struct kt_limits l = { .seconds = 300 };
	struct kt_run r;
	size_t n = 2;

	for (; env && *env && n < 15; env++)
		base[n++] = *env;
	l.env = base;
	r = kt_test_run_limited(argv, &l).run;
	free(dump);
	return r;
}

static struct kt_run run(const char *const *env)
{
	return run_on(DUMP, false, env);
}

/* The GNU build-id of a file, in hex. */
static char *file_build_id(const char *path)
{
	static char id[129];

	cr_assert(kt_elf_build_id(path, id, sizeof(id)), "%s", path);
	return id;
}

static char *build_id(void)
{
	static char id[129];

	cr_assert(kt_elf_build_id(kt_test_env("KT_VMLINUX"), id, sizeof(id)));
	return id;
}

/* A hard link when the file system allows, else a copy (590 MB). */
static void place(const char *from, const char *to)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\" && "
		 "{ ln -f '%s' '%s' 2>/dev/null || cp '%s' '%s'; }", to, from,
		 to, from, to);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
}

Test(debuginfod, nothing_found_names_the_package)
{
	struct kt_run r;

	if (!access("/usr/lib/debug/boot/vmlinux-" RELEASE, R_OK))
		return;	// this machine has the -dbg package installed
	r = run(NULL);
	cr_expect_eq(r.status, 3, "%s", r.err);
	cr_expect(strstr(r.err, "no vmlinux of kernel " RELEASE " (build-id ")
		  && strstr(r.err, "linux-image-" RELEASE "-dbg") &&
		  strstr(r.err, "DEBUGINFOD_URLS is not set"), "%s", r.err);
	cr_expect(!strchr(r.err, '\n') || strchr(r.err, '\n')[1] == 0,
		  "one line: %s", r.err);
	kt_run_free(&r);
}

Test(debuginfod, debug_path_by_build_id)
{
	char to[256], env[128];
	const char *id = build_id();
	struct kt_run r;

	snprintf(to, sizeof(to), "%s/.build-id/%.2s/%s.debug", dir, id, id + 2);
	place(kt_test_env("KT_VMLINUX"), to);
	snprintf(env, sizeof(env), "KTRIAGE_DEBUG_PATH=relative:%s", dir);
	r = run((const char *[]){ env, NULL });
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.err, "the vmlinux: ") && strstr(r.err, to) &&
		  strstr(r.err, "from $KTRIAGE_DEBUG_PATH"), "%s", r.err);
	cr_expect(strstr(r.out, "VMLINUX: match (release, build-id"), "%s",
		  r.out);
	kt_run_free(&r);
}

Test(debuginfod, debug_path_file_of_another_build_refused)
{
	char to[256], env[128];
	struct kt_run r;

	// the release's name, another file: refused by its build-id
	snprintf(to, sizeof(to), "%s/boot/vmlinux-" RELEASE, dir);
	place("/bin/ls", to);
	snprintf(env, sizeof(env), "KTRIAGE_DEBUG_PATH=%s", dir);
	r = run((const char *[]){ env, NULL });
	cr_expect_eq(r.status, 3, "%s", r.err);
	snprintf(env, sizeof(env), ", not %s", build_id());
	cr_expect(strstr(r.err, to) && strstr(r.err, env), "%s",
		  r.err);
	kt_run_free(&r);
}

/* Start @cmd in the background; its pid. */
static pid_t start(const char *cmd)
{
	pid_t pid = fork();

	cr_assert(pid >= 0);
	if (!pid) {
		setpgid(0, 0);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void stop(pid_t pid)
{
	kill(-pid, SIGTERM);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

/* Wait until @url answers 200 (a GET: debuginfod takes no HEAD), at most
 * @seconds. */
static bool serving(const char *url, int seconds)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "for i in $(seq %d); do "
		 "[ \"$(curl -s -o /dev/null -w '%%{http_code}' '%s')\" = "
		 "200 ] && exit 0; sleep 1; done; exit 1", seconds, url);
	return system(cmd) == 0;
}

static int port(int k)
{
	return 20000 + (int)(getpid() % 20000) + k;
}

Test(debuginfod, from_a_real_server)
{
	char cmd[512], url[256], env1[256], env2[256], cached[256];
	const char *id = build_id();
	char *mod_id;
	struct kt_run r;
	struct stat st;
	pid_t srv;

	snprintf(cmd, sizeof(cmd), "%s/srv/vmlinux", dir);
	place(kt_test_env("KT_VMLINUX"), cmd);
	snprintf(url, sizeof(url), "%s/modules/ktscen.ko",
		 kt_test_env("KT_FIXTURES"));
	snprintf(cmd, sizeof(cmd), "%s/srv/ktscen.ko", dir);
	place(url, cmd);
	mod_id = file_build_id(url);
	snprintf(cmd, sizeof(cmd), "exec debuginfod -p %d -d %s/db.sqlite "
		 "-F %s/srv -t0 -g0 > %s/server.log 2>&1", port(0), dir, dir,
		 dir);
	srv = start(cmd);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/buildid/%s/debuginfo",
		 port(0), id);
	if (!serving(url, 120)) {
		stop(srv);
		cr_assert_fail("debuginfod did not serve %s", url);
	}
	snprintf(env1, sizeof(env1), "DEBUGINFOD_URLS=http://127.0.0.1:%d",
		 port(0));
	snprintf(env2, sizeof(env2), "DEBUGINFOD_CACHE_PATH=%s/cache", dir);
	r = run_on("list-poison", true, (const char *[]){ env1, env2, NULL });
	stop(srv);
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.err, "from debuginfod (http://127.0.0.1:"), "%s",
		  r.err);
	// the module's .ko too, by the build-id in its notes in memory
	snprintf(cached, sizeof(cached), "%s/cache/%s/debuginfo", dir, mod_id);
	cr_expect(strstr(r.out, cached), "no %s in: %s", cached, r.out);
	cr_expect(strstr(r.out, "VMLINUX: match (release, build-id"), "%s",
		  r.out);
	// in the client's cache, whole
	snprintf(cached, sizeof(cached), "%s/cache/%s/debuginfo", dir, id);
	cr_expect(!stat(cached, &st) && st.st_size > (100 << 20), "%s",
		  cached);
	kt_run_free(&r);
}

Test(debuginfod, server_down)
{
	char env1[128], env2[256];
	struct kt_run r;

	// a port nothing listens on
	snprintf(env1, sizeof(env1), "DEBUGINFOD_URLS=http://127.0.0.1:%d",
		 port(1));
	snprintf(env2, sizeof(env2), "DEBUGINFOD_CACHE_PATH=%s/cache", dir);
	r = run((const char *[]){ env1, env2, "DEBUGINFOD_TIMEOUT=5", NULL });
	cr_expect_eq(r.status, 3, "%s", r.err);
	cr_expect(strstr(r.err, "debuginfod (http://127.0.0.1:") &&
		  strstr(r.err, "linux-image-" RELEASE "-dbg"), "%s", r.err);
	kt_run_free(&r);
}

/* A server that answers the build-id with another ELF file. */
Test(debuginfod, server_sending_another_file_refused)
{
	char cmd[512], url[256], env1[128], env2[256], cached[256];
	const char *id = build_id();
	struct kt_run r;
	pid_t srv;

	snprintf(cmd, sizeof(cmd), "%s/web/buildid/%s/debuginfo", dir, id);
	place("/bin/ls", cmd);
	snprintf(cmd, sizeof(cmd), "exec python3 -m http.server -b 127.0.0.1 "
		 "-d %s/web %d > %s/web.log 2>&1", dir, port(2), dir);
	srv = start(cmd);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/buildid/%s/debuginfo",
		 port(2), id);
	if (!serving(url, 30)) {
		stop(srv);
		cr_assert_fail("http.server did not serve %s", url);
	}
	snprintf(env1, sizeof(env1), "DEBUGINFOD_URLS=http://127.0.0.1:%d",
		 port(2));
	snprintf(env2, sizeof(env2), "DEBUGINFOD_CACHE_PATH=%s/cache", dir);
	r = run((const char *[]){ env1, env2, NULL });
	stop(srv);
	cr_expect_eq(r.status, 3, "%s", r.err);
	cr_expect(strstr(r.err, "sent a file of another build-id: refused"),
		  "%s", r.err);
	// not left in the cache to be taken next time
	snprintf(cached, sizeof(cached), "%s/cache/%s/debuginfo", dir, id);
	cr_expect(access(cached, F_OK), "%s is still cached", cached);
	kt_run_free(&r);
}

/* A module's .ko by the build-id the loaded module carries in memory. */
Test(debuginfod, module_by_build_id_in_debug_path)
{
	char ko[256], to[256], env[128], *id;
	struct kt_run r;

	snprintf(ko, sizeof(ko), "%s/modules/ktscen.ko",
		 kt_test_env("KT_FIXTURES"));
	id = file_build_id(ko);
	snprintf(to, sizeof(to), "%s/.build-id/%.2s/%s.debug", dir, id, id + 2);
	place(ko, to);
	// the vmlinux from the same tree
	id = build_id();
	snprintf(ko, sizeof(ko), "%s/.build-id/%.2s/%s.debug", dir, id, id + 2);
	place(kt_test_env("KT_VMLINUX"), ko);
	snprintf(env, sizeof(env), "KTRIAGE_DEBUG_PATH=%s", dir);
	r = run_on("list-poison", true, (const char *[]){ env, NULL });
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.out, "  ktscen ") && strstr(r.out, to), "%s",
		  r.out);
	kt_run_free(&r);
}

/* A vmlinux of another kernel given: the mismatch said, then the dump's own
 * found by build-id and used. */
Test(debuginfod, mismatched_vmlinux_replaced_by_the_dumps_own)
{
	char *dump = kt_test_dump_path(DUMP, ".kdump"), other[256], to[256];
	char env[128];
	const char *argv[] = { dump, other, "-c", "sys", NULL };
	const char *envs[] = { "DEBUGINFOD_URLS=", env, NULL };
	struct kt_limits l = { .seconds = 300, .env = envs };
	const char *id = build_id();
	struct kt_run r;

	snprintf(other, sizeof(other), "%s/vmlinux-other",
		 kt_test_env("KT_TESTDATA"));
	snprintf(to, sizeof(to), "%s/.build-id/%.2s/%s.debug", dir, id, id + 2);
	place(kt_test_env("KT_VMLINUX"), to);
	snprintf(env, sizeof(env), "KTRIAGE_DEBUG_PATH=%s", dir);
	r = kt_test_run_limited(argv, &l).run;
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.err, "does not match the dump: the dump's release "
			 "is " RELEASE) &&
		  strstr(r.err, "using the dump's own vmlinux instead: ") &&
		  strstr(r.err, to), "%s", r.err);
	cr_expect(strstr(r.out, "VMLINUX: match (release, build-id"), "%s",
		  r.out);
	kt_run_free(&r);
	free(dump);
}
