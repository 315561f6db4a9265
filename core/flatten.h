/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * makedumpfile -F (and QEMU's dump-guest-memory kdump output) write the
 * "flattened" stream: a 4 KiB header, then {be64 offset, be64 size, data}
 * records that say where each piece belongs in the real file, ended by an
 * offset of -1. libkdumpfile 0.5.1 cannot read it, so core/dump.c rebuilds
 * the file as makedumpfile -R would.
 */
#ifndef KT_CORE_FLATTEN_H
#define KT_CORE_FLATTEN_H

#include <stdbool.h>

#include "core/error.h"

/** True when the file @fd starts with the flattened format's signature. */
bool kt_flat_is(int fd);

/**
 * Write the dump the flattened file @in holds into @out (an empty file),
 * each record at its offset. @path names @in in messages. A record that
 * is corrupt or runs past the end of @in is an error, and so is a stream
 * without its end record.
 */
struct kt_error *kt_flat_rebuild(int in, int out, const char *path);

#endif /* KT_CORE_FLATTEN_H */
