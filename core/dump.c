// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <elf.h>
#include <endian.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libkdumpfile/kdumpfile.h>

#include "core/checked.h"
#include "core/diskdump.h"
#include "core/dump_pages.h"
#include "core/dump_check.h"
#include "core/dump.h"
#include "core/flatten.h"
#include "core/hashmap.h"
#include "core/pagemap.h"
#include "core/sanitize.h"
#include "core/vmcoreinfo.h"

#define KT_MAX_DUMP_FILES 64

struct patch {
	uint64_t addr;
	size_t len;
	unsigned char *bytes;	/* NULL: reads fault */
	enum kt_fault fault;
};

struct kt_dump {
	kdump_ctx_t *ctx;
	struct patch *patches;
	unsigned npatches;
	int fds[KT_MAX_DUMP_FILES];
	unsigned nfds;
	char *path;		/* the first file, for messages */
	struct kt_dump_info info;
	struct kt_pagemap ram_map;	/* pfns of RAM */
	struct kt_pagemap file_map;	/* pfns the file holds */
	bool has_ram_map;	/* false: the format does not say */
	addrxlat_ctx_t *axctx;
	addrxlat_sys_t *axsys;
	char *vmcoreinfo;	/* raw text, NUL-terminated */
	char *vmcoreinfo_lines;	/* a copy split into KEY\0VALUE\0 */
	bool own_vmcoreinfo;	/* the file had it (not synthesised) */
	bool kdump_files;	/* a file has a kdump signature */
	char *vmcoreinfo_problems;	/* lines that break their rules */
	char *vmcoreinfo_lib;	/* what libkdumpfile has, if not the file's */
	struct kt_hashmap vmcoreinfo_map;	/* KEY -> VALUE pointer */
	kt_dump_read_hook *read_hook;	/* see kt_dump_set_read_hook() */
	void *read_hook_arg;
	pthread_mutex_t scan_lock;	/* guards the two below */
	bool scan_tried;
	struct kt_diskdump *scan;	/* kdump files: the readers' fast path */
	struct kt_dump_pages *pages;	/* kdump files: every page read */
};

const char *const kt_reg_names[KT_NR_REGS] = {
	"r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8",
	"rax", "rcx", "rdx", "rsi", "rdi", "orig_rax", "rip", "cs", "rflags",
	"rsp", "ss", "fs_base", "gs_base", "ds", "es", "fs", "gs",
};

/*
 * libkdumpfile's message, which may quote the dump ("Invalid kernel
 * version: <OSRELEASE>"), sanitised; in a static buffer (one at a time).
 */
static const char *lib_err(kdump_ctx_t *ctx)
{
	static __thread char buf[KT_SANITIZED_SIZE(256)];
	const char *msg = kdump_get_err(ctx);

	kt_sanitize(msg ? msg : "", 256, buf, sizeof(buf), false);
	return buf;
}

/*
 * libkdumpfile's message says what it was doing, and ends in strerror()
 * for a system error: alone, the ENOMEM of a page size of 2^64 from a
 * corrupt VMCOREINFO would read as ktriage being out of memory.
 */
static struct kt_error *kdump_error(struct kt_dump *dump, kdump_status st,
				    const char *what)
{
	int errnum = errno;
	struct kt_error *err;

	err = kt_error_create(st == KDUMP_ERR_SYSTEM ? KT_ERR_OS :
			      KT_ERR_FORMAT, "%s: %s: %s", dump->path, what,
			      lib_err(dump->ctx));
	if (err != &kt_error_nomem && st == KDUMP_ERR_SYSTEM)
		err->errnum = errnum;
	return err;
}

static int temp_fd(void)
{
	const char *dir = getenv("TMPDIR");
	int fd = open(dir && *dir ? dir : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC,
		      0600);

	return fd >= 0 ? fd : memfd_create("ktriage-flat", MFD_CLOEXEC);
}

/* A flattened dump (see flatten.h), rebuilt into an unlinked file. */
static struct kt_error *unflatten(const char *path, int in, int *ret)
{
	struct kt_error *err;
	int out = temp_fd();

	if (out < 0)
		return kt_error_os(errno, "%s: temporary file for the "
				   "flattened dump", path);
	err = kt_flat_rebuild(in, out, path);
	if (err) {
		close(out);
		return err;
	}
	*ret = out;
	return NULL;
}

