// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lock_chain: who waits for whom. For every task in D state, what it
 * waits on (lock_wait.h: a mutex, an rw_semaphore, a semaphore, a
 * completion, a wait queue, a folio bit, a percpu rwsem), found from the
 * waiter struct on its own stack; then the lock's owner from the lock's
 * own fields (mutex.owner, a write-locked rw_semaphore's owner), then
 * what that owner waits on, and so on: waiter -> lock -> owner -> ... up
 * to the root, a task that waits on something nobody owns (a completion,
 * a wait queue, a semaphore, readers) or does not wait at all.
 *
 * Each root with tasks blocked behind it is reported once, with all of
 * them. D tasks on one lock whose holder no field names (a semaphore, a
 * page lock, a percpu rwsem held for write: none records its holder) are
 * reported together: an information for one task (hung_tasks says how
 * long), graded as a chain for two or more, on a lock or an event. A cycle (each task waits for a lock the next one holds) is a
 * deadlock and is reported with every task and lock in it.
 *
 * How bad: a cycle never resolves (error; critical when the kernel died
 * of the hung-task panic and the detector named one of its tasks). A
 * chain to a root that waits for an event may still resolve: it is a
 * warning when the hung-task detector named one of its tasks blocked
 * longer than its timeout (the log's "blocked for more than" lines), an
 * error when that panic killed the kernel, and information otherwise.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/stack.h"
#include "core/task.h"
#include "plugins/lock_wait.h"
#include "plugins/plugin.h"

#define NAME "lock_chain"
#define MAX_NODES 4096
#define MAX_HUNG 256
#define NAME_LEN 160

struct node {
	const struct kt_task *t;
	bool waits;		/* w is valid */
	struct kt_lock_wait w;
	struct kt_lock_state st;
	char lock[NAME_LEN];	/* the name of w.lock */
	char why[256];		/* why w is not known */
	int next;		/* the node of the owner of w.lock, or -1 */
	int color;		/* 0 new, 1 on the path, 2 done */
	int root;		/* the root node, or -(cycle + 2) */
	int cycle;		/* its cycle, or -1 */
	bool named;		/* the hung-task detector reported it */
};

struct graph {
	struct kt_program *prog;
	struct kt_lock_wait_ctx ctx;
	const struct kt_task_list *tl;
	struct node *v;
	size_t n, cap;
	int hung_pids[MAX_HUNG];
	size_t nhung;
	bool hung_panic;	/* the kernel died of the hung-task panic */
	int ncycles;
};

/* ---- the hung-task detector's view, from the log ---- */

static bool starts(const struct kt_log_record *r, const char *s)
{
	size_t n = strlen(s);

	return r->len >= n && !memcmp(r->text, s, n);
}

static const char *find_in(const struct kt_log_record *r, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i + n <= r->len; i++)
		if (!memcmp(r->text + i, s, n))
			return r->text + i;
	return NULL;
}

/*
 * check_hung_task() prints "INFO: task COMM:PID blocked for more than N
 * seconds." and, with hung_task_panic set, panic("hung_task: blocked
 * tasks").
 */
static void read_log(struct graph *g)
{
	const struct kt_log *log;

	if (kt_error_catch_any(kt_log_load(g->prog, &log)))
		return;
	for (size_t i = 0; i < log->n; i++) {
		const struct kt_log_record *r = &log->recs[i];
		const char *b = find_in(r, " blocked for more than ");
		const char *p;

		if (starts(r, "Kernel panic - not syncing: ") &&
		    find_in(r, "hung_task"))
			g->hung_panic = true;
		if (!b || !starts(r, "INFO: task ") || g->nhung >= MAX_HUNG)
			continue;
		for (p = b; p > r->text && p[-1] != ':'; p--)
			;
		if (p > r->text && p < b)
			g->hung_pids[g->nhung++] = atoi(p);
	}
}

static bool named_hung(const struct graph *g, int pid)
{
	for (size_t i = 0; i < g->nhung; i++)
		if (g->hung_pids[i] == pid)
			return true;
	return false;
}

/* ---- the graph ---- */

static int node_of(const struct graph *g, uint64_t task)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->v[i].t->addr == task)
			return (int)i;
	return -1;
}

