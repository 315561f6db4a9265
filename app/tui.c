// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The workbench's event loop: keys become actions (tui_keys.c), actions
 * move through views and history, and every key ends in one redraw of the
 * whole screen, so a resize or a half-drawn view never lingers.
 */
#include <ctype.h>
#include <curses.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "app/tui_private.h"
#include "core/program.h"
#include "core/task.h"

#define ESC 27

static int page(void)
{
	return LINES > 6 ? LINES - 4 : 1;
}

static struct kt_pane *focused(struct kt_tui *t)
{
	return &t->pane[t->cur.view == TV_BT ? t->focus : PANE_MAIN];
}

static const struct kt_row *selected(struct kt_tui *t)
{
	struct kt_pane *p = focused(t);

	return p->sel < p->rows.n ? &p->rows.v[p->sel] : NULL;
}

static void remember(struct kt_tui *t, struct tui_place *p)
{
	*p = t->cur;
	p->sel = t->pane[PANE_MAIN].sel;
	p->top = t->pane[PANE_MAIN].top;
}

/* Where Enter does something: the landing starts on the panic task. */
static void first_link(struct kt_pane *p)
{
	for (size_t i = 0; i < p->rows.n; i++) {
		if (p->rows.v[i].link.kind == KT_LINK_TASK) {
			p->sel = i;
			return;
		}
	}
}

/*
 * The inspector starts past kmem's text (up to the first empty row), on
 * the object's first member or on what says why there is none.
 */
static void first_member(struct kt_pane *p)
{
	size_t i = 0;

	while (i < p->rows.n && *p->rows.v[i].text)
		i++;
	if (++i < p->rows.n && p->rows.v[i].role == KT_ROLE_TITLE)
		i++;
	if (i < p->rows.n)
		p->sel = i;
}

/* Show @p, restoring its selection (history) or starting at the top. */
static void show(struct kt_tui *t, const struct tui_place *p, bool restore)
{
	t->cur = *p;
	t->focus = PANE_MAIN;
	tui_load(t);
	if (restore) {
		t->pane[PANE_MAIN].sel = p->sel;
		t->pane[PANE_MAIN].top = p->top;
	}
	if (t->cur.view == TV_BT)
		tui_bt_sides(t);
	else if (!restore && t->cur.view == TV_SUMMARY)
		first_link(&t->pane[PANE_MAIN]);
	else if (!restore && t->cur.view == TV_INSPECT)
		first_member(&t->pane[PANE_MAIN]);
}

static void go(struct kt_tui *t, const struct tui_place *p)
{
	if (t->nback == HISTORY) {
		memmove(t->back, t->back + 1, sizeof(t->back[0]) * --t->nback);
	}
	remember(t, &t->back[t->nback++]);
	t->nfwd = 0;
	if (p->view == TV_INSPECT && (p->addr != t->cur.addr ||
				      t->cur.view != TV_INSPECT))
		*t->expanded = 0;
	show(t, p, false);
}

static void history(struct kt_tui *t, bool backward)
{
	struct tui_place *from = backward ? t->back : t->fwd;
	struct tui_place *to = backward ? t->fwd : t->back;
	int *nfrom = backward ? &t->nback : &t->nfwd;
	int *nto = backward ? &t->nfwd : &t->nback;

	if (!*nfrom) {
		tui_status(t, backward ? "at the start of history" :
			   "at the end of history");
		return;
	}
	if (*nto < HISTORY)
		remember(t, &to[(*nto)++]);
	show(t, &from[--*nfrom], true);
}

static void open_task(struct kt_tui *t, uint64_t task, int pid, int frame)
{
	struct tui_place p = { .view = TV_BT, .addr = task, .pid = pid,
			       .index = frame };

	if (t->cur.view == TV_BT && t->cur.addr == task) {
		// The same backtrace: only move to the frame.
		for (size_t i = 0; i < t->pane[PANE_MAIN].rows.n; i++)
			if (t->pane[PANE_MAIN].rows.v[i].link.kind ==
			    KT_LINK_FRAME &&
			    t->pane[PANE_MAIN].rows.v[i].link.index == frame)
				t->pane[PANE_MAIN].sel = i;
		t->focus = PANE_MAIN;
		tui_bt_sides(t);
		return;
	}
	go(t, &p);
}

