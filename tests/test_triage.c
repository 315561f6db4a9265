// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `ktriage triage` on real dumps: the dumps of a directory found by their
 * magic and their vmlinux and modules by release and build-id in
 * --vmlinux-dir; grouped by signature, two dumps of one bug in one group;
 * a dump that cannot be opened is a row with its reason; a second run
 * skips what is done; a run killed with SIGKILL resumes; `similar` finds
 * the earlier case with its verdict; a damaged or hostile store is
 * refused or printed inert.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/debuginfo_find.h"
#include "tests/pg_server.h"
#include "tests/run.h"

static char tmp[64];
static char *store;	/* the directory, or the test server's URL */

/* Strings the test made, freed at its end: the paths live as long. */
static char *kept[512];
static size_t nkept;

static char *keep(char *p)
{
	cr_assert(p);
	cr_assert_lt(nkept, sizeof(kept) / sizeof(kept[0]));
	kept[nkept++] = p;
	return p;
}

static void free_kept(void)
{
	while (nkept)
		free(kept[--nkept]);
}

static char *fmt(const char *f, const char *a, const char *b)
{
	char *s;

	cr_assert(asprintf(&s, f, a, b) > 0);
	keep(s);
	return s;
}

static void link_to(const char *target, const char *path)
{
	cr_assert_eq(symlink(target, path), 0, "%s -> %s", path, target);
}

/* DIR/.build-id/NN/REST.debug -> each .ko of @moddir. */
static void build_id_tree(const char *dir, const char *moddir)
{
	DIR *d = opendir(moddir);
	struct dirent *e;

	cr_assert(d, "%s", moddir);
	while ((e = readdir(d))) {
		char id[64], *ko, *sub, *path;

		if (!strstr(e->d_name, ".ko"))
			continue;
		ko = fmt("%s/%s", moddir, e->d_name);
		if (!kt_elf_build_id(ko, id, sizeof(id)))
			continue;
		sub = fmt("%s/.build-id/%.2s", dir, id);
		mkdir(fmt("%s/.build-id", dir, ""), 0755);
		mkdir(sub, 0755);
		path = fmt("%s/%s.debug", sub, id + 2);
		if (access(path, F_OK))
			link_to(ko, path);
	}
	closedir(d);
}

/* The kernel matrix's 6.1 dumps, whichever kernels KT_KERNELS names. */
static bool has_61(void)
{
	return !access(keep(kt_test_dump_path("6.1/list-poison", ".kdump")),
		       R_OK);
}

/*
 * tmp/dumps: three shared dumps, the 6.1 matrix's remake of list-poison,
 * a truncated copy and a text file; tmp/vm: the vmlinux by release and
 * the modules by build-id.
 */
static void setup(void)
{
	static const char *const names[] = { "list-poison", "irq-lock",
					     "sysrq-null" };
	char *p, *dumps, *vm, *cmd;
	int st;

	cr_assert(has_61(), "needs the kernel matrix's 6.1 dumps in "
		  "KT_KERNEL_ROOT (scripts/test.sh makes them)");
	snprintf(tmp, sizeof(tmp), "/tmp/kt-triage-XXXXXX");
	cr_assert(mkdtemp(tmp));
	dumps = fmt("%s/dumps", tmp, "");
	vm = fmt("%s/vm", tmp, "");
	mkdir(dumps, 0755);
	mkdir(fmt("%s/sub", dumps, ""), 0755);
	mkdir(vm, 0755);
	for (size_t i = 0; i < 3; i++)
		link_to(keep(kt_test_dump_path(names[i], ".kdump")),
			fmt("%s/%s.kdump", dumps, names[i]));
	link_to(keep(kt_test_dump_path("6.1/list-poison", ".kdump")),
		fmt("%s/sub/remade-list-poison", dumps, ""));
	p = keep(kt_test_dump_path("hctx-fq", ".kdump"));
	cmd = fmt("head -c 200000 %s > %s/truncated.kdump", p, dumps);
	st = system(cmd);
	cr_assert_eq(st, 0);
	link_to(keep(kt_test_dump_path("sysrq-null", ".dmesg.txt")),
		fmt("%s/sysrq-null.dmesg.txt", dumps, ""));
	link_to(kt_test_vmlinux("list-poison"),
		fmt("%s/vmlinux-%s", vm, "6.1.0-56-cloud-amd64"));
	build_id_tree(vm, keep(kt_test_moddir("list-poison")));
	build_id_tree(vm, keep(kt_test_moddir("6.1/list-poison")));
	store = fmt("%s/store", tmp, "");
}

