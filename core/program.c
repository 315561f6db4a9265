// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/module.h"
#include "core/program.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/orc.h"
#include "core/owner.h"
#include "core/slab.h"
#include "core/task.h"
#include "core/vmalloc.h"
#include "core/vmcoreinfo.h"

struct kt_type_memo {
	char *key;
	bool found;
	struct kt_member member;	/* for member keys */
	uint64_t size;			/* for size keys */
};

/*
 * No VMCOREINFO (QEMU's dump-guest-memory without the vmcoreinfo device):
 * find the layout in memory, then describe it to libkdumpfile in the
 * VMCOREINFO lines it would have read.
 */
static struct kt_error *kaslr_from_memory(struct kt_program *prog)
{
	const struct kt_symtab *linked = kt_vmlinux_symtab(prog->vmlinux);
	const struct kt_symbol *pgt = kt_symtab_by_name(linked, "init_top_pgt");
	const struct kt_symbol *stext = kt_symtab_by_name(linked, "_stext");
	struct kt_kernel_layout l;
	struct kt_error *err;
	char *text;

	err = kt_dump_find_kaslr(prog->dump, linked,
				 kt_vmlinux_banner(prog->vmlinux), &l);
	if (err)
		return err;
	prog->kaslr_offset = l.kaslr_offset;
	prog->kaslr_source = "linux_banner found in memory";
	if (asprintf(&text, "OSRELEASE=%s\nPAGESIZE=4096\n"
		     "SYMBOL(init_top_pgt)=%" PRIx64 "\n"
		     "SYMBOL(_stext)=%" PRIx64 "\nNUMBER(phys_base)=%" PRId64
		     "\nNUMBER(pgtable_l5_enabled)=0\nKERNELOFFSET=%" PRIx64
		     "\n", kt_vmlinux_release(prog->vmlinux),
		     pgt->addr + l.kaslr_offset, stext->addr + l.kaslr_offset,
		     l.phys_base, l.kaslr_offset) < 0)
		return &kt_error_nomem;
	err = kt_dump_use_vmcoreinfo(prog->dump, text);
	free(text);
	return err;
}

/*
 * From VMCOREINFO's KERNELOFFSET, else its SYMBOL(_stext), else (no
 * VMCOREINFO at all) from memory. A value that breaks its rule was
 * reported at open (warn_vmcoreinfo()) and is passed over.
 */
static struct kt_error *find_kaslr(struct kt_program *prog)
{
	const struct kt_symtab *linked = kt_vmlinux_symtab(prog->vmlinux);
	const struct kt_symbol *stext = kt_symtab_by_name(linked, "_stext");
	uint64_t v;

	if (!kt_error_catch_any(kt_vmcoreinfo_value(prog->dump, "KERNELOFFSET",
						    &v))) {
		prog->kaslr_offset = v;
		prog->kaslr_source = "VMCOREINFO KERNELOFFSET";
		return NULL;
	}
	if (stext && !kt_error_catch_any(kt_vmcoreinfo_value(prog->dump,
					"SYMBOL(_stext)", &v))) {
		prog->kaslr_offset = v - stext->addr;
		prog->kaslr_source = "VMCOREINFO SYMBOL(_stext)";
		return NULL;
	}
	if (kt_dump_has_own_vmcoreinfo(prog->dump))
		return kt_error_create(KT_ERR_CORRUPT,
			"%s: the KASLR offset is unknown: VMCOREINFO has "
			"neither a good KERNELOFFSET nor a good SYMBOL(_stext)",
			prog->opts.dump_paths[0]);
	return kaslr_from_memory(prog);
}