static void open_addr(struct kt_tui *t, uint64_t addr, const char *type)
{
	struct tui_place p = { .view = TV_INSPECT, .addr = addr };

	// The object's own address (kmem's first line) adds nothing.
	if (t->cur.view == TV_INSPECT && t->cur.addr == addr &&
	    (!type || !*type)) {
		tui_status(t, "already here (t retypes)");
		return;
	}
	tui_copy(p.type, sizeof(p.type), type ? type : "");
	go(t, &p);
}

static void select_link(struct kt_tui *t, enum kt_link_kind kind, int index)
{
	struct kt_pane *m = &t->pane[PANE_MAIN];

	for (size_t i = 0; i < m->rows.n; i++) {
		if (m->rows.v[i].link.kind == kind &&
		    m->rows.v[i].link.index == index) {
			m->sel = i;
			m->top = i > (size_t)page() / 3 ? i - page() / 3 : 0;
			return;
		}
	}
}

static void open_view(struct kt_tui *t, enum tui_view v)
{
	struct tui_place p = { .view = v };

	go(t, &p);
}

static void toggle_expand(struct kt_tui *t, const char *path)
{
	size_t len = strlen(path), sel = t->pane[PANE_MAIN].sel;
	size_t top = t->pane[PANE_MAIN].top;
	char *e = t->expanded, *hit = NULL;

	for (char *p = e; (p = strstr(p, path)); p++) {
		if ((p == e || p[-1] == '\n') && (p[len] == '\n' || !p[len])) {
			hit = p;
			break;
		}
	}
	if (hit) {
		memmove(hit, hit + len + (hit[len] == '\n'),
			strlen(hit + len + (hit[len] == '\n')) + 1);
	} else if (strlen(e) + len + 2 < sizeof(t->expanded)) {
		strcat(e, path);
		strcat(e, "\n");
	} else {
		tui_status(t, "too many members open");
	}
	tui_load(t);
	t->pane[PANE_MAIN].sel = sel;
	t->pane[PANE_MAIN].top = top;
}

static void follow(struct kt_tui *t)
{
	const struct kt_row *r = selected(t);
	struct kt_link l;
	bool here;

	if (!r || r->link.kind == KT_LINK_NONE) {
		tui_status(t, "nothing to follow here");
		return;
	}
	l = r->link;
	switch (l.kind) {
	case KT_LINK_ADDR:
		// A command's line may hold several: ask which.
		if (!*l.type && (t->nchoices = kt_rows_find_addresses(
			r->text, t->choices, 9)) > 1) {
			t->prompt = KT_ACT_ENTER;
			break;
		}
		open_addr(t, l.addr, l.type);
		break;
	case KT_LINK_TASK:
		open_task(t, l.addr, l.pid, 0);
		break;
	case KT_LINK_FRAME:
		// Enter on a frame of this backtrace goes into its words;
		// a jump from elsewhere lands on the frame.
		here = t->cur.view == TV_BT && t->cur.addr == l.addr;
		open_task(t, l.addr, l.pid, l.index);
		if (here)
			t->focus = PANE_RIGHT;
		break;
	case KT_LINK_FINDING:
		if (t->cur.view != TV_FINDINGS)
			open_view(t, TV_FINDINGS);
		select_link(t, KT_LINK_FINDING, l.index);
		break;
	case KT_LINK_LOG:
		if (t->cur.view == TV_LOG)
			break;
		open_view(t, TV_LOG);
		select_link(t, KT_LINK_LOG, l.index);
		break;
	case KT_LINK_EXPAND:
		toggle_expand(t, l.type);
		break;
	case KT_LINK_TASKS:
		tui_copy(t->flt.state, sizeof(t->flt.state), l.type);
		open_view(t, TV_TASKS);
		break;
	default:
		break;
	}
}