static void teardown_dirs(void);

/* The same, with the store on a real PostgreSQL server of its own. */
static void setup_pg(void)
{
	setup();
	kt_test_pg_start();
	kt_test_pg_sql("postgres", "CREATE DATABASE store");
	store = keep(kt_test_pg_url("store", "postgres"));
	setenv("KTRIAGE_REPORTS", fmt("%s/reports", tmp, ""), 1);
}

static void teardown_pg(void)
{
	kt_test_pg_stop();
	unsetenv("KTRIAGE_REPORTS");
	teardown_dirs();
}

static void teardown_dirs(void)
{
	char *cmd = fmt("rm -rf %s", tmp, "");

	if (tmp[0] && system(cmd))
		cr_log_warn("could not remove %s", tmp);
	free_kept();
}

static void teardown(void)
{
	teardown_dirs();
}

static struct kt_limited_run triage(const char *extra, const char *extra2)
{
	char *vm = fmt("%s/vm", tmp, ""), *dumps = fmt("%s/dumps", tmp, "");
	const char *argv[] = { "triage", "--json", "--jobs", "2", "--store",
			       store, "--vmlinux-dir", vm, dumps, extra,
			       extra2, NULL };
	static char reports[128];
	const char *env[] = { reports, NULL };
	struct kt_limits l = { .seconds = 300, .env = env };

	snprintf(reports, sizeof(reports), "KTRIAGE_REPORTS=%s/reports", tmp);
	return kt_test_run_limited(argv, &l);
}

static cJSON *item(const cJSON *arr, const char *key, const char *value)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, arr) {
		const cJSON *v = kt_test_get(e, key);

		if (cJSON_IsString(v) && strstr(v->valuestring, value))
			return (cJSON *)e;
	}
	return NULL;
}

TestSuite(triage, .init = setup, .fini = teardown, .timeout = 600);

static void groups_and_bad_rows(void);
static void similar_with_verdict(void);

Test(triage, groups_by_signature_and_fails_a_bad_dump_as_a_row)
{
	groups_and_bad_rows();
}

Test(triage_pg, groups_by_signature_and_fails_a_bad_dump_as_a_row,
     .init = setup_pg, .fini = teardown_pg, .timeout = 600)
{
	groups_and_bad_rows();
}

static void groups_and_bad_rows(void)
{
	struct kt_limited_run r = triage(NULL, NULL);
	cJSON *doc, *dumps, *groups, *g, *bad;

	cr_assert_eq(r.run.status, 1, "some dump failed: exit 1\n%s",
		     r.run.err);
	doc = cJSON_Parse(r.run.out);
	cr_assert(doc, "%s", r.run.out);
	dumps = kt_test_get(doc, "dumps");
	// the text file is no dump: 4 dumps and the truncated copy
	cr_assert_eq(cJSON_GetArraySize(dumps), 5, "%s", r.run.out);
	bad = item(dumps, "path", "truncated.kdump");
	cr_assert(bad);
	cr_expect_str_eq(kt_test_get(bad, "status")->valuestring, "failed");
	cr_expect(strstr(kt_test_get(bad, "reason")->valuestring,
			 "truncated"), "%s",
		  kt_test_get(bad, "reason")->valuestring);
	groups = kt_test_get(doc, "groups");
	cr_assert_eq(cJSON_GetArraySize(groups), 3, "%s", r.run.out);
	// the shared list-poison and its remake on another boot: one bug
	g = cJSON_GetArrayItem(groups, 0);
	cr_expect_eq(kt_test_get(g, "count")->valueint, 2);
	cr_expect(strstr(kt_test_get(g, "signature_text")->valuestring,
			 "kt_sum_from"));
	cr_expect_lt(kt_test_get(g, "first")->valuedouble,
		     kt_test_get(g, "last")->valuedouble);
	// every triaged dump has its report in the store, of its dump id
	const cJSON *d;

	cJSON_ArrayForEach(d, dumps) {
		const cJSON *rep = kt_test_get(d, "report");

		if (strcmp(kt_test_get(d, "status")->valuestring, "triaged"))
			continue;
		cr_assert(cJSON_IsString(rep));
		cr_expect(strstr(rep->valuestring,
				 kt_test_get(d, "dump_id")->valuestring));
		cr_expect_eq(access(rep->valuestring, R_OK), 0);
	}
	cJSON_Delete(doc);
	kt_run_free(&r.run);

	// again: what was done is skipped, the bad dump is tried again
	r = triage(NULL, NULL);
	doc = cJSON_Parse(r.run.out);
	cr_assert(doc);
	dumps = kt_test_get(doc, "dumps");
	cJSON_ArrayForEach(d, dumps)
		cr_expect_str_eq(kt_test_get(d, "status")->valuestring,
				 strstr(kt_test_get(d, "path")->valuestring,
					"truncated") ? "failed" : "skipped");
	g = cJSON_GetArrayItem(kt_test_get(doc, "groups"), 0);
	cr_expect_eq(kt_test_get(g, "count")->valueint, 2);
	cJSON_Delete(doc);
	kt_run_free(&r.run);
}

