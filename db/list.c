// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading notes and verdicts back, whatever the backend. Rows come from a
 * file or a server that may have been edited by hand or by an enemy: the
 * backend checks every column for NULL and cuts it to its field, and a
 * note's revision graph is taken as it is (heads are revisions no other
 * revision names as parent).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/case_private.h"

/*
 * Put each revision after its parent: two edits in one millisecond have
 * timestamps that do not order them. Among those ready, the (time, uuid)
 * order they were read in is kept, so the order is the same in every copy
 * of the case. A revision whose parent is missing or in a cycle (a damaged
 * case) counts as ready.
 */
static struct kt_error *parents_first(struct kt_note *n)
{
	struct kt_note_rev *out;
	size_t k = 0;
	bool *used;

	if (n->nrevs < 2)	// nothing to order (a note with no revisions
		return NULL;	// has no array to copy back)
	out = malloc(n->nrevs * sizeof(*out));
	used = calloc(n->nrevs, sizeof(*used));
	if (!out || !used) {
		free(out);
		free(used);
		return &kt_error_nomem;
	}
	while (k < n->nrevs) {
		size_t pick = n->nrevs;

		for (size_t i = 0; i < n->nrevs && pick == n->nrevs; i++) {
			bool waits = false;

			if (used[i])
				continue;
			for (size_t j = 0; j < n->nrevs && !waits; j++)
				waits = !used[j] && j != i &&
					!strcmp(n->revs[i].parent, n->revs[j].uuid);
			if (!waits)
				pick = i;
		}
		if (pick == n->nrevs)	// a cycle: take the first left
			for (pick = 0; used[pick]; pick++)
				;
		used[pick] = true;
		out[k++] = n->revs[pick];
	}
	memcpy(n->revs, out, n->nrevs * sizeof(*out));
	free(out);
	free(used);
	return NULL;
}

/*
 * Heads: the revisions no other revision names as parent; the newest of
 * them is shown.
 */
static struct kt_error *finish(struct kt_case *c, struct kt_note *n)
{
	struct kt_error *err = parents_first(n);

	for (size_t i = 0; !err && i < n->nrevs; i++) {
		bool parent = false;

		for (size_t j = 0; j < n->nrevs && !parent; j++)
			parent = !strcmp(n->revs[j].parent, n->revs[i].uuid);
		if (!parent) {
			n->heads++;
			n->current = i;
		}
	}
	if (!err && !n->nrevs)
		err = kt_error_create(KT_ERR_FORMAT, "case %s: note %s has no "
				      "text (a damaged case)", c->path,
				      n->uuid);
	return err;
}

struct kt_error *kt_case_notes_of(struct kt_case *c, const char *target,
				  const char *uuid, struct kt_note_list *ret)
{
	struct kt_error *err;

	memset(ret, 0, sizeof(*ret));
	err = c->ops->notes(c, target, uuid, ret);
	for (size_t i = 0; !err && i < ret->n; i++)
		err = finish(c, &ret->v[i]);
	if (!err && uuid && !ret->n)
		err = kt_error_create(KT_ERR_INVALID, "no note %s", uuid);
	if (err)
		kt_note_list_deinit(ret);
	return err;
}

struct kt_error *kt_case_notes(struct kt_case *c, const char *target,
			       struct kt_note_list *ret)
{
	return kt_case_notes_of(c, target, NULL, ret);
}

void kt_note_list_deinit(struct kt_note_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		for (size_t j = 0; j < l->v[i].nrevs; j++)
			free(l->v[i].revs[j].text);
		free(l->v[i].revs);
		free(l->v[i].target);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

struct kt_error *kt_case_verdicts(struct kt_case *c,
				  struct kt_verdict_list *ret)
{
	struct kt_error *err;

	memset(ret, 0, sizeof(*ret));
	err = c->ops->verdicts(c, ret);
	if (err)
		kt_verdict_list_deinit(ret);
	return err;
}

void kt_verdict_list_deinit(struct kt_verdict_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].target);
		free(l->v[i].text);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* ---- growing the lists, for the backends ---- */

static void *grow(void *v, size_t n, size_t *cap, size_t size)
{
	if (n == *cap) {
		void *p = realloc(v, (*cap * 2 + 8) * size);

		if (!p)
			return NULL;
		*cap = *cap * 2 + 8;
		v = p;
	}
	memset((char *)v + n * size, 0, size);
	return v;
}

struct kt_note *kt_note_list_grow(struct kt_note_list *l, size_t *cap)
{
	struct kt_note *v = grow(l->v, l->n, cap, sizeof(*v));

	if (!v)
		return NULL;
	l->v = v;
	return &v[l->n++];
}

struct kt_note_rev *kt_note_revs_grow(struct kt_note *n, size_t *cap)
{
	struct kt_note_rev *v = grow(n->revs, n->nrevs, cap, sizeof(*v));

	if (!v)
		return NULL;
	n->revs = v;
	return &v[n->nrevs++];
}

struct kt_verdict *kt_verdict_list_grow(struct kt_verdict_list *l,
					size_t *cap)
{
	struct kt_verdict *v = grow(l->v, l->n, cap, sizeof(*v));

	if (!v)
		return NULL;
	l->v = v;
	return &v[l->n++];
}

struct kt_tag *kt_tag_list_grow(struct kt_tag_list *l)
{
	size_t cap = l->n;	// exact growth: tags are few
	struct kt_tag *v = grow(l->v, l->n, &cap, sizeof(*v));

	if (!v)
		return NULL;
	l->v = v;
	return &v[l->n++];
}
