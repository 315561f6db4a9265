/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * struct kt_program: one crash dump with its vmlinux, debuginfo and every
 * cache derived from them. There are no globals; everything hangs here.
 *
 * Reads go through kt_read*(); a fault gives KT_ERR_FAULT saying why
 * (excluded page, not RAM, not mapped). Type layout is looked up lazily and
 * memoised: kt_type_member(prog, "struct blk_mq_hw_ctx", "fq", &m).
 */
#ifndef KT_CORE_PROGRAM_H
#define KT_CORE_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dump.h"
#include "core/dwarf.h"
#include "core/error.h"
#include "core/hashmap.h"
#include "core/symtab.h"
#include "core/vmlinux.h"

struct kt_module_list;
struct kt_task_list;
struct kt_log;
struct kt_orc_set;
struct kt_owner_cache;
struct kt_mm;
struct kt_slabs;
struct kt_vmalloc;

struct kt_open_options {
	const char *const *dump_paths;	/* one, or the parts of a split dump */
	unsigned ndump_paths;
	const char *vmlinux_path;
	const char *const *module_dirs;	/* searched for .ko debuginfo */
	unsigned nmodule_dirs;
	bool no_std_module_dirs;	/* skip /usr/lib/debug/lib/modules/... */
};

/** How the vmlinux compares with the dump. */
struct kt_identity {
	char dump_release[65];	/* VMCOREINFO OSRELEASE or "" */
	char dump_build_id[41];	/* VMCOREINFO BUILD-ID or "" */
	char verdict[160];	/* one line for the user */
	bool release_checked, build_id_checked, banner_checked;
};

struct kt_program {
	struct kt_dump *dump;
	struct kt_vmlinux *vmlinux;
	struct kt_dwarf *dwarf;		/* NULL without debuginfo */
	const struct kt_symtab *symtab;	/* vmlinux symbols, relocated */
	uint64_t kaslr_offset;
	const char *kaslr_source;	/* how the offset was found */
	struct kt_identity identity;
	unsigned nr_cpu_ids;
	uint64_t *percpu_offsets;	/* nr_cpu_ids entries */
	struct kt_open_options opts;
	struct kt_module_list *modules;	/* lazily loaded, see module.h */
	bool loading_modules;	/* kt_modules_load() is running */
	struct kt_task_list *tasks;	/* lazily loaded, see task.h */
	struct kt_log *log;		/* lazily loaded, see log.h */
	struct kt_orc_set *orc;		/* lazily loaded, see orc.h */
	struct kt_owner_cache *owner;	/* lazily built, see owner.h */
	struct kt_mm *mm;		/* lazily loaded, see mm.h */
	struct kt_slabs *slab;	/* lazily loaded, see slab.h */
	struct kt_vmalloc *vmalloc;	/* lazily loaded, see vmalloc.h */

	/* kt_program_warn()'s lines, and how much of them was shown */
	char *warnings;
	size_t warnings_len, warnings_shown;

	/* memo of kt_type_member()/kt_type_size(): key -> memo index */
	struct kt_hashmap type_memo;
	struct kt_type_memo *memo;
	size_t nmemo, memo_cap;
};

/**
 * Open a dump and its vmlinux, find the KASLR offset and check that they
 * belong together. A vmlinux of another kernel gives KT_ERR_MISMATCH with
 * both identities in the message. A vmlinux without DWARF opens; commands
 * that need types then get KT_ERR_NO_DWARF.
 */
struct kt_error *kt_program_open(const struct kt_open_options *opts,
				 struct kt_program **ret);

/** Free; NULL is accepted. */
void kt_program_destroy(struct kt_program *prog);

/**
 * Drop everything loaded lazily from the dump's memory (modules, tasks,
 * log, ORC, ownership, slab, mm and vmalloc state); the next use loads it
 * again. For when what memory reads return changed (fuzz/overlay.c).
 */
void kt_program_forget(struct kt_program *prog);

/* ---- warnings ---- */

/**
 * Note a problem with the dump that ktriage worked around (a corrupt
 * VMCOREINFO value it did without), once per distinct message. The text
 * may hold bytes of the dump: sanitise it before printing.
 */
