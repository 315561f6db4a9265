/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Finding the vmlinux of a dump by its kernel's release and build-id, as
 * gdb and drgn find debug info: the distribution's debug paths, the
 * user's, then debuginfod. A file is taken only when its GNU build-id is
 * the dump's (when the dump says it): a wrong file from a path or a server
 * is refused and named.
 */
#ifndef KT_CORE_DEBUGINFO_FIND_H
#define KT_CORE_DEBUGINFO_FIND_H

#include <stddef.h>

#include "core/error.h"

/* Bytes downloaded so far, of @total (0: not known yet). */
typedef void (*kt_download_progress)(void *arg, long done, long total);

struct kt_vmlinux_search {
	char *path;	/* the vmlinux found (malloc()ed), or NULL */
	char *how;	/* where it came from, one phrase (malloc()ed) */
	char *tried;	/* each place looked at and why not, "; "-separated */
};

/**
 * Look for the vmlinux of kernel @release whose build-id is @build_id (hex;
 * "" when the dump does not say), in order:
 *   /usr/lib/debug/boot/vmlinux-RELEASE,
 *   /usr/lib/debug/.build-id/NN/REST.debug,
 *   each directory of $KTRIAGE_DEBUG_PATH (':'-separated): DIR/vmlinux-
 *   RELEASE, DIR/boot/vmlinux-RELEASE, DIR/.build-id/NN/REST.debug,
 *   debuginfod (libdebuginfod: $DEBUGINFOD_URLS, its cache), calling
 *   @progress while it downloads.
 * Returns NULL with ret->path set, or KT_ERR_LOOKUP saying where it looked,
 * what it found there and what to install. Free @ret with
 * kt_vmlinux_search_deinit() either way.
 */
struct kt_error *kt_vmlinux_find(const char *release, const char *build_id,
				 kt_download_progress progress, void *arg,
				 struct kt_vmlinux_search *ret);

/**
 * A debug file (a module's .ko) whose build-id is @build_id: the
 * .build-id trees of /usr/lib/debug and $KTRIAGE_DEBUG_PATH, then
 * debuginfod. As kt_vmlinux_find() otherwise.
 */
struct kt_error *kt_debuginfo_find(const char *build_id,
				   kt_download_progress progress, void *arg,
				   struct kt_vmlinux_search *ret);

void kt_vmlinux_search_deinit(struct kt_vmlinux_search *s);

/**
 * The GNU build-id of ELF file @path, in hex, into @buf (at least 41
 * bytes); false when it has none or is no ELF file.
 */
bool kt_elf_build_id(const char *path, char *buf, size_t size);

#endif /* KT_CORE_DEBUGINFO_FIND_H */
