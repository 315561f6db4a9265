// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dumpconv - derive the other crash-dump formats from one real kdump file.
 *
 * ktriage must open every format libkdumpfile reads, but the shared fixtures
 * hold only makedumpfile's kdump-compressed output (zlib and lzo), and
 * Debian's makedumpfile 1.7.2 can write neither snappy nor zstd, nor ELF from
 * a kdump input.  This tool rewrites such a dump page for page:
 *
 *   dumpconv kdump [-c zlib|lzo|snappy|zstd|none] SRC OUT
 *	kdump-compressed file, byte-for-byte the headers, bitmaps and notes of
 *	SRC, every page compressed the way makedumpfile would have done it.
 *
 *   dumpconv elf [--no-vmcoreinfo] [--phys-only] [--text-size N] SRC OUT
 *	ELF64 vmcore laid out like "makedumpfile -E" output (see elf_plan());
 *	--phys-only gives the PT_LOADs the shape QEMU's dump-guest-memory
 *	(paging=false) gives them: RAM only, p_vaddr = p_paddr, p_flags 0.
 *
 *   dumpconv digest [-r REF] FILE...
 *	open FILE... as one dump (a split set is several files) through
 *	libkdumpfile, read back every page that REF (default: the dump
 *	itself) holds and print a digest of their contents, so that two
 *	formats of the same crash can be compared.
 *
 * Only x86_64 little-endian dumps with 4 KiB pages are handled: that is what
 * the fixtures are.  Build: see mkformats.sh.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libkdumpfile/kdumpfile.h>
#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#define PAGE_SIZE		4096
#define PAGE_SHIFT		12

/* makedumpfile's diskdump_mod.h */
#define KDUMP_SIGNATURE		"KDUMP   "
#define DUMP_DH_COMPRESSED_ZLIB	0x1
#define DUMP_DH_COMPRESSED_LZO	0x2
#define DUMP_DH_COMPRESSED_SNAPPY 0x4
#define DUMP_DH_COMPRESSED_ZSTD	0x20
#define DUMP_DH_COMPRESSED_MASK	(DUMP_DH_COMPRESSED_ZLIB | DUMP_DH_COMPRESSED_LZO | \
				 DUMP_DH_COMPRESSED_SNAPPY | DUMP_DH_COMPRESSED_ZSTD)
#define DL_EXCLUDE_ZERO		0x1

/* makedumpfile -E starts a new PT_LOAD only after this many excluded pages */
#define PFN_EXCLUDED		256

/* x86_64 kernel text mapping, and kexec-tools' alignment of its PT_LOAD */
#define START_KERNEL_MAP	0xffffffff80000000ULL
#define KERNEL_IMAGE_END	0xffffffffc0000000ULL
#define KERN_VADDR_ALIGN	0x100000ULL

struct disk_dump_header {
	char signature[8];
	int32_t header_version;
	char utsname[6][65];
	int64_t tv_sec;		/* struct timeval, 8-aligned */
	int64_t tv_usec;
	uint32_t status;
	int32_t block_size;
	int32_t sub_hdr_size;	/* in blocks */
	uint32_t bitmap_blocks;
	uint32_t max_mapnr;	/* truncated; see max_mapnr_64 */
	uint32_t total_ram_blocks;
	uint32_t device_blocks;
	uint32_t written_blocks;
	uint32_t current_cpu;
	int32_t nr_cpus;
};

struct kdump_sub_header {
	uint64_t phys_base;
	int32_t dump_level;
	int32_t split;
	uint64_t start_pfn;
	uint64_t end_pfn;
	int64_t offset_vmcoreinfo;
	uint64_t size_vmcoreinfo;
	int64_t offset_note;
	uint64_t size_note;
	int64_t offset_eraseinfo;
	uint64_t size_eraseinfo;
	uint64_t start_pfn_64;
	uint64_t end_pfn_64;
	uint64_t max_mapnr_64;
};

struct page_desc {
	int64_t offset;
	uint32_t size;
	uint32_t flags;
	uint64_t page_flags;
};

_Static_assert(offsetof(struct disk_dump_header, status) == 424, "diskdump layout");
_Static_assert(sizeof(struct kdump_sub_header) == 104, "sub header layout");
_Static_assert(sizeof(struct page_desc) == 24, "page_desc layout");

/** A kdump-compressed source dump, fully indexed. */
struct src {
	const char *path;
	int fd;
	struct disk_dump_header *dh;	/* into head */
	struct kdump_sub_header *sh;	/* into head */
	unsigned char *head;		/* header, sub header, notes, bitmaps */
	size_t head_len;
	const unsigned char *bm1;	/* RAM pages */
	const unsigned char *bm2;	/* pages in the dump */
	uint64_t max_mapnr;
	uint64_t nr_dumpable;
	struct page_desc *pd;		/* one per bm2 bit, in PFN order */
	uint32_t *pfn_idx;		/* PFN -> index into pd, or UINT32_MAX */
	unsigned char cbuf[2 * PAGE_SIZE];
};

