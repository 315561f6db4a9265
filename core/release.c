// SPDX-License-Identifier: GPL-2.0-or-later
#include <gelf.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/release.h"

void kt_release_init(struct kt_release *r, Elf *elf, const char *name)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx, fsize;
	const char *file;

	memset(r, 0, sizeof(*r));
	if (!elf || elf_getshdrstrndx(elf, &shstrndx) ||
	    !(file = elf_rawfile(elf, &fsize)))
		return;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *n;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) ||
		    !(n = elf_strptr(elf, shstrndx, sh.sh_name)) ||
		    strcmp(n, name))
			continue;
		// compressed: libelf inflated it into memory of its own
		if (sh.sh_flags & SHF_COMPRESSED || sh.sh_type == SHT_NOBITS ||
		    !(d = elf_rawdata(scn, NULL)) || !d->d_buf)
			return;
		if ((const char *)d->d_buf < file ||
		    (const char *)d->d_buf + d->d_size > file + fsize)
			return;		// not the file's own mapping
		r->base = d->d_buf;
		r->size = d->d_size;
		return;
	}
}

void kt_release_upto(struct kt_release *r, size_t off)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t lo, hi;

	if (!r->base || off > r->size || off - r->from < KT_RELEASE_STEP)
		return;
	lo = ((uintptr_t)r->base + r->from + page - 1) & ~(uintptr_t)(page - 1);
	hi = ((uintptr_t)r->base + off) & ~(uintptr_t)(page - 1);
	if (hi > lo)
		madvise((void *)lo, hi - lo, MADV_DONTNEED);
	r->from = off;
}
