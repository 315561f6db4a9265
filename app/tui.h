/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The curses workbench: an event loop over the views of views/, a key
 * table (tui_keys.c), history and the wiring to batch commands.
 *
 * kt_tui_main() owns the terminal. The other calls let a test drive the
 * workbench on a screen it made with newterm(): feed keys, read the
 * screen back.
 */
#ifndef KT_APP_TUI_H
#define KT_APP_TUI_H

#include <stdbool.h>

#include "app/output.h"

struct kt_tui;

struct kt_tui_options {
	bool mono;		/* --mono, or $NO_COLOR set */
	const char *rc_path;	/* NULL: ~/.config/ktriage/ktriagerc */
};

/**
 * Run the workbench on the terminal until the user quits or a signal
 * (SIGINT, SIGTERM, SIGHUP) arrives; the terminal is restored on every
 * exit path. Returns the exit status.
 */
int kt_tui_main(struct kt_cmd_ctx *ctx, const struct kt_tui_options *o);

/** The workbench on the current curses screen (initialised by the caller). */
struct kt_tui *kt_tui_create(struct kt_cmd_ctx *ctx,
			     const struct kt_tui_options *o);

/** Handle one key (a curses key code) and redraw; false once it quits. */
bool kt_tui_key(struct kt_tui *t, int key);

/** Redraw the whole screen (after a resize, say). */
void kt_tui_draw(struct kt_tui *t);

/** The screen's text, a line per row, right-trimmed (malloc()ed). */
char *kt_tui_screen_text(void);

/** The text of the focused pane's selected row ("" when none). */
const char *kt_tui_selected(struct kt_tui *t);

/** Errors found in the key configuration, one a line ("" when none). */
const char *kt_tui_rc_errors(const struct kt_tui *t);

void kt_tui_destroy(struct kt_tui *t);

#endif /* KT_APP_TUI_H */
