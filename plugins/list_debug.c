// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * list_debug: a list corruption that CONFIG_DEBUG_LIST reported.
 *
 * The report (list_report.h) names a list_head and what was wrong with it
 * or with a neighbour. This plugin says what that entry is and what
 * happened to it, from memory and DWARF:
 *  - the entry's container: the slab object (cache, allocated or free) or
 *    global holding it, and its type and member, from a DWARF variable of
 *    the caller's frames that points to a struct with a list_head there;
 *  - the kind: deleted twice (its own next/prev already hold LIST_POISON1
 *    and 2), NULL links (never initialised, or zeroed), a neighbour whose
 *    link does not point back (named, with its container and state, and
 *    where its link points instead), an entry added twice;
 *  - where the links still lead: the list walked from the entry both ways
 *    (bounded, cycle-safe): back to the entry (how long the ring is, and
 *    the global list head on it), or a cycle elsewhere, or a bad link.
 * Critical when the panic task trapped in the list checks; error when the
 * report is in the log but the kernel went on (no BUG_ON_DATA_CORRUPTION).
 *
 * With no report, the same for a list operation that faulted on a NULL or
 * garbage link (list_fault.h): a kernel without CONFIG_DEBUG_LIST, or its
 * check reading through the link.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/list.h"
#include "core/log.h"
#include "core/module.h"
#include "core/owner.h"
#include "core/stack.h"
#include "core/task.h"
#include "core/value.h"
#include "plugins/list_fault.h"
#include "plugins/list_report.h"
#include "plugins/plugin.h"

#define NAME "list_debug"
#define MAX_LINE 256
#define MAX_WALK 100000		/* nodes followed one way */
#define MAX_VARS 64
#define NEAR 0x1000		/* a list_head's offset in its container */
#define CALLERS 4		/* frames above the check searched for types */
#define PATH_DEPTH 4

struct where {
	uint64_t addr;
	struct kt_owner o;
	char desc[200];		/* "kmalloc-96 object 0x...+0x8, allocated" */
	bool slab, free_obj;
	uint64_t next, prev;
	bool read;
};

struct walk {
	bool done;
	size_t n;		/* nodes visited, the start included */
	bool ring;		/* came back to the start */
	bool cycle;		/* came back to another node */
	uint64_t cycle_at;
	bool bad;		/* stopped at a link that cannot be followed */
	uint64_t bad_node, bad_value;
	uint64_t head;		/* a global on the way, or 0 */
	char head_name[128];
};

struct ctx {
	struct kt_program *prog;
	struct kt_findings *out;
	struct kt_list_report r;
	int rec;
	char line[MAX_LINE];
	int pid, cpu;
	uint64_t task;
	struct kt_trace tr;
	bool trapped;		/* the panic task stopped in the checks */
	size_t check_fi;
	bool fault;		/* no report: a list operation faulted */
	struct kt_list_fault lf;
	/* the entry */
	struct where e;
	char type[96], member[128], var[96];
	int var_frame;
	uint64_t var_value;
	/* the neighbour the report names */
	struct where nb;
	struct where was;
	struct walk fwd, back;
};

/* snprintf() that may cut: every text here is for people. */
__attribute__((format(printf, 3, 4)))
static void fmt(char *buf, size_t size, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(buf, size, f, ap);
	va_end(ap);
}

/* ---- the log ---- */

static bool find_report(struct ctx *c)
{
	const struct kt_log *log;
	struct kt_error *err = kt_log_load(c->prog, &log);

	c->rec = -1;
	if (err) {
		kt_error_destroy(err);
		return false;
	}
	for (size_t i = 0; i < log->n; i++) {
		const struct kt_log_record *rec = &log->recs[i];
		char buf[MAX_LINE];
		size_t n = rec->len < sizeof(buf) - 1 ? rec->len :
			   sizeof(buf) - 1;
		struct kt_list_report r;

		memcpy(buf, rec->text, n);
		buf[n] = 0;
		while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
			buf[--n] = 0;
		if (kt_list_report_parse(buf, &r)) {
			c->r = r;
			c->rec = (int)i;
			fmt(c->line, sizeof(c->line), "%s", buf);
		}
	}
	return c->rec >= 0;
}

