// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A case as JSON ("ktriage-case" version 1, docs/case-format.md): the
 * identity, then notes with every revision, verdicts and tags, each list
 * sorted by UUID (revisions parent first, then by time), so two exports
 * of one case are byte-identical and diffs show only what changed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/sanitize.h"
#include "db/case_private.h"
#include "db/content.h"

#define FORMAT "ktriage-case"
#define FORMAT_VERSION 1

static int cmp_note(const void *a, const void *b)
{
	return strcmp(((const struct kt_note *)a)->uuid,
		      ((const struct kt_note *)b)->uuid);
}

static int cmp_verdict(const void *a, const void *b)
{
	return strcmp(((const struct kt_verdict *)a)->uuid,
		      ((const struct kt_verdict *)b)->uuid);
}

/*
 * A string member through the sanitiser: what ktriage writes is clean
 * already (kt_case_text_ok), so this changes only a hostile case's text,
 * every member of it (ids and times too): the export stays valid JSON
 * that prints inert.
 */
static void add_text(cJSON *o, const char *key, const char *text)
{
	size_t len = strlen(text), size = KT_SANITIZED_SIZE(len);
	char *clean = malloc(size);

	if (!clean)
		return;
	kt_sanitize(text, len, clean, size, true);
	cJSON_AddStringToObject(o, key, clean);
	free(clean);
}

cJSON *kt_case_note_json(const struct kt_note *n)
{
	cJSON *o = cJSON_CreateObject(), *revs;

	add_text(o, "uuid", n->uuid);
	add_text(o, "target", n->target);
	add_text(o, "author", n->author);
	add_text(o, "created", n->created);
	revs = cJSON_AddArrayToObject(o, "revisions");
	for (size_t i = 0; revs && i < n->nrevs; i++) {
		const struct kt_note_rev *r = &n->revs[i];
		cJSON *j = cJSON_CreateObject();

		add_text(j, "uuid", r->uuid);
		if (r->parent[0])
			add_text(j, "parent", r->parent);
		else
			cJSON_AddNullToObject(j, "parent");
		add_text(j, "author", r->author);
		add_text(j, "at", r->at);
		add_text(j, "text", r->text);
		cJSON_AddItemToArray(revs, j);
	}
	return o;
}

struct kt_error *kt_case_export(struct kt_case *c, char **ret)
{
	struct kt_case_identity id;
	struct kt_case_content in = { 0 };
	struct kt_error *err = kt_case_content_load(c, &in);
	cJSON *doc, *arr;

	if (err)
		return err;
	kt_case_meta_identity(c, &id);
	if (in.notes.n > 1)
		qsort(in.notes.v, in.notes.n, sizeof(*in.notes.v), cmp_note);
	if (in.verdicts.n > 1)
		qsort(in.verdicts.v, in.verdicts.n, sizeof(*in.verdicts.v),
		      cmp_verdict);
	doc = cJSON_CreateObject();
	add_text(doc, "format", FORMAT);
	cJSON_AddNumberToObject(doc, "version", FORMAT_VERSION);
	add_text(doc, "dump_id", id.dump_id);
	add_text(doc, "release", id.release);
	add_text(doc, "build_id", id.build_id);
	cJSON_AddNumberToObject(doc, "crash_time", (double)id.crash_time);
	arr = cJSON_AddArrayToObject(doc, "notes");
	for (size_t i = 0; arr && i < in.notes.n; i++)
		cJSON_AddItemToArray(arr, kt_case_note_json(&in.notes.v[i]));
	arr = cJSON_AddArrayToObject(doc, "verdicts");
	for (size_t i = 0; arr && i < in.verdicts.n; i++) {
		const struct kt_verdict *v = &in.verdicts.v[i];
		cJSON *o = cJSON_CreateObject();

		add_text(o, "uuid", v->uuid);
		add_text(o, "target", v->target);
		add_text(o, "kind", v->kind);
		add_text(o, "text", v->text);
		add_text(o, "author", v->author);
		add_text(o, "at", v->at);
		cJSON_AddItemToArray(arr, o);
	}
	arr = cJSON_AddArrayToObject(doc, "tags");
	for (size_t i = 0; arr && i < in.ntags; i++) {
		cJSON *o = cJSON_CreateObject();

		add_text(o, "target", in.tags[i].target);
		add_text(o, "tag", in.tags[i].tag);
		add_text(o, "author", in.tags[i].author);
		add_text(o, "at", in.tags[i].at);
		cJSON_AddItemToArray(arr, o);
	}
	kt_case_content_deinit(&in);
	*ret = doc ? cJSON_Print(doc) : NULL;
	cJSON_Delete(doc);
	return *ret ? NULL : &kt_error_nomem;
}

