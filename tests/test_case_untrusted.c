// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A case file is untrusted input (db/untrusted.c): what ktriage did not
 * create in it never runs, a file holding such things is not written, and
 * nothing saved in it is lost: a merge copies its notes into a new case,
 * reading it without leaving anything beside it. What applies to a
 * server's rows too (ids, times and text with escapes print inert) runs
 * on both backends.
 */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/case_private.h"
#include "tests/case_backend.h"
#include "tests/run.h"

#define LIMIT 60

static char *in_dir(const char *name)
{
	return kt_test_case_file(name);
}

static bool exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

/* Run python3 on @script (its {} is the case file @path). */
static void python(const char *path, const char *script)
{
	char *py = in_dir("edit.py"), cmd[512];
	FILE *fp = fopen(py, "w");

	cr_assert_not_null(fp);
	fprintf(fp, "import os, sqlite3\nd = sqlite3.connect('%s')\n%s\n", path,
		script);
	cr_assert_eq(fclose(fp), 0);
	snprintf(cmd, sizeof(cmd), "python3 %s", py);
	cr_assert_eq(system(cmd), 0, "%.3000s", script);
	free(py);
}

/* ktriage on the shared sysrq-null dump with @case and commands @cmds. */
static struct kt_limited_run ktriage(const char *kase, const char *const *cmds)
{
	char *dump = kt_test_dump_path("sysrq-null", ".kdump");
	const char *argv[32] = { dump, kt_test_env("KT_VMLINUX"), "--author",
				 "alice", "--case", kase };
	struct kt_limits l = { .seconds = LIMIT };
	struct kt_limited_run r;
	size_t n = 6;

	for (; *cmds && n < 30; cmds++) {
		argv[n++] = "-c";
		argv[n++] = *cmds;
	}
	r = kt_test_run_limited(argv, &l);
	cr_expect(!r.timed_out && !r.signal, "killed (signal %d)", r.signal);
	free(dump);
	return r;
}

/* A case made by ktriage: two notes and a verdict. */
static char *good_case(const char *name)
{
	static const char *const cmds[] = { "note add first look", "note add "
		"--on task:1:0xffff8d76011fc180 init", "verdict set root-cause "
		"the flush queue", NULL };
	char *path = kt_test_case_at(name);
	struct kt_limited_run r = ktriage(path, cmds);

	cr_assert_eq(r.run.status, 0, "%.3000s", r.run.err);
	kt_run_free(&r.run);
	return path;
}

static char *file_bytes(const char *path, size_t *len)
{
	char *b = kt_test_slurp(path, len);

	cr_assert_not_null(b, "%.3000s", path);
	return b;
}

/* The counts the probe's trigger destroyed, read apart from ktriage. */
static void expect_rows(const char *path, int notes, int revisions,
			int verdicts)
{
	char cmd[512], *out = in_dir("count");
	char want[64], *got;

	snprintf(cmd, sizeof(cmd), "python3 -c \"import sqlite3; d = sqlite3."
		 "connect('file:%s?immutable=1', uri=True); print(*(d.execute("
		 "'select count(*) from ' + t).fetchone()[0] for t in ('notes',"
		 " 'revisions', 'verdicts')))\" > %s", path, out);
	cr_assert_eq(system(cmd), 0);
	got = file_bytes(out, NULL);
	snprintf(want, sizeof(want), "%d %d %d\n", notes, revisions, verdicts);
	cr_expect_str_eq(got, want, "%.3000s", path);
	free(got);
	free(out);
}

/*
 * The probe: a trigger made `note add` delete the verdict and the other
 * notes' revisions. Now the file is refused, untouched; and merging it
 * into a new case keeps all it held.
 */
