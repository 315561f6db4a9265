// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kdump-compressed page reads for scans; see diskdump.h for why.
 *
 * The layout (makedumpfile's IMPLEMENTATION): a header block, a sub-header,
 * two bitmaps of bitmap_blocks/2 blocks each (RAM pages, then the pages
 * the file holds), then one 24-byte descriptor per page held, in pfn
 * order, each pointing at the page's data. A page's descriptor index is
 * its rank in the second bitmap. Every descriptor is checked against the
 * file's size before it is followed, so a corrupt one reads as an error
 * and never faults.
 */
#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "core/diskdump.h"
#include "core/inflate_bytes.h"

#define PAGE_SIZE 4096
#define HDR_VERSION_OFF 8
#define HDR_BLOCK_SIZE_OFF 428	/* then sub_hdr_size, bitmap_blocks */
#define SUB_SPLIT_OFF 12	/* int split; u64 start_pfn, end_pfn */
#define SUB_PFN64_OFF 80	/* header_version >= 6: u64 start/end_pfn_64 */
#define DESC_SIZE 24	/* {i64 offset; u32 size, flags; u64 page_flags} */
#define DESC_ZLIB 0x1
#define DESC_LZO 0x2
#define DESC_SNAPPY 0x4
#define DESC_ZSTD 0x20
#define RANK_SHIFT 9	/* a rank entry per 512 pfns (8 bitmap words) */

struct ddfile {
	const unsigned char *map;
	size_t size;
	const uint64_t *bits;	/* pages held: bit pfn % 64 of word pfn / 64 */
	uint64_t nbits;
	uint64_t start_pfn, end_pfn;	/* a split part's range */
	uint64_t *rank;		/* bits set before each 512-pfn block */
	uint64_t first;		/* the rank of start_pfn: descriptor 0 */
	uint64_t desc_off, ndesc;
};

struct kt_diskdump {
	struct ddfile *files;
	unsigned nfiles;
};

/* Bytes of one file's mapping that a reader has read since its release. */
struct touched {
	const unsigned char *lo, *hi;	/* NULL: none */
	unsigned file;
};

struct kt_diskdump_reader {
	const struct kt_diskdump *dd;
	struct libdeflate_decompressor *inflate;
	ZSTD_DCtx *zstd;
	unsigned last;		/* the file the last page came from */
	struct touched desc, data;
};

static struct kt_error *corrupt(const char *path, const char *what)
{
	return kt_error_create(KT_ERR_FORMAT,
		"%s: kdump file is corrupt: %s; copy the dump again", path,
		what);
}

/* How many pages before @pfn (< nbits) the bitmap marks. */
static uint64_t rank_of(const struct ddfile *f, uint64_t pfn)
{
	uint64_t w = pfn / 64, n = f->rank[pfn >> RANK_SHIFT];

	for (uint64_t i = w & ~((1ULL << (RANK_SHIFT - 6)) - 1); i < w; i++)
		n += __builtin_popcountll(f->bits[i]);
	return n + __builtin_popcountll(f->bits[w] & ((1ULL << (pfn % 64)) - 1));
}

/* The bitmap, its ranks and the descriptor table of one mapped file. */
static struct kt_error *index_file(struct ddfile *f, const char *path)
{
	int32_t hdr[3], version, split = 0;
	uint64_t bmp_off, bmp_len, range[2], nwords;

	memcpy(&version, f->map + HDR_VERSION_OFF, 4);
	memcpy(hdr, f->map + HDR_BLOCK_SIZE_OFF, sizeof(hdr));
	if (hdr[0] != PAGE_SIZE)
		return NULL;	// not for this reader
	if (hdr[1] < 0 || hdr[2] <= 0 || hdr[2] % 2)
		return corrupt(path, "bad header");
	bmp_off = ((uint64_t)hdr[1] + 1) * PAGE_SIZE;
	bmp_len = (uint64_t)hdr[2] * PAGE_SIZE;
	f->desc_off = bmp_off + bmp_len;
	if (f->desc_off > f->size || PAGE_SIZE + SUB_PFN64_OFF + 16 > f->size)
		return corrupt(path, "the bitmaps run past its end");
	f->bits = (const uint64_t *)(f->map + bmp_off + bmp_len / 2);
	f->nbits = bmp_len / 2 * 8;
	f->start_pfn = 0;
	f->end_pfn = f->nbits;
	memcpy(&split, f->map + PAGE_SIZE + SUB_SPLIT_OFF, 4);
	if (split && version >= 2) {
		memcpy(range, f->map + PAGE_SIZE + (version >= 6 ? SUB_PFN64_OFF :
					SUB_SPLIT_OFF + 4), sizeof(range));
		// A part's range is in its bitmap: its descriptors are
		// counted from the bitmap's ranks.
		if (range[0] > range[1] || range[0] >= f->nbits)
			return corrupt(path, "its split pfn range is not in "
				       "its bitmap");
		f->start_pfn = range[0];
		f->end_pfn = range[1] < f->nbits ? range[1] : f->nbits;
	}
	nwords = f->nbits / 64;
	f->rank = malloc(((nwords >> (RANK_SHIFT - 6)) + 1) * sizeof(*f->rank));
	if (!f->rank)
		return &kt_error_nomem;
	f->ndesc = 0;
	for (uint64_t w = 0; w < nwords; w++) {
		if (!(w & ((1 << (RANK_SHIFT - 6)) - 1)))
			f->rank[w >> (RANK_SHIFT - 6)] = f->ndesc;
		f->ndesc += __builtin_popcountll(f->bits[w]);
	}
	// A split part has the whole bitmap, and descriptors for its range.
	f->first = f->start_pfn ? rank_of(f, f->start_pfn) : 0;
	f->ndesc = (f->end_pfn < f->nbits ? rank_of(f, f->end_pfn) : f->ndesc) -
		   f->first;
	if (f->desc_off + f->ndesc * DESC_SIZE > f->size)
		return corrupt(path, "its page descriptors run past its end");
	return NULL;
}

static struct kt_error *map_file(struct ddfile *f, int fd, const char *path,
				 bool *ours)
{
	struct stat st;
	char sig[8];

	*ours = false;
	if (pread(fd, sig, sizeof(sig), 0) != sizeof(sig) ||
	    memcmp(sig, "KDUMP   ", 8) || fstat(fd, &st) ||
	    (uint64_t)st.st_size < 2 * PAGE_SIZE)
		return NULL;
	f->size = st.st_size;
	f->map = mmap(NULL, f->size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (f->map == MAP_FAILED) {
		f->map = NULL;
		return kt_error_os(errno, "%s: mapping the dump", path);
	}
	*ours = true;
	return index_file(f, path);
}

struct kt_error *kt_diskdump_open(const int *fds, unsigned nfds,
				  const char *path, struct kt_diskdump **ret)
{
	struct kt_diskdump *dd = calloc(1, sizeof(*dd));
	struct kt_error *err = NULL;
	bool ours = true;

	*ret = NULL;
	if (!dd || !(dd->files = calloc(nfds, sizeof(*dd->files)))) {
		free(dd);
		return &kt_error_nomem;
	}
	for (unsigned i = 0; i < nfds && ours && !err; i++) {
		dd->nfiles++;
		err = map_file(&dd->files[i], fds[i], path, &ours);
		if (!err && ours && !dd->files[i].rank)
			ours = false;	// a layout for libkdumpfile
	}
	if (err || !ours) {
		kt_diskdump_destroy(dd);
		return err;
	}
	*ret = dd;
	return NULL;
}

void kt_diskdump_destroy(struct kt_diskdump *dd)
{
	if (!dd)
		return;
	for (unsigned i = 0; i < dd->nfiles; i++) {
		if (dd->files[i].map)
			munmap((void *)dd->files[i].map, dd->files[i].size);
		free(dd->files[i].rank);
	}
	free(dd->files);
	free(dd);
}

struct kt_error *kt_diskdump_reader_create(struct kt_diskdump *dd,
					   struct kt_diskdump_reader **ret)
{
	struct kt_diskdump_reader *r = calloc(1, sizeof(*r));

	if (!r || lzo_init() != LZO_E_OK)
		goto nomem;
	r->dd = dd;
	r->inflate = libdeflate_alloc_decompressor();
	r->zstd = ZSTD_createDCtx();
	if (!r->inflate || !r->zstd)
		goto nomem;
	*ret = r;
	return NULL;
nomem:
	kt_diskdump_reader_destroy(r);
	return &kt_error_nomem;
}

void kt_diskdump_reader_destroy(struct kt_diskdump_reader *r)
{
	if (!r)
		return;
	if (r->inflate)
		libdeflate_free_decompressor(r->inflate);
	ZSTD_freeDCtx(r->zstd);
	free(r);
}

/* The index of @pfn's descriptor in @f, or -1 when @f does not hold it. */
static int64_t desc_index(const struct ddfile *f, uint64_t pfn)
{
	if (pfn < f->start_pfn || pfn >= f->end_pfn ||
	    !(f->bits[pfn / 64] >> (pfn % 64) & 1))
		return -1;
	return rank_of(f, pfn) - f->first;
}

static bool decompress(struct kt_diskdump_reader *r, uint32_t flags,
		       const unsigned char *in, uint32_t len, void *out)
{
	size_t n = PAGE_SIZE;
	lzo_uint lzo_n = PAGE_SIZE;

	if (flags & DESC_ZLIB)
		return libdeflate_zlib_decompress(r->inflate, in, len, out,
			PAGE_SIZE, &n) == LIBDEFLATE_SUCCESS && n == PAGE_SIZE;
	if (flags & DESC_LZO)
		return lzo1x_decompress_safe(in, len, out, &lzo_n, NULL) ==
			LZO_E_OK && lzo_n == PAGE_SIZE;
	if (flags & DESC_SNAPPY)
		return snappy_uncompress((const char *)in, len, out, &n) ==
			SNAPPY_OK && n == PAGE_SIZE;
	if (flags & DESC_ZSTD) {
		n = ZSTD_decompressDCtx(r->zstd, out, PAGE_SIZE, in, len);
		return n == PAGE_SIZE;
	}
	if (len != PAGE_SIZE)
		return false;
	memcpy(out, in, PAGE_SIZE);
	return true;
}

/*
 * The descriptor of @pfn: its data and flags. KT_FAULT_EXCLUDED when no
 * file holds it, KT_FAULT_READ when the descriptor points outside its file.
 */
/*
 * Unmap the whole pages of @t (the file's mapping is read-only: its clean
 * pages stay in the page cache, and a later read maps them again).
 */
static void release(struct touched *t)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t lo = ((uintptr_t)t->lo + page - 1) & ~(page - 1);
	uintptr_t hi = (uintptr_t)t->hi & ~(page - 1);

	if (t->lo && hi > lo)
		madvise((void *)lo, hi - lo, MADV_DONTNEED);
	t->lo = t->hi = NULL;
}

static void touch(struct touched *t, unsigned file, const unsigned char *lo,
		  const unsigned char *hi)
{
	if (t->lo && t->file != file)
		release(t);
	if (!t->lo) {
		*t = (struct touched){ lo, hi, file };
		return;
	}
	t->lo = lo < t->lo ? lo : t->lo;
	t->hi = hi > t->hi ? hi : t->hi;
}

void kt_diskdump_reader_release(struct kt_diskdump_reader *r)
{
	release(&r->desc);
	release(&r->data);
}

static enum kt_fault find_page(struct kt_diskdump_reader *r, uint64_t pfn,
			       const unsigned char **data, uint32_t *len,
			       uint32_t *flags)
{
	const struct kt_diskdump *dd = r->dd;

	for (unsigned k = 0; k < dd->nfiles; k++) {
		unsigned i = (r->last + k) % dd->nfiles;
		const struct ddfile *f = &dd->files[i];
		int64_t idx = pfn < f->nbits ? desc_index(f, pfn) : -1;
		const unsigned char *d;
		int64_t off;

		if (idx < 0)
			continue;
		r->last = i;
		d = f->map + f->desc_off + idx * DESC_SIZE;
		memcpy(&off, d, 8);
		memcpy(len, d + 8, 4);
		memcpy(flags, d + 12, 4);
		// An incomplete dump (disk full) leaves the rest zeroed.
		if (!off && !*len)
			return KT_FAULT_EXCLUDED;
		if (off <= 0 || (uint64_t)off > f->size || *len > f->size - off)
			return KT_FAULT_READ;
		*data = f->map + off;
		touch(&r->desc, i, d, d + DESC_SIZE);
		touch(&r->data, i, *data, *data + *len);
		return KT_FAULT_NONE;
	}
	return KT_FAULT_EXCLUDED;
}

enum kt_fault kt_diskdump_read_page(struct kt_diskdump_reader *r,
				    uint64_t pfn, void *buf)
{
	const unsigned char *data;
	uint32_t len, flags;
	enum kt_fault fault = find_page(r, pfn, &data, &len, &flags);

	if (fault)
		return fault;
	return decompress(r, flags, data, len, buf) ? KT_FAULT_NONE :
						      KT_FAULT_READ;
}

bool kt_diskdump_page_bytes(struct kt_diskdump_reader *r, uint64_t pfn,
			    uint64_t set[4])
{
	const unsigned char *data;
	uint32_t len, flags;

	return !find_page(r, pfn, &data, &len, &flags) &&
	       (flags & DESC_ZLIB) && kt_inflate_bytes(data, len, set);
}
