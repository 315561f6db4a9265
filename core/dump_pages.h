/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The dump's own page reads: a small page cache over kt_diskdump (kdump
 * files) or the segments of an ELF vmcore (elf_pages.h), serving
 * kt_dump_read() and the page-table walks of libaddrxlat (in an address
 * translation context of its own).
 *
 * libkdumpfile 0.5.1's page cache can hand out a page with no buffer after
 * a long run of reads of pages missing from the dump (a SEGV at 0x20 in
 * kdump_read() or in a page-table walk: seen under the fuzzer, never
 * reproduced by one input). With these, libkdumpfile still opens the
 * files, parses their notes and sets up address translation, but reads no
 * page after setup. Only layouts neither reader takes (kdump pages other
 * than 4 KiB, an ELF dump in several files) read through libkdumpfile.
 *
 * One thread reads a dump at a time (core/dump.h); so does this.
 */
#ifndef KT_CORE_DUMP_PAGES_H
#define KT_CORE_DUMP_PAGES_H

#include <libkdumpfile/addrxlat.h>
#include <stddef.h>
#include <stdint.h>

#include "core/diskdump.h"
#include "core/elf_pages.h"
#include "core/error.h"

struct kt_dump_pages;

/** Where pages come from. */
struct kt_page_source {
	void *arg;
	/* page @pfn whole, or a fault (KT_FAULT_EXCLUDED: not all held) */
	enum kt_fault (*page)(void *arg, uint64_t pfn, void *buf);
	/* bytes of a page not held whole; NULL when pages are all or none */
	enum kt_fault (*bytes)(void *arg, uint64_t paddr, void *buf,
			       size_t size, size_t *done);
	void (*destroy)(void *arg);	/* of @arg, with the cache */
};

/** A cache over @src (copied; its arg is the cache's from now on). */
struct kt_error *kt_dump_pages_create(const struct kt_page_source *src,
				      struct kt_dump_pages **ret);

/** A source of kt_diskdump pages, @dd outliving it. */
struct kt_error *kt_dump_pages_kdump(struct kt_diskdump *dd,
				     struct kt_page_source *ret);

/** A source of ELF segments' pages (elf_pages.h), NULL ret.arg if none. */
struct kt_error *kt_dump_pages_elf(int fd, struct kt_page_source *ret);

/** Free; NULL is accepted. */
void kt_dump_pages_destroy(struct kt_dump_pages *p);

/**
 * Read @size bytes at physical @paddr into @buf. Returns KT_FAULT_NONE, or
 * the fault of the first page not read (as kt_diskdump_read_page()); then
 * *@done bytes were read.
 */
enum kt_fault kt_dump_pages_read(struct kt_dump_pages *p, uint64_t paddr,
				 void *buf, size_t size, size_t *done);

/**
 * An address translation context whose page-table reads are @p's: for
 * addrxlat_fulladdr_conv() with the translation system libkdumpfile set
 * up. It lives as long as @p.
 */
addrxlat_ctx_t *kt_dump_pages_xlat(struct kt_dump_pages *p);

#endif /* KT_CORE_DUMP_PAGES_H */