static void analyse(struct graph *g, struct node *nd)
{
	struct kt_trace tr;

	if (nd->t->active) {
		snprintf(nd->why, sizeof(nd->why), "it is running on CPU %d",
			 nd->t->cpu);
		return;
	}
	if (kt_error_catch_any(kt_stack_trace(g->prog, nd->t->addr, &tr))) {
		snprintf(nd->why, sizeof(nd->why), "its stack does not unwind");
		return;
	}
	nd->waits = kt_lock_wait_find(g->prog, &g->ctx, g->tl, &tr, &nd->w, nd->why,
				      sizeof(nd->why));
	kt_trace_deinit(&tr);

	if (!nd->waits)
		return;
	kt_lock_state_read(g->prog, g->tl, &nd->w, &nd->st);
	kt_lock_name(g->prog, nd->w.lock, kt_wait_kind_type(nd->w.kind),
		     nd->lock, sizeof(nd->lock));
}

static int add_node(struct graph *g, const struct kt_task *t)
{
	int i = node_of(g, t->addr);
	struct node *nd;

	if (i >= 0)
		return i;
	if (g->n >= MAX_NODES)
		return -1;
	if (g->n == g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 64;
		struct node *v = realloc(g->v, cap * sizeof(*v));

		if (!v)
			return -1;
		g->v = v;
		g->cap = cap;
	}
	nd = &g->v[g->n];
	memset(nd, 0, sizeof(*nd));
	nd->t = t;
	nd->next = -1;
	nd->cycle = -1;
	nd->named = named_hung(g, t->pid);
	analyse(g, nd);
	return (int)g->n++;
}

/*
 * Every D task, then, until nothing new turns up, the owners of what they
 * wait on and the other tasks queued with them (an owner or a waiter may
 * sleep interruptibly, or run).
 */
static void build(struct graph *g)
{
	for (size_t i = 0; i < g->tl->n; i++) {
		const struct kt_task *t = &g->tl->tasks[i];

		if (!t->idle && (!strcmp(t->st, "UN") || !strcmp(t->st, "IN")))
			add_node(g, t);
	}
	for (size_t i = 0; i < g->n; i++) {
		const struct kt_task *o;

		if (!g->v[i].waits)
			continue;
		for (size_t k = 0; k < g->v[i].w.nring; k++) {
			o = kt_task_by_addr(g->tl, g->v[i].w.ring[k].task);
			if (o && !o->idle)
				add_node(g, o);
		}
		o = g->v[i].st.owner ? kt_task_by_addr(g->tl, g->v[i].st.owner) :
				       NULL;
		if (o && !o->idle)
			g->v[i].next = add_node(g, o);
	}
}

/* Mark cycles and give every node its root (or its cycle). */
static void resolve(struct graph *g)
{
	int path[MAX_NODES];

	for (size_t s = 0; s < g->n; s++) {
		size_t len = 0;
		int i = (int)s, end;

		while (i >= 0 && g->v[i].color == 0 && len < MAX_NODES) {
			g->v[i].color = 1;
			path[len++] = i;
			i = g->v[i].next;
		}
		if (i >= 0 && g->v[i].color == 1) {
			// a new cycle: from i to the end of the path
			int c = g->ncycles++;

			for (size_t k = 0; k < len; k++)
				if (path[k] == i)
					for (size_t m = k; m < len; m++)
						g->v[path[m]].cycle = c;
			end = -(c + 2);
		} else if (i >= 0) {
			end = g->v[i].root;	// done: its root
		} else {
			end = path[len - 1];	// a root
		}
		for (size_t k = 0; k < len; k++) {
			g->v[path[k]].color = 2;
			g->v[path[k]].root = g->v[path[k]].cycle >= 0 ?
					     -(g->v[path[k]].cycle + 2) : end;
		}
	}
}

