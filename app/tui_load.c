// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Loading each view of the workbench: the views library makes the rows,
 * this file feeds it what only app may touch (findings, batch commands,
 * the case database).
 */
#include <curses.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/commands.h"
#include "app/tui_private.h"
#include "core/sanitize.h"
#include "core/task.h"
#include "db/case.h"
#include "plugins/plugin.h"

static const char *const view_names[] = {
	[TV_SUMMARY] = "summary",	[TV_BT] = "backtrace",
	[TV_INSPECT] = "inspect",	[TV_TASKS] = "tasks",
	[TV_LOG] = "log",		[TV_FINDINGS] = "findings",
	[TV_NOTES] = "notes",		[TV_OUTPUT] = "output",
	[TV_HELP] = "help",
};

const char *tui_view_name(enum tui_view v)
{
	return view_names[v];
}

void tui_status(struct kt_tui *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->status, sizeof(t->status), fmt, ap);
	va_end(ap);
}

/* What a newcomer can do here, when there is nothing else to say. */
static const char *const view_hints[] = {
	[TV_SUMMARY] = "Enter: open  2: backtrace  5: findings  g: go to  "
		       ":: command",
	[TV_BT] = "Tab: next pane  Enter: inspect  l: source  v: variables  "
		  "h: back",
	[TV_INSPECT] = "Enter: follow/open  t: type  r: raw  d: disassemble  "
		       "h: back",
	[TV_TASKS] = "Enter: backtrace  s: state  S: states  f: name  c: CPU  "
		     "o: sort",
	[TV_LOG] = "/: search  n/N: next/previous  </>: scroll",
	[TV_FINDINGS] = "Enter on evidence: go there  a: note",
	[TV_NOTES] = "a: add a note  e: edit the selected note  V: verdict",
	[TV_OUTPUT] = "Enter on an address: inspect it  h: back",
	[TV_HELP] = "~/.config/ktriage/ktriagerc: bind KEY ACTION",
};

void tui_draw_status(struct kt_tui *t)
{
	char line[300];

	if (t->prompt == KT_ACT_ENTER) {
		int n = snprintf(line, sizeof(line), "which address?");

		for (size_t i = 0; i < t->nchoices && n < (int)sizeof(line);
		     i++)
			n += snprintf(line + n, sizeof(line) - n, "  %zu: %" PRIx64,
				      i + 1, t->choices[i]);
		kt_draw_text(LINES - 1, 0, COLS, line,
			     kt_draw_attr(KT_STYLE_PROMPT));
		return;
	}
	if (t->prompt) {
		snprintf(line, sizeof(line), "%s%s",
			 t->prompt == KT_ACT_COMMAND ? ":" :
			 t->prompt == KT_ACT_SEARCH ? "/" :
			 t->prompt == KT_ACT_GOTO ? "goto: " :
			 t->prompt == KT_ACT_RETYPE ? "type: " :
			 t->prompt == KT_ACT_NOTE ? "note: " :
			 t->prompt == KT_ACT_EDIT ? "edit: " :
			 t->prompt == KT_ACT_VERDICT ? "verdict KIND TEXT: " :
			 t->prompt == KT_ACT_FILTER_NAME ? "name: " :
			 t->prompt == KT_ACT_FILTER_STATES ?
			 "states (UN RU ...): " : "cpu: ",
			 t->input);
		kt_draw_text(LINES - 1, 0, COLS, line,
			     kt_draw_attr(KT_STYLE_PROMPT));
		return;
	}
	kt_draw_text(LINES - 1, 0, COLS, *t->status ? t->status :
		     view_hints[t->cur.view],
		     kt_draw_attr(*t->status ? KT_STYLE_STATUS : KT_STYLE_HINT));
}

/* The output of batch command @cmd, as its text (malloc()ed). */
char *tui_capture(struct kt_tui *t, const char *cmd)
{
	struct kt_cmd_ctx *ctx = t->ctx;
	FILE *out = ctx->out, *err = ctx->err;
	char *buf = NULL;
	size_t size = 0;
	FILE *fp = open_memstream(&buf, &size);

	if (!fp)
		return NULL;
	ctx->out = ctx->err = fp;
	ctx->json = false;
	kt_command_run(ctx, cmd);
	ctx->out = out;
	ctx->err = err;
	fclose(fp);
	return buf;
}

