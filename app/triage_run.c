// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The batch of `ktriage triage`: up to --jobs children at once, each
 * `ktriage DUMP --store DIR --report TMP` with the vmlinux directories as
 * $KTRIAGE_DEBUG_PATH and module directories; a child's report is renamed
 * to reports/DUMP_ID.json and recorded in one transaction, so a run killed
 * at any point redoes only the dumps it had not recorded.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "app/output.h"
#include "app/triage.h"

struct slot {
	pid_t pid;			/* 0: free */
	size_t index;			/* the dump it works on */
	char report[4096], errlog[4096];
};

static char *slurp(const char *path, size_t max)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	size_t n;

	if (!fp)
		return NULL;
	buf = malloc(max + 1);
	n = buf ? fread(buf, 1, max, fp) : 0;
	fclose(fp);
	if (buf)
		buf[n] = 0;
	return buf;
}

static const char *str(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);

	if (b)
		v = cJSON_GetObjectItemCaseSensitive(v, b);
	return cJSON_IsString(v) ? v->valuestring : "";
}

/* The title of the most severe finding (the report lists them so). */
static const char *top_title(const cJSON *doc)
{
	const cJSON *f = cJSON_GetArrayItem(
		cJSON_GetObjectItemCaseSensitive(doc, "findings"), 0);

	if (f && strcmp(str(f, "severity", NULL), "info"))
		return str(f, "title", NULL);
	return str(doc, "summary", "panic");
}

bool kt_triage_parse_report(const char *text, struct kt_store_dump *d)
{
	cJSON *doc = cJSON_Parse(text);
	const cJSON *sig, *parts, *t;
	bool ok;

	memset(d, 0, sizeof(*d));
	if (!doc)
		return false;
	sig = cJSON_GetObjectItemCaseSensitive(doc, "signature");
	parts = cJSON_GetObjectItemCaseSensitive(sig, "parts");
	snprintf(d->dump_id, sizeof(d->dump_id), "%s",
		 str(doc, "identity", "dump_id"));
	snprintf(d->release, sizeof(d->release), "%s",
		 str(doc, "identity", "release"));
	t = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(doc, "identity"),
		"crash_time");
	d->crash_time = cJSON_IsNumber(t) ? (int64_t)t->valuedouble : 0;
	snprintf(d->sig_id, sizeof(d->sig_id), "%s", str(sig, "id", NULL));
	d->sig_text = strdup(str(sig, "text", NULL));
	d->title = strdup(top_title(doc));
	// the parts outlive the document: kept in the one string they index
	d->sig_kind = strdup(str(parts, "kind", NULL));
	d->sig_frame = strdup(cJSON_IsString(cJSON_GetArrayItem(
		cJSON_GetObjectItemCaseSensitive(parts, "frames"), 0)) ?
		cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(parts,
		"frames"), 0)->valuestring : "");
	d->sig_finding = strdup(str(parts, "finding", NULL));
	cJSON_Delete(doc);
	ok = d->dump_id[0] && d->sig_id[0] && d->sig_text && d->title &&
	     d->sig_kind && d->sig_frame && d->sig_finding;
	return ok;
}

static void free_parts(struct kt_store_dump *d)
{
	free((char *)d->sig_kind);
	free((char *)d->sig_frame);
	free((char *)d->sig_finding);
	d->sig_kind = d->sig_frame = d->sig_finding = NULL;
}

void kt_triage_results_free(struct kt_triage_result *r, size_t n)
{
	for (size_t i = 0; r && i < n; i++) {
		free(r[i].path);
		free(r[i].reason);
		free_parts(&r[i].d);
		kt_store_dump_deinit(&r[i].d);
	}
	free(r);
}

/* The child's argv and environment, then exec; never returns. */
static void child(const struct kt_triage_opts *o, const char *dump,
		  const struct slot *s)
{
	const char *argv[8 + 2 * KT_TRIAGE_MAX_DIRS];
	char *dpath = NULL;
	const char *old = getenv("KTRIAGE_DEBUG_PATH");
	int n = 0, fd;

	argv[n++] = o->self;
	argv[n++] = dump;
	argv[n++] = "--no-tui";
	argv[n++] = "--store";
	argv[n++] = o->store_dir;
	argv[n++] = "--report";
	argv[n++] = s->report;
	for (unsigned i = 0; i < o->ndirs; i++) {
		argv[n++] = "-m";
		argv[n++] = o->dirs[i];
		if (asprintf(&dpath, "%s%s%s", o->dirs[i], dpath || old ? ":" :
			     "", dpath ? dpath : old ? old : "") < 0)
			_exit(127);
	}
	argv[n] = NULL;
	if (dpath)
		setenv("KTRIAGE_DEBUG_PATH", dpath, 1);
	fd = open("/dev/null", O_RDWR);
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	fd = open(s->errlog, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0)
		dup2(fd, STDERR_FILENO);
	execv(o->self, (char **)argv);
	_exit(127);
}

/* The last line a failed child wrote on its error stream. */
static char *last_error(const char *errlog, int status)
{
	char *text = slurp(errlog, 65536), *line = NULL, *r;
	size_t n;

	if (WIFSIGNALED(status)) {
		if (asprintf(&r, "ktriage was killed by signal %d (%s) on this "
			     "dump: report it with the dump's first lines of "
			     "%s", WTERMSIG(status), strsignal(WTERMSIG(status)),
			     errlog) < 0)
			r = NULL;
		free(text);
		return r;
	}
	for (n = text ? strlen(text) : 0; n && text[n - 1] == '\n'; n--)
		text[n - 1] = 0;
	if (text)
		line = strrchr(text, '\n') ? strrchr(text, '\n') + 1 : text;
	if (line && !strncmp(line, "ktriage: ", 9))
		line += 9;
	r = strdup(line && *line ? line : WEXITSTATUS(status) == 127 ?
		   "the child ktriage could not be started" :
		   "ktriage failed without saying why");
	free(text);
	return r;
}

