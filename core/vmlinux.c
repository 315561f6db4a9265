// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/vmlinux.h"

struct kt_vmlinux {
	char *path;
	int fd;
	Elf *elf;
	struct kt_symtab linked;	/* moved by offset, see relocate */
	uint64_t offset;
	char build_id[41];
	bool has_dwarf;
	char *banner;
	char release[65];
};

static struct kt_error *elf_err(const char *path, const char *what)
{
	return kt_error_create(KT_ERR_FORMAT, "%s: %s: %s", path, what,
			       elf_errmsg(-1));
}

/* nm's letter for symbols of a section, lower case (local). */
static char section_letter(Elf *elf, size_t ndx)
{
	Elf_Scn *scn = elf_getscn(elf, ndx);
	GElf_Shdr shdr;

	if (!scn || !gelf_getshdr(scn, &shdr))
		return '?';
	if (shdr.sh_flags & SHF_EXECINSTR)
		return 't';
	if (shdr.sh_type == SHT_NOBITS)
		return 'b';
	return shdr.sh_flags & SHF_WRITE ? 'd' : 'r';
}

static char sym_type(const char *letters, size_t nletters,
		     const GElf_Sym *sym)
{
	bool global = GELF_ST_BIND(sym->st_info) != STB_LOCAL;
	char c;

	if (sym->st_shndx == SHN_ABS)
		c = 'a';
	else if (sym->st_shndx < nletters)
		c = letters[sym->st_shndx];
	else
		c = '?';
	return global && c != '?' ? c - 'a' + 'A' : c;
}

static bool wanted(const GElf_Sym *sym, const char *name)
{
	int type = GELF_ST_TYPE(sym->st_info);

	if (!name || !*name || sym->st_shndx == SHN_UNDEF)
		return false;
	return type == STT_FUNC || type == STT_OBJECT || type == STT_NOTYPE;
}

static struct kt_error *read_symbols(struct kt_vmlinux *vm)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr shdr;
	char letters[4096];
	size_t nletters = 0;

	// One letter per section, rather than a header lookup per symbol.
	if (!elf_getshdrnum(vm->elf, &nletters)) {
		if (nletters > sizeof(letters))
			nletters = sizeof(letters);
		for (size_t i = 0; i < nletters; i++)
			letters[i] = section_letter(vm->elf, i);
	}

	while ((scn = elf_nextscn(vm->elf, scn))) {
		Elf_Data *data;
		size_t n;

		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_SYMTAB)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data || !shdr.sh_entsize)
			return elf_err(vm->path, "reading .symtab");
		n = shdr.sh_size / shdr.sh_entsize;
		for (size_t i = 1; i < n; i++) {
			struct kt_error *err;
			const char *name;
			GElf_Sym sym;

			if (!gelf_getsym(data, i, &sym))
				continue;
			name = elf_strptr(vm->elf, shdr.sh_link, sym.st_name);
			if (!wanted(&sym, name))
				continue;
			err = kt_symtab_add(&vm->linked, name, sym.st_value,
					    sym.st_size,
					    sym_type(letters, nletters, &sym),
					    false);
			if (err)
				return err;
		}
		return kt_symtab_finish(&vm->linked);
	}
	return kt_error_create(KT_ERR_FORMAT,
		"%s: no symbol table; give the unstripped vmlinux (Debian: "
		"package linux-image-<release>-dbg)", vm->path);
}

static void read_build_id(struct kt_vmlinux *vm)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr shdr;

	while ((scn = elf_nextscn(vm->elf, scn))) {
		GElf_Nhdr nhdr;
		size_t off = 0, name_off, desc_off;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_NOTE)
			continue;
		data = elf_getdata(scn, NULL);
		while (data && (off = gelf_getnote(data, off, &nhdr, &name_off,
						   &desc_off)) > 0) {
			const unsigned char *desc;

			if (nhdr.n_type != NT_GNU_BUILD_ID ||
			    nhdr.n_namesz != 4 ||
			    memcmp((char *)data->d_buf + name_off, "GNU", 4) ||
			    nhdr.n_descsz > 20)
				continue;
			desc = (unsigned char *)data->d_buf + desc_off;
			for (size_t i = 0; i < nhdr.n_descsz; i++)
				snprintf(vm->build_id + 2 * i, 3, "%02x",
					 desc[i]);
			return;
		}
	}
}

static void scan_sections(struct kt_vmlinux *vm)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	GElf_Shdr shdr;

	if (elf_getshdrstrndx(vm->elf, &shstrndx))
		return;
	while ((scn = elf_nextscn(vm->elf, scn))) {
		const char *name;

		if (!gelf_getshdr(scn, &shdr))
			continue;
		name = elf_strptr(vm->elf, shstrndx, shdr.sh_name);
		if (name && !strcmp(name, ".debug_info") && shdr.sh_size)
			vm->has_dwarf = true;
	}
}

static void read_banner(struct kt_vmlinux *vm)
{
	const struct kt_symbol *sym;
	const char *p;
	size_t n;

	vm->banner = strdup("");
	sym = kt_symtab_by_name(&vm->linked, "linux_banner");
	if (!sym || !sym->size || sym->size > 4096)
		return;
	free(vm->banner);
	vm->banner = calloc(1, sym->size + 1);
	if (!vm->banner ||
	    kt_vmlinux_read(vm, sym->addr, vm->banner, sym->size)) {
		free(vm->banner);
		vm->banner = strdup("");
		return;
	}
	if (strncmp(vm->banner, "Linux version ", 14))
		return;
	p = vm->banner + 14;
	n = strcspn(p, " ");
	if (n < sizeof(vm->release))
		memcpy(vm->release, p, n);
}