static void copy_line(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

static struct kt_error *mismatch(struct kt_program *prog, const char *what,
				 const char *dump_has, const char *file_has)
{
	const char *rel = prog->identity.dump_release;

	return kt_error_create(KT_ERR_MISMATCH,
		"%s does not match the dump: the dump's %s is %s, the "
		"vmlinux's is %s; give the vmlinux of kernel %s (Debian: "
		"package linux-image-%s-dbg, file "
		"/usr/lib/debug/boot/vmlinux-%s)",
		kt_vmlinux_path(prog->vmlinux), what, dump_has, file_has,
		*rel ? rel : "of the dump", *rel ? rel : "<release>",
		*rel ? rel : "<release>");
}

/*
 * Refuse a vmlinux of another kernel, with what each side says. Seed 002's
 * crash only warned "kernel version inconsistency" and went on to print
 * nonsense; a wrong vmlinux is the first support question for crash.
 */
static struct kt_error *check_identity(struct kt_program *prog)
{
	struct kt_identity *id = &prog->identity;
	const char *file_release = kt_vmlinux_release(prog->vmlinux);
	const char *file_bid = kt_vmlinux_build_id(prog->vmlinux);

	copy_line(id->dump_release, sizeof(id->dump_release),
		  kt_dump_vmcoreinfo(prog->dump, "OSRELEASE"));
	copy_line(id->dump_build_id, sizeof(id->dump_build_id),
		  kt_dump_vmcoreinfo(prog->dump, "BUILD-ID"));
	if (*id->dump_release && *file_release) {
		id->release_checked = true;
		if (strcmp(id->dump_release, file_release))
			return mismatch(prog, "release", id->dump_release,
					file_release);
	}
	if (*id->dump_build_id && *file_bid) {
		id->build_id_checked = true;
		if (strcasecmp(id->dump_build_id, file_bid))
			return mismatch(prog, "build-id", id->dump_build_id,
					file_bid);
	}
	return NULL;
}

static struct kt_error *check_banner(struct kt_program *prog)
{
	const char *banner = kt_vmlinux_banner(prog->vmlinux);
	size_t len = strlen(banner);
	struct kt_error *err;
	uint64_t addr;
	char *mem;

	if (!len)
		return NULL;
	err = kt_symbol_address(prog, "linux_banner", &addr);
	if (err)
		return err;
	mem = calloc(1, len + 1);
	if (!mem)
		return &kt_error_nomem;
	err = kt_read(prog, addr, mem, len);
	if (err) {
		free(mem);
		return kt_error_wrap(err,
			"checking linux_banner with KASLR offset 0x%" PRIx64
			" (%s)", prog->kaslr_offset, prog->kaslr_source);
	}
	prog->identity.banner_checked = true;
	if (strcmp(mem, banner)) {
		char shown[160];

		for (size_t i = 0; i < len && i < sizeof(shown) - 1; i++)
			shown[i] = mem[i] >= 0x20 && mem[i] < 0x7f ? mem[i]
								   : '.';
		shown[len < sizeof(shown) - 1 ? len : sizeof(shown) - 1] = 0;
		err = mismatch(prog, "linux_banner", shown, banner);
	}
	free(mem);
	return err;
}

static void set_verdict(struct kt_program *prog)
{
	struct kt_identity *id = &prog->identity;
	const char *checks[3];
	size_t n = 0, len;

	if (id->release_checked)
		checks[n++] = "release";
	if (id->build_id_checked)
		checks[n++] = "build-id";
	if (id->banner_checked)
		checks[n++] = "linux_banner in memory";
	len = snprintf(id->verdict, sizeof(id->verdict), "match (");
	for (size_t i = 0; i < n && len < sizeof(id->verdict); i++)
		len += snprintf(id->verdict + len, sizeof(id->verdict) - len,
				"%s%s", i ? ", " : "", checks[i]);
	if (len < sizeof(id->verdict))
		snprintf(id->verdict + len, sizeof(id->verdict) - len, ")%s",
			 kt_dump_has_own_vmcoreinfo(prog->dump) ? "" :
			 "; the dump has no VMCOREINFO");
}

static struct kt_error *load_percpu(struct kt_program *prog)
{
	struct kt_error *err;
	uint64_t addr;
	uint32_t n;

	err = kt_symbol_address(prog, "nr_cpu_ids", &addr);
	if (!err)
		err = kt_read_u32(prog, addr, &n);
	if (err)
		return kt_error_wrap(err, "reading nr_cpu_ids");
	if (n == 0 || n > 8192)
		return kt_error_create(KT_ERR_CORRUPT,
				       "nr_cpu_ids is %u, not a CPU count", n);
	prog->percpu_offsets = calloc(n, sizeof(uint64_t));
	if (!prog->percpu_offsets)
		return &kt_error_nomem;
	prog->nr_cpu_ids = n;
	err = kt_symbol_address(prog, "__per_cpu_offset", &addr);
	if (!err)
		err = kt_read(prog, addr, prog->percpu_offsets,
			      n * sizeof(uint64_t));
	return err ? kt_error_wrap(err, "reading __per_cpu_offset") : NULL;
}

/* Append @key to @names when VMCOREINFO's value is bad or not @want. */
static void differs(struct kt_program *prog, const char *key, uint64_t want,
		    char *names, size_t size)
{
	uint64_t v;
	size_t n = strlen(names);

	if (kt_error_catch_any(kt_vmcoreinfo_value(prog->dump, key, &v)) ||
	    v != want)
		snprintf(names + n, size - n, "%s%s", n ? ", " : "", key);
}

/*
 * VMCOREINFO's layout (KERNELOFFSET, SYMBOL(init_top_pgt),
 * NUMBER(phys_base), paging mode, SME mask: kaslr.c finds 4-level paging
 * without SME) does not show linux_banner where the vmlinux has it:
 * one of those values is wrong, within its rule or not. Find the layout
 * in memory as for a dump without VMCOREINFO (kaslr.c), give it to
 * libkdumpfile instead, and name the values that differed. When memory
 * does not tell either, @banner_err stands.
 */
static struct kt_error *layout_from_memory(struct kt_program *prog,
					   struct kt_error *banner_err)
{
	const struct kt_symtab *linked;
	const struct kt_symbol *pgt, *stext;
	struct kt_kernel_layout l;
	struct kt_error *err;
	char names[160] = "", *text;

	kt_vmlinux_relocate(prog->vmlinux, 0);
	linked = kt_vmlinux_symtab(prog->vmlinux);
	pgt = kt_symtab_by_name(linked, "init_top_pgt");
	stext = kt_symtab_by_name(linked, "_stext");
	err = pgt && stext ? kt_dump_find_kaslr(prog->dump, linked,
			     kt_vmlinux_banner(prog->vmlinux), &l) :
			     kt_error_create(KT_ERR_LOOKUP, "no init_top_pgt");
	if (err || asprintf(&text, "SYMBOL(init_top_pgt)=%" PRIx64 "\n"
			    "SYMBOL(_stext)=%" PRIx64 "\nNUMBER(phys_base)=%"
			    PRId64 "\nNUMBER(pgtable_l5_enabled)=0\n"
			    "NUMBER(sme_mask)=0\nKERNELOFFSET=%" PRIx64 "\n",
			    pgt->addr + l.kaslr_offset,
			    stext->addr + l.kaslr_offset, l.phys_base,
			    l.kaslr_offset) < 0) {
		kt_error_destroy(err);
		kt_vmlinux_relocate(prog->vmlinux, prog->kaslr_offset);
		return banner_err;
	}
	differs(prog, "KERNELOFFSET", l.kaslr_offset, names, sizeof(names));
	differs(prog, "SYMBOL(init_top_pgt)", pgt->addr + l.kaslr_offset,
		names, sizeof(names));
	differs(prog, "NUMBER(phys_base)", l.phys_base, names, sizeof(names));
	differs(prog, "NUMBER(pgtable_l5_enabled)", 0, names, sizeof(names));
	differs(prog, "NUMBER(sme_mask)", 0, names, sizeof(names));
	err = kt_dump_amend_vmcoreinfo(prog->dump, text);
	free(text);
	kt_vmlinux_relocate(prog->vmlinux, l.kaslr_offset);
	if (!err)
		err = check_banner(prog);
	if (err) {
		kt_error_destroy(err);
		return banner_err;
	}
	kt_error_destroy(banner_err);
	prog->kaslr_offset = l.kaslr_offset;
	prog->kaslr_source = "linux_banner found in memory";
	kt_program_warn(prog, "VMCOREINFO %s: the dump's kernel layout does "
			"not show linux_banner where the vmlinux has it; "
			"ktriage uses the layout it found in memory (KASLR "
			"offset 0x%" PRIx64 ", phys_base %" PRId64 ")",
			*names ? names : "KERNELOFFSET, SYMBOL(init_top_pgt), "
			"NUMBER(phys_base)", l.kaslr_offset, l.phys_base);
	return NULL;
}

/* Each VMCOREINFO line that breaks its rule, once, at open. */
static void warn_vmcoreinfo(struct kt_program *prog)
{
	const char *p = kt_dump_vmcoreinfo_problems(prog->dump);

	while (p && *p) {
		size_t n = strcspn(p, "\n");

		kt_program_warn(prog, "%.*s; ktriage does without it", (int)n,
				p);
		p += n + (p[n] == '\n');
	}
}

static struct kt_error *open_steps(struct kt_program *prog)
{
	struct kt_error *err;

	err = kt_dump_open(prog->opts.dump_paths, prog->opts.ndump_paths,
			   &prog->dump);
	if (err)
		return err;
	warn_vmcoreinfo(prog);
	err = kt_vmlinux_open(prog->opts.vmlinux_path, &prog->vmlinux);
	if (err)
		return err;
	err = check_identity(prog);
	if (err)
		return err;
	err = find_kaslr(prog);
	if (err)
		return err;
	if (kt_dump_has_own_vmcoreinfo(prog->dump)) {
		err = kt_dump_setup_linux(prog->dump);
		if (err)
			return err;
	}
	kt_vmlinux_relocate(prog->vmlinux, prog->kaslr_offset);
	prog->symtab = kt_vmlinux_symtab(prog->vmlinux);
	err = check_banner(prog);
	if (err && kt_dump_has_own_vmcoreinfo(prog->dump))
		err = layout_from_memory(prog, err);
	if (err)
		return err;
	set_verdict(prog);
	if (kt_vmlinux_has_dwarf(prog->vmlinux)) {
		err = kt_dwarf_open(kt_vmlinux_elf(prog->vmlinux),
				    kt_vmlinux_path(prog->vmlinux),
				    &prog->dwarf);
		if (err && !kt_error_catch(&err, KT_ERR_NO_DWARF))
			return err;
	}
	return load_percpu(prog);
}

/*
 * A dump refused after its VMCOREINFO was found corrupt (a page table
 * root libkdumpfile could not do without) says which values were wrong:
 * the program and its warnings go with the refusal. One line.
 */
static struct kt_error *with_warnings(struct kt_program *prog,
				      struct kt_error *err)
{
	struct kt_error *out;

	if (!prog->warnings || err == &kt_error_nomem)
		return err;
	for (char *p = prog->warnings; (p = strchr(p, '\n'));)
		*p = p[1] ? ';' : 0;
	out = kt_error_create(err->code, "%s (%s)", err->message,
			      prog->warnings);
	if (out == &kt_error_nomem)
		return err;
	out->fault = err->fault;
	out->errnum = err->errnum;
	out->address = err->address;
	out->address_phys = err->address_phys;
	kt_error_destroy(err);
	return out;
}

struct kt_error *kt_program_open(const struct kt_open_options *opts,
				 struct kt_program **ret)
{
	struct kt_program *prog = calloc(1, sizeof(*prog));
	struct kt_error *err;

	if (!prog)
		return &kt_error_nomem;
	prog->opts = *opts;
	kt_hashmap_init(&prog->type_memo);
	err = open_steps(prog);
	if (err) {
		err = with_warnings(prog, err);
		kt_program_destroy(prog);
		return err;
	}
	*ret = prog;
	return NULL;
}

void kt_program_forget(struct kt_program *prog)
{
	kt_module_list_destroy(prog->modules);
	kt_task_list_destroy(prog->tasks);
	kt_log_destroy(prog->log);
	kt_orc_destroy(prog);
	kt_owner_cache_destroy(prog);
	kt_slabs_destroy(prog->slab);
	kt_mm_destroy(prog->mm);
	kt_vmalloc_destroy(prog->vmalloc);
	prog->modules = NULL;
	prog->tasks = NULL;
	prog->log = NULL;
	prog->slab = NULL;
	prog->mm = NULL;
	prog->vmalloc = NULL;
}

void kt_program_destroy(struct kt_program *prog)
{
	if (!prog)
		return;
	kt_program_forget(prog);
	for (size_t i = 0; i < prog->nmemo; i++)
		free(prog->memo[i].key);
	free(prog->memo);
	kt_hashmap_deinit(&prog->type_memo);
	free(prog->percpu_offsets);
	kt_dwarf_destroy(prog->dwarf);
	kt_vmlinux_destroy(prog->vmlinux);
	kt_dump_destroy(prog->dump);
	free(prog->warnings);
	free(prog);
}

/* ---- warnings ---- */

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; p && *p; p = strchr(p, '\n') + 1)
		if (!strncmp(p, line, n) && p[n] == '\n')
			return true;
	return false;
}

