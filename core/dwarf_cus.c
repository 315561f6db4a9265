// SPDX-License-Identifier: GPL-2.0-or-later
#include <gelf.h>
#include <stdlib.h>
#include <string.h>

#include "core/dwarf_cus.h"
#include "core/release.h"

struct kt_arange {
	uint64_t start, end;	/* [start, end) */
	uint64_t cu;		/* the CU header's offset in .debug_info */
};

struct kt_cu_start {
	uint64_t header;	/* offset of the CU header */
	uint64_t die;		/* offset of its CU DIE */
};

static int cmp_range(const void *a, const void *b)
{
	const struct kt_arange *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static uint64_t get(const unsigned char *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = n; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

static Elf_Data *section(Elf *elf, const char *name)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *n;

		if (gelf_getshdr(scn, &sh) &&
		    (n = elf_strptr(elf, shstrndx, sh.sh_name)) &&
		    !strcmp(n, name))
			return sh.sh_type == SHT_NOBITS ? NULL :
			       elf_getdata(scn, NULL);
	}
	return NULL;
}

static bool add_range(struct kt_dwarf_cus *c, size_t *cap, uint64_t start,
		      uint64_t len, uint64_t cu)
{
	if (c->nranges == *cap) {
		size_t ncap = *cap ? *cap * 2 : 4096;
		struct kt_arange *v = realloc(c->ranges, ncap * sizeof(*v));

		if (!v)
			return false;
		c->ranges = v;
		*cap = ncap;
	}
	c->ranges[c->nranges++] = (struct kt_arange){ start, start + len, cu };
	return true;
}

/*
 * The address ranges of .debug_aranges (DWARF 2 to 5: version 2 sets of
 * 8-byte address pairs, little-endian). False, and nothing kept, when the
 * section is missing or not of that shape.
 */
static bool read_aranges(struct kt_dwarf_cus *c, Elf *elf)
{
	GElf_Ehdr eh;
	Elf_Data *d;
	const unsigned char *p, *end;
	size_t cap = 0;

	if (!gelf_getehdr(elf, &eh) || eh.e_type == ET_REL ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    !(d = section(elf, ".debug_aranges")) || !d->d_buf)
		return false;
	p = d->d_buf;
	end = p + d->d_size;
	while (end - p >= 16) {
		const unsigned char *set = p, *q, *next;
		uint64_t len = get(p, 4), cu;
		unsigned off = 4;

		if (len == 0xffffffff) {
			if (end - p < 24)
				break;
			len = get(p + 4, 8);
			off = 8;
			p += 12;
		} else {
			p += 4;
		}
		if (len > (uint64_t)(end - p) || len < 2u + off + 2u)
			goto bad;
		next = p + len;
		if (get(p, 2) != 2)
			goto bad;
		cu = get(p + 2, off);
		if (p[2 + off] != 8 || p[3 + off])	// 8-byte addresses, no segments
			goto bad;
		// the pairs start at a multiple of twice the address size
		q = set + (((size_t)(p + 4 + off - set) + 15) & ~(size_t)15);
		for (; next - q >= 16; q += 16) {
			uint64_t a = get(q, 8), l = get(q + 8, 8);

			if (!a && !l)
				break;
			if (l && !add_range(c, &cap, a, l, cu))
				goto bad;
		}
		p = next;
	}
	qsort(c->ranges, c->nranges, sizeof(*c->ranges), cmp_range);
	return c->nranges > 0;
bad:
	free(c->ranges);
	c->ranges = NULL;
	c->nranges = 0;
	return false;
}

/* Meet every CU once, in order, giving back the pages passed. */
static bool read_cus(struct kt_dwarf_cus *c, Dwarf *dwarf, Elf *elf)
{
	struct kt_release rel;
	Dwarf_CU *cu = NULL;
	Dwarf_Die cudie;
	Dwarf_Half version;
	uint8_t type;
	size_t cap = 0;

	kt_release_init(&rel, elf, ".debug_info");
	while (!dwarf_get_units(dwarf, cu, &cu, &version, &type, &cudie,
				NULL)) {
		uint64_t die = dwarf_dieoffset(&cudie);

		if (c->ncus == cap) {
			size_t ncap = cap ? cap * 2 : 1024;
			struct kt_cu_start *v = realloc(c->cus,
							ncap * sizeof(*v));

			if (!v)
				return false;
			c->cus = v;
			cap = ncap;
		}
		c->cus[c->ncus++] = (struct kt_cu_start){
			die - dwarf_cuoffset(&cudie), die };
		kt_release_upto(&rel, die);
	}
	kt_release_upto(&rel, rel.size);
	return c->ncus > 0;
}

void kt_dwarf_cus_load(struct kt_dwarf_cus *c, Dwarf *dwarf, Elf *elf)
{
	if (c->tried)
		return;
	c->tried = true;
	if (!elf || !read_aranges(c, elf) || !read_cus(c, dwarf, elf))
		kt_dwarf_cus_deinit(c);
	c->tried = true;
}

bool kt_dwarf_cus_find(struct kt_dwarf_cus *c, Dwarf *dwarf, uint64_t addr,
		       Dwarf_Die *ret)
{
	size_t lo = 0, hi = c->nranges;
	uint64_t header;

	// the last range starting at or below addr
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->ranges[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || addr >= c->ranges[lo - 1].end)
		return false;
	header = c->ranges[lo - 1].cu;
	lo = 0;
	hi = c->ncus;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->cus[mid].header < header)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->ncus && c->cus[lo].header == header &&
	       dwarf_offdie(dwarf, c->cus[lo].die, ret);
}

void kt_dwarf_cus_deinit(struct kt_dwarf_cus *c)
{
	free(c->ranges);
	free(c->cus);
	memset(c, 0, sizeof(*c));
}
