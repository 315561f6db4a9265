// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Cases on a real PostgreSQL server (tests/pg_server.h), what only a
 * server has: eight writers at once, a restart in the middle of a stream
 * of writes, push and pull, the server's roles, rows written behind
 * ktriage's back, a newer schema, a server down and a login refused.
 * The rest of the case suite runs on both backends (case_pg::*).
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/program.h"
#include "db/case.h"
#include "tests/case_backend.h"
#include "tests/helpers.h"
#include "tests/pg_server.h"
#include "tests/run.h"

#define PG_TEST(name)                                                    \
	Test(case_pg, name, .init = kt_test_case_pg_init,                 \
	     .fini = kt_test_case_fini, .timeout = 300)

static void identity(struct kt_case_identity *id)
{
	struct kt_program *prog = kt_test_open("sysrq-null");

	cr_assert_null(kt_case_identity(prog, id));
	kt_program_destroy(prog);
}

static struct kt_case *open_as(const char *url,
			       const struct kt_case_identity *id)
{
	struct kt_case *c;
	struct kt_error *err = kt_case_open(url, id, KT_CASE_WRITE, &c);

	cr_assert_null(err, "%s", err ? err->message : "");
	return c;
}

/* @err is set, says @want (and @also when not NULL); it is freed. */
static void says(struct kt_error *err, const char *want, const char *also)
{
	cr_assert_not_null(err, "accepted, where '%s' was expected", want);
	cr_expect(strstr(err->message, want), "%s", err->message);
	if (also)
		cr_expect(strstr(err->message, also), "%s", err->message);
	kt_error_destroy(err);
}

static char *export_of(struct kt_case *c)
{
	char *text;

	cr_assert_null(kt_case_export(c, &text));
	return text;
}

#define WRITERS 8
#define NOTES 200

/* One writer: its own process and connection, NOTES notes. */
static void writer(const char *url, const struct kt_case_identity *id, int w)
{
	struct kt_case *mine;
	char text[64];

	if (kt_case_open(url, id, KT_CASE_WRITE, &mine))
		_exit(2);
	for (int i = 0; i < NOTES; i++) {
		snprintf(text, sizeof(text), "writer %d note %d", w, i);
		if (kt_case_note_add(mine, "case", "w", text, NULL))
			_exit(3);
	}
	kt_case_close(mine);
	_exit(0);
}

static int cmp_uuid(const void *a, const void *b)
{
	return strcmp(((const struct kt_note *)a)->uuid,
		      ((const struct kt_note *)b)->uuid);
}

/*
 * 8 writers x 200 notes on one case of an empty database (they race to
 * create the schema and the case too): exactly 1,600 notes, each text
 * once, no uuid twice.
 */
PG_TEST(eight_writers_lose_nothing_and_duplicate_nothing)
{
	char *url = kt_test_case_at("team");
	static bool seen[WRITERS][NOTES];
	struct kt_case_identity id;
	struct timespec t0, t1;
	struct kt_note_list l;
	struct kt_case *c;
	pid_t kids[WRITERS];

	identity(&id);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int w = 0; w < WRITERS; w++) {
		kids[w] = fork();
		cr_assert_geq(kids[w], 0);
		if (!kids[w])
			writer(url, &id, w);
	}
	for (int w = 0; w < WRITERS; w++) {
		int st;

		cr_assert_eq(waitpid(kids[w], &st, 0), kids[w]);
		cr_expect(WIFEXITED(st) && !WEXITSTATUS(st), "writer %d: %d",
			  w, st);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	c = open_as(url, &id);
	cr_assert_null(kt_case_notes(c, NULL, &l));
	cr_expect_eq(l.n, WRITERS * NOTES);
	for (size_t i = 0; i < l.n; i++) {
		int w, n;

		cr_assert_eq(l.v[i].nrevs, 1);
		cr_assert_eq(sscanf(l.v[i].revs[0].text, "writer %d note %d",
				    &w, &n), 2);
		cr_assert(w >= 0 && w < WRITERS && n >= 0 && n < NOTES);
		cr_expect(!seen[w][n], "writer %d note %d twice", w, n);
		seen[w][n] = true;
	}
	qsort(l.v, l.n, sizeof(*l.v), cmp_uuid);
	for (size_t i = 1; i < l.n; i++)
		cr_expect_str_neq(l.v[i - 1].uuid, l.v[i].uuid);
	// A figure for the record, not a condition of the test.
	cr_log_info("%d writers x %d notes: %zu notes in %.2f s", WRITERS,
		    NOTES, l.n, (double)(t1.tv_sec - t0.tv_sec) +
		    (t1.tv_nsec - t0.tv_nsec) / 1e9);
	kt_note_list_deinit(&l);
	kt_case_close(c);
	free(url);
}

