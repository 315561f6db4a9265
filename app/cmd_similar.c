// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * similar: the dumps of the team's store whose failure signature is the
 * same as this dump's or close to it, ranked, with their verdicts: "seen
 * before in case X, root cause Y".
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/commands.h"
#include "db/case.h"
#include "db/store.h"
#include "triage/signature.h"

#define CANDIDATES 200
#define MIN_SCORE 40

struct kt_error *kt_cmd_store(struct kt_cmd_ctx *ctx, struct kt_store **ret)
{
	struct kt_error *err;

	if (!ctx->store_dir)
		return kt_error_create(KT_ERR_INVALID, "no store: give --store "
				       "DIR (or set $KTRIAGE_STORE), the "
				       "directory `ktriage triage` fills");
	if (!ctx->store) {
		err = kt_store_open(ctx->store_dir, &ctx->store);
		if (err)
			return err;
	}
	*ret = ctx->store;
	return NULL;
}

struct kt_error *kt_cmd_case_verdict(const char *path, const char *dump_id,
				     char kind[16], char **text)
{
	struct kt_case_identity id = { 0 };
	struct kt_verdict_list l;
	struct kt_error *err;
	struct kt_case *c;

	kind[0] = 0;
	*text = NULL;
	snprintf(id.dump_id, sizeof(id.dump_id), "%s", dump_id);
	err = kt_case_open(path, &id, KT_CASE_FORCE, &c);
	if (!err)
		err = kt_case_verdicts(c, &l);
	if (err) {
		kt_case_close(c);
		return err;
	}
	// oldest first: the last on the case is the one in force
	for (size_t i = l.n; i-- > 0;) {
		if (strcmp(l.v[i].target, "case"))
			continue;
		snprintf(kind, 16, "%s", l.v[i].kind);
		*text = strdup(l.v[i].text);
		break;
	}
	kt_verdict_list_deinit(&l);
	kt_case_close(c);
	return NULL;
}

struct ranked {
	int score;
	struct kt_store_dump *d;
};

static int by_score(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->score != y->score)
		return y->score - x->score;
	return (x->d->crash_time < y->d->crash_time) -
	       (x->d->crash_time > y->d->crash_time);
}

static cJSON *ranked_json(const struct ranked *r)
{
	cJSON *o = cJSON_CreateObject(), *v;

	cJSON_AddNumberToObject(o, "score", r->score);
	cJSON_AddStringToObject(o, "dump_id", r->d->dump_id);
	kt_json_add_raw(o, "path", r->d->path, strlen(r->d->path));
	cJSON_AddNumberToObject(o, "crash_time", (double)r->d->crash_time);
	cJSON_AddStringToObject(o, "signature", r->d->sig_id);
	kt_json_add_raw(o, "signature_text", r->d->sig_text,
			strlen(r->d->sig_text));
	kt_json_add_raw(o, "title", r->d->title, strlen(r->d->title));
	kt_json_add_raw(o, "case", r->d->case_path, strlen(r->d->case_path));
	if (r->d->verdict[0]) {
		v = cJSON_AddObjectToObject(o, "verdict");
		cJSON_AddStringToObject(v, "kind", r->d->verdict);
		kt_json_add_raw(v, "text", r->d->verdict_text,
				strlen(r->d->verdict_text));
	} else {
		cJSON_AddNullToObject(o, "verdict");
	}
	return o;
}

static void print_ranked(struct kt_cmd_ctx *ctx, const struct ranked *r)
{
	char when[32];

	kt_out_date(r->d->crash_time, when, sizeof(when));
	fprintf(ctx->out, "%5d  %.16s  %-16s  %s  ", r->score, r->d->dump_id,
		when, r->d->sig_id);
	kt_out_raw(ctx->out, r->d->path, strlen(r->d->path), false);
	fputc('\n', ctx->out);
	fputs("       ", ctx->out);
	kt_out_raw(ctx->out, r->d->title, 200, false);
	fputc('\n', ctx->out);
	if (r->d->verdict[0]) {
		fprintf(ctx->out, "       verdict %s: ", r->d->verdict);
		kt_out_raw(ctx->out, r->d->verdict_text, 200, false);
		fputc('\n', ctx->out);
	}
}

