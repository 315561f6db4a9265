/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Making bytes from a dump safe to print. A task may name itself with
 * escape sequences; a corrupt log may hold any byte. Nothing read from a
 * dump reaches a terminal or a JSON document without passing here.
 */
#ifndef KT_CORE_SANITIZE_H
#define KT_CORE_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>

/**
 * Copy at most @len bytes of @in (stopping at a NUL) into @out, of @size
 * bytes, always terminated. Control characters (but tab), DEL, C1 controls and bytes
 * that are not valid UTF-8 become \xNN; valid printable UTF-8 is kept.
 * With @keep_newlines, '\n' is kept. Returns the length written.
 */
size_t kt_sanitize(const char *in, size_t len, char *out, size_t size,
		   bool keep_newlines);

/** The buffer size that always holds kt_sanitize() of @len bytes. */
#define KT_SANITIZED_SIZE(len) ((len) * 4 + 1)

#endif /* KT_CORE_SANITIZE_H */
