// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Hostile dumps: copies of a shared dump with one thing made wrong, run
 * through the ktriage binary. They pass with the release build as well as
 * the ASan one: libkdumpfile is not built with the sanitizers, and what
 * it does wrong shows only as a signal (KT_BINARY picks the build).
 *
 * Documented exit statuses (README): 0 success, 1 a command failed, 3 the
 * dump cannot be opened. A signal is never one.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <elf.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/helpers.h"

#define BASE_DUMP "sysrq-null"
#define HDR_BLOCK_SIZE_OFF 428	/* i32 block_size, sub_hdr_size, bitmap_blocks */
#define SUB_VMCOREINFO_OFF 32	/* u64 offset_vmcoreinfo, size_vmcoreinfo */
#define DONOR "SYMBOL(kallsyms_names)="	/* a line nothing here reads */
#define PAD "KT_PAD="

/* A copy of the base dump, in memory, to corrupt and write out. */
struct image {
	unsigned char *data;
	size_t len;
};

static struct image load_base(void)
{
	char *path = kt_test_dump_path(BASE_DUMP, ".kdump");
	struct image im;

	im.data = (unsigned char *)kt_test_slurp(path, &im.len);
	cr_assert_not_null(im.data, "cannot read %s", path);
	cr_assert_gt(im.len, 2 * 4096);
	free(path);
	return im;
}

static int32_t hdr_i32(const struct image *im, size_t off)
{
	int32_t v;

	memcpy(&v, im->data + off, 4);
	return v;
}

/* Where the kdump sub-header says the VMCOREINFO text is. */
static void vmcoreinfo_span(const struct image *im, size_t *off, size_t *size)
{
	int32_t bs = hdr_i32(im, HDR_BLOCK_SIZE_OFF);
	uint64_t o, n;

	cr_assert(bs == 4096);
	memcpy(&o, im->data + bs + SUB_VMCOREINFO_OFF, 8);
	memcpy(&n, im->data + bs + SUB_VMCOREINFO_OFF + 8, 8);
	cr_assert(o > 12 && n > 0 && o + n <= im->len);
	// makedumpfile points it into the ELF note ("VMCOREINFO", padded to
	// 12 bytes, then the text): one change reaches both of libkdumpfile's
	// ways of reading it.
	cr_assert(!memcmp(im->data + o - 12, "VMCOREINFO", 11),
		  "VMCOREINFO is not its note's descriptor");
	*off = o;
	*size = n;
}

/*
 * Set VMCOREINFO line @key to @value in @im, keeping the text's size (the
 * ELF note and the sub-header give it): the donor line makes room, a
 * padding line takes up the rest. Returns the old value (a new string).
 */
static char *set_vmcoreinfo(struct image *im, const char *key,
			    const char *value)
{
	size_t off, size, klen = strlen(key), n = 0;
	char *text, *out, *old = NULL, *line, *p;

	vmcoreinfo_span(im, &off, &size);
	text = strndup((char *)im->data + off, size);
	out = calloc(1, size + 256);	// a line may overshoot, then assert
	cr_assert(text && out);
	for (p = text; (line = strsep(&p, "\n")) && *line;) {
		cr_assert_lt(n + strlen(line) + strlen(value) + 2, size + 256);
		if (!strncmp(line, DONOR, strlen(DONOR)))
			continue;
		if (!strncmp(line, key, klen) && line[klen] == '=') {
			old = strdup(line + klen + 1);
			n += sprintf(out + n, "%s=%s\n", key, value);
		} else {
			n += sprintf(out + n, "%s\n", line);
		}
		cr_assert_lt(n, size, "no room for %s=%s", key, value);
	}
	cr_assert_not_null(old, "the dump has no VMCOREINFO %s", key);
	cr_assert_geq(size - n, strlen(PAD) + 1, "no room for %s=%s", key,
		      value);
	memcpy(out + n, PAD, strlen(PAD));
	memset(out + n + strlen(PAD), 'x', size - n - strlen(PAD) - 1);
	out[size - 1] = '\n';
	memcpy(im->data + off, out, size);
	free(out);
	free(text);
	return old;
}

