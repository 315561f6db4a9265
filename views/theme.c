// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "views/theme.h"

#ifndef KT_THEME_DIR
#error "KT_THEME_DIR: the installed themes directory"
#endif

static const char *const style_names[KT_NR_STYLES] = {
	[KT_ROLE_TEXT] = "text",	[KT_ROLE_TITLE] = "title",
	[KT_ROLE_BANNER] = "banner",	[KT_ROLE_CRITICAL] = "critical",
	[KT_ROLE_ERROR] = "error",	[KT_ROLE_WARNING] = "warning",
	[KT_ROLE_DIM] = "dim",		[KT_ROLE_LINK] = "link",
	[KT_STYLE_HEADER] = "header",	[KT_STYLE_PANE] = "pane",
	[KT_STYLE_PANE_FOCUS] = "pane-focus",
	[KT_STYLE_SELECTION] = "selection",
	[KT_STYLE_SEARCH] = "search",	[KT_STYLE_STATUS] = "status",
	[KT_STYLE_HINT] = "hint",	[KT_STYLE_PROMPT] = "prompt",
};

/* The curses colour numbers 0-7, in their order. */
static const char *const color_names[] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

static const struct {
	const char *name;
	unsigned bit;
} attr_names[] = {
	{ "normal", 0 },
	{ "bold", KT_THEME_BOLD },
	{ "underline", KT_THEME_UNDERLINE },
	{ "reverse", KT_THEME_REVERSE },
	{ "dim", KT_THEME_DIM },
	{ "standout", KT_THEME_STANDOUT },
};

#define D KT_COLOR_DEFAULT
static const struct kt_theme_style defaults[KT_NR_STYLES] = {
	[KT_ROLE_TEXT] = { D, D, 0 },
	[KT_ROLE_TITLE] = { 6, D, KT_THEME_BOLD },
	[KT_ROLE_BANNER] = { 5, D, 0 },
	[KT_ROLE_CRITICAL] = { 1, D, KT_THEME_BOLD },
	[KT_ROLE_ERROR] = { 1, D, 0 },
	[KT_ROLE_WARNING] = { 3, D, 0 },
	[KT_ROLE_DIM] = { 4, D, 0 },
	[KT_ROLE_LINK] = { 2, D, 0 },
	[KT_STYLE_HEADER] = { D, D, KT_THEME_REVERSE },
	[KT_STYLE_PANE] = { D, D, KT_THEME_REVERSE },
	[KT_STYLE_PANE_FOCUS] = { D, D, KT_THEME_REVERSE | KT_THEME_BOLD },
	[KT_STYLE_SELECTION] = { D, D, KT_THEME_REVERSE },
	[KT_STYLE_SEARCH] = { D, D, KT_THEME_UNDERLINE | KT_THEME_BOLD },
	[KT_STYLE_STATUS] = { D, D, 0 },
	[KT_STYLE_HINT] = { D, D, KT_THEME_DIM },
	[KT_STYLE_PROMPT] = { D, D, KT_THEME_BOLD },
};
#undef D

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void kt_theme_init(struct kt_theme *th)
{
	memcpy(th->style, defaults, sizeof(th->style));
}

const char *kt_theme_style_name(int style)
{
	return style >= 0 && style < KT_NR_STYLES ? style_names[style] : "?";
}

static int find_style(const char *name)
{
	for (int s = 0; s < KT_NR_STYLES; s++)
		if (!strcmp(style_names[s], name))
			return s;
	return -1;
}

enum parsed { NOT_A_COLOR, COLOR_OK, COLOR_MISSING };

/*
 * @w as a colour into *ret (and KT_THEME_BOLD into *attrs for a bright
 * foreground the terminal can only show as bold).
 */