void kt_program_warn(struct kt_program *prog, const char *fmt, ...)
{
	char *msg, *p;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	// One line each: a message is a line of the list.
	for (p = msg; (p = strchr(p, '\n'));)
		*p = ' ';
	if (!has_line(prog->warnings, msg) &&
	    (p = realloc(prog->warnings, prog->warnings_len + n + 2))) {
		memcpy(p + prog->warnings_len, msg, n);
		p[prog->warnings_len + n] = '\n';
		p[prog->warnings_len + n + 1] = 0;
		prog->warnings = p;
		prog->warnings_len += n + 1;
	}
	free(msg);
}

const char *kt_program_new_warnings(struct kt_program *prog)
{
	const char *s;

	if (prog->warnings_shown == prog->warnings_len)
		return NULL;
	s = prog->warnings + prog->warnings_shown;
	prog->warnings_shown = prog->warnings_len;
	return s;
}

/* ---- memory ---- */

struct kt_error *kt_read(struct kt_program *prog, uint64_t addr, void *buf,
			 size_t size)
{
	return kt_dump_read(prog->dump, addr, false, buf, size);
}

#define DEFINE_READ(name, type)						\
struct kt_error *name(struct kt_program *prog, uint64_t addr, type *ret) \
{									\
	return kt_read(prog, addr, ret, sizeof(*ret));			\
}
DEFINE_READ(kt_read_u64, uint64_t)
DEFINE_READ(kt_read_u32, uint32_t)
DEFINE_READ(kt_read_s32, int32_t)
DEFINE_READ(kt_read_u16, uint16_t)
DEFINE_READ(kt_read_u8, uint8_t)