static void panic_bt(struct kt_tui *t)
{
	const struct kt_task_list *list;
	const struct kt_task *task;
	uint64_t addr;
	int cpu;

	if (kt_error_catch_any(kt_task_panicked(t->ctx->prog, &cpu, &addr)) ||
	    kt_error_catch_any(kt_tasks_load(t->ctx->prog, &list)) ||
	    !(task = kt_task_by_addr(list, addr))) {
		tui_status(t, "no CPU panicked: pick a task (3)");
		return;
	}
	open_task(t, task->addr, task->pid, 0);
}

/* g: a PID, an address, or a symbol. */
static void goto_target(struct kt_tui *t, const char *s)
{
	const struct kt_task_list *list;
	const struct kt_task *task;
	char *end;
	unsigned long long v;

	v = strtoull(s, &end, 10);
	if (*s && !*end && !kt_error_catch_any(kt_tasks_load(t->ctx->prog,
							     &list))) {
		task = kt_task_by_pid(list, (int)v);
		if (task)
			open_task(t, task->addr, task->pid, 0);
		else
			tui_status(t, "no task with PID %llu", v);
		return;
	}
	v = strtoull(s, &end, 16);
	if (*s && !*end) {
		open_addr(t, v, NULL);
		return;
	}
	if (!kt_error_catch_any(kt_symbol_address(t->ctx->prog, s,
						  (uint64_t *)&v))) {
		char type[KT_LINK_TYPE];

		// A variable opens with its type, a function untyped.
		if (!kt_view_variable_type(t->ctx->prog, s, type, sizeof(type)))
			*type = 0;
		open_addr(t, v, type);
		return;
	}
	tui_status(t, "not a PID, address or symbol: %.64s", s);
}

static void search(struct kt_tui *t, bool backward, bool skip)
{
	struct kt_pane *p = focused(t);
	long i;

	if (!*t->search)
		return;
	i = kt_rows_search(&p->rows, t->search, skip ? p->sel + (backward ?
			   p->rows.n - 1 : 1) : p->sel, backward);
	if (i < 0) {
		tui_status(t, "not found: %s", t->search);
		return;
	}
	p->sel = i;
	// A jump shows some context above the match.
	p->top = i > page() / 3 ? (size_t)(i - page() / 3) : 0;
	tui_status(t, "/%s", t->search);
	if (t->cur.view == TV_BT && p == &t->pane[PANE_MAIN])
		tui_bt_sides(t);
}

static void start_prompt(struct kt_tui *t, enum kt_tui_action a)
{
	t->prompt = a;
	t->input_len = 0;
	*t->input = 0;
}

/* "un ru" or "UN,RU": the states shown, written "UN,RU"; "": all. */
static void set_states(struct kt_tui *t, const char *input)
{
	char *s = t->flt.state;
	size_t n = 0, len;

	*s = 0;
	for (const char *p = input; *p; p += len) {
		p += strspn(p, ", ");
		len = strcspn(p, ", ");
		if (!len || n + len + 2 > sizeof(t->flt.state))
			continue;
		if (n)
			s[n++] = ',';
		for (size_t i = 0; i < len; i++)
			s[n++] = toupper((unsigned char)p[i]);
		s[n] = 0;
	}
	tui_load(t);
}

static void run_prompt_filters(struct kt_tui *t, int a)
{
	switch (a) {
	case KT_ACT_FILTER_NAME:
		tui_copy(t->flt.name, sizeof(t->flt.name), t->input);
		tui_load(t);
		break;
	case KT_ACT_FILTER_CPU:
		t->flt.cpu = *t->input ? atoi(t->input) : -1;
		tui_load(t);
		break;
	case KT_ACT_FILTER_STATES:
		set_states(t, t->input);
		break;
	}
}