/* ---- addresses ---- */

static bool is_poison(const struct kt_owner *o)
{
	for (unsigned i = 0; i < o->n; i++)
		if (o->ids[i].kind == KT_OWNER_POISON)
			return true;
	return false;
}

static const char *poison_name(const struct kt_owner *o)
{
	for (unsigned i = 0; i < o->n; i++)
		if (o->ids[i].kind == KT_OWNER_POISON)
			return o->ids[i].name;
	return NULL;
}

static void describe(struct kt_program *prog, uint64_t addr, struct where *w)
{
	struct kt_error *err;
	const struct kt_owner_id *id;

	memset(w, 0, sizeof(*w));
	w->addr = addr;
	err = kt_owner_identify(prog, addr, &w->o);
	if (err || !w->o.n) {
		kt_error_destroy(err);
		fmt(w->desc, sizeof(w->desc), "0x%" PRIx64, addr);
		return;
	}
	id = &w->o.ids[0];
	if (id->kind == KT_OWNER_SLAB) {
		w->slab = true;
		w->free_obj = id->state == KT_SLAB_FREE;
		fmt(w->desc, sizeof(w->desc), "%s object 0x%" PRIx64
			 "+0x%" PRIx64 ", %s", id->name, id->base, id->offset,
			 kt_slab_state_name(id->state));
	} else if (id->kind == KT_OWNER_SYMBOL) {
		fmt(w->desc, sizeof(w->desc), "%s%s%s%s+0x%" PRIx64,
			 id->name, id->name2[0] ? " [" : "", id->name2,
			 id->name2[0] ? "]" : "", id->offset);
	} else {
		char brief[96];

		kt_owner_format(&w->o, brief, sizeof(brief));
		fmt(w->desc, sizeof(w->desc), "0x%" PRIx64 " (%s)", addr,
			 brief[0] ? brief : kt_owner_kind_name(id->kind));
	}
	if (addr >= 4096 && !is_poison(&w->o) &&
	    !kt_error_catch_any(kt_read_u64(prog, addr, &w->next)) &&
	    !kt_error_catch_any(kt_read_u64(prog, addr + 8, &w->prev)))
		w->read = true;
}

/* A symbol's name for a list head: "name [module]+0x10". */
static bool global_name(const struct where *w, char *buf, size_t size)
{
	const struct kt_owner_id *id = w->o.n ? &w->o.ids[0] : NULL;

	if (!id || id->kind != KT_OWNER_SYMBOL)
		return false;
	fmt(buf, size, "%s%s%s%s", id->name, id->name2[0] ? " [" : "",
		 id->name2, id->name2[0] ? "]" : "");
	if (id->offset)
		fmt(buf + strlen(buf), size - strlen(buf), "+0x%" PRIx64,
			 id->offset);
	return true;
}

/* ---- the entry's type, from the callers' DWARF ---- */

static bool list_type(const struct kt_value *v)
{
	char tn[96];

	kt_value_type_name(v, tn, sizeof(tn));
	return !strcmp(tn, "struct list_head") ||
	       !strcmp(tn, "struct hlist_node");
}

/* The member path of the list_head at @off in @obj, into @path. */
static bool list_path(const struct kt_value *obj, uint64_t off, char *path,
		      size_t size, int depth)
{
	struct kt_value_iter it = { 0 };
	struct kt_value c;

	while (kt_value_next_child(obj, &it, &c)) {
		char sub[128];

		if (off < c.offset || off >= c.offset + c.size)
			continue;
		if (c.offset == off && list_type(&c)) {
			fmt(path, size, "%s", c.name ? c.name : "?");
			return true;
		}
		if ((c.kind == KT_VALUE_STRUCT || c.kind == KT_VALUE_UNION) &&
		    depth < PATH_DEPTH &&
		    list_path(&c, off - c.offset, sub, sizeof(sub), depth + 1)) {
			if (c.name)
				fmt(path, size, "%s.%s", c.name, sub);
			else
				fmt(path, size, "%s", sub);
			return true;
		}
	}
	return false;
}

