/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Drawing rows with curses: the only views file that talks to the
 * terminal. Everything is drawn on stdscr in rectangles, so a resize is a
 * plain redraw and a test reads the whole screen back from stdscr.
 */
#ifndef KT_VIEWS_DRAW_H
#define KT_VIEWS_DRAW_H

#include <stdbool.h>
#include <stddef.h>

#include "views/rows.h"
#include "views/theme.h"

/** A scrollable list of rows in a rectangle. */
struct kt_pane {
	struct kt_rows rows;
	size_t top;		/* first row shown */
	size_t sel;		/* the selected row */
	size_t left;		/* columns scrolled off to the left */
	char title[160];	/* printable */
};

/**
 * Colours on, with the compiled-in theme, unless @mono or the terminal has
 * none (then attributes only). Returns the terminal's number of colours,
 * 0 without colours.
 */
int kt_draw_init(bool mono);

/** Draw with @th from now on; nothing changes without colours (--mono). */
void kt_draw_set_theme(const struct kt_theme *th);

/** The attribute of a role of rows or a style (enum kt_style). */
int kt_draw_attr(int style);

/**
 * Draw @p in the rectangle (its title on the first line); the selected
 * row is highlighted when @focus. Scrolls p->top to keep p->sel visible.
 * Matches of @search (may be NULL) are underlined.
 */
void kt_draw_pane(struct kt_pane *p, int y, int x, int h, int w, bool focus,
		  const char *search);

/** Printable UTF-8 @s at (y, x), clipped to @w columns, blank-padded. */
void kt_draw_text(int y, int x, int w, const char *s, int attr);

/** kt_draw_text() of @s from its column @skip. */
void kt_draw_text_from(int y, int x, int w, const char *s, size_t skip,
		       int attr);

/** Move the selection by @delta rows (clamped). */
void kt_pane_move(struct kt_pane *p, long delta);

#endif /* KT_VIEWS_DRAW_H */
