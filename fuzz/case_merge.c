// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * db/: `case merge` of a colleague's case file (the input, a sqlite file)
 * into a new case of the dump, then everything read back.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz/casefile.h"
#include "fuzz/common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	kt_fuzz_case_identity();
	return 0;
}

static void write_file(const char *path, const uint8_t *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size || close(fd)) {
		perror("fuzz: their case");
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char theirs[128];
	struct kt_case *c;
	struct kt_merge_stats st;

	snprintf(theirs, sizeof(theirs), "%s",
		 kt_fuzz_case_path("theirs.ktriage"));
	write_file(theirs, data, size);
	c = kt_fuzz_case_new();
	kt_fuzz_drop(kt_case_merge(c, theirs, &st));
	kt_merge_stats_deinit(&st);
	kt_fuzz_case_read_all(c);
	kt_fuzz_case_drop(c);
	unlink(theirs);
	return 0;
}
