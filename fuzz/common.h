/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the fuzz targets share: the real files they start from (named by
 * the test suite's environment) and a file made of the fuzzer's bytes.
 */
#ifndef KT_FUZZ_COMMON_H
#define KT_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kt_program;
struct kt_error;

/*
 * libFuzzer's entry points; declared here because every target defines
 * them and -Wmissing-prototypes asks for a prototype.
 */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** $@name, or exit with a message saying what to set. */
const char *kt_fuzz_env(const char *name);

/**
 * The shared dump the program-level targets read: $KT_FUZZ_DUMP
 * (default list-poison) of $KT_FIXTURES/dumps, opened once with
 * $KT_VMLINUX. Exits when it cannot be opened.
 */
struct kt_program *kt_fuzz_program(void);

/**
 * A file holding @data, for parsers that read files: an anonymous memory
 * file, named /proc/self/fd/N in *@path (32 bytes). Close the fd after.
 */
int kt_fuzz_file(const uint8_t *data, size_t size, char path[32]);

/**
 * Destroy @err (NULL is accepted); with $KT_FUZZ_VERBOSE set, print it
 * first: what a seed does is then visible.
 */
void kt_fuzz_drop(struct kt_error *err);

/** kt_fuzz_drop(@err); true when there was an error. */
bool kt_fuzz_catch(struct kt_error *err);

/** Abort with @what when @cond does not hold: a finding, not a bad input. */
#define KT_FUZZ_CHECK(cond, what)                                          \
	do {                                                               \
		if (!(cond))                                               \
			kt_fuzz_fail(__FILE__, __LINE__, what);           \
	} while (0)

void kt_fuzz_fail(const char *file, int line, const char *what)
	__attribute__((noreturn));

#endif /* KT_FUZZ_COMMON_H */