static struct kt_error *open_files(struct kt_dump *dump,
				   const char *const *paths, unsigned npaths)
{
	for (unsigned i = 0; i < npaths; i++) {
		struct stat st;
		int fd = open(paths[i], O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			return kt_error_os(errno, "cannot open dump %s",
					   paths[i]);
		dump->fds[dump->nfds++] = fd;
		if (fstat(fd, &st) < 0)
			return kt_error_os(errno, "%s", paths[i]);
		if (S_ISDIR(st.st_mode))
			return kt_error_create(KT_ERR_FORMAT,
				"%s: is a directory, not a crash dump",
				paths[i]);
		if (st.st_size == 0)
			return kt_error_create(KT_ERR_FORMAT,
				"%s: empty file, not a crash dump", paths[i]);
		if (kt_flat_is(fd)) {
			struct kt_error *err = unflatten(paths[i], fd, &fd);

			if (err)
				return err;
			close(dump->fds[dump->nfds - 1]);
			dump->fds[dump->nfds - 1] = fd;
			dump->info.flattened = true;
		}
	}
	return NULL;
}

/*
 * makedumpfile's disk_dump_header and kdump_sub_header (makedumpfile
 * diskdump_mod.h); libkdumpfile reads them but does not export the dump
 * level or the compression, which users want to see.
 */
#define DISKDUMP_STATUS_OFF 424
#define DISKDUMP_BLOCK_SIZE_OFF 428
#define DUMP_DH_COMPRESSED_ZLIB 0x1
#define DUMP_DH_COMPRESSED_LZO 0x2
#define DUMP_DH_COMPRESSED_SNAPPY 0x4
#define DUMP_DH_COMPRESSED_ZSTD 0x20

static void read_diskdump_header(struct kt_dump *dump)
{
	int fd = dump->fds[0];
	off_t base = 0;
	char sig[16];
	int32_t status, block_size, level;

	if (pread(fd, sig, sizeof(sig), 0) != sizeof(sig))
		return;
	if (memcmp(sig, "KDUMP   ", 8) && memcmp(sig, "DISKDUMP", 8))
		return;
	if (pread(fd, &status, 4, base + DISKDUMP_STATUS_OFF) != 4 ||
	    pread(fd, &block_size, 4, base + DISKDUMP_BLOCK_SIZE_OFF) != 4)
		return;
	if (status & DUMP_DH_COMPRESSED_ZLIB)
		dump->info.compression = "zlib";
	else if (status & DUMP_DH_COMPRESSED_LZO)
		dump->info.compression = "lzo";
	else if (status & DUMP_DH_COMPRESSED_SNAPPY)
		dump->info.compression = "snappy";
	else if (status & DUMP_DH_COMPRESSED_ZSTD)
		dump->info.compression = "zstd";
	if (block_size <= 0 || block_size > (1 << 20))
		return;
	base += block_size;
	if (pread(fd, &level, 4, base + 8) == 4 && level >= 0 && level <= 31)
		dump->info.dump_level = level;
}

static void describe(struct kt_dump *dump)
{
	struct kt_dump_info *info = &dump->info;
	const char *what;

	if (!strcmp(info->format, "diskdump") && !info->compression)
		what = info->flattened ? "flattened kdump (uncompressed)" :
					 "kdump (uncompressed)";
	else if (!strcmp(info->format, "diskdump"))
		what = info->flattened ? "flattened compressed kdump" :
					 "compressed kdump";
	else if (!strcmp(info->format, "elf"))
		what = "ELF vmcore";
	else
		what = info->format;
	if (info->compression)
		snprintf(info->description, sizeof(info->description),
			 "%s (%s)", what, info->compression);
	else
		snprintf(info->description, sizeof(info->description), "%s",
			 what);
}

/*
 * ELF dumps: PT_LOAD segments say what is RAM (p_memsz) and what the file
 * holds (p_filesz). libkdumpfile's page maps of ELF files are slow to
 * query, page by page, on dumps with many segments (QEMU's paging ELF,
 * raw /proc/vmcore copies), so ktriage reads the headers itself.
 */
static bool elf_maps(struct kt_dump *dump)
{
	int fd = dump->fds[0];
	Elf64_Ehdr eh;

	if (dump->nfds != 1 || pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr))
		return false;
	for (unsigned n = 0; n < eh.e_phnum; n++) {
		Elf64_Phdr ph;

		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + n * sizeof(ph)) !=
		    sizeof(ph))
			return false;
		if (ph.p_type != PT_LOAD)
			continue;
		// Partial pages at either end count as RAM, not as held.
		if (!kt_pagemap_add(&dump->ram_map, ph.p_paddr >> 12,
				    (ph.p_paddr + ph.p_memsz + 4095) >> 12) ||
		    !kt_pagemap_add(&dump->file_map, (ph.p_paddr + 4095) >> 12,
				    (ph.p_paddr + ph.p_filesz) >> 12))
			return false;
	}
	return true;
}

/* kdump files: their bitmaps, fetched whole (fast for this format). */
static bool bitmap_map(struct kt_dump *dump, const char *key,
		       struct kt_pagemap *map)
{
	kdump_attr_t attr = { .type = KDUMP_BITMAP };
	uint64_t npfn = dump->info.max_pfn + 1;
	unsigned char *bits;
	bool ok;

	// max_pfn is the header's word: a bitmap past KT_MAX_DUMP_ALLOC is
	// no machine's (and npfn may have wrapped to 0).
	if (!npfn || npfn / 8 >= KT_MAX_DUMP_ALLOC ||
	    kdump_get_typed_attr(dump->ctx, key, &attr) != KDUMP_OK)
		return false;
	bits = calloc(npfn / 8 + 1, 1);
	ok = bits && kdump_bmp_get_bits(attr.val.bitmap, 0, npfn - 1, bits) ==
		     KDUMP_OK && kt_pagemap_add_bits(map, bits, npfn);
	free(bits);
	return ok;
}

static void load_maps(struct kt_dump *dump)
{
	if (!strcmp(dump->info.format, "elf") && elf_maps(dump)) {
		dump->has_ram_map = true;
	} else {
		kt_pagemap_deinit(&dump->ram_map);
		kt_pagemap_deinit(&dump->file_map);
		bitmap_map(dump, KDUMP_ATTR_FILE_PAGEMAP, &dump->file_map);
		dump->has_ram_map = bitmap_map(dump, KDUMP_ATTR_MEMORY_PAGEMAP,
					       &dump->ram_map);
	}
	kt_pagemap_finish(&dump->ram_map);
	kt_pagemap_finish(&dump->file_map);
	dump->info.present_pages = kt_pagemap_count(&dump->file_map);
	dump->info.ram_pages = dump->has_ram_map ?
			       kt_pagemap_count(&dump->ram_map) :
			       dump->info.present_pages;
}

