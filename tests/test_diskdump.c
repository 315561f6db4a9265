// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ktriage's own kdump page reads (core/diskdump.c for scans, and
 * core/dump_pages.c for every read of a kdump file) against libkdumpfile,
 * opened here on its own: every page the file holds reads the same both
 * ways, in every kdump variant there is (zlib, lzo, snappy, zstd, none,
 * flattened, split, and QEMU's and makedumpfile's own), kernel virtual
 * addresses translate and read the same, and a corrupt page is an error.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <elf.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libkdumpfile/kdumpfile.h>

#include "core/diskdump.h"
#include "core/dump.h"
#include "core/program.h"
#include "tests/helpers.h"

struct kdump_file {
	char env[24];		/* the folder's variable */
	char name[64];		/* NAME, or NAME1+NAME2 for a split dump */
};

ParameterizedTestParameters(diskdump, reads_what_libkdumpfile_reads)
{
	static struct kdump_file f[] = {
		{ "KT_FIXTURES", "dumps/hctx-fq.kdump" },
		{ "KT_FIXTURES", "dumps/hctx-fq-exit.kdump" },
		{ "KT_FIXTURES", "dumps/irq-lock.kdump" },
		{ "KT_FIXTURES", "dumps/list-poison.kdump" },
		{ "KT_FIXTURES", "dumps/nbd-orphan-hung.kdump" },
		{ "KT_FIXTURES", "dumps/sysrq-null.kdump" },
		{ "KT_FIXTURES", "dumps/sysrq-null.kdump-lzo" },
		{ "KT_FORMATS", "list-poison.flat" },
		{ "KT_FORMATS", "list-poison.kdump-none" },
		{ "KT_FORMATS", "list-poison.kdump-snappy" },
		{ "KT_FORMATS", "list-poison.kdump-zstd" },
		{ "KT_FORMATS", "list-poison.kdump-split1+list-poison.kdump-split2" },
		{ "KT_FACTORY_DUMPS", "sysrq-null.qemu-kdump" },
		{ "KT_FACTORY_DUMPS", "sysrq-null.qemu-kdump-flat" },
		{ "KT_FACTORY_DUMPS", "sysrq-null.vmcore.kdump" },
		{ "KT_FACTORY_DUMPS", "sysrq-null.vmcore.kdump-lzo" },
	};

	return cr_make_param_array(struct kdump_file, f,
				   sizeof(f) / sizeof(f[0]));
}

/* The file's paths: one, or the two parts of NAME1+NAME2. */
static unsigned paths_of(const struct kdump_file *f, char a[4096],
			 char b[4096])
{
	char name[64], *plus;

	snprintf(name, sizeof(name), "%s", f->name);
	plus = strchr(name, '+');
	if (plus)
		*plus++ = '\0';
	snprintf(a, 4096, "%s/%s", kt_test_env(f->env), name);
	if (plus)
		snprintf(b, 4096, "%s/%s", kt_test_env(f->env), plus);
	return plus ? 2 : 1;
}

static struct kt_dump *open_dump(const struct kdump_file *f)
{
	char a[4096], b[4096];
	const char *paths[] = { a, b };
	unsigned n = paths_of(f, a, b);
	struct kt_dump *dump;
	struct kt_error *err;

	err = kt_dump_open(paths, n, &dump);
	cr_assert_null(err, "%s: %s", f->name, err ? err->message : "");
	return dump;
}

/*
 * The oracle: libkdumpfile on the same files (left allocated: 0.5.1 cannot
 * free a kdump context, see core/dump.c).
 */
static kdump_ctx_t *lib_open(const struct kdump_file *f)
{
	char a[4096], b[4096], cmd[9000];
	unsigned n = paths_of(f, a, b);
	kdump_ctx_t *ctx = kdump_new();
	int fds[2] = { -1, -1 };

	// libkdumpfile 0.5.1 reads no flattened file: makedumpfile rebuilds
	// it (-R), as a user of libkdumpfile would.
	if (strstr(f->name, "flat")) {
		snprintf(b, sizeof(b), "%s/diskdump-%d.unflat",
			 kt_test_env("KT_TESTDATA"), (int)getpid());
		snprintf(cmd, sizeof(cmd), "makedumpfile -R '%s' < '%s' "
			 ">/dev/null 2>&1", b, a);
		cr_assert_eq(system(cmd), 0, "%s", cmd);
		snprintf(a, sizeof(a), "%s", b);
		fds[0] = open(a, O_RDONLY | O_CLOEXEC);
		unlink(a);
	} else {
		fds[0] = open(a, O_RDONLY | O_CLOEXEC);
	}

	if (n == 2)
		fds[1] = open(b, O_RDONLY | O_CLOEXEC);
	cr_assert(ctx && fds[0] >= 0 && (n == 1 || fds[1] >= 0));
	kdump_set_string_attr(ctx, KDUMP_ATTR_ARCH_NAME, "x86_64");
	cr_assert_eq(kdump_open_fdset(ctx, n, fds), KDUMP_OK, "%s: %s",
		     f->name, kdump_get_err(ctx));
	return ctx;
}