static int fail(const char *fmt, ...)
{
	va_list ap;

	fputs("dumpconv: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		fail("out of memory");
		exit(2);
	}
	return p;
}

static bool test_bit(const unsigned char *bm, uint64_t nr)
{
	return bm[nr >> 3] & (1U << (nr & 7));
}

static void set_bit(unsigned char *bm, uint64_t nr)
{
	bm[nr >> 3] |= 1U << (nr & 7);
}

static bool is_zero_page(const unsigned char *p)
{
	return p[0] == 0 && !memcmp(p, p + 1, PAGE_SIZE - 1);
}

static int pread_full(int fd, void *buf, size_t len, off_t off, const char *what)
{
	ssize_t n = pread(fd, buf, len, off);

	if (n < 0)
		return fail("reading %s at %lld: %s", what, (long long)off, strerror(errno));
	if ((size_t)n != len)
		return fail("reading %s at %lld: file truncated", what, (long long)off);
	return 0;
}

static int pwrite_full(int fd, const void *buf, size_t len, off_t off, const char *path)
{
	ssize_t n = pwrite(fd, buf, len, off);

	if (n < 0 || (size_t)n != len)
		return fail("writing %s at %lld: %s", path, (long long)off,
			    n < 0 ? strerror(errno) : "short write");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Source: a kdump-compressed file written by makedumpfile            */

static int src_index(struct src *s)
{
	uint64_t pfn, idx = 0;

	s->pfn_idx = xcalloc(s->max_mapnr, sizeof(*s->pfn_idx));
	for (pfn = 0; pfn < s->max_mapnr; pfn++)
		s->pfn_idx[pfn] = test_bit(s->bm2, pfn) ? idx++ : UINT32_MAX;
	s->nr_dumpable = idx;
	s->pd = xcalloc(idx, sizeof(*s->pd));
	return pread_full(s->fd, s->pd, idx * sizeof(*s->pd), s->head_len,
			  "page descriptors");
}

static int src_open(struct src *s, const char *path)
{
	struct disk_dump_header dh;
	size_t bm_len;

	s->path = path;
	s->fd = open(path, O_RDONLY);
	if (s->fd < 0)
		return fail("%s: %s", path, strerror(errno));
	if (pread_full(s->fd, &dh, sizeof(dh), 0, "disk_dump_header"))
		return -1;
	if (memcmp(dh.signature, KDUMP_SIGNATURE, 8))
		return fail("%s: not a kdump-compressed file", path);
	if (dh.header_version < 6 || dh.block_size != PAGE_SIZE || dh.sub_hdr_size < 1)
		return fail("%s: unsupported header (version %d, block size %d)", path,
			    dh.header_version, dh.block_size);
	// 2^24 bitmap blocks cover 64 TiB of RAM; more means a corrupt header
	if (dh.sub_hdr_size > 1024 || dh.bitmap_blocks > (1U << 24))
		return fail("%s: corrupt header (%d sub header blocks, %u bitmap blocks)",
			    path, dh.sub_hdr_size, dh.bitmap_blocks);
	s->head_len = (size_t)(1 + dh.sub_hdr_size + dh.bitmap_blocks) * PAGE_SIZE;
	s->head = xcalloc(1, s->head_len);
	if (pread_full(s->fd, s->head, s->head_len, 0, "headers and bitmaps"))
		return -1;
	s->dh = (struct disk_dump_header *)s->head;
	s->sh = (struct kdump_sub_header *)(s->head + PAGE_SIZE);
	if (s->sh->split)
		return fail("%s: one part of a split dump; give a whole dump", path);
	if (s->sh->offset_note < PAGE_SIZE ||
	    s->sh->offset_note + s->sh->size_note > (uint64_t)(1 + dh.sub_hdr_size) * PAGE_SIZE)
		return fail("%s: ELF notes outside the sub header", path);
	bm_len = (size_t)dh.bitmap_blocks * PAGE_SIZE / 2;
	s->max_mapnr = s->sh->max_mapnr_64;
	if ((s->max_mapnr + 7) / 8 > bm_len)
		return fail("%s: bitmap shorter than max_mapnr %llu", path,
			    (unsigned long long)s->max_mapnr);
	s->bm1 = s->head + (size_t)(1 + dh.sub_hdr_size) * PAGE_SIZE;
	s->bm2 = s->bm1 + bm_len;
	return src_index(s);
}

static void src_close(struct src *s)
{
	if (s->fd >= 0)
		close(s->fd);
	free(s->head);
	free(s->pd);
	free(s->pfn_idx);
}

static int decompress(uint32_t flags, const unsigned char *in, size_t len, unsigned char *out)
{
	uLongf zlen = PAGE_SIZE;
	lzo_uint llen = PAGE_SIZE;
	size_t slen = PAGE_SIZE;

	switch (flags & DUMP_DH_COMPRESSED_MASK) {
	case 0:
		if (len != PAGE_SIZE)
			return -1;
		memcpy(out, in, PAGE_SIZE);
		return 0;
	case DUMP_DH_COMPRESSED_ZLIB:
		return uncompress(out, &zlen, in, len) == Z_OK && zlen == PAGE_SIZE ? 0 : -1;
	case DUMP_DH_COMPRESSED_LZO:
		return lzo1x_decompress_safe(in, len, out, &llen, NULL) == LZO_E_OK &&
			       llen == PAGE_SIZE ? 0 : -1;
	case DUMP_DH_COMPRESSED_SNAPPY:
		return snappy_uncompress((const char *)in, len, (char *)out, &slen) == SNAPPY_OK &&
			       slen == PAGE_SIZE ? 0 : -1;
	case DUMP_DH_COMPRESSED_ZSTD:
		return ZSTD_decompress(out, PAGE_SIZE, in, len) == PAGE_SIZE ? 0 : -1;
	}
	return -1;
}

/** Read the page at @pfn of the source into @buf; it must be in the dump. */
static int src_read_page(struct src *s, uint64_t pfn, unsigned char *buf)
{
	const struct page_desc *pd = &s->pd[s->pfn_idx[pfn]];

	if (pd->size == 0 || pd->size > sizeof(s->cbuf))
		return fail("%s: PFN %#llx: bad descriptor size %u", s->path,
			    (unsigned long long)pfn, pd->size);
	if (pread_full(s->fd, s->cbuf, pd->size, pd->offset, "page data"))
		return fail("%s: PFN %#llx: cannot read page", s->path, (unsigned long long)pfn);
	if (decompress(pd->flags, s->cbuf, pd->size, buf))
		return fail("%s: PFN %#llx: corrupt page (flags %#x, %u bytes)", s->path,
			    (unsigned long long)pfn, pd->flags, pd->size);
	return 0;
}

/* ------------------------------------------------------------------ */
/* kdump-compressed output                                            */

struct compressor {
	uint32_t flag;
	ZSTD_CCtx *zstd;
	lzo_align_t lzo_wrk[(LZO1X_1_MEM_COMPRESS + sizeof(lzo_align_t) - 1) /
			    sizeof(lzo_align_t)];
	unsigned char out[2 * PAGE_SIZE];	/* > every *Bound(PAGE_SIZE) */
};

/*
 * Compress one page as makedumpfile does (zlib Z_BEST_SPEED, lzo1x_1, snappy,
 * zstd level 1).  Returns the compressed size, or 0 to store the page as is
 * because compression did not make it smaller.
 */
static size_t compress_page(struct compressor *c, const unsigned char *page)
{
	uLongf zlen = sizeof(c->out);
	lzo_uint llen = sizeof(c->out);
	size_t len = sizeof(c->out);

	switch (c->flag) {
	case DUMP_DH_COMPRESSED_ZLIB:
		if (compress2(c->out, &zlen, page, PAGE_SIZE, Z_BEST_SPEED) != Z_OK)
			return 0;
		len = zlen;
		break;
	case DUMP_DH_COMPRESSED_LZO:
		if (lzo1x_1_compress(page, PAGE_SIZE, c->out, &llen, c->lzo_wrk) != LZO_E_OK)
			return 0;
		len = llen;
		break;
	case DUMP_DH_COMPRESSED_SNAPPY:
		if (snappy_compress((const char *)page, PAGE_SIZE, (char *)c->out, &len) !=
		    SNAPPY_OK)
			return 0;
		break;
	case DUMP_DH_COMPRESSED_ZSTD:
		len = ZSTD_compressCCtx(c->zstd, c->out, sizeof(c->out), page, PAGE_SIZE, 1);
		if (ZSTD_isError(len))
			return 0;
		break;
	default:
		return 0;
	}
	return len < PAGE_SIZE ? len : 0;
}

static int parse_compression(const char *name, uint32_t *ret)
{
	static const struct {
		const char *name;
		uint32_t flag;
	} tab[] = {
		{ "none", 0 },
		{ "zlib", DUMP_DH_COMPRESSED_ZLIB },
		{ "lzo", DUMP_DH_COMPRESSED_LZO },
		{ "snappy", DUMP_DH_COMPRESSED_SNAPPY },
		{ "zstd", DUMP_DH_COMPRESSED_ZSTD },
	};
	size_t i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		if (!strcmp(name, tab[i].name)) {
			*ret = tab[i].flag;
			return 0;
		}
	}
	return fail("unknown compression '%s' (none, zlib, lzo, snappy, zstd)", name);
}

