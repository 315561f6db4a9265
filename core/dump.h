/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Access to a crash dump file. This is the only part of ktriage that talks
 * to libkdumpfile; its errors are wrapped here, once.
 *
 * A struct kt_dump reads memory by kernel virtual or physical address and
 * says why a page cannot be read: excluded by the dump level, not RAM, or
 * not mapped. It knows nothing of symbols or types.
 */
#ifndef KT_CORE_DUMP_H
#define KT_CORE_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/symtab.h"

struct kt_dump;

/** x86-64 general registers in elf_gregset_t order. */
enum kt_reg {
	KT_REG_R15, KT_REG_R14, KT_REG_R13, KT_REG_R12, KT_REG_RBP,
	KT_REG_RBX, KT_REG_R11, KT_REG_R10, KT_REG_R9, KT_REG_R8,
	KT_REG_RAX, KT_REG_RCX, KT_REG_RDX, KT_REG_RSI, KT_REG_RDI,
	KT_REG_ORIG_RAX, KT_REG_RIP, KT_REG_CS, KT_REG_RFLAGS, KT_REG_RSP,
	KT_REG_SS, KT_REG_FS_BASE, KT_REG_GS_BASE, KT_REG_DS, KT_REG_ES,
	KT_REG_FS, KT_REG_GS,
	KT_NR_REGS,
};

/** Register names, lower case, indexed by enum kt_reg. */
extern const char *const kt_reg_names[KT_NR_REGS];

/** A CPU's registers as the dump file's PRSTATUS note saved them. */
struct kt_prstatus {
	int pid;
	uint64_t regs[KT_NR_REGS];
};

/** Facts about the dump file itself, filled at open. */
struct kt_dump_info {
	const char *format;	/* libkdumpfile's format name: "diskdump", "elf" */
	char description[64];	/* "compressed kdump (zlib)", "ELF vmcore", ... */
	const char *compression; /* "zlib", "lzo", "snappy", "zstd", NULL */
	bool flattened;		/* makedumpfile -F output */
	int dump_level;		/* makedumpfile -d value, -1 if unknown */
	unsigned nfiles;	/* >1 for a split dump */
	uint64_t max_pfn;
	uint64_t ram_pages;	/* pages of RAM described by the dump */
	uint64_t present_pages;	/* of those, pages stored in the file */
};

/**
 * Open the dump made of @paths (one path, or the parts of a split dump).
 * A file that cannot be opened or is not a dump gives an error naming it.
 * On success *ret owns the dump; free it with kt_dump_destroy().
 */
struct kt_error *kt_dump_open(const char *const *paths, unsigned npaths,
			      struct kt_dump **ret);

/** Free a dump; NULL is accepted. */
void kt_dump_destroy(struct kt_dump *dump);

/** Facts about the file; owned by @dump. */
const struct kt_dump_info *kt_dump_info(const struct kt_dump *dump);

/**
 * A VMCOREINFO line's value by key (e.g. "OSRELEASE",
 * "SYMBOL(init_uts_ns)"), or NULL. The string is owned by @dump.
 */
const char *kt_dump_vmcoreinfo(struct kt_dump *dump, const char *key);

/**
 * The lines of the file's VMCOREINFO whose values break their rules (see
 * vmcoreinfo.h), one per line, or NULL; owned by @dump. libkdumpfile was
 * not given them.
 */
const char *kt_dump_vmcoreinfo_problems(const struct kt_dump *dump);

/** The whole VMCOREINFO text, or NULL; owned by @dump. */
const char *kt_dump_vmcoreinfo_raw(struct kt_dump *dump);

/** Set up kernel virtual address translation from VMCOREINFO. */
struct kt_error *kt_dump_setup_linux(struct kt_dump *dump);

/**
 * For a dump without VMCOREINFO: give libkdumpfile @text, VMCOREINFO lines
 * ktriage derived itself (KERNELOFFSET, phys_base, page table root), and
 * set up translation with it. kt_dump_vmcoreinfo() then answers from it,
 * and kt_dump_has_own_vmcoreinfo() stays false.
 */
struct kt_error *kt_dump_use_vmcoreinfo(struct kt_dump *dump,
					const char *text);

/**
 * Give libkdumpfile the file's (checked) VMCOREINFO with @lines, "KEY=VALUE"
 * lines, in place of its lines of those keys, and set up translation with
 * it: for a layout ktriage found itself because the dump's was corrupt.
 * kt_dump_vmcoreinfo() still answers from the file's own text.
 */
struct kt_error *kt_dump_amend_vmcoreinfo(struct kt_dump *dump,
					  const char *lines);

/** True when the file itself carried VMCOREINFO. */
bool kt_dump_has_own_vmcoreinfo(const struct kt_dump *dump);

/**
 * Read @size bytes at @addr, a kernel virtual address or (if @phys) a
 * physical one. A fault gives KT_ERR_FAULT with the reason set.
 */
struct kt_error *kt_dump_read(struct kt_dump *dump, uint64_t addr, bool phys,
			      void *buf, size_t size);