/* ---- words ---- */

static const char *task_label(const struct node *nd, char *buf, size_t len)
{
	snprintf(buf, len, "%.16s (pid %d)", nd->t->comm, nd->t->pid);
	return buf;
}

/* "mutex kt_dev.cfg_lock [ktscen]", "folio 0x... (PG_locked)" */
static const char *lock_label(const struct node *nd, char *buf, size_t len)
{
	if (nd->w.kind == KT_WAIT_PAGE && nd->st.pg_locked)
		snprintf(buf, len, "folio 0x%" PRIx64 " (PG_locked)", nd->w.page);
	else if (nd->w.kind == KT_WAIT_PAGE)
		snprintf(buf, len, "folio 0x%" PRIx64 " (bit %d)", nd->w.page,
			 nd->w.bit);
	else
		snprintf(buf, len, "%s %s", kt_wait_kind_name(nd->w.kind),
			 nd->lock);
	return buf;
}

/* What the lock's fields say about who has it. */
static void state_text(const struct graph *g, const struct node *nd,
		       char *buf, size_t len)
{
	const struct kt_lock_state *st = &nd->st;
	const struct kt_task *o = kt_task_by_addr(g->tl, st->owner);
	const struct kt_task *r = kt_task_by_addr(g->tl, st->last_reader);

	buf[0] = '\0';
	if (!st->read)
		return;
	switch (nd->w.kind) {
	case KT_WAIT_MUTEX:
		if (o)
			snprintf(buf, len, "owner word 0x%" PRIx64 " & ~0x7 = "
				 "task %.16s (pid %d)", st->word, o->comm,
				 o->pid);
		else
			snprintf(buf, len, "owner word 0x%" PRIx64 " names no "
				 "task", st->word);
		break;
	case KT_WAIT_RWSEM:
		if (o)
			snprintf(buf, len, "count 0x%" PRIx64 " (bit 0: "
				 "write-locked), owner word 0x%" PRIx64
				 " & ~0x7 = writer %.16s (pid %d)", st->count,
				 st->word, o->comm, o->pid);
		else
			snprintf(buf, len, "count 0x%" PRIx64 ": %s, %ld "
				 "reader(s) (count >> 8); owner word 0x%" PRIx64
				 "%s%.16s%s", st->count,
				 st->writer ? "write-locked by no known task" :
				 "not write-locked", st->readers, st->word,
				 r ? ": reader-owned, its last reader was " : "",
				 r ? r->comm : "",
				 r ? " (a hint: readers are not recorded)" : "");
		break;
	case KT_WAIT_SEMAPHORE:
		snprintf(buf, len, "count %" PRIu64 " (a semaphore has no "
			 "owner)", st->count);
		break;
	case KT_WAIT_COMPLETION:
		snprintf(buf, len, "done %" PRIu64 "%s", st->count,
			 st->count ? "" : ": nobody has called complete() for "
			 "it (a completion has no owner)");
		break;
	case KT_WAIT_PERCPU_RWSEM:
		if (o)
			snprintf(buf, len, "block %" PRIu64 ", writer.task = "
				 "%.16s (pid %d): that writer has blocked new "
				 "readers and waits for the old ones to leave",
				 st->block, o->comm, o->pid);
		else
			snprintf(buf, len, "block %" PRIu64 "%s", st->block,
				 st->block ? ": a writer holds it (writer.task "
				 "is empty once it has it: no field names it)" :
				 ": no writer has it");
		break;
	case KT_WAIT_PAGE:
		snprintf(buf, len, "flags 0x%" PRIx64 ": bit %d %s%s", st->flags,
			 nd->w.bit, st->locked ? "set" : "clear",
			 st->locked ? " (locked)" : "");
		break;
	default:
		break;
	}
}

