// SPDX-License-Identifier: GPL-2.0-or-later
#include <curses.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/tui_keys.h"
#include "core/lines.h"

static const char *const action_names[KT_NR_ACTIONS] = {
	[KT_ACT_NONE] = "none",
#define X(id, name, help) [KT_ACT_##id] = name,
	KT_TUI_ACTIONS(X)
#undef X
};

static const char *const action_help[KT_NR_ACTIONS] = {
#define X(id, name, help) [KT_ACT_##id] = help,
	KT_TUI_ACTIONS(X)
#undef X
};

/* tig and htop habits: vi keys and arrows; digits switch views. */
static const char default_rc[] =
	"bind q quit\n"
	"bind k up\nbind Up up\nbind j down\nbind Down down\n"
	"bind PgUp page-up\nbind C-b page-up\n"
	"bind PgDn page-down\nbind C-f page-down\nbind Space page-down\n"
	"bind Home top\nbind End bottom\nbind G bottom\n"
	"bind Enter enter\nbind Tab next-pane\n"
	"bind < scroll-left\nbind > scroll-right\n"
	"bind Backspace back\nbind h back\nbind Left back\n"
	"bind L forward\nbind Right forward\n"
	"bind g goto\nbind : command\nbind / search\n"
	"bind n search-next\nbind N search-prev\nbind ? help\n"
	"bind 1 view-summary\nbind 2 view-backtrace\nbind 3 view-tasks\n"
	"bind 4 view-log\nbind 5 view-findings\nbind 6 view-notes\n"
	"bind F view-findings\n"
	"bind l source\nbind v vars\nbind t retype\nbind r raw\n"
	"bind d disasm\nbind s filter-state\nbind f filter-name\n"
	"bind c filter-cpu\nbind o sort\nbind a note\nbind V verdict\n"
	"bind e edit\nbind S filter-states\n"
	"bind C-l redraw\n";

static const struct {
	const char *name;
	int key;
} named_keys[] = {
	{ "Enter", '\n' },	{ "Enter", KEY_ENTER },	{ "Enter", '\r' },
	{ "Esc", 27 },		{ "Tab", '\t' },	{ "Space", ' ' },
	{ "Backspace", KEY_BACKSPACE }, { "Backspace", 127 },
	{ "Backspace", 8 },	{ "Up", KEY_UP },	{ "Down", KEY_DOWN },
	{ "Left", KEY_LEFT },	{ "Right", KEY_RIGHT },	{ "PgUp", KEY_PPAGE },
	{ "PgDn", KEY_NPAGE },	{ "Home", KEY_HOME },	{ "End", KEY_END },
};

const char *kt_key_name(int key, char *buf, size_t size)
{
	for (size_t i = 0; i < sizeof(named_keys) / sizeof(named_keys[0]); i++)
		if (named_keys[i].key == key)
			return named_keys[i].name;
	if (key > 0 && key < 27)
		snprintf(buf, size, "C-%c", 'a' + key - 1);
	else if (key > 32 && key < 127)
		snprintf(buf, size, "%c", key);
	else
		snprintf(buf, size, "key%d", key);
	return buf;
}

/* Every code a name stands for ("Enter" is three), or one. */
static size_t key_codes(const char *name, int *codes, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < sizeof(named_keys) / sizeof(named_keys[0]); i++)
		if (!strcmp(named_keys[i].name, name) && n < max)
			codes[n++] = named_keys[i].key;
	if (n)
		return n;
	if (name[0] == 'C' && name[1] == '-' && name[2] >= 'a' &&
	    name[2] <= 'z' && !name[3])
		codes[n++] = name[2] - 'a' + 1;
	else if (name[0] > 32 && name[0] < 127 && !name[1])
		codes[n++] = name[0];
	return n;
}

static void add_more(struct kt_keymap *km)
{
	char *s;

	if (asprintf(&s, "%s(more bad lines: not listed)\n",
		     km->errors ? km->errors : "") >= 0) {
		free(km->errors);
		km->errors = s;
	}
}

static void add_error(struct kt_keymap *km, const char *source, int line,
		      const char *what)
{
	const char *before = km->errors ? km->errors : "";
	char *s;
	int r;

	// A file of garbage must not make a list of garbage (nor take
	// quadratic time to make it).
	if (km->nerrors++ >= KT_KEYMAP_MAX_ERRORS) {
		if (km->nerrors == KT_KEYMAP_MAX_ERRORS + 1)
			add_more(km);
		return;
	}
	r = source ? asprintf(&s, "%s%s:%d: %s\n", before, source, line, what) :
		     asprintf(&s, "%s%s\n", before, what);
	if (r < 0)
		return;
	free(km->errors);
	km->errors = s;
}

static enum kt_tui_action find_action(const char *name)
{
	for (int a = 0; a < KT_NR_ACTIONS; a++)
		if (!strcmp(action_names[a], name))
			return a;
	return -1;
}

static void bind_line(struct kt_keymap *km, char **words, int n,
		      const char *source, int lineno)
{
	int codes[4], a;
	size_t nc;

	if (n != 3) {
		add_error(km, source, lineno, "expected: bind KEY ACTION");
		return;
	}
	nc = key_codes(words[1], codes, 4);
	a = find_action(words[2]);
	if (!nc || a < 0) {
		add_error(km, source, lineno, !nc ? "unknown key" :
			  "unknown action (see ? for the list)");
		return;
	}
	for (size_t i = 0; i < nc; i++)
		if (codes[i] >= 0 && codes[i] < KT_TUI_MAX_KEY)
			km->action[codes[i]] = a;
}

