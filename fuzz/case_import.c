// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * db/: `case import` of a JSON export (a colleague's, or anyone's) into a
 * new case of the dump, then everything read back and exported again.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz/casefile.h"
#include "fuzz/common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	kt_fuzz_case_identity();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_case *c = kt_fuzz_case_new();
	struct kt_merge_stats st;
	char *json = malloc(size + 1);

	if (!json)
		abort();
	memcpy(json, data, size);
	json[size] = 0;
	kt_fuzz_drop(kt_case_import(c, json, &st));
	kt_merge_stats_deinit(&st);
	kt_fuzz_case_read_all(c);
	kt_fuzz_case_drop(c);
	free(json);
	return 0;
}