/* ---- findings ---- */

static void ref_lock(struct kt_findings *out, struct kt_finding *f,
		     const struct node *nd, const char *label)
{
	const char *type = kt_wait_kind_type(nd->w.kind);

	kt_finding_ref_address(out, f, label, nd->w.lock,
			       type ? type : "struct folio");
}

/* The derivation of what @nd waits on and who holds it. */
static void step_wait(const struct graph *g, struct kt_findings *out,
		      struct kt_finding *f, const struct node *nd)
{
	char who[64], what[NAME_LEN + 32], st[256];

	task_label(nd, who, sizeof(who));
	if (!nd->waits) {
		kt_finding_step(out, f, "%s (%s): waits on nothing known: %s",
				who, nd->t->st, nd->why);
		return;
	}
	kt_finding_step(out, f,
			"%s (%s): %s `%s` of %s (frame #%zu) at 0x%" PRIx64
			" on its stack (a word there is the task); its list "
			"is a ring of %zu waiter(s)%s whose head 0x%" PRIx64
			" is the wait list of %s at 0x%" PRIx64 "%s%s%s",
			who, nd->t->st, nd->w.waiter_type, nd->w.variable,
			nd->w.function, nd->w.frame, nd->w.waiter, nd->w.nring,
			nd->w.ring_cut ? " and more" : "", nd->w.head,
			lock_label(nd, what, sizeof(what)), nd->w.lock,
			nd->w.confirm[0] ? "; variable " : "", nd->w.confirm,
			nd->w.confirm[0] ? " holds that address" : "");
	state_text(g, nd, st, sizeof(st));
	if (st[0])
		kt_finding_step(out, f, "%s 0x%" PRIx64 ": %s",
				kt_wait_kind_name(nd->w.kind), nd->w.lock, st);
}

/* The locks @nd holds among those others wait on, as "mutex X, ..." */
static void held_text(const struct graph *g, const struct node *nd, char *buf,
		      size_t len)
{
	size_t used = 0;
	uint64_t seen[16];
	size_t nseen = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < g->n && used < len; i++) {
		const struct node *w = &g->v[i];
		char what[NAME_LEN + 32];
		bool dup = false;

		if (w->next < 0 || &g->v[w->next] != nd)
			continue;
		for (size_t k = 0; k < nseen; k++)
			dup |= seen[k] == w->w.lock;
		if (dup || nseen >= 16)
			continue;
		seen[nseen++] = w->w.lock;
		used += snprintf(buf + used, len - used, "%s%s",
				 used ? ", " : "",
				 lock_label(w, what, sizeof(what)));
	}
}

static enum kt_severity chain_severity(const struct graph *g, bool named)
{
	if (!named)
		return KT_SEV_INFO;
	return g->hung_panic ? KT_SEV_ERROR : KT_SEV_WARNING;
}

/* Hops from @i to root @r along the owners, or -1. */
static int distance(const struct graph *g, int i, int r)
{
	int d = 0;

	while (i != r && i >= 0 && d <= (int)g->n) {
		i = g->v[i].next;
		d++;
	}
	return i == r ? d : -1;
}

static const char *intent(const struct node *nd)
{
	if (nd->w.kind != KT_WAIT_RWSEM && nd->w.kind != KT_WAIT_PERCPU_RWSEM)
		return "";
	return nd->w.write ? " (to write)" : " (to read)";
}

/* "Behind it: A waits for L (held by B); ..." nearest first. */
static void explain_behind(const struct graph *g, struct kt_findings *out,
			   struct kt_finding *f, int r)
{
	char who[64], owner[64], what[NAME_LEN + 32], text[2048];
	size_t used = 0;