/*
 * The verdict in the dump's case now, not the store's copy of it: an
 * engineer may have concluded since the last triage.
 */
static void live_verdict(struct kt_store_dump *d)
{
	char kind[16];
	char *text;

	if (!d->case_path[0] || access(d->case_path, R_OK))
		return;
	if (kt_error_catch_any(kt_cmd_case_verdict(d->case_path, d->dump_id,
						   kind, &text)))
		return;
	if (kind[0] && text) {
		memcpy(d->verdict, kind, sizeof(d->verdict));
		free(d->verdict_text);
		d->verdict_text = text;
	} else {
		free(text);
	}
}

/* Score the candidates against @me; the dump itself is not its own match. */
static size_t rank(const struct kt_signature *me, const char *dump_id,
		   struct kt_store_dump_list *l, struct ranked *out)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++) {
		struct kt_signature other;
		int score;

		if (!strcmp(l->v[i].dump_id, dump_id))
			continue;
		if (!kt_signature_parse(l->v[i].sig_text, &other))
			continue;
		score = kt_signature_score(me, &other);
		if (score >= MIN_SCORE)
			out[n++] = (struct ranked){ score, &l->v[i] };
	}
	qsort(out, n, sizeof(*out), by_score);
	return n;
}

static struct kt_error *similar(struct kt_cmd_ctx *ctx, size_t max)
{
	struct kt_case_identity id;
	struct kt_store_dump_list l;
	struct kt_signature me;
	struct kt_store *s = NULL;
	struct ranked *r;
	struct kt_error *err;
	size_t n;

	err = kt_cmd_store(ctx, &s);
	if (!err)
		err = kt_cmd_signature_of(ctx, &me);
	if (!err)
		err = kt_case_identity(ctx->prog, &id);
	if (!err)
		err = kt_store_candidates(s, me.id, me.kind, me.nframes ?
					  me.frames[0] : "", me.finding,
					  CANDIDATES, &l);
	if (err)
		return err;
	r = calloc(l.n + 1, sizeof(*r));
	if (!r) {
		kt_store_dump_list_deinit(&l);
		return &kt_error_nomem;
	}
	n = rank(&me, id.dump_id, &l, r);
	if (n > max)
		n = max;
	for (size_t i = 0; i < n; i++)
		live_verdict(r[i].d);
	if (ctx->json) {
		cJSON *doc = cJSON_CreateObject(), *arr;

		cJSON_AddItemToObject(doc, "signature", kt_signature_json(&me));
		arr = cJSON_AddArrayToObject(doc, "similar");
		for (size_t i = 0; arr && i < n; i++)
			cJSON_AddItemToArray(arr, ranked_json(&r[i]));
		kt_json_print(ctx, doc);
	} else {
		fprintf(ctx->out, "signature %s (%s)\n", me.id, me.text);
		if (!n)
			fputs("no earlier dump in the store is alike\n",
			      ctx->out);
		else
			fprintf(ctx->out, "%5s  %-16s  %-16s  %-16s  %s\n",
				"SCORE", "DUMP", "CRASHED", "SIGNATURE",
				"PATH");
		for (size_t i = 0; i < n; i++)
			print_ranked(ctx, &r[i]);
	}
	free(r);
	kt_store_dump_list_deinit(&l);
	return NULL;
}

int kt_cmd_similar(struct kt_cmd_ctx *ctx, int argc, char **argv)
{
	static const char use[] = "similar [-n N]";
	struct kt_error *err;
	long max = 10;
	char *end;

	if (argc == 3 && !strcmp(argv[1], "-n")) {
		max = strtol(argv[2], &end, 10);
		if (*end || max <= 0)
			return kt_cmd_usage(ctx, "similar", use);
	} else if (argc != 1) {
		return kt_cmd_usage(ctx, "similar", use);
	}
	err = similar(ctx, (size_t)max);
	return err ? kt_cmd_fail(ctx, "similar", err) : 0;
}
