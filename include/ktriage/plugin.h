/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ktriage external plugin ABI.
 *
 * An external plugin is a shared object that exports
 *
 *	const struct ktriage_plugin *ktriage_plugin_entry(void);
 *
 * ktriage loads it only from a directory given with --plugin-dir DIR or
 * listed in $KTRIAGE_PLUGIN_PATH (never from the current directory or the
 * dump's), refuses one built for another KTRIAGE_PLUGIN_ABI, and runs it
 * after the built-in analyzers. The plugin sees the dump only through the
 * host's functions below and reports through them: it needs no other
 * ktriage header and no ktriage library.
 *
 * Compatibility: ktriage only appends members to struct ktriage_host and
 * says how many bytes it passes in ->size; a plugin must check ->size
 * before it uses a member added after KTRIAGE_PLUGIN_ABI 1. Any other
 * change bumps KTRIAGE_PLUGIN_ABI.
 *
 * Build: cc -shared -fPIC -o my.so my.c (with this header's folder on -I).
 */
#ifndef KTRIAGE_PLUGIN_H
#define KTRIAGE_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#define KTRIAGE_PLUGIN_ABI 1

/* Severities, as `findings` prints them. */
enum ktriage_severity {
	KTRIAGE_INFO,
	KTRIAGE_WARNING,
	KTRIAGE_ERROR,
	KTRIAGE_CRITICAL,
};

struct ktriage_finding;		/* opaque: a finding being built */

/* One task of the dump, as ktriage_host.for_each_task() gives it. */
struct ktriage_task {
	uint64_t addr;		/* struct task_struct */
	int pid, tgid, cpu;
	const char *comm;	/* raw bytes from the dump */
	const char *state;	/* crash's letters: RU IN UN ... */
};

/* Every function returns 0 on success, -1 when it could not. */
struct ktriage_host {
	unsigned abi;		/* KTRIAGE_PLUGIN_ABI of ktriage */
	size_t size;		/* sizeof(struct ktriage_host) in ktriage */
	void *ctx;		/* pass back as the first argument */

	/* Kernel virtual memory. */
	int (*read)(void *ctx, uint64_t addr, void *buf, size_t len);
	int (*symbol)(void *ctx, const char *name, uint64_t *addr);
	/* "struct T" and "member" (nested "a.b" allowed) -> offset, bytes. */
	int (*member_offset)(void *ctx, const char *type, const char *member,
			     uint64_t *offset);
	int (*type_size)(void *ctx, const char *type, uint64_t *size);
	/* The VMCOREINFO value of KEY, or NULL. */
	const char *(*vmcoreinfo)(void *ctx, const char *key);
	/* Call @fn for every task until it returns non-zero. */
	int (*for_each_task)(void *ctx,
			     int (*fn)(const struct ktriage_task *t,
				       void *arg),
			     void *arg);
	/* Who owns @addr, as `kmem` says in one phrase, into @buf. */
	int (*owner)(void *ctx, uint64_t addr, char *buf, size_t len);

	/* A finding "PLUGIN:KEY" (the plugin's name is prefixed). */
	struct ktriage_finding *(*finding)(void *ctx, const char *key,
					   enum ktriage_severity severity,
					   const char *title,
					   const char *explanation);
	/* Evidence and derivation of a finding. */
	void (*ref_address)(void *ctx, struct ktriage_finding *f,
			    const char *label, uint64_t addr,
			    const char *type);
	void (*ref_task)(void *ctx, struct ktriage_finding *f,
			 const char *label, int pid, uint64_t task);
	void (*step)(void *ctx, struct ktriage_finding *f, const char *text);
};

struct ktriage_plugin {
	unsigned abi;		/* KTRIAGE_PLUGIN_ABI it was built for */
	const char *name;	/* stable: [a-z0-9_]+, the findings' prefix */
	const char *summary;	/* one line */
	/* NULL-terminated needs, as the built-ins declare them, or NULL */
	const char *const *types;
	const char *const *symbols;
	/*
	 * Run. Return 0, or -1 with a reason in @why (NUL-terminated,
	 * at most @len bytes) that `plugins` prints.
	 */
	int (*run)(const struct ktriage_host *host, char *why, size_t len);
};

/* The one symbol ktriage looks up. */
const struct ktriage_plugin *ktriage_plugin_entry(void);

#endif /* KTRIAGE_PLUGIN_H */