	for (int d = 1; d <= (int)g->n && used < sizeof(text); d++) {
		bool any = false;

		for (size_t i = 0; i < g->n && used < sizeof(text); i++) {
			const struct node *nd = &g->v[i];

			if ((int)i == r || nd->root != r ||
			    distance(g, (int)i, r) != d)
				continue;
			any = true;
			used += snprintf(text + used, sizeof(text) - used,
					 "%s%s waits for %s%s, held by %s",
					 used ? "; " : "Behind it: ",
					 task_label(nd, who, sizeof(who)),
					 lock_label(nd, what, sizeof(what)),
					 intent(nd),
					 task_label(&g->v[nd->next], owner,
						    sizeof(owner)));
		}
		if (!any)
			break;
	}
	if (used)
		kt_finding_explain(out, f, "%s.", text);
}

/* Everyone behind root @r, nearest first. */
static void report_chain(struct graph *g, struct kt_findings *out, int r)
{
	const struct node *root = &g->v[r];
	char who[64], held[512], what[NAME_LEN + 32];
	size_t behind = 0;
	bool named = root->named;
	struct kt_finding *f;

	for (size_t i = 0; i < g->n; i++) {
		if ((int)i == r || g->v[i].root != r)
			continue;
		behind++;
		named |= g->v[i].named;
	}
	if (!behind)
		return;
	f = kt_finding_add(out, NAME, chain_severity(g, named), "0x%" PRIx64,
			   root->t->addr);
	if (!f)
		return;
	kt_finding_kind(f, "blocked-behind-task");
	held_text(g, root, held, sizeof(held));
	task_label(root, who, sizeof(who));
	if (root->waits)
		kt_finding_title(out, f, "%zu task(s) blocked behind %s, which "
				 "holds %s and waits for %s", behind, who, held,
				 lock_label(root, what, sizeof(what)));
	else
		kt_finding_title(out, f, "%zu task(s) blocked behind %s, which "
				 "holds %s (%s)", behind, who, held,
				 root->t->active ? "running" : "not waiting on "
				 "a lock known here");
	kt_finding_explain(out, f,
			   "Following each blocked task to the owner of the "
			   "lock it waits for, and on, %zu task(s) end at %s. "
			   "It holds %s. ", behind, who, held);
	if (root->waits)
		kt_finding_explain(out, f,
				   "It waits for %s, which no task owns: "
				   "until that is signalled, every task behind "
				   "it stays blocked.", what);
	else
		kt_finding_explain(out, f, "It %s.", root->why);
	explain_behind(g, out, f, r);
	if (named)
		kt_finding_explain(out, f,
				   "The hung-task detector reported tasks of "
				   "this chain blocked for longer than its "
				   "timeout%s.", g->hung_panic ?
				   ", and panicked" : "");
	kt_finding_ref_task(out, f, "root task", root->t->pid, root->t->addr);
	if (root->waits)
		ref_lock(out, f, root, "root waits for");
	step_wait(g, out, f, root);
	// nearest first: by distance from the root
	for (int d = 1; d <= (int)g->n; d++) {
		bool any = false;

		for (size_t i = 0; i < g->n; i++) {
			const struct node *nd = &g->v[i];

			if ((int)i == r || nd->root != r ||
			    distance(g, (int)i, r) != d)
				continue;
			any = true;
			kt_finding_ref_task(out, f, "blocked task", nd->t->pid,
					    nd->t->addr);
			ref_lock(out, f, nd, "lock");
			step_wait(g, out, f, nd);
		}
		if (!any)
			break;
	}
}

/* ---- tasks blocked on one lock whose holder is not known ---- */

static bool blocked_un(const struct node *nd)
{
	return nd->waits && nd->next < 0 && !strcmp(nd->t->st, "UN");
}

