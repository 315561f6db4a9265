// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>
#include <string.h>

#include "core/dump.h"
#include "core/vmlinux.h"

#define PAGE_SIZE 4096
#define PTE_PRESENT 0x1ULL
#define PTE_LARGE 0x80ULL
#define PTE_ADDR_MASK 0x000ffffffffff000ULL
/* KASLR moves the kernel by multiples of CONFIG_PHYSICAL_ALIGN (2 MiB)
 * within KERNEL_IMAGE_SIZE (1 GiB). */
#define KASLR_ALIGN (2ULL << 20)
#define KASLR_RANGE (1ULL << 30)
#define MAX_CANDIDATES 16

static bool read_entry(struct kt_dump *dump, uint64_t table, unsigned idx,
		       uint64_t *ret)
{
	struct kt_error *err = kt_dump_read(dump, table + idx * 8, true, ret, 8);

	kt_error_destroy(err);
	return !err && (*ret & PTE_PRESENT);
}

/* A four-level walk by hand; the dump cannot translate yet. */
static bool walk(struct kt_dump *dump, uint64_t pgd, uint64_t va,
		 uint64_t *ret)
{
	uint64_t e;

	if (!read_entry(dump, pgd, (va >> 39) & 511, &e) ||
	    !read_entry(dump, e & PTE_ADDR_MASK, (va >> 30) & 511, &e))
		return false;
	if (e & PTE_LARGE) {
		*ret = (e & PTE_ADDR_MASK & ~((1ULL << 30) - 1)) +
		       (va & ((1ULL << 30) - 1));
		return true;
	}
	if (!read_entry(dump, e & PTE_ADDR_MASK, (va >> 21) & 511, &e))
		return false;
	if (e & PTE_LARGE) {
		*ret = (e & PTE_ADDR_MASK & ~((1ULL << 21) - 1)) +
		       (va & ((1ULL << 21) - 1));
		return true;
	}
	if (!read_entry(dump, e & PTE_ADDR_MASK, (va >> 12) & 511, &e))
		return false;
	*ret = (e & PTE_ADDR_MASK) + (va & 4095);
	return true;
}

static bool same_at(struct kt_dump *dump, uint64_t pa, const char *s,
		    size_t len)
{
	char buf[64];
	struct kt_error *err = kt_dump_read(dump, pa, true, buf, len);

	kt_error_destroy(err);
	return !err && !memcmp(buf, s, len);
}

/* Physical addresses where the banner's first bytes appear. */
static unsigned find_banner(struct kt_dump *dump, const char *banner,
			    uint64_t *found, unsigned max)
{
	size_t len = strlen(banner);
	unsigned char page[PAGE_SIZE];
	uint64_t pfn = 0;
	unsigned n = 0;

	if (len > 48)
		len = 48;
	while (n < max && kt_dump_next_present(dump, &pfn)) {
		struct kt_error *err;

		err = kt_dump_read(dump, pfn * PAGE_SIZE, true, page,
				   PAGE_SIZE);
		if (err) {
			kt_error_destroy(err);
			pfn++;
			continue;
		}
		for (const unsigned char *p = page;
		     (p = memchr(p, 'L', page + PAGE_SIZE - p)) != NULL; p++) {
			size_t left = page + PAGE_SIZE - p;
			uint64_t pa = pfn * PAGE_SIZE + (p - page);

			if (memcmp(p, banner, left < len ? left : len))
				continue;
			// A match that runs into the next page: read on.
			if (left < len && !same_at(dump, pa, banner, len))
				continue;
			if (n < max)
				found[n++] = pa;
		}
		pfn++;
	}
	return n;
}

struct kt_error *kt_dump_find_kaslr(struct kt_dump *dump,
				    const struct kt_symtab *linked,
				    const char *banner,
				    struct kt_kernel_layout *ret)
{
	const struct kt_symbol *b = kt_symtab_by_name(linked, "linux_banner");
	const struct kt_symbol *pgt = kt_symtab_by_name(linked, "init_top_pgt");
	uint64_t found[MAX_CANDIDATES];
	unsigned n;

	if (!b || !pgt || !*banner)
		return kt_error_create(KT_ERR_FORMAT,
			"the dump has no VMCOREINFO and the vmlinux lacks "
			"linux_banner or init_top_pgt, so the KASLR offset "
			"cannot be found");
	n = find_banner(dump, banner, found, MAX_CANDIDATES);
	for (unsigned i = 0; i < n; i++) {
		// The image is contiguous in physical memory.
		uint64_t pgd = found[i] + (pgt->addr - b->addr);

		if (pgd & (PAGE_SIZE - 1))
			continue;
		for (uint64_t off = 0; off < KASLR_RANGE; off += KASLR_ALIGN) {
			uint64_t pa;

			if (walk(dump, pgd, b->addr + off, &pa) &&
			    pa == found[i]) {
				ret->kaslr_offset = off;
				ret->phys_base = (int64_t)(found[i] -
					(b->addr + off - KT_START_KERNEL_MAP));
				return NULL;
			}
		}
	}
	return kt_error_create(KT_ERR_MISMATCH,
		"the dump has no VMCOREINFO, and this vmlinux's linux_banner "
		"was not found mapped in its memory (%u candidate%s): the "
		"vmlinux is probably not the dump's kernel", n,
		n == 1 ? "" : "s");
}
