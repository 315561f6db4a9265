// SPDX-License-Identifier: GPL-2.0-or-later
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "views/draw.h"

static bool mono_mode;

static const short role_colors[KT_NR_ROLES] = {
	[KT_ROLE_TEXT] = -1,		[KT_ROLE_TITLE] = COLOR_CYAN,
	[KT_ROLE_BANNER] = COLOR_MAGENTA, [KT_ROLE_CRITICAL] = COLOR_RED,
	[KT_ROLE_ERROR] = COLOR_RED,	[KT_ROLE_WARNING] = COLOR_YELLOW,
	[KT_ROLE_DIM] = COLOR_BLUE,	[KT_ROLE_LINK] = COLOR_GREEN,
};

void kt_draw_init(bool mono)
{
	mono_mode = mono || !has_colors();
	if (mono_mode)
		return;
	start_color();
	use_default_colors();
	for (int r = 1; r < KT_NR_ROLES; r++)
		init_pair(r, role_colors[r], -1);
}

int kt_draw_attr(enum kt_role role)
{
	static const int mono[KT_NR_ROLES] = {
		[KT_ROLE_TITLE] = A_BOLD,	[KT_ROLE_BANNER] = A_BOLD,
		[KT_ROLE_CRITICAL] = A_BOLD,	[KT_ROLE_ERROR] = A_BOLD,
		[KT_ROLE_DIM] = A_DIM,
	};

	if (mono_mode || role <= KT_ROLE_TEXT || role >= KT_NR_ROLES)
		return mono[role < KT_NR_ROLES ? role : 0];
	return COLOR_PAIR(role) | (role == KT_ROLE_CRITICAL ||
				   role == KT_ROLE_TITLE ? A_BOLD : 0);
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
	int col;

	if (!m)
		return;
	// Columns of the match: count characters before it (ASCII is the
	// common case; a wide character only shifts the mark).
	col = mbsnrtowcs(NULL, &(const char *){ text }, m - text, 0, NULL);
	if (col < 0 || col >= w)
		return;
	mvchgat(y, x + col, (int)strlen(search) < w - col ?
		(int)strlen(search) : w - col, A_UNDERLINE | A_BOLD, 0, NULL);
}

void kt_draw_pane(struct kt_pane *p, int y, int x, int h, int w, bool focus,
		  const char *search)
{
	int body = h - 1;

	if (h <= 0 || w <= 0)
		return;
	kt_draw_text(y, x, w, p->title, focus ? A_REVERSE | A_BOLD :
		     A_REVERSE);
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
			kt_draw_text(y + 1 + i, x, w, "", A_NORMAL);
			continue;
		}
		attr = kt_draw_attr(p->rows.v[r].role);
		if (focus && r == p->sel)
			attr = A_REVERSE | (attr & A_BOLD);
		kt_draw_text_from(y + 1 + i, x, w, p->rows.v[r].text, p->left,
				  attr);
		if (search && !p->left)
			underline_match(y + 1 + i, x, w, p->rows.v[r].text,
					search);
	}
}