/* A variable of frame @i that points to the struct holding the entry. */
static bool typed_var(struct ctx *c, size_t i, const struct kt_frame_var *v)
{
	struct kt_dwarf *dw = kt_frame_dwarf(c->prog, &c->tr.frames[i]);
	struct kt_value ptr, obj;
	Dwarf_Die die;
	uint64_t off = c->e.addr - v->value;

	if (!dw || !v->known || v->size != 8 || !v->type || off >= NEAR ||
	    kt_error_catch_any(kt_dwarf_die(dw, v->type, &die)) ||
	    kt_error_catch_any(kt_value_rvalue(&die, 0, v->value, &ptr)) ||
	    ptr.kind != KT_VALUE_POINTER ||
	    kt_error_catch_any(kt_value_deref(c->prog, &ptr, &obj)) ||
	    (obj.kind != KT_VALUE_STRUCT && obj.kind != KT_VALUE_UNION))
		return false;
	if (off == 0 && list_type(&obj))
		return false;	// a list_head * itself: no container
	if (!list_path(&obj, off, c->member, sizeof(c->member), 0))
		return false;
	kt_value_type_name(&obj, c->type, sizeof(c->type));
	fmt(c->var, sizeof(c->var), "%s", v->name ? v->name : "?");
	c->var_frame = (int)i;
	c->var_value = v->value;
	return true;
}

static void entry_type(struct ctx *c)
{
	size_t from = c->trapped ? c->check_fi : 0;

	for (size_t i = from; i < c->tr.n && i < from + CALLERS + 1; i++) {
		struct kt_frame_var v[MAX_VARS];
		size_t n = kt_frame_variables(c->prog, &c->tr, i, v, MAX_VARS);

		for (size_t k = 0; k < n; k++)
			if (typed_var(c, i, &v[k]))
				return;
	}
}

/* ---- walking ---- */

static void walk(struct ctx *c, uint64_t start, bool forward, struct walk *w)
{
	struct kt_addrset seen;
	uint64_t node = start;

	memset(w, 0, sizeof(*w));
	kt_addrset_init(&seen);
	w->done = true;
	while (w->n < MAX_WALK) {
		struct where at;
		uint64_t link;
		bool added;

		if (!kt_addrset_add(&seen, node, &added))
			break;	// no memory: the walk says less
		if (!added) {
			if (node == start)
				w->ring = true;
			else {
				w->cycle = true;
				w->cycle_at = node;
			}
			break;
		}
		w->n++;
		// who owns a node is asked only until the head is found: a
		// long list costs one read per node, not an owner lookup
		if (!w->head && node != start) {
			describe(c->prog, node, &at);
			if (!at.slab && global_name(&at, w->head_name,
						    sizeof(w->head_name)))
				w->head = node;
		}
		if (node < 4096 ||
		    kt_error_catch_any(kt_read_u64(c->prog, node + (forward ? 0 : 8),
						   &link))) {
			w->bad = true;
			w->bad_node = node;
			w->bad_value = node;
			break;
		}
		if (link < 4096 || (link >> 48) != 0xffff) {
			w->bad = true;
			w->bad_node = node;
			w->bad_value = link;
			break;
		}
		node = link;
	}
	kt_addrset_deinit(&seen);
}

