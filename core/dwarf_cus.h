/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which CU holds an address, without libdw's dwarf_addrdie().
 *
 * dwarf_addrdie() builds its table from .debug_aranges by reading every
 * CU's header in .debug_info: on a distribution kernel that maps most of
 * the section (the kernel maps 64 KB around each header), 100+ MB of RSS
 * for the first source line or type hint. Here .debug_aranges (a few
 * hundred KB) is read directly, and libdw meets the CUs once, in order,
 * with the pages it passed given back every few MB (core/release.h);
 * then a CU's DIE costs only its own pages.
 *
 * For a fully linked ELF file (the vmlinux) whose .debug_aranges covers
 * every address it lists; the caller falls back to dwarf_addrdie() when
 * kt_dwarf_cus_find() says no.
 */
#ifndef KT_CORE_DWARF_CUS_H
#define KT_CORE_DWARF_CUS_H

#include <elfutils/libdw.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kt_dwarf_cus {
	struct kt_arange *ranges;	/* sorted by start */
	size_t nranges;
	struct kt_cu_start *cus;	/* sorted by header offset */
	size_t ncus;
	bool tried;
};

/** Read @elf's .debug_aranges and meet @dwarf's CUs, once. */
void kt_dwarf_cus_load(struct kt_dwarf_cus *c, Dwarf *dwarf, Elf *elf);

/** The CU DIE holding file address @addr: false when not known here. */
bool kt_dwarf_cus_find(struct kt_dwarf_cus *c, Dwarf *dwarf, uint64_t addr,
		       Dwarf_Die *ret);

void kt_dwarf_cus_deinit(struct kt_dwarf_cus *c);

#endif /* KT_CORE_DWARF_CUS_H */
