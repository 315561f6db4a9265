// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The store's queries at team scale: N synthetic triaged dumps (default
 * 10,000) over S signatures (default 500, a few kinds, frames and
 * findings shared between them, as a fleet's crashes are), then the
 * grouped summary of `ktriage triage` and the candidates + ranking of
 * `similar`, each timed over R runs; prints the median and worst in ms.
 *
 * usage: kt_store_bench [-n DUMPS] [-s SIGNATURES] [-r RUNS] STORE_DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db/store.h"
#include "triage/signature.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void die(struct kt_error *err)
{
	if (err) {
		fprintf(stderr, "kt_store_bench: %s\n", err->message);
		exit(1);
	}
}

static struct kt_signature sig_of(int i)
{
	static const char *const kinds[] = {
		"BUG", "page fault: read", "general protection fault",
		"soft lockup", "hung task", "WARNING",
	};
	struct kt_signature s = { .nframes = 3 };

	snprintf(s.kind, sizeof(s.kind), "%s", kinds[i % 6]);
	snprintf(s.frames[0], sizeof(s.frames[0]), "fn_%d", i % 97);
	snprintf(s.frames[1], sizeof(s.frames[1]), "caller_%d", i);
	snprintf(s.frames[2], sizeof(s.frames[2]), "outer_%d", i % 13);
	snprintf(s.module, sizeof(s.module), "%s", i % 3 ? "" : "mod");
	snprintf(s.finding, sizeof(s.finding), "plugin_%d/kind", i % 11);
	kt_signature_finish(&s);
	return s;
}

/* Fill in batches of one signature each, as a fleet's dumps come. */
static void fill(struct kt_store *st, int n, int nsig)
{
	for (int k = 0; k < nsig; k++) {
		struct kt_signature s = sig_of(k);
		char id[33];
		struct kt_store_dump d = {
			.path = "/var/crash/host/dump", .release = "6.1.0",
			.crash_time = 1700000000 + k * 1000,
			.sig_text = s.text, .sig_kind = s.kind,
			.sig_frame = s.frames[0], .sig_finding = s.finding,
			.title = "synthetic", .report = "", .case_path = "",
		};

		snprintf(id, sizeof(id), "%016x", k);
		memcpy(d.dump_id, id, sizeof(id));
		memcpy(d.sig_id, s.id, sizeof(d.sig_id));
		die(kt_store_fill(st, &d, n / nsig + (k < n % nsig)));
	}
}

static void report(const char *what, double *t, int runs)
{
	qsort(t, runs, sizeof(*t), cmp);
	printf("%-28s median %7.2f ms  worst %7.2f ms\n", what, t[runs / 2],
	       t[runs - 1]);
}

int main(int argc, char **argv)
{
	int n = 10000, nsig = 500, runs = 20, c;
	struct kt_store *st;
	size_t count;

	while ((c = getopt(argc, argv, "n:s:r:")) != -1) {
		if (c == 'n')
			n = atoi(optarg);
		else if (c == 's')
			nsig = atoi(optarg);
		else if (c == 'r')
			runs = atoi(optarg);
		else
			return 2;
	}
	if (optind != argc - 1 || n < 1 || nsig < 1 || runs < 1)
		return 2;
	die(kt_store_open(argv[optind], &st));
	die(kt_store_count(st, &count));
	if (count < (size_t)n)
		fill(st, n, nsig);
	die(kt_store_count(st, &count));
	printf("store %s: %zu dumps, %d signatures\n", argv[optind], count,
	       nsig);

	double *tg = calloc(runs, sizeof(double));
	double *ts = calloc(runs, sizeof(double));

	for (int i = 0; i < runs; i++) {
		struct kt_store_group_list g;
		struct kt_store_dump_list l;
		struct kt_signature me = sig_of(i * 7 + 3), o;
		double t0 = now_ms();
		int best = 0;

		die(kt_store_groups(st, &g));
		tg[i] = now_ms() - t0;
		kt_store_group_list_deinit(&g);
		t0 = now_ms();
		die(kt_store_candidates(st, me.id, me.kind, me.frames[0],
					me.finding, 200, &l));
		for (size_t j = 0; j < l.n; j++)
			if (kt_signature_parse(l.v[j].sig_text, &o) &&
			    kt_signature_score(&me, &o) > best)
				best = kt_signature_score(&me, &o);
		ts[i] = now_ms() - t0;
		kt_store_dump_list_deinit(&l);
		if (best != 100)
			fprintf(stderr, "kt_store_bench: its own signature "
				"not found\n");
	}
	report("grouped summary (triage)", tg, runs);
	report("similar (candidates+rank)", ts, runs);
	free(tg);
	free(ts);
	kt_store_close(st);
	return 0;
}
