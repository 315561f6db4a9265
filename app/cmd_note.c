// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * note and verdict: the team's conclusions, kept in the case database
 * (db/case.h), which is opened on first need: `sys` alone creates nothing.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "app/commands.h"
#include "db/case.h"
#include "db/store.h"

struct kt_error *kt_cmd_case(struct kt_cmd_ctx *ctx, struct kt_case **ret)
{
	const char *where = ctx->case_path, *url = getenv("KTRIAGE_CASE_URL");
	struct kt_case_identity id;
	struct kt_error *err;
	char *path = NULL;

	if (ctx->kase) {
		*ret = ctx->kase;
		return NULL;
	}
	err = kt_case_identity(ctx->prog, &id);
	// --case, then --store, then the team's server, then the file beside
	// the dump.
	if (!err && !where && ctx->store_dir) {
		struct kt_store *s;

		err = kt_cmd_store(ctx, &s);
		if (!err)
			err = kt_store_case_path(s, id.dump_id, &path);
	} else if (!where && url && *url) {
		where = url;
	} else if (!err && !where) {
		err = kt_case_default_path(ctx->dump_path, &id, &path);
	}
	if (!err)
		err = kt_case_open(where ? where : path, &id,
				   ctx->force ? KT_CASE_FORCE : KT_CASE_WRITE,
				   &ctx->kase);
	free(path);
	if (err)
		return err;
	if (!ctx->author)
		ctx->author = kt_case_author(NULL);
	*ret = ctx->kase;
	return ctx->author ? NULL : &kt_error_nomem;
}

/* The words from @i on, joined by blanks: a note's text. */
static char *join(int argc, char **argv, int i)
{
	size_t len = 1;
	char *s;

	for (int k = i; k < argc; k++)
		len += strlen(argv[k]) + 1;
	s = calloc(1, len);
	for (int k = i; s && k < argc; k++) {
		if (k > i)
			strcat(s, " ");
		strcat(s, argv[k]);
	}
	return s;
}

static void print_text(struct kt_cmd_ctx *ctx, const char *text)
{
	const char *p = text, *nl;

	// Each line indented; every byte sanitised (a colleague's case is
	// untrusted: escapes must stay inert).
	do {
		nl = strchr(p, '\n');
		fputs("    ", ctx->out);
		kt_out_raw(ctx->out, p, nl ? (size_t)(nl - p) : strlen(p),
			   false);
		fputc('\n', ctx->out);
		p = nl ? nl + 1 : NULL;
	} while (p && *p);
}

static void print_note(struct kt_cmd_ctx *ctx, const struct kt_note *n)
{
	const struct kt_note_rev *cur = &n->revs[n->current];

	// Ids and times too: a case file may hold anything in any column.
	fputs("note ", ctx->out);
	kt_out_raw(ctx->out, n->uuid, 8, false);
	fputs(" on ", ctx->out);
	kt_out_raw(ctx->out, n->target, strlen(n->target), false);
	fputs(" by ", ctx->out);
	kt_out_raw(ctx->out, n->author, strlen(n->author), false);
	fputs(" at ", ctx->out);
	kt_out_raw(ctx->out, n->created, sizeof(n->created), false);
	if (n->nrevs > 1) {
		fprintf(ctx->out, " (%zu revisions, last by ", n->nrevs);
		kt_out_raw(ctx->out, cur->author, strlen(cur->author), false);
		fputs(" at ", ctx->out);
		kt_out_raw(ctx->out, cur->at, sizeof(cur->at), false);
		fputc(')', ctx->out);
	}
	fputc('\n', ctx->out);
	print_text(ctx, cur->text);
	if (n->heads < 2)
		return;
	fprintf(ctx->out, "  %zu concurrent edits, all kept; the others:\n",
		n->heads);
	for (size_t i = 0; i < n->nrevs; i++) {
		bool head = true;

		for (size_t j = 0; j < n->nrevs && head; j++)
			head = strcmp(n->revs[j].parent, n->revs[i].uuid);
		if (!head || i == n->current)
			continue;
		fputs("  by ", ctx->out);
		kt_out_raw(ctx->out, n->revs[i].author,
			   strlen(n->revs[i].author), false);
		fputs(" at ", ctx->out);
		kt_out_raw(ctx->out, n->revs[i].at, sizeof(n->revs[i].at),
			   false);
		fputs(":\n", ctx->out);
		print_text(ctx, n->revs[i].text);
	}
}