/* A child ended: record what it made (or why it failed). */
static struct kt_error *finish(const struct kt_triage_opts *o,
			       struct kt_store *store, struct slot *s,
			       int status, struct kt_triage_result *r)
{
	char *text = NULL, *final = NULL;
	struct stat sb;
	struct kt_error *err = NULL;

	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		text = slurp(s->report, 64 << 20);
	if (text && kt_triage_parse_report(text, &r->d) &&
	    asprintf(&final, "%s/%s.json", o->reports, r->d.dump_id) >= 0 && !rename(s->report, final) &&
	    !kt_error_catch_any(kt_store_case_path(store, r->d.dump_id,
						   &r->d.case_path))) {
		r->status = KT_TRIAGED;
		r->d.path = strdup(r->path);
		r->d.report = final;
		final = NULL;
		if (!stat(r->path, &sb))
			err = kt_store_record(store, r->path, sb.st_size,
					      sb.st_mtime, &r->d, NULL);
	} else {
		r->status = KT_FAILED;
		r->reason = text ? strdup("its report could not be read") :
			    last_error(s->errlog, status);
		if (!stat(r->path, &sb))
			err = kt_store_record(store, r->path, sb.st_size,
					      sb.st_mtime, NULL, r->reason);
	}
	free(final);
	free(text);
	unlink(s->report);
	unlink(s->errlog);
	s->pid = 0;
	return err;
}

static void progress(const struct kt_triage_opts *o, FILE *err,
		     const struct kt_triage_result *r, size_t done, size_t n,
		     size_t failed)
{
	const int width = 30;
	int fill = n ? (int)(done * width / n) : width;

	if (o->progress_bar) {
		// our own words only, redrawn with a carriage return, which
		// the sanitising @err would show as \x0d: straight to fd 2
		fflush(err);
		dprintf(STDERR_FILENO, "\r[%.*s%*s] %zu/%zu dumps, %zu failed ",
			fill, "##############################", width - fill,
			"", done, n, failed);
		if (done == n)
			dprintf(STDERR_FILENO, "\n");
	} else if (r->status == KT_TRIAGED) {
		fprintf(err, "triaged %zu/%zu ", done, n);
		kt_out_raw(err, r->path, strlen(r->path), false);
		fprintf(err, ": %s\n", r->d.sig_id);
	} else if (r->status == KT_FAILED) {
		fprintf(err, "failed %zu/%zu ", done, n);
		kt_out_raw(err, r->path, strlen(r->path), false);
		fputs(": ", err);
		kt_out_raw(err, r->reason, strlen(r->reason), false);
		fputc('\n', err);
	} else {
		fprintf(err, "skipped %zu/%zu ", done, n);
		kt_out_raw(err, r->path, strlen(r->path), false);
		fputs(": triaged before\n", err);
	}
	fflush(err);
}

/* Start dump @i in a free slot; false when fork failed. */
static bool start(const struct kt_triage_opts *o, struct slot *s, size_t i,
		  const char *dump, unsigned k)
{
	snprintf(s->report, sizeof(s->report), "%s/.run-%d-%u.json",
		 o->reports, (int)getpid(), k);
	snprintf(s->errlog, sizeof(s->errlog), "%s/.run-%d-%u.err",
		 o->reports, (int)getpid(), k);
	s->index = i;
	s->pid = fork();
	if (s->pid == 0)
		child(o, dump, s);
	return s->pid > 0;
}

struct kt_error *kt_triage_run(const struct kt_triage_opts *o,
			       struct kt_store *store, char **paths, size_t n,
			       FILE *err, struct kt_triage_result **ret)
{
	struct kt_triage_result *r = calloc(n + 1, sizeof(*r));
	struct slot *slots = calloc(o->jobs, sizeof(*slots));
	struct kt_error *e = NULL;
	size_t next = 0, done = 0, failed = 0, running = 0;

	if (!r || !slots) {
		free(r);
		free(slots);
		return &kt_error_nomem;
	}
	for (size_t i = 0; i < n; i++)
		r[i].path = strdup(paths[i]);
	while (!e && (next < n || running)) {
		// fill the free slots with dumps not done before
		for (unsigned k = 0; k < o->jobs && next < n; k++) {
			struct stat sb;
			bool was = false;

			if (slots[k].pid)
				continue;
			while (next < n && !e && !stat(paths[next], &sb) &&
			       !(e = kt_store_file_done(store, paths[next],
						sb.st_size, sb.st_mtime, &was)) &&
			       was) {
				r[next].status = KT_SKIPPED;
				progress(o, err, &r[next++], ++done, n, failed);
			}
			if (e || next == n)
				break;
			if (!start(o, &slots[k], next, paths[next], k)) {
				e = kt_error_os(errno, "starting a ktriage");
				break;
			}
			next++;
			running++;
		}
		if (!running)
			continue;
		int status;
		pid_t pid = wait(&status);

		if (pid < 0) {
			e = kt_error_os(errno, "waiting for a ktriage");
			break;
		}
		for (unsigned k = 0; k < o->jobs; k++) {
			if (slots[k].pid != pid)
				continue;
			struct kt_triage_result *res = &r[slots[k].index];

			e = finish(o, store, &slots[k], status, res);
			running--;
			failed += res->status == KT_FAILED;
			progress(o, err, res, ++done, n, failed);
		}
	}
	// an error stops the run: the children still running finish alone
	free(slots);
	if (e) {
		kt_triage_results_free(r, n);
		return e;
	}
	*ret = r;
	return NULL;
}