static void run_prompt(struct kt_tui *t)
{
	int a = t->prompt;
	struct tui_place p = { .view = TV_OUTPUT };
	char target[KT_LINK_TYPE + 64];

	t->prompt = 0;
	if (!*t->input && a != KT_ACT_FILTER_NAME && a != KT_ACT_FILTER_CPU &&
	    a != KT_ACT_FILTER_STATES)
		return;
	switch (a) {
	case KT_ACT_COMMAND:
		tui_copy(p.cmd, sizeof(p.cmd), t->input);
		go(t, &p);
		break;
	case KT_ACT_SEARCH:
		tui_copy(t->search, sizeof(t->search), t->input);
		search(t, false, false);
		break;
	case KT_ACT_GOTO:
		goto_target(t, t->input);
		break;
	case KT_ACT_RETYPE:
		open_addr(t, t->cur.addr, t->input);
		break;
	case KT_ACT_NOTE:
		tui_note_target(t, selected(t), target, sizeof(target));
		tui_add_note(t, target, t->input);
		break;
	case KT_ACT_EDIT:
		tui_edit_note(t, t->input);
		break;
	case KT_ACT_VERDICT:
		// Verdicts are on findings or on the case, nothing else.
		tui_note_target(t, selected(t), target, sizeof(target));
		if (strncmp(target, "finding:", 8))
			snprintf(target, sizeof(target), "case");
		tui_set_verdict(t, target, t->input);
		break;
	default:
		run_prompt_filters(t, a);
		break;
	}
	// The notes view shows what was just written.
	if ((a == KT_ACT_NOTE || a == KT_ACT_VERDICT || a == KT_ACT_EDIT) &&
	    t->cur.view == TV_NOTES)
		tui_load(t);
}

static void prompt_key(struct kt_tui *t, int key)
{
	if (t->prompt == KT_ACT_ENTER) {
		t->prompt = 0;
		if (key >= '1' && key < '1' + (int)t->nchoices)
			open_addr(t, t->choices[key - '1'], NULL);
		else if (key == '\n' || key == '\r' || key == KEY_ENTER)
			open_addr(t, t->choices[0], NULL);
		else
			tui_status(t, "cancelled");
		return;
	}
	if (key == ESC) {
		t->prompt = 0;
		tui_status(t, "cancelled");
	} else if (key == '\n' || key == '\r' || key == KEY_ENTER) {
		run_prompt(t);
	} else if (key == KEY_BACKSPACE || key == 127 || key == 8) {
		if (t->input_len)
			t->input[--t->input_len] = 0;
		else
			t->prompt = 0;
	} else if (key >= 32 && key < 256 && key != 127 &&
		   t->input_len + 1 < sizeof(t->input)) {
		// Bytes of UTF-8 arrive one by one; the prompt draws invalid
		// sequences as '?', and the case refuses to store them.
		t->input[t->input_len++] = key;
		t->input[t->input_len] = 0;
	}
}

static void move_sel(struct kt_tui *t, long delta)
{
	struct kt_pane *p = focused(t);

	kt_pane_move(p, delta);
	if (t->cur.view == TV_BT && p == &t->pane[PANE_MAIN])
		tui_bt_sides(t);
}

static void cycle_state(struct kt_tui *t)
{
	static const char *const states[] = { "", "UN", "RU", "IN" };
	size_t i = 0;

	while (i < 4 && strcmp(states[i], t->flt.state))
		i++;
	snprintf(t->flt.state, sizeof(t->flt.state), "%s",
		 states[(i + 1) % 4]);
	tui_load(t);
}

static void next_sort(struct kt_tui *t)
{
	t->flt.sort = (t->flt.sort + 1) % 4;
	tui_load(t);
}

static void set_side(struct kt_tui *t, enum side_mode m)
{
	if (t->cur.view != TV_BT) {
		tui_status(t, "l and v work in the backtrace view");
		return;
	}
	t->side = t->side == m ? SIDE_REGS : m;
	tui_bt_sides(t);
}

static bool is_text(struct kt_tui *t, uint64_t addr)
{
	struct kt_symbol_hit hit;

	return kt_symbol_lookup(t->ctx->prog, addr, &hit) &&
	       (hit.type == 't' || hit.type == 'T');
}

/*
 * r and d: on the selected address, or in the inspector on its object;
 * d there prefers a selected function pointer, since an object is data.
 */