static enum parsed parse_color(const char *w, int ncolors, bool fg,
			       short *ret, unsigned *attrs, char *why,
			       size_t size)
{
	bool bright = !strncmp(w, "bright-", 7);
	char *end;
	long v;

	if (!strcmp(w, "default")) {
		*ret = KT_COLOR_DEFAULT;
		return COLOR_OK;
	}
	for (size_t i = 0; i < ARRAY_SIZE(color_names); i++) {
		if (strcmp(color_names[i], w + (bright ? 7 : 0)))
			continue;
		*ret = i + (bright && ncolors >= 16 ? 8 : 0);
		if (bright && ncolors < 16 && fg)
			*attrs |= KT_THEME_BOLD;
		return COLOR_OK;
	}
	errno = 0;
	v = strtol(w, &end, 10);
	if (*w < '0' || *w > '9' || *end || errno || v > 255)
		return NOT_A_COLOR;
	if (v >= ncolors) {
		snprintf(why, size, "colour %ld: the terminal has %d colours",
			 v, ncolors);
		return COLOR_MISSING;
	}
	*ret = v;
	return COLOR_OK;
}

static bool parse_attr(const char *w, unsigned *attrs)
{
	for (size_t i = 0; i < ARRAY_SIZE(attr_names); i++)
		if (!strcmp(attr_names[i].name, w)) {
			*attrs |= attr_names[i].bit;
			return true;
		}
	return false;
}

bool kt_theme_color(struct kt_theme *th, char *const *words, int n,
		    int ncolors, char *why, size_t size)
{
	struct kt_theme_style st = { KT_COLOR_DEFAULT, KT_COLOR_DEFAULT, 0 };
	int style = n ? find_style(words[0]) : -1;
	enum parsed p = COLOR_OK;

	if (ncolors <= 0 || ncolors > 256)
		ncolors = 256;
	if (n < 2) {
		snprintf(why, size, "expected: color ROLE FG [BG] [ATTR...]");
		return false;
	}
	if (style < 0) {
		snprintf(why, size, "unknown role (see ktriage(1), THEMES)");
		return false;
	}
	p = parse_color(words[1], ncolors, true, &st.fg, &st.attrs, why, size);
	if (p == NOT_A_COLOR)
		snprintf(why, size, "unknown colour (a name, bright-NAME or "
			 "0-255)");
	if (p != COLOR_OK)
		return false;
	for (int i = 2; i < n; i++) {
		if (i == 2) {
			p = parse_color(words[i], ncolors, false, &st.bg,
					&st.attrs, why, size);
			if (p == COLOR_MISSING)
				return false;
			if (p == COLOR_OK)
				continue;
		}
		if (!parse_attr(words[i], &st.attrs)) {
			snprintf(why, size, "unknown colour or attribute (bold "
				 "underline reverse dim standout)");
			return false;
		}
	}
	th->style[style] = st;
	return true;
}

const char *kt_theme_dir(void)
{
	return KT_THEME_DIR;
}

static bool plain_name(const char *name)
{
	if (!*name || *name == '.' || strlen(name) > 64)
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789._-") == strlen(name);
}

/* @dir/@name.theme into @path when it is there. */
static bool try_dir(const char *dir, size_t len, const char *name,
		    char *path, size_t size)
{
	int n = snprintf(path, size, "%.*s/%s.theme", (int)len, dir, name);

	return len && n > 0 && (size_t)n < size && access(path, R_OK) == 0;
}

bool kt_theme_find(const char *name, char *path, size_t size, char *why,
		   size_t wsize)
{
	const char *home = getenv("HOME"), *env = getenv("KTRIAGE_THEME_PATH");
	char dir[4096];

	if (!plain_name(name)) {
		snprintf(why, wsize, "a theme is a plain name ([A-Za-z0-9._-])");
		return false;
	}
	snprintf(dir, sizeof(dir), "%s/.config/ktriage/themes",
		 home ? home : "");
	if (home && try_dir(dir, strlen(dir), name, path, size))
		return true;
	for (const char *p = env; p && *p; p += strcspn(p, ":"), p += !!*p)
		if (try_dir(p, strcspn(p, ":"), name, path, size))
			return true;
	if (try_dir(KT_THEME_DIR, strlen(KT_THEME_DIR), name, path, size))
		return true;
	snprintf(why, wsize, "no theme %s in ~/.config/ktriage/themes, "
		 "$KTRIAGE_THEME_PATH or %s", name, KT_THEME_DIR);
	return false;
}