static const struct kt_analysis *analyse_long(struct kt_tui *t,
					      struct kt_error **err);

/*
 * The plugins run once, the first time findings are needed, on a thread;
 * a cancelled run is tried again on the next need.
 */
void tui_analyse(struct kt_tui *t)
{
	struct kt_error *err;

	if (t->analysed)
		return;
	t->an = analyse_long(t, &err);
	if (err) {
		t->analysed = err->code != KT_ERR_STOP;
		tui_status(t, "%s%s", t->analysed ? "analysis failed: " : "",
			   t->analysed ? err->message : "analysis cancelled (1 "
			   "or 5 runs it again)");
		kt_error_destroy(err);
		t->an = NULL;
		return;
	}
	t->analysed = true;
	t->vf = calloc(t->an->findings.n + 1, sizeof(*t->vf));
	if (!t->vf)
		return;
	for (size_t i = 0; i < t->an->findings.n; i++) {
		const struct kt_finding *f = &t->an->findings.v[i];

		t->vf[i].severity = kt_severity_name(f->severity);
		t->vf[i].rank = f->severity;
		t->vf[i].id = f->id;
		t->vf[i].title = f->title;
	}
	t->nvf = t->an->findings.n;
}

static void ref_link(struct kt_program *prog, const struct kt_ref *r,
		     struct kt_link *l)
{
	const struct kt_task_list *list;
	const struct kt_task *task;
	uint64_t cur;
	char *star;

	switch (r->kind) {
	case KT_REF_TASK:
		l->kind = KT_LINK_TASK;
		l->addr = r->addr;
		l->pid = r->pid;
		break;
	case KT_REF_FRAME:
		l->kind = KT_LINK_FRAME;
		l->addr = r->addr;
		l->pid = r->pid;
		l->index = r->level;
		break;
	case KT_REF_ADDRESS:
		l->kind = KT_LINK_ADDR;
		l->addr = r->addr;
		// "struct request *" types the address: the object is the
		// pointed-to struct.
		snprintf(l->type, sizeof(l->type), "%s", r->text ? r->text : "");
		star = strrchr(l->type, '*');
		if (star) {
			*star = 0;
			while (star > l->type && star[-1] == ' ')
				*--star = 0;
		}
		break;
	case KT_REF_LOG:
		l->kind = KT_LINK_LOG;
		l->index = r->level;
		break;
	case KT_REF_CPU:
		// A CPU leads to what it was running.
		if (r->cpu < 0 ||
		    kt_error_catch_any(kt_task_current(prog, r->cpu, &cur)) ||
		    kt_error_catch_any(kt_tasks_load(prog, &list)) ||
		    !(task = kt_task_by_addr(list, cur)))
			break;
		l->kind = KT_LINK_TASK;
		l->addr = task->addr;
		l->pid = task->pid;
		break;
	case KT_REF_REGISTER:
		if (r->value >> 47 == 0x1ffff) {
			l->kind = KT_LINK_ADDR;
			l->addr = r->value;
		}
		break;
	default:
		break;
	}
}

static void ref_row(struct kt_program *prog, struct kt_rows *rows,
		    const struct kt_ref *r)
{
	char text[KT_SANITIZED_SIZE(160)], label[KT_SANITIZED_SIZE(64)];
	const char *raw = r->text ? r->text : "";
	struct kt_row *row;

	kt_sanitize(raw, strlen(raw), text, sizeof(text), false);
	kt_sanitize(r->label ? r->label : "", 64, label, sizeof(label), false);
	switch (r->kind) {
	case KT_REF_TASK:
		row = kt_rows_add(rows, KT_ROLE_LINK, "    %-8s %s: PID %d "
				  "%016" PRIx64, "task", label, r->pid, r->addr);
		break;
	case KT_REF_FRAME:
		row = kt_rows_add(rows, KT_ROLE_LINK, "    %-8s %s: PID %d #%d "
				  "%s", "frame", label, r->pid, r->level, text);
		break;
	case KT_REF_CPU:
		row = kt_rows_add(rows, KT_ROLE_LINK, "    %-8s %s: %d", "cpu",
				  label, r->cpu);
		break;
	case KT_REF_REGISTER:
		row = kt_rows_add(rows, KT_ROLE_LINK, "    %-8s %s: %s = "
				  "%016" PRIx64, "register", label, text,
				  r->value);
		break;
	case KT_REF_LOG:
		row = kt_rows_add(rows, KT_ROLE_LINK, "    %-8s %s: %s", "log",
				  label, text);
		break;
	default:
		row = kt_rows_add(rows, KT_ROLE_LINK, "    %-8s %s: %016" PRIx64
				  " %s", "address", label, r->addr, text);
	}
	if (row)
		ref_link(prog, r, &row->link);
}

