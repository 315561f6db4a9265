/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The workbench's state, shared by tui.c (loop, keys) and tui_load.c. */
#ifndef KT_APP_TUI_PRIVATE_H
#define KT_APP_TUI_PRIVATE_H

#include <string.h>

#include "app/tui.h"
#include "app/tui_keys.h"
#include "core/stack.h"
#include "views/draw.h"
#include "views/views.h"

enum tui_view {
	TV_SUMMARY,
	TV_BT,
	TV_INSPECT,
	TV_TASKS,
	TV_LOG,
	TV_FINDINGS,
	TV_NOTES,
	TV_OUTPUT,	/* a batch command's output */
	TV_HELP,
};

/* Where the user is: what history remembers. */
struct tui_place {
	enum tui_view view;
	uint64_t addr;		/* task (bt), object (inspect) */
	int pid;
	int index;		/* frame, log record, finding */
	char type[KT_LINK_TYPE];	/* inspect: the type; notes: target */
	char cmd[256];		/* output: the command */
	unsigned serial;	/* output: its text in kt_tui.outputs */
	size_t sel, top;
};

enum { PANE_MAIN, PANE_LEFT, PANE_RIGHT, NR_PANES };
enum side_mode { SIDE_REGS, SIDE_SOURCE, SIDE_VARS };

#define HISTORY 64
/* Every place history can reach: a command runs once, never again on
 * back/forward (`:note add` must not add twice). */
#define OUTPUTS (2 * HISTORY + 2)

struct kt_tui {
	struct kt_cmd_ctx *ctx;
	struct kt_keymap keys;
	struct tui_place cur;
	struct tui_place back[HISTORY], fwd[HISTORY];
	int nback, nfwd;
	struct kt_pane pane[NR_PANES];
	int focus;
	struct kt_trace tr;	/* the backtrace view's, of tr_task */
	uint64_t tr_task;
	bool has_tr;
	size_t tr_frame;	/* the frame the side panes show */
	enum side_mode side;
	char expanded[4096];	/* inspector: open member paths */
	struct kt_task_filter flt;
	struct kt_view_finding *vf;	/* the findings, as views see them */
	size_t nvf;
	const struct kt_analysis *an;
	bool analysed;
	char search[128];
	char status[256];
	/* the prompt on the last line, when prompting */
	int prompt;		/* enum kt_tui_action asking, or 0 */
	char input[256];
	size_t input_len;
	bool quit;
	char edit_uuid[37];	/* the note the edit prompt is for */
	uint64_t choices[9];	/* a row's addresses, to pick one of */
	size_t nchoices;
	struct {
		unsigned serial;
		char *text;
	} outputs[OUTPUTS];
	unsigned next_serial;
};

/* Copy @src into @dst of @size bytes, cut and always terminated. */
static inline void tui_copy(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = 0;
}

/* tui_load.c */
void tui_load(struct kt_tui *t);
void tui_bt_sides(struct kt_tui *t);
void tui_analyse(struct kt_tui *t);
char *tui_capture(struct kt_tui *t, const char *cmd);
char *tui_capture_long(struct kt_tui *t, const char *cmd);
void tui_note_target(struct kt_tui *t, const struct kt_row *r, char *buf,
		     size_t size);
void tui_add_note(struct kt_tui *t, const char *target, const char *text);
void tui_edit_start(struct kt_tui *t);
void tui_edit_note(struct kt_tui *t, const char *text);
void tui_set_verdict(struct kt_tui *t, const char *target, char *input);
const char *tui_view_name(enum tui_view v);
void tui_status(struct kt_tui *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void tui_draw_status(struct kt_tui *t);

#endif /* KT_APP_TUI_PRIVATE_H */