/*
 * Same layout as makedumpfile's write_kdump_pages_and_bitmap_cyclic(): the
 * descriptors follow the bitmaps; with DL_EXCLUDE_ZERO the data area starts
 * with one zero page that every all-zero page's descriptor points to.
 */
static int write_kdump(struct src *s, const char *path, uint32_t comp)
{
	struct compressor *c = xcalloc(1, sizeof(*c));
	struct page_desc *pd = xcalloc(s->nr_dumpable, sizeof(*pd));
	unsigned char *head = xcalloc(1, s->head_len);
	unsigned char page[PAGE_SIZE];
	struct page_desc zero = { 0 };
	off_t data = s->head_len + s->nr_dumpable * sizeof(*pd);
	uint64_t pfn;
	int fd, ret = -1;

	c->flag = comp;
	c->zstd = ZSTD_createCCtx();
	memcpy(head, s->head, s->head_len);
	((struct disk_dump_header *)head)->status =
		(s->dh->status & ~DUMP_DH_COMPRESSED_MASK) | comp;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || !c->zstd) {
		fail("%s: %s", path, fd < 0 ? strerror(errno) : "no zstd context");
		goto out;
	}
	if (s->sh->dump_level & DL_EXCLUDE_ZERO) {
		memset(page, 0, sizeof(page));
		zero = (struct page_desc){ .offset = data, .size = PAGE_SIZE };
		if (pwrite_full(fd, page, PAGE_SIZE, data, path))
			goto out;
		data += PAGE_SIZE;
	}
	for (pfn = 0; pfn < s->max_mapnr; pfn++) {
		struct page_desc *d;
		size_t len;

		if (s->pfn_idx[pfn] == UINT32_MAX)
			continue;
		d = &pd[s->pfn_idx[pfn]];
		if (src_read_page(s, pfn, page))
			goto out;
		if (zero.size && is_zero_page(page)) {
			*d = zero;
			continue;
		}
		len = compress_page(c, page);
		*d = (struct page_desc){ .offset = data, .size = len ? len : PAGE_SIZE,
					 .flags = len ? comp : 0 };
		if (pwrite_full(fd, len ? c->out : page, d->size, data, path))
			goto out;
		data += d->size;
	}
	if (pwrite_full(fd, head, s->head_len, 0, path) ||
	    pwrite_full(fd, pd, s->nr_dumpable * sizeof(*pd), s->head_len, path))
		goto out;
	ret = 0;
