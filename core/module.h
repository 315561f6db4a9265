/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel modules loaded in the dump, with their symbols read from the
 * dump itself (each module's kallsyms) and, when a matching .ko with
 * debuginfo is found, its DWARF.
 */
#ifndef KT_CORE_MODULE_H
#define KT_CORE_MODULE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/dwarf.h"
#include "core/error.h"
#include "core/symtab.h"

struct kt_program;
struct kt_symbol_hit;
struct kt_dwarf;

/** A section of a loaded module, from its sysfs sect_attrs. */
struct kt_module_section {
	char name[64];		/* raw bytes from the dump: sanitise */
	uint64_t addr;
};

struct kt_module {
	uint64_t addr;		/* struct module */
	char name[64];		/* raw bytes from the dump: sanitise */
	uint64_t base, size;	/* core (text + data): text's base, and the
				   size of all the regions below */
	uint64_t text_size;
	/*
	 * The core regions (text, data, rodata, ro_after_init: mem[] from
	 * 6.4), which need not be next to each other (the ROX text cache of
	 * 6.13 on); one region before 6.4. Then, while the module is still
	 * loading (its init function running), its init regions: init_layout,
	 * or mem[MOD_INIT_*]; the kernel frees them once init returns.
	 */
	struct kt_module_region {
		uint64_t base, size;
		bool init;
	} regions[8];
	unsigned nregions;
	uint64_t init_text, init_text_size;	/* 0: none (init returned) */
	struct kt_symtab symtab;	/* from the module's kallsyms */
	struct kt_module_section *sections;
	unsigned nsections;
	char build_id[41];	/* from its .note.gnu.build-id, or "" */
	char *debuginfo;	/* path of the .ko with DWARF, or NULL */
	struct kt_dwarf *dwarf;	/* its DWARF, or NULL */
	char *warning;		/* why symbols or debuginfo are missing */
};

/** The region of @m that holds @addr, or NULL. */
const struct kt_module_region *kt_module_region_of(const struct kt_module *m,
						   uint64_t addr);

struct kt_module_list {
	struct kt_module *mods;
	unsigned n;
	char *warning;		/* a walk that stopped early says why */
};

/**
 * Load the module list into prog->modules (once). A walk stopped by a
 * corrupt list keeps the modules found so far and records why.
 */
struct kt_error *kt_modules_load(struct kt_program *prog,
				 const struct kt_module_list **ret);

/**
 * Member @member (a dotted path) of @type in the debuginfo of module
 * @module only. A type only a module defines (struct nbd_config) is found
 * without indexing all of the vmlinux DWARF first, which kt_type_member()
 * must do before it looks in modules. KT_ERR_LOOKUP when the module is
 * not loaded, KT_ERR_NO_DWARF when it has no debuginfo. Not memoised.
 */
struct kt_error *kt_module_type_member(struct kt_program *prog,
				       const char *module, const char *type,
				       const char *member,
				       struct kt_member *ret);

void kt_module_list_destroy(struct kt_module_list *list);

/** The layout of a 6.4+ module (mem[] instead of core_layout). */
struct kt_error *kt_module_mem_layout(struct kt_program *prog,
				      struct kt_module *mod);

/** Find a module symbol by name (after kt_modules_load()). */
bool kt_module_symbol_address(struct kt_program *prog, const char *name,
			      uint64_t *ret);

/** Find the module symbol containing @addr. */
bool kt_module_symbol_lookup(struct kt_program *prog, uint64_t addr,
			     struct kt_symbol_hit *ret);

/** The module whose core layout contains @addr, or NULL. */
const struct kt_module *kt_module_by_addr(struct kt_program *prog,
					  uint64_t addr);

#endif /* KT_CORE_MODULE_H */