/* Does the lock's type have a holder at all (a completion has none)? */
static bool is_lock(enum kt_wait_kind kind)
{
	return kind == KT_WAIT_MUTEX || kind == KT_WAIT_RWSEM ||
	       kind == KT_WAIT_SEMAPHORE || kind == KT_WAIT_PERCPU_RWSEM ||
	       kind == KT_WAIT_PAGE;
}

static bool has_behind(const struct graph *g, size_t r)
{
	for (size_t i = 0; i < g->n; i++)
		if (i != r && g->v[i].root == (int)r)
			return true;
	return false;
}

static const char *no_holder(const struct node *nd)
{
	switch (nd->w.kind) {
	case KT_WAIT_SEMAPHORE:
		return "a semaphore records no holder";
	case KT_WAIT_PERCPU_RWSEM:
		return "a percpu_rw_semaphore records no writer once it has "
		       "it, nor its readers";
	case KT_WAIT_PAGE:
		return "a page lock records no holder";
	case KT_WAIT_MUTEX:
	case KT_WAIT_RWSEM:
		return "its owner field names no task";
	default:
		return "it has no owner: whoever should signal it";
	}
}

/*
 * The D tasks, from node @first on, that wait on @first's lock and whose
 * holder no field names: one finding. A lock (a semaphore, a page lock)
 * with one such task says what it is blocked on; two or more on one lock
 * or event are a pile-up, as bad as the hung-task detector says.
 */
static void report_blocked_on(struct graph *g, struct kt_findings *out,
			      size_t first)
{
	const struct node *nd = &g->v[first];
	char what[NAME_LEN + 32], st[256];
	size_t n = 0;
	bool named = false;
	struct kt_finding *f;

	for (size_t i = 0; i < g->n; i++) {
		if (!blocked_un(&g->v[i]) || g->v[i].w.lock != nd->w.lock)
			continue;
		if (i < first)
			return;	// reported with the first
		n++;
		named |= g->v[i].named;
	}
	// one task with others behind it: its chain's finding says it
	if (!n || (n == 1 && (!is_lock(nd->w.kind) || has_behind(g, first))))
		return;
	f = kt_finding_add(out, NAME, n > 1 ? chain_severity(g, named) :
			   KT_SEV_INFO, "blocked:0x%" PRIx64, nd->w.lock);
	if (!f)
		return;
	kt_finding_kind(f, "blocked-on-lock");
	lock_label(nd, what, sizeof(what));
	kt_finding_title(out, f, "%zu task(s) blocked on %s%s, %s", n, what,
			 intent(nd), is_lock(nd->w.kind) ?
			 "whose holder is not known" : "which no task owns");
	state_text(g, nd, st, sizeof(st));
	kt_finding_explain(out, f,
			   "%zu task(s) in D state wait on %s at 0x%" PRIx64
			   "; %s. %s%s", n, what, nd->w.lock, no_holder(nd),
			   st[0] ? st : "", st[0] ? "." : "");
	if (named)
		kt_finding_explain(out, f,
				   " The hung-task detector reported %s blocked "
				   "for longer than its timeout%s.",
				   n > 1 ? "them" : "it",
				   g->hung_panic ? ", and panicked" : "");
	ref_lock(out, f, nd, "blocked on");
	for (size_t i = first; i < g->n; i++) {
		const struct node *w = &g->v[i];

		if (!blocked_un(w) || w->w.lock != nd->w.lock)
			continue;
		kt_finding_ref_task(out, f, "blocked task", w->t->pid,
				    w->t->addr);
		ref_lock(out, f, w, "lock");
		step_wait(g, out, f, w);
	}
}