Test(case_untrusted, trigger_refused_untouched_and_its_notes_kept,
     .init = kt_test_case_sqlite_init, .fini = kt_test_case_fini)
{
	static const char *const add[] = { "note add second", NULL };
	char *a = good_case("a.ktriage"), *b = in_dir("b.ktriage");
	char *wal, *shm, *before, *after, merge[512];
	const char *merge_cmds[] = { merge, "note list", "verdict list", NULL };
	struct kt_limited_run r;
	size_t n0, n1;

	python(a, "d.execute('create trigger evil after insert on revisions "
	       "begin delete from verdicts; delete from revisions where uuid "
	       "!= new.uuid; end')\nd.execute('create view v as select * from "
	       "notes')\nd.commit()");
	expect_rows(a, 2, 2, 1);
	before = file_bytes(a, &n0);
	r = ktriage(a, add);
	cr_expect_eq(r.run.status, 1, "the note was added: %.3000s", r.run.out);
	cr_expect(strstr(r.run.err, "holds what ktriage never puts in a case: "
			 "trigger 'evil' on revisions, view 'v'."), "%.3000s",
		  r.run.err);
	cr_expect(strstr(r.run.err, "was not modified"), "%.3000s", r.run.err);
	cr_expect(strstr(r.run.err, "-c 'case merge "), "%.3000s", r.run.err);
	kt_run_free(&r.run);
	after = file_bytes(a, &n1);
	cr_expect(n0 == n1 && !memcmp(before, after, n0), "the file changed");
	expect_rows(a, 2, 2, 1);
	// What the message says to do keeps everything.
	snprintf(merge, sizeof(merge), "case merge %s", a);
	r = ktriage(b, merge_cmds);
	cr_expect_eq(r.run.status, 0, "%.3000s", r.run.err);
	cr_expect(strstr(r.run.out, "case merge: 2 notes, 2 revisions, 1 "
			 "verdicts"), "%.3000s", r.run.out);
	cr_expect(strstr(r.run.out, "not copied from the other case (ktriage "
			 "never puts it in a case): trigger 'evil' on revisions,"
			 " view 'v'"), "%.3000s", r.run.out);
	cr_expect(strstr(r.run.out, "    first look\n"), "%.3000s", r.run.out);
	cr_expect(strstr(r.run.out, "    init\n"), "%.3000s", r.run.out);
	cr_expect(strstr(r.run.out, "root-cause on case by alice"), "%.3000s",
		  r.run.out);
	kt_run_free(&r.run);
	expect_rows(b, 2, 2, 1);
	// Read immutable: nothing was made beside the colleague's file.
	cr_assert_geq(asprintf(&wal, "%s-wal", a), 0);
	cr_assert_geq(asprintf(&shm, "%s-shm", a), 0);
	cr_expect(!exists(wal) && !exists(shm), "-wal or -shm left beside it");
	free(wal);
	free(shm);
	free(before);
	free(after);
	free(a);
	free(b);
}

Test(case_untrusted, import_into_a_case_with_a_trigger_is_refused,
     .init = kt_test_case_sqlite_init, .fini = kt_test_case_fini)
{
	char *a = good_case("a.ktriage"), *json = in_dir("a.json");
	char *bad = good_case("bad.ktriage"), exp[512], imp[512];
	const char *export[] = { exp, NULL }, *import[] = { imp, NULL };
	struct kt_limited_run r;

	snprintf(exp, sizeof(exp), "case export %s", json);
	r = ktriage(a, export);
	cr_assert_eq(r.run.status, 0, "%.3000s", r.run.err);
	kt_run_free(&r.run);
	python(bad, "d.execute('create trigger t before insert on notes begin "
	       "delete from notes; end')\nd.commit()");
	snprintf(imp, sizeof(imp), "case import %s", json);
	r = ktriage(bad, import);
	cr_expect_eq(r.run.status, 1);
	cr_expect(strstr(r.run.err, "holds what ktriage never puts in a case: "
			 "trigger 't' on notes."), "%.3000s", r.run.err);
	kt_run_free(&r.run);
	expect_rows(bad, 2, 2, 1);
	free(a);
	free(bad);
	free(json);
}

