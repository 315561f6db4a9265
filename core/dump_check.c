// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A dump's files, checked before libkdumpfile reads them; see dump_check.h.
 *
 * The kdump layout (makedumpfile's IMPLEMENTATION): a header block, a
 * sub-header, two bitmaps of bitmap_blocks/2 blocks each (RAM pages, then
 * the pages the file holds), then one 24-byte descriptor per page held
 * {i64 offset; u32 size, flags; u64 page_flags}, each pointing at the
 * page's data. libkdumpfile 0.5.1 reads a compressed page of up to 256 KiB
 * into a buffer of one page (diskdump_read_page()), so a descriptor that
 * says more than a page writes past it; every descriptor is checked here.
 * All arithmetic is unsigned 64-bit on values first bounded by the header
 * checks: nothing here can wrap or overflow.
 */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/checked.h"
#include "core/dump_check.h"
#include "core/sanitize.h"
#include "core/vmcoreinfo.h"

#define HDR_VERSION_OFF 8
#define HDR_BLOCK_SIZE_OFF 428	/* i32 block_size, sub_hdr_size, */
				/* bitmap_blocks, u32 max_mapnr */
#define SUB_SPLIT_OFF 12	/* i32 split; u64 start_pfn, end_pfn */
#define SUB_PFN64_OFF 80	/* header_version >= 6: u64 start/end_pfn_64, */
#define SUB_MAPNR64_OFF 96	/* and max_mapnr_64 */
#define SUB_VMCOREINFO_OFF 32	/* v3+: u64 offset_vmcoreinfo, size, */
				/* offset_note, size_note */
#define DESC_SIZE 24
#define DESC_COMPRESSED (0x1 | 0x2 | 0x4 | 0x20)	/* zlib lzo snappy zstd */
#define CHUNK (64 * 1024)	/* bytes read at once */
#define MAX_BLOCK_SIZE (1 << 20)

struct kdump_geom {
	uint64_t file_size;
	uint32_t block_size, max_mapnr;
	uint64_t bmp_off, bmp_len, desc_off;
	uint64_t start_pfn, end_pfn;	/* the pfns whose descriptors it has */
	bool split;
};

bool kt_dump_check_is_kdump(int fd)
{
	char sig[8];

	return pread(fd, sig, sizeof(sig), 0) == sizeof(sig) &&
	       (!memcmp(sig, "KDUMP   ", 8) || !memcmp(sig, "DISKDUMP", 8));
}

static struct kt_error *truncated(const char *path, uint64_t size,
				  uint64_t need)
{
	return kt_error_create(KT_ERR_FORMAT,
		"%s: dump file is truncated or corrupt: it has %llu bytes, its "
		"pages reach byte %llu; copy the dump again", path,
		(unsigned long long)size, (unsigned long long)need);
}

/*
 * The header's geometry. *@ok is false when the header is one that
 * libkdumpfile refuses itself, with its own message (a block size out of
 * range, a negative count): nothing more is checked then.
 */
static struct kt_error *geometry(int fd, const char *path,
				 struct kdump_geom *g, bool *ok)
{
	int32_t hdr[4], version, split;
	uint64_t se[2], mapnr;
	struct stat st;

	*ok = false;
	memset(g, 0, sizeof(*g));
	if (fstat(fd, &st) || pread(fd, &version, 4, HDR_VERSION_OFF) != 4 ||
	    pread(fd, hdr, sizeof(hdr), HDR_BLOCK_SIZE_OFF) != sizeof(hdr))
		return NULL;
	if (hdr[0] <= 0 || hdr[0] > MAX_BLOCK_SIZE || (hdr[0] & (hdr[0] - 1)) ||
	    hdr[1] < 0 || hdr[2] <= 0)
		return NULL;
	g->file_size = st.st_size;
	g->block_size = hdr[0];
	g->max_mapnr = hdr[3];
	// < 2^31 blocks of <= 2^20 bytes each: no sum below reaches 2^53.
	g->bmp_off = (1 + (uint64_t)hdr[1]) * g->block_size;
	g->bmp_len = (uint64_t)hdr[2] * g->block_size;
	g->desc_off = g->bmp_off + g->bmp_len;
	if (g->desc_off > g->file_size)
		return truncated(path, g->file_size, g->desc_off);
	g->end_pfn = g->bmp_len / 2 * 8;
	// libkdumpfile sizes its page maps by max_mapnr: the bitmaps must
	// cover that many pages (makedumpfile makes them so).
	mapnr = g->max_mapnr;
	if (version >= 6 && pread(fd, &mapnr, 8, g->block_size +
				  SUB_MAPNR64_OFF) != 8)
		mapnr = g->max_mapnr;
	if (mapnr > g->end_pfn)
		return kt_error_create(KT_ERR_FORMAT,
			"%s: kdump file is corrupt: its header says %llu pages, "
			"its bitmaps hold %llu; copy the dump again", path,
			(unsigned long long)mapnr,
			(unsigned long long)g->end_pfn);
	if (pread(fd, &split, 4, g->block_size + SUB_SPLIT_OFF) == 4 && split &&
	    version >= 2 &&
	    pread(fd, se, sizeof(se), g->block_size + (version >= 6 ?
		  SUB_PFN64_OFF : SUB_SPLIT_OFF + 4)) == sizeof(se)) {
		g->split = true;
		g->start_pfn = se[0] < g->end_pfn ? se[0] : g->end_pfn;
		if (se[1] < g->end_pfn)
			g->end_pfn = se[1] > g->start_pfn ? se[1] : g->start_pfn;
	}
	*ok = true;
	return NULL;
}

/* The pages in [start_pfn, end_pfn) that the second bitmap marks. */
static struct kt_error *count_pages(int fd, const char *path,
				    const struct kdump_geom *g, uint64_t *ret)
{
	uint64_t first = g->start_pfn / 8, last = (g->end_pfn + 7) / 8, n = 0;
	uint64_t bits_off = g->bmp_off + g->bmp_len / 2;
	unsigned char *buf = malloc(CHUNK);

	if (!buf)
		return &kt_error_nomem;
	for (uint64_t at = first; at < last; at += CHUNK) {
		size_t len = last - at < CHUNK ? last - at : CHUNK;

		if (pread(fd, buf, len, bits_off + at) != (ssize_t)len) {
			free(buf);
			return truncated(path, g->file_size,
					 bits_off + at + len);
		}
		// Only the range's own bits in its first and last bytes.
		if (at == first)
			buf[0] &= 0xffu << (g->start_pfn % 8);
		if (at + len == last && g->end_pfn % 8)
			buf[len - 1] &= 0xffu >> (8 - g->end_pfn % 8);
		for (size_t i = 0; i < len; i++)
			n += __builtin_popcount(buf[i]);
	}
	free(buf);
	*ret = n;
	return NULL;
}

/*
 * One descriptor: data of at most a page (what libkdumpfile's buffer
 * holds). Where it points is libkdumpfile's to check: a bad offset fails
 * that page's read, and the data's end only raises *@need.
 */
static struct kt_error *check_desc(const char *path,
				   const struct kdump_geom *g, uint64_t i,
				   const unsigned char *d, uint64_t *need)
{
	uint32_t size, flags;
	int64_t off;
	uint64_t end;

	memcpy(&off, d, 8);
	memcpy(&size, d + 8, 4);
	memcpy(&flags, d + 12, 4);
	if (size > g->block_size)
		return kt_error_create(KT_ERR_FORMAT,
			"%s: kdump file is corrupt: page descriptor %llu says "
			"its %sdata is %u bytes, more than a page (%u bytes); "
			"copy the dump again", path, (unsigned long long)i,
			flags & DESC_COMPRESSED ? "compressed " : "", size,
			g->block_size);
	if (off <= 0)
		return NULL;	// 0: never written (disk full)
	if (!kt_add(off, size, &end))
		end = UINT64_MAX;
	if (end > *need)
		*need = end;
	return NULL;
}

static struct kt_error *check_descs(int fd, const char *path,
				    const struct kdump_geom *g, uint64_t ndesc)
{
	uint64_t need = 0, bytes = ndesc * DESC_SIZE;	// ndesc < 2^52
	unsigned char *buf;
	struct kt_error *err = NULL;

	if (g->desc_off + bytes > g->file_size)
		return truncated(path, g->file_size, g->desc_off + bytes);
	buf = malloc(CHUNK / DESC_SIZE * DESC_SIZE);
	if (!buf)
		return &kt_error_nomem;
	for (uint64_t i = 0; i < ndesc && !err;) {
		uint64_t n = ndesc - i < CHUNK / DESC_SIZE ? ndesc - i :
			     CHUNK / DESC_SIZE;

		if (pread(fd, buf, n * DESC_SIZE, g->desc_off + i * DESC_SIZE) !=
		    (ssize_t)(n * DESC_SIZE)) {
			err = truncated(path, g->file_size,
					g->desc_off + (i + n) * DESC_SIZE);
			break;
		}
		for (uint64_t k = 0; k < n && !err; k++, i++)
			err = check_desc(path, g, i, buf + k * DESC_SIZE, &need);
		if (!err && need > g->file_size)
			err = truncated(path, g->file_size, need);
	}
	free(buf);
	return err;
}

/*
 * libkdumpfile sets its page size from VMCOREINFO's PAGESIZE as it reads
 * the notes, and asks for buffers of that size: 0 or 2^64 - 1 makes it
 * allocate 2^63 bytes (an abort under ASan, a failed open elsewhere). x86-64
 * pages are 4096 bytes: anything else is refused here, naming the key.
 * So is a key libkdumpfile cannot file (kt_vmcoreinfo_unfiled()), and a
 * line not KEY=VALUE.
 */
#define MAX_NOTES (1 << 20)

static struct kt_error *check_vmcoreinfo_text(const char *path, const char *text,
				       size_t len)
{
	char value[21], shown[KT_SANITIZED_SIZE(20)];
	char shown40[KT_SANITIZED_SIZE(40)];
	size_t nlines, at = 0;
	bool *unfiled = kt_vmcoreinfo_unfiled(text, len, &nlines);
	struct kt_error *err = NULL;

	if (!unfiled)
		return &kt_error_nomem;
	for (size_t i = 0; i < len && text[i] && !err; at++) {
		const char *p = text + i;
		size_t n = 0;

		while (i + n < len && p[n] && p[n] != '\n')
			n++;
		i += n + 1;
		if (at >= nlines || !unfiled[at])
			continue;
		kt_sanitize(p, n < 40 ? n : 40, shown40, sizeof(shown40), false);
		err = kt_error_create(KT_ERR_FORMAT,
			"%s: the VMCOREINFO note has a key the kernel does not "
			"write (\"%s%s\": an empty part between dots, or under "
			"another line's key): the dump's VMCOREINFO is corrupt, "
			"and libkdumpfile, which reads it as it opens the file, "
			"cannot do so safely; a dump made again from the vmcore "
			"may have it whole", path, shown40, n > 40 ? "..." : "");
	}
	free(unfiled);
	if (err)
		return err;

	for (size_t i = 0; i < len;) {
		const char *line = text + i;
		size_t n = 0, v;

		while (i + n < len && line[n] && line[n] != '\n')
			n++;
		i += n + 1;
		if (n && !kt_vmcoreinfo_line_ok(line, n)) {
			kt_sanitize(line, n < 40 ? n : 40, shown40, sizeof(shown40),
				    false);
			return kt_error_create(KT_ERR_FORMAT,
				"%s: the VMCOREINFO note has a line that is not "
				"KEY=VALUE (\"%s%s\"): the dump's VMCOREINFO is "
				"corrupt, and libkdumpfile, which reads it as it "
				"opens the file, cannot do so safely; a dump made "
				"again from the vmcore may have it whole", path,
				shown40, n > 40 ? "..." : "");
		}
		if (n <= 9 || memcmp(line, "PAGESIZE=", 9) ||
		    (n == 13 && !memcmp(line + 9, "4096", 4)))
			continue;
		v = n - 9 < 20 ? n - 9 : 20;
		memcpy(value, line + 9, v);
		value[v] = 0;
		kt_sanitize(value, v, shown, sizeof(shown), false);
		return kt_error_create(KT_ERR_FORMAT,
			"%s: VMCOREINFO PAGESIZE=%s is not x86-64's page size "
			"(4096): the dump's VMCOREINFO is corrupt", path, shown);
	}
	return NULL;
}

/* The VMCOREINFO notes among the ELF notes at [@off, @off + @size). */
static struct kt_error *check_notes(int fd, const char *path, uint64_t off,
				    uint64_t size)
{
	struct kt_error *err = NULL;
	unsigned char *buf;
	uint64_t at = 0;

	if (!size || size > MAX_NOTES || !(buf = malloc(size)))
		return NULL;
	if (pread(fd, buf, size, off) != (ssize_t)size) {
		free(buf);
		return NULL;
	}
	while (!err && at + 12 <= size) {
		uint32_t h[3];	/* namesz, descsz, type */
		uint64_t name, desc, next;

		memcpy(h, buf + at, 12);
		name = at + 12;
		desc = name + ((h[0] + 3ULL) & ~3ULL);
		next = desc + ((h[1] + 3ULL) & ~3ULL);
		if (desc > size || desc + h[1] > size)
			break;
		if (h[0] >= 10 && !memcmp(buf + name, "VMCOREINFO", 10))
			err = check_vmcoreinfo_text(path, (char *)buf + desc, h[1]);
		at = next;
	}
	free(buf);
	return err;
}

/* The notes and the VMCOREINFO a kdump sub-header points at (v3+). */
static struct kt_error *check_kdump_notes(int fd, const char *path,
					  const struct kdump_geom *g)
{
	uint64_t sub[4];	/* offset_vmcoreinfo, size, offset_note, size */
	struct kt_error *err;
	int32_t version;
	char *text;

	if (pread(fd, &version, 4, HDR_VERSION_OFF) != 4 || version < 3 ||
	    pread(fd, sub, sizeof(sub), g->block_size + SUB_VMCOREINFO_OFF) !=
	    sizeof(sub))
		return NULL;
	err = check_notes(fd, path, sub[2], sub[3]);
	if (err || !sub[1] || sub[1] > MAX_NOTES || !(text = malloc(sub[1])))
		return err;
	if (pread(fd, text, sub[1], sub[0]) == (ssize_t)sub[1])
		err = check_vmcoreinfo_text(path, text, sub[1]);
	free(text);
	return err;
}

/*
 * A truncated kdump file still has whole headers, so libkdumpfile opens it
 * and fails later, on whatever page comes first. The page descriptors say
 * where the data ends: compare that with the file's size up front.
 */
static struct kt_error *check_kdump(int fd, const char *path)
{
	struct kdump_geom g;
	struct kt_error *err;
	uint64_t ndesc = 0;
	bool ok;

	err = geometry(fd, path, &g, &ok);
	if (err || !ok)
		return err;
	err = check_kdump_notes(fd, path, &g);
	if (!err)
		err = count_pages(fd, path, &g, &ndesc);
	return err ? err : check_descs(fd, path, &g, ndesc);
}

/*
 * An ELF vmcore cut short still has its program headers; libkdumpfile then
 * reads zeros (or faults) for the missing part. Check every PT_LOAD and
 * PT_NOTE against the file's size.
 */
static struct kt_error *check_elf(int fd, const char *path)
{
	Elf64_Ehdr eh;
	struct stat st;
	uint64_t size;

	if (fstat(fd, &st) || pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_type != ET_CORE ||
	    eh.e_phentsize != sizeof(Elf64_Phdr))
		return NULL;
	size = st.st_size;
	for (unsigned n = 0; n < eh.e_phnum; n++) {
		uint64_t at, end;
		Elf64_Phdr ph;

		if (!kt_add(eh.e_phoff, (uint64_t)n * sizeof(ph), &at) ||
		    pread(fd, &ph, sizeof(ph), at) != sizeof(ph))
			return truncated(path, size, eh.e_phoff +
					 (uint64_t)(n + 1) * sizeof(ph));
		if (ph.p_type != PT_LOAD && ph.p_type != PT_NOTE)
			continue;
		if (!kt_add(ph.p_offset, ph.p_filesz, &end))
			end = UINT64_MAX;
		if (end > size)
			return truncated(path, size, end);
		if (ph.p_type == PT_NOTE) {
			struct kt_error *err = check_notes(fd, path,
							   ph.p_offset,
							   ph.p_filesz);
			if (err)
				return err;
		}
	}
	return NULL;
}

/*
 * makedumpfile --split writes parts that each hold a pfn range, recorded
 * in their sub headers. Opened without all its parts, a split dump lacks
 * most pages; say so.
 */
struct split_range {
	uint64_t start, end;
};

static int cmp_range(const void *a, const void *b)
{
	const struct split_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static struct kt_error *check_split(const int *fds, const char *const *paths,
				    unsigned nfds)
{
	struct split_range *r = calloc(nfds, sizeof(*r));
	uint32_t max_mapnr = 0;
	uint64_t covered = 0;
	struct kt_error *err = NULL;
	unsigned n = 0;

	if (!r)
		return &kt_error_nomem;
	for (unsigned i = 0; i < nfds; i++) {
		struct kdump_geom g;
		bool ok;

		if (!kt_dump_check_is_kdump(fds[i]))
			goto out;
		err = geometry(fds[i], paths[i], &g, &ok);
		if (err || !ok || !g.split)
			goto out;
		max_mapnr = g.max_mapnr;
		r[n].start = g.start_pfn;
		r[n++].end = g.end_pfn;
	}
	kt_qsort(r, n, sizeof(r[0]), cmp_range);
	for (unsigned i = 0; i < n && r[i].start <= covered; i++)
		if (r[i].end > covered)
			covered = r[i].end;
	if (covered < max_mapnr)
		err = kt_error_create(KT_ERR_FORMAT,
			"%s: part of a split dump (makedumpfile --split); the "
			"parts given hold pages up to pfn 0x%llx of 0x%x: give "
			"all the parts, e.g. ktriage PART1 PART2 ... VMLINUX",
			paths[0], (unsigned long long)covered, max_mapnr);
out:
	free(r);
	return err;
}

struct kt_error *kt_dump_check_files(const int *fds, const char *const *paths,
				     unsigned nfds)
{
	struct kt_error *err = NULL;

	for (unsigned i = 0; i < nfds && !err; i++)
		err = kt_dump_check_is_kdump(fds[i]) ? check_kdump(fds[i], paths[i])
						     : check_elf(fds[i], paths[i]);
	return err ? err : check_split(fds, paths, nfds);
}
