/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The reports of CONFIG_DEBUG_LIST (lib/list_debug.c), parsed. Debian and
 * most distros build with it and with CONFIG_BUG_ON_DATA_CORRUPTION, so a
 * corrupt list on their machines ends in one of these lines and a BUG().
 */
#ifndef KT_PLUGINS_LIST_REPORT_H
#define KT_PLUGINS_LIST_REPORT_H

#include <stdbool.h>
#include <stdint.h>

enum kt_list_report_kind {
	KT_LR_NONE,
	KT_LR_DEL_POISON,	/* "E->next is LIST_POISON1", "->prev ... 2" */
	KT_LR_DEL_NULL,		/* "E->next is NULL" */
	KT_LR_DEL_PREV,		/* "prev->next should be E, but was V" */
	KT_LR_DEL_NEXT,		/* "next->prev should be E, but was V" */
	KT_LR_ADD_PREV,		/* "prev->next should be next (N), but was V" */
	KT_LR_ADD_NEXT,		/* "next->prev should be prev (P), but was V" */
	KT_LR_ADD_DOUBLE,	/* "double add: new=E, prev=P, next=N" */
	KT_LR_ADD_NULL,		/* "next is NULL" / "prev is NULL" */
	/* no report: a list operation faulted on the link (list_fault.h) */
	KT_LR_DEL_BAD,		/* a link that is no kernel address */
	KT_LR_ADD_BAD,
};

struct kt_list_report {
	enum kt_list_report_kind kind;
	bool del;		/* list_del (else list_add) */
	bool field_next;	/* the field the report names is ->next */
	bool has_entry;		/* the entry (list_head) is known */
	uint64_t entry;
	bool has_was;
	uint64_t was;		/* the value found instead */
	uint64_t should;	/* the value expected */
	bool has_prev, has_next;
	uint64_t prev, next;	/* neighbours the report names */
};

/** Parse one log line; false when it is no DEBUG_LIST report. */
bool kt_list_report_parse(const char *line, struct kt_list_report *r);

struct kt_program;
struct kt_trace;

/**
 * The crash is a DEBUG_LIST report's: the log has one and @tr (the panic
 * task's) stopped in the list checks (__list_*_valid*). list_debug
 * explains those; other list plugins leave them to it.
 */
bool kt_list_report_crash(struct kt_program *prog, const struct kt_trace *tr);

#endif /* KT_PLUGINS_LIST_REPORT_H */