/* Split VMCOREINFO "KEY=VALUE" lines once, for lookups by key. */
static void index_vmcoreinfo(struct kt_dump *dump)
{
	char *p, *line;

	dump->vmcoreinfo_lines = strdup(dump->vmcoreinfo);
	if (!dump->vmcoreinfo_lines)
		return;
	for (p = dump->vmcoreinfo_lines; (line = strsep(&p, "\n"));) {
		char *eq = strchr(line, '=');

		if (!eq)
			continue;
		*eq = 0;
		if (!kt_hashmap_insert(&dump->vmcoreinfo_map, line,
				       (uintptr_t)(eq + 1), NULL))
			return;
	}
}

static void load_info(struct kt_dump *dump)
{
	kdump_num_t num;

	dump->info.dump_level = -1;
	dump->info.nfiles = dump->nfds;
	if (kdump_get_string_attr(dump->ctx, KDUMP_ATTR_FILE_FORMAT,
				  &dump->info.format) != KDUMP_OK)
		dump->info.format = "unknown";
	if (kdump_get_number_attr(dump->ctx, "max_pfn", &num) == KDUMP_OK)
		dump->info.max_pfn = num;
	read_diskdump_header(dump);
	describe(dump);
	load_maps(dump);
}

/*
 * The file's VMCOREINFO, as libkdumpfile read it from the file: the raw
 * attribute, there before the OS type is set (kdump_vmcoreinfo_raw()
 * answers only after), so that it is checked before libkdumpfile uses it.
 */
static void load_vmcoreinfo(struct kt_dump *dump)
{
	kdump_attr_t attr = { .type = KDUMP_BLOB };
	const void *data;
	size_t len;

	if (dump->vmcoreinfo ||
	    kdump_get_typed_attr(dump->ctx, "linux.vmcoreinfo.raw", &attr) !=
	    KDUMP_OK)
		return;
	data = kdump_blob_pin(attr.val.blob);
	len = kdump_blob_size(attr.val.blob);
	dump->vmcoreinfo = malloc(len + 1);
	if (dump->vmcoreinfo) {
		kt_memcpy(dump->vmcoreinfo, data, len);
		dump->vmcoreinfo[len] = 0;
		dump->own_vmcoreinfo = true;
		index_vmcoreinfo(dump);
	}
	kdump_blob_unpin(attr.val.blob);
}

/*
 * libkdumpfile takes VMCOREINFO's word for the page size as it opens the
 * file, and for the kernel's layout once it knows the OS. A page size
 * other than 4096 has misled it already: refused. The lines that break
 * their rules (vmcoreinfo.h) are taken from it before it lays out the
 * kernel; ktriage keeps the text as the dump has it, for its own checked
 * reads, and the problems for the program to report.
 */
/* libkdumpfile's VMCOREINFO: @text instead of what it read. */
static struct kt_error *give_vmcoreinfo(struct kt_dump *dump, const char *text)
{
	kdump_attr_t attr = { .type = KDUMP_BLOB };
	kdump_status st;
	char *copy = strdup(text);

	if (!copy)
		return &kt_error_nomem;
	attr.val.blob = kdump_blob_new_dup(text, strlen(text));
	if (!attr.val.blob) {
		free(copy);
		return &kt_error_nomem;
	}
	st = kdump_set_attr(dump->ctx, "linux.vmcoreinfo.raw", &attr);
	if (st != KDUMP_OK) {
		free(copy);
		return kdump_error(dump, st, "cannot use the checked VMCOREINFO");
	}
	free(dump->vmcoreinfo_lib);
	dump->vmcoreinfo_lib = copy;
	return NULL;
}

static struct kt_error *check_vmcoreinfo(struct kt_dump *dump)
{
	struct kt_error *err;
	char *good = NULL;
	uint64_t v;

	if (!dump->vmcoreinfo)
		return NULL;
	err = kt_vmcoreinfo_value(dump, "PAGESIZE", &v);
	if (err && err->code == KT_ERR_CORRUPT)
		return kt_error_wrap(err, "%s", dump->path);
	kt_error_destroy(err);
	dump->vmcoreinfo_problems = kt_vmcoreinfo_check_all(dump, &good);
	if (!good)
		return NULL;
	err = give_vmcoreinfo(dump, good);
	free(good);
	return err;
}

const char *kt_dump_vmcoreinfo_problems(const struct kt_dump *dump)
{
	return dump->vmcoreinfo_problems;
}

/*
 * A truncated file opens (its headers are whole) but its last pages are
 * gone. Reading the last page the file claims to hold catches that at
 * open, with a message that says so, instead of at the first unlucky read.
 */
static struct kt_error *check_complete(struct kt_dump *dump)
{
	uint64_t pfn = dump->info.max_pfn, last;
	unsigned char page[64];
	size_t len = sizeof(page);
	kdump_status st;