static void walk_text(const struct walk *w, const char *dir, char *buf,
		      size_t size)
{
	if (w->ring)
		fmt(buf, size, "by %s, the entry is on a ring of %zu "
			 "list_heads%s%s", dir, w->n,
			 w->head ? ", through the global " : "",
			 w->head ? w->head_name : "");
	else if (w->cycle)
		fmt(buf, size, "by %s, after %zu list_heads the walk "
			 "loops at 0x%" PRIx64 " without coming back to the "
			 "entry%s%s", dir, w->n, w->cycle_at,
			 w->head ? " (it passed the global " : "",
			 w->head ? w->head_name : "");
	else if (w->bad)
		fmt(buf, size, "by %s, the walk stops after %zu "
			 "list_heads: 0x%" PRIx64 " leads to 0x%" PRIx64 ", "
			 "no list_head%s%s%s", dir, w->n, w->bad_node,
			 w->bad_value, w->head ? " (it passed the global " : "",
			 w->head ? w->head_name : "", w->head ? ")" : "");
	else
		fmt(buf, size, "by %s, the walk stopped after %zu "
			 "list_heads", dir, w->n);
	if (w->cycle && w->head)
		fmt(buf + strlen(buf), size - strlen(buf), ")");
}

/* ---- the finding ---- */

static void entry_name(const struct ctx *c, char *buf, size_t size)
{
	if (c->type[0])
		fmt(buf, size, "%s.%s at 0x%" PRIx64 " (%s)",
			 c->type, c->member, c->e.addr, c->e.desc);
	else
		fmt(buf, size, "list_head 0x%" PRIx64 " (%s)", c->e.addr,
			 c->e.desc);
}

static const char *kind_words(const struct ctx *c)
{
	const struct kt_list_report *r = &c->r;
	const char *pn = poison_name(&c->e.o);

	switch (r->kind) {
	case KT_LR_DEL_POISON:
		if (c->e.read || pn)
			break;
		return "list_del() of an entry whose links hold poison";
	case KT_LR_DEL_NULL:
		return "list_del() of an entry with a NULL link: never "
		       "initialised or zeroed";
	case KT_LR_DEL_PREV:
	case KT_LR_DEL_NEXT:
		return "list_del() found a neighbour that does not point back "
		       "to the entry";
	case KT_LR_ADD_PREV:
	case KT_LR_ADD_NEXT:
		return "list_add() found a broken list";
	case KT_LR_ADD_DOUBLE:
		return "list_add() of an entry already on the list";
	case KT_LR_ADD_NULL:
		return "list_add() next to a NULL link";
	case KT_LR_DEL_BAD:
		return "list_del() of an entry with a link that is no kernel "
		       "address";
	case KT_LR_ADD_BAD:
		return "list_add() next to a link that is no kernel address";
	default:
		return "list corruption";
	}
	return NULL;
}

static bool poison_pair(const struct ctx *c)
{
	struct kt_owner a, b;
	bool pa, pb;

	if (!c->e.read ||
	    kt_error_catch_any(kt_owner_identify(c->prog, c->e.next, &a)) ||
	    kt_error_catch_any(kt_owner_identify(c->prog, c->e.prev, &b)))
		return false;
	pa = is_poison(&a);
	pb = is_poison(&b);
	return pa && pb;
}

/* The finding's kind: what the evidence shows, in stable words. */
static const char *list_kind(const struct ctx *c)
{
	const struct kt_list_report *r = &c->r;

	if (c->fault)
		return r->was < 4096 ? "null-link" : "garbage-link";
	switch (r->kind) {
	case KT_LR_DEL_POISON:
		return poison_pair(c) ? "deleted-twice" : "poisoned-link";
	case KT_LR_DEL_PREV:
	case KT_LR_DEL_NEXT:
	case KT_LR_ADD_PREV:
	case KT_LR_ADD_NEXT:
		return "neighbour-corrupted";
	case KT_LR_ADD_DOUBLE:
		return "double-add";
	case KT_LR_DEL_NULL:
	case KT_LR_ADD_NULL:
		return "null-link";
	case KT_LR_DEL_BAD:
	case KT_LR_ADD_BAD:
		return "garbage-link";
	default:
		return "list-corruption";
	}
}