static void inspector_cmd(struct kt_tui *t, const char *fmt, bool code)
{
	struct tui_place p = { .view = TV_OUTPUT };
	const struct kt_row *r = selected(t);
	bool linked = r && r->link.kind == KT_LINK_ADDR;
	uint64_t addr = t->cur.addr;

	if (t->cur.view != TV_INSPECT) {
		if (!linked) {
			tui_status(t, "select an address first");
			return;
		}
		addr = r->link.addr;
	} else if (code && linked && is_text(t, r->link.addr)) {
		addr = r->link.addr;
	}
	snprintf(p.cmd, sizeof(p.cmd), fmt, addr);
	go(t, &p);
}

static void view_action(struct kt_tui *t, enum kt_tui_action a)
{
	switch (a) {
	case KT_ACT_VIEW_SUMMARY:
		open_view(t, TV_SUMMARY);
		break;
	case KT_ACT_VIEW_BT:
		panic_bt(t);
		break;
	case KT_ACT_VIEW_TASKS:
		open_view(t, TV_TASKS);
		break;
	case KT_ACT_VIEW_LOG:
		open_view(t, TV_LOG);
		break;
	case KT_ACT_VIEW_FINDINGS:
		open_view(t, TV_FINDINGS);
		break;
	case KT_ACT_VIEW_NOTES: {
		struct tui_place p = { .view = TV_NOTES };

		tui_note_target(t, selected(t), p.type, sizeof(p.type));
		go(t, &p);
		break;
	}
	case KT_ACT_HELP:
		open_view(t, TV_HELP);
		break;
	default:
		break;
	}
}

/* Actions of one view: backtrace panes, inspector, tasks filters. */
static void detail_action(struct kt_tui *t, enum kt_tui_action a)
{
	switch (a) {
	case KT_ACT_RETYPE:
		if (t->cur.view == TV_INSPECT)
			start_prompt(t, a);
		else
			tui_status(t, "t retypes in the inspector");
		break;
	case KT_ACT_SOURCE:
		set_side(t, SIDE_SOURCE);
		break;
	case KT_ACT_VARS:
		set_side(t, SIDE_VARS);
		break;
	case KT_ACT_RAW:
		inspector_cmd(t, "rd -S 0x%" PRIx64 " 64", false);
		break;
	case KT_ACT_DISASM:
		inspector_cmd(t, "dis -l 0x%" PRIx64 " 32", true);
		break;
	case KT_ACT_FILTER_STATE:
	case KT_ACT_FILTER_STATES:
	case KT_ACT_FILTER_NAME:
	case KT_ACT_FILTER_CPU:
	case KT_ACT_SORT:
		if (t->cur.view != TV_TASKS)
			tui_status(t, "s S f c o work in the tasks view (3)");
		else if (a == KT_ACT_FILTER_STATE)
			cycle_state(t);
		else if (a == KT_ACT_SORT)
			next_sort(t);
		else
			start_prompt(t, a);
		break;
	default:
		view_action(t, a);
		break;
	}
}

static void action(struct kt_tui *t, enum kt_tui_action a)
{
	switch (a) {
	case KT_ACT_QUIT:
		t->quit = true;
		break;
	case KT_ACT_UP:
		move_sel(t, -1);
		break;
	case KT_ACT_DOWN:
		move_sel(t, 1);
		break;
	case KT_ACT_PAGE_UP:
		move_sel(t, -page());
		break;
	case KT_ACT_PAGE_DOWN:
		move_sel(t, page());
		break;
	case KT_ACT_TOP:
		move_sel(t, -(long)focused(t)->rows.n);
		break;
	case KT_ACT_BOTTOM:
		move_sel(t, focused(t)->rows.n);
		break;
	case KT_ACT_ENTER:
		follow(t);
		break;
	case KT_ACT_NEXT_PANE:
		if (t->cur.view == TV_BT)
			t->focus = (t->focus + 1) % NR_PANES;
		break;
	case KT_ACT_SCROLL_LEFT:
		focused(t)->left -= focused(t)->left < 40 ? focused(t)->left :
				    40;
		break;
	case KT_ACT_SCROLL_RIGHT:
		focused(t)->left += 40;
		break;
	case KT_ACT_BACK:
		history(t, true);
		break;
	case KT_ACT_FORWARD:
		history(t, false);
		break;
	case KT_ACT_SEARCH_NEXT:
		search(t, false, true);
		break;
	case KT_ACT_SEARCH_PREV:
		search(t, true, true);
		break;
	case KT_ACT_GOTO:
	case KT_ACT_COMMAND:
	case KT_ACT_SEARCH:
	case KT_ACT_NOTE:
	case KT_ACT_VERDICT:
		start_prompt(t, a);
		break;
	case KT_ACT_EDIT:
		tui_edit_start(t);
		break;
	case KT_ACT_REDRAW:
		clearok(stdscr, TRUE);
		break;
	default:
		detail_action(t, a);
		break;
	}
}

