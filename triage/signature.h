/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Failure signatures: what crashed and where, in words that do not change
 * with KASLR, addresses, pids or the time of the crash, so that two dumps
 * of one bug on one kernel get the same signature and the team's store can
 * say "seen before" (docs/signature.md).
 *
 * A signature has four parts:
 *  - kind: the panic's kind from the log ("BUG", "page fault: read",
 *    "general protection fault", "hung task", "soft lockup", ...);
 *  - frames: up to KT_SIG_FRAMES functions of the panic stack, innermost
 *    first, from the interrupted context of an exception (else from the
 *    panic task's top), with the generic frames of the panic, trap, IRQ
 *    and scheduler paths skipped and compiler suffixes (.cold, .part.N,
 *    .isra.N, .constprop.N) cut;
 *  - module: the module of the first of those frames that is in one;
 *  - finding: the top finding's "plugin/kind".
 * Its text joins them with " | " (frames with " < "), and its id is a
 * 64-bit FNV-1a hash of the text in hex.
 */
#ifndef KT_TRIAGE_SIGNATURE_H
#define KT_TRIAGE_SIGNATURE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/program.h"
#include "plugins/plugin.h"

#define KT_SIG_FRAMES 3

struct kt_signature {
	char kind[80];
	char frames[KT_SIG_FRAMES][96];
	size_t nframes;
	char module[64];	/* "": the kernel itself */
	char finding[96];	/* "plugin/kind", "plugin", "": none */
	char text[512];
	char id[17];
};

/**
 * The signature of @prog's dump, with @fs the analyzers' findings (NULL:
 * none). Parts that cannot be read stay empty; errors only when the log
 * cannot be read at all.
 */
struct kt_error *kt_signature_of(struct kt_program *prog,
				 const struct kt_findings *fs,
				 struct kt_signature *ret);

/**
 * The panic's kind from the panic() message @panic, the oops line behind
 * it @cause (may be empty) and the page fault's "#PF: supervisor ..."
 * line @pf (may be NULL). Printable ASCII, never the dump's raw bytes
 * unfiltered.
 */
void kt_signature_kind(const char *panic, const char *cause, const char *pf,
		       char *buf, size_t len);

/** @name without its compiler suffixes: "foo.cold" -> "foo". */
void kt_signature_function(const char *name, char *buf, size_t len);

/** True for a frame of the panic, trap, IRQ-entry or scheduler paths. */
bool kt_signature_generic(const char *function);

/** Fill ->text and ->id from the parts. */
void kt_signature_finish(struct kt_signature *s);

/** Parse a signature's text back into its parts (and id); false if bad. */
bool kt_signature_parse(const char *text, struct kt_signature *ret);

/**
 * How close @b is to @a, 0 (nothing shared) to 100 (the same id): the
 * kind, the innermost frame, the frames in common, the module and the
 * finding, weighted in that order of importance.
 */
int kt_signature_score(const struct kt_signature *a,
		       const struct kt_signature *b);

#endif /* KT_TRIAGE_SIGNATURE_H */