static struct kt_dump_reader *direct_reader(struct kt_dump *dump,
					    const char *name)
{
	struct kt_dump_reader *r;

	cr_assert_null(kt_dump_reader_create(dump, &r));
	cr_assert(kt_dump_reader_direct(r), "%s: not read directly", name);
	return r;
}

ParameterizedTest(struct kdump_file *f, diskdump,
		  reads_what_libkdumpfile_reads)
{
	static unsigned char want[64 * 4096], got[64 * 4096], own[64 * 4096];
	struct kt_dump *dump = open_dump(f);
	struct kt_dump_reader *r = direct_reader(dump, f->name);
	kdump_ctx_t *lib = lib_open(f);
	uint64_t pages = 0, pfn = 0, start, end;

	// Whole runs of present pages, up to 64 at a time, as the scan reads.
	while (kt_dump_present_run(dump, pfn, &start, &end)) {
		for (pfn = start; pfn < end;) {
			uint64_t n = end - pfn < 64 ? end - pfn : 64;
			size_t done, len = n << 12;

			cr_assert_eq(kdump_read(lib, KDUMP_MACHPHYSADDR,
						pfn << 12, want, &len),
				     KDUMP_OK, "%s: pfn 0x%" PRIx64 ": %s",
				     f->name, pfn, kdump_get_err(lib));
			cr_assert_null(kt_dump_reader_read(r, pfn << 12, got,
							   n << 12, &done),
				       "%s: pfn 0x%" PRIx64, f->name, pfn);
			cr_assert_eq(done, n << 12);
			cr_assert(!memcmp(want, got, n << 12),
				  "%s: pages 0x%" PRIx64 "+%" PRIu64 " differ",
				  f->name, pfn, n);
			cr_assert_null(kt_dump_read(dump, pfn << 12, true,
						    own, n << 12),
				       "%s: pfn 0x%" PRIx64, f->name, pfn);
			cr_assert(!memcmp(want, own, n << 12),
				  "%s: pages 0x%" PRIx64 "+%" PRIu64 " differ "
				  "(kt_dump_read)", f->name, pfn, n);
			pfn += n;
			pages += n;
		}
	}
	cr_expect_eq(pages, kt_dump_info(dump)->present_pages);
	cr_expect_gt(pages, 10000, "%s: %" PRIu64 " pages", f->name, pages);
	kt_dump_reader_destroy(r);
	kt_dump_destroy(dump);
}

/* Reads that start or end inside a page, or ask for a page not held. */
Test(diskdump, partial_pages_and_absent_pages)
{
	static const struct kdump_file f = { "KT_FIXTURES",
					     "dumps/list-poison.kdump" };
	struct kt_dump *dump = open_dump(&f);
	struct kt_dump_reader *r = direct_reader(dump, f.name);
	unsigned char want[6000], got[6000];
	uint64_t pfn = 0x100, start, end, hole;
	struct kt_error *err;
	size_t done;

	cr_assert(kt_dump_present_run(dump, pfn, &start, &end));
	cr_assert_gt(end - start, 2);
	cr_assert_null(kt_dump_read(dump, (start << 12) + 100, true, want,
				    sizeof(want)));
	cr_assert_null(kt_dump_reader_read(r, (start << 12) + 100, got,
					   sizeof(got), &done));
	cr_assert_eq(done, sizeof(got));
	cr_assert(!memcmp(want, got, sizeof(got)));
	// Up to the end of a run, then the first page missing from it.
	hole = end;
	err = kt_dump_reader_read(r, (hole - 1) << 12, got, 8192, &done);
	cr_assert_not_null(err);
	cr_expect_eq(done, 4096);
	cr_expect_eq(err->fault, kt_dump_pfn_state(dump, hole));
	cr_expect_neq(err->fault, KT_FAULT_NONE);
	cr_expect_eq(err->address, hole << 12);
	kt_error_destroy(err);
	kt_dump_reader_destroy(r);
	kt_dump_destroy(dump);
}