static void load_findings(struct kt_tui *t, struct kt_rows *rows)
{
	tui_analyse(t);
	if (!t->an) {
		kt_rows_add(rows, KT_ROLE_ERROR, "no analysis");
		return;
	}
	for (size_t i = 0; i < t->an->findings.n; i++) {
		const struct kt_finding *f = &t->an->findings.v[i];
		char id[KT_SANITIZED_SIZE(96)];
		struct kt_row *r;

		// Ids come from plugins, external ones too: sanitise.
		kt_sanitize(f->id, strlen(f->id), id, sizeof(id), false);
		r = kt_rows_add(rows, f->severity >= 3 ? KT_ROLE_CRITICAL :
				KT_ROLE_ERROR, "[%s] %s",
				kt_severity_name(f->severity), id);
		if (r) {
			r->link.kind = KT_LINK_FINDING;
			r->link.index = i;
		}
		kt_rows_add_raw(rows, KT_ROLE_TITLE, "  ", f->title,
				strlen(f->title));
		kt_rows_add_raw(rows, KT_ROLE_DIM, "  ", f->explanation ?
				f->explanation : "", f->explanation ?
				strlen(f->explanation) : 0);
		for (size_t k = 0; k < f->nrefs; k++)
			ref_row(t->ctx->prog, rows, &f->refs[k]);
		kt_rows_add(rows, KT_ROLE_TEXT, "%s", "");
	}
	if (!t->an->findings.n)
		kt_rows_add(rows, KT_ROLE_DIM, "no findings");
}

static void add_output(struct kt_tui *t, struct kt_rows *rows,
		       const char *cmd)
{
	char *text = tui_capture(t, cmd);

	if (text)
		kt_rows_add_text(rows, text);
	free(text);
}

/* @text's lines, each indented by @indent. */
static void text_rows(struct kt_rows *rows, enum kt_role role,
		      const char *indent, const char *text)
{
	const char *nl;

	do {
		nl = strchr(text, '\n');
		kt_rows_add_raw(rows, role, indent, text,
				nl ? (size_t)(nl - text) : strlen(text));
		text = nl ? nl + 1 : NULL;
	} while (text && *text);
}

/* "@what AUTHOR at TIME", the author sanitised (a colleague's case). */
static void by_row(struct kt_rows *rows, const char *what,
		   const char *author, const char *at)
{
	char a[KT_SANITIZED_SIZE(128)], when[KT_SANITIZED_SIZE(32)];

	kt_sanitize(author, strnlen(author, 128), a, sizeof(a), false);
	kt_sanitize(at, strnlen(at, 32), when, sizeof(when), false);
	kt_rows_add(rows, KT_ROLE_DIM, "%s %s at %s", what, a, when);
}

/* Is revision @i of @n a head (no revision is made on top of it)? */
static bool rev_head(const struct kt_note *n, size_t i)
{
	for (size_t j = 0; j < n->nrevs; j++)
		if (!strcmp(n->revs[j].parent, n->revs[i].uuid))
			return false;
	return true;
}

/*
 * A note as `note list` says it, its counts first: the header line is
 * cut at the screen's width, not the revisions and concurrent edits.
 */
