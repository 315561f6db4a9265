// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Colour themes without a terminal: `color` and `theme` lines of a
 * ktriagerc give the table views/draw.c draws with; each theme of
 * assets/themes parses and sets every role, and default.theme is the
 * compiled-in table. tests/test_tui.c reads the colours back from a screen.
 */
#include <criterion/criterion.h>
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/tui_keys.h"
#include "tests/helpers.h"

#define THEMES KT_SOURCE_DIR "/assets/themes"

static const char *const shipped[] = {
	"default", "light", "solarized-dark", "high-contrast",
};

/* A keymap whose colours are all 200 on 201, bold: what no theme says. */
static void init_marked(struct kt_keymap *km, int ncolors)
{
	memset(km, 0, sizeof(*km));
	km->ncolors = ncolors;
	for (int s = 0; s < KT_NR_STYLES; s++)
		km->theme.style[s] = (struct kt_theme_style){ 200, 201,
							      KT_THEME_BOLD };
}

static bool marked(const struct kt_theme_style *st)
{
	return st->fg == 200 && st->bg == 201 && st->attrs == KT_THEME_BOLD;
}

/* Only the shipped themes are found: no ~/.config of whoever runs this. */
static void only_assets(void)
{
	cr_assert_eq(setenv("HOME", "/nonexistent", 1), 0);
	cr_assert_eq(setenv("KTRIAGE_THEME_PATH", THEMES, 1), 0);
}

TestSuite(theme, .init = only_assets);

Test(theme, default_theme_file_is_the_compiled_in_colours)
{
	char *text = kt_test_slurp(THEMES "/default.theme", NULL);
	struct kt_theme compiled;
	struct kt_keymap km;

	cr_assert_not_null(text);
	kt_theme_init(&compiled);
	init_marked(&km, 256);
	kt_keymap_parse(&km, text, "default.theme");
	cr_expect_null(km.errors, "%s", km.errors);
	for (int s = 0; s < KT_NR_STYLES; s++) {
		const struct kt_theme_style *a = &km.theme.style[s],
					    *b = &compiled.style[s];

		cr_expect(a->fg == b->fg && a->bg == b->bg &&
			  a->attrs == b->attrs, "%s: file %d %d %#x, compiled "
			  "%d %d %#x", kt_theme_style_name(s), a->fg, a->bg,
			  a->attrs, b->fg, b->bg, b->attrs);
	}
	kt_keymap_deinit(&km);
	free(text);
}

/* `theme NAME` for each shipped theme: no error, every role set. */
Test(theme, each_shipped_theme_sets_every_role)
{
	for (size_t i = 0; i < sizeof(shipped) / sizeof(shipped[0]); i++) {
		char line[64];
		struct kt_keymap km;

		init_marked(&km, 256);
		snprintf(line, sizeof(line), "theme %s\n", shipped[i]);
		kt_keymap_parse(&km, line, "rc");
		cr_expect_null(km.errors, "%s: %s", shipped[i], km.errors);
		for (int s = 0; s < KT_NR_STYLES; s++)
			cr_expect(!marked(&km.theme.style[s]), "%s: no %s",
				  shipped[i], kt_theme_style_name(s));
		kt_keymap_deinit(&km);
	}
}

/* On white, yellow, cyan and white text vanish: light.theme has none. */
Test(theme, light_theme_has_no_pale_text_on_the_background)
{
	struct kt_keymap km;

	init_marked(&km, 256);
	kt_keymap_parse(&km, "theme light\n", "rc");
	cr_assert_null(km.errors, "%s", km.errors);
	for (int s = 0; s < KT_NR_STYLES; s++) {
		const struct kt_theme_style *st = &km.theme.style[s];
		bool on_page = st->bg == KT_COLOR_DEFAULT ||
			       st->bg == COLOR_WHITE;
		bool pale = st->fg == COLOR_YELLOW || st->fg == COLOR_CYAN ||
			    st->fg == COLOR_WHITE;

		cr_expect(!on_page || !pale || (st->attrs & KT_THEME_REVERSE),
			  "%s: colour %d on the page", kt_theme_style_name(s),
			  st->fg);
	}
	kt_keymap_deinit(&km);
}

Test(theme, color_line_sets_colours_and_attributes)
{
	struct kt_keymap km;
	const struct kt_theme_style *t = &km.theme.style[KT_ROLE_TITLE];

	kt_keymap_load(&km, "/nonexistent/ktriagerc", 256);
	kt_keymap_parse(&km, "color title red blue underline bold\n"
			"color link 208\ncolor pane-focus bright-red\n"
			"color dim default bright-black\n", "rc");
	cr_expect_null(km.errors, "%s", km.errors);
	cr_expect(t->fg == 1 && t->bg == 4 &&
		  t->attrs == (KT_THEME_UNDERLINE | KT_THEME_BOLD));
	cr_expect_eq(km.theme.style[KT_ROLE_LINK].fg, 208);
	cr_expect_eq(km.theme.style[KT_ROLE_LINK].bg, KT_COLOR_DEFAULT);
	cr_expect_eq(km.theme.style[KT_STYLE_PANE_FOCUS].fg, 9);
	cr_expect_eq(km.theme.style[KT_STYLE_PANE_FOCUS].attrs, 0);
	cr_expect_eq(km.theme.style[KT_ROLE_DIM].bg, 8);
	kt_keymap_deinit(&km);
}

