// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/sanitize.h"

/* Bytes of the UTF-8 sequence @c leads, or 0 when it leads none. */
static size_t utf8_need(unsigned char c)
{
	if (c < 0xc2 || c > 0xf4)
		return 0;
	return c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

/* Length of a valid UTF-8 sequence at @p (of @n bytes), or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t len = utf8_need(p[0]);
	uint32_t cp;

	if (!len || len > n)
		return 0;
	cp = p[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	// Overlong forms, surrogates, C1 controls and beyond U+10FFFF.
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff ||
	    (cp >= 0x80 && cp <= 0x9f))
		return 0;
	return len;
}

/*
 * The unit at @p (of @n > 0 bytes) into @out (room for 4 bytes; no NUL is
 * added): a UTF-8 character or a byte as it is, or a byte as \xNN.
 * Returns the bytes consumed; *@outlen gets the bytes written.
 */
static size_t unit(const unsigned char *p, size_t n, char *out,
		   size_t *outlen, bool keep_newlines)
{
	size_t u = p[0] >= 0x80 ? utf8_len(p, n) : 0;

	if (u) {
		memcpy(out, p, u);
		*outlen = u;
		return u;
	}
	// A tab moves the cursor but cannot drive the terminal.
	if ((p[0] >= 0x20 && p[0] < 0x7f) || p[0] == '\t' ||
	    (keep_newlines && p[0] == '\n')) {
		*out = p[0];
		*outlen = 1;
		return 1;
	}
	// No snprintf(): its NUL would be a fifth byte.
	out[0] = '\\';
	out[1] = 'x';
	out[2] = "0123456789abcdef"[p[0] >> 4];
	out[3] = "0123456789abcdef"[p[0] & 15];
	*outlen = 4;
	return 1;
}

size_t kt_sanitize(const char *in, size_t len, char *out, size_t size,
		   bool keep_newlines)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t o = 0, i = 0;

	if (!size)
		return 0;
	while (i < len && p[i]) {
		char one[4];
		size_t w, n = strnlen(in + i, len - i < 4 ? len - i : 4);
		size_t used = unit(p + i, n, one, &w, keep_newlines);

		if (o + w >= size)
			break;
		memcpy(out + o, one, w);
		o += w;
		i += used;
	}
	out[o] = 0;
	return o;
}

bool kt_sanitize_needed(const char *s, bool keep_newlines)
{
	size_t len = strlen(s);

	for (size_t i = 0; i < len;) {
		char one[4];
		size_t w, used = unit((const unsigned char *)s + i, len - i,
				      one, &w, keep_newlines);

		if (w != used)
			return true;
		i += used;
	}
	return false;
}

char *kt_sanitize_dup(const char *s, bool keep_newlines)
{
	size_t len = strlen(s);
	char *out = malloc(KT_SANITIZED_SIZE(len));

	if (out)
		kt_sanitize(s, len, out, KT_SANITIZED_SIZE(len), keep_newlines);
	return out;
}

/* ---- the sanitising stream ---- */

struct sstream {
	FILE *dest;
	unsigned char pend[4];	/* the start of a split UTF-8 character */
	size_t npend;
};

/* Printable ASCII, tab and newline: what passes as it is, most bytes. */
static bool plain(unsigned char c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t';
}

/* Sanitise @n bytes of @p to the destination; false on a write error. */
static bool pass_on(struct sstream *s, const unsigned char *p, size_t n)
{
	char out[4096 + 4];
	size_t o = 0;

	for (size_t i = 0; i < n;) {
		size_t run = i, w;

		// Runs of plain text go out as they are, without a copy.
		while (run < n && plain(p[run]))
			run++;
		if (run - i >= 64 || (run == n && run > i)) {
			if ((o && fwrite(out, 1, o, s->dest) != o) ||
			    fwrite(p + i, 1, run - i, s->dest) != run - i)
				return false;
			o = 0;
			i = run;
			continue;
		}
		i += unit(p + i, n - i, out + o, &w, true);
		o += w;
		if (o >= sizeof(out) - 4) {
			if (fwrite(out, 1, o, s->dest) != o)
				return false;
			o = 0;
		}
	}
	return fwrite(out, 1, o, s->dest) == o;
}

/* Bytes at the end of @p that start a UTF-8 character not yet complete. */
static size_t split_tail(const unsigned char *p, size_t n)
{
	for (size_t back = 1; back <= 3 && back <= n; back++) {
		unsigned char c = p[n - back];

		if ((c & 0xc0) == 0x80)
			continue;	/* a continuation byte: look further */
		return utf8_need(c) > back ? back : 0;
	}
	return 0;
}

static ssize_t sstream_write(void *cookie, const char *buf, size_t size)
{
	const unsigned char *p = (const unsigned char *)buf;
	struct sstream *s = cookie;
	size_t n = size, tail;

	// Complete a character the last write split, a byte at a time.
	while (s->npend && n) {
		s->pend[s->npend++] = *p++;
		n--;
		if ((p[-1] & 0xc0) != 0x80 || s->npend == utf8_need(s->pend[0])) {
			size_t k = s->npend;

			// Not a continuation: the pending bytes stand alone,
			// and this one starts afresh.
			if ((p[-1] & 0xc0) != 0x80) {
				k--;
				p--;
				n++;
			}
			s->npend = 0;
			if (!pass_on(s, s->pend, k))
				return -1;
		}
	}
	tail = split_tail(p, n);
	if (!pass_on(s, p, n - tail))
		return -1;
	memcpy(s->pend + s->npend, p + n - tail, tail);
	s->npend += tail;
	return fflush(s->dest) ? -1 : (ssize_t)size;
}

static int sstream_close(void *cookie)
{
	struct sstream *s = cookie;
	bool ok = pass_on(s, s->pend, s->npend);

	ok = !fflush(s->dest) && ok;
	free(s);
	return ok ? 0 : EOF;
}

FILE *kt_sanitize_stream(FILE *dest)
{
	static const cookie_io_functions_t io = {
		.write = sstream_write,
		.close = sstream_close,
	};
	struct sstream *s = calloc(1, sizeof(*s));
	FILE *fp;

	if (!s)
		return NULL;
	s->dest = dest;
	fp = fopencookie(s, "w", io);
	if (!fp) {
		free(s);
		return NULL;
	}
	// Unbuffered stays unbuffered (stderr); a terminal gets lines.
	if (dest == stderr)
		setvbuf(fp, NULL, _IONBF, 0);
	else if (isatty(fileno(dest)))
		setvbuf(fp, NULL, _IOLBF, 0);
	return fp;
}