static void title(struct ctx *c, struct kt_finding *f)
{
	char en[400], nb[300];
	const struct kt_list_report *r = &c->r;

	entry_name(c, en, sizeof(en));
	kt_finding_kind(f, list_kind(c));
	if (c->fault) {
		char text[16];

		if (kt_list_fault_text(r->was, text, sizeof(text)))
			fmt(nb, sizeof(nb), ", its bytes are text: \"%s\"", text);
		else
			nb[0] = 0;
		kt_finding_title(c->out, f, "%s() %s %s whose %s is 0x%" PRIx64
				 "%s%s", c->lf.op, r->del ? "of" : "next to",
				 en, r->field_next ? "next" : "prev", r->was,
				 r->was < 4096 ? " (NULL)" :
				 " (no kernel address)", nb);
		return;
	}
	if (r->kind == KT_LR_DEL_POISON && poison_pair(c)) {
		kt_finding_title(c->out, f, "list_del() of an entry already "
				 "deleted: %s", en);
		return;
	}
	if (r->kind == KT_LR_DEL_PREV || r->kind == KT_LR_DEL_NEXT) {
		const char *side = r->kind == KT_LR_DEL_PREV ? "prev" : "next";
		const char *link = r->kind == KT_LR_DEL_PREV ? "next" : "prev";

		if (c->r.was == c->nb.addr)
			fmt(nb, sizeof(nb), "points its %s at itself",
				 link);
		else
			fmt(nb, sizeof(nb), "points its %s at %s", link,
				 c->was.desc);
		kt_finding_title(c->out, f, "list_del() of %s: its %s "
				 "neighbour %s %s, not at the entry", en, side,
				 c->nb.desc, nb);
		return;
	}
	kt_finding_title(c->out, f, "%s: %s", kind_words(c), en);
}

static void explain(struct ctx *c, struct kt_finding *f)
{
	const struct kt_list_report *r = &c->r;

	if (c->fault) {
		char text[16];

		kt_finding_explain(c->out, f, "The panic task %d took %s in "
				   "%s()%s%s%s, at an address it read from the "
				   "list_head's %s: the link is %s.", c->pid,
				   kt_list_fault_kind(&c->lf), c->lf.op,
				   c->lf.function ? " (inlined in " : "",
				   c->lf.function ? c->lf.function : "",
				   c->lf.function ? "())" : "",
				   r->field_next ? "next" : "prev",
				   r->was < 4096 ? "NULL: the entry was never "
				   "initialised, or zeroed" :
				   "no kernel address: it was overwritten");
		if (kt_list_fault_text(r->was, text, sizeof(text)))
			kt_finding_explain(c->out, f, "Its bytes are text "
					   "(\"%s\"): a string written past "
					   "its field, over the link.", text);
		kt_finding_explain(c->out, f, "No CONFIG_DEBUG_LIST report is "
				   "in the log: the kernel does not check "
				   "this operation, or the check itself "
				   "faulted.");
	} else
		kt_finding_explain(c->out, f, "CONFIG_DEBUG_LIST reported: "
				   "\"%s\".", c->line);
	if (c->trapped && !c->fault)
		kt_finding_explain(c->out, f, "The panic task %d stopped in "
				   "that check (BUG_ON_DATA_CORRUPTION).",
				   c->pid);
	if (r->kind == KT_LR_DEL_POISON && poison_pair(c))
		kt_finding_explain(c->out, f, "The entry's next and prev both "
				   "hold list_del()'s poison: an earlier "
				   "list_del() already unlinked it, and this "
				   "one deletes it a second time.");
	else if (r->kind == KT_LR_DEL_POISON)
		kt_finding_explain(c->out, f, "One link holds list_del()'s "
				   "poison, the other does not: the entry was "
				   "unlinked and then partly written again.");
	if (c->e.free_obj)
		kt_finding_explain(c->out, f, "The object holding the entry "
				   "is free: the list still used it after "
				   "kfree().");
	if (r->kind == KT_LR_DEL_PREV || r->kind == KT_LR_DEL_NEXT)
		kt_finding_explain(c->out, f, "The entry's own links are "
				   "intact; its neighbour's were overwritten. "
				   "Look for who wrote the neighbour: a stray "
				   "store, a use after free of it, or a list "
				   "changed without its lock.");
	if (c->var[0])
		kt_finding_explain(c->out, f, "Frame #%d's %s points to the "
				   "%s holding it.", c->var_frame, c->var,
				   c->type);
}

