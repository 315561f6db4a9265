// SPDX-License-Identifier: GPL-2.0-or-later
/* Notes with revisions, and verdicts, in the case database. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "db/case.h"
#include "core/sanitize.h"
#include "db/case_private.h"

#define MAX_TEXT (64 * 1024)

static const char *const verdict_kinds[] = {
	"root-cause", "contributing", "suspect", "ruled-out", "needs-info",
};

bool kt_case_verdict_kind_check(const char *kind)
{
	for (size_t i = 0; i < sizeof(verdict_kinds) / sizeof(*verdict_kinds);
	     i++)
		if (!strcmp(kind, verdict_kinds[i]))
			return true;
	return false;
}

static bool all_of(const char *s, const char *set)
{
	return *s && strspn(s, set) == strlen(s);
}

#define HEX "0123456789abcdefABCDEFx"
#define DEC "0123456789"

bool kt_case_target_check(const char *t, char *why, size_t len)
{
	char copy[512], *f[5] = { 0 }, *p = copy;
	int n = 0;

	if (strlen(t) >= sizeof(copy) || strchr(t, '\n') ||
	    !kt_case_text_ok(t))
		goto bad;
	if (!strcmp(t, "case"))
		return true;
	if (!strncmp(t, "finding:", 8) && t[8])
		return true;
	snprintf(copy, sizeof(copy), "%s", t);
	while (n < 5 && (f[n] = strsep(&p, ":")))
		n++;
	if (!strcmp(f[0], "task") && n == 3 && all_of(f[1], DEC) &&
	    all_of(f[2], HEX))
		return true;
	if (!strcmp(f[0], "frame") && n == 5 && all_of(f[1], DEC) &&
	    all_of(f[2], HEX) && all_of(f[3], DEC) && *f[4])
		return true;
	if (!strcmp(f[0], "addr") && (n == 2 || n == 3) && all_of(f[1], HEX))
		return true;
	if (!strcmp(f[0], "log") && n == 2 && all_of(f[1], DEC))
		return true;
bad:
	snprintf(why, len, "'%.100s' is not a note target: case, finding:ID, "
		 "task:PID:0xTASK, frame:PID:0xTASK:LEVEL:FUNCTION, "
		 "addr:0xADDR[:TYPE] or log:INDEX", t);
	return false;
}

/* A version 4 UUID. */
static void new_uuid(char out[37])
{
	unsigned char b[16];

	if (getrandom(b, sizeof(b), 0) != sizeof(b)) {
		// No entropy source: time and address, still unique enough
		// to tell two engineers' notes apart.
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		memcpy(b, &ts, sizeof(b) < sizeof(ts) ? sizeof(b) : sizeof(ts));
		b[15] ^= (unsigned char)(uintptr_t)out;
	}
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4],
		 b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
		 b[14], b[15]);
}

/* "2026-11-30T04:55:12.345Z" */
static void now_iso(char out[32])
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(out, 24, "%Y-%m-%dT%H:%M:%S", &tm);

	snprintf(out + n, 32 - n, ".%03dZ", (int)(ts.tv_nsec / 1000000));
}

bool kt_case_text_ok(const char *text)
{
	size_t len = strlen(text), size = KT_SANITIZED_SIZE(len);
	char *clean = malloc(size);
	bool ok;

	if (!clean)
		return false;
	kt_sanitize(text, len, clean, size, true);
	ok = !strcmp(clean, text);
	free(clean);
	return ok;
}

static struct kt_error *writable(struct kt_case *c, const char *text,
				 const char *author)
{
	if (c->read_only && c->read_only_why)
		return kt_error_create(KT_ERR_INVALID, "%s: nothing was "
				       "written", c->read_only_why);
	if (c->read_only)
		return kt_error_create(KT_ERR_INVALID, "case %s is open "
			"read-only (another dump's case, opened with --force): "
			"nothing was written", c->path);
	if (text && strlen(text) > MAX_TEXT)
		return kt_error_create(KT_ERR_INVALID, "a note or verdict is at "
			"most %d bytes", MAX_TEXT);
	if (!author || !*author || strlen(author) > 127 ||
	    strchr(author, '\n') || !kt_case_text_ok(author))
		return kt_error_create(KT_ERR_INVALID, "the author is one line "
			"of UTF-8 text of at most 127 bytes, without control "
			"characters: nothing was written");
	if (text && !kt_case_text_ok(text))
		return kt_error_create(KT_ERR_INVALID, "a note or verdict is "
			"UTF-8 text without control characters (but newlines "
			"and tabs): nothing was written");
	return NULL;
}

/* Insert one new row of @row. */
static struct kt_error *put(struct kt_case *c, enum kt_case_row row,
			    const char *const *v)
{
	int added;

	return c->ops->put(c, row, v, &added);
}