	if (!pfn || !kt_pagemap_last(&dump->file_map, &last) || !last)
		return NULL;
	st = kdump_read(dump->ctx, KDUMP_MACHPHYSADDR, last << 12, page, &len);
	if (st == KDUMP_OK || st == KDUMP_ERR_NODATA)
		return NULL;
	return kt_error_create(KT_ERR_FORMAT,
		"%s: dump file is truncated or corrupt: its last page (pfn 0x%"
		PRIx64 ") cannot be read (%s); copy the dump again",
		dump->path, last, lib_err(dump->ctx));
}

/*
 * libkdumpfile refuses some corrupt VMCOREINFO values in its own words
 * ("Invalid kernel version"): a refusal says which values broke their
 * rules. One line.
 */
static struct kt_error *with_problems(struct kt_dump *dump,
				      struct kt_error *err)
{
	struct kt_error *out;
	char *p = dump->vmcoreinfo_problems;

	if (!p || err == &kt_error_nomem)
		return err;
	for (; (p = strchr(p, '\n')); p++)
		*p = p[1] ? ';' : 0;
	out = kt_error_create(err->code, "%s (%s)", err->message,
			      dump->vmcoreinfo_problems);
	if (out == &kt_error_nomem)
		return err;
	out->errnum = err->errnum;
	kt_error_destroy(err);
	return out;
}

static struct kt_error *scan_index(struct kt_dump *dump,
				   struct kt_diskdump **ret);

/*
 * Pages are read here, not by libkdumpfile (see dump_pages.h): those of
 * kdump files and of a one-file ELF vmcore. A layout neither reader takes,
 * or an index kt_diskdump cannot build, leaves them to libkdumpfile.
 */
static struct kt_error *own_pages(struct kt_dump *dump)
{
	struct kt_page_source src = { 0 };
	struct kt_diskdump *dd = NULL;
	struct kt_error *err;

	if (dump->kdump_files) {
		err = scan_index(dump, &dd);
		if (err == &kt_error_nomem)
			return err;
		kt_error_destroy(err);
		if (!dd)
			return NULL;
		err = kt_dump_pages_kdump(dd, &src);
	} else if (dump->nfds == 1) {
		err = kt_dump_pages_elf(dump->fds[0], &src);
	} else {
		return NULL;
	}
	if (err || !src.arg)
		return err;
	return kt_dump_pages_create(&src, &dump->pages);
}

struct kt_error *kt_dump_open(const char *const *paths, unsigned npaths,
			      struct kt_dump **ret)
{
	struct kt_dump *dump;
	struct kt_error *err;
	kdump_status st;

	if (!npaths || npaths > KT_MAX_DUMP_FILES)
		return kt_error_create(KT_ERR_INVALID,
				       "a dump is 1 to %d files, not %u",
				       KT_MAX_DUMP_FILES, npaths);
	dump = calloc(1, sizeof(*dump));
	if (!dump)
		return &kt_error_nomem;
	kt_hashmap_init(&dump->vmcoreinfo_map);
	kt_pagemap_init(&dump->ram_map);
	kt_pagemap_init(&dump->file_map);
	pthread_mutex_init(&dump->scan_lock, NULL);
	dump->path = strdup(paths[0]);
	dump->ctx = kdump_new();
	if (!dump->path || !dump->ctx) {
		kt_dump_destroy(dump);
		return &kt_error_nomem;
	}
	err = open_files(dump, paths, npaths);
	for (unsigned i = 0; i < dump->nfds; i++)
		dump->kdump_files |= kt_dump_check_is_kdump(dump->fds[i]);
	if (err)
		goto fail;
	err = kt_dump_check_files(dump->fds, paths, dump->nfds);
	if (err)
		goto fail;
	// With mmap, a file that shrinks or lies about its size kills the
	// process with SIGBUS; read(2) gives an error instead.
	kdump_set_number_attr(dump->ctx, KDUMP_ATTR_FILE_MMAP_POLICY,
			      KDUMP_MMAP_NEVER);
	// QEMU's kdump output leaves the machine name empty, and libkdumpfile
	// then skips the CPUs' PRSTATUS notes as it opens the file. ktriage
	// reads x86-64 dumps only: say so before it opens.
	kdump_set_string_attr(dump->ctx, KDUMP_ATTR_ARCH_NAME, "x86_64");
	st = kdump_open_fdset(dump->ctx, dump->nfds, dump->fds);
	if (st == KDUMP_ERR_NOTIMPL && dump->kdump_files) {
		err = kt_error_create(KT_ERR_FORMAT,
			"%s: kdump file with a corrupt header (%s); copy the "
			"dump again", dump->path, lib_err(dump->ctx));
		goto fail;
	}
	if (st == KDUMP_ERR_NOTIMPL) {
		err = kt_error_create(KT_ERR_FORMAT,
			"%s: not a crash dump (%s); ktriage reads kdump "
			"(makedumpfile), ELF vmcore and QEMU dumps",
			dump->path, lib_err(dump->ctx));
		goto fail;
	}
	if (st != KDUMP_OK) {
		err = kdump_error(dump, st, "cannot open dump");
		goto fail;
	}
	err = own_pages(dump);
	if (err)
		goto fail;
	// libkdumpfile reads nothing, not even physical pages or its page
	// maps, until it knows the OS; every dump ktriage opens is of Linux.
	load_vmcoreinfo(dump);
	err = check_vmcoreinfo(dump);
	if (err)
		goto fail;
	err = kt_dump_setup_linux(dump);
	load_info(dump);
	if (!err)
		err = check_complete(dump);
	else if (!dump->vmcoreinfo && kt_error_catch(&err, KT_ERR_FORMAT))
		// No VMCOREINFO: no kernel layout yet (kt_dump_find_kaslr()
		// finds it). Undo the failed set-up so that physical reads,
		// which need none, work meanwhile.
		kdump_clear_attr(dump->ctx, KDUMP_ATTR_OSTYPE);
	if (err)
		goto fail;
	*ret = dump;
	return NULL;
fail:
	err = with_problems(dump, err);
	kt_dump_destroy(dump);
	return err;
}