/*
 * A copy of list-poison whose page descriptor for one pfn points at the
 * sub-header instead of zlib data: that page is a read error, its
 * neighbours still read.
 */
Test(diskdump, corrupt_page_is_an_error)
{
	char *src = kt_test_dump_path("list-poison", ".kdump");
	char tmp[] = "/tmp/kt-diskdump-XXXXXX";
	const char *paths[] = { tmp };
	int32_t hdr[3];	/* block_size, sub_hdr_size, bitmap_blocks */
	size_t len, bmp_off, bmp_len, desc;
	unsigned char *data = (unsigned char *)kt_test_slurp(src, &len);
	uint64_t pfn = 0x100, start, end, idx = 0, bad[2] = { 4096, 64 };
	unsigned char page[3 * 4096];
	struct kt_dump_reader *r;
	struct kt_dump *dump;
	struct kt_error *err;
	size_t done;
	int fd = mkstemp(tmp);

	cr_assert_not_null(data);
	cr_assert_geq(fd, 0);
	memcpy(hdr, data + 428, sizeof(hdr));
	bmp_off = (size_t)(1 + hdr[1]) * hdr[0];
	bmp_len = (size_t)hdr[2] * hdr[0];
	// The middle page of a run of three: its rank in the second bitmap.
	cr_assert_null(kt_dump_open((const char *[]){ src }, 1, &dump));
	while (kt_dump_present_run(dump, pfn, &start, &end) &&
	       end - start < 3)
		pfn = end;
	kt_dump_destroy(dump);
	pfn = start + 1;
	for (uint64_t i = 0; i < pfn; i++)
		idx += data[bmp_off + bmp_len / 2 + i / 8] >> (i % 8) & 1;
	desc = bmp_off + bmp_len + idx * 24;
	memcpy(data + desc, &bad[0], 8);	// offset: the sub-header
	memcpy(data + desc + 8, &bad[1], 4);	// size, flags still zlib
	cr_assert_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
	cr_assert_null(kt_dump_open(paths, 1, &dump));
	r = direct_reader(dump, tmp);
	err = kt_dump_reader_read(r, (pfn - 1) << 12, page, sizeof(page),
				  &done);
	cr_assert_not_null(err, "pfn 0x%" PRIx64 " read", pfn);
	cr_expect_eq(done, 4096);
	cr_expect_eq(err->fault, KT_FAULT_READ);
	cr_expect_eq(err->address, pfn << 12);
	kt_error_destroy(err);
	cr_expect_null(kt_dump_reader_read(r, (pfn + 1) << 12, page, 4096,
					   &done));
	// So does every read of the dump, and libkdumpfile agrees.
	err = kt_dump_read(dump, pfn << 12, true, page, 4096);
	cr_expect(err && err->fault == KT_FAULT_READ &&
		  err->address == pfn << 12);
	kt_error_destroy(err);
	{
		struct kdump_file t = { "KT_TMP", "" };
		kdump_ctx_t *lib;

		snprintf(t.name, sizeof(t.name), "%s", tmp + 5);
		setenv("KT_TMP", "/tmp", 1);
		lib = lib_open(&t);
		len = 4096;
		cr_expect_neq(kdump_read(lib, KDUMP_MACHPHYSADDR, pfn << 12,
					 page, &len), KDUMP_OK);
	}
	kt_dump_reader_destroy(r);
	kt_dump_destroy(dump);
	unlink(tmp);
	free(data);
	free(src);
}

/*
 * What a page's deflate header says it can hold (core/inflate_bytes.c)
 * holds every byte the page has, on every zlib page of the six dumps:
 * search skips pages on it. It is known for most pages.
 */
