// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/checked.h"
#include "core/symtab.h"

void kt_symtab_init(struct kt_symtab *tab)
{
	memset(tab, 0, sizeof(*tab));
	kt_hashmap_init(&tab->by_name);
}

void kt_symtab_deinit(struct kt_symtab *tab)
{
	for (size_t i = 0; i < tab->npool; i++)
		free(tab->pool[i]);
	free(tab->pool);
	free(tab->syms);
	kt_hashmap_deinit(&tab->by_name);
	kt_symtab_init(tab);
}

static bool grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *p;

	if (need <= *cap)
		return true;
	ncap = *cap ? *cap * 2 : 1024;
	while (ncap < need)
		ncap *= 2;
	p = realloc(*arr, ncap * elem);
	if (!p)
		return false;
	*arr = p;
	*cap = ncap;
	return true;
}

struct kt_error *kt_symtab_add(struct kt_symtab *tab, const char *name,
			       uint64_t addr, uint64_t size, char type,
			       bool copy)
{
	struct kt_symbol *sym;

	if (!grow((void **)&tab->syms, &tab->capacity, tab->nsyms + 1,
		  sizeof(*tab->syms)))
		return &kt_error_nomem;
	if (copy) {
		char *dup;

		if (!grow((void **)&tab->pool, &tab->pool_cap, tab->npool + 1,
			  sizeof(*tab->pool)))
			return &kt_error_nomem;
		dup = strdup(name);
		if (!dup)
			return &kt_error_nomem;
		tab->pool[tab->npool++] = dup;
		name = dup;
	}
	sym = &tab->syms[tab->nsyms++];
	sym->name = name;
	sym->addr = addr;
	sym->size = size;
	sym->type = type;
	sym->order = tab->nsyms - 1;
	tab->finished = false;
	return NULL;
}

static int cmp_addr(const void *a, const void *b)
{
	const struct kt_symbol *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	// Among aliases a sized symbol, then the first in its table, names
	// the address: as the kernel's own oops text does (null_exit, not
	// its cleanup_module alias).
	if ((x->size != 0) != (y->size != 0))
		return x->size ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

struct kt_error *kt_symtab_finish(struct kt_symtab *tab)
{
	kt_qsort(tab->syms, tab->nsyms, sizeof(*tab->syms), cmp_addr);
	kt_hashmap_deinit(&tab->by_name);
	// Globals first, so that a name defined both ways finds the global.
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < tab->nsyms; i++) {
			bool global = isupper((unsigned char)tab->syms[i].type);

			if (global != (pass == 0))
				continue;
			if (!kt_hashmap_insert(&tab->by_name, tab->syms[i].name,
					       i, NULL))
				return &kt_error_nomem;
		}
	}
	tab->finished = true;
	return NULL;
}

const struct kt_symbol *kt_symtab_by_name(const struct kt_symtab *tab,
					  const char *name)
{
	uint64_t i;

	if (!kt_hashmap_get(&tab->by_name, name, &i))
		return NULL;
	return &tab->syms[i];
}

const struct kt_symbol *kt_symtab_by_addr(const struct kt_symtab *tab,
					  uint64_t addr, uint64_t max_gap)
{
	size_t lo = 0, hi = tab->nsyms;
	const struct kt_symbol *sym;

	// Find the last symbol at or below addr.
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (tab->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	// Step back over aliases to the best-named one (sorted first).
	sym = &tab->syms[lo - 1];
	while (sym > tab->syms && sym[-1].addr == sym->addr)
		sym--;
	for (const struct kt_symbol *s = sym;
	     s < tab->syms + tab->nsyms && s->addr == sym->addr; s++) {
		if (s->size && addr < s->addr + s->size)
			return s;
	}
	if (sym->size)
		return NULL;
	if (lo < tab->nsyms && addr >= tab->syms[lo].addr)
		return NULL;
	return addr - sym->addr <= max_gap ? sym : NULL;
}
