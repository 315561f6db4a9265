// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The case database: notes and their revisions round-trip, a case belongs
 * to one dump, a damaged or hostile file is refused and left as it was,
 * two writers lose nothing, and kill -9 loses nothing committed.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/program.h"
#include "db/case.h"
#include "tests/case_backend.h"
#include "tests/helpers.h"

static void identity(const char *dump, struct kt_case_identity *id)
{
	struct kt_program *prog = kt_test_open(dump);

	cr_assert_null(kt_case_identity(prog, id));
	kt_program_destroy(prog);
}

static struct kt_case *open_case(const char *path,
				 const struct kt_case_identity *id,
				 enum kt_case_mode mode)
{
	struct kt_case *c;
	struct kt_error *err = kt_case_open(path, id, mode, &c);

	cr_assert_null(err, "%s: %s", path, err ? err->message : "");
	return c;
}

/* A call that must fail: its error is checked and freed. */
static void refused_call(struct kt_error *err)
{
	cr_expect_not_null(err, "accepted");
	kt_error_destroy(err);
}

Test(case, identity_is_stable_and_tells_dumps_apart, .init = kt_test_case_sqlite_init,
     .fini = kt_test_case_fini)
{
	struct kt_case_identity a, b, c;

	identity("hctx-fq", &a);
	identity("hctx-fq", &b);
	identity("hctx-fq-exit", &c);
	cr_expect_str_eq(a.dump_id, b.dump_id);
	cr_expect_str_neq(a.dump_id, c.dump_id);
	cr_expect_str_eq(a.release, "6.1.0-56-cloud-amd64");
	cr_expect_eq(strlen(a.build_id), 40);
	cr_expect_gt(a.crash_time, 1700000000);
}

KT_CASE_TEST(case, notes_and_revisions_round_trip)
{
	struct kt_case_identity id;
	char *path = kt_test_case_at("a.ktriage"), uuid[37], why[256];
	struct kt_note_list l;
	struct kt_verdict_list v;
	struct kt_case *c;

	identity("hctx-fq", &id);
	c = open_case(path, &id, KT_CASE_WRITE);
	cr_assert_null(kt_case_note_add(c, "case", "alice", "first", uuid));
	cr_assert_null(kt_case_note_add(c, "finding:hctx_fq:0xffff8d76018b5a00",
					"alice", "on the finding", NULL));
	cr_assert_null(kt_case_note_edit(c, uuid, "bob", "second"));
	cr_assert_null(kt_case_note_edit(c, uuid, "carol", "third"));
	refused_call(kt_case_note_add(c, "tusk:1", "x", "y", NULL));
	cr_expect(!kt_case_target_check("addr:zz", why, sizeof(why)));
	cr_expect(kt_case_target_check("frame:53:0xffff8d7602634180:1:"
				       "blk_mq_exit_hctx", why, sizeof(why)));
	cr_assert_null(kt_case_verdict_set(c, "finding:hctx_fq:0x1",
					   "root-cause", "bob", "because"));
	refused_call(kt_case_verdict_set(c, "case", "guilty", "x", "y"));
	kt_case_close(c);
	// Reopened: everything is there, nothing was overwritten.
	c = open_case(path, &id, KT_CASE_WRITE);
	cr_assert_null(kt_case_notes(c, "case", &l));
	cr_assert_eq(l.n, 1);
	cr_expect_str_eq(l.v[0].uuid, uuid);
	cr_assert_eq(l.v[0].nrevs, 3);
	cr_expect_eq(l.v[0].heads, 1);
	cr_expect_str_eq(l.v[0].revs[l.v[0].current].text, "third");
	cr_expect_str_eq(l.v[0].revs[0].text, "first");
	cr_expect_str_eq(l.v[0].revs[0].author, "alice");
	cr_expect_str_eq(l.v[0].revs[2].author, "carol");
	cr_expect_str_eq(l.v[0].revs[1].parent, l.v[0].revs[0].uuid);
	kt_note_list_deinit(&l);
	cr_assert_null(kt_case_notes(c, NULL, &l));
	cr_expect_eq(l.n, 2);
	kt_note_list_deinit(&l);
	cr_assert_null(kt_case_verdicts(c, &v));
	cr_assert_eq(v.n, 1);
	cr_expect_str_eq(v.v[0].kind, "root-cause");
	kt_verdict_list_deinit(&v);
	kt_case_close(c);
	free(path);
}

