/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The dump's own reads of kdump-compressed files: a small page cache over
 * kt_diskdump, serving kt_dump_read() and the page-table walks of
 * libaddrxlat (in an address translation context of its own).
 *
 * libkdumpfile 0.5.1's page cache can hand out a page with no buffer after
 * a long run of reads of pages missing from the dump (a SEGV at 0x20 in
 * kdump_read() or in a page-table walk: seen under the fuzzer, never
 * reproduced by one input). With these, libkdumpfile still opens kdump
 * files, parses their notes and sets up address translation, but reads no
 * page after setup. ELF dumps and layouts kt_diskdump does not take read
 * through libkdumpfile as before.
 *
 * One thread reads a dump at a time (core/dump.h); so does this.
 */
#ifndef KT_CORE_DUMP_PAGES_H
#define KT_CORE_DUMP_PAGES_H

#include <libkdumpfile/addrxlat.h>
#include <stddef.h>
#include <stdint.h>

#include "core/diskdump.h"
#include "core/error.h"

struct kt_dump_pages;

/** A cache over @dd, which must outlive it. */
struct kt_error *kt_dump_pages_create(struct kt_diskdump *dd,
				      struct kt_dump_pages **ret);

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
