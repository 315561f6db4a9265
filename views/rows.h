/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The row model of the workbench's views. A view loads plain rows from
 * core data (no curses), then views/draw.c draws them; tests check rows
 * without a terminal.
 *
 * Invariant: every row's text is printable: what came from the dump went
 * through kt_sanitize() before it was stored in a row.
 */
#ifndef KT_VIEWS_ROWS_H
#define KT_VIEWS_ROWS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Where Enter on a row leads. */
enum kt_link_kind {
	KT_LINK_NONE,
	KT_LINK_ADDR,		/* addr, type ("" when unknown) */
	KT_LINK_TASK,		/* addr = task_struct, pid */
	KT_LINK_FRAME,		/* addr = task_struct, pid, index = level */
	KT_LINK_FINDING,	/* index into the findings given to the view */
	KT_LINK_LOG,		/* index = log record */
	KT_LINK_EXPAND,		/* type = member path to open or close */
	KT_LINK_TASKS,		/* the tasks in state type ("UN") */
};

#define KT_LINK_TYPE 128

struct kt_link {
	enum kt_link_kind kind;
	uint64_t addr;
	int pid;
	int index;
	char type[KT_LINK_TYPE];
};

/** What a row means; draw.c maps it to a colour (or to bold/plain). */
enum kt_role {
	KT_ROLE_TEXT,
	KT_ROLE_TITLE,		/* a section heading */
	KT_ROLE_BANNER,		/* a stack segment: --- <IRQ stack> --- */
	KT_ROLE_CRITICAL,
	KT_ROLE_ERROR,
	KT_ROLE_WARNING,
	KT_ROLE_DIM,		/* secondary facts */
	KT_ROLE_LINK,		/* a row that leads somewhere */
	KT_NR_ROLES,
};

struct kt_row {
	char *text;		/* owned, printable */
	enum kt_role role;
	struct kt_link link;
};

struct kt_rows {
	struct kt_row *v;
	size_t n, cap;
};

/**
 * Append a row of printable text (formatted); NULL when memory ran out.
 * The format's arguments must already be sanitised.
 */
struct kt_row *kt_rows_add(struct kt_rows *rows, enum kt_role role,
			   const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** Append a row made of @prefix and raw dump bytes, sanitised. */
struct kt_row *kt_rows_add_raw(struct kt_rows *rows, enum kt_role role,
			       const char *prefix, const char *raw,
			       size_t len);

/**
 * Append the lines of a command's output (printable already: batch
 * commands sanitise), each linked to its first kernel address.
 */
void kt_rows_add_text(struct kt_rows *rows, const char *text);

/** The first kernel address (0xffff..., or 16 hex digits) in @s, or 0. */
uint64_t kt_rows_find_address(const char *s);

/** Every kernel address in @s, at most @max, in order; their count. */
size_t kt_rows_find_addresses(const char *s, uint64_t *ret, size_t max);

/** Index of the first row at or after @from containing @needle (case
 * insensitive), wrapping; -1 when none. */
long kt_rows_search(const struct kt_rows *rows, const char *needle,
		    size_t from, bool backward);

void kt_rows_clear(struct kt_rows *rows);
void kt_rows_deinit(struct kt_rows *rows);

#endif /* KT_VIEWS_ROWS_H */
