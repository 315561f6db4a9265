// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The ELF notes of a vmcore (PRSTATUS, VMCOREINFO...) and what ktriage
 * makes of VMCOREINFO: the input is the PT_NOTE segment of a small ELF
 * core file with one page of RAM, opened as a dump (core/dump.c, which
 * hands the notes to libkdumpfile and indexes VMCOREINFO itself).
 */
#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/dump.h"
#include "fuzz/common.h"

#define NOTE_OFF 4096
#define RAM 0x100000	/* the page's physical address */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

/* The ELF header, a PT_NOTE of @size bytes, and a PT_LOAD of a page. */
static unsigned char *core_file(const uint8_t *notes, size_t size,
				size_t *ret)
{
	size_t load = (NOTE_OFF + size + 4095) & ~(size_t)4095;
	unsigned char *f = calloc(1, load + 4096);
	Elf64_Ehdr eh = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64,
			     ELFDATA2LSB, EV_CURRENT },
		.e_type = ET_CORE, .e_machine = EM_X86_64,
		.e_version = EV_CURRENT, .e_phoff = sizeof(Elf64_Ehdr),
		.e_ehsize = sizeof(Elf64_Ehdr),
		.e_phentsize = sizeof(Elf64_Phdr), .e_phnum = 2,
	};
	Elf64_Phdr ph[2] = {
		{ .p_type = PT_NOTE, .p_offset = NOTE_OFF, .p_filesz = size,
		  .p_align = 4 },
		{ .p_type = PT_LOAD, .p_flags = PF_R | PF_W | PF_X,
		  .p_offset = load, .p_vaddr = 0xffff888000000000 + RAM,
		  .p_paddr = RAM, .p_filesz = 4096, .p_memsz = 4096,
		  .p_align = 4096 },
	};

	if (!f)
		abort();
	memcpy(f, &eh, sizeof(eh));
	memcpy(f + sizeof(eh), ph, sizeof(ph));
	memcpy(f + NOTE_OFF, notes, size);
	memset(f + load, 0xa5, 4096);
	*ret = load + 4096;
	return f;
}

static void use(struct kt_dump *dump)
{
	static const char *const keys[] = {
		"OSRELEASE", "BUILD-ID", "PAGESIZE", "KERNELOFFSET",
		"SYMBOL(_stext)", "CRASHTIME", "NUMBER(phys_base)", "",
	};
	struct kt_prstatus pr;
	unsigned char buf[64];
	uint64_t pa;
	unsigned n = kt_dump_num_prstatus(dump);
	const char *raw = kt_dump_vmcoreinfo_raw(dump);

	if (raw)
		KT_FUZZ_CHECK(strlen(raw) < (1u << 30), "vmcoreinfo: length");
	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++) {
		const char *v = kt_dump_vmcoreinfo(dump, keys[i]);

		if (v)
			KT_FUZZ_CHECK(strlen(v) < (1u << 30), "vmcoreinfo");
	}
	for (unsigned i = 0; i < n && i < 8192; i++) {
		struct kt_error *err = kt_dump_prstatus(dump, i, &pr);

		kt_fuzz_drop(err);
	}
	kt_fuzz_drop(kt_dump_read(dump, RAM, true, buf, sizeof(buf)));
	kt_fuzz_drop(kt_dump_read(dump, 0xffff888000000000 + RAM, false,
				      buf, sizeof(buf)));
	kt_fuzz_drop(kt_dump_vtop(dump, 0xffffffff81000000, &pa));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len;
	unsigned char *file = core_file(data, size, &len);
	char path[32];
	int fd = kt_fuzz_file(file, len, path);
	const char *paths[] = { path };
	struct kt_dump *dump;
	struct kt_error *err = kt_dump_open(paths, 1, &dump);

	if (err)
		kt_fuzz_drop(err);
	else
		use(dump);
	if (!err)
		kt_dump_destroy(dump);
	close(fd);
	free(file);
	return 0;
}
