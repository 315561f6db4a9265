// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/debuginfo_find.h"
#include "core/dwarf.h"
#include "core/list.h"
#include "core/module.h"
#include "core/program.h"

#define MAX_MODULE_SYMS 200000
#define ELF64_SYM_SIZE 24
#define STRTAB_MAX (16 << 20)

struct load_ctx {
	struct kt_module_list *list;
	uint64_t list_off;	/* offsetof(struct module, list) */
};

static void add_init_region(struct kt_module *mod, uint64_t base,
			    uint64_t size, uint64_t text_size)
{
	if (!base || !size || size > (1ULL << 30) ||
	    mod->nregions >= sizeof(mod->regions) / sizeof(mod->regions[0]))
		return;
	mod->regions[mod->nregions].base = base;
	mod->regions[mod->nregions].size = size;
	mod->regions[mod->nregions++].init = true;
	if (text_size && text_size <= size && !mod->init_text) {
		mod->init_text = base;
		mod->init_text_size = text_size;
	}
}

/* Before 6.4: init_layout, all of init in one region, text first. */
static void init_layout(struct kt_program *prog, struct kt_module *mod)
{
	uint64_t off, base = 0;
	uint32_t size = 0, text = 0;

	if (kt_error_catch_any(kt_type_member_offset(prog, "struct module",
						     "init_layout.base", &off)) ||
	    kt_error_catch_any(kt_read_u64(prog, mod->addr + off, &base)) ||
	    kt_error_catch_any(kt_type_member_offset(prog, "struct module",
						     "init_layout.size", &off)) ||
	    kt_error_catch_any(kt_read_u32(prog, mod->addr + off, &size)))
		return;
	if (!kt_error_catch_any(kt_type_member_offset(prog, "struct module",
			"init_layout.text_size", &off)))
		kt_error_destroy(kt_read_u32(prog, mod->addr + off, &text));
	add_init_region(mod, base, size, text);
}

/*
 * 6.4 (commit ac3b43283923 "module: replace module_layout with
 * module_memory") split core_layout into mem[MOD_TEXT..]; detect which the
 * kernel has from its types.
 */
static struct kt_error *read_layout(struct kt_program *prog,
				    struct kt_module *mod)
{
	struct kt_error *err;
	uint64_t off;

	if (kt_type_has_member(prog, "struct module", "core_layout")) {
		err = kt_type_member_offset(prog, "struct module",
					    "core_layout.base", &off);
		if (!err)
			err = kt_read_u64(prog, mod->addr + off, &mod->base);
		if (!err)
			err = kt_type_member_offset(prog, "struct module",
						    "core_layout.size", &off);
		if (!err) {
			uint32_t v;

			err = kt_read_u32(prog, mod->addr + off, &v);
			mod->size = v;
			mod->regions[0].base = mod->base;
			mod->regions[0].size = v;
			mod->nregions = 1;
		}
		if (!err && !kt_error_catch_any(kt_type_member_offset(prog,
				"struct module", "core_layout.text_size", &off))) {
			uint32_t v;

			if (!kt_error_catch_any(kt_read_u32(prog,
							    mod->addr + off,
							    &v)))
				mod->text_size = v;
		}
		if (!err)
			init_layout(prog, mod);
		return err;
	}
	return kt_module_mem_layout(prog, mod);
}

struct kt_error *kt_module_mem_layout(struct kt_program *prog,
				      struct kt_module *mod)
{
	uint64_t off, msize, base_off, size_off;
	struct kt_error *err;