out:
	if (fd >= 0 && close(fd))
		ret = fail("%s: %s", path, strerror(errno));
	ZSTD_freeCCtx(c->zstd);
	free(c);
	free(pd);
	free(head);
	return ret;
}

/* ------------------------------------------------------------------ */
/* ELF output                                                         */

struct elf_opts {
	bool no_vmcoreinfo;	/* drop the VMCOREINFO note */
	bool phys_only;		/* QEMU paging=false style: p_vaddr = p_paddr, no text load */
	uint64_t text_size;	/* _end - _text; 0: from the kernel's page tables */
};

/** One PT_LOAD, before (an input range) or after (an output segment) planning. */
struct load {
	uint64_t pfn;		/* first page */
	uint64_t vaddr;
	uint64_t mempages;	/* p_memsz in pages */
	uint64_t filepages;	/* p_filesz in pages */
	uint64_t offset;	/* p_offset */
	bool last;		/* last segment made from one input load */
};

struct loads {
	struct load *v;
	size_t n, cap;
};

static void loads_push(struct loads *l, struct load ld)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v) {
			fail("out of memory");
			exit(2);
		}
	}
	l->v[l->n++] = ld;
}

/*
 * Where the crashed kernel's direct map and text mapping were.  A kdump file
 * does not keep the p_vaddr of /proc/vmcore, so they are recomputed from the
 * kernel's own page tables through libkdumpfile.
 */
struct kernel_layout {
	uint64_t page_offset;	/* KASLR-randomised PAGE_OFFSET */
	uint64_t text_vaddr;	/* _text, rounded down like kexec-tools */
	uint64_t text_pfn;
	uint64_t text_pages;
};

static int kernel_text_end(addrxlat_ctx_t *xctx, addrxlat_sys_t *sys, uint64_t start,
			   uint64_t *ret)
{
	uint64_t va, last = 0;

	// cleanup_highmap() leaves [_text, roundup(_brk_end, PMD_SIZE)) mapped;
	// freed init memory may be unmapped in between, so scan all of it.
	for (va = start; va < KERNEL_IMAGE_END; va += PAGE_SIZE) {
		addrxlat_fulladdr_t fa = { .addr = va, .as = ADDRXLAT_KVADDR };

		if (addrxlat_fulladdr_conv(&fa, ADDRXLAT_KPHYSADDR, xctx, sys) == ADDRXLAT_OK)
			last = va + PAGE_SIZE;
	}
	if (!last)
		return fail("kernel text is not mapped at %#llx", (unsigned long long)start);
	*ret = last;
	return 0;
}