struct kt_error *kt_read_cstr(struct kt_program *prog, uint64_t addr,
			      char *buf, size_t size)
{
	size_t done = 0;

	if (!size)
		return NULL;
	// Read page by page so a string near an unreadable page still reads.
	while (done < size - 1) {
		size_t chunk = 4096 - ((addr + done) & 4095);
		struct kt_error *err;
		char *nul;

		if (chunk > size - 1 - done)
			chunk = size - 1 - done;
		err = kt_read(prog, addr + done, buf + done, chunk);
		if (err) {
			buf[done] = 0;
			return err;
		}
		nul = memchr(buf + done, 0, chunk);
		if (nul)
			return NULL;
		done += chunk;
	}
	buf[size - 1] = 0;
	return NULL;
}

/* ---- symbols ---- */

struct kt_error *kt_symbol_address(struct kt_program *prog, const char *name,
				   uint64_t *ret)
{
	const struct kt_symbol *sym = kt_symtab_by_name(prog->symtab, name);

	if (sym) {
		*ret = sym->addr;
		return NULL;
	}
	// Module symbols come from the dump: load them when first needed.
	if (!prog->modules) {
		const struct kt_module_list *mods;

		kt_error_destroy(kt_modules_load(prog, &mods));
	}
	if (prog->modules && kt_module_symbol_address(prog, name, ret))
		return NULL;
	return kt_error_create(KT_ERR_LOOKUP, "symbol '%s' not found", name);
}