struct kt_error *kt_vmlinux_open(const char *path, struct kt_vmlinux **ret)
{
	struct kt_vmlinux *vm;
	struct kt_error *err;
	GElf_Ehdr ehdr;

	elf_version(EV_CURRENT);
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return &kt_error_nomem;
	vm->fd = -1;
	kt_symtab_init(&vm->linked);
	vm->path = strdup(path);
	if (!vm->path) {
		err = &kt_error_nomem;
		goto fail;
	}
	vm->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (vm->fd < 0) {
		err = kt_error_os(errno, "cannot open vmlinux %s", path);
		goto fail;
	}
	vm->elf = elf_begin(vm->fd, ELF_C_READ_MMAP, NULL);
	if (!vm->elf || elf_kind(vm->elf) != ELF_K_ELF ||
	    !gelf_getehdr(vm->elf, &ehdr)) {
		err = kt_error_create(KT_ERR_FORMAT,
			"%s: not an ELF file; give the vmlinux with debug info"
			" (not vmlinuz)", path);
		goto fail;
	}
	if (ehdr.e_ident[EI_CLASS] != ELFCLASS64 ||
	    ehdr.e_machine != EM_X86_64 || ehdr.e_type != ET_EXEC) {
		err = kt_error_create(KT_ERR_FORMAT,
			"%s: not an x86-64 kernel image (ELF type %u, "
			"machine %u)", path, ehdr.e_type, ehdr.e_machine);
		goto fail;
	}
	err = read_symbols(vm);
	if (err)
		goto fail;
	if (!kt_symtab_by_name(&vm->linked, "linux_banner") ||
	    !kt_symtab_by_name(&vm->linked, "_stext")) {
		err = kt_error_create(KT_ERR_FORMAT,
			"%s: not a Linux kernel (no linux_banner symbol)",
			path);
		goto fail;
	}
	read_build_id(vm);
	scan_sections(vm);
	read_banner(vm);
	*ret = vm;
	return NULL;
fail:
	kt_vmlinux_destroy(vm);
	return err;
}

void kt_vmlinux_destroy(struct kt_vmlinux *vm)
{
	if (!vm)
		return;
	kt_symtab_deinit(&vm->linked);
	if (vm->elf)
		elf_end(vm->elf);
	if (vm->fd >= 0)
		close(vm->fd);
	free(vm->banner);
	free(vm->path);
	free(vm);
}

const char *kt_vmlinux_path(const struct kt_vmlinux *vm)
{
	return vm->path;
}

const char *kt_vmlinux_build_id(const struct kt_vmlinux *vm)
{
	return vm->build_id;
}

bool kt_vmlinux_has_dwarf(const struct kt_vmlinux *vm)
{
	return vm->has_dwarf;
}

void *kt_vmlinux_elf(const struct kt_vmlinux *vm)
{
	return vm->elf;
}

void kt_vmlinux_relocate(struct kt_vmlinux *vm, uint64_t offset)
{
	// Moving the image's symbols up by one offset keeps them sorted and
	// above the per-CPU offsets, so the table and its name index stay.
	for (size_t i = 0; i < vm->linked.nsyms; i++) {
		if (vm->linked.syms[i].addr >= KT_START_KERNEL_MAP + vm->offset)
			vm->linked.syms[i].addr += offset - vm->offset;
	}
	vm->offset = offset;
}

const struct kt_symtab *kt_vmlinux_symtab(const struct kt_vmlinux *vm)
{
	return &vm->linked;
}

uint64_t kt_vmlinux_offset(const struct kt_vmlinux *vm)
{
	return vm->offset;
}

struct kt_error *kt_vmlinux_read(const struct kt_vmlinux *vm, uint64_t addr,
				 void *buf, size_t size)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr shdr;

	while ((scn = elf_nextscn(vm->elf, scn))) {
		if (!gelf_getshdr(scn, &shdr) || !(shdr.sh_flags & SHF_ALLOC) ||
		    shdr.sh_type == SHT_NOBITS)
			continue;
		if (addr < shdr.sh_addr || addr + size > shdr.sh_addr +
		    shdr.sh_size || addr + size < addr)
			continue;
		if (pread(vm->fd, buf, size, shdr.sh_offset +
			  (addr - shdr.sh_addr)) != (ssize_t)size)
			return kt_error_os(errno ? errno : EIO, "reading %s",
					   vm->path);
		return NULL;
	}
	return kt_error_create(KT_ERR_LOOKUP,
			       "%s: no section holds 0x%lx..+%zu", vm->path,
			       (unsigned long)addr, size);
}

const char *kt_vmlinux_release(const struct kt_vmlinux *vm)
{
	return vm->release;
}

const char *kt_vmlinux_banner(const struct kt_vmlinux *vm)
{
	return vm->banner;
}

struct kt_error *kt_vmlinux_section(const struct kt_vmlinux *vm,
				    const char *name, uint64_t *addr,
				    uint64_t *size)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr shdr;
	size_t shstrndx;

	if (elf_getshdrstrndx(vm->elf, &shstrndx))
		return kt_error_create(KT_ERR_FORMAT, "%s: no section names",
				       vm->path);
	while ((scn = elf_nextscn(vm->elf, scn))) {
		const char *n;

		if (!gelf_getshdr(scn, &shdr))
			continue;
		n = elf_strptr(vm->elf, shstrndx, shdr.sh_name);
		if (n && !strcmp(n, name)) {
			*addr = shdr.sh_addr;
			*size = shdr.sh_size;
			return NULL;
		}
	}
	return kt_error_create(KT_ERR_LOOKUP, "%s: no section %s", vm->path,
			       name);
}
