// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * VMCOREINFO keys as libkdumpfile files them; see kt_vmcoreinfo_unfiled()
 * in vmcoreinfo.h.
 *
 * libkdumpfile keeps each line as an attribute at the path
 * "linux.vmcoreinfo.lines.KEY", and each TYPE(NAME) line also as
 * "linux.vmcoreinfo.TYPE.NAME", split at every '.'. Two keys where one is
 * a dot-prefix of the other ("A" and "A.B"; OFFSET(a) and OFFSET(a.b)) ask
 * it to make one attribute both a value and a directory, and an empty part
 * (".A", "A..B", "A.") an attribute with no name: libkdumpfile 0.5.1
 * crashes or leaks on both. The kernel writes neither.
 */
#include <stdlib.h>
#include <string.h>

#include "core/checked.h"
#include "core/vmcoreinfo.h"

struct path {
	char *s;	/* "lines" or "TYPE.NAME" space, as one string */
	size_t line;
};

/* The TYPE(NAME) keys libkdumpfile also files as TYPE.NAME. */
static const char *const typed[] = {
	"SYMBOL", "LENGTH", "NUMBER", "OFFSET", "SIZE",
};

/*
 * Byte order with '.' below every other byte, so that the paths under
 * "A." follow "A" with nothing between them.
 */
static int path_cmp(const void *a, const void *b)
{
	const unsigned char *x = (const unsigned char *)((const struct path *)a)->s;
	const unsigned char *y = (const unsigned char *)((const struct path *)b)->s;

	for (;; x++, y++) {
		int cx = *x == '.' ? 1 : *x ? *x + 1 : 0;
		int cy = *y == '.' ? 1 : *y ? *y + 1 : 0;

		if (cx != cy || !cx)
			return cx - cy;
	}
}

static bool empty_part(const char *s)
{
	return s[0] == '.' || strstr(s, "..") ||
	       (s[0] && s[strlen(s) - 1] == '.');
}

/* "L:KEY" for the lines space, "T:TYPE.NAME" for the typed one. */
static char *line_path(const char *key, size_t k)
{
	char *s = malloc(k + 3);

	if (!s)
		return NULL;
	s[0] = 'L';
	s[1] = ':';
	memcpy(s + 2, key, k);
	s[k + 2] = 0;
	return s;
}

static char *typed_path(const char *key, size_t k)
{
	const char *open = memchr(key, '(', k);
	size_t t = open ? (size_t)(open - key) : 0;
	char *s;

	if (!open || key[k - 1] != ')')
		return NULL;
	for (size_t i = 0; i < sizeof(typed) / sizeof(*typed); i++) {
		if (strlen(typed[i]) != t || memcmp(key, typed[i], t))
			continue;
		s = malloc(k + 2);
		if (!s)
			return NULL;
		s[0] = 'T';
		s[1] = ':';
		memcpy(s + 2, key, t);
		s[t + 2] = '.';
		memcpy(s + t + 3, open + 1, k - t - 2);
		s[k + 1] = 0;
		return s;
	}
	return NULL;
}

static bool add(struct path **v, size_t *n, size_t *cap, char *s,
		size_t line)
{
	struct path *p;

	if (!s)
		return true;
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		p = realloc(*v, *cap * sizeof(**v));
		if (!p) {
			free(s);
			return false;
		}
		*v = p;
	}
	(*v)[(*n)++] = (struct path){ .s = s, .line = line };
	return true;
}

bool *kt_vmcoreinfo_unfiled(const char *text, size_t len, size_t *nlines)
{
	struct path *v = NULL;
	size_t n = 0, cap = 0, line = 0, i = 0;
	bool *bad = NULL, ok = true;

	while (ok && i < len && text[i]) {
		const char *p = text + i;
		size_t m = 0, k;

		while (i + m < len && p[m] && p[m] != '\n')
			m++;
		i += m + (i + m < len && p[m] == '\n');
		k = 0;
		while (k < m && p[k] != '=')
			k++;
		if (k && k < m) {
			char *s = line_path(p, k);

			ok = s && add(&v, &n, &cap, s, line) &&
			     add(&v, &n, &cap, typed_path(p, k), line);
		}
		line++;
	}
	*nlines = line;
	bad = ok ? calloc(line ? line : 1, sizeof(*bad)) : NULL;
	if (bad) {
		kt_qsort(v, n, sizeof(*v), path_cmp);
		// A path under the last one not under another is a clash.
		for (size_t j = 0, root = 0; j < n; j++) {
			size_t r = strlen(v[root].s);

			if (empty_part(v[j].s + 2))
				bad[v[j].line] = true;
			if (j > root && !strncmp(v[j].s, v[root].s, r) &&
			    v[j].s[r] == '.')
				bad[v[j].line] = true;
			else
				root = j;
		}
	}
	for (size_t j = 0; j < n; j++)
		free(v[j].s);
	free(v);
	return bad;
}