Test(case, another_dumps_case_is_refused_or_read_only, .init = kt_test_case_sqlite_init,
     .fini = kt_test_case_fini)
{
	struct kt_case_identity a, b;
	char *path = kt_test_case_at("a.ktriage");
	struct kt_note_list l;
	struct kt_case *c;
	struct kt_error *err;

	identity("hctx-fq", &a);
	identity("list-poison", &b);
	c = open_case(path, &a, KT_CASE_WRITE);
	cr_assert_null(kt_case_note_add(c, "case", "alice", "hi", NULL));
	kt_case_close(c);
	err = kt_case_open(path, &b, KT_CASE_WRITE, &c);
	cr_assert_not_null(err);
	cr_expect(strstr(err->message, "belongs to another dump"), "%s",
		  err->message);
	cr_expect(strstr(err->message, "--force"), "%s", err->message);
	kt_error_destroy(err);
	c = open_case(path, &b, KT_CASE_FORCE);
	cr_expect(kt_case_read_only(c));
	cr_assert_null(kt_case_notes(c, NULL, &l));
	cr_expect_eq(l.n, 1);
	kt_note_list_deinit(&l);
	err = kt_case_note_add(c, "case", "bob", "no", NULL);
	cr_assert_not_null(err);
	cr_expect(strstr(err->message, "read-only"), "%s", err->message);
	kt_error_destroy(err);
	kt_case_close(c);
	free(path);
}

/* Each bad file: refused with a message that says what, bytes unchanged. */
static void refused(const char *path, const struct kt_case_identity *id,
		    const char *want)
{
	size_t before_len, after_len;
	char *before = kt_test_slurp(path, &before_len), *after;
	struct kt_case *c;
	struct kt_error *err = kt_case_open(path, id, KT_CASE_WRITE, &c);

	cr_assert_not_null(err, "%s was accepted", path);
	cr_expect(strstr(err->message, want), "%s: %s", path, err->message);
	kt_error_destroy(err);
	after = kt_test_slurp(path, &after_len);
	cr_expect(before_len == after_len &&
		  !memcmp(before, after, before_len), "%s was modified", path);
	free(before);
	free(after);
}

Test(case, damaged_or_hostile_files_are_refused_and_left_alone, .init = kt_test_case_sqlite_init,
     .fini = kt_test_case_fini)
{
	struct kt_case_identity id;
	char *good = kt_test_case_at("good.ktriage"), *p, cmd[512];
	struct kt_case *c;

	identity("sysrq-null", &id);
	c = open_case(good, &id, KT_CASE_WRITE);
	for (int i = 0; i < 50; i++)
		cr_assert_null(kt_case_note_add(c, "case", "a", "padding "
			"padding padding padding padding padding", NULL));
	kt_case_close(c);
	p = kt_test_case_at("text.ktriage");
	snprintf(cmd, sizeof(cmd), "echo 'not a database' > %s", p);
	cr_assert_eq(system(cmd), 0);
	refused(p, &id, "sqlite cannot read it");
	free(p);
	p = kt_test_case_at("other.ktriage");
	snprintf(cmd, sizeof(cmd), "python3 -c \"import sqlite3; "
		 "sqlite3.connect('%s').execute('create table t(x)')\"", p);
	cr_assert_eq(system(cmd), 0);
	refused(p, &id, "a sqlite database of another program");
	free(p);
	p = kt_test_case_at("newer.ktriage");
	snprintf(cmd, sizeof(cmd), "cp %s %s && python3 -c \"import sqlite3; "
		 "d = sqlite3.connect('%s'); d.execute('pragma user_version = 9')"
		 "; d.commit()\"", good, p, p);
	cr_assert_eq(system(cmd), 0);
	refused(p, &id, "newer than this ktriage's");
	free(p);
	p = kt_test_case_at("notable.ktriage");
	snprintf(cmd, sizeof(cmd), "cp %s %s && python3 -c \"import sqlite3; "
		 "d = sqlite3.connect('%s'); d.execute('drop table verdicts')"
		 "; d.commit()\"", good, p, p);
	cr_assert_eq(system(cmd), 0);
	refused(p, &id, "a table or column is missing");
	free(p);
	// Page 3 of the file overwritten: the b-tree is damaged.
	p = kt_test_case_at("damaged.ktriage");
	snprintf(cmd, sizeof(cmd), "cp %s %s && printf '%%04096d' 7 | dd "
		 "of=%s bs=4096 seek=2 conv=notrunc status=none", good, p, p);
	cr_assert_eq(system(cmd), 0);
	refused(p, &id, "not a usable ktriage case");
	free(p);
	free(good);
}