static int kernel_layout(struct src *s, const struct elf_opts *o, struct kernel_layout *kl)
{
	kdump_ctx_t *ctx = kdump_new();
	addrxlat_ctx_t *xctx = NULL;
	addrxlat_sys_t *sys = NULL;
	const addrxlat_meth_t *rdirect;
	kdump_attr_t attr = { .type = KDUMP_STRING, .val.string = "linux" };
	kdump_addr_t stext;
	uint64_t end = 0;
	int ret = -1;

	if (!ctx)
		return fail("out of memory");
	// libkdumpfile reads the same file through its own descriptor
	if (kdump_open_fd(ctx, dup(s->fd)) != KDUMP_OK ||
	    kdump_set_attr(ctx, "addrxlat.ostype", &attr) != KDUMP_OK ||
	    kdump_get_addrxlat(ctx, &xctx, &sys) != KDUMP_OK ||
	    kdump_vmcoreinfo_symbol(ctx, "_stext", &stext) != KDUMP_OK) {
		fail("%s: libkdumpfile: %s", s->path, kdump_get_err(ctx));
		goto out;
	}
	rdirect = addrxlat_sys_get_meth(sys, ADDRXLAT_SYS_METH_RDIRECT);
	if (rdirect->kind != ADDRXLAT_LINEAR) {
		fail("%s: cannot find the direct mapping", s->path);
		goto out;
	}
	kl->page_offset = rdirect->param.linear.off;
	// x86_64 vmlinux.lds puts _text and _stext at the same address
	kl->text_vaddr = stext & ~(KERN_VADDR_ALIGN - 1);
	kl->text_pfn = (kl->text_vaddr - START_KERNEL_MAP + s->sh->phys_base) >> PAGE_SHIFT;
	if (o->text_size)
		end = stext + o->text_size;
	else if (kernel_text_end(xctx, sys, stext, &end))
		goto out;
	kl->text_pages = (end - kl->text_vaddr + PAGE_SIZE - 1) >> PAGE_SHIFT;
	ret = 0;
out:
	if (sys)
		addrxlat_sys_decref(sys);
	if (xctx)
		addrxlat_ctx_decref(xctx);
	kdump_free(ctx);
	return ret;
}

/*
 * The PT_LOADs of the /proc/vmcore this dump was taken from, as kexec-tools
 * (and the kernel's crash_prepare_elf64_headers()) make them: the kernel
 * text [_text, _end) first, then every System RAM range at PAGE_OFFSET +
 * paddr.  Bitmap 1 knows RAM only to the page, so a range that ends inside
 * a page (e.g. [0x1000, 0x9fc00)) ends at the page boundary here.
 */
static int vmcore_loads(struct src *s, const struct elf_opts *o, struct loads *in)
{
	struct kernel_layout kl = { 0 };
	uint64_t pfn, start;

	if (!o->phys_only) {
		if (kernel_layout(s, o, &kl))
			return -1;
		loads_push(in, (struct load){ .pfn = kl.text_pfn, .vaddr = kl.text_vaddr,
					      .mempages = kl.text_pages });
	}
	for (pfn = 0; pfn < s->max_mapnr; pfn++) {
		if (!test_bit(s->bm1, pfn))
			continue;
		for (start = pfn; pfn < s->max_mapnr && test_bit(s->bm1, pfn); pfn++)
			;
		loads_push(in, (struct load){
				       .pfn = start,
				       .vaddr = (o->phys_only ? 0 : kl.page_offset) + (start << PAGE_SHIFT),
				       .mempages = pfn - start,
			       });
	}
	return 0;
}

/*
 * makedumpfile's write_elf_pages_cyclic(): walk each input PT_LOAD; a run of
 * fewer than PFN_EXCLUDED excluded pages stays in the segment (makedumpfile
 * copies their real contents, which a kdump file no longer has, so they read
 * as zeros here); a longer run ends the segment (p_memsz covers the run,
 * p_filesz does not) and the next dumpable page starts a new one.
 */