static void walk_steps(struct ctx *c, struct kt_finding *f)
{
	char buf[300];

	if (c->fwd.done) {
		walk_text(&c->fwd, "next", buf, sizeof(buf));
		kt_finding_step(c->out, f, "%s", buf);
	}
	if (c->back.done) {
		walk_text(&c->back, "prev", buf, sizeof(buf));
		kt_finding_step(c->out, f, "%s", buf);
	}
	if (c->fwd.head)
		kt_finding_ref_address(c->out, f, "list head", c->fwd.head,
				       "struct list_head");
	else if (c->back.head)
		kt_finding_ref_address(c->out, f, "list head", c->back.head,
				       "struct list_head");
}

static void emit(struct ctx *c)
{
	struct kt_finding *f;
	char tn[128];

	f = kt_finding_add(c->out, NAME, c->trapped ? KT_SEV_CRITICAL :
			   KT_SEV_ERROR, "0x%" PRIx64, c->e.addr);
	if (!f)
		return;
	title(c, f);
	explain(c, f);
	if (c->rec >= 0)
		kt_finding_ref_log(c->out, f, "report", c->rec, c->line);
	kt_finding_ref_task(c->out, f, "panic task", c->pid, c->task);
	fmt(tn, sizeof(tn), "%s", c->type[0] ? c->type :
		 "struct list_head");
	if (c->e.o.n && c->e.o.ids[0].kind == KT_OWNER_SLAB)
		kt_finding_ref_address(c->out, f, "entry's object",
				       c->e.o.ids[0].base,
				       c->type[0] ? tn : NULL);
	kt_finding_ref_address(c->out, f, "entry", c->e.addr,
			       "struct list_head");
	if (c->nb.addr)
		kt_finding_ref_address(c->out, f, "neighbour", c->nb.addr,
				       "struct list_head");
	if (c->trapped)
		kt_finding_ref_frame(c->out, f, c->fault ? "fault" : "check",
				     c->pid, c->task,
				     (int)c->check_fi,
				     c->tr.frames[c->check_fi].sym.name);
	if (c->rec >= 0)
		kt_finding_step(c->out, f, "log record %d: \"%s\"", c->rec,
				c->line);
	else
		kt_finding_step(c->out, f, "frame #%d stopped at 0x%" PRIx64
				" in %s(): %s 0x%" PRIx64 " through %s, "
				"0x%" PRIx64 " (%s of the list_head found in %s "
				"%s)", c->lf.frame, c->lf.pc, c->lf.op,
				c->lf.write ? "a store to" : "a load from",
				c->lf.ea, kt_reg_names[c->lf.base_reg],
				c->r.was, c->r.field_next ? "next" : "prev",
				c->lf.via_var ? "variable" : "register",
				c->lf.via);
	kt_finding_step(c->out, f, "the entry 0x%" PRIx64 ": %s (kmem)",
			c->e.addr, c->e.desc);
	if (c->e.read)
		kt_finding_step(c->out, f, "its links now: next 0x%" PRIx64
				", prev 0x%" PRIx64, c->e.next, c->e.prev);
	if (c->var[0])
		kt_finding_step(c->out, f, "frame #%d: %s = 0x%" PRIx64 " is "
				"a %s *; the entry is its member %s (DWARF)",
				c->var_frame, c->var, c->var_value, c->type,
				c->member);
	else
		kt_finding_step(c->out, f, "no variable of the callers' frames "
				"points to a struct holding the entry");
	if (c->nb.addr) {
		kt_finding_step(c->out, f, "the neighbour 0x%" PRIx64 ": %s; "
				"its next 0x%" PRIx64 ", prev 0x%" PRIx64,
				c->nb.addr, c->nb.desc, c->nb.next,
				c->nb.prev);
		kt_finding_step(c->out, f, "the report's \"was\" 0x%" PRIx64
				": %s", c->r.was, c->was.desc);
	}
	walk_steps(c, f);
}

