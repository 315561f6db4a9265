/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The workbench's views as row loaders: each turns core data into rows
 * (views/rows.h) and never touches the terminal. Loaders append to @rows;
 * what cannot be read becomes a row saying why, never an error.
 */
#ifndef KT_VIEWS_VIEWS_H
#define KT_VIEWS_VIEWS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/stack.h"
#include "views/rows.h"

struct kt_program;

/**
 * A finding as the views see it: the app runs the plugins (views may not)
 * and hands over plain facts. Strings are borrowed.
 */
struct kt_view_finding {
	const char *severity;	/* "critical", "error", ... */
	int rank;		/* 3 critical ... 0 info */
	const char *id;
	const char *title;
};

/**
 * The landing screen: panic string, the log's report behind it, the cause
 * (the title of @f[0], the most severe finding, when it is a warning or
 * worse), faulting RIP and CR2 from the oops in the log, crashing CPU and
 * task, the top findings, and the dump's identity and quality. @f is
 * sorted most severe first.
 */
void kt_view_landing(struct kt_program *prog,
		     const struct kt_view_finding *f, size_t nf,
		     struct kt_rows *rows);

/**
 * The frames of @tr, with a banner where the stack changes (task, IRQ,
 * NMI, exception). Each frame row links to its level.
 */
void kt_view_bt_frames(struct kt_program *prog, const struct kt_trace *tr,
		       int pid, struct kt_rows *rows);

/** The registers in force at frame @i, annotated and linked as words. */
void kt_view_bt_regs(struct kt_program *prog, const struct kt_trace *tr,
		     size_t i,
		     struct kt_rows *rows);

/** bt -f's words of frame @i, each annotated with kt_owner_brief(). */
void kt_view_bt_words(struct kt_program *prog, const struct kt_trace *tr,
		      size_t i, struct kt_rows *rows);

/** Source lines of frame @i (inlined functions first). */
void kt_view_bt_source(struct kt_program *prog, const struct kt_trace *tr,
		       size_t i, struct kt_rows *rows);

/** Parameters and locals of frame @i, pointers linked with their type. */
void kt_view_bt_vars(struct kt_program *prog, const struct kt_trace *tr,
		     size_t i, struct kt_rows *rows);

enum kt_task_sort { KT_SORT_PID, KT_SORT_STATE, KT_SORT_CPU, KT_SORT_COMM };

struct kt_task_filter {
	char state[32];		/* "UN", or several "UN,RU"; "" all */
	char name[17];		/* substring of comm; "" for all */
	int cpu;		/* -1 for all */
	enum kt_task_sort sort;
};

/** ps-like rows of the tasks that pass @flt, each linked to its task. */
void kt_view_tasks(struct kt_program *prog, const struct kt_task_filter *flt,
		   struct kt_rows *rows);

/** The kernel log, a row a line, linked to its record. */
void kt_view_log(struct kt_program *prog, struct kt_rows *rows);

/**
 * A typed object at @addr as a tree: @type ("struct foo" or "" to guess
 * it from the slab cache's name). Composite members open when their path
 * is in @expanded ("\n"-separated). The type used is written to @used and
 * *@guessed says whether it was a guess.
 */
void kt_view_object(struct kt_program *prog, uint64_t addr, const char *type,
		    const char *expanded, struct kt_rows *rows, char *used,
		    size_t used_size, bool *guessed);

/** The type to guess for an object of slab cache @cache, or false. */
bool kt_view_guess_type(struct kt_program *prog, const char *cache,
			char *buf, size_t size);

/**
 * The type of global variable @name as the inspector takes it ("struct
 * task_struct"); false when it has none or is not a struct, union or
 * scalar.
 */
bool kt_view_variable_type(struct kt_program *prog, const char *name,
			   char *buf, size_t size);

#endif /* KT_VIEWS_VIEWS_H */
