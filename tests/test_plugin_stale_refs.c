// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The stale_refs plugin on every dump of every kernel.
 *
 * stale-ref (ktscen's stale_ref): kt_req_wait() kfree()s its request while
 * the on-stack waiter (w.req) and the parameter req still point at it,
 * prints "ktscen: waiting on a freed request ADDR" and blocks in D state.
 * The finding must name the blocked task, the frame, the variables, the
 * object the kernel printed, its cache as kmem sees it, and that it is
 * free; drgn (tests/oracle/stale_refs.py) must see the same object, cache,
 * free state and variable values. The caller kt_stale_thread() still has
 * the pointer in rbx but never reads it again: that is a dead value, no
 * evidence. Nowhere else does the plugin fire, and kthread()'s create
 * (freed by the creator, left in a callee-saved register) is never a
 * finding.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/liveness.h"
#include "core/owner.h"
#include "core/stack.h"
#include "core/task.h"
#include "plugins/plugin.h"
#include "tests/helpers.h"

#define WAITER "kt_reqwait"

static bool is_stale_ref(const char *name)
{
	return !strcmp(kt_test_scenario(name), "stale-ref");
}

/* The address the module printed: "waiting on a freed request ADDR". */
static uint64_t log_request(const char *name)
{
	static const char key[] = "waiting on a freed request ";
	char *path = kt_test_dump_path(name, ".dmesg.txt");
	char *text = kt_test_slurp(path, NULL), *p;
	uint64_t addr;

	cr_assert_not_null(text, "cannot read %s", path);
	p = strstr(text, key);
	cr_assert_not_null(p, "%s: no \"%s\"", path, key);
	addr = strtoull(p + strlen(key), NULL, 16);
	cr_assert_neq(addr, 0);
	free(text);
	free(path);
	return addr;
}

static const struct kt_task *waiter(struct kt_program *prog)
{
	const struct kt_task_list *tl;

	cr_assert_null(kt_tasks_load(prog, &tl));
	for (size_t i = 0; i < tl->n; i++)
		if (!strcmp(tl->tasks[i].comm, WAITER))
			return &tl->tasks[i];
	cr_assert_fail("no %s task", WAITER);
	return NULL;
}

static size_t fired(const struct kt_findings *out, const struct kt_finding **ret)
{
	size_t n = 0;

	for (size_t i = 0; i < out->n; i++)
		if (out->v[i].severity >= KT_SEV_WARNING) {
			*ret = &out->v[i];
			n++;
		}
	return n;
}

static const char *step_with(const struct kt_finding *f, const char *a,
			     const char *b)
{
	for (size_t i = 0; i < f->nsteps; i++)
		if (strstr(f->steps[i], a) && strstr(f->steps[i], b))
			return f->steps[i];
	return NULL;
}

ParameterizedTestParameters(plugin_stale_refs, log_and_memory)
{
	KT_ALL_DUMP_PARAMS();
}

/* The finding against the kernel log, the task list and kmem. */
ParameterizedTest(struct kt_dump_param *d, plugin_stale_refs, log_and_memory)
{
	struct kt_program *prog = kt_test_open(d->name);
	const struct kt_finding *f = NULL;
	const struct kt_task *t;
	const struct kt_ref *r;
	struct kt_findings out;
	struct kt_owner o;
	uint64_t addr;
	char id[96];
	size_t n;

	kt_test_run_plugin(prog, "stale_refs", &out);
	n = fired(&out, &f);
	// kthread()'s create: freed by kthread_create_on_node()'s caller,
	// left in a callee-saved register that kthread() never reads again
	for (size_t i = 0; i < out.n; i++)
		cr_assert_null(strstr(out.v[i].title, " in kthread:"), "%s: %s",
			       d->name, out.v[i].title);
	if (!is_stale_ref(d->name)) {
		cr_assert_eq(n, 0, "%s: %s", d->name, n ? f->title : "");
		goto out;
	}
	addr = log_request(d->name);
	t = waiter(prog);
	cr_assert_eq(n, 1, "%s: %zu findings fire", d->name, n);
	snprintf(id, sizeof(id), "stale_refs:0x%" PRIx64 ":0x%" PRIx64,
		 t->addr, addr);
	cr_assert_str_eq(f->id, id);
	// blocked in D state: an error
	cr_assert_str_eq(t->st, "UN");
	cr_assert_eq(f->severity, KT_SEV_ERROR);
	r = kt_test_ref(f, "holder task");
	cr_assert_not_null(r);
	cr_assert_eq(r->pid, t->pid);
	cr_assert_eq(kt_test_ref(f, "free object")->addr, addr);
	cr_assert_str_eq(kt_test_ref(f, "holder")->text, "kt_req_wait");
	cr_assert(strstr(f->title, WAITER " (pid "), "%s", f->title);
	cr_assert(strstr(f->title, "blocked"), "%s", f->title);
	cr_assert(strstr(f->title, " in kt_req_wait: "), "%s", f->title);
	cr_assert(strstr(f->title, "w.req"), "%s", f->title);
	// kmem: the object is free, in the cache the title names
	cr_assert_null(kt_owner_identify(prog, addr, &o));
	cr_assert_eq(o.ids[0].kind, KT_OWNER_SLAB);
	cr_assert_eq(o.ids[0].base, addr);
	cr_assert_eq(o.ids[0].state, KT_SLAB_FREE, "%s", o.ids[0].reason);
	cr_assert(strstr(f->title, o.ids[0].name), "%s, kmem %s", f->title,
		  o.ids[0].name);
	cr_assert(strstr(f->title, "free "), "%s", f->title);
	// both references of kt_req_wait are read after wait_for_completion()
	// returns (READ_ONCE(w.req)->id and req->len); the caller's is not
	cr_assert_not_null(step_with(f, "(kt_req_wait): local w.req", "live: used by"));
	cr_assert_not_null(step_with(f, "(kt_req_wait): param req", "live: used by"));
	cr_assert_not_null(step_with(f, "(kt_stale_thread): local req", "dead:"),
			   "kt_stale_thread's req is not read again");
	// the search found the waiter's stack slot of w.req
	cr_assert_not_null(step_with(f, ": stack:" WAITER, "(vmalloc)"));
out:
	kt_findings_deinit(&out);
	kt_program_destroy(prog);
}

ParameterizedTestParameters(plugin_stale_refs, drgn)
{
	KT_ALL_DUMP_PARAMS();
}

/* The finding against drgn's view of the waiter and the object. */
ParameterizedTest(struct kt_dump_param *d, plugin_stale_refs, drgn)
{
	struct kt_program *prog;
	const struct kt_finding *f = NULL;
	struct kt_findings out;
	cJSON *exp, *w, *slab;
	char file[96];
	uint64_t obj;

	if (!is_stale_ref(d->name))
		return;
	snprintf(file, sizeof(file), "%s.stale_refs", d->name);
	exp = kt_test_expected(file);
	w = kt_test_get(exp, "waiter");
	cr_assert(w && cJSON_IsObject(w), "drgn found no %s", WAITER);
	prog = kt_test_open(d->name);
	kt_test_run_plugin(prog, "stale_refs", &out);
	cr_assert_eq(fired(&out, &f), 1);
	obj = kt_test_hex(kt_test_get(w, "w.req"));
	// drgn read w.req in kt_req_wait's frame: the object the log names
	cr_assert_eq(obj, kt_test_hex(kt_test_get(exp, "log_request")));
	cr_assert_eq(kt_test_ref(f, "free object")->addr, obj);
	cr_assert_eq(kt_test_ref(f, "holder task")->pid,
		     kt_test_get(w, "pid")->valueint);
	if (cJSON_IsString(kt_test_get(w, "req")))
		cr_assert_eq(kt_test_hex(kt_test_get(w, "req")), obj);
	// drgn's slab_object_info(): the same cache, and free
	slab = kt_test_get(w, "slab");
	cr_assert(slab && cJSON_IsObject(slab));
	cr_assert_eq(kt_test_hex(kt_test_get(slab, "object")), obj);
	cr_assert(cJSON_IsFalse(kt_test_get(slab, "allocated")));
	cr_assert(strstr(f->title, kt_test_get(slab, "cache")->valuestring),
		  "%s, drgn %s", f->title, kt_test_get(slab, "cache")->valuestring);
	kt_findings_deinit(&out);
	kt_program_destroy(prog);
	cJSON_Delete(exp);
}

ParameterizedTestParameters(liveness, freed_request)
{
	KT_ALL_DUMP_PARAMS();
}

/* The frame of @fn in @tr, or -1. */
static int frame_of(const struct kt_trace *tr, const char *fn)
{
	for (size_t i = 0; i < tr->n; i++)
		if (tr->frames[i].has_sym && !strcmp(tr->frames[i].sym.name, fn))
			return (int)i;
	return -1;
}

/* The register variable @var of frame @i lives in, or -1. */
static int var_reg(struct kt_program *prog, const struct kt_trace *tr, int i,
		   const char *var)
{
	struct kt_frame_var v[64];
	size_t n = kt_frame_variables(prog, tr, i, v, 64);

	for (size_t k = 0; k < n; k++)
		if (!strcmp(v[k].name, var) && v[k].known)
			return v[k].reg;
	return -1;
}

/*
 * kt_req_wait reads req after wait_for_completion() returns; its caller
 * kt_stale_thread keeps the same pointer in a callee-saved register and
 * never reads it again (ktscen.c).
 */
ParameterizedTest(struct kt_dump_param *d, liveness, freed_request)
{
	struct kt_program *prog;
	struct kt_live_query q = { .reg = -1 };
	struct kt_trace tr;
	char why[160];
	int i;

	if (!is_stale_ref(d->name))
		return;
	prog = kt_test_open(d->name);
	cr_assert_null(kt_stack_trace(prog, waiter(prog)->addr, &tr));
	i = frame_of(&tr, "kt_req_wait");
	cr_assert_geq(i, 0);
	q.reg = var_reg(prog, &tr, i, "req");
	cr_assert_geq(q.reg, 0, "req is not in a register in kt_req_wait");
	cr_assert_eq(kt_live_at(prog, &tr.frames[i], &q, why, sizeof(why)),
		     KT_LIVE_YES, "%s", why);
	cr_assert(strstr(why, "used by"), "%s", why);
	i = frame_of(&tr, "kt_stale_thread");
	cr_assert_geq(i, 0);
	q.reg = var_reg(prog, &tr, i, "req");
	cr_assert_geq(q.reg, 0, "req is not in a register in kt_stale_thread");
	cr_assert_eq(kt_live_at(prog, &tr.frames[i], &q, why, sizeof(why)),
		     KT_LIVE_NO, "%s", why);
	kt_trace_deinit(&tr);
	kt_program_destroy(prog);
}