/* Two processes add notes at once: every note of both is there. */
KT_CASE_TEST(case, two_writers_lose_nothing)
{
	struct kt_case_identity id;
	char *path = kt_test_case_at("busy.ktriage");
	struct kt_note_list l;
	struct kt_case *c;
	pid_t kids[2];

	identity("sysrq-null", &id);
	kt_case_close(open_case(path, &id, KT_CASE_WRITE));
	for (int k = 0; k < 2; k++) {
		kids[k] = fork();
		cr_assert_geq(kids[k], 0);
		if (kids[k])
			continue;
		struct kt_case *mine;

		if (kt_case_open(path, &id, KT_CASE_WRITE, &mine))
			_exit(2);
		for (int i = 0; i < 100; i++)
			if (kt_case_note_add(mine, "case", k ? "b" : "a",
					     "concurrent", NULL))
				_exit(3);
		kt_case_close(mine);
		_exit(0);
	}
	for (int k = 0; k < 2; k++) {
		int st;

		cr_assert_eq(waitpid(kids[k], &st, 0), kids[k]);
		cr_expect(WIFEXITED(st) && !WEXITSTATUS(st), "writer %d: %d",
			  k, st);
	}
	c = open_case(path, &id, KT_CASE_WRITE);
	cr_assert_null(kt_case_notes(c, NULL, &l));
	cr_expect_eq(l.n, 200);
	kt_note_list_deinit(&l);
	kt_case_close(c);
	free(path);
}

/* A writer killed with SIGKILL mid-stream: every note it reported is kept. */
KT_CASE_TEST(case, kill_9_loses_nothing_committed)
{
	struct kt_case_identity id;
	char *path = kt_test_case_at("killed.ktriage"), uuid[37];
	char got[64][37];
	struct kt_note_list l;
	struct kt_case *c;
	int fd[2], n = 0;
	pid_t kid;

	identity("sysrq-null", &id);
	cr_assert_eq(pipe(fd), 0);
	kid = fork();
	cr_assert_geq(kid, 0);
	if (!kid) {
		struct kt_case *mine;

		close(fd[0]);
		if (kt_case_open(path, &id, KT_CASE_WRITE, &mine))
			_exit(2);
		for (;;) {
			if (kt_case_note_add(mine, "case", "k", "x", uuid))
				_exit(3);
			if (write(fd[1], uuid, 37) != 37)
				_exit(4);
		}
	}
	close(fd[1]);
	while (n < 64 && read(fd[0], got[n], 37) == 37)
		n++;
	kill(kid, SIGKILL);
	waitpid(kid, NULL, 0);
	close(fd[0]);
	cr_assert_eq(n, 64);
	c = open_case(path, &id, KT_CASE_WRITE);
	cr_assert_null(kt_case_notes(c, NULL, &l));
	cr_expect_geq(l.n, 64);
	for (int i = 0; i < n; i++) {
		bool found = false;

		for (size_t j = 0; j < l.n && !found; j++)
			found = !strcmp(l.v[j].uuid, got[i]);
		cr_expect(found, "note %s was lost", got[i]);
	}
	kt_note_list_deinit(&l);
	kt_case_close(c);
	free(path);
}