static void report_cycle(struct graph *g, struct kt_findings *out, int c)
{
	char title[1024], who[64], what[NAME_LEN + 32];
	size_t used = 0, n = 0;
	uint64_t key = UINT64_MAX;
	bool named = false;
	struct kt_finding *f;
	int first = -1;

	for (size_t i = 0; i < g->n; i++) {
		if (g->v[i].cycle != c)
			continue;
		n++;
		named |= g->v[i].named;
		if (g->v[i].w.lock < key) {
			key = g->v[i].w.lock;
			first = (int)i;
		}
	}
	if (first < 0)
		return;
	f = kt_finding_add(out, NAME, named && g->hung_panic ? KT_SEV_CRITICAL :
			   KT_SEV_ERROR, "deadlock:0x%" PRIx64, key);
	if (!f)
		return;
	kt_finding_kind(f, "deadlock");
	used = snprintf(title, sizeof(title), "Deadlock of %zu task(s): ", n);
	for (int i = first, k = 0; k < (int)n && used < sizeof(title); k++) {
		const struct node *nd = &g->v[i];

		if (!k)
			used += snprintf(title + used, sizeof(title) - used,
					 "%s ", task_label(nd, who, sizeof(who)));
		else
			used += snprintf(title + used, sizeof(title) - used,
					 ", which ");
		if (used < sizeof(title))
			used += snprintf(title + used, sizeof(title) - used,
					 "waits for %s held by ",
					 lock_label(nd, what, sizeof(what)));
		i = nd->next;
		if (used < sizeof(title))
			used += snprintf(title + used, sizeof(title) - used,
					 "%s", task_label(&g->v[i], who,
							  sizeof(who)));
	}
	kt_finding_title(out, f, "%s", title);
	kt_finding_explain(out, f,
			   "Each of these tasks waits for a lock whose owner "
			   "field names the next one, and the last one's lock "
			   "is held by the first: none of them can ever run "
			   "again.");
	if (named)
		kt_finding_explain(out, f,
				   "The hung-task detector reported them "
				   "blocked for longer than its timeout%s.",
				   g->hung_panic ? ", and panicked" : "");
	for (int i = first, k = 0; k < (int)n; k++) {
		const struct node *nd = &g->v[i];

		kt_finding_ref_task(out, f, "deadlocked task", nd->t->pid,
				    nd->t->addr);
		ref_lock(out, f, nd, "lock");
		step_wait(g, out, f, nd);
		i = nd->next;
	}
	for (size_t i = 0; i < g->n; i++) {
		if (g->v[i].cycle >= 0 || g->v[i].root != -(c + 2))
			continue;
		kt_finding_ref_task(out, f, "blocked behind the deadlock",
				    g->v[i].t->pid, g->v[i].t->addr);
		ref_lock(out, f, &g->v[i], "lock");
		step_wait(g, out, f, &g->v[i]);
	}
}

static struct kt_error *lock_chain_run(struct kt_program *prog,
				       struct kt_findings *out)
{
	struct graph g = { .prog = prog };
	struct kt_error *err = kt_tasks_load(prog, &g.tl);

	if (err)
		return kt_error_wrap(err, "loading tasks");
	read_log(&g);
	kt_lock_wait_ctx_init(prog, &g.ctx);
	build(&g);
	resolve(&g);
	for (int c = 0; c < g.ncycles; c++)
		report_cycle(&g, out, c);
	for (size_t i = 0; i < g.n; i++)
		if (g.v[i].root == (int)i)
			report_chain(&g, out, (int)i);
	for (size_t i = 0; i < g.n; i++)
		if (blocked_un(&g.v[i]))
			report_blocked_on(&g, out, i);
	kt_lock_wait_ctx_deinit(&g.ctx);
	free(g.v);
	return NULL;
}

static const char *const lock_chain_types[] = {
	"struct mutex.owner",
	NULL,
};

static const char *const lock_chain_symbols[] = {
	"__sched_text_start",
	"__sched_text_end",
	NULL,
};

const struct kt_plugin kt_plugin_lock_chain = {
	.name = NAME,
	.summary = "blocked tasks followed from lock to owner to the root "
		   "they wait behind; deadlock cycles",
	.types = lock_chain_types,
	.symbols = lock_chain_symbols,
	.run = lock_chain_run,
};