/* What the streaming writer tells the test: 'S' + uuid, or 'E' + why. */
struct record {
	char kind;
	char text[1023];
};

#define AFTER 50	/* notes saved after the restart, then it stops */

static void stream(const char *url, const struct kt_case_identity *id,
		   int fd)
{
	struct kt_case *mine;
	struct record r;
	int errors = 0, after = 0;

	if (kt_case_open(url, id, KT_CASE_WRITE, &mine))
		_exit(2);
	while (after < AFTER) {
		char uuid[37];
		struct kt_error *err = kt_case_note_add(mine, "case", "s",
							"streamed", uuid);

		memset(&r, 0, sizeof(r));
		r.kind = err ? 'E' : 'S';
		snprintf(r.text, sizeof(r.text), "%s", err ? err->message :
			 uuid);
		if (write(fd, &r, sizeof(r)) != sizeof(r))
			_exit(4);
		if (err) {
			kt_error_destroy(err);
			if (++errors > 5000)
				_exit(5);
			usleep(20000);	// the server is coming back
		} else if (errors) {
			after++;
		}
	}
	kt_case_close(mine);
	_exit(0);
}

/*
 * The server restarted while a writer streams notes: the writer gets
 * clear errors (no crash), goes on once the server is back, and every
 * note it was told is saved is there.
 */
PG_TEST(restart_mid_stream_loses_nothing_reported_saved)
{
	char *url = kt_test_case_at("team");
	struct kt_case_identity id;
	struct kt_note_list l;
	struct record r;
	char (*saved)[37] = NULL;
	size_t nsaved = 0, errors = 0;
	struct kt_case *c;
	bool restarted = false;
	int fd[2], st;
	pid_t kid;

	identity(&id);
	kt_case_close(open_as(url, &id));
	cr_assert_eq(pipe(fd), 0);
	kid = fork();
	cr_assert_geq(kid, 0);
	if (!kid) {
		close(fd[0]);
		stream(url, &id, fd[1]);
	}
	close(fd[1]);
	while (read(fd[0], &r, sizeof(r)) == sizeof(r)) {
		if (r.kind == 'S') {
			saved = realloc(saved, (nsaved + 1) * sizeof(*saved));
			cr_assert_not_null(saved);
			snprintf(saved[nsaved++], 37, "%.36s", r.text);
		} else {
			errors++;
			cr_expect(strstr(r.text, "PostgreSQL server") &&
				  (strstr(r.text, "was lost") ||
				   strstr(r.text, "cannot reach")), "%s",
				  r.text);
		}
		if (nsaved == 100 && !restarted) {
			cr_assert_eq(kt_test_pg_ctl("restart -m fast"), 0);
			restarted = true;
		}
	}
	close(fd[0]);
	cr_assert_eq(waitpid(kid, &st, 0), kid);
	cr_expect(WIFEXITED(st) && !WEXITSTATUS(st), "the writer: %d", st);
	cr_expect_geq(errors, 1, "no error across the restart");
	cr_expect_geq(nsaved, 100 + AFTER);
	c = open_as(url, &id);
	cr_assert_null(kt_case_notes(c, NULL, &l));
	qsort(l.v, l.n, sizeof(*l.v), cmp_uuid);
	for (size_t i = 0; i < nsaved; i++) {
		struct kt_note key;

		snprintf(key.uuid, sizeof(key.uuid), "%s", saved[i]);
		cr_expect_not_null(bsearch(&key, l.v, l.n, sizeof(*l.v),
					   cmp_uuid), "note %s was reported "
				   "saved and is lost", saved[i]);
	}
	cr_log_info("restart mid-stream: %zu notes reported saved, all "
		    "there; %zu errors while the server was away", nsaved,
		    errors);
	kt_note_list_deinit(&l);
	kt_case_close(c);
	free(saved);
	free(url);
}

