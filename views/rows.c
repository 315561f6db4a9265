// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sanitize.h"
#include "views/rows.h"

static struct kt_row *append(struct kt_rows *rows, enum kt_role role,
			     char *text)
{
	struct kt_row *r;

	if (!text)
		return NULL;
	if (rows->n == rows->cap) {
		size_t cap = rows->cap ? 2 * rows->cap : 64;
		struct kt_row *v = realloc(rows->v, cap * sizeof(*v));

		if (!v) {
			free(text);
			return NULL;
		}
		rows->v = v;
		rows->cap = cap;
	}
	r = &rows->v[rows->n++];
	memset(r, 0, sizeof(*r));
	r->text = text;
	r->role = role;
	return r;
}

struct kt_row *kt_rows_add(struct kt_rows *rows, enum kt_role role,
			   const char *fmt, ...)
{
	va_list ap;
	char *text;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	return append(rows, role, n < 0 ? NULL : text);
}

struct kt_row *kt_rows_add_raw(struct kt_rows *rows, enum kt_role role,
			       const char *prefix, const char *raw, size_t len)
{
	size_t plen = strlen(prefix), size = plen + KT_SANITIZED_SIZE(len);
	char *text = malloc(size);

	if (!text)
		return NULL;
	memcpy(text, prefix, plen);
	kt_sanitize(raw, len, text + plen, size - plen, false);
	return append(rows, role, text);
}

/* The next kernel address at or after @s; *end just past it. */
static uint64_t next_address(const char *s, const char **end)
{
	for (const char *p = s; *p; p++) {
		const char *h = p;
		uint64_t v = 0;
		int n = 0;

		if (p != s && isalnum((unsigned char)p[-1]))
			continue;
		if (h[0] == '0' && h[1] == 'x')
			h += 2;
		while (isxdigit((unsigned char)h[n]) && n < 17)
			n++;
		if (n != 16 || isalnum((unsigned char)h[n]))
			continue;
		v = strtoull(h, NULL, 16);
		// Kernel space only: user values and counts are not links.
		if (v >> 47 == 0x1ffff) {
			*end = h + n;
			return v;
		}
	}
	return 0;
}

uint64_t kt_rows_find_address(const char *s)
{
	const char *end;

	return next_address(s, &end);
}

size_t kt_rows_find_addresses(const char *s, uint64_t *ret, size_t max)
{
	size_t n = 0;
	uint64_t v;

	while (n < max && (v = next_address(s, &s)))
		ret[n++] = v;
	return n;
}

void kt_rows_add_text(struct kt_rows *rows, const char *text)
{
	const char *p = text;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		struct kt_row *r = kt_rows_add_raw(rows, KT_ROLE_TEXT, "", p,
						   len);
		uint64_t a;

		if (r && (a = kt_rows_find_address(r->text))) {
			r->link.kind = KT_LINK_ADDR;
			r->link.addr = a;
		}
		p = nl ? nl + 1 : NULL;
	}
}

long kt_rows_search(const struct kt_rows *rows, const char *needle,
		    size_t from, bool backward)
{
	if (!*needle || !rows->n)
		return -1;
	for (size_t k = 0; k < rows->n; k++) {
		size_t i = backward ? (from + rows->n - k) % rows->n :
				      (from + k) % rows->n;

		if (strcasestr(rows->v[i].text, needle))
			return i;
	}
	return -1;
}

void kt_rows_clear(struct kt_rows *rows)
{
	for (size_t i = 0; i < rows->n; i++)
		free(rows->v[i].text);
	rows->n = 0;
}

void kt_rows_deinit(struct kt_rows *rows)
{
	kt_rows_clear(rows);
	free(rows->v);
	rows->v = NULL;
	rows->cap = 0;
}