cJSON *kt_note_json(const struct kt_note *n)
{
	cJSON *o = kt_case_note_json(n);

	// For a reader: the text in force, and how many edits compete.
	kt_json_add_raw(o, "text", n->revs[n->current].text,
			strlen(n->revs[n->current].text));
	cJSON_AddNumberToObject(o, "heads", n->heads);
	return o;
}

static int note_list(struct kt_cmd_ctx *ctx, struct kt_case *c,
		     const char *on)
{
	struct kt_note_list l;
	struct kt_error *err = kt_case_notes(c, on, &l);
	cJSON *doc, *arr;

	if (err)
		return kt_cmd_fail(ctx, "note", err);
	if (ctx->json) {
		doc = cJSON_CreateObject();
		cJSON_AddStringToObject(doc, "command", "note list");
		arr = cJSON_AddArrayToObject(doc, "notes");
		for (size_t i = 0; arr && i < l.n; i++)
			cJSON_AddItemToArray(arr, kt_note_json(&l.v[i]));
		kt_note_list_deinit(&l);
		return kt_json_print(ctx, doc);
	}
	for (size_t i = 0; i < l.n; i++)
		print_note(ctx, &l.v[i]);
	if (!l.n)
		fprintf(ctx->out, "no notes%s\n", on ? " on that target" : "");
	kt_note_list_deinit(&l);
	return 0;
}

int kt_cmd_note(struct kt_cmd_ctx *ctx, int argc, char **argv)
{
	static const char use[] = "note add [--on TARGET] TEXT | note edit ID "
				  "TEXT | note list [--on TARGET]";
	const char *on = NULL, *sub = argc > 1 ? argv[1] : "";
	char uuid[37], *text;
	struct kt_case *c;
	struct kt_error *err;
	int i = 2;

	if (argc > 3 && !strcmp(argv[2], "--on")) {
		on = argv[3];
		i = 4;
	}
	if (strcmp(sub, "add") && strcmp(sub, "edit") && strcmp(sub, "list"))
		return kt_cmd_usage(ctx, "note", use);
	if ((!strcmp(sub, "list") && i != argc) ||
	    (!strcmp(sub, "edit") && (on || argc < 4)) ||
	    (!strcmp(sub, "add") && i >= argc))
		return kt_cmd_usage(ctx, "note", use);
	err = kt_cmd_case(ctx, &c);
	if (err)
		return kt_cmd_fail(ctx, "note", err);
	if (!strcmp(sub, "list"))
		return note_list(ctx, c, on);
	text = join(argc, argv, !strcmp(sub, "edit") ? 3 : i);
	if (!text)
		return kt_cmd_fail(ctx, "note", &kt_error_nomem);
	if (!strcmp(sub, "add")) {
		err = kt_case_note_add(c, on ? on : "case", ctx->author, text,
				       uuid);
	} else {
		err = kt_case_note_edit(c, argv[2], ctx->author, text);
		snprintf(uuid, sizeof(uuid), "%s", argv[2]);
	}
	free(text);
	if (err)
		return kt_cmd_fail(ctx, "note", err);
	if (ctx->json) {
		cJSON *doc = cJSON_CreateObject();

		cJSON_AddStringToObject(doc, "command", !strcmp(sub, "add") ?
					"note add" : "note edit");
		cJSON_AddStringToObject(doc, "uuid", uuid);
		kt_json_add_raw(doc, "case", kt_case_path(c),
				strlen(kt_case_path(c)));
		return kt_json_print(ctx, doc);
	}
	fputs("note ", ctx->out);
	kt_out_raw(ctx->out, uuid, strlen(uuid), false);
	fprintf(ctx->out, " %s in ", !strcmp(sub, "add") ? "added" : "edited");
	kt_out_raw(ctx->out, kt_case_path(c), strlen(kt_case_path(c)), false);
	fputc('\n', ctx->out);
	return 0;
}

