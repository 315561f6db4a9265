// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * core/diskdump.c: a kdump-compressed file (header, sub-header, bitmaps,
 * page descriptors, page data) indexed and read page by page, as the
 * search's readers do. A page it reads is 4096 bytes; what it cannot read
 * is a fault, never a crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/diskdump.h"
#include "fuzz/common.h"

/* Pages read at most: the seeds hold a few dozen. */
#define MAX_PFNS 4096

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

static void read_pages(struct kt_diskdump *dd)
{
	struct kt_diskdump_reader *r;
	unsigned char page[4096];
	uint64_t set[4];
	unsigned nread = 0, nbytes = 0;
	struct kt_error *err = kt_diskdump_reader_create(dd, &r);

	if (err) {
		kt_fuzz_drop(err);
		return;
	}
	for (uint64_t pfn = 0; pfn < MAX_PFNS; pfn++) {
		enum kt_fault fault = kt_diskdump_read_page(r, pfn, page);

		KT_FUZZ_CHECK(fault == KT_FAULT_NONE || fault == KT_FAULT_READ ||
			      fault == KT_FAULT_EXCLUDED, "diskdump: fault");
		nread += !fault;
		nbytes += kt_diskdump_page_bytes(r, pfn, set);
	}
	if (getenv("KT_FUZZ_VERBOSE"))
		fprintf(stderr, "diskdump: %u pages read, %u byte sets\n",
			nread, nbytes);
	// Far pfns: past every bitmap, and at the top of the range.
	kt_diskdump_read_page(r, 1ULL << 40, page);
	kt_diskdump_read_page(r, UINT64_MAX, page);
	kt_diskdump_reader_destroy(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_diskdump *dd = NULL;
	struct kt_error *err;
	char path[32];
	int fd = kt_fuzz_file(data, size, path);

	err = kt_diskdump_open(&fd, 1, path, &dd);
	if (err)
		kt_fuzz_drop(err);
	else if (dd)
		read_pages(dd);
	kt_diskdump_destroy(dd);
	close(fd);
	return 0;
}
