/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Colour themes: what colour and attributes each role is drawn with, as
 * tig's `color` command sets them. This file parses and holds the table
 * (no curses); views/draw.c turns it into colour pairs.
 *
 * Invariants: every fg and bg is KT_COLOR_DEFAULT or 0-255; attrs holds
 * KT_THEME_* bits only.
 */
#ifndef KT_VIEWS_THEME_H
#define KT_VIEWS_THEME_H

#include <stdbool.h>
#include <stddef.h>

#include "views/rows.h"

/** The workbench's own parts, after the roles of rows (enum kt_role). */
enum kt_style {
	KT_STYLE_HEADER = KT_NR_ROLES,	/* the top line: views and keys */
	KT_STYLE_PANE,			/* a pane's title line */
	KT_STYLE_PANE_FOCUS,		/* the focused pane's title line */
	KT_STYLE_SELECTION,		/* the selected row */
	KT_STYLE_SEARCH,		/* a search match */
	KT_STYLE_STATUS,		/* the bottom line: a message */
	KT_STYLE_HINT,			/* the bottom line: the view's keys */
	KT_STYLE_PROMPT,		/* the bottom line: a prompt, progress */
	KT_NR_STYLES,
};

#define KT_COLOR_DEFAULT (-1)	/* the terminal's own colour */

enum {
	KT_THEME_BOLD = 1 << 0,
	KT_THEME_UNDERLINE = 1 << 1,
	KT_THEME_REVERSE = 1 << 2,
	KT_THEME_DIM = 1 << 3,
	KT_THEME_STANDOUT = 1 << 4,
};

struct kt_theme_style {
	short fg, bg;		/* KT_COLOR_DEFAULT or 0-255 */
	unsigned attrs;		/* KT_THEME_* */
};

struct kt_theme {
	struct kt_theme_style style[KT_NR_STYLES];
};

/** The compiled-in colours (assets/themes/default.theme says the same). */
void kt_theme_init(struct kt_theme *th);

/** A role's or style's name in `color` lines ("text", "pane-focus"). */
const char *kt_theme_style_name(int style);

/**
 * Apply the words of "color ROLE FG [BG] [ATTR...]" after "color" (@n of
 * them) for a terminal of @ncolors colours (0: not known, up to 256).
 * A bright-* colour on a terminal of fewer than 16 is its base colour,
 * bold in the foreground. False, with the reason in @why, when a word is
 * not understood or the terminal lacks the colour; the theme is then
 * unchanged. The reason never quotes the line.
 */
bool kt_theme_color(struct kt_theme *th, char *const *words, int n,
		    int ncolors, char *why, size_t size);

/**
 * The file of theme @name: the first NAME.theme of
 * ~/.config/ktriage/themes, each directory of $KTRIAGE_THEME_PATH
 * (colon-separated) and the installed themes directory. False, with the
 * reason (where it looked) in @why, when there is none or @name is not a
 * plain name ([A-Za-z0-9._-], not starting with '.').
 */
bool kt_theme_find(const char *name, char *path, size_t size, char *why,
		   size_t wsize);

/** The installed themes directory, compiled in. */
const char *kt_theme_dir(void);

#endif /* KT_VIEWS_THEME_H */