static void note_rows(struct kt_rows *rows, const struct kt_note *n)
{
	const struct kt_note_rev *cur = &n->revs[n->current];
	char counts[64] = "";
	struct kt_row *r;

	if (n->heads > 1)
		snprintf(counts, sizeof(counts), "  (%zu revisions, %zu "
			 "concurrent edits)", n->nrevs, n->heads);
	else if (n->nrevs > 1)
		snprintf(counts, sizeof(counts), "  (%zu revisions)",
			 n->nrevs);
	r = kt_rows_add_raw(rows, KT_ROLE_TEXT, "note ", n->uuid, 8);
	if (r)
		kt_rows_add_raw(rows, KT_ROLE_DIM, "  on ", n->target,
				strlen(n->target));
	// Append the counts to the note's line, the target on its own.
	if (r && *counts) {
		char *text = malloc(strlen(r->text) + strlen(counts) + 1);

		if (text) {
			sprintf(text, "%s%s", r->text, counts);
			free(r->text);
			r->text = text;
		}
	}
	by_row(rows, "  by", n->author, n->created);
	if (n->nrevs > 1)
		by_row(rows, "  last by", cur->author, cur->at);
	text_rows(rows, KT_ROLE_TEXT, "    ", cur->text);
	for (size_t i = 0; n->heads > 1 && i < n->nrevs; i++) {
		if (i == n->current || !rev_head(n, i))
			continue;
		kt_rows_add_raw(rows, KT_ROLE_WARNING, "  concurrent edit by ",
				n->revs[i].author, strlen(n->revs[i].author));
		text_rows(rows, KT_ROLE_TEXT, "    ", n->revs[i].text);
	}
}

static void add_notes(struct kt_tui *t, struct kt_rows *rows,
		      const char *target)
{
	struct kt_note_list l = { 0 };
	struct kt_error *err;
	struct kt_case *c;

	err = kt_cmd_case(t->ctx, &c);
	if (!err)
		err = kt_case_notes(c, target, &l);
	if (err) {
		kt_rows_add_raw(rows, KT_ROLE_ERROR, "notes: ", err->message,
				strlen(err->message));
		kt_error_destroy(err);
		return;
	}
	for (size_t i = 0; i < l.n; i++)
		note_rows(rows, &l.v[i]);
	if (!l.n)
		kt_rows_add(rows, KT_ROLE_DIM, "no notes");
	kt_note_list_deinit(&l);
}

static void load_notes(struct kt_tui *t, struct kt_rows *rows)
{
	if (*t->cur.type && strcmp(t->cur.type, "case")) {
		kt_rows_add_raw(rows, KT_ROLE_TITLE, "Notes on ", t->cur.type,
				strlen(t->cur.type));
		add_notes(t, rows, t->cur.type);
		kt_rows_add(rows, KT_ROLE_TEXT, "%s", "");
	}
	kt_rows_add(rows, KT_ROLE_TITLE, "All notes");
	add_notes(t, rows, NULL);
	kt_rows_add(rows, KT_ROLE_TEXT, "%s", "");
	kt_rows_add(rows, KT_ROLE_TITLE, "Verdicts");
	add_output(t, rows, "verdict list");
}

void tui_add_note(struct kt_tui *t, const char *target, const char *text)
{
	struct kt_case *c;
	struct kt_error *err = kt_cmd_case(t->ctx, &c);
	char uuid[37];

	if (!err && !t->ctx->author)
		t->ctx->author = kt_case_author(NULL);
	if (!err)
		err = kt_case_note_add(c, target, t->ctx->author, text, uuid);
	if (err) {
		tui_status(t, "note: %s", err->message);
		kt_error_destroy(err);
		return;
	}
	tui_status(t, "note %.8s added on %s", uuid, target);
}

/* The note (8-digit prefix) of the notes view's selected row, or false. */
static bool selected_note(struct kt_tui *t, char *prefix)
{
	const struct kt_pane *m = &t->pane[PANE_MAIN];
	const char *s;

	// A note's text is the rows under its "note UUID8 on" line.
	for (size_t i = m->sel + 1; i-- > 0 && i < m->rows.n;) {
		s = m->rows.v[i].text;
		if (m->rows.v[i].role == KT_ROLE_TITLE)
			return false;
		if (!strncmp(s, "note ", 5) && strspn(s + 5, "0123456789abcdef")
		    == 8 && (s[13] == ' ' || !s[13])) {
			memcpy(prefix, s + 5, 8);
			prefix[8] = 0;
			return true;
		}
	}
	return false;
}