static int dumps_in_store(void)
{
	char path[128];
	sqlite3 *db = NULL;
	sqlite3_stmt *st;
	int n = -1;

	snprintf(path, sizeof(path), "%s/store/store.sqlite", tmp);
	if (access(path, F_OK) ||
	    sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL)) {
		sqlite3_close(db);
		return -1;
	}
	sqlite3_busy_timeout(db, 5000);
	if (!sqlite3_prepare_v2(db, "SELECT count(*) FROM dumps", -1, &st,
				NULL) && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

Test(triage, resumes_after_sigkill)
{
	char *self = getenv("KT_BINARY");
	char *vm = fmt("%s/vm", tmp, ""), *dumps = fmt("%s/dumps", tmp, "");
	int st, before;
	pid_t pid;

	cr_assert(self);
	pid = fork();
	if (!pid) {
		int fd = open("/dev/null", 1);

		dup2(fd, 1);
		dup2(fd, 2);
		execl(self, self, "triage", "--jobs", "1", "--store", store,
		      "--vmlinux-dir", vm, dumps, (char *)NULL);
		_exit(127);
	}
	// killed once a dump is recorded, while the next is under way
	for (int i = 0; i < 6000 && dumps_in_store() < 1; i++)
		usleep(10000);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	cr_assert(WIFSIGNALED(st), "it ended before the kill: too fast to "
		  "kill in the middle; exit %d", WEXITSTATUS(st));
	before = dumps_in_store();
	cr_assert_geq(before, 1);
	cr_assert_lt(before, 4);

	struct kt_limited_run r = triage(NULL, NULL);
	cJSON *doc = cJSON_Parse(r.run.out), *d;
	int skipped = 0, triaged = 0;

	cr_assert(doc, "%s", r.run.err);
	cJSON_ArrayForEach(d, kt_test_get(doc, "dumps")) {
		const char *s = kt_test_get(d, "status")->valuestring;

		skipped += !strcmp(s, "skipped");
		triaged += !strcmp(s, "triaged");
	}
	cr_expect_eq(skipped, before, "what was recorded is not redone");
	cr_expect_eq(skipped + triaged, 4);
	cr_expect_eq(dumps_in_store(), 4, "each dump once");
	cJSON_Delete(doc);
	kt_run_free(&r.run);
}

Test(triage, similar_finds_the_earlier_case_with_its_verdict)
{
	similar_with_verdict();
}

/* The case, and so the verdict, is on the server; so is the store. */
Test(triage_pg, similar_finds_the_earlier_case_with_its_verdict,
     .init = setup_pg, .fini = teardown_pg, .timeout = 600)
{
	similar_with_verdict();
}

static void similar_with_verdict(void)
{
	char *shared = keep(kt_test_dump_path("list-poison", ".kdump"));
	char *remade = keep(kt_test_dump_path("6.1/list-poison", ".kdump"));
	char *mod = keep(kt_test_moddir("list-poison"));
	char *mod61 = keep(kt_test_moddir("6.1/list-poison"));
	struct kt_limited_run t = triage(NULL, NULL);
	const char *verdict[] = { shared, kt_test_vmlinux("list-poison"), "-m",
				  mod, "--store", store, "-c",
				  "verdict set root-cause 'kt_entry freed on "
				  "the list: fixed in ktscen 1.1'", NULL };
	const char *sim[] = { remade, kt_test_vmlinux("6.1/list-poison"),
			      "-m", mod61, "--store", store, "--json", "-c",
			      "similar", NULL };
	struct kt_run v, s;
	cJSON *doc, *first;

	kt_run_free(&t.run);
	v = kt_test_run(verdict);
	cr_assert_eq(v.status, 0, "%s", v.err);
	s = kt_test_run(sim);
	cr_assert_eq(s.status, 0, "%s", s.err);
	doc = cJSON_Parse(s.out);
	cr_assert(doc, "%s", s.out);
	first = cJSON_GetArrayItem(kt_test_get(doc, "similar"), 0);
	cr_assert(first, "%s", s.out);
	cr_expect_eq(kt_test_get(first, "score")->valueint, 100);
	cr_expect(strstr(kt_test_get(first, "path")->valuestring,
			 "list-poison.kdump"), "the shared dump: %s", s.out);
	cr_expect_str_eq(kt_test_get(kt_test_get(first, "verdict"),
				     "kind")->valuestring, "root-cause");
	cr_expect(strstr(kt_test_get(kt_test_get(first, "verdict"),
				     "text")->valuestring, "ktscen 1.1"));
	// a dump is not similar to itself; the other bugs are not alike
	cr_expect_eq(cJSON_GetArraySize(kt_test_get(doc, "similar")), 1,
		     "%s", s.out);
	cJSON_Delete(doc);
	// and the grouped summary shows the verdict on the group
	t = triage(NULL, NULL);
	doc = cJSON_Parse(t.run.out);
	cr_assert(doc, "%s", t.run.err);
	first = cJSON_GetArrayItem(kt_test_get(doc, "groups"), 0);
	cr_expect_str_eq(kt_test_get(kt_test_get(first, "verdict"),
				     "kind")->valuestring, "root-cause", "%s",
			 t.run.out);
	cJSON_Delete(doc);
	kt_run_free(&t.run);
	kt_run_free(&v);
	kt_run_free(&s);
}

Test(triage, refuses_a_store_that_is_no_store)
{
	char *cmd = fmt("mkdir -p %s && head -c 8192 /dev/urandom > "
			"%s/store.sqlite", store, store);
	struct kt_limited_run r;

	cr_assert_eq(system(cmd), 0);
	r = triage(NULL, NULL);
	cr_expect_eq(r.run.status, 1);
	cr_expect(strstr(r.run.err, "store"), "%s", r.run.err);
	cr_expect(!kt_test_has_control(r.run.err));
	kt_run_free(&r.run);
	// a case file is a sqlite file, but no store
	cmd = fmt("cp %s %s/store.sqlite", keep(kt_test_dump_path("list-poison",
		  ".kdump.ktriage")), store);
	cr_assert_eq(system(cmd), 0);
	r = triage(NULL, NULL);
	cr_expect_eq(r.run.status, 1);
	cr_expect(strstr(r.run.err, "is no ktriage store"), "%s", r.run.err);
	kt_run_free(&r.run);
}

Test(triage, prints_a_hostile_row_inert)
{
	char *path = fmt("%s/store/store.sqlite", tmp, "");
	struct kt_limited_run r = triage(NULL, NULL);
	const char *argv[] = { "triage", "--store", NULL, "/nonexistent",
			       NULL };
	sqlite3 *db;

	kt_run_free(&r.run);
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "UPDATE dumps SET title = 'x"
				  "\x1b]0;owned\x07\x1b[2J', path = "
				  "'/d/\x1b[31mred', verdict = 'root-cause', "
				  "verdict_text = 'v\x9b" "31m'", NULL, NULL,
				  NULL), SQLITE_OK);
	sqlite3_close(db);
	argv[2] = fmt("%s/store", tmp, "");
	r = kt_test_run_limited(argv, &(struct kt_limits){ .seconds = 60 });
	cr_expect(strstr(r.run.out, "COUNT"), "%s", r.run.out);
	cr_expect(!kt_test_has_control(r.run.out), "%s", r.run.out);
	cr_expect(!kt_test_has_control(r.run.err), "%s", r.run.err);
	kt_run_free(&r.run);
}

/*
 * On a terminal the progress is one line redrawn (a bar, how many done
 * and failed); elsewhere a line a dump (the tests above read those).
 */
Test(triage, progress_bar_on_a_terminal)
{
	const char *bin = getenv("KT_BINARY");
	char *run, buf[65536];
	size_t n;
	FILE *p;

	cr_assert(bin);
	run = fmt("%s triage --store %s", bin, store);
	run = fmt("%s --vmlinux-dir %s/vm", run, tmp);
	run = fmt("%s %s/dumps", run, tmp);
	// script(1) gives it a pseudo-terminal: its stderr is a tty
	p = popen(fmt("script -qec '%s' /dev/null 2>&1", run, ""), "r");
	cr_assert(p);
	n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = 0;
	pclose(p);
	cr_expect(strstr(buf, "\r["), "%s", buf);
	cr_expect(strstr(buf, "] 5/5 dumps, 1 failed"), "%s", buf);
	cr_expect(!strstr(buf, "triaged 1/5"), "no per-dump lines: %s", buf);
}
