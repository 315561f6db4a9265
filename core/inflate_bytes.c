// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The literal alphabet of a deflate block's dynamic Huffman header (RFC
 * 1951 3.2.7), decoded as inflate would and then dropped: no output is
 * made. See inflate_bytes.h for why that bounds the output's bytes.
 */
#include <string.h>

#include "core/inflate_bytes.h"

#define NCLEN 19	/* the code length alphabet */

struct bits {
	const unsigned char *p, *end;
	uint64_t buf;
	int n;
};

/* The next @k bits, least significant first; false past the end. */
static bool get(struct bits *b, int k, unsigned *v)
{
	while (b->n < k) {
		if (b->p == b->end)
			return false;
		b->buf |= (uint64_t)*b->p++ << b->n;
		b->n += 8;
	}
	*v = b->buf & ((1u << k) - 1);
	b->buf >>= k;
	b->n -= k;
	return true;
}

/* A code length symbol and its length, by the next CL_BITS bits. */
struct entry {
	unsigned char sym, len;	/* len 0: no code starts with these bits */
};

#define CL_BITS 7	/* code length codes are at most 7 bits long */

static unsigned reverse(unsigned code, int len)
{
	unsigned r = 0;

	while (len--) {
		r = r << 1 | (code & 1);
		code >>= 1;
	}
	return r;
}

/*
 * The decoding table of the canonical code of @clen (RFC 1951 3.2.2),
 * indexed by the next CL_BITS bits as they come (codes are sent most
 * significant bit first, so each is entered bit-reversed). False for an
 * over-subscribed code, which inflate would refuse too.
 */
static bool build(const unsigned char *clen, struct entry table[1 << CL_BITS])
{
	unsigned count[CL_BITS + 1] = { 0 }, next[CL_BITS + 1], code = 0;

	for (int i = 0; i < NCLEN; i++)
		count[clen[i]]++;
	count[0] = 0;
	for (int len = 1; len <= CL_BITS; len++) {
		code = (code + count[len - 1]) << 1;
		next[len] = code;
	}
	memset(table, 0, sizeof(*table) << CL_BITS);
	for (int sym = 0; sym < NCLEN; sym++) {
		int len = clen[sym];
		unsigned rev;

		if (!len)
			continue;
		if (next[len] >= 1u << len)
			return false;
		rev = reverse(next[len]++, len);
		for (unsigned f = 0; f < 1u << (CL_BITS - len); f++)
			table[rev | f << len] = (struct entry){ sym, len };
	}
	return true;
}

static bool decode(struct bits *b, const struct entry *table, unsigned *sym)
{
	struct entry e;

	while (b->n < CL_BITS && b->p != b->end) {
		b->buf |= (uint64_t)*b->p++ << b->n;
		b->n += 8;
	}
	e = table[b->buf & ((1u << CL_BITS) - 1)];
	if (!e.len || e.len > b->n)
		return false;
	b->buf >>= e.len;
	b->n -= e.len;
	*sym = e.sym;
	return true;
}

/* The literal/length code lengths, @nlit of them, into @lens. */
static bool lengths(struct bits *b, const struct entry *table,
		    unsigned char *lens, unsigned nlit, unsigned ntotal)
{
	unsigned i = 0, sym, rep, val;

	// Only the literals (0-255) matter: stop once they are known.
	while (i < nlit && i < 256) {
		if (!decode(b, table, &sym))
			return false;
		if (sym < 16) {
			lens[i++] = sym;
			continue;
		}
		if (sym == 16) {	// repeat the previous 3-6 times
			if (!i || !get(b, 2, &rep))
				return false;
			val = lens[i - 1];
			rep += 3;
		} else {		// 17: 3-10 zeros, 18: 11-138 zeros
			if (!get(b, sym == 17 ? 3 : 7, &rep))
				return false;
			val = 0;
			rep += sym == 17 ? 3 : 11;
		}
		if (i + rep > ntotal)
			return false;
		// A run may go on into the distance lengths: keep those out.
		for (; rep; rep--, i++)
			if (i < nlit)
				lens[i] = val;
	}
	return true;
}

bool kt_inflate_bytes(const unsigned char *in, size_t len, uint64_t set[4])
{
	static const unsigned char order[NCLEN] = {
		16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15
	};
	unsigned char clen[NCLEN] = { 0 }, lens[288] = { 0 };
	struct entry table[1 << CL_BITS];
	struct bits b = { in + 2, in + len, 0, 0 };
	unsigned final, type, hlit, hdist, hclen, v;

	// zlib: CMF (deflate, 32K window or less), FLG without a dictionary.
	if (len < 3 || (in[0] & 0x0f) != 8 || (in[1] & 0x20) ||
	    ((in[0] << 8) | in[1]) % 31)
		return false;
	if (!get(&b, 1, &final) || !get(&b, 2, &type) || !final || type != 2)
		return false;
	if (!get(&b, 5, &hlit) || !get(&b, 5, &hdist) || !get(&b, 4, &hclen))
		return false;
	if (hlit + 257 > 286 || hdist + 1 > 30)
		return false;
	for (unsigned i = 0; i < hclen + 4; i++) {
		if (!get(&b, 3, &v))
			return false;
		clen[order[i]] = v;
	}
	if (!build(clen, table) ||
	    !lengths(&b, table, lens, hlit + 257, hlit + 257 + hdist + 1))
		return false;
	memset(set, 0, 4 * sizeof(*set));
	for (int c = 0; c < 256; c++)
		if (lens[c])
			set[c / 64] |= 1ULL << (c % 64);
	return true;
}
