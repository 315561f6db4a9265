// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * External plugins: find, check and load shared objects built against
 * include/ktriage/plugin.h, and run them through a host table that maps
 * the ABI onto core.
 *
 * Loading runs the object's constructors, so the only defence is where
 * objects come from: the directories the user named, never an implicit
 * one, and no file others can write.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/dump.h"
#include "core/owner.h"
#include "core/task.h"
#include "ktriage/plugin.h"
#include "plugins/external.h"

struct external {
	char *path;
	void *handle;
	const struct ktriage_plugin *p;
};

struct kt_plugin_set {
	struct external *v;
	size_t n;
};

/* Warnings, one line each, gathered while loading. */
struct notes {
	char *text;
	size_t len;
};

static void note(struct notes *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(struct notes *w, const char *fmt, ...)
{
	va_list ap;
	char *line, *all;

	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) < 0)
		line = NULL;
	va_end(ap);
	if (!line)
		return;
	all = realloc(w->text, w->len + strlen(line) + 2);
	if (all) {
		w->text = all;
		w->len += sprintf(all + w->len, "%s\n", line);
	}
	free(line);
}

static bool valid_name(const char *name)
{
	if (!name || !*name || strlen(name) > 64)
		return false;
	for (const char *c = name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
		      *c == '_'))
			return false;
	return true;
}

static bool name_taken(const struct kt_plugin_set *set, const char *name)
{
	if (kt_plugin_find(name))
		return true;
	for (size_t i = 0; i < set->n; i++)
		if (!strcmp(set->v[i].p->name, name))
			return true;
	return false;
}

/* Why the plugin @p of @path cannot be used, or NULL. */
static const char *refuse(const struct kt_plugin_set *set,
			  const struct ktriage_plugin *p, char *why,
			  size_t len)
{
	if (!p)
		return "its ktriage_plugin_entry() returned NULL";
	if (p->abi != KTRIAGE_PLUGIN_ABI) {
		snprintf(why, len, "it was built for plugin ABI %u, this "
			 "ktriage has ABI %d: rebuild it against this "
			 "ktriage's ktriage/plugin.h", p->abi,
			 KTRIAGE_PLUGIN_ABI);
		return why;
	}
	if (!valid_name(p->name))
		return "its name is not [a-z0-9_]+ (at most 64)";
	if (!p->run)
		return "it has no run()";
	if (name_taken(set, p->name)) {
		snprintf(why, len, "the name %s is taken by another plugin",
			 p->name);
		return why;
	}
	return NULL;
}

static struct kt_error *load_one(struct kt_plugin_set *set,
				 const char *path, struct notes *w)
{
	const struct ktriage_plugin *(*entry)(void);
	const struct ktriage_plugin *p;
	struct external *v;
	const char *bad;
	char why[256];
	struct stat st;
	void *h;

	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return NULL;
	if (st.st_mode & S_IWOTH) {
		note(w, "plugin %s not loaded: anyone can write it "
		     "(chmod o-w it)", path);
		return NULL;
	}
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		note(w, "plugin %s not loaded: %s", path, dlerror());
		return NULL;
	}
	*(void **)&entry = dlsym(h, "ktriage_plugin_entry");
	if (!entry) {
		note(w, "plugin %s not loaded: it has no ktriage_plugin_entry()"
		     " (is it a ktriage plugin?)", path);
		dlclose(h);
		return NULL;
	}
	p = entry();
	bad = refuse(set, p, why, sizeof(why));
	if (bad) {
		note(w, "plugin %s not loaded: %s", path, bad);
		dlclose(h);
		return NULL;
	}
	v = realloc(set->v, (set->n + 1) * sizeof(*v));
	if (!v || !(path = strdup(path))) {
		if (v)
			set->v = v;
		dlclose(h);
		return &kt_error_nomem;
	}
	set->v = v;
	v[set->n++] = (struct external){ (char *)path, h, p };
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.so of @dir, in name order, so that runs are reproducible. */
static struct kt_error *load_dir(struct kt_plugin_set *set, const char *dir,
				 struct notes *w)
{
	struct kt_error *err = NULL;
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d) {
		note(w, "plugin directory %s: %m", dir);
		return NULL;
	}
	while ((e = readdir(d)) && !err) {
		size_t len = strlen(e->d_name);
		char **nn;

		if (len < 4 || strcmp(e->d_name + len - 3, ".so"))
			continue;
		nn = realloc(names, (n + 1) * sizeof(*nn));
		if (!nn || asprintf(&nn[n], "%s/%s", dir, e->d_name) < 0)
			err = &kt_error_nomem;
		if (nn)
			names = nn;
		if (!err)
			n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		if (!err)
			err = load_one(set, names[i], w);
		free(names[i]);
	}
	free(names);
	return err;
}

