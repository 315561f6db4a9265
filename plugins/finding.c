// SPDX-License-Identifier: GPL-2.0-or-later
/* Findings: building, finding, sorting, freeing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/plugin.h"

const char *kt_severity_name(enum kt_severity sev)
{
	static const char *const names[] = {
		[KT_SEV_INFO] = "info", [KT_SEV_WARNING] = "warning",
		[KT_SEV_ERROR] = "error", [KT_SEV_CRITICAL] = "critical",
	};

	return (unsigned)sev < sizeof(names) / sizeof(names[0]) ?
	       names[sev] : "?";
}

const char *kt_ref_kind_name(enum kt_ref_kind kind)
{
	static const char *const names[] = {
		[KT_REF_TASK] = "task", [KT_REF_CPU] = "cpu",
		[KT_REF_FRAME] = "frame", [KT_REF_ADDRESS] = "address",
		[KT_REF_LOG] = "log", [KT_REF_REGISTER] = "register",
	};

	return (unsigned)kind < sizeof(names) / sizeof(names[0]) ?
	       names[kind] : "?";
}

static char *vformat(struct kt_findings *out, const char *fmt, va_list ap)
{
	char *s = NULL;

	if (vasprintf(&s, fmt, ap) < 0) {
		out->nomem = true;
		return NULL;
	}
	return s;
}

static char *copy(struct kt_findings *out, const char *s)
{
	char *c;

	if (!s)
		return NULL;
	c = strdup(s);
	if (!c)
		out->nomem = true;
	return c;
}

struct kt_finding *kt_finding_add(struct kt_findings *out,
				  const char *plugin, enum kt_severity sev,
				  const char *key_fmt, ...)
{
	struct kt_finding *f;
	va_list ap;
	char *key;

	if (out->n == out->cap) {
		size_t cap = out->cap * 2 + 8;
		struct kt_finding *v = realloc(out->v, cap * sizeof(*v));

		if (!v) {
			out->nomem = true;
			return NULL;
		}
		out->v = v;
		out->cap = cap;
	}
	va_start(ap, key_fmt);
	key = vformat(out, key_fmt, ap);
	va_end(ap);
	if (!key)
		return NULL;
	f = &out->v[out->n];
	memset(f, 0, sizeof(*f));
	if (asprintf(&f->id, "%s:%s", plugin, key) < 0) {
		free(key);
		out->nomem = true;
		return NULL;
	}
	free(key);
	f->plugin = plugin;
	f->severity = sev;
	out->n++;
	return f;
}

void kt_finding_title(struct kt_findings *out, struct kt_finding *f,
		      const char *fmt, ...)
{
	va_list ap;

	if (!f)
		return;
	va_start(ap, fmt);
	free(f->title);
	f->title = vformat(out, fmt, ap);
	va_end(ap);
}

void kt_finding_explain(struct kt_findings *out, struct kt_finding *f,
			const char *fmt, ...)
{
	va_list ap;
	char *more, *all;

	if (!f)
		return;
	va_start(ap, fmt);
	more = vformat(out, fmt, ap);
	va_end(ap);
	if (!more)
		return;
	if (!f->explanation) {
		f->explanation = more;
		return;
	}
	if (asprintf(&all, "%s %s", f->explanation, more) < 0) {
		out->nomem = true;
	} else {
		free(f->explanation);
		f->explanation = all;
	}
	free(more);
}

void kt_finding_step(struct kt_findings *out, struct kt_finding *f,
		     const char *fmt, ...)
{
	char **v, *s;
	va_list ap;

	if (!f)
		return;
	va_start(ap, fmt);
	s = vformat(out, fmt, ap);
	va_end(ap);
	v = s ? realloc(f->steps, (f->nsteps + 1) * sizeof(*v)) : NULL;
	if (!v) {
		free(s);
		out->nomem = true;
		return;
	}
	f->steps = v;
	f->steps[f->nsteps++] = s;
}

static struct kt_ref *add_ref(struct kt_findings *out, struct kt_finding *f,
			      enum kt_ref_kind kind, const char *label)
{
	struct kt_ref *v, *r;

	if (!f)
		return NULL;
	v = realloc(f->refs, (f->nrefs + 1) * sizeof(*v));
	if (!v) {
		out->nomem = true;
		return NULL;
	}
	f->refs = v;
	r = &v[f->nrefs++];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->pid = r->cpu = r->level = -1;
	r->label = copy(out, label);
	return r;
}

void kt_finding_ref_task(struct kt_findings *out, struct kt_finding *f,
			 const char *label, int pid, uint64_t task)
{
	struct kt_ref *r = add_ref(out, f, KT_REF_TASK, label);

	if (r) {
		r->pid = pid;
		r->addr = task;
	}
}

void kt_finding_ref_cpu(struct kt_findings *out, struct kt_finding *f,
			const char *label, int cpu)
{
	struct kt_ref *r = add_ref(out, f, KT_REF_CPU, label);

	if (r)
		r->cpu = cpu;
}

void kt_finding_ref_frame(struct kt_findings *out, struct kt_finding *f,
			  const char *label, int pid, uint64_t task,
			  int level, const char *function)
{
	struct kt_ref *r = add_ref(out, f, KT_REF_FRAME, label);

	if (r) {
		r->pid = pid;
		r->addr = task;
		r->level = level;
		r->text = copy(out, function);
	}
}

void kt_finding_ref_address(struct kt_findings *out, struct kt_finding *f,
			    const char *label, uint64_t addr,
			    const char *type)
{
	struct kt_ref *r = add_ref(out, f, KT_REF_ADDRESS, label);

	if (r) {
		r->addr = addr;
		r->text = copy(out, type);
	}
}

void kt_finding_ref_log(struct kt_findings *out, struct kt_finding *f,
			const char *label, int index, const char *line)
{
	struct kt_ref *r = add_ref(out, f, KT_REF_LOG, label);

	if (r) {
		r->level = index;
		r->text = copy(out, line);
	}
}

void kt_finding_ref_register(struct kt_findings *out, struct kt_finding *f,
			     const char *label, const char *name,
			     uint64_t value, int pid, int level)
{
	struct kt_ref *r = add_ref(out, f, KT_REF_REGISTER, label);

	if (r) {
		r->text = copy(out, name);
		r->value = value;
		r->pid = pid;
		r->level = level;
	}
}

const struct kt_finding *kt_findings_find(const struct kt_findings *fs,
					  const char *id)
{
	for (size_t i = 0; i < fs->n; i++)
		if (!strcmp(fs->v[i].id, id))
			return &fs->v[i];
	return NULL;
}

static int cmp_finding(const void *a, const void *b)
{
	const struct kt_finding *x = a, *y = b;

	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	return strcmp(x->id, y->id);
}

void kt_findings_sort(struct kt_findings *fs)
{
	if (fs->n > 1)
		qsort(fs->v, fs->n, sizeof(*fs->v), cmp_finding);
}

static void finding_deinit(struct kt_finding *f)
{
	for (size_t i = 0; i < f->nrefs; i++) {
		free(f->refs[i].label);
		free(f->refs[i].text);
	}
	for (size_t i = 0; i < f->nsteps; i++)
		free(f->steps[i]);
	free(f->refs);
	free(f->steps);
	free(f->id);
	free(f->title);
	free(f->explanation);
}

void kt_findings_deinit(struct kt_findings *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		finding_deinit(&fs->v[i]);
	free(fs->v);
	memset(fs, 0, sizeof(*fs));
}