bool kt_symbol_lookup(struct kt_program *prog, uint64_t addr,
		      struct kt_symbol_hit *ret)
{
	const struct kt_symbol *sym;

	memset(ret, 0, sizeof(*ret));
	if (addr >= KT_START_KERNEL_MAP) {
		// Unsized symbols (asm labels) may reach at most a page.
		sym = kt_symtab_by_addr(prog->symtab, addr, 4096);
		if (sym) {
			ret->name = sym->name;
			ret->addr = sym->addr;
			ret->offset = addr - sym->addr;
			ret->size = sym->size;
			ret->type = sym->type;
			return true;
		}
	}
	// Module symbols come from the dump: load them when first needed.
	if (!prog->modules) {
		const struct kt_module_list *mods;

		kt_error_destroy(kt_modules_load(prog, &mods));
	}
	return kt_module_symbol_lookup(prog, addr, ret);
}

/* ---- types ---- */

bool kt_program_has_types(const struct kt_program *prog)
{
	return prog->dwarf != NULL;
}

static struct kt_error *no_dwarf(struct kt_program *prog, const char *type)
{
	return kt_error_create(KT_ERR_NO_DWARF,
		"this needs the layout of %s, and %s has no DWARF debuginfo; "
		"give the vmlinux from the -dbg package",
		type, kt_vmlinux_path(prog->vmlinux));
}

