// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The built-in registry and the runner: check each plugin's needs, run it,
 * time it, and keep its findings and its status, whatever the others do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/module.h"
#include "core/task.h"
#include "plugins/external.h"
#include "plugins/plugin.h"

const char *kt_plugin_status_name(enum kt_plugin_status st)
{
	switch (st) {
	case KT_PLUGIN_RAN:
		return "ran";
	case KT_PLUGIN_SKIPPED:
		return "skipped";
	default:
		return "failed";
	}
}

const struct kt_plugin *kt_plugin_find(const char *name)
{
	for (size_t i = 0; kt_plugin_registry[i]; i++)
		if (!strcmp(kt_plugin_registry[i]->name, name))
			return kt_plugin_registry[i];
	return NULL;
}

const char *kt_plugin_needs_panic(struct kt_program *prog, char *why,
				  size_t len)
{
	struct kt_error *err;
	uint64_t task;
	int cpu;

	err = kt_task_panicked(prog, &cpu, &task);
	if (!err)
		return NULL;
	snprintf(why, len, "no CPU panicked: %s", err->message);
	kt_error_destroy(err);
	return why;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ", which may be in module nbd, ...: it has no debuginfo" or "". */
static void modules_without_debuginfo(struct kt_program *prog, char *buf,
				      size_t len)
{
	const struct kt_module_list *ml = NULL;
	size_t n = 0, used = 0;

	buf[0] = '\0';
	if (kt_modules_load(prog, &ml) || !ml)
		return;
	for (unsigned i = 0; i < ml->n && used + 1 < len; i++) {
		if (ml->mods[i].dwarf || n++ >= 4)
			continue;
		used += snprintf(buf + used, len - used, "%s%.40s",
				 n > 1 ? ", " : " (modules without debuginfo: ",
				 ml->mods[i].name);
	}
	if (n > 4 && used + 1 < len)
		used += snprintf(buf + used, len - used, " and %zu more", n - 4);
	if (n && used + 1 < len)
		snprintf(buf + used, len - used, "; give their .ko with -m DIR)");
}

/* "struct T" or "struct T.member": present in the debuginfo? */
static bool has_type(struct kt_program *prog, const char *need)
{
	const char *dot = strchr(need, '.');
	char type[128];
	uint64_t size;
	struct kt_error *err;

	if (!dot) {
		err = kt_type_size(prog, need, &size);
		kt_error_destroy(err);
		return !err;
	}
	snprintf(type, sizeof(type), "%.*s", (int)(dot - need), need);
	return kt_type_has_member(prog, type, dot + 1);
}

const char *kt_plugin_check(const struct kt_plugin *p,
			    struct kt_program *prog, char *why, size_t len)
{
	char mods[256];
	uint64_t addr;

	if (!kt_program_has_types(prog)) {
		snprintf(why, len, "the vmlinux has no DWARF debuginfo");
		return why;
	}
	// Symbols first: a missing type costs a whole DWARF index.
	for (size_t i = 0; p->symbols && p->symbols[i]; i++) {
		struct kt_error *err = kt_symbol_address(prog, p->symbols[i],
							 &addr);

		if (!err)
			continue;
		kt_error_destroy(err);
		snprintf(why, len, "symbol %s is not in this kernel",
			 p->symbols[i]);
		return why;
	}
	for (size_t i = 0; p->types && p->types[i]; i++) {
		if (has_type(prog, p->types[i]))
			continue;
		modules_without_debuginfo(prog, mods, sizeof(mods));
		snprintf(why, len, "%s is not in the debuginfo%s",
			 p->types[i], mods);
		return why;
	}
	return p->applies ? p->applies(prog, why, len) : NULL;
}

static struct kt_plugin_run *next_run(struct kt_analysis *a, size_t cap)
{
	struct kt_plugin_run *r;

	if (a->nruns == cap)
		return NULL;
	r = &a->runs[a->nruns++];
	memset(r, 0, sizeof(*r));
	return r;
}

static void run_builtin(const struct kt_plugin *p, struct kt_program *prog,
			struct kt_analysis *a, struct kt_plugin_run *r)
{
	size_t before = a->findings.n;
	char why[512];
	struct kt_error *err;
	double t0 = now();

	r->name = p->name;
	r->summary = p->summary;
	r->origin = "built-in";
	if (kt_plugin_check(p, prog, why, sizeof(why))) {
		r->status = KT_PLUGIN_SKIPPED;
		r->why = strdup(why);
	} else if ((err = p->run(prog, &a->findings))) {
		r->status = KT_PLUGIN_FAILED;
		r->why = strdup(err->message);
		kt_error_destroy(err);
	}
	r->nfindings = a->findings.n - before;
	r->seconds = now() - t0;
}

/* Plugin @r not run: the user stopped the analysis before it. */
static void cancelled(struct kt_plugin_run *r, const char *name,
		      const char *summary, const char *origin)
{
	r->name = name;
	r->summary = summary;
	r->origin = origin;
	r->status = KT_PLUGIN_SKIPPED;
	r->why = strdup("cancelled");
}

static bool stop(const struct kt_analysis_options *o, struct kt_analysis *a,
		 size_t done, size_t total, const char *name)
{
	if (!a->cancelled && o->progress && !(o->cancel &&
					      atomic_load(o->cancel)))
		o->progress(o->arg, done, total, name);
	// Read after the progress too: what it shows may make one stop.
	if (o->cancel && atomic_load(o->cancel))
		a->cancelled = true;
	return a->cancelled;
}

struct kt_error *kt_analysis_run_opts(struct kt_program *prog,
				      const struct kt_plugin *const *plugins,
				      const struct kt_plugin_set *ext,
				      const struct kt_analysis_options *opts,
				      struct kt_analysis *ret)
{
	static const struct kt_analysis_options none;
	size_t n = 0, next = kt_plugin_set_count(ext);
	const char *name, *summary, *path;
	double t0 = now();

	memset(ret, 0, sizeof(*ret));
	if (!opts)
		opts = &none;
	if (!plugins)
		plugins = kt_plugin_registry;
	while (plugins[n])
		n++;
	ret->runs = calloc(n + next + 1, sizeof(*ret->runs));
	if (!ret->runs)
		return &kt_error_nomem;
	for (size_t i = 0; i < n; i++) {
		if (stop(opts, ret, i, n + next, plugins[i]->name))
			cancelled(next_run(ret, n + next), plugins[i]->name,
				  plugins[i]->summary, "built-in");
		else
			run_builtin(plugins[i], prog, ret,
				    next_run(ret, n + next));
	}
	for (size_t i = 0; i < next; i++) {
		kt_plugin_set_describe(ext, i, &name, &summary, &path);
		if (stop(opts, ret, n + i, n + next, name))
			cancelled(next_run(ret, n + next), name, summary, path);
		else
			kt_plugin_set_run(ext, i, prog, &ret->findings,
					  next_run(ret, n + next));
	}
	if (!ret->cancelled && opts->progress)
		opts->progress(opts->arg, n + next, n + next, NULL);
	kt_findings_sort(&ret->findings);
	ret->seconds = now() - t0;
	if (ret->findings.nomem) {
		kt_analysis_deinit(ret);
		return &kt_error_nomem;
	}
	return NULL;
}

struct kt_error *kt_analysis_run(struct kt_program *prog,
				 const struct kt_plugin *const *plugins,
				 const struct kt_plugin_set *ext,
				 struct kt_analysis *ret)
{
	return kt_analysis_run_opts(prog, plugins, ext, NULL, ret);
}

void kt_analysis_deinit(struct kt_analysis *a)
{
	kt_findings_deinit(&a->findings);
	for (size_t i = 0; i < a->nruns; i++)
		free(a->runs[i].why);
	free(a->runs);
	memset(a, 0, sizeof(*a));
}
