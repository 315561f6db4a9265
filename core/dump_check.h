/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The checks core/dump.c runs on a dump's files before libkdumpfile reads
 * them. libkdumpfile 0.5.1 trusts what it reads further than it can bear
 * (a page descriptor bigger than a page overruns its buffer; see
 * dump_check.c), and it is not built with the sanitizers, so nothing
 * would show it: what it would choke on is refused here, with a message
 * that says which file and what is wrong.
 */
#ifndef KT_CORE_DUMP_CHECK_H
#define KT_CORE_DUMP_CHECK_H

#include <stdbool.h>

#include "core/error.h"

/**
 * Check the files @fds (named @paths in messages) of one dump: a kdump
 * file's header, sizes and every page descriptor; an ELF file's segments
 * against its size; a split dump's parts against the pfns they cover.
 * A file of another format passes: libkdumpfile then says what it is.
 */
struct kt_error *kt_dump_check_files(const int *fds, const char *const *paths,
				     unsigned nfds);

/**
 * True when @fd starts with a kdump signature ("KDUMP   " or
 * "DISKDUMP"), whatever follows: libkdumpfile then takes it for one.
 */
bool kt_dump_check_is_kdump(int fd);

#endif /* KT_CORE_DUMP_CHECK_H */