	// mem[MOD_TEXT], mem[MOD_DATA], mem[MOD_RODATA], mem[MOD_RO_AFTER_INIT]
	err = kt_type_member_offset(prog, "struct module", "mem", &off);
	if (!err)
		err = kt_type_size(prog, "struct module_memory", &msize);
	// base, then size (after is_rox from 6.13)
	if (!err)
		err = kt_type_member_offset(prog, "struct module_memory", "base",
					    &base_off);
	if (!err)
		err = kt_type_member_offset(prog, "struct module_memory", "size",
					    &size_off);
	if (err)
		return kt_error_wrap(err, "module layout");
	for (int i = 0; i < 4; i++) {
		uint64_t base;
		uint32_t size;

		err = kt_read_u64(prog, mod->addr + off + i * msize + base_off,
				  &base);
		if (!err)
			err = kt_read_u32(prog, mod->addr + off + i * msize +
					  size_off, &size);
		if (err)
			return err;
		if (i == 0) {
			mod->base = base;
			mod->text_size = size;
		}
		if (base && size) {
			mod->regions[mod->nregions].base = base;
			mod->regions[mod->nregions++].size = size;
			mod->size += size;
		}
	}
	// the init regions, by their enumerators (text, data, rodata)
	static const char *const inits[] = {
		"MOD_INIT_TEXT", "MOD_INIT_DATA", "MOD_INIT_RODATA",
	};
	for (size_t k = 0; k < sizeof(inits) / sizeof(inits[0]); k++) {
		int64_t i;
		uint64_t base;
		uint32_t size;

		if (kt_error_catch_any(kt_enum_value(prog, "enum mod_mem_type",
						     inits[k], &i)) ||
		    i < 0 || i > 16 ||
		    kt_error_catch_any(kt_read_u64(prog, mod->addr + off +
						   (uint64_t)i * msize +
						   base_off, &base)) ||
		    kt_error_catch_any(kt_read_u32(prog, mod->addr + off +
						   (uint64_t)i * msize +
						   size_off, &size)))
			continue;
		add_init_region(mod, base, size, k == 0 ? size : 0);
	}
	return NULL;
}

const struct kt_module_region *kt_module_region_of(const struct kt_module *m,
						   uint64_t addr)
{
	for (unsigned i = 0; i < m->nregions; i++) {
		const struct kt_module_region *r = &m->regions[i];

		if (addr >= r->base && addr - r->base < r->size)
			return r;
	}
	return NULL;
}

static char nm_type(uint8_t info, uint64_t addr, const struct kt_module *m)
{
	bool global = (info >> 4) != 0;	// STB_LOCAL is 0
	bool text = (addr >= m->base && addr < m->base + m->text_size) ||
		    (m->init_text && addr >= m->init_text &&
		     addr - m->init_text < m->init_text_size);
	char c = text ? 't' : 'd';

	return global ? c - 'a' + 'A' : c;
}

static struct kt_error *read_kallsyms(struct kt_program *prog,
				      struct kt_module *mod)
{
	uint64_t off, ks, symtab, strtab, typetab = 0, max_name = 0;
	unsigned char *syms = NULL;
	char *strs = NULL;
	struct kt_error *err;
	uint32_t n;

	err = kt_type_member_offset(prog, "struct module", "kallsyms", &off);
	if (!err)
		err = kt_read_u64(prog, mod->addr + off, &ks);
	if (!err)
		err = kt_type_member_offset(prog, "struct mod_kallsyms",
					    "num_symtab", &off);
	if (!err)
		err = kt_read_u32(prog, ks + off, &n);
	if (!err)
		err = kt_read_u64(prog, ks, &symtab);	// symtab is first
	if (!err)
		err = kt_type_member_offset(prog, "struct mod_kallsyms",
					    "strtab", &off);
	if (!err)
		err = kt_read_u64(prog, ks + off, &strtab);
	if (err)
		return err;
	if (!kt_error_catch_any(kt_type_member_offset(prog,
			"struct mod_kallsyms", "typetab", &off)))
		kt_error_destroy(kt_read_u64(prog, ks + off, &typetab));
	if (n > MAX_MODULE_SYMS)
		return kt_error_create(KT_ERR_CORRUPT,
				       "%u symbols is not plausible", n);
	syms = malloc((size_t)n * ELF64_SYM_SIZE + 1);
	if (!syms)
		return &kt_error_nomem;
	err = kt_read(prog, symtab, syms, (size_t)n * ELF64_SYM_SIZE);
	for (uint32_t i = 0; !err && i < n; i++) {
		uint32_t name;

		memcpy(&name, syms + i * ELF64_SYM_SIZE, 4);
		if (name > max_name)
			max_name = name;
	}
	if (!err && max_name < STRTAB_MAX) {
		// The last name ends within a few bytes of max_name; read a
		// margin, or just up to max_name if the margin is unreadable.
		strs = calloc(1, max_name + 257);
		if (!strs)
			err = &kt_error_nomem;
		else {
			err = kt_read(prog, strtab, strs, max_name + 256);
			if (kt_error_catch(&err, KT_ERR_FAULT))
				err = kt_read(prog, strtab, strs, max_name + 1);
		}
	}
	for (uint32_t i = 1; !err && strs && i < n; i++) {
		const unsigned char *s = syms + i * ELF64_SYM_SIZE;
		uint32_t name;
		uint16_t shndx;
		uint64_t value, size;
		char type = 0;

		memcpy(&name, s, 4);
		memcpy(&shndx, s + 6, 2);
		memcpy(&value, s + 8, 8);
		memcpy(&size, s + 16, 8);
		if (!shndx || !strs[name] || name > max_name)
			continue;
		if (typetab)
			kt_error_destroy(kt_read(prog, typetab + i, &type, 1));
		if (!type || type == '?')
			type = nm_type(s[4], value, mod);
		err = kt_symtab_add(&mod->symtab, strs + name, value, size,
				    type, true);
	}
	free(syms);
	free(strs);
	if (!err)
		err = kt_symtab_finish(&mod->symtab);
	return err;
}

