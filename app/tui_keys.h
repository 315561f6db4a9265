/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The workbench's actions and key bindings. Every action is one line of
 * KT_TUI_ACTIONS with its help text; the default bindings are the text
 * of a ktriagerc compiled in, and the user's file is read the same way.
 * A ktriagerc also sets colours: `color ROLE FG [BG] [ATTR...]` lines and
 * `theme NAME`, which reads the color lines of NAME.theme (views/theme.h
 * says where it looks).
 */
#ifndef KT_APP_TUI_KEYS_H
#define KT_APP_TUI_KEYS_H

#include <stddef.h>

#include "views/theme.h"

#define KT_TUI_ACTIONS(X)                                                   \
	X(QUIT, "quit", "leave the workbench")                               \
	X(UP, "up", "previous row")                                          \
	X(DOWN, "down", "next row")                                          \
	X(PAGE_UP, "page-up", "a page up")                                   \
	X(PAGE_DOWN, "page-down", "a page down")                             \
	X(TOP, "top", "first row")                                           \
	X(BOTTOM, "bottom", "last row")                                      \
	X(ENTER, "enter", "follow a link; open/close a member") \
	X(NEXT_PANE, "next-pane", "move to the next pane")                   \
	X(SCROLL_LEFT, "scroll-left", "show the left of long rows")          \
	X(SCROLL_RIGHT, "scroll-right", "show the rest of long rows")        \
	X(BACK, "back", "go back in history")                                \
	X(FORWARD, "forward", "go forward in history")                       \
	X(GOTO, "goto", "go to an address, symbol or PID")                   \
	X(COMMAND, "command", "run a batch command, show its output")        \
	X(SEARCH, "search", "search this view")                              \
	X(SEARCH_NEXT, "search-next", "next match")                          \
	X(SEARCH_PREV, "search-prev", "previous match")                      \
	X(HELP, "help", "this help")                                         \
	X(VIEW_SUMMARY, "view-summary", "landing screen")                    \
	X(VIEW_BT, "view-backtrace", "backtrace of the panic task")          \
	X(VIEW_TASKS, "view-tasks", "tasks (ps)")                            \
	X(VIEW_LOG, "view-log", "kernel log")                                \
	X(VIEW_FINDINGS, "view-findings", "analyzers' findings")             \
	X(VIEW_NOTES, "view-notes", "notes and verdicts of the case")        \
	X(SOURCE, "source", "backtrace: source lines of the frame")          \
	X(VARS, "vars", "backtrace: parameters and locals of the frame")     \
	X(RETYPE, "retype", "inspector: view the address as another type")   \
	X(RAW, "raw", "inspector: raw words (rd -S)")                        \
	X(DISASM, "disasm", "inspector: disassembly (dis -l)")               \
	X(FILTER_STATE, "filter-state", "tasks: cycle state all/UN/RU/IN")   \
	X(FILTER_STATES, "filter-states",                                     \
	  "tasks: several states at once (UN RU)")                            \
	X(FILTER_NAME, "filter-name", "tasks: filter by name (a part, or a glob)") \
	X(FILTER_CPU, "filter-cpu", "tasks: filter by CPU")                  \
	X(SORT, "sort", "tasks: cycle sort pid/state/cpu/comm")              \
	X(NOTE, "note", "add a note on the selected object")                 \
	X(VERDICT, "verdict", "set a verdict: KIND TEXT, on a finding or case")\
	X(EDIT, "edit", "notes: edit the selected note (a new revision)")    \
	X(REDRAW, "redraw", "redraw the screen")

enum kt_tui_action {
	KT_ACT_NONE,
#define X(id, name, help) KT_ACT_##id,
	KT_TUI_ACTIONS(X)
#undef X
	KT_NR_ACTIONS,
};

#define KT_TUI_MAX_KEY 1024

/** What a ktriagerc says: key bindings and colours. */
struct kt_keymap {
	unsigned char action[KT_TUI_MAX_KEY];	/* by curses key code */
	struct kt_theme theme;
	int ncolors;		/* the terminal's; 0: not known (256) */
	char *errors;		/* bad lines, one a line (malloc()ed) */
	unsigned nerrors;	/* the first KT_KEYMAP_MAX_ERRORS are listed */
};

#define KT_KEYMAP_MAX_ERRORS 20

/**
 * The default bindings and colours, then @path's (NULL:
 * ~/.config/ktriage/ktriagerc), for a terminal of @ncolors colours (0: not
 * known).
 */
void kt_keymap_load(struct kt_keymap *km, const char *path, int ncolors);

/**
 * Apply the "bind KEY ACTION", "color ..." and "theme NAME" lines of
 * @text (@source in messages); bad lines go to km->errors.
 */
void kt_keymap_parse(struct kt_keymap *km, const char *text,
		     const char *source);

/** Apply the color lines of the theme file @path, as `theme` does. */
void kt_keymap_load_theme(struct kt_keymap *km, const char *path);

enum kt_tui_action kt_keymap_lookup(const struct kt_keymap *km, int key);

/** A key's name as ktriagerc writes it: "j", "Enter", "C-f", "Up". */
const char *kt_key_name(int key, char *buf, size_t size);

/** The help text's lines: key(s), action, what it does (malloc()ed). */
char *kt_keymap_help(const struct kt_keymap *km);

void kt_keymap_deinit(struct kt_keymap *km);

#endif /* KT_APP_TUI_KEYS_H */
