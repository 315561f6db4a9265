// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/list_debug.c's messages, 4.x to 7.x (the "(prev=X)"/"(next=X)"
 * suffixes and the NULL checks came later; both forms parse).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/stack.h"
#include "plugins/list_report.h"

static bool starts(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* The hex number after @key in @s. */
static bool hex_after(const char *s, const char *key, uint64_t *v)
{
	const char *p = strstr(s, key);

	return p && sscanf(p + strlen(key), "%" SCNx64, v) == 1;
}

static bool del_report(const char *s, struct kt_list_report *r)
{
	char field[8] = "", what[16] = "";
	uint64_t e;

	// "list_del corruption, E->next is LIST_POISON1 (V)"
	if (sscanf(s, "list_del corruption, %" SCNx64 "->%7[a-z] is %15[A-Z_0-9]",
		   &e, field, what) == 3) {
		r->has_entry = true;
		r->entry = e;
		r->field_next = !strcmp(field, "next");
		if (!strcmp(what, "NULL")) {
			r->kind = KT_LR_DEL_NULL;
			r->has_was = true;
			r->was = 0;
			return true;
		}
		if (!strncmp(what, "LIST_POISON", 11)) {
			r->kind = KT_LR_DEL_POISON;
			r->has_was = hex_after(s, "(", &r->was);
			return true;
		}
		return false;
	}
	// "list_del corruption. prev->next should be E, but was V. (prev=P)"
	if (starts(s, "list_del corruption. prev->next should be ") ||
	    starts(s, "list_del corruption. next->prev should be ")) {
		r->field_next = starts(s, "list_del corruption. prev->next");
		r->kind = r->field_next ? KT_LR_DEL_PREV : KT_LR_DEL_NEXT;
		if (!hex_after(s, "should be ", &r->entry) ||
		    !hex_after(s, "but was ", &r->was))
			return false;
		r->has_entry = r->has_was = true;
		r->should = r->entry;
		if (r->field_next)
			r->has_prev = hex_after(s, "(prev=", &r->prev);
		else
			r->has_next = hex_after(s, "(next=", &r->next);
		return true;
	}
	return false;
}

static bool add_report(const char *s, struct kt_list_report *r)
{
	if (starts(s, "list_add double add: ")) {
		r->kind = KT_LR_ADD_DOUBLE;
		r->has_entry = hex_after(s, "new=", &r->entry);
		r->has_prev = hex_after(s, "prev=", &r->prev);
		r->has_next = hex_after(s, "next=", &r->next);
		return r->has_entry;
	}
	if (starts(s, "list_add corruption. next is NULL") ||
	    starts(s, "list_add corruption. prev is NULL")) {
		r->kind = KT_LR_ADD_NULL;
		r->field_next = starts(s, "list_add corruption. next");
		r->has_was = true;
		return true;
	}
	// "list_add corruption. prev->next should be next (N), but was V. (prev=P)."
	if (starts(s, "list_add corruption. prev->next should be next (")) {
		r->kind = KT_LR_ADD_PREV;
		r->field_next = true;
		r->has_next = hex_after(s, "next (", &r->next);
		r->should = r->next;
		r->has_was = hex_after(s, "but was ", &r->was);
		r->has_prev = hex_after(s, "(prev=", &r->prev);
		return r->has_next && r->has_was;
	}
	// "list_add corruption. next->prev should be prev (P), but was V. (next=N)."
	if (starts(s, "list_add corruption. next->prev should be prev (")) {
		r->kind = KT_LR_ADD_NEXT;
		r->has_prev = hex_after(s, "prev (", &r->prev);
		r->should = r->prev;
		r->has_was = hex_after(s, "but was ", &r->was);
		r->has_next = hex_after(s, "(next=", &r->next);
		return r->has_prev && r->has_was;
	}
	return false;
}

bool kt_list_report_parse(const char *line, struct kt_list_report *r)
{
	memset(r, 0, sizeof(*r));
	if (starts(line, "list_del corruption")) {
		r->del = true;
		if (del_report(line, r))
			return true;
	} else if (starts(line, "list_add ")) {
		if (add_report(line, r))
			return true;
	}
	memset(r, 0, sizeof(*r));
	return false;
}

bool kt_list_report_crash(struct kt_program *prog, const struct kt_trace *tr)
{
	const struct kt_log *log;
	bool in_check = false;

	for (size_t i = 0; i < tr->n && !in_check; i++)
		in_check = tr->frames[i].has_sym &&
			   !strncmp(tr->frames[i].sym.name, "__list_", 7) &&
			   strstr(tr->frames[i].sym.name, "_valid");
	if (!in_check || kt_error_catch_any(kt_log_load(prog, &log)))
		return false;
	for (size_t i = log->n; i-- > 0;) {
		const struct kt_log_record *r = &log->recs[i];
		struct kt_list_report rep;
		char buf[256];
		size_t n = r->len < sizeof(buf) - 1 ? r->len : sizeof(buf) - 1;

		memcpy(buf, r->text, n);
		buf[n] = 0;
		if (kt_list_report_parse(buf, &rep))
			return true;
	}
	return false;
}
