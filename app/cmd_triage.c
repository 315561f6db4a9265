// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `ktriage triage [--jobs N] [--store DIR] [--vmlinux-dir DIR]...
 * [--json] DUMP...|DIR...`: the dumps found (directories walked, files
 * told by their magic), triaged in batch into the store, then the store's
 * dumps grouped by failure signature.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app/commands.h"
#include "app/output.h"
#include "app/triage.h"

#define MAX_DEPTH 4

static const char usage[] =
	"usage: ktriage triage [options] DUMP...|DIR...\n"
	"\n"
	"  -j, --jobs N          dumps triaged at once (default: the CPUs)\n"
	"      --store DIR|URL   the store: a directory, or the team's\n"
	"                        postgresql://... (default: $KTRIAGE_STORE,\n"
	"                        else $XDG_DATA_HOME/ktriage/store)\n"
	"      --vmlinux-dir DIR where vmlinux files (vmlinux-RELEASE, or a\n"
	"                        .build-id tree) and module .ko files are\n"
	"                        (repeatable; also /usr/lib/debug, debuginfod)\n"
	"      --json            the results and groups as one JSON document\n"
	"\n"
	"Directories are searched for dump files (kdump, ELF core) %d levels\n"
	"deep. Dumps triaged before are skipped; a dump that fails is tried\n"
	"again next time. Exit 0 when every dump was triaged, 1 when some\n"
	"failed (each is a row with its reason), 2 for a usage error.\n";

struct paths {
	char **v;
	size_t n, cap;
};

/* kdump (compressed or flattened) or an ELF core file. */
static bool is_dump(const char *path)
{
	unsigned char h[18];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool yes;

	if (fd < 0)
		return false;
	yes = read(fd, h, sizeof(h)) == sizeof(h) &&
	      (!memcmp(h, "KDUMP   ", 8) || !memcmp(h, "DISKDUMP", 8) ||
	       !memcmp(h, "makedumpfile", 12) ||
	       (!memcmp(h, "\177ELF", 4) && h[16] == 4 && h[17] == 0));
	close(fd);
	return yes;
}

static bool add_path(struct paths *p, const char *path)
{
	char *abs = realpath(path, NULL);

	if (!abs)
		abs = strdup(path);
	if (!abs)
		return false;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		char **v = realloc(p->v, cap * sizeof(*v));

		if (!v) {
			free(abs);
			return false;
		}
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n++] = abs;
	return true;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool walk(struct paths *p, const char *dir, int depth)
{
	struct dirent **ents;
	bool ok = true;
	int n = scandir(dir, &ents, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		char *path;
		struct stat sb;

		if (ok && ents[i]->d_name[0] != '.' &&
		    asprintf(&path, "%s/%s", dir, ents[i]->d_name) >= 0) {
			if (!stat(path, &sb) && S_ISDIR(sb.st_mode)) {
				if (depth < MAX_DEPTH)
					ok = walk(p, path, depth + 1);
			} else if (S_ISREG(sb.st_mode) && is_dump(path)) {
				ok = add_path(p, path);
			}
			free(path);
		}
		free(ents[i]);
	}
	free(ents);
	return ok;
}

static struct kt_error *mkdirs(const char *dir)
{
	char *p = strdup(dir);

	if (!p)
		return &kt_error_nomem;
	for (char *q = p + 1; *q; q++) {
		if (*q == '/') {
			*q = 0;
			mkdir(p, 0755);
			*q = '/';
		}
	}
	free(p);
	if (mkdir(dir, 0755) && errno != EEXIST)
		return kt_error_os(errno, "creating %s", dir);
	return NULL;
}

static char *default_store(void)
{
	const char *e = getenv("KTRIAGE_STORE"), *x = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	char *s = NULL;

	if (e && *e)
		return strdup(e);
	if (x && *x == '/')
		return asprintf(&s, "%s/ktriage/store", x) < 0 ? NULL : s;
	return asprintf(&s, "%s/.local/share/ktriage/store",
			home ? home : ".") < 0 ? NULL : s;
}

static void print_groups(FILE *out, const struct kt_store_group_list *g)
{
	char first[32], last[32];

	fprintf(out, "%5s  %-16s  %-16s  %-16s  %s\n", "COUNT", "FIRST",
		"LAST", "SIGNATURE", "EXAMPLE / VERDICT");
	for (size_t i = 0; i < g->n; i++) {
		const struct kt_store_group *x = &g->v[i];

		kt_out_date(x->first, first, sizeof(first));
		kt_out_date(x->last, last, sizeof(last));
		fprintf(out, "%5zu  %-16s  %-16s  %s  ", x->count, first, last,
			x->sig_id);
		kt_out_raw(out, x->example.path, strlen(x->example.path),
			   false);
		fputs("\n       ", out);
		kt_out_raw(out, x->sig_text, strlen(x->sig_text), false);
		fputs("\n       ", out);
		kt_out_raw(out, x->example.title, 160, false);
		fputc('\n', out);
		if (x->verdict[0]) {
			fprintf(out, "       verdict %s: ", x->verdict);
			kt_out_raw(out, x->verdict_text ? x->verdict_text : "",
				   200, false);
			fputc('\n', out);
		}
	}
}

static cJSON *group_json(const struct kt_store_group *x)
{
	cJSON *o = cJSON_CreateObject(), *v;

	cJSON_AddStringToObject(o, "signature", x->sig_id);
	kt_json_add_raw(o, "signature_text", x->sig_text,
			strlen(x->sig_text));
	cJSON_AddNumberToObject(o, "count", (double)x->count);
	cJSON_AddNumberToObject(o, "first", (double)x->first);
	cJSON_AddNumberToObject(o, "last", (double)x->last);
	v = cJSON_AddObjectToObject(o, "example");
	cJSON_AddStringToObject(v, "dump_id", x->example.dump_id);
	kt_json_add_raw(v, "path", x->example.path, strlen(x->example.path));
	kt_json_add_raw(v, "title", x->example.title,
			strlen(x->example.title));
	kt_json_add_raw(v, "case", x->example.case_path,
			strlen(x->example.case_path));
	if (x->verdict[0]) {
		v = cJSON_AddObjectToObject(o, "verdict");
		cJSON_AddStringToObject(v, "kind", x->verdict);
		kt_json_add_raw(v, "text", x->verdict_text ? x->verdict_text :
				"", x->verdict_text ? strlen(x->verdict_text) :
				0);
	} else {
		cJSON_AddNullToObject(o, "verdict");
	}
	return o;
}

static cJSON *result_json(const struct kt_triage_result *r)
{
	static const char *const st[] = { "triaged", "skipped", "failed" };
	cJSON *o = cJSON_CreateObject();

	kt_json_add_raw(o, "path", r->path, strlen(r->path));
	cJSON_AddStringToObject(o, "status", st[r->status]);
	if (r->status == KT_FAILED)
		kt_json_add_raw(o, "reason", r->reason, strlen(r->reason));
	if (r->status == KT_TRIAGED) {
		cJSON_AddStringToObject(o, "dump_id", r->d.dump_id);
		cJSON_AddStringToObject(o, "signature", r->d.sig_id);
		kt_json_add_raw(o, "report", r->d.report, strlen(r->d.report));
	}
	return o;
}

static void print_failed(FILE *out, const struct kt_triage_result *r,
			 size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (r[i].status != KT_FAILED)
			continue;
		fputs("FAILED ", out);
		kt_out_raw(out, r[i].path, strlen(r[i].path), false);
		fputs(": ", out);
		kt_out_raw(out, r[i].reason, strlen(r[i].reason), false);
		fputc('\n', out);
	}
}

static int report(const struct kt_triage_opts *o, struct kt_store *s,
		  const struct kt_triage_result *r, size_t n, FILE *out,
		  FILE *err)
{
	struct kt_cmd_ctx ctx = { .out = out, .err = err, .json = o->json };
	struct kt_store_group_list g;
	struct kt_error *e;
	size_t failed = 0;

	for (size_t i = 0; i < n; i++)
		failed += r[i].status == KT_FAILED;
	e = kt_store_refresh_verdicts(s, kt_cmd_case_verdict);
	if (e) {
		kt_out_error(err, "triage: a case's verdict", e->message);
		kt_error_destroy(e);
	}
	e = kt_store_groups(s, &g);
	if (e) {
		kt_out_error(err, "triage", e->message);
		kt_error_destroy(e);
		return 1;
	}
	if (o->json) {
		cJSON *doc = cJSON_CreateObject(), *a;

		kt_json_add_raw(doc, "store", kt_store_dir(s),
				strlen(kt_store_dir(s)));
		a = cJSON_AddArrayToObject(doc, "dumps");
		for (size_t i = 0; a && i < n; i++)
			cJSON_AddItemToArray(a, result_json(&r[i]));
		a = cJSON_AddArrayToObject(doc, "groups");
		for (size_t i = 0; a && i < g.n; i++)
			cJSON_AddItemToArray(a, group_json(&g.v[i]));
		kt_json_print(&ctx, doc);
	} else {
		print_groups(out, &g);
		print_failed(out, r, n);
	}
	kt_store_group_list_deinit(&g);
	return failed ? 1 : 0;
}

static int parse(int argc, char **argv, struct kt_triage_opts *o,
		 char **store, FILE *err)
{
	static const struct option opts[] = {
		{ "jobs", required_argument, NULL, 'j' },
		{ "store", required_argument, NULL, 'S' },
		{ "vmlinux-dir", required_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	char *end;
	long v;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "j:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 256)
				goto bad;
			o->jobs = (unsigned)v;
			break;
		case 'S':
			free(*store);
			*store = strdup(optarg);
			break;
		case 'D':
			if (o->ndirs == KT_TRIAGE_MAX_DIRS)
				goto bad;
			o->dirs[o->ndirs] = realpath(optarg, NULL);
			if (!o->dirs[o->ndirs]) {
				kt_out_error(err, "triage: --vmlinux-dir",
					     "no such directory");
				return 2;
			}
			o->ndirs++;
			break;
		case 'J':
			o->json = true;
			break;
		case 'h':
			printf(usage, MAX_DEPTH);
			return -1;
		default:
			goto bad;
		}
	}
	if (optind < argc)
		return 0;
bad:
	fprintf(err, usage, MAX_DEPTH);
	return 2;
}

static bool collect(int argc, char **argv, struct paths *p, FILE *err)
{
	for (int i = 0; i < argc; i++) {
		struct stat sb;

		if (!stat(argv[i], &sb) && S_ISDIR(sb.st_mode)) {
			if (!walk(p, argv[i], 0))
				return false;
		} else if (!add_path(p, argv[i])) {
			return false;
		}
	}
	qsort(p->v, p->n, sizeof(*p->v), by_name);
	return true;
}

int kt_triage_main(int argc, char **argv, FILE *out, FILE *err)
{
	struct kt_triage_opts o = { .jobs = 0 };
	struct kt_triage_result *r = NULL;
	struct paths p = { 0 };
	struct kt_store *s = NULL;
	struct kt_error *e = NULL;
	char *store = NULL, *self = realpath("/proc/self/exe", NULL);
	int ret = parse(argc, argv, &o, &store, err);

	if (ret)
		goto out;
	o.self = self;
	o.jobs = o.jobs ? o.jobs : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	// @err is the sanitising stream: the terminal is behind fd 2
	o.progress_bar = isatty(STDERR_FILENO);
	if (!store)
		store = default_store();
	o.store_dir = store;
	if (!self || !store || !collect(argc - optind, argv + optind, &p, err))
		e = &kt_error_nomem;
	if (!e)
		e = kt_store_open(store, &s);
	if (!e) {
		o.reports = kt_store_reports(s);
		e = mkdirs(o.reports);
	}
	if (!e && !p.n)
		kt_out_error(err, "triage", "no dump files found");
	if (!e)
		e = kt_triage_run(&o, s, p.v, p.n, err, &r);
	if (e) {
		kt_out_error(err, "triage", e->message);
		kt_error_destroy(e);
		ret = 1;
	} else {
		ret = report(&o, s, r, p.n, out, err);
	}
	kt_triage_results_free(r, p.n);
	kt_store_close(s);
out:
	for (size_t i = 0; i < p.n; i++)
		free(p.v[i]);
	free(p.v);
	for (unsigned i = 0; i < o.ndirs; i++)
		free((char *)o.dirs[i]);
	free(store);
	free(self);
	return ret < 0 ? 0 : ret;
}