/* ---- import ---- */

/* The string member @key of @o, at most @max bytes; NULL if not one. */
static const char *str(const cJSON *o, const char *key, size_t max)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(o, key));

	return s && strlen(s) <= max ? s : NULL;
}

#define NAME_MAX_LEN 127
#define TEXT_MAX_LEN (64 * 1024)

static bool copy_to(char *dst, size_t len, const char *src)
{
	if (!src)
		return false;
	snprintf(dst, len, "%s", src);
	return true;
}

static bool parse_rev(const cJSON *j, struct kt_note_rev *r)
{
	const cJSON *parent = cJSON_GetObjectItem(j, "parent");
	const char *text = str(j, "text", TEXT_MAX_LEN);

	memset(r, 0, sizeof(*r));
	if (!copy_to(r->uuid, sizeof(r->uuid), str(j, "uuid", 36)) ||
	    !copy_to(r->author, sizeof(r->author), str(j, "author",
						       NAME_MAX_LEN)) ||
	    !copy_to(r->at, sizeof(r->at), str(j, "at", 31)) || !text)
		return false;
	if (parent && !cJSON_IsNull(parent) &&
	    !copy_to(r->parent, sizeof(r->parent), str(j, "parent", 36)))
		return false;
	r->text = strdup(text);
	return r->text;
}

static bool parse_note(const cJSON *j, struct kt_note *n)
{
	const cJSON *revs = cJSON_GetObjectItem(j, "revisions"), *r;
	const char *target = str(j, "target", 500);

	memset(n, 0, sizeof(*n));
	if (!target || !cJSON_IsArray(revs) || !cJSON_GetArraySize(revs) ||
	    !copy_to(n->uuid, sizeof(n->uuid), str(j, "uuid", 36)) ||
	    !copy_to(n->author, sizeof(n->author), str(j, "author",
						       NAME_MAX_LEN)) ||
	    !copy_to(n->created, sizeof(n->created), str(j, "created", 31)))
		return false;
	n->target = strdup(target);
	n->revs = calloc(cJSON_GetArraySize(revs), sizeof(*n->revs));
	if (!n->target || !n->revs)
		return false;
	cJSON_ArrayForEach(r, revs) {
		if (!parse_rev(r, &n->revs[n->nrevs]))
			return false;
		n->nrevs++;
	}
	return true;
}

static bool parse_verdict(const cJSON *j, struct kt_verdict *v)
{
	const char *target = str(j, "target", 500);
	const char *text = str(j, "text", TEXT_MAX_LEN);

	memset(v, 0, sizeof(*v));
	if (!target || !text ||
	    !copy_to(v->uuid, sizeof(v->uuid), str(j, "uuid", 36)) ||
	    !copy_to(v->kind, sizeof(v->kind), str(j, "kind", 15)) ||
	    !copy_to(v->author, sizeof(v->author), str(j, "author",
						       NAME_MAX_LEN)) ||
	    !copy_to(v->at, sizeof(v->at), str(j, "at", 31)))
		return false;
	v->target = strdup(target);
	v->text = strdup(text);
	return v->target && v->text;
}

