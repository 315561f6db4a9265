// SPDX-License-Identifier: GPL-2.0-or-later
/* A PostgreSQL server per test (see pg_server.h). */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/pg_server.h"

#define BIN "/usr/lib/postgresql/15/bin/"

static struct {
	char dir[64];
	int guard_fd;		/* its closing tells the guard to clean up */
	pid_t guard;
} srv = { .guard_fd = -1 };

/* "runuser -u postgres -- " as root, "" otherwise. */
static const char *as_server(void)
{
	return geteuid() ? "" : "runuser -u postgres -- ";
}

static int shell(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int shell(const char *fmt, ...)
{
	char *cmd;
	va_list ap;
	int st;

	va_start(ap, fmt);
	cr_assert_geq(vasprintf(&cmd, fmt, ap), 0);
	va_end(ap);
	st = system(cmd);
	free(cmd);
	return st;
}

int kt_test_pg_ctl(const char *action)
{
	// -w: returns once the server accepts connections (or is down).
	return shell("cd %s && %s" BIN "pg_ctl -D %s/data -l %s/log -w -t 120 "
		     "-o \"-k %s -c listen_addresses='' -c fsync=off "
		     "-c max_connections=50\" %s >>%s/ctl.log 2>&1", srv.dir,
		     as_server(), srv.dir, srv.dir, srv.dir, action, srv.dir);
}

/*
 * The guard: a child that waits for the test process's end (the pipe's
 * write end closes with it), then stops the server and removes its
 * directory. It holds nothing else open.
 */
static void start_guard(void)
{
	int fd[2];
	char c;

	cr_assert_eq(pipe2(fd, O_CLOEXEC), 0);
	srv.guard = fork();
	cr_assert_geq(srv.guard, 0);
	if (srv.guard) {
		close(fd[0]);
		srv.guard_fd = fd[1];
		return;
	}
	for (int i = 3; i < 1024; i++)	// criterion's sockets among them
		if (i != fd[0])
			close(i);
	setsid();	// criterion's signals to the test are not ours
	while (read(fd[0], &c, 1) > 0)
		;
	kt_test_pg_ctl("stop -m immediate");
	shell("rm -rf %s", srv.dir);
	_exit(0);
}

void kt_test_pg_start(void)
{
	struct passwd *pw = geteuid() ? NULL : getpwnam("postgres");

	snprintf(srv.dir, sizeof(srv.dir), "/tmp/kt-pg-XXXXXX");
	cr_assert_not_null(mkdtemp(srv.dir));
	if (!geteuid()) {
		cr_assert_not_null(pw, "running as root, and there is no "
				   "postgres user to run the server as");
		cr_assert_eq(chown(srv.dir, pw->pw_uid, pw->pw_gid), 0);
	}
	cr_assert_eq(chmod(srv.dir, 0755), 0);
	start_guard();
	cr_assert_eq(shell("cd %s && %s" BIN "initdb -D %s/data -U postgres "
			   "--auth=trust --no-sync -E UTF8 --locale=C.UTF-8 "
			   ">%s/initdb.log 2>&1", srv.dir, as_server(), srv.dir,
			   srv.dir), 0, "initdb failed: see %s/initdb.log",
		     srv.dir);
	cr_assert_eq(kt_test_pg_ctl("start"), 0, "the server did not start: "
		     "see %s/log", srv.dir);
}

void kt_test_pg_stop(void)
{
	if (srv.guard_fd < 0)
		return;
	close(srv.guard_fd);
	srv.guard_fd = -1;
	waitpid(srv.guard, NULL, 0);
}

const char *kt_test_pg_dir(void)
{
	return srv.dir;
}

char *kt_test_pg_url(const char *db, const char *user)
{
	char *url;

	cr_assert_geq(asprintf(&url, "postgresql:///%s?host=%s&user=%s", db,
			       srv.dir, user), 0);
	return url;
}

char *kt_test_pg_try_sql(const char *db, const char *sql)
{
	const char *const keys[] = { "host", "user", "dbname", NULL };
	const char *const values[] = { srv.dir, "postgres", db, NULL };
	PGconn *conn = PQconnectdbParams(keys, values, 0);
	PGresult *res = NULL;
	char *err = NULL;

	if (PQstatus(conn) == CONNECTION_OK)
		res = PQexec(conn, sql);
	if (PQstatus(conn) != CONNECTION_OK ||
	    (PQresultStatus(res) != PGRES_COMMAND_OK &&
	     PQresultStatus(res) != PGRES_TUPLES_OK))
		err = strdup(PQerrorMessage(conn));
	PQclear(res);
	PQfinish(conn);
	return err;
}

void kt_test_pg_sql(const char *db, const char *sql)
{
	char *err = kt_test_pg_try_sql(db, sql);

	cr_assert_null(err, "%s: %s", sql, err);
}
