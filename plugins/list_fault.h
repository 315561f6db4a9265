/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A list operation that faulted on a bad link, with no CONFIG_DEBUG_LIST
 * report: a kernel built without it inlines list_del() and list_add() as
 * bare stores, and a NULL or garbage ->next/->prev ends in a page fault or
 * a general protection fault inside them; with it, the check itself faults
 * reading through a garbage link. Found from the panic task's fault frame:
 * the list primitive at its pc (DWARF's inline chain, or the function),
 * the access's address (the instruction's memory operand), and the
 * list_head whose link that address came from (a variable or register of
 * the frame).
 */
#ifndef KT_PLUGINS_LIST_FAULT_H
#define KT_PLUGINS_LIST_FAULT_H

#include <stdbool.h>
#include <stdint.h>

#include "plugins/list_report.h"

struct kt_program;
struct kt_trace;

struct kt_list_fault {
	int frame;		/* the trace's frame that faulted */
	uint64_t pc;
	const char *op;		/* the list primitive ("__list_del"), DWARF's */
	const char *function;	/* the function it is in, or NULL */
	uint64_t ea;		/* the access's address */
	bool write;		/* a store */
	int base_reg;		/* the register holding the bad link */
	const char *via;	/* how the entry was found: a variable's name,
				 * or a register's */
	bool via_var;
};

/**
 * The panic task's trace @tr stopped in a list operation that followed a
 * NULL or garbage link (not list poison: list_poison explains that). On
 * true, @r is filled as a report of the kind the fault shows (KT_LR_*_NULL
 * or KT_LR_*_BAD, the entry the list_head holding the link, was the link)
 * and @lf says where.
 */
bool kt_list_fault_find(struct kt_program *prog, const struct kt_trace *tr,
			struct kt_list_report *r, struct kt_list_fault *lf);

/** "a general protection fault" / "a page fault" / "a fault", for @lf. */
const char *kt_list_fault_kind(const struct kt_list_fault *lf);

/**
 * @v's bytes as text when every one is printable ASCII or a trailing NUL
 * (a string written over a pointer), into @buf; false otherwise.
 */
bool kt_list_fault_text(uint64_t v, char *buf, unsigned size);

#endif /* KT_PLUGINS_LIST_FAULT_H */
