/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Analyzers ("plugins") and the findings they raise.
 *
 * A plugin is a const descriptor in the static registry (registry.c): a
 * stable name, a one-line summary, the types and symbols it needs, an
 * applies() check and run(). The runner skips a plugin whose needs the
 * debuginfo does not meet, and says which need failed. run() only emits
 * findings: it never prints.
 *
 * A finding has a stable id (plugin:key, e.g. "hctx_fq:0xffff8d76018b5a00")
 * that does not change when the dump is opened again, so notes attached
 * to it re-attach; typed evidence the workbench turns into jumps; and the
 * derivation: how each fact was obtained, one line per step.
 */
#ifndef KT_PLUGINS_PLUGIN_H
#define KT_PLUGINS_PLUGIN_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/program.h"

enum kt_severity {
	KT_SEV_INFO,
	KT_SEV_WARNING,
	KT_SEV_ERROR,		/* a defect that can explain the crash */
	KT_SEV_CRITICAL,	/* the defect that crashed the kernel */
};

/** "info", "warning", "error", "critical". */
const char *kt_severity_name(enum kt_severity sev);

enum kt_ref_kind {
	KT_REF_TASK,		/* pid, addr = task_struct */
	KT_REF_CPU,		/* cpu */
	KT_REF_FRAME,		/* pid, addr = task, level, text = function */
	KT_REF_ADDRESS,		/* addr, text = type ("struct request *") */
	KT_REF_LOG,		/* level = log record index, text = the line */
	KT_REF_REGISTER,	/* text = name, value; pid, level: its frame */
};

/** "task", "cpu", "frame", "address", "log", "register". */
const char *kt_ref_kind_name(enum kt_ref_kind kind);

/** One piece of evidence. Unused fields are 0 (pid, cpu, level: -1). */
struct kt_ref {
	enum kt_ref_kind kind;
	char *label;		/* its role: "hctx", "panic task", ... */
	uint64_t addr;
	uint64_t value;
	int pid;
	int cpu;
	int level;
	char *text;
};

struct kt_finding {
	char *id;		/* stable: "PLUGIN:KEY" */
	const char *plugin;	/* the plugin's name */
	enum kt_severity severity;
	/*
	 * What kind of defect, in a few stable words with no address, pid
	 * or name of the dump ("deleted-twice", "null-deref"): a failure
	 * signature's part. A string literal; NULL when not said.
	 */
	const char *kind;
	char *title;		/* one line */
	char *explanation;	/* a paragraph */
	struct kt_ref *refs;
	size_t nrefs;
	char **steps;		/* the derivation, in order */
	size_t nsteps;
};

struct kt_findings {
	struct kt_finding *v;
	size_t n, cap;
	bool nomem;		/* an add failed: some findings are partial */
};

/*
 * Building findings. Out of memory does not fail the calls: the finding
 * loses what could not be added and ->nomem is set, which the runner
 * reports. Every string is copied; formats are printf's. Strings from the
 * dump may be passed raw: the printers sanitise.
 */

/** Add a finding "PLUGIN:KEY" (KEY printf-formatted); NULL when no memory. */
struct kt_finding *kt_finding_add(struct kt_findings *out,
				  const char *plugin, enum kt_severity sev,
				  const char *key_fmt, ...)
	__attribute__((format(printf, 4, 5)));

