// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * case: where the case database is and what it holds; merge a colleague's
 * review; export and import a case as JSON; push a local case to the
 * team's PostgreSQL server and pull from it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "app/commands.h"
#include "db/case.h"

static void print_stats(struct kt_cmd_ctx *ctx, const char *what,
			const struct kt_merge_stats *st)
{
	cJSON *doc;

	if (ctx->json) {
		doc = cJSON_CreateObject();
		cJSON_AddStringToObject(doc, "command", what);
		cJSON_AddNumberToObject(doc, "notes_added", st->notes_added);
		cJSON_AddNumberToObject(doc, "revisions_added",
					st->revisions_added);
		cJSON_AddNumberToObject(doc, "verdicts_added",
					st->verdicts_added);
		cJSON_AddNumberToObject(doc, "tags_added", st->tags_added);
		cJSON_AddNumberToObject(doc, "concurrent", st->concurrent);
		cJSON_AddNumberToObject(doc, "conflicts", st->conflicts);
		if (st->report)
			kt_json_add_raw(doc, "report", st->report,
					strlen(st->report));
		kt_json_print(ctx, doc);
		return;
	}
	fprintf(ctx->out, "%s: %zu notes, %zu revisions, %zu verdicts, %zu "
		"tags added; %zu notes edited concurrently (all edits kept); "
		"%zu conflicts\n", what, st->notes_added, st->revisions_added,
		st->verdicts_added, st->tags_added, st->concurrent,
		st->conflicts);
	if (st->report)
		kt_out_raw(ctx->out, st->report, strlen(st->report), true);
}

static int write_file(struct kt_cmd_ctx *ctx, const char *path,
		      const char *text)
{
	FILE *fp = strcmp(path, "-") ? fopen(path, "w") : ctx->out;
	bool ok;

	if (!fp)
		return kt_cmd_fail(ctx, "case", kt_error_os(errno, "%s", path));
	ok = fputs(text, fp) >= 0 && fputc('\n', fp) != EOF;
	if (fp != ctx->out)
		ok = !fclose(fp) && ok;
	if (!ok)
		return kt_cmd_fail(ctx, "case", kt_error_os(errno, "writing %s",
							    path));
	return 0;
}