/* An index on an expression, a table of its own, a table redefined. */
Test(case_untrusted, every_foreign_schema_object_is_named,
     .init = kt_test_case_sqlite_init, .fini = kt_test_case_fini)
{
	static const char *const add[] = { "note add x", NULL };
	char *a = good_case("a.ktriage");
	struct kt_limited_run r;

	python(a, "d.executescript('create index lt on notes(lower(target));"
	       "create table extra(x);"
	       "alter table tags add column evil default 1;')");
	r = ktriage(a, add);
	cr_expect_eq(r.run.status, 1);
	cr_expect(strstr(r.run.err, "index 'lt' on notes"), "%.3000s", r.run.err);
	cr_expect(strstr(r.run.err, "table 'extra'"), "%.3000s", r.run.err);
	cr_expect(strstr(r.run.err, "table 'tags' (not as ktriage makes it)"),
		  "%.3000s", r.run.err);
	kt_run_free(&r.run);
	expect_rows(a, 2, 2, 1);
	free(a);
}

/*
 * The connection itself runs no trigger and reads no view, should one be
 * added after the check (another process, say).
 */
Test(case_untrusted, hardened_connection_runs_no_trigger_reads_no_view,
     .init = kt_test_case_sqlite_init, .fini = kt_test_case_fini)
{
	char *a = good_case("a.ktriage");
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t verdicts = -1;

	python(a, "d.executescript('create trigger evil after insert on tags "
	       "begin delete from verdicts; end; create view v as select 1;')");
	cr_assert_eq(kt_case_db_open(a, false, &db), SQLITE_OK);
	cr_expect_eq(sqlite3_exec(db, "INSERT INTO tags VALUES('case', 'x', "
				  "'a', 'now')", NULL, NULL, NULL), SQLITE_OK,
		     "%.3000s", sqlite3_errmsg(db));
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM verdicts", -1,
					&st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		verdicts = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	cr_expect_eq(verdicts, 1, "the trigger fired");
	cr_expect_neq(sqlite3_prepare_v2(db, "SELECT * FROM v", -1, &st, NULL),
		      SQLITE_OK, "a view was read");
	sqlite3_finalize(st);
	// Defensive: the schema cannot be written behind sqlite's back.
	cr_expect_neq(sqlite3_exec(db, "PRAGMA writable_schema = ON; UPDATE "
				   "sqlite_schema SET sql = 'x'", NULL, NULL,
				   NULL), SQLITE_OK);
	sqlite3_close(db);
	free(a);
}

/*
 * Immutable reads must not miss commits still in a write-ahead log (a
 * ktriage killed, or still running): nothing saved may be lost.
 */
Test(case_untrusted, merge_reads_commits_still_in_the_log,
     .init = kt_test_case_sqlite_init, .fini = kt_test_case_fini)
{
	char *a = good_case("a.ktriage"), *b = in_dir("b.ktriage");
	char merge[512];
	const char *cmds[] = { merge, "note list", NULL };
	struct kt_limited_run r;

	// A note copied under a new id, committed to the log and never
	// checkpointed: the writer dies without closing.
	python(a, "d.execute('pragma wal_autocheckpoint = 0')\n"
	       "n = d.execute('select * from notes limit 1').fetchone()\n"
	       "v = d.execute('select * from revisions where note = ?', "
	       "(n[0],)).fetchone()\n"
	       "u, w = '0' * 8 + n[0][8:], '0' * 8 + v[0][8:]\n"
	       "d.execute('insert into notes values(?, ?, ?, ?)', (u,) + "
	       "n[1:])\n"
	       "d.execute('insert into revisions values(?, ?, ?, ?, ?, ?)', "
	       "(w, u, None, v[3], v[4], 'from the log'))\n"
	       "d.commit()\nos._exit(0)");
	snprintf(merge, sizeof(merge), "case merge %s", a);
	r = ktriage(b, cmds);
	cr_expect_eq(r.run.status, 0, "%.3000s", r.run.err);
	cr_expect(strstr(r.run.out, "case merge: 3 notes, 3 revisions"), "%.3000s",
		  r.run.out);
	cr_expect(strstr(r.run.out, "    from the log\n"), "%.3000s", r.run.out);
	kt_run_free(&r.run);
	free(a);
	free(b);
}