static void draw_header(struct kt_tui *t)
{
	char line[256];

	// Fits 80 columns with the longest view name.
	snprintf(line, sizeof(line), "ktriage [%s]  1:summary 2:bt 3:tasks "
		 "4:log 5:findings 6:notes ?:help q:quit",
		 tui_view_name(t->cur.view));
	kt_draw_text(0, 0, COLS, line, kt_draw_attr(KT_STYLE_HEADER));
}

void kt_tui_draw(struct kt_tui *t)
{
	int body = LINES - 2, top, w = COLS, left;
	const char *s = *t->search ? t->search : NULL;

	erase();
	if (LINES < 5 || COLS < 20) {
		kt_draw_text(0, 0, COLS, "terminal too small",
			     kt_draw_attr(KT_STYLE_PROMPT));
		refresh();
		return;
	}
	draw_header(t);
	if (t->cur.view != TV_BT) {
		kt_draw_pane(&t->pane[PANE_MAIN], 1, 0, body, w, true, s);
	} else {
		// Frames above; the frame's registers and words below.
		top = body / 2 < 4 ? body : body / 2;
		if ((size_t)top > t->pane[PANE_MAIN].rows.n + 1)
			top = t->pane[PANE_MAIN].rows.n + 1;
		left = w >= 100 ? (w - 1) / 2 : w / 3;
		kt_draw_pane(&t->pane[PANE_MAIN], 1, 0, top, w,
			     t->focus == PANE_MAIN, s);
		if (body - top > 1) {
			kt_draw_pane(&t->pane[PANE_LEFT], 1 + top, 0, body - top,
				     left, t->focus == PANE_LEFT, s);
			kt_draw_pane(&t->pane[PANE_RIGHT], 1 + top, left + 1,
				     body - top, w - left - 1,
				     t->focus == PANE_RIGHT, s);
		}
	}
	tui_draw_status(t);
	refresh();
}

bool kt_tui_key(struct kt_tui *t, int key)
{
	enum kt_tui_action a;

	if (key == KEY_RESIZE) {
		kt_tui_draw(t);
		return !t->quit;
	}
	if (t->prompt) {
		prompt_key(t, key);
	} else {
		*t->status = 0;
		a = kt_keymap_lookup(&t->keys, key);
		if (a)
			action(t, a);
		else if (key != ESC && key != ERR)
			tui_status(t, "unbound key (? for help)");
	}
	kt_tui_draw(t);
	return !t->quit;
}

struct kt_tui *kt_tui_create(struct kt_cmd_ctx *ctx,
			     const struct kt_tui_options *o)
{
	struct kt_tui *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->ctx = ctx;
	t->flt.cpu = -1;
	// The rc's colours are checked against the terminal's, so colours
	// go on first.
	kt_keymap_load(&t->keys, o->rc_path, kt_draw_init(o->mono));
	kt_draw_set_theme(&t->keys.theme);
	curs_set(0);
	keypad(stdscr, TRUE);
	// Esc alone must act at once (cancel), not after ncurses' second.
	set_escdelay(25);
	if (t->keys.errors)
		tui_status(t, "ktriagerc: bad lines, see ? (help)");
	else
		tui_status(t, "Enter follows a link, h goes back, ? for help");
	t->cur.view = TV_SUMMARY;
	tui_load(t);
	first_link(&t->pane[PANE_MAIN]);
	kt_tui_draw(t);
	return t;
}