/*
 * libkdumpfile up to 0.5.1 frees a diskdump context's attributes before it
 * runs the format's cleanup hook, which then reads and writes the freed
 * memory (ptesarik/libkdumpfile#72, fixed after 0.5.1): every close
 * corrupts the heap, and a process that opens many dumps crashes later,
 * at random. Such a context is left allocated instead. The hook is set
 * as soon as the format's probe sees the signature, so an open that fails
 * after it (an 8-byte file "KDUMP   ") leaves it too, with no format
 * attribute to tell: the files' own signature decides (@kdump_files).
 */
static void free_kdump_ctx(kdump_ctx_t *ctx, bool kdump_files)
{
#if KDUMPFILE_VERSION <= KDUMPFILE_MKVER(0, 5, 1)
	if (kdump_files)
		return;
#else
	(void)kdump_files;
#endif
	kdump_free(ctx);
}

void kt_dump_destroy(struct kt_dump *dump)
{
	if (!dump)
		return;
	kt_dump_pages_destroy(dump->pages);
	if (dump->axctx)
		addrxlat_ctx_decref(dump->axctx);
	if (dump->axsys)
		addrxlat_sys_decref(dump->axsys);
	kt_pagemap_deinit(&dump->ram_map);
	kt_pagemap_deinit(&dump->file_map);
	if (dump->ctx)
		free_kdump_ctx(dump->ctx, dump->kdump_files);
	kt_diskdump_destroy(dump->scan);
	pthread_mutex_destroy(&dump->scan_lock);
	for (unsigned i = 0; i < dump->nfds; i++)
		close(dump->fds[i]);
	for (unsigned i = 0; i < dump->npatches; i++)
		free(dump->patches[i].bytes);
	free(dump->patches);
	kt_hashmap_deinit(&dump->vmcoreinfo_map);
	free(dump->vmcoreinfo_lines);
	free(dump->vmcoreinfo);
	free(dump->vmcoreinfo_problems);
	free(dump->vmcoreinfo_lib);
	free(dump->path);
	free(dump);
}

const struct kt_dump_info *kt_dump_info(const struct kt_dump *dump)
{
	return &dump->info;
}

const char *kt_dump_vmcoreinfo(struct kt_dump *dump, const char *key)
{
	uint64_t val;

	if (!kt_hashmap_get(&dump->vmcoreinfo_map, key, &val))
		return NULL;
	return (const char *)(uintptr_t)val;
}

const char *kt_dump_vmcoreinfo_raw(struct kt_dump *dump)
{
	return dump->vmcoreinfo;
}

struct kt_error *kt_dump_setup_linux(struct kt_dump *dump)
{
	kdump_attr_t attr = { .type = KDUMP_STRING, .val.string = "linux" };
	kdump_status st;

	st = kdump_set_attr(dump->ctx, KDUMP_ATTR_OSTYPE, &attr);
	if (st != KDUMP_OK)
		return kdump_error(dump, st, "cannot set up kernel addresses");
	if (dump->axctx)
		addrxlat_ctx_decref(dump->axctx);
	if (dump->axsys)
		addrxlat_sys_decref(dump->axsys);
	dump->axctx = NULL;
	dump->axsys = NULL;
	st = kdump_get_addrxlat(dump->ctx, &dump->axctx, &dump->axsys);
	if (st != KDUMP_OK)
		return kdump_error(dump, st, "cannot set up kernel addresses");
	return NULL;
}

/*
 * Another VMCOREINFO text for the dump (a layout ktriage derived, or any
 * text a caller has): checked as the file's is at open, so libkdumpfile
 * gets only the lines that keep their rules, and a bad page size refuses
 * it. The dump keeps its text when it is refused.
 */
struct kt_error *kt_dump_use_vmcoreinfo(struct kt_dump *dump,
					const char *text)
{
	char *old = dump->vmcoreinfo, *good = NULL, *problems;
	bool old_own = dump->own_vmcoreinfo;
	struct kt_error *err;
	uint64_t v;

	dump->vmcoreinfo = strdup(text);
	if (!dump->vmcoreinfo) {
		dump->vmcoreinfo = old;
		return &kt_error_nomem;
	}
	dump->own_vmcoreinfo = false;
	kt_hashmap_deinit(&dump->vmcoreinfo_map);
	free(dump->vmcoreinfo_lines);
	index_vmcoreinfo(dump);
	err = kt_vmcoreinfo_value(dump, "PAGESIZE", &v);
	if (err && err->code == KT_ERR_CORRUPT)
		goto refused;
	kt_error_destroy(err);
	problems = kt_vmcoreinfo_check_all(dump, &good);
	// Problems and no good lines: none to give (or no memory to tell).
	err = problems && !good ? kt_error_create(KT_ERR_CORRUPT, "%s",
						  problems) :
	      give_vmcoreinfo(dump, good ? good : text);
	free(good);
	if (err) {
		free(problems);
		goto refused;
	}
	free(dump->vmcoreinfo_problems);
	dump->vmcoreinfo_problems = problems;
	free(old);
	return kt_dump_setup_linux(dump);
refused:
	free(dump->vmcoreinfo);
	dump->vmcoreinfo = old;
	dump->own_vmcoreinfo = old_own;
	kt_hashmap_deinit(&dump->vmcoreinfo_map);
	free(dump->vmcoreinfo_lines);
	index_vmcoreinfo(dump);
	return kt_error_wrap(err, "VMCOREINFO not used");
}

