// SPDX-License-Identifier: GPL-2.0-or-later
#include <criterion/criterion.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plugins/plugin.h"
#include "tests/helpers.h"

const char *const kt_test_dumps[] = {
	"sysrq-null", "hctx-fq", "hctx-fq-exit", "nbd-orphan-hung",
	"list-poison", "irq-lock", NULL,
};

const char *const kt_test_finding_dumps[] = {
	"list-double-del", "list-neighbour", "stale-ref", "lock-chain",
	"rcu-stall", "warn", "div0", "nx", "stack-overflow", "kyber-ctx",
	"wait-kinds", "list-garbage", NULL,
};

const char *kt_test_env(const char *name)
{
	const char *v = getenv(name);

	cr_assert(v && *v, "%s is not set: run the tests with scripts/test.sh",
		  name);
	return v;
}

/* The shared dumps and each kernel's six (and finding) scenarios. */
static size_t dump_params(struct kt_dump_param *p, bool matrix, bool findings)
{
	const char *ks = matrix ? getenv("KT_KERNELS") : NULL;
	size_t n = 0, nk = 0;

	for (int i = 0; i < KT_TEST_NDUMPS; i++)
		snprintf(p[n++].name, sizeof(p->name), "%s", kt_test_dumps[i]);
	while (ks && *ks && nk < KT_TEST_MAXKERNELS) {
		size_t len = strcspn(ks, " ,");

		if (len) {
			for (int i = 0; i < KT_TEST_NDUMPS; i++)
				snprintf(p[n++].name, sizeof(p->name), "%.*s/%s",
					 (int)len, ks, kt_test_dumps[i]);
			for (int i = 0; findings && i < KT_TEST_NFINDING_DUMPS;
			     i++)
				snprintf(p[n++].name, sizeof(p->name), "%.*s/%s",
					 (int)len, ks,
					 kt_test_finding_dumps[i]);
			nk++;
		}
		ks += len;
		ks += strspn(ks, " ,");
	}
	return n;
}

size_t kt_test_dump_params(struct kt_dump_param *p, bool matrix)
{
	return dump_params(p, matrix, false);
}

size_t kt_test_all_dump_params(struct kt_dump_param *p)
{
	return dump_params(p, true, true);
}

const char *kt_test_scenario(const char *name)
{
	const char *slash = strchr(name, '/');

	return slash ? slash + 1 : name;
}

/* KT_KERNEL_ROOT/KERNEL/REL of dump NAME of the matrix; NULL if shared. */
static char *kernel_path(const char *name, const char *rel)
{
	const char *slash = strchr(name, '/');
	char *path;

	if (!slash)
		return NULL;
	cr_assert(asprintf(&path, "%s/%.*s/%s", kt_test_env("KT_KERNEL_ROOT"),
			   (int)(slash - name), name, rel) > 0);
	return path;
}

const char *kt_test_vmlinux(const char *name)
{
	// Static: the caller keeps it as long as it likes, nothing leaks.
	static char buf[4096];
	char *path = kernel_path(name, "vmlinux");

	if (!path)
		return kt_test_env("KT_VMLINUX");
	snprintf(buf, sizeof(buf), "%s", path);
	free(path);
	return buf;
}

char *kt_test_moddir(const char *name)
{
	char *path = kernel_path(name, "fixtures/modules");

	if (!path)
		cr_assert(asprintf(&path, "%s/modules",
				   kt_test_env("KT_FIXTURES")) > 0);
	return path;
}

char *kt_test_dump_path(const char *name, const char *suffix)
{
	char *path, *rel;

	cr_assert(asprintf(&rel, "fixtures/dumps/%s%s",
			   kt_test_scenario(name), suffix) > 0);
	path = kernel_path(name, rel);
	free(rel);
	if (!path)
		cr_assert(asprintf(&path, "%s/dumps/%s%s",
				   kt_test_env("KT_FIXTURES"), name,
				   suffix) > 0);
	return path;
}

struct kt_program *kt_test_open_with(const char *path, const char *vmlinux,
				     const char *moddir)
{
	// The program keeps these pointers: static, so nothing leaks.
	static char dump[4096], vml[4096], mods[4096];
	static const char *paths[] = { dump }, *dirs[] = { mods };
	struct kt_open_options o = {
		.dump_paths = paths,
		.ndump_paths = 1,
		.vmlinux_path = vml,
		.module_dirs = dirs,
		.nmodule_dirs = moddir != NULL,
		.no_std_module_dirs = true,
	};
	struct kt_program *prog;
	struct kt_error *err;

	snprintf(dump, sizeof(dump), "%s", path);
	snprintf(vml, sizeof(vml), "%s", vmlinux);
	snprintf(mods, sizeof(mods), "%s", moddir ? moddir : "");
	err = kt_program_open(&o, &prog);
	cr_assert_null(err, "opening %s: %s", path, err ? err->message : "");
	return prog;
}

struct kt_program *kt_test_open_files(const char *path, const char *path2,
				      bool modules)
{
	// The program keeps these pointers: static, so nothing leaks.
	static char dump[4096], dump2[4096], moddir[4096];
	static const char *paths[] = { dump, dump2 }, *dirs[] = { moddir };
	struct kt_open_options o = {
		.dump_paths = paths,
		.ndump_paths = path2 ? 2 : 1,
		.vmlinux_path = kt_test_env("KT_VMLINUX"),
		.module_dirs = dirs,
		.nmodule_dirs = modules,
		.no_std_module_dirs = true,
	};
	struct kt_program *prog;
	struct kt_error *err;

	snprintf(dump, sizeof(dump), "%s", path);
	snprintf(dump2, sizeof(dump2), "%s", path2 ? path2 : "");
	snprintf(moddir, sizeof(moddir), "%s/modules",
		 kt_test_env("KT_FIXTURES"));
	err = kt_program_open(&o, &prog);
	cr_assert_null(err, "opening %s: %s", path, err ? err->message : "");
	return prog;
}