const char *kt_tui_selected(struct kt_tui *t)
{
	const struct kt_row *r = selected(t);

	return r ? r->text : "";
}

const char *kt_tui_rc_errors(const struct kt_tui *t)
{
	return t->keys.errors ? t->keys.errors : "";
}

char *kt_tui_screen_text(void)
{
	char *out = NULL;
	size_t size = 0;
	FILE *fp = open_memstream(&out, &size);
	wchar_t *line = calloc(COLS + 1, sizeof(*line));
	char *mb = malloc(4 * COLS + 1);

	for (int y = 0; fp && line && mb && y < LINES; y++) {
		size_t n;

		if (mvinnwstr(y, 0, line, COLS) == ERR)
			*line = 0;
		n = wcstombs(mb, line, 4 * COLS);
		if (n == (size_t)-1)
			n = 0;
		while (n && mb[n - 1] == ' ')
			n--;
		fprintf(fp, "%.*s\n", (int)n, mb);
	}
	free(line);
	free(mb);
	if (fp)
		fclose(fp);
	return out;
}

void kt_tui_destroy(struct kt_tui *t)
{
	if (!t)
		return;
	for (int i = 0; i < NR_PANES; i++)
		kt_rows_deinit(&t->pane[i].rows);
	if (t->has_tr)
		kt_trace_deinit(&t->tr);
	kt_keymap_deinit(&t->keys);
	for (int i = 0; i < OUTPUTS; i++)
		free(t->outputs[i].text);
	free(t->vf);
	free(t);
}

/* ---- the terminal ---- */

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static void restore_terminal(void)
{
	if (!isendwin())
		endwin();
}

/*
 * A crash must not leave the user's terminal in raw mode on the alternate
 * screen. endwin() is not async-signal-safe, but the process is dying
 * anyway: restoring the terminal is worth the risk (htop does the same).
 * SA_RESETHAND makes the re-raised signal take its default action.
 */
static void on_fatal(int sig)
{
	endwin();
	raise(sig);
}

/*
 * getch() gives ERR both when its timeout passes and when the input has
 * ended; looping on the second would spin at full speed forever. A byte
 * found ready here is handed back to curses.
 */
static bool input_ended(void)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	unsigned char c;
	ssize_t n;

	if (poll(&p, 1, 0) <= 0)
		return false;
	if (p.revents & POLLNVAL)
		return true;
	if (!(p.revents & (POLLIN | POLLHUP | POLLERR)))
		return false;
	n = read(STDIN_FILENO, &c, 1);
	if (n == 1) {
		ungetch(c);
		return false;
	}
	return n == 0 || (errno != EINTR && errno != EAGAIN);
}

int kt_tui_main(struct kt_cmd_ctx *ctx, const struct kt_tui_options *o)
{
	struct sigaction sa = { .sa_handler = on_signal };
	bool ended = false;
	struct kt_tui *t;
	SCREEN *scr;
	int key;

	// newterm(), unlike initscr(), returns when the terminal is unknown.
	scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		fprintf(ctx->err, "ktriage: cannot drive this terminal (TERM=%s);"
			" --no-tui prints the summary instead\n",
			getenv("TERM") ? getenv("TERM") : "");
		return 1;
	}
	atexit(restore_terminal);
	// No SA_RESTART: getch() returns, and the loop sees the signal.
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
	cbreak();
	noecho();
	nonl();
	timeout(200);
	t = kt_tui_create(ctx, o);
	if (!t) {
		restore_terminal();
		fputs("ktriage: out of memory\n", ctx->err);
		return 1;
	}
	while (!got_signal) {
		key = getch();
		if (key == ERR && (ended = input_ended()))
			break;
		if (key != ERR && !kt_tui_key(t, key))
			break;
	}
	kt_tui_destroy(t);
	restore_terminal();
	delscreen(scr);
	if (ended)
		fputs("ktriage: the workbench's input (standard input) ended: "
		      "leaving it\n", ctx->err);
	return got_signal ? 128 + got_signal : 0;
}
