// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sharing a case: merge a colleague's case file, export and import JSON.
 *
 * Everything in a case is immutable and named by a UUID (a note, each of
 * its revisions, each verdict; a tag by target and name), so a merge is a
 * set union: idempotent and commutative. Two rows with one UUID and
 * different content cannot come from ktriage; ours is kept and the
 * conflict reported. Whatever comes in is validated first, and the whole
 * merge is one transaction: a bad input writes nothing.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "db/content.h"

void kt_case_content_deinit(struct kt_case_content *c)
{
	kt_note_list_deinit(&c->notes);
	kt_verdict_list_deinit(&c->verdicts);
	for (size_t i = 0; i < c->ntags; i++) {
		free(c->tags[i].target);
		free(c->tags[i].tag);
		free(c->tags[i].author);
		free(c->tags[i].at);
	}
	free(c->tags);
	memset(c, 0, sizeof(*c));
}

static void say(struct kt_merge_stats *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(struct kt_merge_stats *st, const char *fmt, ...)
{
	size_t len = st->report ? strlen(st->report) : 0;
	char *line, *all;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) < 0)
		line = NULL;
	va_end(ap);
	if (!line)
		return;
	all = realloc(st->report, len + strlen(line) + 2);
	if (all) {
		st->report = all;
		sprintf(all + len, "%s\n", line);
	}
	free(line);
}

void kt_merge_stats_deinit(struct kt_merge_stats *s)
{
	free(s->report);
	memset(s, 0, sizeof(*s));
}

static bool uuid_ok(const char *u)
{
	if (strlen(u) != 36)
		return false;
	for (int i = 0; i < 36; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23 ?
		    u[i] != '-' : !strchr("0123456789abcdef", u[i]))
			return false;
	return true;
}

/* Refuse input ktriage could not have written. */
static struct kt_error *validate(const struct kt_case_content *in, const char *from)
{
	char why[512];

	for (size_t i = 0; i < in->notes.n; i++) {
		const struct kt_note *n = &in->notes.v[i];

		if (!uuid_ok(n->uuid))
			return kt_error_create(KT_ERR_FORMAT, "%s: a note id "
				"is not a UUID: nothing merged", from);
		if (!kt_case_target_check(n->target, why, sizeof(why)))
			return kt_error_create(KT_ERR_FORMAT, "%s: note %s: %s:"
				" nothing merged", from, n->uuid, why);
		for (size_t j = 0; j < n->nrevs; j++) {
			const struct kt_note_rev *r = &n->revs[j];

			if (!uuid_ok(r->uuid) ||
			    (r->parent[0] && !uuid_ok(r->parent)) ||
			    !kt_case_text_ok(r->text) ||
			    !kt_case_text_ok(r->author))
				return kt_error_create(KT_ERR_FORMAT, "%s: note"
					" %s: a revision has a bad id or text "
					"(control characters, not UTF-8): "
					"nothing merged", from, n->uuid);
		}
	}
	for (size_t i = 0; i < in->ntags; i++)
		if (!kt_case_target_check(in->tags[i].target, why, sizeof(why)) ||
		    !kt_case_text_ok(in->tags[i].tag) ||
		    strlen(in->tags[i].tag) > 100 ||
		    strcspn(in->tags[i].tag, " \t\n") != strlen(in->tags[i].tag) ||
		    !kt_case_text_ok(in->tags[i].author))
			return kt_error_create(KT_ERR_FORMAT, "%s: a tag is "
				"malformed: nothing merged", from);
	for (size_t i = 0; i < in->verdicts.n; i++)
		if (!uuid_ok(in->verdicts.v[i].uuid) ||
		    !kt_case_verdict_kind_check(in->verdicts.v[i].kind) ||
		    !kt_case_text_ok(in->verdicts.v[i].text) ||
		    !kt_case_text_ok(in->verdicts.v[i].target) ||
		    (strcmp(in->verdicts.v[i].target, "case") &&
		     strncmp(in->verdicts.v[i].target, "finding:", 8)) ||
		    !kt_case_text_ok(in->verdicts.v[i].author))
			return kt_error_create(KT_ERR_FORMAT, "%s: a verdict "
				"is malformed: nothing merged", from);
	return NULL;
}