static struct kt_type_memo *memo_get(struct kt_program *prog, const char *key)
{
	uint64_t idx;

	if (!kt_hashmap_get(&prog->type_memo, key, &idx))
		return NULL;
	return &prog->memo[idx];
}

static struct kt_type_memo *memo_add(struct kt_program *prog, const char *key)
{
	struct kt_type_memo *m;

	if (prog->nmemo == prog->memo_cap) {
		size_t cap = prog->memo_cap ? prog->memo_cap * 2 : 64;
		void *p = realloc(prog->memo, cap * sizeof(*prog->memo));

		if (!p)
			return NULL;
		// Keys are owned by the memo entries, so moving the array
		// keeps every key pointer in the map valid.
		prog->memo = p;
		prog->memo_cap = cap;
	}
	m = &prog->memo[prog->nmemo];
	memset(m, 0, sizeof(*m));
	m->key = strdup(key);
	if (!m->key ||
	    !kt_hashmap_insert(&prog->type_memo, m->key, prog->nmemo, NULL)) {
		free(m->key);
		return NULL;
	}
	prog->nmemo++;
	return m;
}

static const char *bare_name(const char *type)
{
	if (!strncmp(type, "struct ", 7))
		return type + 7;
	if (!strncmp(type, "union ", 6))
		return type + 6;
	return type;
}

/*
 * Without DWARF, VMCOREINFO's OFFSET() lines give the layouts makedumpfile
 * needs (printk, pages, uts), checked (vmcoreinfo.h): a value that breaks
 * its rule is an error naming the key.
 */
static struct kt_error *member_from_vmcoreinfo(struct kt_program *prog,
					       const char *type,
					       const char *member,
					       struct kt_member *ret)
{
	struct kt_error *err;
	uint64_t off;

	if (strchr(member, '.'))
		return no_dwarf(prog, type);
	err = kt_vmcoreinfo_offset(prog->dump, type, member, &off);
	if (err && err->code == KT_ERR_LOOKUP) {
		kt_error_destroy(err);
		return no_dwarf(prog, type);
	}
	if (err)
		return err;
	memset(ret, 0, sizeof(*ret));
	ret->offset = off;
	return NULL;
}

/*
 * With DWARF, VMCOREINFO's word is checked against the vmlinux's, which
 * ktriage trusts: a value that differs is reported, naming the key, and
 * the DWARF one used. (One that breaks its rule was reported at open.)
 */
void kt_program_warn_vmcoreinfo(struct kt_program *prog, const char *key,
				int64_t dump_has, int64_t dwarf_has)
{
	if (dump_has != dwarf_has)
		kt_program_warn(prog, "VMCOREINFO %s=%" PRId64 " differs from "
				"the vmlinux's DWARF (%" PRId64 "): the dump's "
				"VMCOREINFO is corrupt; ktriage uses the DWARF "
				"value", key, dump_has, dwarf_has);
}

