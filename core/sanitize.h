/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Making bytes ktriage did not write safe to print. A task may name itself
 * with escape sequences; a corrupt log may hold any byte; a case file, a
 * command line or a file name may hold anything. Nothing of theirs reaches
 * a terminal, a JSON document or an error message without passing here.
 *
 * The rule everywhere: printable ASCII, tab and valid UTF-8 of printable
 * characters are kept; every other byte (C0 and C1 controls, DEL, bytes
 * that are not valid UTF-8) becomes the four characters \xNN. The rule is
 * idempotent: sanitised text passes through unchanged, so text may be
 * sanitised where it is made and again where it is printed.
 */
#ifndef KT_CORE_SANITIZE_H
#define KT_CORE_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/**
 * Copy at most @len bytes of @in (stopping at a NUL) into @out, of @size
 * bytes, always terminated, sanitised. With @keep_newlines, '\n' is kept.
 * Returns the length written.
 */
size_t kt_sanitize(const char *in, size_t len, char *out, size_t size,
		   bool keep_newlines);

/** The buffer size that always holds kt_sanitize() of @len bytes. */
#define KT_SANITIZED_SIZE(len) ((len) * 4 + 1)

/** True when kt_sanitize() would change the NUL-terminated @s. */
bool kt_sanitize_needed(const char *s, bool keep_newlines);

/**
 * @s sanitised, malloc()ed (NULL when memory is short). With
 * @keep_newlines, '\n' is kept.
 */
char *kt_sanitize_dup(const char *s, bool keep_newlines);

/**
 * A stream that passes what is written to it on to @dest, sanitised with
 * newlines kept; a NUL becomes \x00, and a UTF-8 character split between
 * two writes is kept whole. It is buffered as @dest is (by lines on a
 * terminal) and flushes @dest after each of its own flushes. Closing it
 * leaves @dest open. NULL when memory is short.
 *
 * The batch commands' standard output and error are such streams: every
 * byte printed passes the sanitiser, whatever the code that printed it
 * forgot.
 */
FILE *kt_sanitize_stream(FILE *dest);

#endif /* KT_CORE_SANITIZE_H */
