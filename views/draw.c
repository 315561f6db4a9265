// SPDX-License-Identifier: GPL-2.0-or-later
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "views/draw.h"

static bool mono_mode;
static int style_attr[KT_NR_STYLES];

/* Without colours a theme does not apply: --mono and $NO_COLOR win. */
static const unsigned mono_attrs[KT_NR_STYLES] = {
	[KT_ROLE_TITLE] = KT_THEME_BOLD,	[KT_ROLE_BANNER] = KT_THEME_BOLD,
	[KT_ROLE_CRITICAL] = KT_THEME_BOLD,	[KT_ROLE_ERROR] = KT_THEME_BOLD,
	[KT_ROLE_DIM] = KT_THEME_DIM,
	[KT_STYLE_HEADER] = KT_THEME_REVERSE,	[KT_STYLE_PANE] = KT_THEME_REVERSE,
	[KT_STYLE_PANE_FOCUS] = KT_THEME_REVERSE | KT_THEME_BOLD,
	[KT_STYLE_SELECTION] = KT_THEME_REVERSE,
	[KT_STYLE_SEARCH] = KT_THEME_UNDERLINE | KT_THEME_BOLD,
	[KT_STYLE_HINT] = KT_THEME_DIM,		[KT_STYLE_PROMPT] = KT_THEME_BOLD,
};

static int curses_attrs(unsigned bits)
{
	return (bits & KT_THEME_BOLD ? A_BOLD : 0) |
	       (bits & KT_THEME_UNDERLINE ? A_UNDERLINE : 0) |
	       (bits & KT_THEME_REVERSE ? A_REVERSE : 0) |
	       (bits & KT_THEME_DIM ? A_DIM : 0) |
	       (bits & KT_THEME_STANDOUT ? A_STANDOUT : 0);
}

int kt_draw_init(bool mono)
{
	struct kt_theme th;

	mono_mode = mono || !has_colors();
	if (!mono_mode) {
		start_color();
		use_default_colors();
	}
	kt_theme_init(&th);
	kt_draw_set_theme(&th);
	return mono_mode ? 0 : COLORS;
}

void kt_draw_set_theme(const struct kt_theme *th)
{
	for (int s = 0; s < KT_NR_STYLES; s++) {
		const struct kt_theme_style *st = &th->style[s];

		if (mono_mode) {
			style_attr[s] = curses_attrs(mono_attrs[s]);
			continue;
		}
		style_attr[s] = curses_attrs(st->attrs);
		// Pair 0 is the terminal's own; a terminal short of pairs
		// keeps the attributes.
		if (s + 1 < COLOR_PAIRS && init_pair(s + 1, st->fg, st->bg) == OK)
			style_attr[s] |= COLOR_PAIR(s + 1);
	}
	// What erase() leaves and plain text take the text's colours, so a
	// theme with a background fills the screen.
	bkgdset(' ' | (style_attr[KT_ROLE_TEXT] & A_COLOR));
}

int kt_draw_attr(int style)
{
	return style >= 0 && style < KT_NR_STYLES ? style_attr[style] : 0;
}

void kt_draw_text(int y, int x, int w, const char *s, int attr)
{
	kt_draw_text_from(y, x, w, s, 0, attr);
}

void kt_draw_text_from(int y, int x, int w, const char *s, size_t skip,
		       int attr)
{
	mbstate_t st = { 0 };
	int col = 0;

	move(y, x);
	attrset(attr);
	while (*s && col < w) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, MB_CUR_MAX, &st);
		int cw;

		if (n == (size_t)-1 || n == (size_t)-2 || !n) {
			// Sanitised text is valid UTF-8; in a non-UTF-8 locale
			// show the byte as '?' rather than garbage.
			memset(&st, 0, sizeof(st));
			wc = L'?';
			n = 1;
		}
		if (wc == L'\t')
			wc = L' ';
		cw = wcwidth(wc);
		if (cw < 0)
			cw = 1, wc = L'?';
		s += n;
		if (skip) {
			// A wide character cut by the edge is not drawn.
			skip = (size_t)cw > skip ? 0 : skip - cw;
			continue;
		}
		if (col + cw > w)
			break;
		addnwstr(&wc, 1);
		col += cw;
	}
	for (; col < w; col++)
		addch(' ');
	attrset(A_NORMAL);
}

void kt_pane_move(struct kt_pane *p, long delta)
{
	long sel = (long)p->sel + delta;

	if (sel >= (long)p->rows.n)
		sel = (long)p->rows.n - 1;
	if (sel < 0)
		sel = 0;
	p->sel = sel;
}

static void underline_match(int y, int x, int w, const char *text,
			    const char *search)
{
	const char *m = *search ? strcasestr(text, search) : NULL;
	int col, attr;

	if (!m)
		return;
	// Columns of the match: count characters before it (ASCII is the
	// common case; a wide character only shifts the mark).
	col = mbsnrtowcs(NULL, &(const char *){ text }, m - text, 0, NULL);
	if (col < 0 || col >= w)
		return;
	attr = kt_draw_attr(KT_STYLE_SEARCH);
	mvchgat(y, x + col, (int)strlen(search) < w - col ?
		(int)strlen(search) : w - col, attr & A_ATTRIBUTES & ~A_COLOR,
		PAIR_NUMBER(attr), NULL);
}

void kt_draw_pane(struct kt_pane *p, int y, int x, int h, int w, bool focus,
		  const char *search)
{
	int body = h - 1;

	if (h <= 0 || w <= 0)
		return;
	kt_draw_text(y, x, w, p->title, kt_draw_attr(focus ? KT_STYLE_PANE_FOCUS :
							      KT_STYLE_PANE));
	if (body <= 0)
		return;
	if (p->sel >= p->rows.n && p->rows.n)
		p->sel = p->rows.n - 1;
	if (p->sel < p->top)
		p->top = p->sel;
	if (p->sel >= p->top + body)
		p->top = p->sel - body + 1;
	for (int i = 0; i < body; i++) {
		size_t r = p->top + i;
		int attr;

		if (r >= p->rows.n) {
			kt_draw_text(y + 1 + i, x, w, "",
				     kt_draw_attr(KT_ROLE_TEXT));
			continue;
		}
		attr = kt_draw_attr(p->rows.v[r].role);
		if (focus && r == p->sel)
			attr = kt_draw_attr(KT_STYLE_SELECTION) |
			       (attr & A_BOLD);
		kt_draw_text_from(y + 1 + i, x, w, p->rows.v[r].text, p->left,
				  attr);
		if (search && !p->left)
			underline_match(y + 1 + i, x, w, p->rows.v[r].text,
					search);
	}
}
