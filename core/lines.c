// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "core/lines.h"

void kt_lines_init(struct kt_lines *r, FILE *fp, const char *name,
		   size_t max_line, uint64_t max_total)
{
	*r = (struct kt_lines){
		.fp = fp,
		.name = name,
		.max_line = max_line,
		.max_total = max_total,
	};
}

void kt_lines_deinit(struct kt_lines *r)
{
	free(r->buf);
	r->buf = NULL;
}

/* One byte, or EOF; EOF too once max_total bytes were read. */
static int next_byte(struct kt_lines *r, bool *over)
{
	int c;

	if (r->max_total && r->total >= r->max_total) {
		// Only a byte past the limit makes the input too long.
		c = getc(r->fp);
		*over = c != EOF;
		return EOF;
	}
	c = getc(r->fp);
	if (c != EOF)
		r->total++;
	return c;
}

static struct kt_error *ended(struct kt_lines *r, bool over)
{
	r->done = true;
	if (over)
		return kt_error_create(KT_ERR_INVALID, "%s: more than %" PRIu64
				       " bytes: the rest is not read", r->name,
				       r->max_total);
	if (ferror(r->fp))
		return kt_error_os(errno ? errno : EIO, "reading %s", r->name);
	return NULL;
}

/* The rest of a bad line; false when the input ended first. */
static bool skip_rest(struct kt_lines *r, bool *over)
{
	int c;

	while ((c = next_byte(r, over)) != EOF)
		if (c == '\n')
			return true;
	return false;
}

static struct kt_error *bad_line(struct kt_lines *r, const char *what)
{
	r->skip = true;
	return kt_error_create(KT_ERR_INVALID, "%s:%lu: %s", r->name,
			       r->lineno, what);
}

struct kt_error *kt_lines_next(struct kt_lines *r, char **ret,
			       size_t *len_ret)
{
	bool over = false;
	size_t n = 0;
	int c;

	*ret = NULL;
	*len_ret = 0;
	if (r->done)
		return NULL;
	if (!r->buf && !(r->buf = malloc(r->max_line + 1)))
		return &kt_error_nomem;
	if (r->skip) {
		r->skip = false;
		if (!skip_rest(r, &over))
			return ended(r, over);
	}
	r->lineno++;
	while ((c = next_byte(r, &over)) != EOF && c != '\n') {
		if (!c)
			return bad_line(r, "a NUL byte: this is not text");
		if (n == r->max_line) {
			char what[64];

			snprintf(what, sizeof(what), "longer than %zu bytes",
				 r->max_line);
			return bad_line(r, what);
		}
		r->buf[n++] = c;
	}
	if (c == EOF) {
		struct kt_error *err = ended(r, over);

		if (err || !n)
			return err;
	}
	r->buf[n] = 0;
	*ret = r->buf;
	*len_ret = n;
	return NULL;
}