/* 8 colours: bright is bold, and a number past 7 is reported. */
Test(theme, eight_colour_terminal)
{
	struct kt_keymap km;

	kt_keymap_load(&km, "/nonexistent/ktriagerc", 8);
	kt_keymap_parse(&km, "color link 208\ncolor pane-focus bright-red "
			"bright-blue\n", "rc");
	cr_expect_str_eq(km.errors, "rc:1: colour 208: the terminal has 8 "
			 "colours\n");
	cr_expect_eq(km.theme.style[KT_ROLE_LINK].fg, COLOR_GREEN);
	cr_expect_eq(km.theme.style[KT_STYLE_PANE_FOCUS].fg, COLOR_RED);
	cr_expect_eq(km.theme.style[KT_STYLE_PANE_FOCUS].bg, COLOR_BLUE);
	cr_expect_eq(km.theme.style[KT_STYLE_PANE_FOCUS].attrs, KT_THEME_BOLD);
	kt_keymap_deinit(&km);
}

/* A theme file in a directory of its own (removed by the caller). */
static void write_theme(char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s.theme", dir, name);
	fp = fopen(path, "w");
	cr_assert_not_null(fp);
	fputs(text, fp);
	fclose(fp);
}

Test(theme, bad_lines_say_file_and_line_and_the_rest_applies)
{
	char dir[] = "/tmp/kt-themes-XXXXXX", want[1024];
	struct kt_keymap km;

	cr_assert_not_null(mkdtemp(dir));
	write_theme(dir, "bad", "# a theme\ncolor text red\ncolor nosuch red\n"
		    "bind q quit\ntheme light\ncolor dim green\n");
	cr_assert_eq(setenv("KTRIAGE_THEME_PATH", dir, 1), 0);
	kt_keymap_load(&km, "/nonexistent/ktriagerc", 256);
	kt_keymap_parse(&km, "color\ncolor title\ncolor title mauve\n"
			"color title red bold sparkly\ncolor title 256\n"
			"theme\ntheme ../etc/x\ntheme nosuch\ntheme bad\n"
			"colour title red\n", "rc");
	snprintf(want, sizeof(want),
		 "rc:1: expected: color ROLE FG [BG] [ATTR...]\n"
		 "rc:2: expected: color ROLE FG [BG] [ATTR...]\n"
		 "rc:3: unknown colour (a name, bright-NAME or 0-255)\n"
		 "rc:4: unknown colour or attribute (bold underline reverse "
		 "dim standout)\n"
		 "rc:5: unknown colour (a name, bright-NAME or 0-255)\n"
		 "rc:6: expected: theme NAME\n"
		 "rc:7: a theme is a plain name ([A-Za-z0-9._-])\n"
		 "rc:8: no theme nosuch in ~/.config/ktriage/themes, "
		 "$KTRIAGE_THEME_PATH or %s\n"
		 "%s/bad.theme:3: unknown role (see ktriage(1), THEMES)\n"
		 "%s/bad.theme:4: expected: color ROLE FG [BG] [ATTR...] (a "
		 "theme sets colours only)\n"
		 "%s/bad.theme:5: expected: color ROLE FG [BG] [ATTR...] (a "
		 "theme sets colours only)\n"
		 "rc:10: expected: bind KEY ACTION, color ROLE FG [BG] "
		 "[ATTR...] or theme NAME\n", kt_theme_dir(), dir, dir, dir);
	cr_expect_str_eq(km.errors, want);
	// The title kept its colour; the theme's good lines applied.
	cr_expect_eq(km.theme.style[KT_ROLE_TITLE].fg, COLOR_CYAN);
	cr_expect_eq(km.theme.style[KT_ROLE_TEXT].fg, COLOR_RED);
	cr_expect_eq(km.theme.style[KT_ROLE_DIM].fg, COLOR_GREEN);
	kt_keymap_deinit(&km);
	snprintf(want, sizeof(want), "rm -rf '%s'", dir);
	cr_expect_eq(system(want), 0);
}

/* ~/.config/ktriage/themes comes before $KTRIAGE_THEME_PATH. */
Test(theme, the_users_theme_comes_first)
{
	char home[] = "/tmp/kt-home-XXXXXX", dir[256], path[300], why[300];
	struct kt_keymap km;

	cr_assert_not_null(mkdtemp(home));
	snprintf(dir, sizeof(dir), "%s/.config/ktriage/themes", home);
	cr_assert_eq(mkdir(strcat(strcpy(path, home), "/.config"), 0700), 0);
	cr_assert_eq(mkdir(strcat(path, "/ktriage"), 0700), 0);
	cr_assert_eq(mkdir(dir, 0700), 0);
	write_theme(dir, "light", "color text magenta\n");
	cr_assert_eq(setenv("HOME", home, 1), 0);
	cr_assert(kt_theme_find("light", path, sizeof(path), why, sizeof(why)));
	cr_expect_str_eq(path, strcat(strcpy(why, dir), "/light.theme"));
	kt_keymap_load(&km, "/nonexistent/ktriagerc", 256);
	kt_keymap_parse(&km, "theme light\n", "rc");
	cr_expect_null(km.errors, "%s", km.errors);
	cr_expect_eq(km.theme.style[KT_ROLE_TEXT].fg, COLOR_MAGENTA);
	// Only the text: the rest is as before, not light.theme's.
	cr_expect_eq(km.theme.style[KT_ROLE_TITLE].fg, COLOR_CYAN);
	kt_keymap_deinit(&km);
	snprintf(path, sizeof(path), "rm -rf '%s'", home);
	cr_expect_eq(system(path), 0);
}