/* `e` in the notes view: its current text in the prompt, to change. */
void tui_edit_start(struct kt_tui *t)
{
	struct kt_note_list l = { 0 };
	struct kt_error *err;
	struct kt_case *c;
	char prefix[9];

	if (t->cur.view != TV_NOTES || !selected_note(t, prefix)) {
		tui_status(t, "edit: select a note in the notes view (6)");
		return;
	}
	err = kt_cmd_case(t->ctx, &c);
	if (!err)
		err = kt_case_notes(c, NULL, &l);
	if (err) {
		tui_status(t, "edit: %s", err->message);
		kt_error_destroy(err);
		return;
	}
	for (size_t i = 0; i < l.n; i++) {
		const char *text = l.v[i].revs[l.v[i].current].text;

		if (strncmp(l.v[i].uuid, prefix, 8))
			continue;
		tui_copy(t->edit_uuid, sizeof(t->edit_uuid), l.v[i].uuid);
		// One line to edit: the prompt has no newlines.
		tui_copy(t->input, sizeof(t->input), text);
		for (char *p = t->input; *p; p++)
			if (*p == '\n' || *p == '\t')
				*p = ' ';
		t->input_len = strlen(t->input);
		t->prompt = KT_ACT_EDIT;
	}
	kt_note_list_deinit(&l);
	if (!t->prompt)
		tui_status(t, "edit: note %s is not in the case", prefix);
}

/* The edit prompt's text, a new revision of the note being edited. */
void tui_edit_note(struct kt_tui *t, const char *text)
{
	struct kt_case *c;
	struct kt_error *err = kt_cmd_case(t->ctx, &c);

	if (!err && !t->ctx->author)
		t->ctx->author = kt_case_author(NULL);
	if (!err)
		err = kt_case_note_edit(c, t->edit_uuid, t->ctx->author, text);
	if (err) {
		tui_status(t, "edit: %s", err->message);
		kt_error_destroy(err);
		return;
	}
	tui_status(t, "note %.8s edited: a new revision", t->edit_uuid);
}

/* "KIND TEXT" from the prompt, on @target ("case" or "finding:ID"). */
void tui_set_verdict(struct kt_tui *t, const char *target, char *input)
{
	char *text = strchr(input, ' ');
	struct kt_error *err;
	struct kt_case *c;

	if (text)
		*text++ = 0;
	if (!text || !*text || !kt_case_verdict_kind_check(input)) {
		tui_status(t, "verdict: KIND TEXT, KIND one of root-cause "
			   "contributing suspect ruled-out needs-info");
		return;
	}
	err = kt_cmd_case(t->ctx, &c);
	if (!err && !t->ctx->author)
		t->ctx->author = kt_case_author(NULL);
	if (!err)
		err = kt_case_verdict_set(c, target, input, t->ctx->author,
					  text);
	if (err) {
		tui_status(t, "verdict: %s", err->message);
		kt_error_destroy(err);
		return;
	}
	tui_status(t, "verdict %s set on %s", input, target);
}

/* The note target of a row's link, else of the view's object. */
void tui_note_target(struct kt_tui *t, const struct kt_row *r, char *buf,
		     size_t size)
{
	const struct kt_link *l = r ? &r->link : NULL;

	// The notes view is about one target: its rows are not objects.
	if (t->cur.view == TV_NOTES) {
		snprintf(buf, size, "%s", *t->cur.type ? t->cur.type : "case");
		return;
	}
	if (l && l->kind == KT_LINK_ADDR)
		snprintf(buf, size, "addr:0x%" PRIx64 "%s%s", l->addr,
			 *l->type ? ":" : "", l->type);
	else if (l && l->kind == KT_LINK_TASK)
		snprintf(buf, size, "task:%d:0x%" PRIx64, l->pid, l->addr);
	else if (l && l->kind == KT_LINK_FRAME)
		snprintf(buf, size, "frame:%d:0x%" PRIx64 ":%d:%s", l->pid,
			 l->addr, l->index, t->has_tr && t->tr_task == l->addr &&
			 (size_t)l->index < t->tr.n &&
			 t->tr.frames[l->index].has_sym ?
			 t->tr.frames[l->index].sym.name : "?");
	else if (l && l->kind == KT_LINK_FINDING && t->an &&
		 (size_t)l->index < t->an->findings.n)
		snprintf(buf, size, "finding:%s",
			 t->an->findings.v[l->index].id);
	else if (l && l->kind == KT_LINK_LOG)
		snprintf(buf, size, "log:%d", l->index);
	else if (t->cur.view == TV_INSPECT)
		snprintf(buf, size, "addr:0x%" PRIx64, t->cur.addr);
	else if (t->cur.view == TV_BT)
		snprintf(buf, size, "task:%d:0x%" PRIx64, t->cur.pid,
			 t->cur.addr);
	else
		snprintf(buf, size, "case");
}

