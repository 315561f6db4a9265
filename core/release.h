/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Giving back the pages of a long read through a mapped ELF section.
 *
 * An index scan reads hundreds of MB of .debug_info once through the
 * vmlinux's read-only mapping; the kernel maps 64 KB around each page
 * read, and those pages stay in the process's RSS though nothing reads
 * them again. Every KT_RELEASE_STEP bytes the scan has passed are unmapped
 * (MADV_DONTNEED: the file's clean pages stay in the page cache, a later
 * read maps them again). Only for a section that lies uncompressed in the
 * file's read-only mapping (ELF_C_READ_MMAP: no page of it is written);
 * otherwise nothing is done.
 */
#ifndef KT_CORE_RELEASE_H
#define KT_CORE_RELEASE_H

#include <libelf.h>
#include <stddef.h>

#define KT_RELEASE_STEP (16u << 20)

struct kt_release {
	const char *base;	/* the section's bytes in the mapping; NULL: off */
	size_t size;
	size_t from;		/* offset where the pages kept begin */
};

/** Set @r up for section @name of @elf (mapped read-only by libelf). */
void kt_release_init(struct kt_release *r, Elf *elf, const char *name);

/** The scan has passed offset @off: unmap what lies before, by steps. */
void kt_release_upto(struct kt_release *r, size_t off);

#endif /* KT_CORE_RELEASE_H */