/* True when line @line's key is one of the KEY= lines of @lines. */
static bool key_in(const char *line, size_t n, const char *lines)
{
	size_t k = strcspn(line, "=\n");

	if (k >= n)
		return false;
	while (*lines) {
		size_t m = strcspn(lines, "\n");

		if (m > k && !strncmp(lines, line, k + 1))
			return true;
		lines += m + (lines[m] == '\n');
	}
	return false;
}

struct kt_error *kt_dump_amend_vmcoreinfo(struct kt_dump *dump,
					  const char *lines)
{
	const char *p = dump->vmcoreinfo_lib ? dump->vmcoreinfo_lib :
			dump->vmcoreinfo;
	size_t len = 0, cap = (p ? strlen(p) : 0) + strlen(lines) + 2;
	struct kt_error *err;
	char *text = malloc(cap);

	if (!text)
		return &kt_error_nomem;
	while (p && *p) {
		size_t n = strcspn(p, "\n");

		if (!key_in(p, n, lines)) {
			memcpy(text + len, p, n);
			len += n;
			text[len++] = '\n';
		}
		p += n + (p[n] == '\n');
	}
	strcpy(text + len, lines);
	err = give_vmcoreinfo(dump, text);
	free(text);
	return err ? err : kt_dump_setup_linux(dump);
}

bool kt_dump_has_own_vmcoreinfo(const struct kt_dump *dump)
{
	return dump->own_vmcoreinfo;
}

static bool canonical(uint64_t addr)
{
	uint64_t top = addr >> 47;

	return top == 0 || top == 0x1ffff;
}

struct kt_error *kt_dump_vtop(struct kt_dump *dump, uint64_t vaddr,
			      uint64_t *ret)
{
	addrxlat_fulladdr_t fa = { .addr = vaddr, .as = ADDRXLAT_KVADDR };

	if (!canonical(vaddr))
		return kt_error_fault(vaddr, false, KT_FAULT_NON_CANONICAL);
	if (!dump->axctx ||
	    addrxlat_fulladdr_conv(&fa, ADDRXLAT_KPHYSADDR,
				   dump->pages ? kt_dump_pages_xlat(dump->pages) :
						 dump->axctx,
				   dump->axsys) != ADDRXLAT_OK)
		return kt_error_fault(vaddr, false, KT_FAULT_NOT_MAPPED);
	*ret = fa.addr;
	return NULL;
}

enum kt_fault kt_dump_pfn_state(struct kt_dump *dump, uint64_t pfn)
{
	if (kt_pagemap_has(&dump->file_map, pfn))
		return KT_FAULT_NONE;
	if (dump->has_ram_map)
		return kt_pagemap_has(&dump->ram_map, pfn) ? KT_FAULT_EXCLUDED :
							     KT_FAULT_NOT_RAM;
	if (pfn > dump->info.max_pfn)
		return KT_FAULT_NOT_RAM;
	// Without a RAM map, a page within the dumped range that the file
	// lacks was filtered out.
	return KT_FAULT_EXCLUDED;
}

static struct kt_error *fault_of(struct kt_dump *dump, uint64_t addr,
				 bool phys, kdump_status st)
{
	uint64_t paddr = addr;
	enum kt_fault fault;
	struct kt_error *err;

	if (st == KDUMP_ERR_ADDRXLAT)
		return kt_error_fault(addr, phys, KT_FAULT_NOT_MAPPED);
	if (st != KDUMP_ERR_NODATA)
		return kt_error_fault(addr, phys, KT_FAULT_READ);
	if (!phys) {
		err = kt_dump_vtop(dump, addr, &paddr);
		if (err)
			return err;
	}
	fault = kt_dump_pfn_state(dump, paddr >> 12);
	return kt_error_fault(addr, phys, fault ? fault : KT_FAULT_READ);
}

static struct kt_error *read_raw(struct kt_dump *dump, uint64_t addr,
				 bool phys, void *buf, size_t size)
{
	size_t len = size;
	kdump_status st;

	if (!phys && !canonical(addr))
		return kt_error_fault(addr, false, KT_FAULT_NON_CANONICAL);
	if (phys && dump->pages) {
		enum kt_fault fault = kt_dump_pages_read(dump->pages, addr, buf,
							 size, &len);

		if (!fault)
			return NULL;
		if (fault == KT_FAULT_EXCLUDED)
			fault = kt_dump_pfn_state(dump, (addr + len) >> 12);
		return kt_error_fault(addr + len, true,
				      fault ? fault : KT_FAULT_READ);
	}
	// Machine physical: needs no kernel layout, and equals kernel
	// physical on x86-64 outside Xen.
	st = kdump_read(dump->ctx, phys ? KDUMP_MACHPHYSADDR : KDUMP_KVADDR,
			addr, buf, &len);
	if (st == KDUMP_OK)
		return NULL;
	// len bytes were read; report the first address that could not be.
	return fault_of(dump, addr + len, phys, st);
}