#define MAX_MODULE_SECTIONS 256
#define NT_GNU_BUILD_ID 3

/* Where the section table of sysfs's sect_attrs is, and how to read it. */
struct sect_layout {
	uint64_t attrs_off, attr_size, addr_off, name_off;
};

/*
 * Up to 6.13: {attribute_group, nsections, module_sect_attr attrs[]},
 * each attr a bin_attribute (its name first) and the address.
 */
static struct kt_error *sections_counted(struct kt_program *prog, uint64_t sa,
					 struct sect_layout *l, uint32_t *n)
{
	struct kt_error *err;
	uint64_t off;

	if ((err = kt_type_member_offset(prog, "struct module_sect_attrs",
					 "nsections", &off)) ||
	    (err = kt_read_u32(prog, sa + off, n)) ||
	    (err = kt_type_member_offset(prog, "struct module_sect_attrs",
					 "attrs", &l->attrs_off)) ||
	    (err = kt_type_size(prog, "struct module_sect_attr",
				&l->attr_size)) ||
	    (err = kt_type_member_offset(prog, "struct module_sect_attr",
					 "address", &l->addr_off)))
		return err;
	return kt_type_member_offset(prog, "struct module_sect_attr",
				     "battr.attr.name", &l->name_off);
}

/*
 * Later ("module: sysfs: Drop member 'module_sect_attr::address'"):
 * attrs[] are bare bin_attributes with the address in ->private, counted
 * by grp.bin_attrs, a NULL-terminated array of pointers to them.
 */
static struct kt_error *sections_listed(struct kt_program *prog, uint64_t sa,
					struct sect_layout *l, uint32_t *n)
{
	struct kt_error *err;
	uint64_t off, list, p;

	if ((err = kt_type_member_offset(prog, "struct module_sect_attrs",
					 "grp.bin_attrs", &off)) ||
	    (err = kt_read_u64(prog, sa + off, &list)) ||
	    (err = kt_type_member_offset(prog, "struct module_sect_attrs",
					 "attrs", &l->attrs_off)) ||
	    (err = kt_type_size(prog, "struct bin_attribute", &l->attr_size)) ||
	    (err = kt_type_member_offset(prog, "struct bin_attribute",
					 "private", &l->addr_off)) ||
	    (err = kt_type_member_offset(prog, "struct bin_attribute",
					 "attr.name", &l->name_off)))
		return err;
	for (*n = 0; list && *n <= MAX_MODULE_SECTIONS; ++*n) {
		err = kt_read_u64(prog, list + 8ULL * *n, &p);
		if (err)
			return err;
		if (!p)
			break;
	}
	return NULL;
}

