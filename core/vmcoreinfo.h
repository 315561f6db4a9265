/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * VMCOREINFO values, checked: the one way ktriage reads a number from the
 * dump's VMCOREINFO.
 *
 * VMCOREINFO comes from the machine that failed, and a corrupt or crafted
 * dump may say anything in it: SIZE(page)=0, an offset of 2^64 - 1, a
 * negative length. Every value is parsed strictly (decimal, or hex for
 * addresses, with nothing after it) and bounded by what its key can be:
 *
 *   OFFSET(T.m)   0 .. KT_VMCOREINFO_MAX_SIZE - 1, and below SIZE(T)
 *   SIZE(T)       1 .. KT_VMCOREINFO_MAX_SIZE
 *   LENGTH(x)     1 .. 2^24
 *   NUMBER(phys_base)           a multiple of 2 MiB
 *   NUMBER(pgtable_l5_enabled)  0 or 1
 *   NUMBER(sme_mask)            0 or one bit from 2^32 to 2^51
 *   NUMBER(x)     any 64-bit signed number; callers give its range
 *   SYMBOL(x)     a kernel-half address (0xff00000000000000 and up)
 *   KERNELOFFSET  a multiple of 2 MiB below 1 GiB (x86-64 KASLR)
 *   PAGESIZE      4096
 *   CRASHTIME     0 .. 2^40 (seconds since 1970)
 *   OSRELEASE     a kernel release: "MAJOR.MINOR...", printable, < 65 bytes
 *
 * A value that breaks its rule reads as an error naming the key and the
 * value (sanitised): callers carry on without it, from DWARF where the
 * vmlinux has it (see kt_type_member()). Values within their bounds can
 * still be wrong; program.c checks those it uses against DWARF.
 */
#ifndef KT_CORE_VMCOREINFO_H
#define KT_CORE_VMCOREINFO_H

#include <stdint.h>

#include "core/dump.h"
#include "core/error.h"

/** The largest type VMCOREINFO may describe: 4 MiB (pglist_data: 170 KiB). */
#define KT_VMCOREINFO_MAX_SIZE (4ULL << 20)

/**
 * The value of @key, checked by its rule (above): KT_ERR_LOOKUP when the
 * dump has no such line, KT_ERR_CORRUPT naming the key when the value
 * breaks the rule. A NUMBER is returned as its two's complement; a key
 * whose value is text (OSRELEASE) gives 0 when it keeps its rule.
 */
struct kt_error *kt_vmcoreinfo_value(struct kt_dump *dump, const char *key,
				     uint64_t *ret);

/**
 * A NUMBER() or LENGTH() value that must also lie in [@min, @max]; errors
 * as kt_vmcoreinfo_value().
 */
struct kt_error *kt_vmcoreinfo_number(struct kt_dump *dump, const char *key,
				      int64_t min, int64_t max, int64_t *ret);

/** OFFSET(@type.@member); @type may start with "struct "/"union ". */
struct kt_error *kt_vmcoreinfo_offset(struct kt_dump *dump, const char *type,
				      const char *member, uint64_t *ret);

/** SIZE(@type); @type may start with "struct "/"union ". */
struct kt_error *kt_vmcoreinfo_size(struct kt_dump *dump, const char *type,
				    uint64_t *ret);

/**
 * Check every line of the dump's VMCOREINFO. Returns one line per value
 * that breaks its rule ("VMCOREINFO SIZE(page)=0 is not ...") in a new
 * string for the caller to free, or NULL when all keep theirs. Then, if
 * @good, *@good is a new string of the lines that keep their rules.
 */
char *kt_vmcoreinfo_check_all(struct kt_dump *dump, char **good);

/**
 * True when the @n bytes at @line are KEY=VALUE with a key as the kernel
 * writes them (letters, digits, '_', '-', '.', or NAME(ARG)): the shapes
 * libkdumpfile's parser is safe on. The value is not looked at here (a
 * release with escape bytes is a mismatch to report, quoted inert).
 */
bool kt_vmcoreinfo_line_ok(const char *line, size_t n);

/**
 * The lines of VMCOREINFO @text (at most @len bytes, up to a NUL) whose key
 * libkdumpfile cannot file: a key with an empty part between dots (".A",
 * "A..B"), or one under another line's key once split at dots ("A.B" with
 * "A"; OFFSET(a.b) with OFFSET(a): the longer is marked). libkdumpfile
 * 0.5.1 crashes or leaks on those, and the kernel writes neither. Returns
 * a new array of *@nlines flags, true for such a line (lines counted at
 * '\n'), or NULL when out of memory.
 */
bool *kt_vmcoreinfo_unfiled(const char *text, size_t len, size_t *nlines);

#endif /* KT_CORE_VMCOREINFO_H */