/* The frame of the panic task that is in the list checks. */
static void find_check(struct ctx *c)
{
	for (size_t i = 0; i < c->tr.n; i++) {
		const struct kt_frame *fr = &c->tr.frames[i];

		if (fr->has_sym && !strncmp(fr->sym.name, "__list_", 7) &&
		    strstr(fr->sym.name, "_valid")) {
			c->trapped = true;
			c->check_fi = i;
			return;
		}
	}
}

static void neighbour(struct ctx *c)
{
	const struct kt_list_report *r = &c->r;
	uint64_t n = 0;

	switch (r->kind) {
	case KT_LR_DEL_PREV:
		n = r->has_prev ? r->prev : (c->e.read ? c->e.prev : 0);
		break;
	case KT_LR_DEL_NEXT:
		n = r->has_next ? r->next : (c->e.read ? c->e.next : 0);
		break;
	case KT_LR_ADD_PREV:
		n = r->has_prev ? r->prev : 0;
		break;
	case KT_LR_ADD_NEXT:
		n = r->has_next ? r->next : 0;
		break;
	default:
		return;
	}
	if (n) {
		describe(c->prog, n, &c->nb);
		describe(c->prog, r->was, &c->was);
	}
}

static struct kt_error *run(struct kt_program *prog, struct kt_findings *out)
{
	struct ctx *c = calloc(1, sizeof(*c));
	const struct kt_module_list *ml;
	struct kt_error *err;

	if (!c)
		return kt_error_create(KT_ERR_NOMEM, "list_debug");
	c->prog = prog;
	c->out = out;
	find_report(c);
	kt_error_destroy(kt_modules_load(prog, &ml));
	err = kt_task_panicked(prog, &c->cpu, &c->task);
	if (!err) {
		const struct kt_task_list *tl;
		const struct kt_task *t;

		if (!kt_error_catch_any(kt_tasks_load(prog, &tl)) &&
		    (t = kt_task_by_addr(tl, c->task)))
			c->pid = t->pid;
		if (!kt_error_catch_any(kt_stack_trace(prog, c->task, &c->tr)))
			find_check(c);
	}
	kt_error_destroy(err);
	if (c->rec < 0) {
		if (!c->tr.n || !kt_list_fault_find(prog, &c->tr, &c->r, &c->lf))
			goto out;
		c->fault = true;
		c->trapped = true;
		c->check_fi = (size_t)c->lf.frame;
	}
	if (c->r.has_entry)
		describe(prog, c->r.entry, &c->e);
	if (c->r.has_entry && c->tr.n)
		entry_type(c);
	neighbour(c);
	if (c->e.read && !poison_pair(c)) {
		walk(c, c->e.addr, true, &c->fwd);
		walk(c, c->e.addr, false, &c->back);
	} else if (c->nb.read) {
		walk(c, c->nb.addr, true, &c->fwd);
		walk(c, c->nb.addr, false, &c->back);
	}
	emit(c);
out:
	kt_trace_deinit(&c->tr);
	free(c);
	return NULL;
}

const struct kt_plugin kt_plugin_list_debug = {
	.name = NAME,
	.summary = "a list corruption CONFIG_DEBUG_LIST reported: the entry, "
		   "its container and state, what went wrong, the list walked",
	.run = run,
};