/* The section addresses of a loaded module, from sysfs's sect_attrs. */
static struct kt_error *read_sections(struct kt_program *prog,
				      struct kt_module *mod)
{
	struct sect_layout l;
	struct kt_error *err;
	uint64_t off, sa;
	uint32_t n;

	if ((err = kt_type_member_offset(prog, "struct module", "sect_attrs",
					 &off)) ||
	    (err = kt_read_u64(prog, mod->addr + off, &sa)))
		return err;
	err = kt_type_has_member(prog, "struct module_sect_attrs", "nsections") ?
		sections_counted(prog, sa, &l, &n) :
		sections_listed(prog, sa, &l, &n);
	if (err)
		return err;
	if (n > MAX_MODULE_SECTIONS)
		return kt_error_create(KT_ERR_CORRUPT,
				       "%u sections is not plausible", n);
	mod->sections = calloc(n ? n : 1, sizeof(*mod->sections));
	if (!mod->sections)
		return &kt_error_nomem;
	for (uint32_t i = 0; i < n; i++) {
		struct kt_module_section *sec = &mod->sections[i];
		uint64_t a = sa + l.attrs_off + i * l.attr_size, name;

		if ((err = kt_read_u64(prog, a + l.addr_off, &sec->addr)) ||
		    (err = kt_read_u64(prog, a + l.name_off, &name)))
			return err;
		kt_error_destroy(kt_read_cstr(prog, name, sec->name,
					      sizeof(sec->name)));
		mod->nsections++;
	}
	return NULL;
}

/* The build-id note the module carries in memory. */
static void read_build_id(struct kt_program *prog, struct kt_module *mod)
{
	for (unsigned i = 0; i < mod->nsections; i++) {
		uint32_t note[3];
		unsigned char id[20];
		char name[4];

		if (strcmp(mod->sections[i].name, ".note.gnu.build-id"))
			continue;
		if (kt_error_catch_any(kt_read(prog, mod->sections[i].addr,
					       note, sizeof(note))) ||
		    note[0] != 4 || note[1] > 20 || note[2] != NT_GNU_BUILD_ID ||
		    kt_error_catch_any(kt_read(prog, mod->sections[i].addr + 12,
					       name, 4)) ||
		    memcmp(name, "GNU", 4) ||
		    kt_error_catch_any(kt_read(prog, mod->sections[i].addr + 16,
					       id, note[1])))
			return;
		for (uint32_t j = 0; j < note[1]; j++)
			snprintf(mod->build_id + 2 * j, 3, "%02x", id[j]);
		return;
	}
}

/* Look for NAME.ko (or with - and _ swapped) under @dir, recursively. */
static char *find_ko(const char *dir, const char *name, int depth)
{
	char *found = NULL;
	struct dirent *de;
	DIR *d;

	if (depth > 6 || !(d = opendir(dir)))
		return NULL;
	while (!found && (de = readdir(d))) {
		char path[PATH_MAX];
		size_t len = strlen(de->d_name);
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			found = find_ko(path, name, depth + 1);
			continue;
		}
		if (len != strlen(name) + 3 || strcmp(de->d_name + len - 3,
						      ".ko"))
			continue;
		bool same = true;

		for (size_t i = 0; i + 3 < len && same; i++) {
			char a = de->d_name[i] == '-' ? '_' : de->d_name[i];
			char b = name[i] == '-' ? '_' : name[i];

			same = a == b;
		}
		if (same)
			found = strdup(path);
	}
	closedir(d);
	return found;
}

/* The .ko's DWARF, placed at the loaded module's section addresses. */
static struct kt_error *open_ko(struct kt_module *mod, const char *path)
{
	struct kt_dwarf_section *secs;
	struct kt_error *err;

	secs = calloc(mod->nsections + 1, sizeof(*secs));
	if (!secs)
		return &kt_error_nomem;
	for (unsigned i = 0; i < mod->nsections; i++) {
		secs[i].name = mod->sections[i].name;
		secs[i].addr = mod->sections[i].addr;
	}
	err = kt_dwarf_open_module(path, secs, mod->nsections, &mod->dwarf);
	free(secs);
	return err;
}