/* Write @im to a new file under KT_TESTDATA; returns its path. */
static char *write_image(const struct image *im, const char *name)
{
	char *path;
	int fd;

	cr_assert(asprintf(&path, "%s/hostile-%d-%s.kdump",
			   kt_test_env("KT_TESTDATA"), (int)getpid(),
			   name) > 0);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	cr_assert(fd >= 0, "cannot write %s", path);
	cr_assert_eq(write(fd, im->data, im->len), (ssize_t)im->len);
	close(fd);
	return path;
}

static bool documented_status(int status)
{
	return status == 0 || status == 1 || status == 3;
}

/* ---- VMCOREINFO ---- */

struct vmci_param {
	char key[48];
	char value[24];
};

/*
 * The keys ktriage reads itself (core/: identity, KASLR, time, layouts of
 * struct page and the printk ring, page flags and types, paging) and those
 * libkdumpfile translates addresses with on its behalf.
 */
static const char *const used_keys[] = {
	"OSRELEASE", "BUILD-ID", "PAGESIZE", "KERNELOFFSET", "CRASHTIME",
	"SYMBOL(_stext)", "SYMBOL(init_top_pgt)", "SYMBOL(swapper_pg_dir)",
	"NUMBER(phys_base)", "NUMBER(pgtable_l5_enabled)", "NUMBER(sme_mask)",
	"OFFSET(uts_namespace.name)",
	"SIZE(page)", "OFFSET(page.flags)", "OFFSET(page._refcount)",
	"OFFSET(page.mapping)", "OFFSET(page._mapcount)",
	"OFFSET(page.private)", "OFFSET(page.compound_head)",
	"OFFSET(page.compound_order)",
	"NUMBER(PG_slab)", "NUMBER(PG_head_mask)",
	"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)", "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)",
	"LENGTH(zone.free_area)",
	"OFFSET(vmap_area.va_start)", "OFFSET(vmap_area.list)",
	"SIZE(printk_ringbuffer)", "OFFSET(printk_ringbuffer.desc_ring)",
	"OFFSET(printk_ringbuffer.text_data_ring)",
	"OFFSET(prb_desc_ring.count_bits)", "OFFSET(prb_desc_ring.descs)",
	"OFFSET(prb_desc_ring.infos)", "OFFSET(prb_desc_ring.head_id)",
	"OFFSET(prb_desc_ring.tail_id)", "SIZE(prb_desc)",
	"OFFSET(prb_desc.state_var)", "OFFSET(prb_desc.text_blk_lpos)",
	"OFFSET(prb_data_blk_lpos.begin)", "OFFSET(prb_data_blk_lpos.next)",
	"SIZE(printk_info)", "OFFSET(printk_info.seq)",
	"OFFSET(printk_info.ts_nsec)", "OFFSET(printk_info.text_len)",
	"OFFSET(printk_info.caller_id)", "OFFSET(prb_data_ring.size_bits)",
	"OFFSET(prb_data_ring.data)",
	NULL,
};

/*
 * 0, 2^64 - 1 and -1 (8 for a key whose value is 0): each must be refused
 * or checked against the vmlinux, and named.
 */
static const char *const hostile_values[] = {
	"0", "18446744073709551615", "-1", NULL,
};

ParameterizedTestParameters(hostile, vmcoreinfo_value)
{
	static struct vmci_param p[64 * 3];
	size_t n = 0;

	for (int k = 0; used_keys[k]; k++)
		for (int v = 0; hostile_values[v]; v++) {
			cr_assert_lt(n, sizeof(p) / sizeof(p[0]));
			snprintf(p[n].key, sizeof(p[n].key), "%s",
				 used_keys[k]);
			snprintf(p[n].value, sizeof(p[n].value), "%s",
				 hostile_values[v]);
			n++;
		}
	return cr_make_param_array(struct vmci_param, p, n);
}

