// SPDX-License-Identifier: GPL-2.0-or-later
/* Physical reads of ELF vmcores from their segments; see elf_pages.h. */
#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/checked.h"
#include "core/elf_pages.h"

#define PAGE 4096

struct segment {
	uint64_t paddr, end;	/* [paddr, end): held in the file */
	uint64_t offset;
};

struct kt_elf_pages {
	int fd;
	struct segment *v;
	size_t n;
};

static int seg_cmp(const void *a, const void *b)
{
	const struct segment *x = a, *y = b;

	return x->paddr < y->paddr ? -1 : x->paddr > y->paddr;
}

/*
 * Segments may overlap: QEMU's paging dumps have one per virtual mapping,
 * so a page mapped twice is in two (with the same bytes). Keep each byte
 * in the first segment that holds it, in address order: disjoint pieces,
 * sorted, for a binary search.
 */
static void disjoint(struct kt_elf_pages *e)
{
	uint64_t covered = 0;
	size_t n = 0;

	for (size_t i = 0; i < e->n; i++) {
		struct segment s = e->v[i];

		if (n && s.end <= covered)
			continue;
		if (n && s.paddr < covered) {
			s.offset += covered - s.paddr;
			s.paddr = covered;
		}
		e->v[n++] = s;
		covered = s.end;
	}
	e->n = n;
}

struct kt_error *kt_elf_pages_open(int fd, struct kt_elf_pages **ret)
{
	struct kt_elf_pages *e;
	Elf64_Ehdr eh;

	*ret = NULL;
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_type != ET_CORE ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == PN_XNUM)
		return NULL;	// PN_XNUM: the count is elsewhere; libkdumpfile's
	e = calloc(1, sizeof(*e));
	if (!e || !(e->v = calloc(eh.e_phnum ? eh.e_phnum : 1, sizeof(*e->v)))) {
		free(e);
		return &kt_error_nomem;
	}
	e->fd = fd;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		uint64_t at, end;

		if (!kt_add(eh.e_phoff, (uint64_t)i * sizeof(ph), &at) ||
		    pread(fd, &ph, sizeof(ph), at) != sizeof(ph)) {
			kt_elf_pages_destroy(e);
			return kt_error_create(KT_ERR_FORMAT, "ELF program header "
					       "%u cannot be read", i);
		}
		if (ph.p_type != PT_LOAD || !ph.p_filesz ||
		    !kt_add(ph.p_paddr, ph.p_filesz, &end) ||
		    !kt_add(ph.p_offset, ph.p_filesz, &at))
			continue;
		e->v[e->n++] = (struct segment){ ph.p_paddr, end, ph.p_offset };
	}
	kt_qsort(e->v, e->n, sizeof(*e->v), seg_cmp);
	disjoint(e);
	*ret = e;
	return NULL;
}

void kt_elf_pages_destroy(struct kt_elf_pages *e)
{
	if (!e)
		return;
	free(e->v);
	free(e);
}

/* The piece holding @a, or NULL. */
static const struct segment *holder(const struct kt_elf_pages *e, uint64_t a)
{
	size_t lo = 0, hi = e->n;

	// The last piece starting at or before @a.
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (e->v[mid].paddr <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && a < e->v[lo - 1].end ? &e->v[lo - 1] : NULL;
}

enum kt_fault kt_elf_pages_read(struct kt_elf_pages *e, uint64_t paddr,
				void *buf, size_t size, size_t *done)
{
	*done = 0;
	while (*done < size) {
		uint64_t a = paddr + *done;
		const struct segment *s = holder(e, a);
		size_t n = size - *done;
		ssize_t r;

		if (!s || a < paddr)
			return KT_FAULT_EXCLUDED;
		if (n > s->end - a)
			n = s->end - a;
		r = pread(e->fd, (char *)buf + *done, n, s->offset + (a - s->paddr));
		if (r <= 0)
			return KT_FAULT_READ;
		*done += r;
	}
	return KT_FAULT_NONE;
}

enum kt_fault kt_elf_pages_read_page(struct kt_elf_pages *e, uint64_t pfn,
				     void *buf)
{
	uint64_t a = pfn * PAGE;
	const struct segment *s = holder(e, a);

	if (pfn > UINT64_MAX / PAGE || !s || s->end - a < PAGE)
		return KT_FAULT_EXCLUDED;
	return pread(e->fd, buf, PAGE, s->offset + (a - s->paddr)) == PAGE ?
	       KT_FAULT_NONE : KT_FAULT_READ;
}