/* Somewhere a file can be found by build-id (core/debuginfo_find.h). */
static bool build_id_places(void)
{
	const char *p = getenv("KTRIAGE_DEBUG_PATH");
	const char *u = getenv("DEBUGINFOD_URLS");

	return (p && *p) || (u && *u) || !access("/usr/lib/debug/.build-id",
						 X_OK);
}

static void find_debuginfo(struct kt_program *prog, struct kt_module *mod)
{
	const struct kt_open_options *o = &prog->opts;
	bool tried = false;	/* sections and build-id read */
	char *path = NULL;

	for (unsigned i = 0; !path && i < o->nmodule_dirs; i++)
		path = find_ko(o->module_dirs[i], mod->name, 0);
	if (!path && !o->no_std_module_dirs &&
	    *prog->identity.dump_release) {
		char dir[PATH_MAX];

		snprintf(dir, sizeof(dir), "/usr/lib/debug/lib/modules/%s",
			 prog->identity.dump_release);
		path = find_ko(dir, mod->name, 0);
	}
	// Sections and build-id only matter with a .ko to place and check
	// (and struct module_sect_attrs is deep in the DWARF CU list): read
	// them first only when there is a place to look a build-id up.
	if (!path && !o->no_std_module_dirs && build_id_places()) {
		struct kt_vmlinux_search s = { 0 };

		tried = true;
		if (!kt_error_catch_any(read_sections(prog, mod)))
			read_build_id(prog, mod);
		if (*mod->build_id &&
		    !kt_error_catch_any(kt_debuginfo_find(mod->build_id, NULL,
							  NULL, &s))) {
			path = s.path;
			s.path = NULL;
		}
		kt_vmlinux_search_deinit(&s);
	}
	if (!path)
		return;
	if (!tried && !kt_error_catch_any(read_sections(prog, mod)))
		read_build_id(prog, mod);
	if (kt_error_catch_any(open_ko(mod, path))) {
		if (asprintf(&mod->warning, "%s has no debuginfo", path) < 0)
			mod->warning = NULL;
		free(path);
		return;
	}
	// A .ko of another build would give wrong lines and layouts.
	if (*mod->build_id && strcmp(mod->build_id,
				     kt_dwarf_build_id(mod->dwarf))) {
		if (asprintf(&mod->warning, "%s is another build (build-id "
			     "%s, the loaded module's is %s): not used", path,
			     kt_dwarf_build_id(mod->dwarf), mod->build_id) < 0)
			mod->warning = NULL;
		kt_dwarf_destroy(mod->dwarf);
		mod->dwarf = NULL;
		free(path);
		return;
	}
	mod->debuginfo = path;
}

static struct kt_error *add_module(struct kt_program *prog, uint64_t node,
				   void *arg)
{
	struct load_ctx *ctx = arg;
	struct kt_module_list *list = ctx->list;
	struct kt_module *mod;
	struct kt_error *err;
	uint64_t off;
	void *p;

	p = realloc(list->mods, (list->n + 1) * sizeof(*list->mods));
	if (!p)
		return &kt_error_nomem;
	list->mods = p;
	mod = &list->mods[list->n];
	memset(mod, 0, sizeof(*mod));
	kt_symtab_init(&mod->symtab);
	mod->addr = node - ctx->list_off;
	err = kt_type_member_offset(prog, "struct module", "name", &off);
	if (!err)
		err = kt_read(prog, mod->addr + off, mod->name,
			      sizeof(mod->name) - 8);
	if (!err)
		err = read_layout(prog, mod);
	if (err)
		return kt_error_wrap(err, "module at 0x%" PRIx64, mod->addr);
	list->n++;
	err = read_kallsyms(prog, mod);
	if (err) {
		if (asprintf(&mod->warning, "no symbols: %s", err->message) < 0)
			mod->warning = NULL;
		kt_error_destroy(err);
	}
	if (!mod->warning)
		find_debuginfo(prog, mod);
	return NULL;
}