static void load_bt(struct kt_tui *t)
{
	struct kt_error *err;

	if (!t->has_tr || t->tr_task != t->cur.addr) {
		if (t->has_tr)
			kt_trace_deinit(&t->tr);
		t->has_tr = false;
		err = kt_stack_trace(t->ctx->prog, t->cur.addr, &t->tr);
		if (err) {
			kt_rows_add_raw(&t->pane[PANE_MAIN].rows, KT_ROLE_ERROR,
					"bt: ", err->message,
					strlen(err->message));
			kt_error_destroy(err);
			return;
		}
		t->has_tr = true;
		t->tr_task = t->cur.addr;
	}
	kt_view_bt_frames(t->ctx->prog, &t->tr, t->cur.pid,
			  &t->pane[PANE_MAIN].rows);
	// Land on the frame asked for (a finding's frame, or #0).
	for (size_t i = 0; i < t->pane[PANE_MAIN].rows.n; i++) {
		const struct kt_link *l = &t->pane[PANE_MAIN].rows.v[i].link;

		if (l->kind == KT_LINK_FRAME && l->index == t->cur.index) {
			t->pane[PANE_MAIN].sel = i;
			break;
		}
	}
	snprintf(t->pane[PANE_MAIN].title, sizeof(t->pane[0].title),
		 " backtrace of PID %d (task %016" PRIx64 ")", t->cur.pid,
		 t->cur.addr);
}

/* Fill the side panes for the frame the main pane has selected. */
void tui_bt_sides(struct kt_tui *t)
{
	struct kt_pane *m = &t->pane[PANE_MAIN];
	struct kt_pane *l = &t->pane[PANE_LEFT], *r = &t->pane[PANE_RIGHT];
	const struct kt_row *row = m->sel < m->rows.n ? &m->rows.v[m->sel] :
				   NULL;
	size_t f;

	if (!t->has_tr || !row || row->link.kind != KT_LINK_FRAME)
		return;
	f = row->link.index;
	t->tr_frame = f;
	t->cur.index = f;
	kt_rows_clear(&l->rows);
	kt_rows_clear(&r->rows);
	l->sel = l->top = r->sel = r->top = l->left = r->left = 0;
	if (t->side == SIDE_SOURCE)
		kt_view_bt_source(t->ctx->prog, &t->tr, f, &l->rows);
	else if (t->side == SIDE_VARS)
		kt_view_bt_vars(t->ctx->prog, &t->tr, f, &l->rows);
	else
		kt_view_bt_regs(t->ctx->prog, &t->tr, f, &l->rows);
	kt_view_bt_words(t->ctx->prog, &t->tr, f, &r->rows);
	snprintf(l->title, sizeof(l->title), " #%zu %s", f,
		 t->side == SIDE_SOURCE ? "source" : t->side == SIDE_VARS ?
		 "variables" : "registers");
	snprintf(r->title, sizeof(r->title), " #%zu words", f);
}

static void load_inspect(struct kt_tui *t, struct kt_rows *rows)
{
	char cmd[64], used[100];
	bool guessed;

	snprintf(cmd, sizeof(cmd), "kmem 0x%" PRIx64, t->cur.addr);
	add_output(t, rows, cmd);
	kt_rows_add(rows, KT_ROLE_TEXT, "%s", "");
	kt_view_object(t->ctx->prog, t->cur.addr, t->cur.type, t->expanded,
		       rows, used, sizeof(used), &guessed);
	snprintf(t->pane[PANE_MAIN].title, sizeof(t->pane[0].title),
		 " inspect %016" PRIx64 " %s%s", t->cur.addr, used,
		 guessed ? " (guessed)" : "");
}

