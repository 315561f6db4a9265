/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test helpers: the shared dumps, their drgn-made expected facts
 * (tests/expected/NAME.json) and running the ktriage binary.
 *
 * Paths come from the environment that scripts/test.sh sets: KT_VMLINUX,
 * KT_FIXTURES, KT_BINARY, KT_TESTDATA. A missing one fails the test: a
 * suite that skips what it cannot find proves nothing.
 */
#ifndef KT_TESTS_HELPERS_H
#define KT_TESTS_HELPERS_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "core/program.h"

/** The six shared dumps (Debian's 6.1 kernel), NULL-terminated. */
extern const char *const kt_test_dumps[];
#define KT_TEST_NDUMPS 6

/*
 * The scenarios only the kernel matrix has (made by the recipe, not in
 * the shared fixtures): crash kinds for the analyzers. Tests of findings
 * run on them too; the oracles' facts about stacks, structs and kmem are
 * gathered on the six.
 */
extern const char *const kt_test_finding_dumps[];
#define KT_TEST_NFINDING_DUMPS 12

/*
 * The kernel matrix: KT_KERNELS names the kernels (e.g. "6.1 5.10 6.12"),
 * KT_KERNEL_ROOT the folder that tests/vmcores/regen.sh fills, one
 * KT_KERNEL_ROOT/NAME/ per kernel: vmlinux, fixtures/dumps/SCENARIO.kdump
 * and .dmesg.txt, fixtures/modules/, expected/ (the oracles' facts, as
 * tests/expected holds them for the shared dumps) and
 * dumps/SCENARIO/serial-kdump.log. Each kernel has a dump of every one of
 * the six scenarios and of the finding scenarios.
 *
 * A dump's name is "SCENARIO" for a shared dump and "KERNEL/SCENARIO" for
 * a dump of the matrix; every helper below takes either.
 */
#define KT_TEST_MAXKERNELS 8

/*
 * A parameter of a test run once per dump. Criterion re-executes the test
 * binary, so a parameter carries its bytes, not a pointer.
 */
struct kt_dump_param {
	char name[64];
};

/**
 * Fill @p (room for KT_TEST_NDUMPS * (1 + KT_TEST_MAXKERNELS)) with the
 * shared dumps and, when @matrix, every dump of every kernel in KT_KERNELS;
 * returns how many.
 */
size_t kt_test_dump_params(struct kt_dump_param *p, bool matrix);

/**
 * Fill @p (room for KT_TEST_NDUMPS + (KT_TEST_NDUMPS +
 * KT_TEST_NFINDING_DUMPS) * KT_TEST_MAXKERNELS) with every dump: the
 * shared ones, and every kernel's six and finding scenarios.
 */
size_t kt_test_all_dump_params(struct kt_dump_param *p);

/** Every dump and every crash kind: for the analyzers' tests. */
#define KT_ALL_DUMP_PARAMS()                                               \
	do {                                                               \
		static struct kt_dump_param                                \
			p[KT_TEST_NDUMPS + (KT_TEST_NDUMPS +               \
					    KT_TEST_NFINDING_DUMPS) *      \
					   KT_TEST_MAXKERNELS];            \
		size_t n = kt_test_all_dump_params(p);                     \
		return cr_make_param_array(struct kt_dump_param, p, n);    \
	} while (0)

/** Every dump, shared and of the kernel matrix, as parameters. */
#define KT_DUMP_PARAMS() KT_DUMP_PARAMS_(true)
/** The shared dumps only: for facts only crash or a fixed file gives. */
#define KT_SHARED_DUMP_PARAMS() KT_DUMP_PARAMS_(false)
#define KT_DUMP_PARAMS_(matrix)                                           \
	do {                                                              \
		static struct kt_dump_param                               \
			p[KT_TEST_NDUMPS * (1 + KT_TEST_MAXKERNELS)];     \
		size_t n = kt_test_dump_params(p, matrix);                \
		return cr_make_param_array(struct kt_dump_param, p, n);   \
	} while (0)

/** The scenario of dump NAME ("6.12/hctx-fq" -> "hctx-fq"). */
const char *kt_test_scenario(const char *name);

/** The vmlinux of dump NAME's kernel. */
const char *kt_test_vmlinux(const char *name);

/** The module debuginfo folder of dump NAME's kernel (a new string). */
char *kt_test_moddir(const char *name);

/** An environment variable's value; fails the test when unset. */
const char *kt_test_env(const char *name);

/** The path of dump NAME (e.g. "hctx-fq" -> .../hctx-fq.kdump). */
char *kt_test_dump_path(const char *name, const char *suffix);

/** Open dump NAME with its kernel's vmlinux and module dir; asserts. */
struct kt_program *kt_test_open(const char *name);

/**
 * Open the dump at @path (and @path2, the second part of a split dump, or
 * NULL) with the test vmlinux, searching module debuginfo in the shared
 * fixtures when @modules; asserts that it opens.
 */
struct kt_program *kt_test_open_files(const char *path, const char *path2,
				      bool modules);

/**
 * Open the dump at @path with @vmlinux, searching module debuginfo in
 * @moddir (NULL: none); asserts that it opens.
 */
struct kt_program *kt_test_open_with(const char *path, const char *vmlinux,
				     const char *moddir);

/** Member @k of JSON object @o, or NULL. */
cJSON *kt_test_get(const cJSON *o, const char *k);

/** A JSON string "0x..." as a number; asserts that it is a string. */
uint64_t kt_test_hex(const cJSON *o);

/**
 * The oracles' facts NAME.json, parsed; asserts. NAME is a dump name with
 * an optional suffix ("6.12/hctx-fq.hctx_fq"): tests/expected/ for a
 * shared dump, KT_KERNEL_ROOT/KERNEL/expected/ for a dump of the matrix.
 */
cJSON *kt_test_expected(const char *name);

/** A new empty directory /tmp/kt-@tag-XXXXXX (a new string); asserts. */
char *kt_test_mkdtemp(const char *tag);

/** Remove @path and everything below it. */
void kt_test_rmtree(const char *path);

/** Read a whole file; NULL when it cannot be read. */
char *kt_test_slurp(const char *path, size_t *len);

/** Result of running the ktriage binary. */
struct kt_run {
	int status;	/* exit status, or -1 if it did not exit */
	char *out, *err;
};

/**
 * Run the ktriage binary with @argv (NULL-terminated, without argv[0])
 * and capture its output (tests/run.c; kt_test_run_limited() there for
 * limits). Free with kt_run_free().
 */
struct kt_run kt_test_run(const char *const *argv);
void kt_run_free(struct kt_run *r);

struct kt_findings;
struct kt_finding;
struct kt_ref;

/**
 * Run built-in plugin @name on @prog into @out (which it zeroes), asserting
 * that its needs are met and that it succeeds. KT_SHOW_FINDINGS=1 prints
 * the findings, to read them.
 */
void kt_test_run_plugin(struct kt_program *prog, const char *name,
			struct kt_findings *out);

/** The evidence of @f labelled @label, else the first whose label starts
 * with it; NULL when none. */
const struct kt_ref *kt_test_ref(const struct kt_finding *f, const char *label);

/** The @nth evidence of @f labelled exactly @label, or NULL. */
const struct kt_ref *kt_test_ref_nth(const struct kt_finding *f,
				     const char *label, int nth);

/** True when a derivation step of @f contains @text. */
bool kt_test_has_step(const struct kt_finding *f, const char *text);

#endif /* KT_TESTS_HELPERS_H */