void kt_finding_title(struct kt_findings *out, struct kt_finding *f,
		      const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** Set the finding's kind (see struct kt_finding): a string literal. */
static inline void kt_finding_kind(struct kt_finding *f, const char *kind)
{
	f->kind = kind;
}

/** Append a sentence (or more) to the explanation. */
void kt_finding_explain(struct kt_findings *out, struct kt_finding *f,
			const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** Append one step of the derivation: a fact and how it was obtained. */
void kt_finding_step(struct kt_findings *out, struct kt_finding *f,
		     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void kt_finding_ref_task(struct kt_findings *out, struct kt_finding *f,
			 const char *label, int pid, uint64_t task);
void kt_finding_ref_cpu(struct kt_findings *out, struct kt_finding *f,
			const char *label, int cpu);
void kt_finding_ref_frame(struct kt_findings *out, struct kt_finding *f,
			  const char *label, int pid, uint64_t task,
			  int level, const char *function);
/** @type may be NULL when not known. */
void kt_finding_ref_address(struct kt_findings *out, struct kt_finding *f,
			    const char *label, uint64_t addr,
			    const char *type);
void kt_finding_ref_log(struct kt_findings *out, struct kt_finding *f,
			const char *label, int index, const char *line);
/** A register @name holding @value in frame @level of task @pid. */
void kt_finding_ref_register(struct kt_findings *out, struct kt_finding *f,
			     const char *label, const char *name,
			     uint64_t value, int pid, int level);

/** The finding with id @id, or NULL. */
const struct kt_finding *kt_findings_find(const struct kt_findings *fs,
					  const char *id);

/** Sort most severe first, then by id: a stable order for reports. */
void kt_findings_sort(struct kt_findings *fs);

void kt_findings_deinit(struct kt_findings *fs);

/* ---- plugins ---- */

struct kt_plugin {
	const char *name;	/* stable: the prefix of its finding ids */
	const char *summary;	/* one line */
	/* NULL-terminated; each "struct T", "union T" or "enum T", or
	 * "struct T.member" when a member is needed too */
	const char *const *types;
	const char *const *symbols;	/* NULL-terminated */
	/*
	 * NULL when it can run on @prog; else why not, written into @why
	 * (e.g. "no nbd device"). The runner has checked types and symbols.
	 */
	const char *(*applies)(struct kt_program *prog, char *why,
			       size_t len);
	/* Emit findings into @out. An error stops this plugin only. */
	struct kt_error *(*run)(struct kt_program *prog,
				struct kt_findings *out);
};

/**
 * An applies() for plugins whose evidence is the panicking task's
 * context: why not when no CPU panicked.
 */
const char *kt_plugin_needs_panic(struct kt_program *prog, char *why,
				  size_t len);

/** The built-in plugins, NULL-terminated, in the order they run. */
extern const struct kt_plugin *const kt_plugin_registry[];

/** A built-in plugin by name, or NULL. */
const struct kt_plugin *kt_plugin_find(const char *name);

/* ---- running them ---- */

enum kt_plugin_status {
	KT_PLUGIN_RAN,
	KT_PLUGIN_SKIPPED,	/* its needs are not met: ->why */
	KT_PLUGIN_FAILED,	/* run() returned an error: ->why */
};

/** "ran", "skipped", "failed". */
const char *kt_plugin_status_name(enum kt_plugin_status st);

struct kt_plugin_run {
	const char *name;
	const char *summary;
	const char *origin;	/* "built-in", or the shared object's path */
	enum kt_plugin_status status;
	char *why;
	double seconds;
	size_t nfindings;
};

struct kt_analysis {
	struct kt_findings findings;	/* sorted (kt_findings_sort) */
	struct kt_plugin_run *runs;	/* in the order they ran */
	size_t nruns;
	double seconds;
	bool cancelled;		/* plugins skipped, why "cancelled" */
};

/* How an interactive caller watches and stops a run (all may be NULL). */
struct kt_analysis_options {
	/* checked between plugins: once set, the rest are skipped */
	const atomic_bool *cancel;
	/* before plugin @done (0-based) of @total, named @name; and once
	 * more with @done == @total, @name NULL, at the end */
	void (*progress)(void *arg, size_t done, size_t total,
			 const char *name);
	void *arg;
};

/**
 * Why @p cannot run on @prog (a type or symbol it needs is missing, or its
 * applies() says so), written into @why; NULL when it can.
 */
const char *kt_plugin_check(const struct kt_plugin *p,
			    struct kt_program *prog, char *why, size_t len);

/**
 * Run @plugins (NULL-terminated; NULL: the registry) on @prog, then the
 * external ones loaded into @ext (NULL: none). A plugin that fails or is
 * skipped does not stop the others. Errors only when out of memory.
 */
struct kt_plugin_set;
struct kt_error *kt_analysis_run(struct kt_program *prog,
				 const struct kt_plugin *const *plugins,
				 const struct kt_plugin_set *ext,
				 struct kt_analysis *ret);

/**
 * kt_analysis_run(), watched and cancellable through @opts (NULL: as
 * kt_analysis_run()). Plugins not run because of a cancel are "skipped",
 * why "cancelled", and ->cancelled is set.
 */
struct kt_error *kt_analysis_run_opts(struct kt_program *prog,
				      const struct kt_plugin *const *plugins,
				      const struct kt_plugin_set *ext,
				      const struct kt_analysis_options *opts,
				      struct kt_analysis *ret);

void kt_analysis_deinit(struct kt_analysis *a);

#endif /* KT_PLUGINS_PLUGIN_H */