static void elf_plan(const struct loads *in, const unsigned char *dumpable,
		     uint64_t max_mapnr, struct loads *out)
{
	size_t i;

	for (i = 0; i < in->n; i++) {
		struct load seg = in->v[i];
		uint64_t pfn, excluded = 0;

		seg.mempages = seg.filepages = 0;
		for (pfn = in->v[i].pfn; pfn < in->v[i].pfn + in->v[i].mempages; pfn++) {
			if (pfn >= max_mapnr || !test_bit(dumpable, pfn)) {
				excluded++;
				seg.mempages++;
				continue;
			}
			if (excluded && excluded < PFN_EXCLUDED)
				seg.filepages += excluded;
			if (excluded < PFN_EXCLUDED) {
				seg.mempages++;
				seg.filepages++;
				excluded = 0;
				continue;
			}
			loads_push(out, seg);
			seg.pfn += seg.mempages;
			seg.vaddr += seg.mempages << PAGE_SHIFT;
			seg.mempages = seg.filepages = 1;
			excluded = 0;
		}
		seg.last = true;
		loads_push(out, seg);
	}
}

static size_t note_size(const Elf64_Nhdr *n)
{
	return sizeof(*n) + ((n->n_namesz + 3) & ~3U) + ((n->n_descsz + 3) & ~3U);
}

/* The crashed kernel's notes, optionally without VMCOREINFO; returns length. */
static size_t elf_notes(struct src *s, bool no_vmcoreinfo, unsigned char *buf)
{
	const unsigned char *p = s->head + s->sh->offset_note;
	const unsigned char *end = p + s->sh->size_note;
	size_t len = 0;

	while (p + sizeof(Elf64_Nhdr) <= end) {
		const Elf64_Nhdr *n = (const Elf64_Nhdr *)p;
		size_t sz = note_size(n);

		if (sz > (size_t)(end - p))
			break;
		if (!(no_vmcoreinfo && n->n_namesz == sizeof("VMCOREINFO") &&
		      !memcmp(p + sizeof(*n), "VMCOREINFO", sizeof("VMCOREINFO")))) {
			memcpy(buf + len, p, sz);
			len += sz;
		}
		p += sz;
	}
	return len;
}

/*
 * makedumpfile -E treats zero pages as excluded; in a kdump file they are
 * present (pointing at the shared zero page).  Returns the ELF's bitmap.
 */
static unsigned char *elf_dumpable(struct src *s)
{
	unsigned char *bm = xcalloc(1, (s->max_mapnr + 7) / 8);
	unsigned char page[PAGE_SIZE];
	uint64_t pfn;

	for (pfn = 0; pfn < s->max_mapnr; pfn++) {
		if (s->pfn_idx[pfn] == UINT32_MAX)
			continue;
		if (src_read_page(s, pfn, page)) {
			free(bm);
			return NULL;
		}
		if (!(s->sh->dump_level & DL_EXCLUDE_ZERO) || !is_zero_page(page))
			set_bit(bm, pfn);
	}
	return bm;
}

static void elf_headers(const struct loads *segs, size_t notes_len, bool qemu_flags,
			Elf64_Ehdr *eh, Elf64_Phdr *ph)
{
	uint64_t off = sizeof(*eh) + (segs->n + 1) * sizeof(*ph) + notes_len;
	size_t i;

	// what kexec-tools writes for /proc/vmcore; makedumpfile copies it
	*eh = (Elf64_Ehdr){
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB,
			     EV_CURRENT, ELFOSABI_NONE },
		.e_type = ET_CORE,
		.e_machine = EM_X86_64,
		.e_version = EV_CURRENT,
		.e_phoff = sizeof(*eh),
		.e_ehsize = sizeof(*eh),
		.e_phentsize = sizeof(*ph),
		.e_phnum = segs->n + 1,
	};
	ph[0] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = sizeof(*eh) +
				(segs->n + 1) * sizeof(*ph), .p_filesz = notes_len,
			      .p_memsz = notes_len };
	for (i = 0; i < segs->n; i++) {
		struct load *l = &segs->v[i];

		// an all-excluded segment gets offset 0, except the last of a load
		l->offset = l->filepages || l->last ? off : 0;
		ph[i + 1] = (Elf64_Phdr){
			.p_type = PT_LOAD,
			// kexec-tools sets RWX, QEMU nothing
			.p_flags = qemu_flags ? 0 : PF_R | PF_W | PF_X,
			.p_offset = l->offset,
			.p_vaddr = l->vaddr,
			.p_paddr = l->pfn << PAGE_SHIFT,
			.p_filesz = l->filepages << PAGE_SHIFT,
			.p_memsz = l->mempages << PAGE_SHIFT,
		};
		off += l->filepages << PAGE_SHIFT;
	}
}