static void load_help(struct kt_tui *t, struct kt_rows *rows)
{
	char *help = kt_keymap_help(&t->keys);

	kt_rows_add(rows, KT_ROLE_TITLE, "%-18s %-15s %s", "KEYS", "ACTION",
		    "WHAT IT DOES");
	if (help)
		kt_rows_add_text(rows, help);
	free(help);
	kt_rows_add(rows, KT_ROLE_DIM, "Rebind in ~/.config/ktriage/ktriagerc:"
		    " lines 'bind KEY ACTION'.");
	kt_rows_add(rows, KT_ROLE_DIM, "Colours there: 'theme NAME' (default "
		    "light solarized-dark high-contrast) or 'color ROLE FG "
		    "[BG] [ATTR...]'; see ktriage(1), THEMES.");
	if (*kt_tui_rc_errors(t))
		kt_rows_add_text(rows, kt_tui_rc_errors(t));
}

/* The place's command output: run on first sight, then kept. */
static const char *output_text(struct kt_tui *t)
{
	unsigned slot;

	if (t->cur.serial) {
		slot = t->cur.serial % OUTPUTS;
		if (t->outputs[slot].serial == t->cur.serial)
			return t->outputs[slot].text;
	}
	t->cur.serial = ++t->next_serial;
	slot = t->cur.serial % OUTPUTS;
	free(t->outputs[slot].text);
	t->outputs[slot].serial = t->cur.serial;
	t->outputs[slot].text = tui_capture_long(t, t->cur.cmd);
	return t->outputs[slot].text;
}

static void tasks_title(struct kt_tui *t, char *buf, size_t size)
{
	static const char *const sorts[] = { "pid", "state", "cpu", "comm" };
	char cpu[16] = "all";

	if (t->flt.cpu >= 0)
		snprintf(cpu, sizeof(cpu), "%d", t->flt.cpu);
	snprintf(buf, size, " tasks  state:%s cpu:%s name:%s sort:%s",
		 *t->flt.state ? t->flt.state : "all", cpu,
		 *t->flt.name ? t->flt.name : "*", sorts[t->flt.sort]);
}

void tui_load(struct kt_tui *t)
{
	struct kt_pane *m = &t->pane[PANE_MAIN];
	struct kt_program *prog = t->ctx->prog;

	for (int i = 0; i < NR_PANES; i++) {
		kt_rows_clear(&t->pane[i].rows);
		t->pane[i].sel = t->pane[i].top = t->pane[i].left = 0;
		*t->pane[i].title = 0;
	}
	snprintf(m->title, sizeof(m->title), " %s", tui_view_name(t->cur.view));
	switch (t->cur.view) {
	case TV_SUMMARY:
		tui_analyse(t);
		kt_view_landing(prog, t->vf, t->nvf, &m->rows);
		snprintf(m->title, sizeof(m->title), " summary");
		break;
	case TV_BT:
		load_bt(t);
		break;
	case TV_INSPECT:
		load_inspect(t, &m->rows);
		break;
	case TV_TASKS:
		kt_view_tasks(prog, &t->flt, &m->rows);
		m->sel = m->rows.n > 1;	/* the first task, not the heading */
		tasks_title(t, m->title, sizeof(m->title));
		break;
	case TV_LOG:
		kt_view_log(prog, &m->rows);
		break;
	case TV_FINDINGS:
		load_findings(t, &m->rows);
		break;
	case TV_NOTES:
		load_notes(t, &m->rows);
		break;
	case TV_OUTPUT: {
		const char *text = output_text(t);

		if (text)
			kt_rows_add_text(&m->rows, text);
		snprintf(m->title, sizeof(m->title), " :%.150s", t->cur.cmd);
		break;
	}
	case TV_HELP:
		load_help(t, &m->rows);
		break;
	}
}

/* ---- long work on a thread: the screen keeps moving, Esc cancels ---- */

/*
 * The worker owns the program while it runs: the UI thread only draws the
 * rows it already has and the progress line, and reads keys.
 */
struct long_work {
	struct kt_tui *t;
	const char *cmd;	/* a command, or NULL: the analysis */
	const char *unit;	/* the command can stop: what it counts */
	char *text;
	const struct kt_analysis *an;
	struct kt_error *err;
	atomic_bool cancel, done;
	_Atomic uint64_t pages_done, pages_total;
	_Atomic size_t plugin, nplugins;
	_Atomic(const char *) plugin_name;
};

static void work_progress(void *arg, uint64_t done, uint64_t total)
{
	struct long_work *w = arg;

	atomic_store(&w->pages_done, done);
	atomic_store(&w->pages_total, total);
}