void kt_program_warn(struct kt_program *prog, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * Warn, naming VMCOREINFO's @key, when the dump's value differs from the
 * vmlinux's DWARF, which the caller then uses.
 */
void kt_program_warn_vmcoreinfo(struct kt_program *prog, const char *key,
				int64_t dump_has, int64_t dwarf_has);

/**
 * The warnings noted since the last call, one a line, or NULL. Owned by
 * @prog, valid until the next kt_program_warn().
 */
const char *kt_program_new_warnings(struct kt_program *prog);

/* ---- memory ---- */

struct kt_error *kt_read(struct kt_program *prog, uint64_t addr, void *buf,
			 size_t size);
struct kt_error *kt_read_u64(struct kt_program *prog, uint64_t addr,
			     uint64_t *ret);
struct kt_error *kt_read_u32(struct kt_program *prog, uint64_t addr,
			     uint32_t *ret);
struct kt_error *kt_read_s32(struct kt_program *prog, uint64_t addr,
			     int32_t *ret);
struct kt_error *kt_read_u16(struct kt_program *prog, uint64_t addr,
			     uint16_t *ret);
struct kt_error *kt_read_u8(struct kt_program *prog, uint64_t addr,
			    uint8_t *ret);

/**
 * Read a NUL-terminated string of at most @size - 1 bytes into @buf (which
 * is always terminated). Bytes are returned raw: sanitise before printing.
 */
struct kt_error *kt_read_cstr(struct kt_program *prog, uint64_t addr,
			      char *buf, size_t size);

/* ---- symbols ---- */

/** The address of a vmlinux or module symbol. */
struct kt_error *kt_symbol_address(struct kt_program *prog, const char *name,
				   uint64_t *ret);

/** A symbol that contains an address. */
struct kt_symbol_hit {
	const char *name;	/* owned by the program */
	uint64_t addr;		/* start of the symbol */
	uint64_t offset;	/* address - start */
	uint64_t size;
	char type;
	const char *module;	/* NULL for vmlinux */
};

/** Find the symbol containing @addr (vmlinux, then modules). */
bool kt_symbol_lookup(struct kt_program *prog, uint64_t addr,
		      struct kt_symbol_hit *ret);

/* ---- types ---- */

/** True when the program has DWARF for vmlinux. */
bool kt_program_has_types(const struct kt_program *prog);

/**
 * A member of a struct or union, by dotted path. Without DWARF, falls back
 * on VMCOREINFO's OFFSET(type.member) lines, which cover what makedumpfile
 * needs (printk, pages, uts).
 */
struct kt_error *kt_type_member(struct kt_program *prog, const char *type,
				const char *member, struct kt_member *ret);

/**
 * Index first the types of the source file that defines function @symbol,
 * so that a type only that file defines (struct unix_sock, in
 * net/unix/af_unix.c) is found without indexing every file linked before
 * it, which takes about a second. Best effort; once per symbol.
 */
void kt_type_hint(struct kt_program *prog, const char *symbol);

/** Shorthand for the offset of a member. */
struct kt_error *kt_type_member_offset(struct kt_program *prog,
				       const char *type, const char *member,
				       uint64_t *ret);

/** True when @type has @member (for detecting kernel layout changes). */
bool kt_type_has_member(struct kt_program *prog, const char *type,
			const char *member);

/**
 * A member of global variable @var's type, for variables of anonymous
 * types (6.1's tk_core). Not memoised: for rare paths.
 */
struct kt_error *kt_variable_member(struct kt_program *prog, const char *var,
				    const char *member, struct kt_member *ret);

/** The size of a type ("struct task_struct"). */
struct kt_error *kt_type_size(struct kt_program *prog, const char *type,
			      uint64_t *ret);

/** The value of enumerator @name of @type ("enum pageflags"). */
struct kt_error *kt_enum_value(struct kt_program *prog, const char *type,
			       const char *name, int64_t *ret);

/* ---- per-CPU ---- */

/** The per-CPU offset of @cpu (__per_cpu_offset[cpu]). */
struct kt_error *kt_percpu_offset(struct kt_program *prog, unsigned cpu,
				  uint64_t *ret);

/**
 * Address of per-CPU variable @name on @cpu: its own symbol, or a member
 * of x86's struct pcpu_hot on the kernels that grouped them there.
 */
struct kt_error *kt_percpu_symbol(struct kt_program *prog, const char *name,
				  unsigned cpu, uint64_t *ret);

#endif /* KT_CORE_PROGRAM_H */