Test(diskdump, page_bytes_bound_every_byte_of_the_page)
{
	static const char *const dumps[] = { "hctx-fq", "hctx-fq-exit",
		"irq-lock", "list-poison", "nbd-orphan-hung", "sysrq-null" };
	unsigned char page[4096];

	for (size_t d = 0; d < sizeof(dumps) / sizeof(dumps[0]); d++) {
		char name[64];
		struct kdump_file f;
		struct kt_dump *dump;
		struct kt_dump_reader *r;
		uint64_t pfn = 0, pages = 0, known = 0, set[4];
		size_t done;

		snprintf(name, sizeof(name), "dumps/%s.kdump", dumps[d]);
		snprintf(f.env, sizeof(f.env), "KT_FIXTURES");
		snprintf(f.name, sizeof(f.name), "%s", name);
		dump = open_dump(&f);
		r = direct_reader(dump, name);
		for (; kt_dump_next_present(dump, &pfn); pfn++) {
			pages++;
			if (!kt_dump_reader_page_bytes(r, pfn, set))
				continue;
			known++;
			cr_assert_null(kt_dump_reader_read(r, pfn << 12, page,
							   4096, &done));
			for (int i = 0; i < 4096; i++)
				cr_assert(set[page[i] / 64] >> (page[i] % 64) & 1,
					  "%s pfn 0x%" PRIx64 ": byte 0x%02x at "
					  "+0x%x is not in its literal set",
					  name, pfn, page[i], i);
		}
		cr_expect_gt(known, pages / 2, "%s: %" PRIu64 " of %" PRIu64,
			     name, known, pages);
		kt_dump_reader_destroy(r);
		kt_dump_destroy(dump);
	}
}

/* kt_diskdump_open() of @data (@len bytes) written to a file. */
static struct kt_error *open_copy(const unsigned char *data, size_t len,
				  struct kt_diskdump **ret)
{
	char tmp[] = "/tmp/kt-diskdump-XXXXXX";
	int fd = mkstemp(tmp);
	struct kt_error *err;

	cr_assert_geq(fd, 0);
	unlink(tmp);
	cr_assert_eq(write(fd, data, len), (ssize_t)len);
	err = kt_diskdump_open(&fd, 1, tmp, ret);
	close(fd);
	return err;
}

/*
 * A part of a split dump whose sub-header puts its pfn range outside its
 * bitmap, or backwards, is corrupt (its descriptors are counted from the
 * bitmap: the reader read past the bitmap, fuzz/regress/diskdump/). The
 * real part opens.
 */
Test(diskdump, split_range_outside_the_bitmap_is_corrupt)
{
	const char *formats = kt_test_env("KT_FORMATS");
	char path[4096];
	size_t len;
	unsigned char *data;
	int32_t bitmap_blocks;
	uint64_t nbits, bad[][2] = { { 0, 0 }, { 0, 0 }, { 9, 3 } };
	struct kt_diskdump *dd;
	struct kt_error *err;

	snprintf(path, sizeof(path), "%s/list-poison.kdump-split2", formats);
	data = (unsigned char *)kt_test_slurp(path, &len);
	cr_assert_not_null(data, "%s", path);
	memcpy(&bitmap_blocks, data + 436, 4);
	nbits = (uint64_t)bitmap_blocks / 2 * 4096 * 8;
	bad[0][0] = nbits + 5;
	bad[0][1] = nbits + 10;
	bad[1][0] = nbits;
	bad[1][1] = UINT64_MAX;
	cr_assert_null(open_copy(data, len, &dd));
	cr_assert_not_null(dd, "the real part is read directly");
	kt_diskdump_destroy(dd);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		// header_version 6: start_pfn_64 and end_pfn_64 at +80
		memcpy(data + 4096 + 80, bad[i], 16);
		dd = NULL;
		err = open_copy(data, len, &dd);
		cr_assert_not_null(err, "range 0x%" PRIx64 "-0x%" PRIx64,
				   bad[i][0], bad[i][1]);
		cr_expect_null(dd);
		cr_expect(strstr(err->message, "split pfn range"), "%s",
			  err->message);
		kt_error_destroy(err);
	}
	free(data);
}

/*
 * Kernel virtual addresses, translated through the kernel's page tables
 * by ktriage's own reads (core/dump_pages.c), read what libkdumpfile
 * reads: the kernel image from _stext and the direct map of pages spread
 * through memory, on the six dumps. An address neither maps fails both
 * ways.
 */