/** Translate a kernel virtual address to physical. */
struct kt_error *kt_dump_vtop(struct kt_dump *dump, uint64_t vaddr,
			      uint64_t *ret);

/** Why physical page @pfn can or cannot be read (KT_FAULT_NONE: it can). */
enum kt_fault kt_dump_pfn_state(struct kt_dump *dump, uint64_t pfn);

/** Number of CPUs with a PRSTATUS note in the file. */
unsigned kt_dump_num_prstatus(struct kt_dump *dump);

/** The PRSTATUS note of the @i-th CPU in the file. */
struct kt_error *kt_dump_prstatus(struct kt_dump *dump, unsigned i,
				  struct kt_prstatus *ret);


/** The first present page frame at or after @pfn; false when none. */
bool kt_dump_next_present(struct kt_dump *dump, uint64_t *pfn);

/**
 * The run of page frames the file holds that contains @pfn, or else the
 * first run after it: [*start, *end). False when no page at or after @pfn
 * is present. From the file's page bitmap (or ELF segments); reads nothing.
 * Safe to call from several threads at once.
 */
bool kt_dump_present_run(struct kt_dump *dump, uint64_t pfn, uint64_t *start,
			 uint64_t *end);

/**
 * A reader of physical memory for one thread, tuned for reading every page
 * once. libkdumpfile contexts are not thread-safe; a reader has its own
 * context over the dump's open files, with a small page cache of its own.
 * Each thread makes its own reader; the dump must outlive its readers.
 * Test patches (kt_dump_patch()) do not apply.
 */
struct kt_dump_reader;

/**
 * Give back the mapped file pages @reader has read so far (a scan calls it
 * after each stretch of pages: memory that does not grow with the dump).
 */
void kt_dump_reader_release(struct kt_dump_reader *reader);

/** Make a reader; free it with kt_dump_reader_destroy(). */
struct kt_error *kt_dump_reader_create(struct kt_dump *dump,
				       struct kt_dump_reader **ret);

/** Free a reader; NULL is accepted. */
void kt_dump_reader_destroy(struct kt_dump_reader *reader);

/**
 * True when @reader reads kdump pages itself (core/diskdump.c), false
 * when through libkdumpfile (every other format).
 */
bool kt_dump_reader_direct(const struct kt_dump_reader *reader);

/**
 * The byte values physical page @pfn can hold, bit b of @set[b / 64],
 * told from its compressed form without reading it (zlib kdump pages;
 * see core/inflate_bytes.h). False when unknown: then any byte.
 */
bool kt_dump_reader_page_bytes(struct kt_dump_reader *reader, uint64_t pfn,
			       uint64_t set[4]);

/**
 * Read @size bytes of physical memory at @paddr into @buf. *@ret is set to
 * the bytes read before the first that could not be, which the error (a
 * KT_ERR_FAULT) names. Reading many pages in one call is much faster than
 * one page at a time.
 */
struct kt_error *kt_dump_reader_read(struct kt_dump_reader *reader,
				     uint64_t paddr, void *buf, size_t size,
				     size_t *ret);

/**
 * Find the KASLR offset of a dump that has no VMCOREINFO (QEMU's
 * dump-guest-memory without the vmcoreinfo device) from memory, the way
 * crash does for such dumps: find the linux_banner text in physical memory,
 * derive where the kernel's top page table lies from the image layout, and
 * keep the 2 MiB-aligned virtual offset under which that page table maps
 * linux_banner to where it was found. See kaslr.c.
 */
struct kt_kernel_layout {
	uint64_t kaslr_offset;	/* virtual: runtime minus linked address */
	int64_t phys_base;	/* __pa_symbol(x) = x - START_KERNEL_map + this */
};

struct kt_error *kt_dump_find_kaslr(struct kt_dump *dump,
				    const struct kt_symtab *linked,
				    const char *banner,
				    struct kt_kernel_layout *ret);

/**
 * Called after every read through kt_dump_read() that succeeded, with the
 * bytes read: it may change them, or fail the read by returning an error
 * (which the reader gets). An overlay that makes a real dump hostile, for
 * the fuzzers (fuzz/overlay.c); readers of whole pages (kt_dump_reader)
 * do not see it.
 */
typedef struct kt_error *kt_dump_read_hook(void *arg, uint64_t addr, bool phys,
					   void *buf, size_t size);

/** Set the read hook (NULL: none), replacing any other. */
void kt_dump_set_read_hook(struct kt_dump *dump, kt_dump_read_hook *fn,
			   void *arg);

/**
 * Test seams: make kernel virtual [@addr, @addr + @len) read as @bytes
 * (patch) or fail with @fault (when @bytes is NULL), as a corrupt dump
 * would. Later patches win. Used by the tests to corrupt real dumps.
 */
struct kt_error *kt_dump_patch(struct kt_dump *dump, uint64_t addr,
			       const void *bytes, size_t len,
			       enum kt_fault fault);

#endif /* KT_CORE_DUMP_H */