struct kt_program *kt_test_open(const char *name)
{
	char *path = kt_test_dump_path(name, ".kdump");
	char *moddir = kt_test_moddir(name);
	struct kt_program *prog =
		kt_test_open_with(path, kt_test_vmlinux(name), moddir);

	free(moddir);
	free(path);
	return prog;
}

cJSON *kt_test_expected(const char *name)
{
	char path[4096], *kpath, *rel;
	cJSON *doc;
	char *text;

	cr_assert(asprintf(&rel, "expected/%s.json", kt_test_scenario(name)) > 0);
	kpath = kernel_path(name, rel);
	free(rel);
	if (kpath) {
		snprintf(path, sizeof(path), "%s", kpath);
		free(kpath);
	} else {
		snprintf(path, sizeof(path), "%s/tests/expected/%s.json",
			 KT_SOURCE_DIR, name);
	}
	text = kt_test_slurp(path, NULL);
	cr_assert_not_null(text, "cannot read %s", path);
	doc = cJSON_Parse(text);
	free(text);
	cr_assert_not_null(doc, "%s is not JSON", path);
	return doc;
}

static char *read_fd(int fd, size_t *len)
{
	char *buf = NULL;
	size_t cap = 0, n = 0;
	ssize_t r;

	do {
		if (n + 65536 + 1 > cap) {
			cap = (n + 65536 + 1) * 2;
			buf = realloc(buf, cap);
			cr_assert_not_null(buf);
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r > 0)
			n += r;
	} while (r > 0);
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

char *kt_test_slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf;

	if (fd < 0)
		return NULL;
	buf = read_fd(fd, len);
	close(fd);
	return buf;
}

char *kt_test_mkdtemp(const char *tag)
{
	char *dir;

	cr_assert_geq(asprintf(&dir, "/tmp/kt-%s-XXXXXX", tag), 0);
	cr_assert_not_null(mkdtemp(dir), "mkdtemp %s", dir);
	return dir;
}

void kt_test_rmtree(const char *path)
{
	char *cmd;

	cr_assert_geq(asprintf(&cmd, "rm -rf '%s'", path), 0);
	cr_expect_eq(system(cmd), 0, "%s", cmd);
	free(cmd);
}

void kt_run_free(struct kt_run *r)
{
	free(r->out);
	free(r->err);
}

static void show_findings(const struct kt_findings *out)
{
	if (!getenv("KT_SHOW_FINDINGS"))
		return;
	for (size_t i = 0; i < out->n; i++) {
		const struct kt_finding *f = &out->v[i];

		fprintf(stderr, "%s [%s] %s\n  %s\n", f->id,
			kt_severity_name(f->severity), f->title,
			f->explanation ? f->explanation : "");
		for (size_t k = 0; k < f->nrefs; k++)
			fprintf(stderr, "  ref %s \"%s\" pid %d cpu %d level %d "
				"addr 0x%" PRIx64 " value 0x%" PRIx64 " %s\n",
				kt_ref_kind_name(f->refs[k].kind),
				f->refs[k].label, f->refs[k].pid,
				f->refs[k].cpu, f->refs[k].level,
				f->refs[k].addr, f->refs[k].value,
				f->refs[k].text ? f->refs[k].text : "");
		for (size_t k = 0; k < f->nsteps; k++)
			fprintf(stderr, "  - %s\n", f->steps[k]);
	}
}

void kt_test_run_plugin(struct kt_program *prog, const char *name,
			struct kt_findings *out)
{
	const struct kt_plugin *p = kt_plugin_find(name);
	char why[512];

	cr_assert_not_null(p, "no plugin %s", name);
	cr_assert_null(kt_plugin_check(p, prog, why, sizeof(why)), "%s: %s",
		       name, why);
	memset(out, 0, sizeof(*out));
	cr_assert_null(p->run(prog, out));
	cr_assert_not(out->nomem);
	show_findings(out);
}

const struct kt_ref *kt_test_ref(const struct kt_finding *f, const char *label)
{
	for (size_t i = 0; i < f->nrefs; i++)
		if (!strcmp(f->refs[i].label, label))
			return &f->refs[i];
	for (size_t i = 0; i < f->nrefs; i++)
		if (!strncmp(f->refs[i].label, label, strlen(label)))
			return &f->refs[i];
	return NULL;
}

const struct kt_ref *kt_test_ref_nth(const struct kt_finding *f,
				     const char *label, int nth)
{
	for (size_t i = 0; i < f->nrefs; i++)
		if (!strcmp(f->refs[i].label, label) && nth-- == 0)
			return &f->refs[i];
	return NULL;
}

bool kt_test_has_step(const struct kt_finding *f, const char *text)
{
	for (size_t i = 0; i < f->nsteps; i++)
		if (strstr(f->steps[i], text))
			return true;
	return false;
}

cJSON *kt_test_get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

uint64_t kt_test_hex(const cJSON *o)
{
	cr_assert(cJSON_IsString(o), "not a JSON string");
	return strtoull(o->valuestring, NULL, 16);
}
