/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bulk page reads from kdump-compressed files (makedumpfile's format),
 * straight from the page descriptors, for whole-memory scans.
 *
 * libkdumpfile reads every page through a cache that it searches linearly
 * and decompresses zlib pages with zlib: a scan that reads each page once
 * runs at a quarter of what the decompressor alone can do. This reader
 * maps the files, finds a page's descriptor by bitmap rank and inflates it
 * with libdeflate (2x zlib), or lzo, snappy or zstd. It is for scans only;
 * everything else reads through libkdumpfile (core/dump.c).
 */
#ifndef KT_CORE_DISKDUMP_H
#define KT_CORE_DISKDUMP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

struct kt_diskdump;		/* one dump's files; read-only once open */
struct kt_diskdump_reader;	/* one thread's decompressors */

/**
 * Index the kdump-compressed files @fds (one, or the parts of a split
 * dump). *@ret is NULL, with no error, when they are of another format or
 * of a layout this reader does not take (pages other than 4 KiB): read
 * them through libkdumpfile then.
 */
struct kt_error *kt_diskdump_open(const int *fds, unsigned nfds,
				  const char *path, struct kt_diskdump **ret);

/** Unmap and free; NULL is accepted. */
void kt_diskdump_destroy(struct kt_diskdump *dd);

/** A reader for one thread; many may read one kt_diskdump at once. */
struct kt_error *kt_diskdump_reader_create(struct kt_diskdump *dd,
					   struct kt_diskdump_reader **ret);

/** Free a reader; NULL is accepted. */
void kt_diskdump_reader_destroy(struct kt_diskdump_reader *r);

/**
 * Read page @pfn into @buf (4096 bytes). KT_FAULT_NONE when it was read;
 * KT_FAULT_EXCLUDED when no file holds it (the caller knows better why);
 * KT_FAULT_READ when its descriptor or data are corrupt.
 */
enum kt_fault kt_diskdump_read_page(struct kt_diskdump_reader *r,
				    uint64_t pfn, void *buf);

/**
 * The byte values page @pfn can hold (see inflate_bytes.h), without
 * reading it; false when that cannot be told cheaply: then any.
 */
bool kt_diskdump_page_bytes(struct kt_diskdump_reader *r, uint64_t pfn,
			    uint64_t set[4]);

/**
 * Give back the pages of the file's mapping that @r has read since its last
 * release (MADV_DONTNEED: they stay in the page cache): a scan of every
 * page calls it as it goes, so that its RSS does not grow to the file's
 * size.
 */
void kt_diskdump_reader_release(struct kt_diskdump_reader *r);

#endif /* KT_CORE_DISKDUMP_H */
