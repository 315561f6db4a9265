/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading text a line at a time, within bounds. Every file ktriage reads
 * as lines (commands from -i FILE or standard input, the ktriagerc, source
 * files for dis -l) goes through here, so no input makes a line, or the
 * whole read, grow without bound: /dev/zero or a file without a newline
 * ends in an error that names the file and the line, not in an
 * exhausted machine.
 *
 * Invariants: a returned line holds no NUL and no '\n', and is at most
 * max_line bytes; at most max_total bytes are read from the file (when
 * max_total is not 0). A caller that goes on after an error (the rest of
 * a bad line is skipped on the next call) must set max_total, or a line
 * that never ends would be skipped forever.
 */
#ifndef KT_CORE_LINES_H
#define KT_CORE_LINES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/error.h"

struct kt_lines {
	FILE *fp;		/* not owned */
	const char *name;	/* for messages: a path, "standard input" */
	size_t max_line;	/* longest line, without its newline */
	uint64_t max_total;	/* bytes read in all; 0: no limit */
	uint64_t total;
	unsigned long lineno;	/* of the line last returned, from 1 */
	char *buf;		/* max_line + 1 bytes, on first need */
	bool skip;		/* the rest of a bad line is to be skipped */
	bool done;		/* end of file, or an error that ends it */
};

/** Read lines of @fp (@name in messages); @name is not copied. */
void kt_lines_init(struct kt_lines *r, FILE *fp, const char *name,
		   size_t max_line, uint64_t max_total);

void kt_lines_deinit(struct kt_lines *r);

/**
 * The next line, without its "\n", into *@ret and its length into
 * *@len_ret; *@ret is NULL at the end of the input. The line is r->buf,
 * valid until the next call. A last line without a newline is a line.
 *
 * Errors ("NAME:LINE: what"): a line longer than max_line or holding a
 * NUL byte (the next call goes on after that line), more than max_total
 * bytes or a read error (the next calls return the end).
 */
struct kt_error *kt_lines_next(struct kt_lines *r, char **ret,
			       size_t *len_ret);

#endif /* KT_CORE_LINES_H */
