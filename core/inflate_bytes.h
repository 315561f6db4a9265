/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which byte values a zlib-compressed page can hold, from the header of
 * its deflate block alone, without inflating it.
 *
 * Every byte a deflate stream produces is a literal of the stream or a
 * copy of an earlier output byte, so the bytes of the output are among
 * the literals the block's Huffman table can code (RFC 1951 3.2.5). A
 * page that is one final dynamic block (what makedumpfile's compress2()
 * of 4 KiB gives, for most pages) names those literals in its header: a
 * literal of code length 0 cannot occur. A search skips the page when its
 * value needs a byte that cannot occur there; about 60% of the pages of
 * the shared dumps, for a pointer or LIST_POISON value.
 */
#ifndef KT_CORE_INFLATE_BYTES_H
#define KT_CORE_INFLATE_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * Set @set (256 bits: bit b of set[b / 64]) to the byte values the zlib
 * stream @in (@len bytes) can decompress to. False when the header does
 * not tell (several blocks, a fixed-code or stored block, or a malformed
 * header): then any byte can occur.
 */
bool kt_inflate_bytes(const unsigned char *in, size_t len, uint64_t set[4]);

#endif /* KT_CORE_INFLATE_BYTES_H */