/* A file's text, at most 256 MiB; NULL with *err set when it cannot be. */
static char *slurp(const char *path, struct kt_error **err)
{
	FILE *fp = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	*err = NULL;
	if (!fp) {
		*err = kt_error_os(errno, "%s", path);
		return NULL;
	}
	do {
		char *b;

		if (len + 65536 + 1 > cap) {
			cap = cap * 2 + 65536 + 1;
			b = cap > (256u << 20) ? NULL : realloc(buf, cap);
			if (!b) {
				*err = kt_error_create(KT_ERR_INVALID, "%s is "
					"too large for a case export", path);
				break;
			}
			buf = b;
		}
		n = fread(buf + len, 1, 65536, fp);
		len += n;
	} while (n);
	if (!*err && ferror(fp))
		*err = kt_error_os(errno, "reading %s", path);
	fclose(fp);
	if (*err) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

static int case_info(struct kt_cmd_ctx *ctx, struct kt_case *c)
{
	struct kt_note_list l;
	struct kt_verdict_list v;
	struct kt_error *err = kt_case_notes(c, NULL, &l);

	if (err || (err = kt_case_verdicts(c, &v))) {
		if (!err)
			kt_note_list_deinit(&l);
		return kt_cmd_fail(ctx, "case", err);
	}
	if (ctx->json) {
		cJSON *doc = cJSON_CreateObject();

		cJSON_AddStringToObject(doc, "command", "case");
		kt_json_add_raw(doc, "path", kt_case_path(c),
				strlen(kt_case_path(c)));
		cJSON_AddBoolToObject(doc, "read_only", kt_case_read_only(c));
		cJSON_AddNumberToObject(doc, "notes", l.n);
		cJSON_AddNumberToObject(doc, "verdicts", v.n);
		kt_json_print(ctx, doc);
	} else {
		fputs("case ", ctx->out);
		kt_out_raw(ctx->out, kt_case_path(c), strlen(kt_case_path(c)),
			   false);
		fprintf(ctx->out, "%s: %zu notes, %zu verdicts\n",
			kt_case_read_only(c) ? " (read-only)" : "", l.n, v.n);
	}
	kt_note_list_deinit(&l);
	kt_verdict_list_deinit(&v);
	return 0;
}

/*
 * case push [URL] / case pull [URL]: this case into the server's, or the
 * server's into this one; the URL defaults to $KTRIAGE_CASE_URL.
 */
static int push_pull(struct kt_cmd_ctx *ctx, struct kt_case *c,
		     const char *sub, const char *url)
{
	struct kt_merge_stats st;
	struct kt_error *err;

	if (!url || !*url)
		return kt_cmd_fail(ctx, "case", kt_error_create(KT_ERR_INVALID,
			"case %s: which server? Give its URL (case %s "
			"postgresql://...) or set KTRIAGE_CASE_URL", sub, sub));
	if (!kt_case_is_url(url))
		return kt_cmd_fail(ctx, "case", kt_error_create(KT_ERR_INVALID,
			"case %s: '%.200s' is not a PostgreSQL URL (postgresql:"
			"//...); `case merge FILE` merges a case file", sub,
			url));
	err = !strcmp(sub, "push") ? kt_case_push(c, url, &st) :
	      kt_case_merge(c, url, &st);
	if (err)
		return kt_cmd_fail(ctx, "case", err);
	print_stats(ctx, !strcmp(sub, "push") ? "case push" : "case pull", &st);
	kt_merge_stats_deinit(&st);
	return 0;
}

static bool known(const char *sub, int argc)
{
	static const char *const one[] = { "merge", "import" };
	static const char *const opt[] = { "export", "push", "pull" };

	for (size_t i = 0; i < 2; i++)
		if (!strcmp(sub, one[i]))
			return argc == 3;
	for (size_t i = 0; i < 3; i++)
		if (!strcmp(sub, opt[i]))
			return argc <= 3;
	return argc == 1;
}

int kt_cmd_case_cmd(struct kt_cmd_ctx *ctx, int argc, char **argv)
{
	static const char use[] = "case [merge OTHER.ktriage | export [FILE] | "
				  "import FILE | push [URL] | pull [URL]]";
	const char *sub = argc > 1 ? argv[1] : "";
	struct kt_merge_stats st;
	struct kt_case *c;
	struct kt_error *err;
	char *text;
	int ret;

	if (argc > 3 || !known(sub, argc))
		return kt_cmd_usage(ctx, "case", use);
	err = kt_cmd_case(ctx, &c);
	if (err)
		return kt_cmd_fail(ctx, "case", err);
	if (argc == 1)
		return case_info(ctx, c);
	if (!strcmp(sub, "push") || !strcmp(sub, "pull"))
		return push_pull(ctx, c, sub, argc == 3 ? argv[2] :
				 getenv("KTRIAGE_CASE_URL"));
	if (!strcmp(sub, "merge") || !strcmp(sub, "import")) {
		if (!strcmp(sub, "merge")) {
			err = kt_case_merge(c, argv[2], &st);
		} else {
			text = slurp(argv[2], &err);
			if (text)
				err = kt_case_import(c, text, &st);
			free(text);
		}
		if (err)
			return kt_cmd_fail(ctx, "case", err);
		print_stats(ctx, !strcmp(sub, "merge") ? "case merge" :
			    "case import", &st);
		kt_merge_stats_deinit(&st);
		return 0;
	}
	err = kt_case_export(c, &text);
	if (err)
		return kt_cmd_fail(ctx, "case", err);
	ret = write_file(ctx, argc == 3 ? argv[2] : "-", text);
	free(text);
	return ret;
}