Test(case, author_comes_from_option_env_git_user, .init = kt_test_case_sqlite_init,
     .fini = kt_test_case_fini)
{
	char *a;

	setenv("KTRIAGE_AUTHOR", "env-author", 1);
	a = kt_case_author("given");
	cr_expect_str_eq(a, "given");
	free(a);
	a = kt_case_author(NULL);
	cr_expect_str_eq(a, "env-author");
	free(a);
	unsetenv("KTRIAGE_AUTHOR");
	// No ~/.gitconfig: git has no user.name.
	setenv("HOME", kt_test_case_dir(), 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("USER", "login-name", 1);
	a = kt_case_author(NULL);
	cr_expect_str_eq(a, "login-name");
	free(a);
}

/*
 * Through the binary: escapes are refused in what ktriage writes, and a
 * hostile case that has them anyway (edited with sqlite) prints inert.
 */
KT_CASE_TEST(case, cli_escapes_refused_and_printed_inert)
{
	char *path = kt_test_case_at("cli.ktriage"), *dump;
	const char *add[] = { NULL, NULL, "--case", NULL, "--author", "mallory",
			      "-c", "note add --on task:1:0xffff8d76011fc180 "
			      "look", "-c", "note add \x1b]0;pwned\x07", NULL };
	const char *list[] = { NULL, NULL, "--case", NULL, "-c",
			       "note list", NULL };
	struct kt_run r;

	dump = kt_test_dump_path("hctx-fq", ".kdump");
	add[0] = list[0] = dump;
	add[1] = list[1] = kt_test_env("KT_VMLINUX");
	add[3] = list[3] = path;
	r = kt_test_run(add);
	cr_expect_eq(r.status, 1, "the note with escapes was taken");
	cr_expect(strstr(r.out, "added in"), "%s", r.out);
	cr_expect(strstr(r.err, "without control characters"), "%s", r.err);
	kt_run_free(&r);
	kt_test_case_tamper(path, "UPDATE revisions SET text = char(27) || "
		"']0;pwned' || char(7) || ' look', author = char(27) || "
		"'[2Jmallory'", "UPDATE ktriage.revisions SET text = chr(27) || "
		"']0;pwned' || chr(7) || ' look', author = chr(27) || "
		"'[2Jmallory'");
	r = kt_test_run(list);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.out, "(2 revisions") == NULL, "%s", r.out);
	cr_expect(strstr(r.out, "\\x1b]0;pwned\\x07 look"), "%s", r.out);
	cr_expect_null(strchr(r.out, '\x1b'));
	cr_expect_null(strchr(r.out, '\x07'));
	kt_run_free(&r);
	free(dump);
	free(path);
}

static char *export_of(const char *path, const struct kt_case_identity *id)
{
	struct kt_case *c = open_case(path, id, KT_CASE_WRITE);
	char *text;

	cr_assert_null(kt_case_export(c, &text));
	kt_case_close(c);
	return text;
}

static void merge(const char *into, const char *from,
		  const struct kt_case_identity *id, struct kt_merge_stats *st)
{
	struct kt_case *c = open_case(into, id, KT_CASE_WRITE);
	struct kt_error *err = kt_case_merge(c, from, st);

	cr_assert_null(err, "%s", err ? err->message : "");
	kt_case_close(c);
}

/*
 * Alice and Bob start from one case, edit the same note apart and add
 * their own: A+B equals B+A, both edits are kept, merging again adds
 * nothing.
 */