static struct kt_error *apply_patches(struct kt_dump *dump, uint64_t addr,
				      void *buf, size_t size)
{
	for (unsigned i = 0; i < dump->npatches; i++) {
		const struct patch *p = &dump->patches[i];
		uint64_t lo = addr > p->addr ? addr : p->addr;
		uint64_t hi = addr + size < p->addr + p->len ?
			      addr + size : p->addr + p->len;

		if (lo >= hi)
			continue;
		if (!p->bytes)
			return kt_error_fault(lo, false, p->fault);
		memcpy((char *)buf + (lo - addr), p->bytes + (lo - p->addr),
		       hi - lo);
	}
	return NULL;
}

/*
 * ELF dumps may carry virtual addresses in their segments, and libkdumpfile
 * then reads kernel virtual addresses through them; QEMU's paging dumps
 * hold wrong ones for module memory (zeros where the page tables map the
 * module). Translate through the kernel's page tables instead.
 */
static struct kt_error *read_by_page_tables(struct kt_dump *dump,
					    uint64_t addr, void *buf,
					    size_t size)
{
	size_t done = 0;

	while (done < size) {
		uint64_t va = addr + done, pa;
		size_t chunk = 4096 - (va & 4095);
		struct kt_error *err;

		if (chunk > size - done)
			chunk = size - done;
		err = kt_dump_vtop(dump, va, &pa);
		if (!err)
			err = read_raw(dump, pa, true, (char *)buf + done,
				       chunk);
		if (err) {
			if (err->code == KT_ERR_FAULT && err->address_phys) {
				enum kt_fault fault = err->fault;

				kt_error_destroy(err);
				err = kt_error_fault(va, false, fault);
			}
			return err;
		}
		done += chunk;
	}
	return NULL;
}

struct kt_error *kt_dump_read(struct kt_dump *dump, uint64_t addr, bool phys,
			      void *buf, size_t size)
{
	struct kt_error *err;

	if (!phys && dump->axctx &&
	    (dump->pages || !strcmp(dump->info.format, "elf")))
		err = read_by_page_tables(dump, addr, buf, size);
	else
		err = read_raw(dump, addr, phys, buf, size);

	if (!err && !phys && dump->npatches)
		err = apply_patches(dump, addr, buf, size);
	if (!err && dump->read_hook)
		err = dump->read_hook(dump->read_hook_arg, addr, phys, buf, size);
	return err;
}

void kt_dump_set_read_hook(struct kt_dump *dump, kt_dump_read_hook *fn,
			   void *arg)
{
	dump->read_hook = fn;
	dump->read_hook_arg = arg;
}

struct kt_error *kt_dump_patch(struct kt_dump *dump, uint64_t addr,
			       const void *bytes, size_t len,
			       enum kt_fault fault)
{
	struct patch *p = realloc(dump->patches,
				  (dump->npatches + 1) * sizeof(*p));

	if (!p)
		return &kt_error_nomem;
	dump->patches = p;
	p += dump->npatches;
	memset(p, 0, sizeof(*p));
	p->addr = addr;
	p->len = len;
	p->fault = fault;
	if (bytes) {
		p->bytes = malloc(len);
		if (!p->bytes)
			return &kt_error_nomem;
		memcpy(p->bytes, bytes, len);
	}
	dump->npatches++;
	return NULL;
}

unsigned kt_dump_num_prstatus(struct kt_dump *dump)
{
	kdump_num_t n;

	if (kdump_get_number_attr(dump->ctx, KDUMP_ATTR_NUM_CPUS, &n) !=
	    KDUMP_OK)
		return 0;
	return n;
}

struct kt_error *kt_dump_prstatus(struct kt_dump *dump, unsigned i,
				  struct kt_prstatus *ret)
{
	char key[64];
	kdump_num_t num;

	snprintf(key, sizeof(key), "cpu.%u.pid", i);
	if (kdump_get_number_attr(dump->ctx, key, &num) != KDUMP_OK)
		return kt_error_create(KT_ERR_LOOKUP,
				       "%s: no PRSTATUS note for CPU %u",
				       dump->path, i);
	ret->pid = num;
	for (int r = 0; r < KT_NR_REGS; r++) {
		snprintf(key, sizeof(key), "cpu.%u.reg.%s", i,
			 r == KT_REG_RFLAGS ? "rflags" : kt_reg_names[r]);
		if (kdump_get_number_attr(dump->ctx, key, &num) != KDUMP_OK)
			num = 0;
		ret->regs[r] = num;
	}
	return NULL;
}

bool kt_dump_next_present(struct kt_dump *dump, uint64_t *pfn)
{
	return kt_pagemap_next(&dump->file_map, pfn);
}

bool kt_dump_present_run(struct kt_dump *dump, uint64_t pfn, uint64_t *start,
			 uint64_t *end)
{
	struct kt_pagemap_range r;

	if (!kt_pagemap_range(&dump->file_map, pfn, &r))
		return false;
	*start = r.start;
	*end = r.end;
	return true;
}

struct kt_dump_reader {
	struct kt_dump *dump;
	kdump_ctx_t *ctx;
	struct kt_diskdump_reader *fast;	/* instead of ctx */
};