static bool nothing_added(const struct kt_merge_stats *st)
{
	return !(st->notes_added + st->revisions_added + st->verdicts_added +
		 st->tags_added + st->concurrent + st->conflicts);
}

/*
 * Work offline on a local file, push it, push it again: the second push
 * adds nothing, the server's export is the local one, and a pull into an
 * empty local case gives the same export.
 */
PG_TEST(push_twice_adds_nothing_and_pull_gives_the_same_export)
{
	char *url = kt_test_case_at("team"), *x, *y, uuid[37];
	char *local = kt_test_case_file("l.ktriage");
	char *empty = kt_test_case_file("e.ktriage");
	struct kt_case_identity id;
	struct kt_merge_stats st;
	struct kt_case *c, *server;

	identity(&id);
	c = open_as(local, &id);
	cr_assert_null(kt_case_note_add(c, "case", "alice", "offline", uuid));
	cr_assert_null(kt_case_note_edit(c, uuid, "alice", "offline, edited"));
	cr_assert_null(kt_case_note_add(c, "log:3", "alice", "this line",
					NULL));
	cr_assert_null(kt_case_verdict_set(c, "case", "suspect", "alice",
					   "nbd"));
	cr_assert_null(kt_case_tag_add(c, "case", "bookmark:x", "alice"));
	cr_assert_null(kt_case_push(c, url, &st));
	cr_expect_eq(st.notes_added, 2);
	cr_expect_eq(st.revisions_added, 3);
	cr_expect_eq(st.verdicts_added, 1);
	cr_expect_eq(st.tags_added, 1);
	kt_merge_stats_deinit(&st);
	cr_assert_null(kt_case_push(c, url, &st));
	cr_expect(nothing_added(&st), "the second push added something");
	kt_merge_stats_deinit(&st);
	x = export_of(c);
	kt_case_close(c);
	server = open_as(url, &id);
	y = export_of(server);
	kt_case_close(server);
	cr_expect_str_eq(x, y, "the server's case is not the pushed one");
	free(y);
	c = open_as(empty, &id);
	cr_assert_null(kt_case_merge(c, url, &st));	// case pull
	cr_expect_eq(st.notes_added, 2);
	kt_merge_stats_deinit(&st);
	y = export_of(c);
	kt_case_close(c);
	cr_expect_str_eq(x, y, "the pull differs from what was pushed");
	free(x);
	free(y);
	free(empty);
	free(local);
	free(url);
}

/*
 * The same through the binary: `case push URL` twice, then `case pull`,
 * then the server's case by $KTRIAGE_CASE_URL alone.
 */
