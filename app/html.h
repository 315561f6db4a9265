/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writing HTML that holds untrusted text: a task's name, a log line, a
 * note from a colleague's case file. Every string passes kt_html_escape(),
 * which makes it inert both as element text and as a quoted attribute
 * value; markup itself is only ever written from literals.
 */
#ifndef KT_APP_HTML_H
#define KT_APP_HTML_H

#include <stdio.h>

#include <cjson/cJSON.h>

/**
 * Write @s to @fp as inert HTML text: sanitised first as everywhere in
 * ktriage (core/sanitize.h: control bytes and invalid UTF-8 become the
 * four characters \xNN; newlines and tabs are kept), then &, <, >, " and '
 * as character references, and the Unicode bidirectional controls, which
 * would reorder what a browser shows, as \uNNNN. Needs no memory.
 */
void kt_html_escape(FILE *fp, const char *s);

/**
 * <@tag class="@cls">@s escaped</@tag>; no class attribute when @cls is
 * NULL. @tag and @cls are literals of the caller, never data.
 */
void kt_html_elem(FILE *fp, const char *tag, const char *cls, const char *s);

/**
 * A JSON value as text, escaped: a string as it is, a whole number
 * without a fraction, true/false, "-" for null, an array's items apart
 * with ", ", an object as compact JSON.
 */
void kt_html_value(FILE *fp, const cJSON *v);

/**
 * A row of a two-column table: <tr><th>@label</th><td>@v</td></tr>, both
 * escaped; nothing when @v is NULL.
 */
void kt_html_kv(FILE *fp, const char *label, const cJSON *v);

/** The string member @key of @o, or NULL (absent, or not a string). */
const char *kt_html_str(const cJSON *o, const char *key);

#endif /* KT_APP_HTML_H */