/*
 * libkdumpfile's page cache is a list searched linearly on every miss; a
 * scan that reads each page once only misses, and with the default 1024
 * entries spends most of its time there. A small cache is 5x faster.
 */
#define READER_CACHE_SIZE 16

/*
 * Not a kdump_clone(): clones share the cache (its size too, which cannot
 * change once shared without crashing libkdumpfile 0.5.1) and the mmap
 * policy. A reader opens the dump's files anew in a context of its own.
 * It may mmap them: kt_dump_open() has checked that the files are as long
 * as their headers say, so no read runs off the end (SIGBUS).
 */
static struct kt_error *open_kdump_reader(struct kt_dump_reader *r)
{
	struct kt_dump *dump = r->dump;
	kdump_status st;

	r->ctx = kdump_new();
	if (!r->ctx)
		return &kt_error_nomem;
	kdump_set_number_attr(r->ctx, KDUMP_ATTR_FILE_MMAP_POLICY,
			      KDUMP_MMAP_TRY);
	kdump_set_string_attr(r->ctx, KDUMP_ATTR_ARCH_NAME, "x86_64");
	kdump_set_number_attr(r->ctx, "cache.size", READER_CACHE_SIZE);
	st = kdump_open_fdset(r->ctx, dump->nfds, dump->fds);
	if (st != KDUMP_OK)
		return kt_error_create(KT_ERR_FORMAT,
			"%s: opening a reader: %s", dump->path,
			lib_err(r->ctx));
	return NULL;
}

/* kdump files are read without libkdumpfile, which is 4x slower here. */
static struct kt_error *scan_index(struct kt_dump *dump,
				   struct kt_diskdump **ret)
{
	struct kt_error *err = NULL;

	pthread_mutex_lock(&dump->scan_lock);
	if (!dump->scan_tried)
		err = kt_diskdump_open(dump->fds, dump->nfds, dump->path,
				       &dump->scan);
	dump->scan_tried = !err;
	*ret = dump->scan;
	pthread_mutex_unlock(&dump->scan_lock);
	return err;
}

struct kt_error *kt_dump_reader_create(struct kt_dump *dump,
				       struct kt_dump_reader **ret)
{
	struct kt_dump_reader *r = calloc(1, sizeof(*r));
	struct kt_diskdump *dd;
	struct kt_error *err;

	if (!r)
		return &kt_error_nomem;
	r->dump = dump;
	err = scan_index(dump, &dd);
	if (!err)
		err = dd ? kt_diskdump_reader_create(dd, &r->fast) :
			   open_kdump_reader(r);
	if (err) {
		kt_dump_reader_destroy(r);
		return err;
	}
	*ret = r;
	return NULL;
}

void kt_dump_reader_destroy(struct kt_dump_reader *reader)
{
	if (!reader)
		return;
	if (reader->ctx)
		free_kdump_ctx(reader->ctx, reader->dump->kdump_files);
	kt_diskdump_reader_destroy(reader->fast);
	free(reader);
}

bool kt_dump_reader_direct(const struct kt_dump_reader *reader)
{
	return reader->fast;
}

void kt_dump_reader_release(struct kt_dump_reader *reader)
{
	if (reader->fast)
		kt_diskdump_reader_release(reader->fast);
}

bool kt_dump_reader_page_bytes(struct kt_dump_reader *reader, uint64_t pfn,
			       uint64_t set[4])
{
	return reader->fast && kt_diskdump_page_bytes(reader->fast, pfn, set);
}

static struct kt_error *fast_read(struct kt_dump_reader *reader,
				  uint64_t paddr, void *buf, size_t size,
				  size_t *ret)
{
	unsigned char page[4096];
	enum kt_fault fault = KT_FAULT_NONE;
	size_t done = 0;

	while (done < size && !fault) {
		uint64_t a = paddr + done;
		size_t in = a & 4095, n = 4096 - in;
		unsigned char *to = in || size - done < 4096 ? page :
				    (unsigned char *)buf + done;

		if (n > size - done)
			n = size - done;
		fault = kt_diskdump_read_page(reader->fast, a >> 12, to);
		if (fault)
			break;
		if (to == page)
			memcpy((unsigned char *)buf + done, page + in, n);
		done += n;
	}
	*ret = done;
	if (!fault)
		return NULL;
	if (fault == KT_FAULT_EXCLUDED)
		fault = kt_dump_pfn_state(reader->dump, (paddr + done) >> 12);
	return kt_error_fault(paddr + done, true, fault ? fault : KT_FAULT_READ);
}

struct kt_error *kt_dump_reader_read(struct kt_dump_reader *reader,
				     uint64_t paddr, void *buf, size_t size,
				     size_t *ret)
{
	size_t len = size;
	kdump_status st;
	enum kt_fault fault;

	if (reader->fast)
		return fast_read(reader, paddr, buf, size, ret);
	st = kdump_read(reader->ctx, KDUMP_MACHPHYSADDR, paddr, buf, &len);
	*ret = len;
	if (st == KDUMP_OK)
		return NULL;
	fault = st == KDUMP_ERR_NODATA ?
		kt_dump_pfn_state(reader->dump, (paddr + len) >> 12) :
		KT_FAULT_READ;
	return kt_error_fault(paddr + len, true, fault ? fault : KT_FAULT_READ);
}