KT_CASE_TEST(case, merge_is_a_commutative_idempotent_union)
{
	struct kt_case_identity id;
	char *base = kt_test_case_at("base.ktriage"), *a = kt_test_case_at("a.ktriage");
	char *b = kt_test_case_at("b.ktriage"), *ab = kt_test_case_at("ab.ktriage");
	char *ba = kt_test_case_at("ba.ktriage"), uuid[37], *x, *y;
	struct kt_merge_stats st;
	struct kt_note_list l;
	struct kt_case *c;

	identity("hctx-fq", &id);
	c = open_case(base, &id, KT_CASE_WRITE);
	cr_assert_null(kt_case_note_add(c, "case", "alice", "start", uuid));
	kt_case_close(c);
	kt_test_case_copy(base, a);
	kt_test_case_copy(base, b);
	c = open_case(a, &id, KT_CASE_WRITE);
	cr_assert_null(kt_case_note_edit(c, uuid, "alice", "alice's view"));
	cr_assert_null(kt_case_note_add(c, "addr:0xffff8d7630382c40", "alice",
					"not RAM", NULL));
	kt_case_close(c);
	c = open_case(b, &id, KT_CASE_WRITE);
	cr_assert_null(kt_case_note_edit(c, uuid, "bob", "bob's view"));
	cr_assert_null(kt_case_verdict_set(c, "case", "suspect", "bob", "fq"));
	kt_case_close(c);
	kt_test_case_copy(a, ab);
	kt_test_case_copy(b, ba);
	merge(ab, b, &id, &st);
	cr_expect_eq(st.notes_added, 0);
	cr_expect_eq(st.revisions_added, 1);
	cr_expect_eq(st.verdicts_added, 1);
	cr_expect_eq(st.concurrent, 1);
	cr_expect_eq(st.conflicts, 0);
	cr_expect(st.report && strstr(st.report, "2 concurrent edits"));
	kt_merge_stats_deinit(&st);
	merge(ba, a, &id, &st);
	cr_expect_eq(st.notes_added, 1);
	cr_expect_eq(st.revisions_added, 2);
	kt_merge_stats_deinit(&st);
	x = export_of(ab, &id);
	y = export_of(ba, &id);
	cr_expect_str_eq(x, y, "A+B differs from B+A");
	merge(ab, b, &id, &st);
	cr_expect_eq(st.notes_added + st.revisions_added + st.verdicts_added +
		     st.concurrent + st.conflicts, 0, "a second merge changed "
		     "something");
	kt_merge_stats_deinit(&st);
	free(y);
	y = export_of(ab, &id);
	cr_expect_str_eq(x, y, "merging twice changed the case");
	c = open_case(ab, &id, KT_CASE_WRITE);
	cr_assert_null(kt_case_notes(c, "case", &l));
	cr_assert_eq(l.n, 1);
	cr_expect_eq(l.v[0].nrevs, 3);
	cr_expect_eq(l.v[0].heads, 2);
	kt_note_list_deinit(&l);
	kt_case_close(c);
	free(x);
	free(y);
	free(base);
	free(a);
	free(b);
	free(ab);
	free(ba);
}

KT_CASE_TEST(case, merge_of_another_dumps_case_is_refused)
{
	struct kt_case_identity a, b;
	char *pa = kt_test_case_at("a.ktriage"), *pb = kt_test_case_at("b.ktriage");
	struct kt_merge_stats st;
	struct kt_case *c;
	struct kt_error *err;

	identity("hctx-fq", &a);
	identity("irq-lock", &b);
	kt_case_close(open_case(pb, &b, KT_CASE_WRITE));
	c = open_case(pa, &a, KT_CASE_WRITE);
	err = kt_case_merge(c, pb, &st);
	cr_assert_not_null(err);
	// A server holds every dump's case: there, this dump's is missing.
	cr_expect(strstr(err->message, kt_test_case_pg() ?
			 "no case of this dump" : "belongs to another dump"),
		  "%s", err->message);
	kt_error_destroy(err);
	kt_case_close(c);
	free(pa);
	free(pb);
}