Test(diskdump, kernel_addresses_read_what_libkdumpfile_reads)
{
	static const char *const dumps[] = { "hctx-fq", "hctx-fq-exit",
		"irq-lock", "list-poison", "nbd-orphan-hung", "sysrq-null" };
	static unsigned char want[64 * 4096], got[64 * 4096];

	for (size_t d = 0; d < sizeof(dumps) / sizeof(dumps[0]); d++) {
		struct kt_program *prog = kt_test_open(dumps[d]);
		struct kdump_file f;
		kdump_ctx_t *lib;
		uint64_t stext, pob_sym, pob, pfn = 0, start, end, step, direct = 0;
		size_t len = sizeof(want);
		struct kt_error *err;

		snprintf(f.env, sizeof(f.env), "KT_FIXTURES");
		snprintf(f.name, sizeof(f.name), "dumps/%s.kdump", dumps[d]);
		lib = lib_open(&f);
		cr_assert_eq(kdump_set_string_attr(lib, KDUMP_ATTR_OSTYPE,
						   "linux"), KDUMP_OK);
		cr_assert_null(kt_symbol_address(prog, "_stext", &stext));
		cr_assert_eq(kdump_read(lib, KDUMP_KVADDR, stext, want, &len),
			     KDUMP_OK, "%s: %s", dumps[d], kdump_get_err(lib));
		cr_assert_null(kt_dump_read(prog->dump, stext, false, got,
					    sizeof(got)));
		cr_assert(!memcmp(want, got, sizeof(got)), "%s: _stext",
			  dumps[d]);
		cr_assert_null(kt_symbol_address(prog, "page_offset_base",
						 &pob_sym));
		cr_assert_null(kt_read_u64(prog, pob_sym, &pob));
		step = kt_dump_info(prog->dump)->max_pfn / 4000 + 1;
		while (kt_dump_present_run(prog->dump, pfn, &start, &end)) {
			uint64_t va;

			start = start > pfn ? start : pfn;
			va = pob + (start << 12);

			len = 4096;
			cr_assert_eq(kdump_read(lib, KDUMP_KVADDR, va, want,
						&len), KDUMP_OK);
			cr_assert_null(kt_dump_read(prog->dump, va, false, got,
						    4096));
			cr_assert(!memcmp(want, got, 4096), "%s: pfn 0x%" PRIx64,
				  dumps[d], start);
			direct++;
			pfn = start + step;
		}
		cr_expect_gt(direct, 200, "%s: %" PRIu64 " pages", dumps[d],
			     direct);
		// Below the kernel half nothing is mapped.
		len = 8;
		cr_expect_neq(kdump_read(lib, KDUMP_KVADDR, 0x1000, want, &len),
			      KDUMP_OK);
		err = kt_dump_read(prog->dump, 0x1000, false, got, 8);
		cr_expect(err && err->fault == KT_FAULT_NOT_MAPPED);
		kt_error_destroy(err);
		kt_program_destroy(prog);
	}
}

/* Whether ktriage reads no byte of page @pfn (its first or last 8). */
static bool none_held(struct kt_dump *dump, uint64_t pfn)
{
	struct kt_error *a, *b;
	unsigned char w[8];
	bool none;

	a = kt_dump_read(dump, pfn << 12, true, w, 8);
	b = kt_dump_read(dump, (pfn << 12) + 4088, true, w, 8);
	none = a && b;
	kt_error_destroy(a);
	kt_error_destroy(b);
	return none;
}

ParameterizedTestParameters(diskdump, elf_reads_what_libkdumpfile_reads)
{
	static struct kdump_file f[] = {
		{ "KT_FORMATS", "list-poison.elf" },
		{ "KT_FORMATS", "list-poison.elf-noinfo" },
		{ "KT_FACTORY_DUMPS", "sysrq-null.qemu-elf" },
		{ "KT_FACTORY_DUMPS", "sysrq-null.qemu-elf-paging" },
		{ "KT_FACTORY_DUMPS", "sysrq-null.vmcore.elf" },
		{ "KT_FACTORY_DUMPS", "sysrq-null.vmcore.elf-d31" },
	};

	return cr_make_param_array(struct kdump_file, f,
				   sizeof(f) / sizeof(f[0]));
}

/*
 * ELF vmcores' pages are read from their segments (core/elf_pages.c): the
 * same bytes as libkdumpfile's, page by page, and a read that runs past a
 * run into memory no segment has fails there, both ways.
 */