/* What names the key on stderr: its own name, or its meaning. */
static const char *needle_of(const char *key)
{
	if (!strcmp(key, "BUILD-ID"))
		return "the dump's build-id is";
	return key;
}

ParameterizedTest(struct vmci_param *p, hostile, vmcoreinfo_value)
{
	struct image im = load_base();
	const char *value = p->value, *needle = needle_of(p->key);
	char *old = set_vmcoreinfo(&im, p->key, value);
	char *path, name[96];
	struct kt_run r;

	if (!strcmp(old, value)) {
		// The dump's own value (OFFSET(page.flags)=0): another wrong
		// one that keeps the rules, which only DWARF can tell.
		free(old);
		free(im.data);
		im = load_base();
		value = "8";
		old = set_vmcoreinfo(&im, p->key, value);
	}
	snprintf(name, sizeof(name), "%.40s-%.3s", p->key, value);
	for (char *c = name; *c; c++)
		if (*c == '(' || *c == ')' || *c == '.')
			*c = '_';
	path = write_image(&im, name);
	{
		// search -k loads the vmalloc areas (vmap_area's layout).
		const char *argv[] = { path, kt_test_env("KT_VMLINUX"), "-c",
				       "sys", "-c", "log", "-c", "kmem -s",
				       "-c", "ps", "-c",
				       "search -k dead000000000100", NULL };

		r = kt_test_run(argv);
	}
	unlink(path);
	cr_expect(documented_status(r.status),
		  "%s=%s (was %s): exit %d (-1: a signal); stderr: %.2000s",
		  p->key, value, old, r.status, r.err);
	cr_expect(!strstr(r.err, "runtime error") &&
		  !strstr(r.err, "AddressSanitizer"),
		  "%s=%s: %.3000s", p->key, value, r.err);
	cr_expect(strstr(r.err, needle),
		  "%s=%s (was %s), exit %d: '%s' not on stderr: %.2000s",
		  p->key, value, old, r.status, needle, r.err);
	kt_run_free(&r);
	free(path);
	free(old);
	free(im.data);
}

/*
 * Without DWARF the log's layout is VMCOREINFO's word alone: values that
 * keep each key's rule but not each other's (a member past its struct)
 * make `log` fail, naming a key, instead of reading past a buffer.
 */
static const struct vmci_param nodwarf_cases[] = {
	{ "SIZE(printk_info)", "8" },
	{ "SIZE(prb_desc)", "4" },
	{ "OFFSET(printk_info.caller_id)", "86" },
	{ "OFFSET(prb_desc.text_blk_lpos)", "20" },
	{ "OFFSET(printk_info.text_len)", "4194303" },
	{ "OFFSET(prb_data_blk_lpos.next)", "12" },
};

ParameterizedTestParameters(hostile, vmcoreinfo_without_dwarf)
{
	static struct vmci_param p[sizeof(nodwarf_cases) /
				   sizeof(nodwarf_cases[0])];

	memcpy(p, nodwarf_cases, sizeof(p));
	return cr_make_param_array(struct vmci_param, p,
				   sizeof(p) / sizeof(p[0]));
}