static void check_vmcoreinfo(struct kt_program *prog, const char *key,
			     struct kt_error *err, uint64_t dump_has,
			     uint64_t dwarf_has)
{
	if (!err)
		kt_program_warn_vmcoreinfo(prog, key, dump_has, dwarf_has);
	kt_error_destroy(err);
}

static void check_member(struct kt_program *prog, const char *type,
			 const char *member, uint64_t offset)
{
	struct kt_error *err;
	char key[256];
	uint64_t v = 0;

	if (strchr(member, '.'))
		return;
	err = kt_vmcoreinfo_offset(prog->dump, type, member, &v);
	snprintf(key, sizeof(key), "OFFSET(%s.%s)", bare_name(type), member);
	check_vmcoreinfo(prog, key, err, v, offset);
}

static void check_size(struct kt_program *prog, const char *type,
		       uint64_t size)
{
	struct kt_error *err;
	char key[256];
	uint64_t v = 0;

	err = kt_vmcoreinfo_size(prog->dump, type, &v);
	snprintf(key, sizeof(key), "SIZE(%s)", bare_name(type));
	check_vmcoreinfo(prog, key, err, v, size);
}

/*
 * A type by name: vmlinux first, then the debuginfo of the loaded modules
 * (struct nbd_config is only in nbd.ko). Not while the module list is
 * being read, so that its own lookups cannot recurse into reading it.
 */
static struct kt_error *find_type(struct kt_program *prog, const char *type,
				  Dwarf_Die *ret)
{
	struct kt_error *err = kt_dwarf_find_type(prog->dwarf, type, ret);
	const struct kt_module_list *mods;

	if (!err || err->code != KT_ERR_LOOKUP || prog->loading_modules ||
	    kt_error_catch_any(kt_modules_load(prog, &mods)))
		return err;
	for (unsigned i = 0; i < mods->n; i++) {
		struct kt_error *e;

		if (!mods->mods[i].dwarf)
			continue;
		e = kt_dwarf_find_type(mods->mods[i].dwarf, type, ret);
		if (!e) {
			kt_error_destroy(err);
			return NULL;
		}
		kt_error_destroy(e);
	}
	return err;
}

static struct kt_error *member_from_dwarf(struct kt_program *prog,
					  const char *type, const char *member,
					  struct kt_member *ret)
{
	struct kt_error *err;
	Dwarf_Die die;

	err = find_type(prog, type, &die);
	if (!err)
		err = kt_dwarf_member(&die, member, ret);
	return err;
}

struct kt_error *kt_type_member(struct kt_program *prog, const char *type,
				const char *member, struct kt_member *ret)
{
	struct kt_type_memo *m;
	struct kt_error *err;
	char key[256];

	if (!prog->dwarf)
		return member_from_vmcoreinfo(prog, type, member, ret);
	snprintf(key, sizeof(key), "%s\x1f%s", type, member);
	m = memo_get(prog, key);
	if (m) {
		if (!m->found)
			return kt_error_create(KT_ERR_LOOKUP,
					       "%s has no member '%s'", type,
					       member);
		*ret = m->member;
		return NULL;
	}
	err = member_from_dwarf(prog, type, member, ret);
	if (err && err->code != KT_ERR_LOOKUP)
		return err;
	if (!err)
		check_member(prog, type, member, ret->offset);
	m = memo_add(prog, key);
	if (m) {
		m->found = !err;
		if (!err)
			m->member = *ret;
	}
	return err;
}

void kt_type_hint(struct kt_program *prog, const char *symbol)
{
	char key[160];
	uint64_t addr;

	if (!prog->dwarf)
		return;
	snprintf(key, sizeof(key), "HINT(%s)", symbol);
	if (memo_get(prog, key) || !memo_add(prog, key) ||
	    kt_error_catch_any(kt_symbol_address(prog, symbol, &addr)))
		return;
	// The vmlinux DWARF has link-time addresses.
	kt_error_catch_any(kt_dwarf_index_cu_at(prog->dwarf,
						addr - prog->kaslr_offset));
}