PG_TEST(case_push_and_pull_commands)
{
	char *url = kt_test_case_at("team");
	char *local = kt_test_case_file("l.ktriage");
	char *dump = kt_test_dump_path("sysrq-null", ".kdump"), push[512];
	char pull[512], *empty = kt_test_case_file("e.ktriage");
	const char *argv[] = { dump, kt_test_env("KT_VMLINUX"), "--case", local,
			       "--author", "alice", "-c", "note add offline",
			       "-c", push, "-c", push, NULL };
	const char *pulled[] = { dump, kt_test_env("KT_VMLINUX"), "--case",
				 empty, "-c", pull, "-c", "note list", NULL };
	const char *on_server[] = { dump, kt_test_env("KT_VMLINUX"), "-c",
				    "note list", "-c", "case", NULL };
	struct kt_run r;

	snprintf(push, sizeof(push), "case push %s", url);
	snprintf(pull, sizeof(pull), "case pull %s", url);
	r = kt_test_run(argv);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.out, "case push: 1 notes, 1 revisions, 0 verdicts, "
			 "0 tags added"), "%s", r.out);
	cr_expect(strstr(r.out, "case push: 0 notes, 0 revisions, 0 verdicts, "
			 "0 tags added"), "%s", r.out);
	kt_run_free(&r);
	r = kt_test_run(pulled);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.out, "case pull: 1 notes"), "%s", r.out);
	cr_expect(strstr(r.out, "    offline\n"), "%s", r.out);
	kt_run_free(&r);
	// $KTRIAGE_CASE_URL without --case: the server's case, by its name.
	setenv("KTRIAGE_CASE_URL", url, 1);
	r = kt_test_run(on_server);
	unsetenv("KTRIAGE_CASE_URL");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.out, "    offline\n"), "%s", r.out);
	cr_expect(strstr(r.out, "case postgresql://postgres@"), "%s", r.out);
	kt_run_free(&r);
	free(empty);
	free(dump);
	free(local);
	free(url);
}

static const char roles[] =
	"CREATE ROLE ktriage_reader NOLOGIN;"
	"CREATE ROLE ktriage_writer NOLOGIN;"
	"CREATE ROLE alice LOGIN IN ROLE ktriage_writer;"
	"CREATE ROLE rev LOGIN IN ROLE ktriage_reader;"
	"CREATE ROLE standby LOGIN IN ROLE ktriage_writer;"
	"ALTER ROLE standby SET default_transaction_read_only = on;";

/*
 * The roles of docs/case-format.md: a reviewer reads every case and
 * writes nothing, and is told so clearly; a writer whose privileges are
 * revoked mid-session gets the server's refusal (42501) in those words;
 * a role whose transactions are read-only (25006) too. Reading still
 * works for each.
 */
PG_TEST(reviewer_role_reads_and_is_refused_writes)
{
	char *owner = kt_test_case_at("team"), *writer = kt_test_pg_url("team",
		"alice"), *reviewer = kt_test_pg_url("team", "rev");
	char *standby = kt_test_pg_url("team", "standby");
	struct kt_case_identity id, other;
	struct kt_note_list l;
	struct kt_case *c;

	identity(&id);
	kt_test_pg_sql("postgres", roles);
	kt_case_close(open_as(owner, &id));	// the schema, granted
	c = open_as(writer, &id);
	cr_assert_null(kt_case_note_add(c, "case", "alice", "mine", NULL));
	cr_expect(!kt_case_read_only(c));
	kt_case_close(c);
	c = open_as(reviewer, &id);
	cr_expect(kt_case_read_only(c));
	says(kt_case_note_add(c, "case", "rev", "no", NULL),
	     "the PostgreSQL role 'rev' may only read", "GRANT ktriage_writer "
	     "TO rev");
	says(kt_case_verdict_set(c, "case", "suspect", "rev", "no"),
	     "may only read", NULL);
	says(kt_case_tag_add(c, "case", "x", "rev"), "may only read", NULL);
	cr_assert_null(kt_case_notes(c, NULL, &l));
	cr_expect_eq(l.n, 1);
	kt_note_list_deinit(&l);
	kt_case_close(c);
	// A dump with no case yet: the reviewer cannot start one.
	other = id;
	other.dump_id[0] = other.dump_id[0] == '0' ? '1' : '0';
	says(kt_case_open(reviewer, &other, KT_CASE_WRITE, &c), "no case of "
	     "this dump", "yet, and the PostgreSQL role 'rev' may only read");
	// Revoked while open: the server refuses, ktriage says why.
	c = open_as(writer, &id);
	kt_test_pg_sql("team", "REVOKE ktriage_writer FROM alice;"
		       "GRANT ktriage_reader TO alice");
	says(kt_case_note_add(c, "case", "alice", "again", NULL),
	     "the PostgreSQL role 'alice' may only read", "PostgreSQL refused");
	cr_expect(kt_case_read_only(c));
	cr_assert_null(kt_case_notes(c, NULL, &l));
	cr_expect_eq(l.n, 1);
	kt_note_list_deinit(&l);
	kt_case_close(c);
	c = open_as(standby, &id);
	says(kt_case_note_add(c, "case", "s", "no", NULL), "role 'standby' may "
	     "only read", NULL);
	kt_case_close(c);
	free(standby);
	free(reviewer);
	free(writer);
	free(owner);
}