/*
 * Escapes (the SQL expression @e, @pg_e on a server) in a case's ids and
 * times, behind ktriage's back: note ids and their revisions' links (in
 * one statement on a server, where they are a foreign key), times, a tag;
 * with @all, the verdicts' text and the tag's name too.
 */
static void hostile(const char *at, const char *e, const char *pg_e,
		    bool all)
{
	char *sqlite, *pg;

	cr_assert_geq(asprintf(&sqlite, "UPDATE revisions SET note = %1$s || "
		"substr(note, 6), at = %1$s || at; UPDATE notes SET uuid = "
		"%1$s || substr(uuid, 6), created = %1$s; UPDATE verdicts SET "
		"at = %1$s, text = %2$s; INSERT INTO tags VALUES('case', %3$s, "
		"'a', %1$s)", e, all ? e : "text", all ? e : "'x'"), 0);
	cr_assert_geq(asprintf(&pg, "WITH r AS (UPDATE ktriage.revisions SET "
		"note = %1$s || substr(note, 6), at = %1$s || at) UPDATE "
		"ktriage.notes SET uuid = %1$s || substr(uuid, 6), created = "
		"%1$s; UPDATE ktriage.verdicts SET at = %1$s, text = %2$s; "
		"INSERT INTO ktriage.tags SELECT dump_id, 'case', %3$s, 'a', "
		"%1$s FROM ktriage.cases", pg_e, all ? pg_e : "text",
		all ? pg_e : "'x'"), 0);
	kt_test_case_tamper(at, sqlite, pg);
	free(sqlite);
	free(pg);
}

/* Ids and times are the file's too: `note list` printed the id raw. */
KT_CASE_TEST(case_untrusted, note_list_of_hostile_ids_and_times_is_inert)
{
	static const char *const list[] = { "note list", "verdict list",
					    "tag list", NULL };
	char *a = good_case("a.ktriage");
	struct kt_limited_run r;

	// The id keeps its 36 bytes: its first 8 are printed.
	hostile(a, "(char(27) || '[2J' || char(7))",
		"(chr(27) || '[2J' || chr(7))", false);
	r = ktriage(a, list);
	cr_expect_eq(r.run.status, 0, "%.3000s", r.run.err);
	cr_expect(!kt_test_has_control(r.run.out), "%.3000s", r.run.out);
	cr_expect(!kt_test_has_control(r.run.err), "%.3000s", r.run.err);
	cr_expect(strstr(r.run.out, "note \\x1b[2J\\x07"), "%.3000s", r.run.out);
	cr_expect(strstr(r.run.out, " on case by alice at \\x1b[2J\\x07\n"),
		  "%.3000s", r.run.out);
	cr_expect(strstr(r.run.out, "root-cause on case by alice at "
			 "\\x1b[2J\\x07\n"), "%.3000s", r.run.out);
	cr_expect(strstr(r.run.out, "x  case  by a at \\x1b[2J\\x07\n"), "%.3000s",
		  r.run.out);
	kt_run_free(&r.run);
	free(a);
}

/*
 * The export of such a case: every member, ids and times too, through the
 * sanitiser before cJSON quotes it, so the document on stdout is valid
 * JSON that prints inert (DEL, which cJSON leaves raw, included).
 */
KT_CASE_TEST(case_untrusted, export_of_hostile_case_is_valid_inert_json)
{
	static const char *const export[] = { "case export -", NULL };
	char *a = good_case("a.ktriage");
	struct kt_limited_run r;
	cJSON *doc;

	hostile(a, "(char(27) || '[2J' || char(127))",
		"(chr(27) || '[2J' || chr(127))", true);
	r = ktriage(a, export);
	cr_expect_eq(r.run.status, 0, "%.3000s", r.run.err);
	cr_expect(!kt_test_has_control(r.run.out), "%.3000s", r.run.out);
	doc = cJSON_Parse(r.run.out);
	cr_assert_not_null(doc, "not JSON: %.3000s", r.run.out);
	cr_expect(strstr(r.run.out, "\\\\x1b[2J\\\\x7f"), "%.3000s", r.run.out);
	cJSON_Delete(doc);
	kt_run_free(&r.run);
	free(a);
}