struct kt_error *kt_type_member_offset(struct kt_program *prog,
				       const char *type, const char *member,
				       uint64_t *ret)
{
	struct kt_member m;
	struct kt_error *err = kt_type_member(prog, type, member, &m);

	if (!err)
		*ret = m.offset;
	return err;
}

bool kt_type_has_member(struct kt_program *prog, const char *type,
			const char *member)
{
	struct kt_member m;
	struct kt_error *err = kt_type_member(prog, type, member, &m);

	kt_error_destroy(err);
	return !err;
}

struct kt_error *kt_variable_member(struct kt_program *prog, const char *var,
				    const char *member, struct kt_member *ret)
{
	struct kt_error *err;
	Dwarf_Die type;

	if (!prog->dwarf)
		return no_dwarf(prog, var);
	err = kt_dwarf_variable_type(prog->dwarf, var, &type);
	return err ? err : kt_dwarf_member(&type, member, ret);
}

struct kt_error *kt_type_size(struct kt_program *prog, const char *type,
			      uint64_t *ret)
{
	struct kt_type_memo *m;
	struct kt_error *err;
	Dwarf_Die die;

	if (!prog->dwarf) {
		err = kt_vmcoreinfo_size(prog->dump, type, ret);
		if (err && err->code == KT_ERR_LOOKUP) {
			kt_error_destroy(err);
			return no_dwarf(prog, type);
		}
		return err;
	}
	m = memo_get(prog, type);
	if (m && m->found) {
		*ret = m->size;
		return NULL;
	}
	err = find_type(prog, type, &die);
	if (!err)
		err = kt_dwarf_type_size(&die, ret);
	if (!err && !m)
		check_size(prog, type, *ret);
	if (!err && !m) {
		m = memo_add(prog, type);
		if (m) {
			m->found = true;
			m->size = *ret;
		}
	}
	return err;
}

/* ---- per-CPU ---- */

struct kt_error *kt_percpu_offset(struct kt_program *prog, unsigned cpu,
				  uint64_t *ret)
{
	if (cpu >= prog->nr_cpu_ids)
		return kt_error_create(KT_ERR_INVALID,
				       "no CPU %u (nr_cpu_ids is %u)", cpu,
				       prog->nr_cpu_ids);
	*ret = prog->percpu_offsets[cpu];
	return NULL;
}

/*
 * x86's hot per-CPU variables (current_task, hardirq_stack_ptr,
 * top_of_stack ...) were members of one struct pcpu_hot from 6.2
 * ("x86/percpu: Introduce pcpu_hot") until 6.15 split it up again: one that is
 * not a symbol of its own is looked for there.
 */
static struct kt_error *percpu_address(struct kt_program *prog,
				       const char *name, uint64_t *ret)
{
	struct kt_error *err;
	uint64_t hot, off = 0;

	err = kt_symbol_address(prog, name, ret);
	if (!err || err->code != KT_ERR_LOOKUP)
		return err;
	if (kt_error_catch_any(kt_symbol_address(prog, "pcpu_hot", &hot)) ||
	    kt_error_catch_any(kt_type_member_offset(prog, "struct pcpu_hot",
						     name, &off)))
		return err;
	kt_error_destroy(err);
	*ret = hot + off;
	return NULL;
}

struct kt_error *kt_percpu_symbol(struct kt_program *prog, const char *name,
				  unsigned cpu, uint64_t *ret)
{
	struct kt_error *err;
	uint64_t addr, off = 0;

	err = percpu_address(prog, name, &addr);
	if (!err)
		err = kt_percpu_offset(prog, cpu, &off);
	if (!err)
		*ret = addr + off;
	return err;
}

struct kt_error *kt_enum_value(struct kt_program *prog, const char *type,
			       const char *name, int64_t *ret)
{
	struct kt_error *err;
	Dwarf_Die die;

	if (!prog->dwarf)
		return kt_error_create(KT_ERR_NO_DWARF,
				       "%s: the vmlinux has no debuginfo", type);
	err = find_type(prog, type, &die);
	if (!err)
		err = kt_dwarf_enumerator(&die, name, ret);
	if (err)
		return kt_error_wrap(err, "%s", type);
	return NULL;
}