KT_CASE_TEST(case, export_import_round_trip_and_bad_imports_write_nothing)
{
	struct kt_case_identity id;
	char *a = kt_test_case_at("a.ktriage"), *b = kt_test_case_at("b.ktriage");
	char *x, *y, *bad, uuid[37];
	struct kt_merge_stats st;
	struct kt_case *c;
	struct kt_error *err;
	static const char *const evil[][2] = {
		{ "\"uuid\":\t\"", "\"uuid\": \"../../" },
		{ "\"kind\":\t\"suspect\"", "\"kind\": \"guilty\"" },
		{ "\"revisions\":\t", "\"revisions\": 7, \"x\": " },
		{ "\"format\":\t\"ktriage-case\"", "\"format\": \"other\"" },
		{ "\"dump_id\":\t\"", "\"dump_id\": \"0" },
	};

	identity("nbd-orphan-hung", &id);
	c = open_case(a, &id, KT_CASE_WRITE);
	cr_assert_null(kt_case_note_add(c, "case", "alice", "one\nline two",
					uuid));
	cr_assert_null(kt_case_note_edit(c, uuid, "bob", "two"));
	cr_assert_null(kt_case_verdict_set(c, "case", "suspect", "bob", "v"));
	kt_case_close(c);
	x = export_of(a, &id);
	c = open_case(b, &id, KT_CASE_WRITE);
	cr_assert_null(kt_case_import(c, x, &st));
	cr_expect_eq(st.notes_added, 1);
	cr_expect_eq(st.revisions_added, 2);
	kt_merge_stats_deinit(&st);
	kt_case_close(c);
	y = export_of(b, &id);
	cr_expect_str_eq(x, y);
	free(y);
	for (size_t i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
		char *at = strstr(x, evil[i][0]);
		char *empty = kt_test_case_at("empty.ktriage");

		cr_assert_not_null(at, "%s not in the export", evil[i][0]);
		cr_assert_geq(asprintf(&bad, "%.*s%s%s", (int)(at - x), x,
				       evil[i][1], at + strlen(evil[i][0])), 0);
		kt_test_case_remove(empty);
		c = open_case(empty, &id, KT_CASE_WRITE);
		err = kt_case_import(c, bad, &st);
		cr_expect_not_null(err, "import %zu was accepted", i);
		kt_error_destroy(err);
		kt_case_close(c);
		y = export_of(empty, &id);
		cr_expect_null(strstr(y, "\"uuid\""), "import %zu wrote: %s", i,
			       y);
		free(y);
		free(bad);
		free(empty);
	}
	free(x);
	free(a);
	free(b);
}

/*
 * --report on every shared dump: the panic task and its first frame as
 * drgn saw them, the notes taken, and the same bytes when run again.
 */