ParameterizedTest(struct vmci_param *p, hostile, vmcoreinfo_without_dwarf)
{
	struct image im = load_base();
	char *old = set_vmcoreinfo(&im, p->key, p->value);
	const char *type = strchr(p->key, '(') + 1;
	char *path, *nodebug, name[96], needle[64];
	struct kt_run r;

	cr_assert(asprintf(&nodebug, "%s/vmlinux-nodebug",
			   kt_test_env("KT_TESTDATA")) > 0);
	snprintf(name, sizeof(name), "nodwarf-%.30s", p->key);
	for (char *c = name; *c; c++)
		if (*c == '(' || *c == ')' || *c == '.')
			*c = '_';
	path = write_image(&im, name);
	{
		const char *argv[] = { path, nodebug, "-c", "log", NULL };

		r = kt_test_run(argv);
	}
	unlink(path);
	// The message names the key, or a key of the same type.
	snprintf(needle, sizeof(needle), "%.*s", (int)strcspn(type, ".)"),
		 type);
	cr_expect_eq(r.status, 1, "%s=%s (was %s): exit %d (-1: a signal): "
		     "%.2000s", p->key, p->value, old, r.status, r.err);
	cr_expect(!strstr(r.err, "runtime error") &&
		  !strstr(r.err, "AddressSanitizer"), "%.3000s", r.err);
	cr_expect(strstr(r.err, "VMCOREINFO") && strstr(r.err, needle),
		  "%s=%s: no VMCOREINFO key of %s named: %.2000s", p->key,
		  p->value, needle, r.err);
	kt_run_free(&r);
	free(path);
	free(nodebug);
	free(old);
	free(im.data);
}

/* ---- kdump files libkdumpfile would choke on ---- */

static struct kt_run run_sys(const char *path)
{
	const char *argv[] = { path, kt_test_env("KT_VMLINUX"), "-c", "sys",
			       NULL };

	return kt_test_run(argv);
}

static void expect_refused(struct kt_run *r, const char *needle)
{
	cr_expect_eq(r->status, 3, "exit %d (-1: a signal): %s", r->status,
		     r->err);
	cr_expect(strstr(r->err, needle), "'%s' not in: %s", needle, r->err);
	cr_expect_str_eq(r->out, "");
}

/*
 * libkdumpfile 0.5.1 takes the file for a kdump by its signature, refuses
 * the rest, and then crashed in kdump_free() (ptesarik/libkdumpfile#72).
 */
Test(hostile, kdump_signature_alone)
{
	struct image im = { .data = (unsigned char *)strdup("KDUMP   "),
			    .len = 8 };
	char *path = write_image(&im, "signature");
	struct kt_run r = run_sys(path);

	expect_refused(&r, "kdump file with a corrupt header (");
	kt_run_free(&r);
	unlink(path);
	free(path);
	free(im.data);
}

/* The first page descriptor of @im, after the header and bitmaps. */
static unsigned char *first_desc(struct image *im)
{
	int32_t bs = hdr_i32(im, HDR_BLOCK_SIZE_OFF);
	int32_t sub = hdr_i32(im, HDR_BLOCK_SIZE_OFF + 4);
	int32_t bmp = hdr_i32(im, HDR_BLOCK_SIZE_OFF + 8);
	size_t off = (size_t)(1 + sub) * bs + (size_t)bmp * bs;

	cr_assert(off + 24 <= im->len);
	return im->data + off;
}

/*
 * A compressed page's size above a page: libkdumpfile 0.5.1 reads that
 * much into a buffer of one page.
 */
Test(hostile, page_descriptor_larger_than_a_page)
{
	struct image im = load_base();
	unsigned char *d = first_desc(&im);
	uint32_t size = 8192, flags = 0;
	char *path, needle[160];
	struct kt_run r;
	int i;

	// The first zlib page (the first few are stored as they are).
	for (i = 0; i < 4096 && !(flags & 0x1); i++)
		memcpy(&flags, d + i * 24 + 12, 4);
	cr_assert(flags & 0x1, "no zlib page among the first 4096");
	memcpy(d + (i - 1) * 24 + 8, &size, 4);
	path = write_image(&im, "bigdesc");
	r = run_sys(path);
	snprintf(needle, sizeof(needle), "page descriptor %d says its "
		 "compressed data is 8192 bytes, more than a page (4096 bytes)",
		 i - 1);
	expect_refused(&r, needle);
	kt_run_free(&r);
	unlink(path);
	free(path);
	free(im.data);
}