struct kt_error *kt_plugin_set_load(const char *const *dirs, size_t ndirs,
				    const char *path_env,
				    struct kt_plugin_set **ret,
				    char **warnings)
{
	struct kt_plugin_set *set = calloc(1, sizeof(*set));
	struct kt_error *err = NULL;
	struct notes w = { 0 };
	char *copy, *p, *dir;

	*ret = NULL;
	*warnings = NULL;
	if (!set)
		return &kt_error_nomem;
	for (size_t i = 0; i < ndirs && !err; i++)
		err = load_dir(set, dirs[i], &w);
	copy = path_env ? strdup(path_env) : NULL;
	if (path_env && !copy)
		err = &kt_error_nomem;
	for (p = copy; !err && p && (dir = strsep(&p, ":"));) {
		// An empty entry means "." to a shell: never here.
		if (*dir != '/') {
			note(&w, "KTRIAGE_PLUGIN_PATH entry "
			     "'%s' ignored: not an absolute path", dir);
			continue;
		}
		err = load_dir(set, dir, &w);
	}
	free(copy);
	if (err) {
		free(w.text);
		kt_plugin_set_destroy(set);
		return err;
	}
	*warnings = w.text;
	*ret = set;
	return NULL;
}

void kt_plugin_set_destroy(struct kt_plugin_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++) {
		dlclose(set->v[i].handle);
		free(set->v[i].path);
	}
	free(set->v);
	free(set);
}

size_t kt_plugin_set_count(const struct kt_plugin_set *set)
{
	return set ? set->n : 0;
}

/* ---- the host table ---- */

struct host_ctx {
	struct kt_program *prog;
	struct kt_findings *out;
	const char *name;
};

static int result(struct kt_error *err)
{
	kt_error_destroy(err);
	return err ? -1 : 0;
}

static int h_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	return result(kt_read(((struct host_ctx *)ctx)->prog, addr, buf, len));
}

static int h_symbol(void *ctx, const char *name, uint64_t *addr)
{
	return result(kt_symbol_address(((struct host_ctx *)ctx)->prog, name,
					addr));
}

static int h_member_offset(void *ctx, const char *type, const char *member,
			   uint64_t *offset)
{
	return result(kt_type_member_offset(((struct host_ctx *)ctx)->prog,
					    type, member, offset));
}

static int h_type_size(void *ctx, const char *type, uint64_t *size)
{
	return result(kt_type_size(((struct host_ctx *)ctx)->prog, type,
				   size));
}

static const char *h_vmcoreinfo(void *ctx, const char *key)
{
	return kt_dump_vmcoreinfo(((struct host_ctx *)ctx)->prog->dump, key);
}

static int h_for_each_task(void *ctx,
			   int (*fn)(const struct ktriage_task *t, void *arg),
			   void *arg)
{
	const struct kt_task_list *tl;

	if (result(kt_tasks_load(((struct host_ctx *)ctx)->prog, &tl)))
		return -1;
	for (size_t i = 0; i < tl->n; i++) {
		const struct kt_task *t = &tl->tasks[i];
		struct ktriage_task kt = {
			.addr = t->addr, .pid = t->pid, .tgid = t->tgid,
			.cpu = t->cpu, .comm = t->comm, .state = t->st,
		};

		if (fn(&kt, arg))
			break;
	}
	return 0;
}

