/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A real dump whose memory reads return fuzzed bytes: the walkers' targets
 * run over the shared dump, and the fuzzer's input rewrites what some of
 * their reads return (core/dump.h's read hook).
 *
 * The input is consumed by the reads in the order they happen. Each read
 * takes an op byte (none left: the read is left alone):
 *
 *   op % 8  0-3  leave the read alone
 *           4    fail it: the page is excluded from the dump
 *           5    pos, 8 bytes: xor a word at pos (pos / 256 of the read)
 *           6    pos, k, d: write a pointer at pos: the address of the
 *                k-th last read (k % 16) plus d * 8 (d signed): cycles,
 *                back links and pointers into the same object
 *           7    n, bytes: the first n bytes become the input's next ones
 *
 * so an empty input is the real dump, and a byte that libFuzzer flips
 * changes one read. Every read is counted: a walk that reads without
 * bound is found by its count, not only by libFuzzer's -timeout.
 */
#ifndef KT_FUZZ_OVERLAY_H
#define KT_FUZZ_OVERLAY_H

#include <stddef.h>
#include <stdint.h>

struct kt_program;

#define KT_OVERLAY_RECENT 16

struct kt_overlay {
	const uint8_t *p, *end;	/* what is left of the input */
	uint64_t recent[KT_OVERLAY_RECENT];	/* last reads' addresses */
	unsigned nrecent;
	uint64_t reads, changed;
	uint64_t max_reads;	/* more aborts: an unbounded walk */
};

/**
 * Make @prog's reads go through @ov over @data (@size bytes), after
 * dropping what @prog loaded from memory before (kt_program_forget()).
 */
void kt_overlay_start(struct kt_overlay *ov, struct kt_program *prog,
		      const uint8_t *data, size_t size, uint64_t max_reads);

/** Back to the real dump; drops what was loaded through the overlay. */
void kt_overlay_stop(struct kt_overlay *ov, struct kt_program *prog);

#endif /* KT_FUZZ_OVERLAY_H */