static void plugin_progress(void *arg, size_t done, size_t total,
			    const char *name)
{
	struct long_work *w = arg;

	atomic_store(&w->plugin_name, name);
	atomic_store(&w->plugin, done);
	atomic_store(&w->nplugins, total);
}

static void *work_run(void *arg)
{
	struct long_work *w = arg;
	struct kt_analysis_options o = {
		.cancel = &w->cancel, .progress = plugin_progress, .arg = w,
	};

	if (w->cmd)
		w->text = tui_capture(w->t, w->cmd);
	else
		w->err = kt_cmd_analysis_opts(w->t->ctx, &o, &w->an);
	atomic_store(&w->done, true);
	return NULL;
}

static double elapsed(const struct timespec *t0)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec - t0->tv_sec + (ts.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The last line while @w runs: what it does, how far it is. */
static void work_line(struct long_work *w, char *line, size_t size,
		      double secs)
{
	uint64_t done = atomic_load(&w->pages_done);
	uint64_t total = atomic_load(&w->pages_total);
	const char *name = atomic_load(&w->plugin_name);
	bool stopping = atomic_load(&w->cancel);

	if (!w->cmd)
		snprintf(line, size, "%s: plugin %zu of %zu (%.40s)...  "
			 "%.0fs  (Esc cancels)", stopping ? "cancelling" :
			 "analysing", atomic_load(&w->plugin) + 1,
			 atomic_load(&w->nplugins), name ? name : "",
			 secs);
	else if (w->unit)
		snprintf(line, size, "%s: %" PRIu64 "%% of %" PRIu64
			 " %s  (Esc cancels)", stopping ? "cancelling" :
			 "working", total ? 100 * done / total : 0, total,
			 w->unit);
	else
		// Nothing can stop it, and abandoning it would leave the
		// program to two threads: say so, and keep waiting.
		snprintf(line, size, "running :%.60s...  %.0fs  %s", w->cmd,
			 secs, stopping ? "(cannot be stopped: please wait)" :
			 "");
}

/* Wait for @w, drawing its progress; Esc asks it to stop. */
static void work_wait(struct long_work *w)
{
	char line[200];
	struct timespec t0;
	int key;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	timeout(100);
	while (!atomic_load(&w->done)) {
		work_line(w, line, sizeof(line), elapsed(&t0));
		kt_draw_text(LINES - 1, 0, COLS, line,
			     kt_draw_attr(KT_STYLE_PROMPT));
		refresh();
		key = getch();
		if (key == 27)
			atomic_store(&w->cancel, true);
		else if (key == KEY_RESIZE)
			kt_tui_draw(w->t);	/* rows, not the program */
		else if (key == ERR && !isatty(STDIN_FILENO))
			usleep(20000);
	}
	timeout(200);
}

/* Run @w on a thread (here if none can be had) and wait for it. */
static void work_do(struct long_work *w)
{
	pthread_t th;

	if (pthread_create(&th, NULL, work_run, w)) {
		work_run(w);
		return;
	}
	work_wait(w);
	pthread_join(th, NULL);
}

/*
 * A command's output, run on a thread: the workbench is never frozen.
 * A search or a foreach can be cancelled; other commands show their
 * time.
 */
char *tui_capture_long(struct kt_tui *t, const char *cmd)
{
	struct long_work w = { .t = t, .cmd = cmd };
	struct kt_cmd_ctx *ctx = t->ctx;

	while (*cmd == ' ')
		cmd++;
	if (!strncmp(cmd, "search", 6) && (!cmd[6] || cmd[6] == ' '))
		w.unit = "pages";
	else if (!strncmp(cmd, "foreach", 7) && (!cmd[7] || cmd[7] == ' '))
		w.unit = "tasks";
	if (w.unit) {
		ctx->cancel = &w.cancel;
		ctx->progress = work_progress;
		ctx->progress_arg = &w;
	}
	work_do(&w);
	ctx->cancel = NULL;
	ctx->progress = NULL;
	ctx->progress_arg = NULL;
	return w.text;
}

/* The analysis, on a thread with its progress; NULL when it failed. */
static const struct kt_analysis *analyse_long(struct kt_tui *t,
					      struct kt_error **err)
{
	struct long_work w = { .t = t };

	work_do(&w);
	*err = w.err;
	return w.err ? NULL : w.an;
}
