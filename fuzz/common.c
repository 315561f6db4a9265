// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/program.h"
#include "fuzz/common.h"

const char *kt_fuzz_env(const char *name)
{
	const char *v = getenv(name);

	if (!v || !*v) {
		fprintf(stderr, "fuzz: set %s (see fuzz/README.md)\n", name);
		exit(2);
	}
	return v;
}

struct kt_program *kt_fuzz_program(void)
{
	static struct kt_program *prog;
	static char dump[4096];
	const char *name = getenv("KT_FUZZ_DUMP"), *paths[1] = { dump };
	struct kt_open_options o = { .ndump_paths = 1,
				     .no_std_module_dirs = true };
	struct kt_error *err;

	if (prog)
		return prog;
	snprintf(dump, sizeof(dump), "%s/dumps/%s.kdump",
		 kt_fuzz_env("KT_FIXTURES"), name && *name ? name : "list-poison");
	o.dump_paths = paths;
	o.vmlinux_path = kt_fuzz_env("KT_VMLINUX");
	err = kt_program_open(&o, &prog);
	if (err) {
		fprintf(stderr, "fuzz: %s\n", err->message);
		exit(2);
	}
	return prog;
}

int kt_fuzz_file(const uint8_t *data, size_t size, char path[32])
{
	int fd = memfd_create("kt-fuzz", MFD_CLOEXEC);

	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size)) {
		perror("fuzz: memfd");
		abort();
	}
	snprintf(path, 32, "/proc/self/fd/%d", fd);
	return fd;
}

void kt_fuzz_drop(struct kt_error *err)
{
	static int verbose = -1;

	if (verbose < 0)
		verbose = !!getenv("KT_FUZZ_VERBOSE");
	if (err && verbose)
		fprintf(stderr, "fuzz: %s\n", err->message);
	kt_error_destroy(err);
}

bool kt_fuzz_catch(struct kt_error *err)
{
	kt_fuzz_drop(err);
	return err;
}

void kt_fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "fuzz: %s:%d: %s\n", file, line, what);
	abort();
}