static int h_owner(void *ctx, uint64_t addr, char *buf, size_t len)
{
	if (!len)
		return -1;
	kt_owner_brief(((struct host_ctx *)ctx)->prog, addr, buf, len);
	return 0;
}

static struct ktriage_finding *h_finding(void *ctx, const char *key,
					 enum ktriage_severity severity,
					 const char *title,
					 const char *explanation)
{
	struct host_ctx *h = ctx;
	struct kt_finding *f;

	if (!key || (unsigned)severity > KTRIAGE_CRITICAL)
		return NULL;
	f = kt_finding_add(h->out, h->name, (enum kt_severity)severity, "%s",
			   key);
	if (!f)
		return NULL;
	if (title)
		kt_finding_title(h->out, f, "%s", title);
	if (explanation)
		kt_finding_explain(h->out, f, "%s", explanation);
	return (struct ktriage_finding *)(uintptr_t)(f - h->out->v + 1);
}

/*
 * Findings move when the array grows: a plugin's handle is the index + 1,
 * disguised as a pointer, and must name one of its own findings.
 */
static struct kt_finding *finding_of(struct host_ctx *h,
				     struct ktriage_finding *f)
{
	size_t i = (uintptr_t)f, len = strlen(h->name);

	if (!i || i > h->out->n)
		return NULL;
	if (strncmp(h->out->v[i - 1].id, h->name, len) ||
	    h->out->v[i - 1].id[len] != ':')
		return NULL;
	return &h->out->v[i - 1];
}

static void h_ref_address(void *ctx, struct ktriage_finding *f,
			  const char *label, uint64_t addr, const char *type)
{
	struct host_ctx *h = ctx;

	kt_finding_ref_address(h->out, finding_of(h, f), label, addr, type);
}

static void h_ref_task(void *ctx, struct ktriage_finding *f,
		       const char *label, int pid, uint64_t task)
{
	struct host_ctx *h = ctx;

	kt_finding_ref_task(h->out, finding_of(h, f), label, pid, task);
}

static void h_step(void *ctx, struct ktriage_finding *f, const char *text)
{
	struct host_ctx *h = ctx;

	if (text)
		kt_finding_step(h->out, finding_of(h, f), "%s", text);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void kt_plugin_set_describe(const struct kt_plugin_set *set, size_t i,
			    const char **name, const char **summary,
			    const char **path)
{
	const struct external *e = &set->v[i];

	*name = e->p->name;
	*summary = e->p->summary ? e->p->summary : "";
	*path = e->path;
}

void kt_plugin_set_run(const struct kt_plugin_set *set, size_t i,
		       struct kt_program *prog, struct kt_findings *out,
		       struct kt_plugin_run *run)
{
	const struct external *e = &set->v[i];
	struct kt_plugin shim = {
		.name = e->p->name, .types = e->p->types,
		.symbols = e->p->symbols,
	};
	struct host_ctx ctx = { prog, out, e->p->name };
	struct ktriage_host host = {
		.abi = KTRIAGE_PLUGIN_ABI, .size = sizeof(host), .ctx = &ctx,
		.read = h_read, .symbol = h_symbol,
		.member_offset = h_member_offset, .type_size = h_type_size,
		.vmcoreinfo = h_vmcoreinfo, .for_each_task = h_for_each_task,
		.owner = h_owner, .finding = h_finding,
		.ref_address = h_ref_address, .ref_task = h_ref_task,
		.step = h_step,
	};
	size_t before = out->n;
	char why[512] = "";
	double t0 = now();

	run->name = e->p->name;
	run->summary = e->p->summary ? e->p->summary : "";
	run->origin = e->path;
	if (kt_plugin_check(&shim, prog, why, sizeof(why))) {
		run->status = KT_PLUGIN_SKIPPED;
		run->why = strdup(why);
	} else if (e->p->run(&host, why, sizeof(why) - 1)) {
		why[sizeof(why) - 1] = '\0';
		run->status = KT_PLUGIN_FAILED;
		run->why = strdup(why[0] ? why : "it returned an error");
	}
	run->nfindings = out->n - before;
	run->seconds = now() - t0;
}