static int verdict_list(struct kt_cmd_ctx *ctx, struct kt_case *c)
{
	struct kt_verdict_list l;
	struct kt_error *err = kt_case_verdicts(c, &l);
	cJSON *doc, *arr;

	if (err)
		return kt_cmd_fail(ctx, "verdict", err);
	doc = ctx->json ? cJSON_CreateObject() : NULL;
	arr = doc ? cJSON_AddArrayToObject(doc, "verdicts") : NULL;
	for (size_t i = 0; i < l.n; i++) {
		const struct kt_verdict *v = &l.v[i];

		if (arr) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddStringToObject(o, "uuid", v->uuid);
			kt_json_add_raw(o, "target", v->target,
					strlen(v->target));
			kt_json_add_raw(o, "kind", v->kind, strlen(v->kind));
			kt_json_add_raw(o, "text", v->text, strlen(v->text));
			kt_json_add_raw(o, "author", v->author,
					strlen(v->author));
			cJSON_AddStringToObject(o, "at", v->at);
			cJSON_AddItemToArray(arr, o);
			continue;
		}
		kt_out_raw(ctx->out, v->kind, strlen(v->kind), false);
		fputs(" on ", ctx->out);
		kt_out_raw(ctx->out, v->target, strlen(v->target), false);
		fputs(" by ", ctx->out);
		kt_out_raw(ctx->out, v->author, strlen(v->author), false);
		fputs(" at ", ctx->out);
		kt_out_raw(ctx->out, v->at, sizeof(v->at), false);
		fputc('\n', ctx->out);
		print_text(ctx, v->text);
	}
	if (!doc && !l.n)
		fprintf(ctx->out, "no verdicts\n");
	kt_verdict_list_deinit(&l);
	if (doc) {
		cJSON_AddStringToObject(doc, "command", "verdict list");
		return kt_json_print(ctx, doc);
	}
	return 0;
}

int kt_cmd_verdict(struct kt_cmd_ctx *ctx, int argc, char **argv)
{
	static const char use[] = "verdict set [--on FINDING] KIND TEXT | "
				  "verdict list  (KIND: root-cause, "
				  "contributing, suspect, ruled-out, needs-info)";
	char target[512], *text;
	const char *on = NULL;
	struct kt_case *c;
	struct kt_error *err;
	int i = 2;

	if (argc == 2 && !strcmp(argv[1], "list")) {
		err = kt_cmd_case(ctx, &c);
		return err ? kt_cmd_fail(ctx, "verdict", err) :
			     verdict_list(ctx, c);
	}
	if (argc < 2 || strcmp(argv[1], "set"))
		return kt_cmd_usage(ctx, "verdict", use);
	if (argc > 3 && !strcmp(argv[2], "--on")) {
		on = argv[3];
		i = 4;
	}
	if (argc < i + 2)
		return kt_cmd_usage(ctx, "verdict", use);
	// A finding's own id ("hctx_fq:0x...") is accepted as its target.
	snprintf(target, sizeof(target), "%s%s", on && strcmp(on, "case") &&
		 strncmp(on, "finding:", 8) ? "finding:" : "",
		 on ? on : "case");
	err = kt_cmd_case(ctx, &c);
	if (err)
		return kt_cmd_fail(ctx, "verdict", err);
	text = join(argc, argv, i + 1);
	if (!text)
		return kt_cmd_fail(ctx, "verdict", &kt_error_nomem);
	err = kt_case_verdict_set(c, target, argv[i], ctx->author, text);
	free(text);
	if (err)
		return kt_cmd_fail(ctx, "verdict", err);
	if (!ctx->json) {
		fprintf(ctx->out, "verdict %s on ", argv[i]);
		kt_out_raw(ctx->out, target, strlen(target), false);
		fputs(" recorded\n", ctx->out);
		return 0;
	}
	cJSON *doc = cJSON_CreateObject();

	cJSON_AddStringToObject(doc, "command", "verdict set");
	kt_json_add_raw(doc, "target", target, strlen(target));
	kt_json_add_raw(doc, "kind", argv[i], strlen(argv[i]));
	return kt_json_print(ctx, doc);
}

