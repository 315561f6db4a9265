/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The vmlinux ELF file: its symbols, sections, build-id and the bytes of
 * its data as linked (before KASLR). With dwarf.c, the only code that
 * talks to libelf.
 */
#ifndef KT_CORE_VMLINUX_H
#define KT_CORE_VMLINUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/symtab.h"

struct kt_vmlinux;

/** Lowest address of the kernel image mapping (__START_KERNEL_map). */
#define KT_START_KERNEL_MAP 0xffffffff80000000ULL

/**
 * Open a vmlinux. It must be an x86-64 ELF executable with a symbol table.
 * Its symbols are at their linked addresses until kt_vmlinux_relocate().
 */
struct kt_error *kt_vmlinux_open(const char *path, struct kt_vmlinux **ret);

/** Free; NULL is accepted. */
void kt_vmlinux_destroy(struct kt_vmlinux *vm);

/** The path given at open; owned by @vm. */
const char *kt_vmlinux_path(const struct kt_vmlinux *vm);

/** The GNU build-id as lower-case hex, or "" when absent. */
const char *kt_vmlinux_build_id(const struct kt_vmlinux *vm);

/** True when the file has DWARF (.debug_info). */
bool kt_vmlinux_has_dwarf(const struct kt_vmlinux *vm);

/** The libelf handle, for dwarf.c; owned by @vm. */
void *kt_vmlinux_elf(const struct kt_vmlinux *vm);

/**
 * The file's symbols; owned by @vm. They are at their linked addresses
 * until kt_vmlinux_relocate() moves them.
 */
const struct kt_symtab *kt_vmlinux_symtab(const struct kt_vmlinux *vm);

/**
 * Move the kernel image's symbols (those at or above KT_START_KERNEL_MAP)
 * to @offset from their linked addresses; per-CPU offsets stay.
 */
void kt_vmlinux_relocate(struct kt_vmlinux *vm, uint64_t offset);

/** The offset kt_vmlinux_relocate() applied (0 before). */
uint64_t kt_vmlinux_offset(const struct kt_vmlinux *vm);

/**
 * Read @size bytes at linked address @addr from the file's sections. Only
 * linked: with a small KASLR offset a relocated address can be another
 * linked one, so no guess is made.
 * KT_ERR_LOOKUP if no section with file contents holds them.
 */
struct kt_error *kt_vmlinux_read(const struct kt_vmlinux *vm, uint64_t addr,
				 void *buf, size_t size);

/** A section's linked address and size; KT_ERR_LOOKUP if absent. */
struct kt_error *kt_vmlinux_section(const struct kt_vmlinux *vm,
				    const char *name, uint64_t *addr,
				    uint64_t *size);

/**
 * The kernel release from the file's linux_banner ("6.1.0-56-cloud-amd64")
 * and the whole banner; both owned by @vm, "" when absent.
 */
const char *kt_vmlinux_release(const struct kt_vmlinux *vm);
const char *kt_vmlinux_banner(const struct kt_vmlinux *vm);

#endif /* KT_CORE_VMLINUX_H */