/* Header counts near INT32_MAX: no signed overflow, a clear refusal. */
Test(hostile, header_counts_at_int_max)
{
	for (int field = 1; field <= 2; field++) {
		struct image im = load_base();
		int32_t big = INT32_MAX;
		struct kt_run r;
		char *path, name[16];

		memcpy(im.data + HDR_BLOCK_SIZE_OFF + 4 * field, &big, 4);
		snprintf(name, sizeof(name), "intmax%d", field);
		path = write_image(&im, name);
		r = run_sys(path);
		expect_refused(&r, "dump file is truncated or corrupt");
		cr_expect(!strstr(r.err, "runtime error"), "%s", r.err);
		kt_run_free(&r);
		unlink(path);
		free(path);
		free(im.data);
	}
}

/*
 * Put @line where the donor line was in @im's VMCOREINFO, padded to the
 * donor's length with a KT_PAD line.
 */
static void replace_donor(struct image *im, const char *line)
{
	size_t off, size, n = strlen(line), d;
	char *at;

	vmcoreinfo_span(im, &off, &size);
	at = memmem(im->data + off, size, "\n" DONOR, strlen(DONOR) + 1);
	cr_assert_not_null(at, "the dump has no VMCOREINFO %s", DONOR);
	at++;
	d = strcspn(at, "\n");
	cr_assert_geq(d, n + 1 + strlen(PAD) + 1);
	memcpy(at, line, n);
	at[n] = '\n';
	memcpy(at + n + 1, PAD, strlen(PAD));
	memset(at + n + 1 + strlen(PAD), 'x', d - n - 1 - strlen(PAD));
}

/*
 * libkdumpfile files VMCOREINFO keys as attribute paths split at '.': a
 * key under another ("CRASHTIME" and "CRASHTIME.x"; OFFSET(page.flags)
 * and OFFSET(page.flags.x)) or with an empty part (".A") made it crash or
 * leak as it opened the file. Refused, naming the line.
 */
Test(hostile, vmcoreinfo_keys_libkdumpfile_cannot_file)
{
	static const char *const lines[] = {
		"CRASHTIME.x=1", ".A=1", "OFFSET(page.flags.x)=1",
	};

	for (size_t i = 0; i < sizeof(lines) / sizeof(*lines); i++) {
		struct image im = load_base();
		char *path, name[16], needle[128];
		struct kt_run r;

		replace_donor(&im, lines[i]);
		snprintf(name, sizeof(name), "unfiled%zu", i);
		path = write_image(&im, name);
		r = run_sys(path);
		snprintf(needle, sizeof(needle), "has a key the kernel does not "
			 "write (\"%s\"", lines[i]);
		expect_refused(&r, needle);
		kt_run_free(&r);
		unlink(path);
		free(path);
		free(im.data);
	}
}

/* ---- ELF vmcores made wrong ---- */

enum elf_field { PH_OFFSET, PH_FILESZ, PH_MEMSZ, E_PHNUM, E_PHENTSIZE,
		 NOTE_NAMESZ, NOTE_DESCSZ, VMCOREINFO_LINE };

struct elf_case {
	char name[16];
	enum elf_field field;
	uint64_t value;
	char line[24];		/* VMCOREINFO_LINE: put in the donor's place */
	int status;		/* the exit status */
	char needle[96];	/* on stderr; "" for none */
};

ParameterizedTestParameters(hostile, elf_vmcore)
{
	static struct elf_case c[] = {
		{ "offset", PH_OFFSET, UINT64_MAX - 4095, "", 3,
		  "dump file is truncated or corrupt: it has " },
		{ "filesz", PH_FILESZ, 1ULL << 40, "", 3,
		  "its pages reach byte 1099511" },
		{ "memsz", PH_MEMSZ, 0, "", 0, "" },
		{ "phnum", E_PHNUM, 65535, "", 3,
		  "dump file is truncated or corrupt" },
		{ "phentsize", E_PHENTSIZE, 1, "", 3, "not a crash dump (" },
		{ "namesz", NOTE_NAMESZ, 0xffffffff, "", 0, "" },
		{ "descsz", NOTE_DESCSZ, 0xfffffff0, "", 0, "" },
		{ "clash", VMCOREINFO_LINE, 0, "CRASHTIME.x=1", 3,
		  "has a key the kernel does not write (\"CRASHTIME.x=1\"" },
		{ "shape", VMCOREINFO_LINE, 0, "LENGTH(x=1", 3,
		  "has a line that is not KEY=VALUE (\"LENGTH(x=1\")" },
	};

	return cr_make_param_array(struct elf_case, c, sizeof(c) / sizeof(*c));
}