static int tag_list(struct kt_cmd_ctx *ctx, struct kt_case *c,
		    const char *tag, const char *prefix)
{
	struct kt_tag_list l;
	struct kt_error *err = kt_case_tags(c, tag, &l);
	cJSON *doc = NULL, *arr = NULL;
	size_t shown = 0;

	if (err)
		return kt_cmd_fail(ctx, "tag", err);
	if (ctx->json) {
		doc = cJSON_CreateObject();
		cJSON_AddStringToObject(doc, "command", "tag list");
		arr = cJSON_AddArrayToObject(doc, "tags");
	}
	for (size_t i = 0; i < l.n; i++) {
		const struct kt_tag *t = &l.v[i];

		if (prefix && strncmp(t->tag, prefix, strlen(prefix)))
			continue;
		shown++;
		if (arr) {
			cJSON *o = cJSON_CreateObject();

			kt_json_add_raw(o, "tag", t->tag, strlen(t->tag));
			kt_json_add_raw(o, "target", t->target,
					strlen(t->target));
			kt_json_add_raw(o, "author", t->author,
					strlen(t->author));
			cJSON_AddStringToObject(o, "at", t->at);
			cJSON_AddItemToArray(arr, o);
			continue;
		}
		kt_out_raw(ctx->out, t->tag, strlen(t->tag), false);
		fputs("  ", ctx->out);
		kt_out_raw(ctx->out, t->target, strlen(t->target), false);
		fputs("  by ", ctx->out);
		kt_out_raw(ctx->out, t->author, strlen(t->author), false);
		fputs(" at ", ctx->out);
		kt_out_raw(ctx->out, t->at, strlen(t->at), false);
		fputc('\n', ctx->out);
	}
	kt_tag_list_deinit(&l);
	if (doc)
		return kt_json_print(ctx, doc);
	if (!shown)
		fprintf(ctx->out, "no %s\n", prefix ? "bookmarks" : "tags");
	return 0;
}

static int tag_add(struct kt_cmd_ctx *ctx, struct kt_case *c,
		   const char *target, char **tags, int n)
{
	for (int i = 0; i < n; i++) {
		struct kt_error *err = kt_case_tag_add(c, target, tags[i],
						       ctx->author);

		if (err)
			return kt_cmd_fail(ctx, "tag", err);
	}
	if (!ctx->json) {
		fprintf(ctx->out, "%d tag%s on ", n, n == 1 ? "" : "s");
		kt_out_raw(ctx->out, target, strlen(target), false);
		fputc('\n', ctx->out);
		return 0;
	}
	cJSON *doc = cJSON_CreateObject();

	cJSON_AddStringToObject(doc, "command", "tag add");
	kt_json_add_raw(doc, "target", target, strlen(target));
	cJSON_AddNumberToObject(doc, "tags", n);
	return kt_json_print(ctx, doc);
}

int kt_cmd_tag(struct kt_cmd_ctx *ctx, int argc, char **argv)
{
	static const char use[] = "tag add [--on TARGET] TAG... | tag list [TAG]";
	const char *on = "case";
	struct kt_case *c;
	struct kt_error *err;
	int i = 2;

	if (argc < 2 || (strcmp(argv[1], "add") && strcmp(argv[1], "list")))
		return kt_cmd_usage(ctx, "tag", use);
	if (!strcmp(argv[1], "add") && argc > 3 && !strcmp(argv[2], "--on")) {
		on = argv[3];
		i = 4;
	}
	if ((!strcmp(argv[1], "add") && i >= argc) ||
	    (!strcmp(argv[1], "list") && argc > 3))
		return kt_cmd_usage(ctx, "tag", use);
	err = kt_cmd_case(ctx, &c);
	if (err)
		return kt_cmd_fail(ctx, "tag", err);
	if (!strcmp(argv[1], "list"))
		return tag_list(ctx, c, argc == 3 ? argv[2] : NULL, NULL);
	return tag_add(ctx, c, on, argv + i, argc - i);
}

int kt_cmd_bookmark(struct kt_cmd_ctx *ctx, int argc, char **argv)
{
	static const char use[] = "bookmark [--on TARGET] [NAME] | bookmark list";
	const char *on = "case";
	char tag[128], *tags[1] = { tag };
	struct kt_case *c;
	struct kt_error *err;
	int i = 1;

	if (argc > 2 && !strcmp(argv[1], "--on")) {
		on = argv[2];
		i = 3;
	}
	if (argc > i + 1)
		return kt_cmd_usage(ctx, "bookmark", use);
	err = kt_cmd_case(ctx, &c);
	if (err)
		return kt_cmd_fail(ctx, "bookmark", err);
	if (argc == 2 && !strcmp(argv[1], "list"))
		return tag_list(ctx, c, NULL, "bookmark");
	snprintf(tag, sizeof(tag), "bookmark%s%.100s", argc > i ? ":" : "",
		 argc > i ? argv[i] : "");
	return tag_add(ctx, c, on, tags, 1);
}
