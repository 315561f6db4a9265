// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>

#include "app/html.h"
#include "core/sanitize.h"

#define CHUNK 256

/*
 * U+202A-U+202E and U+2066-U+2069 (E2 80 AA-AE, E2 81 A6-A9): text that
 * holds them shows in another order than it reads ("Trojan Source").
 */
static bool bidi_control(const unsigned char *p)
{
	return p[0] == 0xe2 &&
	       ((p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae) ||
		(p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9));
}

/* The character reference that stands for @c in markup, or NULL. */
static const char *reference(unsigned char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	default:
		return NULL;
	}
}

/* Sanitised text (no NUL, valid UTF-8) with markup made inert. */
static void escape_clean(FILE *fp, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (reference(*p)) {
			fputs(reference(*p), fp);
		} else if (bidi_control(p)) {
			fprintf(fp, "\\u%04x", 0x2000 | (p[1] & 3) << 6 |
				(p[2] & 0x3f));
			p += 2;
		} else {
			fputc(*p, fp);
		}
	}
}

void kt_html_escape(FILE *fp, const char *s)
{
	char clean[KT_SANITIZED_SIZE(CHUNK)];
	size_t len = strlen(s);

	// In chunks that never split a UTF-8 sequence: each is sanitised as
	// the whole string would be. More than three continuation bytes in a
	// row are no sequence: they become \xNN wherever the cut falls.
	while (len) {
		size_t n = len < CHUNK ? len : CHUNK;

		for (int back = 0; n < len && back < 3 &&
		     ((unsigned char)s[n] & 0xc0) == 0x80; back++)
			n--;
		kt_sanitize(s, n, clean, sizeof(clean), true);
		escape_clean(fp, clean);
		s += n;
		len -= n;
	}
}

void kt_html_elem(FILE *fp, const char *tag, const char *cls, const char *s)
{
	if (cls)
		fprintf(fp, "<%s class=\"%s\">", tag, cls);
	else
		fprintf(fp, "<%s>", tag);
	kt_html_escape(fp, s);
	fprintf(fp, "</%s>", tag);
}

void kt_html_value(FILE *fp, const cJSON *v)
{
	const cJSON *item;
	char *text;
	double d;

	if (cJSON_IsString(v)) {
		kt_html_escape(fp, v->valuestring);
	} else if (cJSON_IsNumber(v)) {
		d = cJSON_GetNumberValue(v);
		if (d > -1e15 && d < 1e15 && d == (double)(long long)d)
			fprintf(fp, "%.0f", d);
		else
			fprintf(fp, "%g", d);
	} else if (cJSON_IsBool(v)) {
		fputs(cJSON_IsTrue(v) ? "true" : "false", fp);
	} else if (!v || cJSON_IsNull(v)) {
		fputs("-", fp);
	} else if (cJSON_IsArray(v)) {
		cJSON_ArrayForEach(item, v) {
			if (item != v->child)
				fputs(", ", fp);
			kt_html_value(fp, item);
		}
	} else {
		text = cJSON_PrintUnformatted(v);
		kt_html_escape(fp, text ? text : "?");
		free(text);
	}
}

void kt_html_kv(FILE *fp, const char *label, const cJSON *v)
{
	if (!v)
		return;
	fputs("<tr>", fp);
	kt_html_elem(fp, "th", NULL, label);
	fputs("<td>", fp);
	kt_html_value(fp, v);
	fputs("</td></tr>\n", fp);
}

const char *kt_html_str(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}
