/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Physical memory of an ELF vmcore (/proc/vmcore copies, QEMU's
 * dump-guest-memory, makedumpfile -E), read from its PT_LOAD segments: a
 * byte at physical address A is at file offset p_offset + (A - p_paddr) of
 * the segment with p_paddr <= A < p_paddr + p_filesz. Bytes past p_filesz
 * (up to p_memsz) were not saved. The segments were checked against the
 * file's size before (dump_check.c).
 */
#ifndef KT_CORE_ELF_PAGES_H
#define KT_CORE_ELF_PAGES_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct kt_elf_pages;

/**
 * Index the PT_LOAD segments of the ELF64 core file @fd. *@ret is NULL,
 * with no error, when @fd is not one.
 */
struct kt_error *kt_elf_pages_open(int fd, struct kt_elf_pages **ret);

void kt_elf_pages_destroy(struct kt_elf_pages *e);

/**
 * Read @size bytes at physical @paddr. KT_FAULT_NONE, or KT_FAULT_EXCLUDED
 * at the first byte no segment holds, KT_FAULT_READ when the file cannot
 * be read there; *@done bytes were read before it.
 */
enum kt_fault kt_elf_pages_read(struct kt_elf_pages *e, uint64_t paddr,
				void *buf, size_t size, size_t *done);

/**
 * Read page @pfn whole: KT_FAULT_EXCLUDED when one segment does not hold
 * all of it (kt_elf_pages_read() then tells which bytes are held).
 */
enum kt_fault kt_elf_pages_read_page(struct kt_elf_pages *e, uint64_t pfn,
				     void *buf);

#endif /* KT_CORE_ELF_PAGES_H */