/* Page data; excluded pages inside a segment stay holes (zeros, sparse). */
static int elf_write_data(struct src *s, const struct loads *segs,
			  const unsigned char *dumpable, int fd, const char *path)
{
	unsigned char page[PAGE_SIZE];
	size_t i;

	for (i = 0; i < segs->n; i++) {
		const struct load *l = &segs->v[i];
		uint64_t k;

		for (k = 0; k < l->filepages; k++) {
			uint64_t pfn = l->pfn + k;

			if (pfn >= s->max_mapnr || !test_bit(dumpable, pfn))
				continue;
			if (src_read_page(s, pfn, page) ||
			    pwrite_full(fd, page, PAGE_SIZE, l->offset + (k << PAGE_SHIFT), path))
				return -1;
		}
	}
	return 0;
}

static int write_elf(struct src *s, const char *path, const struct elf_opts *o)
{
	struct loads in = { 0 }, segs = { 0 };
	unsigned char *dumpable = NULL, *notes = xcalloc(1, s->sh->size_note);
	Elf64_Phdr *ph = NULL;
	Elf64_Ehdr eh;
	size_t notes_len, i;
	uint64_t size = 0;
	int fd = -1, ret = -1;

	dumpable = elf_dumpable(s);
	if (!dumpable || vmcore_loads(s, o, &in))
		goto out;
	elf_plan(&in, dumpable, s->max_mapnr, &segs);
	if (segs.n + 1 >= PN_XNUM) {
		fail("%s: %zu segments need extended numbering", path, segs.n);
		goto out;
	}
	notes_len = elf_notes(s, o->no_vmcoreinfo, notes);
	ph = xcalloc(segs.n + 1, sizeof(*ph));
	elf_headers(&segs, notes_len, o->phys_only, &eh, ph);
	for (i = 0; i < segs.n; i++)
		if (ph[i + 1].p_offset + ph[i + 1].p_filesz > size)
			size = ph[i + 1].p_offset + ph[i + 1].p_filesz;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		fail("%s: %s", path, strerror(errno));
		goto out;
	}
	if (ftruncate(fd, size) ||
	    pwrite_full(fd, &eh, sizeof(eh), 0, path) ||
	    pwrite_full(fd, ph, (segs.n + 1) * sizeof(*ph), sizeof(eh), path) ||
	    pwrite_full(fd, notes, notes_len, ph[0].p_offset, path) ||
	    elf_write_data(s, &segs, dumpable, fd, path))
		goto out;
	ret = 0;
out:
	if (fd >= 0 && close(fd))
		ret = fail("%s: %s", path, strerror(errno));
	free(in.v);
	free(segs.v);
	free(dumpable);
	free(notes);
	free(ph);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Read-back check through libkdumpfile                               */

/** Open @paths as one dump (a split set); the caller kdump_free()s it. */
static kdump_ctx_t *kdump_open_files(char **paths, int n)
{
	kdump_attr_t never = { .type = KDUMP_NUMBER, .val.number = KDUMP_MMAP_NEVER };
	kdump_ctx_t *ctx = kdump_new();
	int fds[16], i;

	if (!ctx) {
		fail("out of memory");
		return NULL;
	}
	// libkdumpfile 0.5.1 mmaps the file by default and takes SIGBUS on a
	// truncated one; read(2) turns that into an error
	if (n > 16 || kdump_set_attr(ctx, KDUMP_ATTR_FILE_MMAP_POLICY, &never) != KDUMP_OK) {
		fail("cannot open %d files", n);
		goto err;
	}
	// the descriptors stay open until exit
	for (i = 0; i < n; i++) {
		fds[i] = open(paths[i], O_RDONLY);
		if (fds[i] < 0) {
			fail("%s: %s", paths[i], strerror(errno));
			goto err;
		}
	}
	if (kdump_open_fdset(ctx, n, fds) != KDUMP_OK) {
		fail("%s: libkdumpfile: %s", paths[0], kdump_get_err(ctx));
		goto err;
	}
	return ctx;
err:
	kdump_free(ctx);
	return NULL;
}