struct kt_error *kt_modules_load(struct kt_program *prog,
				 const struct kt_module_list **ret)
{
	struct load_ctx ctx = { 0 };
	struct kt_error *err;
	uint64_t head;

	if (prog->modules) {
		*ret = prog->modules;
		return NULL;
	}
	ctx.list = calloc(1, sizeof(*ctx.list));
	if (!ctx.list)
		return &kt_error_nomem;
	prog->loading_modules = true;
	err = kt_type_member_offset(prog, "struct module", "list",
				    &ctx.list_off);
	if (!err)
		err = kt_symbol_address(prog, "modules", &head);
	if (!err)
		err = kt_list_walk(prog, head, add_module, &ctx);
	prog->loading_modules = false;
	if (err && err->code != KT_ERR_NOMEM && err->code != KT_ERR_NO_DWARF &&
	    ctx.list->n) {
		// Keep what was found; say why the list ends early.
		ctx.list->warning = strdup(err->message);
		kt_error_destroy(err);
		err = NULL;
	}
	if (err) {
		kt_module_list_destroy(ctx.list);
		return kt_error_wrap(err, "reading the module list");
	}
	prog->modules = ctx.list;
	*ret = ctx.list;
	return NULL;
}

void kt_module_list_destroy(struct kt_module_list *list)
{
	if (!list)
		return;
	for (unsigned i = 0; i < list->n; i++) {
		kt_symtab_deinit(&list->mods[i].symtab);
		free(list->mods[i].sections);
		kt_dwarf_destroy(list->mods[i].dwarf);
		free(list->mods[i].debuginfo);
		free(list->mods[i].warning);
	}
	free(list->mods);
	free(list->warning);
	free(list);
}

bool kt_module_symbol_address(struct kt_program *prog, const char *name,
			      uint64_t *ret)
{
	const struct kt_module_list *list = prog->modules;

	for (unsigned i = 0; list && i < list->n; i++) {
		const struct kt_symbol *sym =
			kt_symtab_by_name(&list->mods[i].symtab, name);

		if (sym) {
			*ret = sym->addr;
			return true;
		}
	}
	return false;
}

const struct kt_module *kt_module_by_addr(struct kt_program *prog,
					  uint64_t addr)
{
	const struct kt_module_list *list = prog->modules;

	for (unsigned i = 0; list && i < list->n; i++) {
		const struct kt_module *m = &list->mods[i];

		if (kt_module_region_of(m, addr))
			return m;
	}
	return NULL;
}

bool kt_module_symbol_lookup(struct kt_program *prog, uint64_t addr,
			     struct kt_symbol_hit *ret)
{
	const struct kt_module *m = kt_module_by_addr(prog, addr);
	const struct kt_symbol *sym;

	if (!m)
		return false;
	// Sizes in module kallsyms are 0 for many symbols; like the
	// kernel's own oops text, a symbol then reaches the next one.
	sym = kt_symtab_by_addr(&m->symtab, addr, m->size);
	if (!sym)
		return false;
	ret->name = sym->name;
	ret->addr = sym->addr;
	ret->offset = addr - sym->addr;
	ret->size = sym->size;
	ret->type = sym->type;
	ret->module = m->name;
	return true;
}

struct kt_error *kt_module_type_member(struct kt_program *prog,
				       const char *module, const char *type,
				       const char *member,
				       struct kt_member *ret)
{
	const struct kt_module_list *mods;
	const struct kt_module *mod = NULL;
	struct kt_error *err;
	Dwarf_Die die;

	err = kt_modules_load(prog, &mods);
	if (err)
		return err;
	for (unsigned i = 0; i < mods->n && !mod; i++)
		if (!strcmp(mods->mods[i].name, module))
			mod = &mods->mods[i];
	if (!mod)
		return kt_error_create(KT_ERR_LOOKUP, "module %s is not loaded",
				       module);
	if (!mod->dwarf)
		return kt_error_create(KT_ERR_NO_DWARF, "module %s has no "
				       "debuginfo", module);
	err = kt_dwarf_find_type(mod->dwarf, type, &die);
	if (!err)
		err = kt_dwarf_member(&die, member, ret);
	return err ? kt_error_wrap(err, "module %s", module) : NULL;
}