static bool parse_tag(const cJSON *j, struct kt_case_tag *t)
{
	const char *s[4] = { str(j, "target", 500), str(j, "tag", 100),
			     str(j, "author", NAME_MAX_LEN), str(j, "at", 31) };

	memset(t, 0, sizeof(*t));
	if (!s[0] || !s[1] || !s[2] || !s[3])
		return false;
	t->target = strdup(s[0]);
	t->tag = strdup(s[1]);
	t->author = strdup(s[2]);
	t->at = strdup(s[3]);
	return t->target && t->tag && t->author && t->at;
}

static struct kt_error *parse(const char *json, struct kt_case_content *out)
{
	cJSON *doc = cJSON_Parse(json), *notes, *verdicts, *tags, *j;
	const char *fmt = str(doc, "format", 40);
	struct kt_error *err = NULL;
	size_t n;

	if (!doc || !fmt || strcmp(fmt, FORMAT)) {
		err = kt_error_create(KT_ERR_FORMAT, "not a ktriage case "
				      "export (format \"%s\" expected)", FORMAT);
		goto out;
	}
	if (cJSON_GetNumberValue(cJSON_GetObjectItem(doc, "version")) !=
	    FORMAT_VERSION) {
		err = kt_error_create(KT_ERR_UNSUPPORTED, "a case export of "
			"another version (this ktriage reads version %d)",
			FORMAT_VERSION);
		goto out;
	}
	if (!copy_to(out->dump_id, sizeof(out->dump_id),
		     str(doc, "dump_id", 40)))
		goto bad;
	notes = cJSON_GetObjectItem(doc, "notes");
	verdicts = cJSON_GetObjectItem(doc, "verdicts");
	tags = cJSON_GetObjectItem(doc, "tags");
	if (!cJSON_IsArray(notes) || !cJSON_IsArray(verdicts) ||
	    !cJSON_IsArray(tags))
		goto bad;
	n = cJSON_GetArraySize(notes);
	out->notes.v = calloc(n + 1, sizeof(*out->notes.v));
	n = cJSON_GetArraySize(verdicts);
	out->verdicts.v = calloc(n + 1, sizeof(*out->verdicts.v));
	out->tags = calloc(cJSON_GetArraySize(tags) + 1, sizeof(*out->tags));
	if (!out->notes.v || !out->verdicts.v || !out->tags) {
		err = &kt_error_nomem;
		goto out;
	}
	// Count each entry before parsing it, so a half-parsed one is
	// freed with the rest.
	cJSON_ArrayForEach(j, notes)
		if (!parse_note(j, &out->notes.v[out->notes.n++]))
			goto bad;
	cJSON_ArrayForEach(j, verdicts)
		if (!parse_verdict(j, &out->verdicts.v[out->verdicts.n++]))
			goto bad;
	cJSON_ArrayForEach(j, tags)
		if (!parse_tag(j, &out->tags[out->ntags++]))
			goto bad;
	goto out;
bad:
	err = kt_error_create(KT_ERR_FORMAT, "a malformed case export (a "
			      "field is missing, of the wrong type or too "
			      "long): nothing imported");
out:
	cJSON_Delete(doc);
	return err;
}

struct kt_error *kt_case_import(struct kt_case *c, const char *json,
				struct kt_merge_stats *ret)
{
	struct kt_case_content in = { 0 };
	struct kt_case_identity id;
	struct kt_error *err = parse(json, &in);

	memset(ret, 0, sizeof(*ret));
	kt_case_meta_identity(c, &id);
	if (!err && strcmp(in.dump_id, id.dump_id))
		err = kt_error_create(KT_ERR_INVALID, "the export is the case "
			"of another dump (dump id %s, this one %s): nothing "
			"imported", in.dump_id, id.dump_id);
	if (!err)
		err = kt_case_content_apply(c, &in, "the import", ret);
	kt_case_content_deinit(&in);
	return err;
}