static void color_line(struct kt_keymap *km, char **words, int n,
		       const char *source, int lineno)
{
	char why[160];

	if (!kt_theme_color(&km->theme, words, n, km->ncolors, why,
			    sizeof(why)))
		add_error(km, source, lineno, why);
}

static void theme_line(struct kt_keymap *km, char **words, int n,
		       const char *source, int lineno)
{
	char path[4096], why[4096 + 160];

	if (n != 1)
		add_error(km, source, lineno, "expected: theme NAME");
	else if (!kt_theme_find(words[0], path, sizeof(path), why,
				sizeof(why)))
		add_error(km, source, lineno, why);
	else
		kt_keymap_load_theme(km, path);
}

/* A color line holds ten words at most: color ROLE FG BG and six attrs. */
#define RC_MAX_WORDS 10

/* One line of a ktriagerc, or of a theme file (@in_theme: colours only). */
static void parse_line(struct kt_keymap *km, char *s, const char *source,
		       int lineno, bool in_theme)
{
	char *words[RC_MAX_WORDS + 1], *save = NULL, *w;
	int n = 0;

	while (n <= RC_MAX_WORDS &&
	       (w = strtok_r(n ? NULL : s, " \t\r", &save)))
		words[n++] = w;
	if (!n || words[0][0] == '#')
		return;
	if (n > RC_MAX_WORDS)
		add_error(km, source, lineno, "too many words");
	else if (!strcmp(words[0], "color"))
		color_line(km, words + 1, n - 1, source, lineno);
	else if (in_theme)
		add_error(km, source, lineno, "expected: color ROLE FG [BG] "
			  "[ATTR...] (a theme sets colours only)");
	else if (!strcmp(words[0], "theme"))
		theme_line(km, words + 1, n - 1, source, lineno);
	else if (!strcmp(words[0], "bind"))
		bind_line(km, words, n, source, lineno);
	else
		add_error(km, source, lineno, "expected: bind KEY ACTION, "
			  "color ROLE FG [BG] [ATTR...] or theme NAME");
}

void kt_keymap_parse(struct kt_keymap *km, const char *text,
		     const char *source)
{
	char *copy = strdup(text), *p = copy, *line;
	int lineno = 0;

	while (p && (line = strsep(&p, "\n")))
		parse_line(km, line, source, ++lineno, false);
	free(copy);
}

/* A ktriagerc is a few dozen short lines: anything far beyond is not one. */
#define RC_MAX_LINE 4096
#define RC_MAX_SIZE (1u << 20)

static void load_file(struct kt_keymap *km, FILE *fp, const char *path,
		      bool in_theme)
{
	struct kt_lines lines;
	struct kt_error *err;
	size_t len;
	char *line;

	kt_lines_init(&lines, fp, path, RC_MAX_LINE, RC_MAX_SIZE);
	do {
		err = kt_lines_next(&lines, &line, &len);
		if (err) {
			// Said as it is: it names the file and the line.
			add_error(km, NULL, 0, err->message);
			kt_error_destroy(err);
		} else if (line) {
			parse_line(km, line, path, lines.lineno, in_theme);
		}
	} while (err || line);
	kt_lines_deinit(&lines);
}

void kt_keymap_load_theme(struct kt_keymap *km, const char *path)
{
	FILE *fp = fopen(path, "r");

	if (!fp) {
		add_error(km, path, 0, strerror(errno));
		return;
	}
	load_file(km, fp, path, true);
	fclose(fp);
}

void kt_keymap_load(struct kt_keymap *km, const char *path, int ncolors)
{
	char buf[4096];
	const char *home = getenv("HOME");
	FILE *fp;

	memset(km, 0, sizeof(*km));
	km->ncolors = ncolors;
	kt_theme_init(&km->theme);
	kt_keymap_parse(km, default_rc, "defaults");
	if (!path && home) {
		snprintf(buf, sizeof(buf), "%s/.config/ktriage/ktriagerc", home);
		path = buf;
	}
	if (!path || !(fp = fopen(path, "r"))) {
		if (path && errno != ENOENT)
			add_error(km, path, 0, strerror(errno));
		return;
	}
	load_file(km, fp, path, false);
	fclose(fp);
}

enum kt_tui_action kt_keymap_lookup(const struct kt_keymap *km, int key)
{
	return key >= 0 && key < KT_TUI_MAX_KEY ? km->action[key] :
						  KT_ACT_NONE;
}

static bool has_word(const char *list, const char *w)
{
	size_t n = strlen(w);

	if (!n)
		return false;
	for (const char *p = list; (p = strstr(p, w)); p += n)
		if ((p == list || p[-1] == ' ') && (!p[n] || p[n] == ' '))
			return true;
	return false;
}

char *kt_keymap_help(const struct kt_keymap *km)
{
	char *out = NULL, keys[64], name[16];
	size_t size = 0;
	FILE *fp = open_memstream(&out, &size);

	if (!fp)
		return NULL;
	for (int a = 1; a < KT_NR_ACTIONS; a++) {
		*keys = 0;
		for (int k = 0; k < KT_TUI_MAX_KEY; k++) {
			const char *kn;

			if (km->action[k] != a)
				continue;
			kn = kt_key_name(k, name, sizeof(name));
			// Enter and Backspace have several codes: name once.
			if (has_word(keys, kn))
				continue;
			if (strlen(keys) + strlen(kn) + 2 < sizeof(keys))
				snprintf(keys + strlen(keys),
					 sizeof(keys) - strlen(keys), "%s%s",
					 *keys ? " " : "", kn);
		}
		fprintf(fp, "%-18s %-15s %s\n", keys, action_names[a],
			action_help[a]);
	}
	fclose(fp);
	return out;
}

void kt_keymap_deinit(struct kt_keymap *km)
{
	free(km->errors);
	km->errors = NULL;
}
