/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The case targets' files: a private directory, and our own case of the
 * fuzzed dump, made anew for every input so that no run sees another's.
 */
#ifndef KT_FUZZ_CASEFILE_H
#define KT_FUZZ_CASEFILE_H

#include "db/case.h"

/** The identity of kt_fuzz_program()'s dump; computed once. */
const struct kt_case_identity *kt_fuzz_case_identity(void);

/** @name in the target's private directory (removed at exit). */
const char *kt_fuzz_case_path(const char *name);

/** A new, empty case "ours.ktriage" of the dump, opened for writing. */
struct kt_case *kt_fuzz_case_new(void);

/** Close @c and remove its files. */
void kt_fuzz_case_drop(struct kt_case *c);

/** Everything a case holds, read back and touched (notes, verdicts...). */
void kt_fuzz_case_read_all(struct kt_case *c);

#endif /* KT_FUZZ_CASEFILE_H */