/*
 * Rows written straight into the server (psql, a script, an enemy with
 * INSERT) with terminal escapes in every column ktriage prints: the note,
 * verdict and tag listings and the export print them inert.
 */
PG_TEST(rows_with_escapes_from_the_server_print_inert)
{
	static const char ins[] =
		"INSERT INTO ktriage.notes VALUES('%1$s', 'e' || chr(27) || "
		"'[2J' || repeat('0', 30), 'case', chr(27) || ']0;pwned' || "
		"chr(7), chr(27) || '[2J');"
		"INSERT INTO ktriage.revisions VALUES('%1$s', 'r', 'e' || "
		"chr(27) || '[2J' || repeat('0', 30), NULL, chr(155) || "
		"'31mred', '2026', 'look ' || chr(27) || ']0;pwned' || chr(7));"
		"INSERT INTO ktriage.verdicts VALUES('%1$s', 'v', 'case', "
		"'suspect', chr(27) || '[5m', 'mallory', chr(27) || '[2J');"
		"INSERT INTO ktriage.tags VALUES('%1$s', 'case', chr(27) || "
		"'[8m', chr(127), chr(27) || 'c')";
	char *url = kt_test_case_at("team"), *sql;
	char *dump = kt_test_dump_path("sysrq-null", ".kdump");
	const char *argv[] = { dump, kt_test_env("KT_VMLINUX"), "--case", url,
			       "-c", "note list", "-c", "verdict list", "-c",
			       "tag list", NULL };
	const char *json[] = { dump, kt_test_env("KT_VMLINUX"), "--case", url,
			       "-c", "case export -", NULL };
	struct kt_case_identity id;
	struct kt_run r;
	cJSON *doc;

	identity(&id);
	kt_case_close(open_as(url, &id));
	cr_assert_geq(asprintf(&sql, ins, id.dump_id), 0);
	kt_test_pg_sql("team", sql);
	free(sql);
	r = kt_test_run(argv);
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect(!kt_test_has_control(r.out), "%.3000s", r.out);
	cr_expect(!kt_test_has_control(r.err), "%.3000s", r.err);
	cr_expect(strstr(r.out, "look \\x1b]0;pwned\\x07"), "%s", r.out);
	cr_expect(strstr(r.out, "note e\\x1b[2J"), "%s", r.out);
	kt_run_free(&r);
	r = kt_test_run(json);
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect(!kt_test_has_control(r.out), "%.3000s", r.out);
	doc = cJSON_Parse(r.out);
	cr_expect_not_null(doc, "not JSON: %.3000s", r.out);
	cJSON_Delete(doc);
	kt_run_free(&r);
	free(dump);
	free(url);
}

/*
 * The server keys cases by dump id; a case whose id matches but whose
 * stored identity does not is another dump's, refused as a file of
 * another dump is (--force reads it).
 */