static uint64_t fnv1a(uint64_t h, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

/* The uts release through a kernel virtual address, or why not. */
static void print_kv_release(kdump_ctx_t *ctx)
{
	kdump_attr_t attr = { .type = KDUMP_STRING, .val.string = "linux" };
	char release[65] = "";
	size_t len = sizeof(release) - 1;
	kdump_addr_t uts;

	if (kdump_set_attr(ctx, "addrxlat.ostype", &attr) != KDUMP_OK ||
	    kdump_vmcoreinfo_symbol(ctx, "init_uts_ns", &uts) != KDUMP_OK) {
		printf(" kvaddr=<%s>", kdump_get_err(ctx));
		return;
	}
	// uts_namespace.name comes first (VMCOREINFO OFFSET(uts_namespace.name)=0);
	// new_utsname.release is the third 65-byte field
	if (kdump_read(ctx, KDUMP_KVADDR, uts + 2 * 65, release, &len) != KDUMP_OK)
		printf(" kvaddr=<%s>", kdump_get_err(ctx));
	else
		printf(" release=%s", release);
}

/* FNV-1a over (PFN, contents) of every page @rctx holds, read from @ctx. */
static int hash_pages(kdump_ctx_t *ctx, kdump_ctx_t *rctx, const char *rname)
{
	uint64_t h = 0xcbf29ce484222325ULL, pages = 0, missing = 0;
	unsigned char page[PAGE_SIZE];
	const char *format = "?";
	kdump_addr_t pfn = 0;
	kdump_attr_t attr;

	kdump_get_string_attr(ctx, KDUMP_ATTR_FILE_FORMAT, &format);
	if (kdump_get_attr(rctx, KDUMP_ATTR_FILE_PAGEMAP, &attr) != KDUMP_OK ||
	    attr.type != KDUMP_BITMAP)
		return fail("%s: no page map: %s", rname, kdump_get_err(rctx));
	while (kdump_bmp_find_set(attr.val.bitmap, &pfn) == KDUMP_OK) {
		size_t len = PAGE_SIZE;

		// an ELF dump leaves zero pages out: count them, hash them as zeros
		if (kdump_read(ctx, KDUMP_MACHPHYSADDR, pfn << PAGE_SHIFT, page, &len) !=
		    KDUMP_OK) {
			memset(page, 0, sizeof(page));
			missing++;
		}
		h = fnv1a(h, &pfn, sizeof(pfn));
		h = fnv1a(h, page, sizeof(page));
		pages++;
		pfn++;
	}
	printf("format=%s pages=%llu missing=%llu digest=%016llx", format,
	       (unsigned long long)pages, (unsigned long long)missing, (unsigned long long)h);
	return 0;
}

static int digest(char **files, int nfiles, char *ref)
{
	kdump_ctx_t *ctx, *rctx;
	int ret = -1;

	ctx = kdump_open_files(files, nfiles);
	if (!ctx)
		return -1;
	rctx = ref ? kdump_open_files(&ref, 1) : ctx;
	if (rctx && !hash_pages(ctx, rctx, ref ? ref : files[0])) {
		print_kv_release(ctx);
		putchar('\n');
		ret = 0;
	}
	if (rctx && rctx != ctx)
		kdump_free(rctx);
	kdump_free(ctx);
	return ret;
}

/* ------------------------------------------------------------------ */

static int usage(void)
{
	fputs("usage: dumpconv kdump [-c none|zlib|lzo|snappy|zstd] SRC.kdump OUT\n"
	      "       dumpconv elf [--no-vmcoreinfo] [--phys-only] [--text-size BYTES]"
	      " SRC.kdump OUT\n"
	      "       dumpconv digest [-r REF] FILE...\n",
	      stderr);
	return 2;
}

static int cmd_kdump(int argc, char **argv)
{
	uint32_t comp = DUMP_DH_COMPRESSED_ZLIB;
	struct src s = { .fd = -1 };
	int c, ret;

	while ((c = getopt(argc, argv, "c:")) != -1) {
		if (c != 'c' || parse_compression(optarg, &comp))
			return usage();
	}
	if (argc - optind != 2)
		return usage();
	ret = src_open(&s, argv[optind]) || write_kdump(&s, argv[optind + 1], comp);
	src_close(&s);
	return ret;
}

static int cmd_elf(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "no-vmcoreinfo", no_argument, NULL, 'n' },
		{ "phys-only", no_argument, NULL, 'p' },
		{ "text-size", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct elf_opts o = { 0 };
	struct src s = { .fd = -1 };
	int c, ret;

	while ((c = getopt_long(argc, argv, "npt:", longopts, NULL)) != -1) {
		if (c == 'n')
			o.no_vmcoreinfo = true;
		else if (c == 'p')
			o.phys_only = true;
		else if (c == 't')
			o.text_size = strtoull(optarg, NULL, 0);
		else
			return usage();
	}
	if (argc - optind != 2)
		return usage();
	ret = src_open(&s, argv[optind]) || write_elf(&s, argv[optind + 1], &o);
	src_close(&s);
	return ret;
}

static int cmd_digest(int argc, char **argv)
{
	char *ref = NULL;
	int c, ret;

	while ((c = getopt(argc, argv, "r:")) != -1) {
		if (c != 'r')
			return usage();
		ref = optarg;
	}
	if (optind >= argc)
		return usage();
	ret = digest(argv + optind, argc - optind, ref);
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (lzo_init() != LZO_E_OK)
		return fail("lzo_init failed"), 1;
	if (!strcmp(argv[1], "kdump"))
		return cmd_kdump(argc - 1, argv + 1);
	if (!strcmp(argv[1], "elf"))
		return cmd_elf(argc - 1, argv + 1);
	if (!strcmp(argv[1], "digest"))
		return cmd_digest(argc - 1, argv + 1);
	return usage();
}