KT_CASE_TEST(case, report_on_every_shared_dump_is_stable)
{
	static const char *const dumps[] = { "hctx-fq", "hctx-fq-exit",
		"irq-lock", "list-poison", "nbd-orphan-hung", "sysrq-null" };

	for (size_t i = 0; i < sizeof(dumps) / sizeof(dumps[0]); i++) {
		char *dump = kt_test_dump_path(dumps[i], ".kdump");
		char *kase = kt_test_case_at("r.ktriage");
		char *r1 = kt_test_case_file("1.json");
		char *r2 = kt_test_case_file("2.json"), *t1, *t2, name[64];
		const char *first[] = { dump, kt_test_env("KT_VMLINUX"), "-m",
			NULL, "--case", kase, "-c", "note add look here",
			"--report", r1, NULL };
		const char *again[] = { dump, kt_test_env("KT_VMLINUX"), "-m",
			NULL, "--case", kase, "--report", r2, NULL };
		char mods[4096];
		cJSON *facts, *want, *doc, *frame;
		struct kt_run r;

		snprintf(mods, sizeof(mods), "%s/modules",
			 kt_test_env("KT_FIXTURES"));
		first[3] = again[3] = mods;
		r = kt_test_run(first);
		cr_assert_eq(r.status, 0, "%s: %s", dumps[i], r.err);
		kt_run_free(&r);
		r = kt_test_run(again);
		cr_assert_eq(r.status, 0, "%s: %s", dumps[i], r.err);
		kt_run_free(&r);
		t1 = kt_test_slurp(r1, NULL);
		t2 = kt_test_slurp(r2, NULL);
		cr_assert(t1 && t2);
		cr_expect_str_eq(t1, t2, "%s: two reports differ", dumps[i]);
		doc = cJSON_Parse(t1);
		cr_assert_not_null(doc);
		snprintf(name, sizeof(name), "%s", dumps[i]);
		facts = kt_test_expected(name);
		want = cJSON_GetObjectItem(facts, "crashed_thread");
		cr_expect_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(
			     cJSON_GetObjectItem(doc, "summary"), "panic_pid")),
			     cJSON_GetNumberValue(cJSON_GetObjectItem(want,
						  "pid")), "%s", dumps[i]);
		frame = cJSON_GetArrayItem(cJSON_GetObjectItem(
			cJSON_GetArrayItem(cJSON_GetObjectItem(
			cJSON_GetObjectItem(doc, "backtrace"), "segments"), 0),
			"frames"), 0);
		cr_expect_not_null(cJSON_GetObjectItem(frame, "function"),
				   "%s: no backtrace", dumps[i]);
		cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(doc,
			     "notes")), 1, "%s", dumps[i]);
		cr_expect(cJSON_IsArray(cJSON_GetObjectItem(doc, "findings")));
		cJSON_Delete(doc);
		cJSON_Delete(facts);
		free(t1);
		free(t2);
		kt_test_case_remove(kase);
		free(kase);
		free(r1);
		free(r2);
		free(dump);
	}
}

KT_CASE_TEST(case, tags_and_bookmarks_merge_as_a_union)
{
	struct kt_case_identity id;
	char *a = kt_test_case_at("a.ktriage"), *b = kt_test_case_at("b.ktriage");
	struct kt_merge_stats st;
	struct kt_tag_list l;
	struct kt_case *c;

	identity("irq-lock", &id);
	c = open_case(a, &id, KT_CASE_WRITE);
	cr_assert_null(kt_case_tag_add(c, "case", "hw-bug", "alice"));
	cr_assert_null(kt_case_tag_add(c, "case", "hw-bug", "alice"));
	refused_call(kt_case_tag_add(c, "case", "two words", "alice"));
	refused_call(kt_case_tag_add(c, "nowhere", "x", "alice"));
	kt_case_close(c);
	c = open_case(b, &id, KT_CASE_WRITE);
	cr_assert_null(kt_case_tag_add(c, "addr:0xffffffffc0a01000",
				       "bookmark:lock", "bob"));
	cr_assert_null(kt_case_tag_add(c, "case", "hw-bug", "bob"));
	cr_assert_null(kt_case_merge(c, a, &st));
	cr_expect_eq(st.tags_added, 0, "the same tag by another author");
	kt_merge_stats_deinit(&st);
	kt_case_close(c);
	c = open_case(a, &id, KT_CASE_WRITE);
	cr_assert_null(kt_case_merge(c, b, &st));
	cr_expect_eq(st.tags_added, 1);
	kt_merge_stats_deinit(&st);
	cr_assert_null(kt_case_tags(c, NULL, &l));
	cr_assert_eq(l.n, 2);
	cr_expect_str_eq(l.v[0].tag, "bookmark:lock");
	cr_expect_str_eq(l.v[1].tag, "hw-bug");
	cr_expect_str_eq(l.v[1].author, "alice");
	kt_tag_list_deinit(&l);
	kt_case_close(c);
	free(a);
	free(b);
}