/* ---- reading a source ---- */

/* Tags by (target, tag), byte order: the order of an export. */
static int cmp_tag(const void *a, const void *b)
{
	const struct kt_case_tag *x = a, *y = b;
	int r = strcmp(x->target, y->target);

	return r ? r : strcmp(x->tag, y->tag);
}

static struct kt_error *load_tags(struct kt_case *c, struct kt_case_content *out)
{
	struct kt_tag_list l;
	struct kt_error *err = kt_case_tags(c, NULL, &l);

	if (err)
		return err;
	out->tags = calloc(l.n + 1, sizeof(*out->tags));
	if (!out->tags)
		err = &kt_error_nomem;
	for (size_t i = 0; !err && i < l.n; i++) {
		struct kt_case_tag *t = &out->tags[out->ntags++];

		t->target = l.v[i].target;
		t->tag = l.v[i].tag;
		t->author = l.v[i].author;
		l.v[i].target = l.v[i].tag = l.v[i].author = NULL;
		t->at = strdup(l.v[i].at);
		if (!t->at)
			err = &kt_error_nomem;
	}
	kt_tag_list_deinit(&l);
	if (!err && out->ntags > 1)
		qsort(out->tags, out->ntags, sizeof(*out->tags), cmp_tag);
	return err;
}

struct kt_error *kt_case_content_load(struct kt_case *c,
				      struct kt_case_content *out)
{
	struct kt_error *err = kt_case_notes(c, NULL, &out->notes);

	if (!err)
		err = kt_case_verdicts(c, &out->verdicts);
	if (!err)
		err = load_tags(c, out);
	return err;
}

/* ---- applying it ---- */

static struct kt_error *put(struct kt_case *c, enum kt_case_row row,
			    const char *const *v, int *ret)
{
	return c->ops->put(c, row, v, ret);
}

static struct kt_error *merge_note(struct kt_case *c, const struct kt_note *n,
				   struct kt_merge_stats *st, size_t *added)
{
	const char *ins[] = { n->uuid, n->target, n->author, n->created };
	int r;
	struct kt_error *err = put(c, KT_ROW_NOTE, ins, &r);

	if (err)
		return err;
	if (r < 0) {
		st->conflicts++;
		say(st, "note %s differs in the other case: ours kept",
		    n->uuid);
		return NULL;
	}
	st->notes_added += r > 0;
	for (size_t i = 0; !err && i < n->nrevs; i++) {
		const struct kt_note_rev *v = &n->revs[i];
		const char *rv[] = { v->uuid, n->uuid, v->parent[0] ?
				     v->parent : NULL, v->author, v->at,
				     v->text };

		err = put(c, KT_ROW_REVISION, rv, &r);
		if (err)
			break;
		if (r < 0) {
			st->conflicts++;
			say(st, "revision %s of note %.8s differs in the other "
			    "case: ours kept", v->uuid, n->uuid);
		} else if (r > 0) {
			st->revisions_added++;
			(*added)++;
		}
	}
	return err;
}

static struct kt_error *merge_rest(struct kt_case *c, const struct kt_case_content *in,
				   struct kt_merge_stats *st)
{
	struct kt_error *err = NULL;

	for (size_t i = 0; !err && i < in->verdicts.n; i++) {
		const struct kt_verdict *v = &in->verdicts.v[i];
		const char *ins[] = { v->uuid, v->target, v->kind, v->text,
				      v->author, v->at };
		int r;

		err = put(c, KT_ROW_VERDICT, ins, &r);
		if (err)
			break;
		if (r < 0) {
			st->conflicts++;
			say(st, "verdict %s differs in the other case: ours "
			    "kept", v->uuid);
		} else if (r > 0) {
			st->verdicts_added++;
		}
	}
	for (size_t i = 0; !err && i < in->ntags; i++) {
		const struct kt_case_tag *t = &in->tags[i];
		const char *ins[] = { t->target, t->tag, t->author, t->at };
		int r = 0;

		err = put(c, KT_ROW_TAG, ins, &r);
		st->tags_added += r > 0;
	}
	return err;
}