PG_TEST(another_dumps_case_is_refused_or_read_only)
{
	char *url = kt_test_case_at("team");
	struct kt_case_identity id, other;
	struct kt_note_list l;
	struct kt_case *c;

	identity(&id);
	c = open_as(url, &id);
	cr_assert_null(kt_case_note_add(c, "case", "alice", "hi", NULL));
	kt_case_close(c);
	other = id;
	snprintf(other.content_hash, sizeof(other.content_hash), "%s",
		 "0123456789abcdef");
	says(kt_case_open(url, &other, KT_CASE_WRITE, &c),
	     "belongs to another dump", "--force");
	cr_assert_null(kt_case_open(url, &other, KT_CASE_FORCE, &c));
	cr_expect(kt_case_read_only(c));
	cr_assert_null(kt_case_notes(c, NULL, &l));
	cr_expect_eq(l.n, 1);
	kt_note_list_deinit(&l);
	says(kt_case_note_add(c, "case", "bob", "no", NULL), "read-only", NULL);
	kt_case_close(c);
	free(url);
}

/* A server whose case tables are newer than this ktriage: refused as is. */
PG_TEST(newer_server_schema_is_refused_and_left_alone)
{
	char *url = kt_test_case_at("team"), *err;
	struct kt_case_identity id;
	struct kt_case *c;

	identity(&id);
	kt_case_close(open_as(url, &id));
	kt_test_pg_sql("team", "UPDATE ktriage.schema_version SET version = 9 "
		       "WHERE component = 'case'");
	says(kt_case_open(url, &id, KT_CASE_WRITE, &c), "schema version 9, "
	     "newer than this ktriage's 1: use a newer ktriage", "nothing was "
	     "changed");
	// Still 9: the check below fails (and says so) if it was changed.
	err = kt_test_pg_try_sql("team", "DO $$ BEGIN IF (SELECT version FROM "
				 "ktriage.schema_version) <> 9 THEN RAISE "
				 "'changed'; END IF; END $$");
	cr_expect_null(err, "%s", err);
	free(err);
	free(url);
}

/*
 * What goes wrong before any write: each says what is wrong and what to
 * do, and never shows a password given in the URL.
 */
PG_TEST(server_down_login_refused_and_no_schema_say_what_to_do)
{
	char *url = kt_test_case_at("team"), *nobody = kt_test_pg_url("team",
		"nobody"), *secret, *reader = kt_test_pg_url("team", "rev");
	struct kt_case_identity id;
	struct kt_error *err;
	struct kt_case *c;

	identity(&id);
	cr_assert_geq(asprintf(&secret, "postgresql://postgres:s3cret@/nodb?"
			       "host=%s", kt_test_pg_dir()), 0);
	says(kt_case_open(nobody, &id, KT_CASE_WRITE, &c), "refused the login",
	     "pg_hba.conf");
	says(kt_case_open("postgresql:bogus=1", &id, KT_CASE_WRITE, &c),
	     "not a PostgreSQL URL libpq understands", "bogus");
	err = kt_case_open(secret, &id, KT_CASE_WRITE, &c);
	cr_assert_not_null(err);
	cr_expect(strstr(err->message, "has no such database"), "%s",
		  err->message);
	cr_expect_null(strstr(err->message, "s3cret"), "%s", err->message);
	kt_error_destroy(err);
	kt_test_pg_sql("postgres", "CREATE ROLE rev LOGIN");
	says(kt_case_open(reader, &id, KT_CASE_WRITE, &c), "may not create "
	     "them; run ktriage once as the database's owner", NULL);
	cr_assert_eq(kt_test_pg_ctl("stop -m fast"), 0);
	says(kt_case_open(url, &id, KT_CASE_WRITE, &c), "cannot reach the "
	     "PostgreSQL server", "pg_isready");
	free(reader);
	free(secret);
	free(nobody);
	free(url);
}
