// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The lock_chain plugin against drgn.
 *
 * NAME.lock_chain.json (tests/oracle/lock_chain.py) holds the wait lists
 * of candidate locks as drgn walks them with the kernel's waiter types:
 * the locks drgn can read in the frames of D tasks (`lock`, `sem`, `x`)
 * and, on lock-chain, ktscen's locks by name. The plugin goes the other
 * way (from the waiter on each task's stack to the lock), so every task
 * and lock it names is checked against drgn's lists, and on lock-chain
 * the chain to kt_dev.ready and the ABBA cycle are checked fact by fact:
 * tasks by pid as drgn reads them from the dump, locks by address and by
 * name, the slab object of kt_pair->lock as slab_object_info() gives it.
 * On wait-kinds (ktwait), the locks that record no holder: a semaphore in
 * a slab object, a percpu rwsem held for write, a locked page and a wait
 * queue, each with its D tasks as drgn walks its wait list.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/task.h"
#include "plugins/plugin.h"
#include "tests/helpers.h"

/* ---- drgn's facts ---- */

static cJSON *expected(const char *dump)
{
	char file[96];

	snprintf(file, sizeof(file), "%s.lock_chain", dump);
	return kt_test_expected(file);
}

/* drgn's lock named @name (lock-chain's ktscen locks), or NULL. */
static cJSON *lock_named(cJSON *exp, const char *name)
{
	cJSON *l;

	cJSON_ArrayForEach(l, kt_test_get(exp, "locks")) {
		cJSON *n = kt_test_get(l, "name");

		if (cJSON_IsString(n) && !strcmp(n->valuestring, name))
			return l;
	}
	return NULL;
}

static cJSON *lock_at(cJSON *exp, uint64_t addr)
{
	cJSON *l;

	cJSON_ArrayForEach(l, kt_test_get(exp, "locks"))
		if (kt_test_hex(kt_test_get(l, "addr")) == addr)
			return l;
	return NULL;
}

static int owner_pid(cJSON *lock)
{
	cJSON *o = kt_test_get(lock, "owner");

	return cJSON_IsObject(o) ? kt_test_get(o, "pid")->valueint : -1;
}

static bool has_waiter(cJSON *lock, int pid)
{
	cJSON *w;

	cJSON_ArrayForEach(w, kt_test_get(lock, "waiters"))
		if (kt_test_get(w, "pid")->valueint == pid)
			return true;
	return false;
}

static bool hung_named(cJSON *exp, int pid)
{
	cJSON *p;

	cJSON_ArrayForEach(p, kt_test_get(exp, "hung_pids"))
		if (p->valueint == pid)
			return true;
	return false;
}

static bool blocked(cJSON *exp, int pid)
{
	cJSON *b;

	cJSON_ArrayForEach(b, kt_test_get(exp, "blocked"))
		if (kt_test_get(b, "pid")->valueint == pid)
			return true;
	return false;
}

/* ---- the plugin's ---- */

static bool refs_task(const struct kt_finding *f, const char *label, int pid)
{
	for (size_t i = 0; i < f->nrefs; i++)
		if (f->refs[i].kind == KT_REF_TASK && f->refs[i].pid == pid &&
		    !strcmp(f->refs[i].label, label))
			return true;
	return false;
}

static size_t count_refs(const struct kt_finding *f, const char *label)
{
	size_t n = 0;

	for (size_t i = 0; i < f->nrefs; i++)
		n += !strcmp(f->refs[i].label, label);
	return n;
}

static const struct kt_finding *finding_with_prefix(const struct kt_findings *out,
						    const char *prefix)
{
	for (size_t i = 0; i < out->n; i++)
		if (!strncmp(out->v[i].id, prefix, strlen(prefix)))
			return &out->v[i];
	return NULL;
}

ParameterizedTestParameters(plugin_lock_chain, drgn_wait_lists)
{
	KT_ALL_DUMP_PARAMS();
}

/*
 * On every dump: each task the plugin names as blocked on a lock is on
 * drgn's wait list of that lock (when drgn has the lock), and each lock
 * drgn sees owned by a task while a D task waits on it is in a finding
 * that names both. A finding of the plugin with no such lock in drgn's
 * view must be about locks drgn could not see: then each of its tasks is
 * at least one drgn has in D state or as an owner.
 */
ParameterizedTest(struct kt_dump_param *d, plugin_lock_chain, drgn_wait_lists)
{
	struct kt_program *prog = kt_test_open(d->name);
	cJSON *exp = expected(d->name), *l;
	struct kt_findings out;

	kt_test_run_plugin(prog, "lock_chain", &out);
	for (size_t i = 0; i < out.n; i++) {
		const struct kt_finding *f = &out.v[i];

		// a task ref is followed by the lock it waits for
		for (size_t r = 0; r + 1 < f->nrefs; r++) {
			const struct kt_ref *t = &f->refs[r], *k = &f->refs[r + 1];
			cJSON *lock;

			if (t->kind != KT_REF_TASK || k->kind != KT_REF_ADDRESS ||
			    strcmp(k->label, "lock"))
				continue;
			lock = lock_at(exp, k->addr);
			if (lock)
				cr_expect(has_waiter(lock, t->pid), "%s: %s: pid %d "
					  "is not on drgn's wait list of 0x%" PRIx64,
					  d->name, f->id, t->pid, k->addr);
			else
				cr_expect(blocked(exp, t->pid), "%s: %s: pid %d "
					  "is not in D state for drgn", d->name,
					  f->id, t->pid);
		}
	}
	cJSON_ArrayForEach(l, kt_test_get(exp, "locks")) {
		int owner = owner_pid(l);
		cJSON *w;

		if (owner < 0 || !blocked(exp, owner))
			continue;
		cJSON_ArrayForEach(w, kt_test_get(l, "waiters")) {
			int pid = kt_test_get(w, "pid")->valueint;
			bool found = false;

			if (!blocked(exp, pid))
				continue;
			for (size_t i = 0; i < out.n && !found; i++)
				found = (refs_task(&out.v[i], "blocked task", pid) ||
					 refs_task(&out.v[i], "deadlocked task", pid) ||
					 refs_task(&out.v[i], "blocked behind the "
						   "deadlock", pid));
			cr_expect(found, "%s: pid %d waits for lock %s owned by "
				  "blocked pid %d: no finding names it", d->name,
				  pid, kt_test_get(l, "addr")->valuestring, owner);
		}
	}
	kt_findings_deinit(&out);
	cJSON_Delete(exp);
	kt_program_destroy(prog);
}

/* ---- lock-chain, fact by fact ---- */

static size_t scenario_dumps(struct kt_dump_param *p, const char *scenario)
{
	static struct kt_dump_param all[KT_TEST_NDUMPS + (KT_TEST_NDUMPS +
			KT_TEST_NFINDING_DUMPS) * KT_TEST_MAXKERNELS];
	size_t n = kt_test_all_dump_params(all), k = 0;

	for (size_t i = 0; i < n; i++)
		if (!strcmp(kt_test_scenario(all[i].name), scenario))
			p[k++] = all[i];
	return k;
}

static size_t lock_chain_dumps(struct kt_dump_param *p)
{
	return scenario_dumps(p, "lock-chain");
}

ParameterizedTestParameters(plugin_lock_chain, abba_deadlock)
{
	static struct kt_dump_param p[KT_TEST_MAXKERNELS];
	size_t n = lock_chain_dumps(p);

	return cr_make_param_array(struct kt_dump_param, p, n);
}

/*
 * kt_abba_a and kt_abba_b: each waits for the mutex the other holds, one
 * the global kt_table_lock, the other inside the kmalloc'd kt_pair.
 */
ParameterizedTest(struct kt_dump_param *d, plugin_lock_chain, abba_deadlock)
{
	struct kt_program *prog = kt_test_open(d->name);
	cJSON *exp = expected(d->name);
	cJSON *table = lock_named(exp, "kt_table_lock");
	cJSON *pair = lock_named(exp, "kt_pair->lock");
	uint64_t ta, pa, key;
	const struct kt_finding *f;
	struct kt_findings out;
	char id[64], name[160];
	cJSON *slab;
	int a, b;

	cr_assert(table && pair, "%s: drgn has no ktscen locks", d->name);
	ta = kt_test_hex(kt_test_get(table, "addr"));
	pa = kt_test_hex(kt_test_get(pair, "addr"));
	a = owner_pid(table);
	b = owner_pid(pair);
	// drgn: each owner is the other lock's waiter
	cr_assert(a > 0 && b > 0 && a != b, "%s", d->name);
	cr_assert(has_waiter(pair, a) && has_waiter(table, b), "%s", d->name);
	kt_test_run_plugin(prog, "lock_chain", &out);
	key = ta < pa ? ta : pa;
	snprintf(id, sizeof(id), "lock_chain:deadlock:0x%" PRIx64, key);
	f = kt_findings_find(&out, id);
	cr_assert_not_null(f, "%s: no %s", d->name, id);
	cr_assert_eq(count_refs(f, "deadlocked task"), 2);
	cr_assert(refs_task(f, "deadlocked task", a) &&
		  refs_task(f, "deadlocked task", b), "%s", d->name);
	cr_assert_eq(count_refs(f, "lock"), 2);
	for (size_t i = 0; i < f->nrefs; i++)
		if (!strcmp(f->refs[i].label, "lock"))
			cr_assert(f->refs[i].addr == ta || f->refs[i].addr == pa);
	// the locks by name: the global, and the slab object drgn finds
	cr_assert(strstr(f->title, "mutex kt_table_lock [ktscen]"), "%s",
		  f->title);
	slab = kt_test_get(pair, "slab");
	cr_assert(cJSON_IsObject(slab), "%s: kt_pair is not a slab object",
		  d->name);
	snprintf(name, sizeof(name), "mutex %s object 0x%" PRIx64 "+0x%" PRIx64,
		 kt_test_get(slab, "cache")->valuestring,
		 kt_test_hex(kt_test_get(slab, "object")),
		 pa - kt_test_hex(kt_test_get(slab, "object")));
	cr_assert(strstr(f->title, name), "%s: no '%s' in %s", d->name, name,
		  f->title);
	// the hung-task panic named them: the deadlock is what killed it
	cr_assert_eq(f->severity,
		     cJSON_IsTrue(kt_test_get(exp, "hung_panic")) &&
		     (hung_named(exp, a) || hung_named(exp, b)) ?
		     KT_SEV_CRITICAL : KT_SEV_ERROR, "%s", d->name);
	// exactly one cycle
	cr_assert_eq(finding_with_prefix(&out, "lock_chain:deadlock:"), f);
	kt_findings_deinit(&out);
	cJSON_Delete(exp);
	kt_program_destroy(prog);
}

ParameterizedTestParameters(plugin_lock_chain, chain_to_completion)
{
	static struct kt_dump_param p[KT_TEST_MAXKERNELS];
	size_t n = lock_chain_dumps(p);

	return cr_make_param_array(struct kt_dump_param, p, n);
}

/*
 * kt_cfg holds kt_dev.cfg_lock and waits for kt_dev.ready; kt_update
 * holds kt_dev.state_sem for write and waits for cfg_lock; two readers
 * wait for state_sem. One finding, rooted at cfg_lock's owner.
 */
ParameterizedTest(struct kt_dump_param *d, plugin_lock_chain,
		  chain_to_completion)
{
	struct kt_program *prog = kt_test_open(d->name);
	cJSON *exp = expected(d->name);
	cJSON *cfg = lock_named(exp, "kt_dev.cfg_lock");
	cJSON *sem = lock_named(exp, "kt_dev.state_sem");
	cJSON *ready = lock_named(exp, "kt_dev.ready");
	const struct kt_task_list *tl;
	const struct kt_task *root;
	const struct kt_finding *f;
	struct kt_findings out;
	bool named = false;
	char id[64];
	cJSON *w;
	int writer;

	cr_assert(cfg && sem && ready, "%s", d->name);
	cr_assert_null(kt_tasks_load(prog, &tl));
	root = kt_task_by_pid(tl, owner_pid(cfg));
	cr_assert_not_null(root, "%s: cfg_lock has no owner for drgn", d->name);
	// drgn: the root is the one waiter of the completion, never done
	cr_assert(has_waiter(ready, root->pid));
	cr_assert_eq(kt_test_get(ready, "done")->valueint, 0);
	writer = owner_pid(sem);
	cr_assert(has_waiter(cfg, writer), "%s", d->name);
	kt_test_run_plugin(prog, "lock_chain", &out);
	snprintf(id, sizeof(id), "lock_chain:0x%" PRIx64, root->addr);
	f = kt_findings_find(&out, id);
	cr_assert_not_null(f, "%s: no %s", d->name, id);
	cr_assert(refs_task(f, "root task", root->pid));
	cr_assert_eq(kt_test_ref(f, "root waits for")->addr,
		     kt_test_hex(kt_test_get(ready, "addr")));
	cr_assert(strstr(f->title, "holds mutex kt_dev.cfg_lock [ktscen]") &&
		  strstr(f->title, "waits for completion kt_dev.ready [ktscen]"),
		  "%s", f->title);
	cr_assert(kt_test_has_step(f, "done 0"));
	// everyone behind it, as drgn's wait lists have them, and no more
	named = hung_named(exp, root->pid);
	cJSON_ArrayForEach(w, kt_test_get(cfg, "waiters")) {
		cr_assert(refs_task(f, "blocked task",
				    kt_test_get(w, "pid")->valueint));
		named |= hung_named(exp, kt_test_get(w, "pid")->valueint);
	}
	cJSON_ArrayForEach(w, kt_test_get(sem, "waiters")) {
		cr_assert(refs_task(f, "blocked task",
				    kt_test_get(w, "pid")->valueint));
		cr_assert(!cJSON_IsTrue(kt_test_get(w, "write")));
		named |= hung_named(exp, kt_test_get(w, "pid")->valueint);
	}
	cr_assert_eq(count_refs(f, "blocked task"),
		     (size_t)(cJSON_GetArraySize(kt_test_get(cfg, "waiters")) +
			      cJSON_GetArraySize(kt_test_get(sem, "waiters"))));
	cr_assert(strstr(f->explanation, "kt_dev.state_sem [ktscen] (to read)"),
		  "%s", f->explanation);
	cr_assert_eq(f->severity, !named ? KT_SEV_INFO :
		     cJSON_IsTrue(kt_test_get(exp, "hung_panic")) ?
		     KT_SEV_ERROR : KT_SEV_WARNING);
	kt_findings_deinit(&out);
	cJSON_Delete(exp);
	kt_program_destroy(prog);
}

/* ---- what the lock's own fields decide ---- */

ParameterizedTestParameters(plugin_lock_chain, owner_cleared)
{
	static struct kt_dump_param p[KT_TEST_MAXKERNELS];
	size_t n = lock_chain_dumps(p);

	return cr_make_param_array(struct kt_dump_param, p, n);
}

/*
 * With cfg_lock's owner word cleared, kt_update waits for a mutex nobody
 * owns: the chain ends at it, and kt_cfg has nobody behind it.
 */
ParameterizedTest(struct kt_dump_param *d, plugin_lock_chain, owner_cleared)
{
	struct kt_program *prog = kt_test_open(d->name);
	cJSON *exp = expected(d->name);
	cJSON *cfg = lock_named(exp, "kt_dev.cfg_lock");
	const struct kt_task_list *tl;
	const struct kt_task *writer, *root;
	const struct kt_finding *f;
	struct kt_findings out;
	uint64_t zero = 0, off;
	char id[64];

	cr_assert_not_null(cfg);
	cr_assert_null(kt_tasks_load(prog, &tl));
	root = kt_task_by_pid(tl, owner_pid(cfg));
	writer = kt_task_by_pid(tl, owner_pid(lock_named(exp, "kt_dev.state_sem")));
	cr_assert(root && writer);
	cr_assert_null(kt_type_member_offset(prog, "struct mutex", "owner", &off));
	cr_assert_null(kt_dump_patch(prog->dump,
				     kt_test_hex(kt_test_get(cfg, "addr")) + off,
				     &zero, 8, KT_FAULT_NONE));
	kt_test_run_plugin(prog, "lock_chain", &out);
	snprintf(id, sizeof(id), "lock_chain:0x%" PRIx64, root->addr);
	cr_assert_null(kt_findings_find(&out, id), "%s still there", id);
	snprintf(id, sizeof(id), "lock_chain:0x%" PRIx64, writer->addr);
	f = kt_findings_find(&out, id);
	cr_assert_not_null(f, "%s: no %s", d->name, id);
	cr_assert(strstr(f->title, "waits for mutex kt_dev.cfg_lock [ktscen]"),
		  "%s", f->title);
	cr_assert_eq(count_refs(f, "blocked task"), 2);
	kt_findings_deinit(&out);
	cJSON_Delete(exp);
	kt_program_destroy(prog);
}

ParameterizedTestParameters(plugin_lock_chain, self_deadlock)
{
	static struct kt_dump_param p[KT_TEST_MAXKERNELS];
	size_t n = lock_chain_dumps(p);

	return cr_make_param_array(struct kt_dump_param, p, n);
}

/*
 * With kt_pair->lock's owner word naming its own waiter, that task waits
 * for a mutex it holds: a deadlock of one task, and the other ABBA task,
 * waiting for the first's kt_table_lock, is blocked behind it.
 */
ParameterizedTest(struct kt_dump_param *d, plugin_lock_chain, self_deadlock)
{
	struct kt_program *prog = kt_test_open(d->name);
	cJSON *exp = expected(d->name);
	cJSON *table = lock_named(exp, "kt_table_lock");
	cJSON *pair = lock_named(exp, "kt_pair->lock");
	const struct kt_task_list *tl;
	const struct kt_task *a;
	const struct kt_finding *f;
	struct kt_findings out;
	uint64_t off, word, pa;
	char id[64];

	cr_assert(table && pair);
	cr_assert_null(kt_tasks_load(prog, &tl));
	a = kt_task_by_pid(tl, owner_pid(table));	// waits for pair
	cr_assert_not_null(a);
	pa = kt_test_hex(kt_test_get(pair, "addr"));
	word = a->addr | 1;	// MUTEX_FLAG_WAITERS
	cr_assert_null(kt_type_member_offset(prog, "struct mutex", "owner", &off));
	cr_assert_null(kt_dump_patch(prog->dump, pa + off, &word, 8,
				     KT_FAULT_NONE));
	kt_test_run_plugin(prog, "lock_chain", &out);
	snprintf(id, sizeof(id), "lock_chain:deadlock:0x%" PRIx64, pa);
	f = kt_findings_find(&out, id);
	cr_assert_not_null(f, "%s: no %s", d->name, id);
	cr_assert(strstr(f->title, "Deadlock of 1 task(s)"), "%s", f->title);
	cr_assert_eq(count_refs(f, "deadlocked task"), 1);
	cr_assert(refs_task(f, "deadlocked task", a->pid));
	cr_assert(refs_task(f, "blocked behind the deadlock",
			    owner_pid(pair)));
	kt_findings_deinit(&out);
	cJSON_Delete(exp);
	kt_program_destroy(prog);
}

/* ---- wait-kinds, fact by fact ---- */

ParameterizedTestParameters(plugin_lock_chain, wait_kinds)
{
	static struct kt_dump_param p[KT_TEST_MAXKERNELS];
	size_t n = scenario_dumps(p, "wait-kinds");

	return cr_make_param_array(struct kt_dump_param, p, n);
}

/* drgn's D-state waiters of @lock, as a count; each one a "blocked task". */
static size_t check_waiters(const char *dump, const struct kt_finding *f,
			    cJSON *exp, cJSON *lock, bool *named)
{
	size_t n = 0;
	cJSON *w;

	cJSON_ArrayForEach(w, kt_test_get(lock, "waiters")) {
		cJSON *pid = kt_test_get(w, "pid");

		if (!cJSON_IsNumber(pid) || !blocked(exp, pid->valueint))
			continue;
		cr_expect(refs_task(f, "blocked task", pid->valueint),
			  "%s: %s does not name pid %d", dump, f->id,
			  pid->valueint);
		*named |= hung_named(exp, pid->valueint);
		n++;
	}
	return n;
}

/*
 * The finding about @name's lock: its id from drgn's address, its title
 * with @label ("semaphore kmalloc-64 object 0x...+0x18"), every D waiter
 * drgn walks and no more, each waiter's lock ref at that address, and its
 * severity: information for one task, a chain's for more.
 */
static const struct kt_finding *check_blocked_on(const char *dump,
						 const struct kt_findings *out,
						 cJSON *exp, cJSON *lock,
						 const char *label)
{
	uint64_t addr = kt_test_hex(kt_test_get(lock, "addr"));
	const struct kt_finding *f;
	bool named = false;
	char id[64];
	size_t n;

	snprintf(id, sizeof(id), "lock_chain:blocked:0x%" PRIx64, addr);
	f = kt_findings_find(out, id);
	cr_assert_not_null(f, "%s: no %s (%s)", dump, id, label);
	cr_expect(strstr(f->title, label), "%s: no '%s' in %s", dump, label,
		  f->title);
	cr_expect_eq(kt_test_ref(f, "blocked on")->addr, addr);
	n = check_waiters(dump, f, exp, lock, &named);
	cr_expect(n > 0, "%s: drgn has no D waiter on %s", dump, label);
	cr_expect_eq(count_refs(f, "blocked task"), n, "%s: %s", dump, f->id);
	for (size_t i = 0; i < f->nrefs; i++)
		if (!strcmp(f->refs[i].label, "lock"))
			cr_expect_eq(f->refs[i].addr, addr, "%s: %s", dump,
				     f->id);
	cr_expect_eq(f->severity, n == 1 || !named ? KT_SEV_INFO :
		     cJSON_IsTrue(kt_test_get(exp, "hung_panic")) ?
		     KT_SEV_ERROR : KT_SEV_WARNING, "%s: %s", dump, f->id);
	return f;
}

/*
 * ktwait's locks: the semaphore kt_pool->slots (count 0, two tasks in
 * down()), the percpu rwsem kt_hub.resize_sem (block 1, a reader), the
 * locked page kt_page (a task locking it) and the wait queue
 * kt_hub.idle_wq the two holders wait on. None records a holder, for
 * drgn as for the plugin.
 */
ParameterizedTest(struct kt_dump_param *d, plugin_lock_chain, wait_kinds)
{
	struct kt_program *prog = kt_test_open(d->name);
	cJSON *exp = expected(d->name);
	cJSON *sem = lock_named(exp, "kt_pool->slots");
	cJSON *pcpu = lock_named(exp, "kt_hub.resize_sem");
	cJSON *page = lock_named(exp, "kt_page");
	cJSON *wq = lock_named(exp, "kt_hub.idle_wq");
	const struct kt_finding *f;
	struct kt_findings out;
	char label[160];
	cJSON *slab, *w;
	uint64_t addr;

	cr_assert(sem && pcpu && page && wq, "%s: drgn has no ktwait locks",
		  d->name);
	cr_assert(owner_pid(sem) < 0 && owner_pid(pcpu) < 0 &&
		  owner_pid(page) < 0 && owner_pid(wq) < 0);
	kt_test_run_plugin(prog, "lock_chain", &out);

	// the semaphore, by its slab object as slab_object_info() has it
	addr = kt_test_hex(kt_test_get(sem, "addr"));
	slab = kt_test_get(sem, "slab");
	cr_assert(cJSON_IsObject(slab), "%s: kt_pool is not a slab object",
		  d->name);
	cr_assert_eq(kt_test_get(sem, "count")->valueint, 0);
	snprintf(label, sizeof(label), "semaphore %s object 0x%" PRIx64
		 "+0x%" PRIx64, kt_test_get(slab, "cache")->valuestring,
		 kt_test_hex(kt_test_get(slab, "object")),
		 addr - kt_test_hex(kt_test_get(slab, "object")));
	f = check_blocked_on(d->name, &out, exp, sem, label);
	cr_expect(kt_test_has_step(f, "count 0"));
	cr_expect_eq(cJSON_GetArraySize(kt_test_get(sem, "waiters")), 2);

	// the percpu rwsem: block set, its one waiter a reader
	cr_assert_eq(kt_test_get(pcpu, "block")->valueint, 1);
	cr_assert(cJSON_IsNull(kt_test_get(pcpu, "writer_waiting")));
	f = check_blocked_on(d->name, &out, exp, pcpu,
			     "percpu_rw_semaphore kt_hub.resize_sem [ktwait] "
			     "(to read)");
	cJSON_ArrayForEach(w, kt_test_get(pcpu, "waiters"))
		cr_expect(!cJSON_IsTrue(kt_test_get(w, "write")));
	cr_expect(kt_test_has_step(f, "block 1"));

	// the page: PG_locked set, its waiter on the page wait table
	cr_assert(cJSON_IsTrue(kt_test_get(page, "locked")));
	snprintf(label, sizeof(label), "folio 0x%" PRIx64 " (PG_locked)",
		 kt_test_hex(kt_test_get(page, "page")));
	f = check_blocked_on(d->name, &out, exp, page, label);
	cr_expect(kt_test_has_step(f, "set (locked)"));

	// the wait queue both holders wait on, by its member path
	f = check_blocked_on(d->name, &out, exp, wq,
			     "wait queue kt_hub.idle_wq [ktwait]");
	cr_expect_eq(cJSON_GetArraySize(kt_test_get(wq, "waiters")), 2);

	// no chain: nothing records who holds them
	cr_expect_null(finding_with_prefix(&out, "lock_chain:deadlock:"));
	for (size_t i = 0; i < out.n; i++)
		cr_expect(!strncmp(out.v[i].id, "lock_chain:blocked:", 19),
			  "%s: %s", d->name, out.v[i].id);
	kt_findings_deinit(&out);
	cJSON_Delete(exp);
	kt_program_destroy(prog);
}