ParameterizedTest(struct kdump_file *f, diskdump,
		  elf_reads_what_libkdumpfile_reads)
{
	static unsigned char want[64 * 4096], got[64 * 4096];
	struct kt_dump *dump = open_dump(f);
	kdump_ctx_t *lib = lib_open(f);
	uint64_t pages = 0, edges = 0, pfn = 0, start, end;

	cr_assert_str_eq(kt_dump_info(dump)->format, "elf");
	while (kt_dump_present_run(dump, pfn, &start, &end)) {
		for (pfn = start; pfn < end;) {
			uint64_t n = end - pfn < 64 ? end - pfn : 64;
			size_t len = n << 12;

			cr_assert_eq(kdump_read(lib, KDUMP_MACHPHYSADDR,
						pfn << 12, want, &len),
				     KDUMP_OK, "%s: pfn 0x%" PRIx64 ": %s",
				     f->name, pfn, kdump_get_err(lib));
			cr_assert_null(kt_dump_read(dump, pfn << 12, true, got,
						    n << 12),
				       "%s: pfn 0x%" PRIx64, f->name, pfn);
			cr_assert(!memcmp(want, got, n << 12),
				  "%s: pages 0x%" PRIx64 "+%" PRIu64 " differ",
				  f->name, pfn, n);
			pfn += n;
			pages += n;
		}
		// The last 64 bytes of the run and 64 past it, where the
		// file holds no byte of the next page (libkdumpfile 0.5.1
		// crashes on a page held in part: see elf_partial_page).
		if (end < kt_dump_info(dump)->max_pfn &&
		    none_held(dump, end)) {
			struct kt_error *err;
			size_t len = 128;

			err = kt_dump_read(dump, (end << 12) - 64, true, got,
					   128);
			cr_expect(err && err->address == end << 12 &&
				  err->fault == kt_dump_pfn_state(dump, end),
				  "%s: past pfn 0x%" PRIx64 ": %s", f->name,
				  end, err ? err->message : "read");
			cr_expect_neq(kdump_read(lib, KDUMP_MACHPHYSADDR,
						 (end << 12) - 64, want, &len),
				      KDUMP_OK);
			edges++;
			kt_error_destroy(err);
		}
	}
	cr_expect_eq(pages, kt_dump_info(dump)->present_pages);
	cr_expect_gt(pages, 10000, "%s: %" PRIu64 " pages", f->name, pages);
	cr_expect_gt(edges, 0, "%s: no run edge read", f->name);
	kt_dump_destroy(dump);
}

/*
 * /proc/vmcore's first segment ends inside a page (0x9fc00 on a PC: the
 * e820 map's first entry): the bytes held read, up to the last one; the
 * first byte after is a fault at that address. libkdumpfile 0.5.1 dies of
 * a SIGSEGV reading that page (which is why ktriage reads ELF segments
 * itself). The bytes are checked against the file at the segment's offset.
 */
Test(diskdump, elf_partial_page)
{
	char path[4096];
	unsigned char got[128], want[64];
	struct kdump_file f = { "KT_FACTORY_DUMPS", "sysrq-null.vmcore.elf" };
	struct kt_dump *dump = open_dump(&f);
	struct kt_error *err;
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	unsigned found = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", kt_test_env(f.env), f.name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	cr_assert(fd >= 0 && pread(fd, &eh, sizeof(eh), 0) == sizeof(eh));
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		uint64_t end;

		cr_assert_eq(pread(fd, &ph, sizeof(ph),
				   eh.e_phoff + i * sizeof(ph)), sizeof(ph));
		end = ph.p_paddr + ph.p_filesz;
		if (ph.p_type != PT_LOAD || !(end & 4095) || ph.p_filesz < 64)
			continue;
		cr_assert_eq(pread(fd, want, 64, ph.p_offset + ph.p_filesz - 64),
			     64);
		cr_expect_null(kt_dump_read(dump, end - 64, true, got, 64),
			       "0x%" PRIx64, end - 64);
		cr_expect(!memcmp(got, want, 64));
		err = kt_dump_read(dump, end - 64, true, got, 128);
		cr_expect(err && err->address == end, "0x%" PRIx64 ": %s", end,
			  err ? err->message : "read");
		kt_error_destroy(err);
		found++;
	}
	cr_expect_gt(found, 0, "no segment ends inside a page");
	close(fd);
	kt_dump_destroy(dump);
}

/* The same through the binary: ktriage 0.x died there of a SIGSEGV. */
Test(diskdump, rd_across_a_partial_page_of_an_elf_vmcore)
{
	char *path;
	struct kt_run r;

	cr_assert(asprintf(&path, "%s/sysrq-null.vmcore.elf",
			   kt_test_env("KT_FACTORY_DUMPS")) > 0);
	const char *argv[] = { path, kt_test_env("KT_VMLINUX"), "-c",
			       "rd -p 9fbe0 8", NULL };
	r = kt_test_run(argv);
	cr_expect_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cr_expect(strstr(r.out, "9fbf0:  "), "%s", r.out);
	cr_expect(strstr(r.out, "9fc00:  <page excluded from dump>"), "%s",
		  r.out);
	kt_run_free(&r);
	free(path);
}
