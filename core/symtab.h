/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A table of symbols sorted by address, searchable by name and address.
 * vmlinux's ELF symbols and each module's symbols read from the dump live
 * in tables of this kind.
 */
#ifndef KT_CORE_SYMTAB_H
#define KT_CORE_SYMTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/hashmap.h"

struct kt_symbol {
	const char *name;	/* owned by the table or by its source */
	uint64_t addr;
	uint64_t size;		/* 0 when unknown */
	char type;		/* nm-style letter: T t D d B b R r A */
	uint32_t order;		/* position in its source table */
};

struct kt_symtab {
	struct kt_symbol *syms;
	size_t nsyms, capacity;
	struct kt_hashmap by_name;
	char **pool;		/* names the table copied */
	size_t npool, pool_cap;
	bool finished;
};

void kt_symtab_init(struct kt_symtab *tab);
void kt_symtab_deinit(struct kt_symtab *tab);

/**
 * Add a symbol. The name is copied if @copy, else borrowed and must outlive
 * the table. Call kt_symtab_finish() before any lookup.
 */
struct kt_error *kt_symtab_add(struct kt_symtab *tab, const char *name,
			       uint64_t addr, uint64_t size, char type,
			       bool copy);

/** Sort by address and index names. */
struct kt_error *kt_symtab_finish(struct kt_symtab *tab);

/** The symbol named @name, or NULL. Global symbols win over local ones. */
const struct kt_symbol *kt_symtab_by_name(const struct kt_symtab *tab,
					  const char *name);

/**
 * The symbol that contains @addr, or NULL. A symbol with a size contains
 * [addr, addr + size); one without reaches to the next symbol, at most
 * @max_gap bytes.
 */
const struct kt_symbol *kt_symtab_by_addr(const struct kt_symtab *tab,
					  uint64_t addr, uint64_t max_gap);

#endif /* KT_CORE_SYMTAB_H */
