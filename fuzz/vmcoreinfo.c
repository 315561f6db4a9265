// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * VMCOREINFO as a hostile dump carries it: the input replaces the real
 * dump's VMCOREINFO text (libkdumpfile parses it again and sets up address
 * translation from it), then what ktriage takes from it runs on the real
 * memory: the memory map (OFFSET(page.*), SIZE(page), PAGESIZE), the
 * printk ring's layout, the slab caches, the system's facts. The real
 * text is put back after each input.
 */
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mm.h"
#include "core/program.h"
#include "core/slab.h"
#include "core/sysinfo.h"
#include "fuzz/common.h"

static char *real;	/* the dump's own VMCOREINFO */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct kt_program *prog = kt_fuzz_program();

	real = strdup(kt_dump_vmcoreinfo_raw(prog->dump));
	return 0;
}

static void use(struct kt_program *prog)
{
	const struct kt_mm *mm;
	const struct kt_log *log;
	const struct kt_slab_cache_list *caches;
	struct kt_slab_stats stats;
	struct kt_sysinfo s;
	struct kt_page page;

	if (!kt_fuzz_catch(kt_mm_get(prog, &mm)))
		for (uint64_t pfn = 0x1000; pfn < 0x20000; pfn += 0x3001)
			kt_fuzz_drop(kt_mm_page(prog, pfn, &page));
	kt_fuzz_drop(kt_log_load_levels(prog, &log));
	if (!kt_fuzz_catch(kt_slab_caches(prog, &caches)))
		for (unsigned i = 0; i < caches->n && i < 8; i++)
			kt_fuzz_drop(kt_slab_cache_stats(prog,
				&caches->caches[i], &stats));
	if (!kt_fuzz_catch(kt_sysinfo_load(prog, &s)))
		kt_sysinfo_deinit(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_program *prog = kt_fuzz_program();
	char *text = malloc(size + 1);

	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = 0;
	kt_program_forget(prog);
	if (!kt_fuzz_catch(kt_dump_use_vmcoreinfo(prog->dump, text)))
		use(prog);
	kt_program_forget(prog);
	KT_FUZZ_CHECK(!kt_fuzz_catch(kt_dump_use_vmcoreinfo(prog->dump, real)),
		      "vmcoreinfo: the real text is refused");
	free(text);
	return 0;
}
