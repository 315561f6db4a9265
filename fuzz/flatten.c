// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * core/flatten.c: makedumpfile's flattened stream rebuilt into a file.
 * The rebuilt file is a memory file: a record's offset may be anything,
 * and the kernel refuses those past its size limit, as a disk would.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "core/flatten.h"
#include "fuzz/common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[32];
	int in = kt_fuzz_file(data, size, path);
	int out = memfd_create("kt-fuzz-out", MFD_CLOEXEC);
	struct kt_error *err;

	if (kt_flat_is(in)) {
		err = kt_flat_rebuild(in, out, path);
		if (err)
			kt_fuzz_drop(err);
	}
	close(out);
	close(in);
	return 0;
}