struct kt_error *kt_case_note_add(struct kt_case *c, const char *target,
				  const char *author, const char *text,
				  char *uuid_ret)
{
	char uuid[37], rev[37], at[32], why[256];
	struct kt_error *err = writable(c, text, author);

	if (err)
		return err;
	if (!kt_case_target_check(target, why, sizeof(why)))
		return kt_error_create(KT_ERR_INVALID, "%s", why);
	new_uuid(uuid);
	new_uuid(rev);
	now_iso(at);
	err = kt_case_begin(c);
	if (err)
		return err;
	err = put(c, KT_ROW_NOTE, (const char *[]){ uuid, target, author,
						     at });
	if (!err)
		err = put(c, KT_ROW_REVISION, (const char *[]){ rev, uuid, NULL,
			  author, at, text });
	err = kt_case_end(c, err);
	if (!err && uuid_ret)
		memcpy(uuid_ret, uuid, 37);
	return err;
}

/* The note whose uuid is @prefix or starts with it (unique, >= 8). */
static struct kt_error *find_note(struct kt_case *c, const char *prefix,
				  char uuid[37])
{
	struct kt_error *err;
	int n = 0;

	if (strlen(prefix) < 8 || strlen(prefix) > 36 ||
	    strspn(prefix, "0123456789abcdef-") != strlen(prefix))
		return kt_error_create(KT_ERR_INVALID, "'%.40s' is not a note "
			"id (a UUID, or its first 8 or more characters, as "
			"`note list` shows)", prefix);
	err = c->ops->find_note(c, prefix, uuid, &n);
	if (err || n == 1)
		return err;
	return kt_error_create(KT_ERR_INVALID, n ? "note id %s is ambiguous: "
			       "give more of it" : "no note %s in this case",
			       prefix);
}

struct kt_error *kt_case_note_edit(struct kt_case *c, const char *id,
				   const char *author, const char *text)
{
	char uuid[37], rev[37], at[32];
	struct kt_note_list l;
	struct kt_error *err = writable(c, text, author);

	if (err || (err = kt_case_begin(c)))
		return err;
	err = find_note(c, id, uuid);
	if (!err)
		err = kt_case_notes_of(c, NULL, uuid, &l);
	if (!err) {
		const struct kt_note *n = &l.v[0];

		new_uuid(rev);
		now_iso(at);
		err = put(c, KT_ROW_REVISION, (const char *[]){ rev, uuid,
			  n->revs[n->current].uuid, author, at, text });
		kt_note_list_deinit(&l);
	}
	return kt_case_end(c, err);
}

struct kt_error *kt_case_verdict_set(struct kt_case *c, const char *target,
				     const char *kind, const char *author,
				     const char *text)
{
	char uuid[37], at[32];
	struct kt_error *err = writable(c, text, author);

	if (err)
		return err;
	if (strcmp(target, "case") && strncmp(target, "finding:", 8))
		return kt_error_create(KT_ERR_INVALID, "a verdict is on the "
			"case or on a finding (finding:ID), not '%.100s'",
			target);
	if (!kt_case_verdict_kind_check(kind))
		return kt_error_create(KT_ERR_INVALID, "'%.40s' is not a "
			"verdict: root-cause, contributing, suspect, ruled-out "
			"or needs-info", kind);
	new_uuid(uuid);
	now_iso(at);
	err = kt_case_begin(c);
	if (!err)
		err = kt_case_end(c, put(c, KT_ROW_VERDICT, (const char *[]){
			uuid, target, kind, text, author, at }));
	return err;
}

static bool tag_ok(const char *tag)
{
	size_t len = strlen(tag);

	return len && len <= 100 &&
	       strspn(tag, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789_.:/-") == len;
}

struct kt_error *kt_case_tag_add(struct kt_case *c, const char *target,
				 const char *tag, const char *author)
{
	struct kt_error *err = writable(c, NULL, author);
	char at[32], why[256];

	if (err)
		return err;
	if (!kt_case_target_check(target, why, sizeof(why)))
		return kt_error_create(KT_ERR_INVALID, "%s", why);
	if (!tag_ok(tag))
		return kt_error_create(KT_ERR_INVALID, "'%.40s' is not a tag: "
			"letters, digits and _.:/- (at most 100)", tag);
	now_iso(at);
	err = kt_case_begin(c);
	if (!err)
		err = kt_case_end(c, put(c, KT_ROW_TAG, (const char *[]){
			target, tag, author, at }));
	return err;
}

struct kt_error *kt_case_tags(struct kt_case *c, const char *tag,
			      struct kt_tag_list *ret)
{
	memset(ret, 0, sizeof(*ret));
	return c->ops->tags(c, tag, ret);
}

void kt_tag_list_deinit(struct kt_tag_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].target);
		free(l->v[i].tag);
		free(l->v[i].author);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}