/*
 * An ELF vmcore (QEMU's, list-poison.elf) with one header field or note
 * made wrong: a clear refusal (3) or a dump that opens (0), never a
 * signal; with the release build as with the ASan one.
 */
ParameterizedTest(struct elf_case *c, hostile, elf_vmcore)
{
	char *src, *path, name[32];
	struct image im;
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	uint64_t load = 0, note = 0;
	struct kt_run r;

	cr_assert(asprintf(&src, "%s/list-poison.elf",
			   kt_test_env("KT_FORMATS")) > 0);
	im.data = (unsigned char *)kt_test_slurp(src, &im.len);
	cr_assert_not_null(im.data, "cannot read %s", src);
	memcpy(&eh, im.data, sizeof(eh));
	cr_assert_eq(eh.e_phentsize, sizeof(ph));
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		size_t at = eh.e_phoff + i * sizeof(ph);

		memcpy(&ph, im.data + at, sizeof(ph));
		if (ph.p_type == PT_LOAD && !load)
			load = at;
		if (ph.p_type == PT_NOTE && !note)
			note = ph.p_offset;
	}
	cr_assert(load && note);
	switch (c->field) {
	case PH_OFFSET:
		memcpy(im.data + load + offsetof(Elf64_Phdr, p_offset),
		       &c->value, 8);
		break;
	case PH_FILESZ:
		memcpy(im.data + load + offsetof(Elf64_Phdr, p_filesz),
		       &c->value, 8);
		break;
	case PH_MEMSZ:
		memcpy(im.data + load + offsetof(Elf64_Phdr, p_memsz),
		       &c->value, 8);
		break;
	case E_PHNUM:
		eh.e_phnum = c->value;
		memcpy(im.data, &eh, sizeof(eh));
		break;
	case E_PHENTSIZE:
		eh.e_phentsize = c->value;
		memcpy(im.data, &eh, sizeof(eh));
		break;
	case NOTE_NAMESZ:
	case NOTE_DESCSZ: {
		uint32_t v = c->value;

		memcpy(im.data + note + (c->field == NOTE_DESCSZ ? 4 : 0), &v,
		       4);
		break;
	}
	case VMCOREINFO_LINE: {
		unsigned char *at = memmem(im.data + note, 1 << 16,
					   "\n" DONOR, strlen(DONOR) + 1);
		size_t d, n = strlen(c->line);

		cr_assert_not_null(at, "no %s in the notes", DONOR);
		at++;
		d = strcspn((char *)at, "\n");
		cr_assert_geq(d, n + 1 + strlen(PAD) + 1);
		memcpy(at, c->line, n);
		at[n] = '\n';
		memcpy(at + n + 1, PAD, strlen(PAD));
		memset(at + n + 1 + strlen(PAD), 'x', d - n - 1 - strlen(PAD));
		break;
	}
	}
	snprintf(name, sizeof(name), "elf-%s", c->name);
	path = write_image(&im, name);
	r = run_sys(path);
	cr_expect_eq(r.status, c->status, "%s: exit %d (-1: a signal): %s",
		     c->name, r.status, r.err);
	cr_expect(strstr(r.err, c->needle), "%s: '%s' not in: %s", c->name,
		  c->needle, r.err);
	if (c->status == 0)
		cr_expect(strstr(r.out, "PANIC:"), "%s: %s", c->name, r.out);
	kt_run_free(&r);
	unlink(path);
	free(path);
	free(im.data);
	free(src);
}