/* A note that got revisions: has it several heads now (concurrent edits)? */
static struct kt_error *check_concurrent(struct kt_case *c, const char *uuid,
					 struct kt_merge_stats *st)
{
	struct kt_note_list l;
	struct kt_error *err = kt_case_notes_of(c, NULL, uuid, &l);

	if (err)
		return err;
	if (l.v[0].heads > 1) {
		st->concurrent++;
		say(st, "note %.8s on %.100s: %zu concurrent edits, kept as "
		    "revisions (newest shown)", l.v[0].uuid, l.v[0].target,
		    l.v[0].heads);
	}
	kt_note_list_deinit(&l);
	return NULL;
}

struct kt_error *kt_case_content_apply(struct kt_case *c,
				       const struct kt_case_content *in,
				       const char *from,
				       struct kt_merge_stats *st)
{
	struct kt_error *err = validate(in, from);

	memset(st, 0, sizeof(*st));
	if (err)
		return err;
	if (c->read_only)
		return kt_error_create(KT_ERR_INVALID, "%s%s%s: nothing merged",
				       c->read_only_why ? "" : "case ",
				       c->read_only_why ? c->read_only_why :
				       c->path, c->read_only_why ? "" :
				       " is open read-only");
	err = kt_case_begin(c);
	if (err)
		return err;
	for (size_t i = 0; !err && i < in->notes.n; i++) {
		size_t added = 0;

		err = merge_note(c, &in->notes.v[i], st, &added);
		if (!err && added)
			err = check_concurrent(c, in->notes.v[i].uuid, st);
	}
	if (!err)
		err = merge_rest(c, in, st);
	err = kt_case_end(c, err);
	if (err)
		kt_merge_stats_deinit(st);
	return err;
}

struct kt_error *kt_case_merge(struct kt_case *c, const char *other,
			       struct kt_merge_stats *ret)
{
	struct kt_case_identity id;
	struct kt_case_content in = { 0 };
	struct kt_case *theirs;
	struct kt_error *err;

	memset(ret, 0, sizeof(*ret));
	kt_case_meta_identity(c, &id);
	err = kt_case_open(other, &id, KT_CASE_READ_ONLY, &theirs);
	if (err)
		return kt_error_wrap(err, "merging %s", kt_case_is_url(other) ?
				     "from the server" : other);
	err = kt_case_content_load(theirs, &in);
	if (!err)
		err = kt_case_content_apply(c, &in, other, ret);
	// Read through ktriage's tables only, with triggers and views off:
	// what else it holds did not run, and is not copied.
	if (!err && theirs->foreign)
		say(ret, "not copied from the other case (ktriage never puts "
		    "it in a case): %s", theirs->foreign);
	kt_case_close(theirs);
	kt_case_content_deinit(&in);
	return err;
}

struct kt_error *kt_case_push(struct kt_case *c, const char *other,
			      struct kt_merge_stats *ret)
{
	struct kt_case_content in = { 0 };
	struct kt_case *theirs;
	struct kt_error *err;

	memset(ret, 0, sizeof(*ret));
	err = kt_case_open(other, &c->id, KT_CASE_WRITE, &theirs);
	if (err)
		return kt_error_wrap(err, "case push");
	err = kt_case_content_load(c, &in);
	if (!err)
		err = kt_case_content_apply(theirs, &in, kt_case_path(c), ret);
	if (err)
		err = kt_error_wrap(err, "pushing to %s", kt_case_path(theirs));
	kt_case_close(theirs);
	kt_case_content_deinit(&in);
	return err;
}
