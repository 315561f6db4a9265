// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * core/inflate_bytes.c: the literal set of a deflate block's header. Also
 * checked for what it promises: when it answers, every byte that inflate
 * makes of the same stream is in the set (libdeflate decides).
 */
#include <libdeflate.h>

#include "core/inflate_bytes.h"
#include "fuzz/common.h"

static struct libdeflate_decompressor *inflate;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	inflate = libdeflate_alloc_decompressor();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char out[4096];
	uint64_t set[4];
	size_t n;

	if (!kt_inflate_bytes(data, size, set))
		return 0;
	if (libdeflate_zlib_decompress(inflate, data, size, out, sizeof(out),
				       &n) != LIBDEFLATE_SUCCESS)
		return 0;
	for (size_t i = 0; i < n; i++)
		KT_FUZZ_CHECK(set[out[i] / 64] >> (out[i] % 64) & 1,
			      "inflate_bytes: a byte inflate makes is not in "
			      "the set");
	return 0;
}
