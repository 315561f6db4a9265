// SPDX-License-Identifier: GPL-2.0-or-later
/* Opening the shared dumps: formats, KASLR, identity, missing pages. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>

#include "core/dump.h"
#include "tests/helpers.h"

ParameterizedTestParameters(open, every_dump)
{
	KT_DUMP_PARAMS();
}

ParameterizedTest(struct kt_dump_param *p, open, every_dump)
{
	struct kt_program *prog = kt_test_open(p->name);
	cJSON *exp = kt_test_expected(p->name);
	const char *koff = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(exp,
				"vmcoreinfo"), "kaslr_offset")->valuestring;
	const struct kt_dump_info *di = kt_dump_info(prog->dump);

	cr_expect_eq(prog->kaslr_offset, strtoull(koff, NULL, 16),
		     "%s: KASLR 0x%lx, drgn says %s", p->name,
		     (unsigned long)prog->kaslr_offset, koff);
	cr_expect_str_eq(prog->kaslr_source, "VMCOREINFO KERNELOFFSET");
	cr_expect(prog->identity.release_checked &&
		  prog->identity.build_id_checked &&
		  prog->identity.banner_checked, "%s: %s", p->name,
		  prog->identity.verdict);
	cr_expect_str_eq(di->format, "diskdump");
	cr_expect_str_eq(di->compression, "zlib");
	// the level the recipe asked of makedumpfile (the shared dumps: 31)
	char *lp = kt_test_dump_path(p->name, ".level");
	char *lv = kt_test_slurp(lp, NULL);

	cr_expect_eq(di->dump_level, lv ? atoi(lv) : 31, "%s", p->name);
	free(lv);
	free(lp);
	cr_expect_eq(prog->nr_cpu_ids, 2);
	cr_expect(kt_program_has_types(prog));
	cJSON_Delete(exp);
	kt_program_destroy(prog);
}

Test(open, lzo_dump_reads_the_same)
{
	char *path = kt_test_dump_path("sysrq-null", ".kdump-lzo");
	struct kt_program *lzo = kt_test_open_files(path, NULL, false);
	struct kt_program *zlib = kt_test_open("sysrq-null");
	uint64_t addr;
	char a[4096], b[4096];

	cr_expect_str_eq(kt_dump_info(lzo->dump)->compression, "lzo");
	cr_assert_null(kt_symbol_address(lzo, "init_task", &addr));
	cr_assert_null(kt_read(lzo, addr, a, sizeof(a)));
	cr_assert_null(kt_read(zlib, addr, b, sizeof(b)));
	cr_expect(!memcmp(a, b, sizeof(a)));
	kt_program_destroy(lzo);
	kt_program_destroy(zlib);
	free(path);
}

/* makedumpfile -d 31 leaves out free, cache and user pages. */
Test(open, excluded_page_says_why)
{
	struct kt_program *prog = kt_test_open("hctx-fq");
	const struct kt_dump_info *di = kt_dump_info(prog->dump);
	uint64_t pfn, found = 0;
	struct kt_error *err;
	char byte;

	cr_assert_gt(di->ram_pages, di->present_pages);
	for (pfn = 0x100; pfn < di->max_pfn && !found; pfn++) {
		if (kt_dump_pfn_state(prog->dump, pfn) == KT_FAULT_EXCLUDED)
			found = pfn;
	}
	cr_assert(found, "no excluded page in a -d 31 dump?");
	err = kt_dump_read(prog->dump, found << 12, true, &byte, 1);
	cr_assert_not_null(err);
	cr_expect_eq(err->code, KT_ERR_FAULT);
	cr_expect_eq(err->fault, KT_FAULT_EXCLUDED);
	cr_expect(strstr(err->message, "page excluded from dump"), "%s",
		  err->message);
	kt_error_destroy(err);
	// Beyond the end of RAM is not RAM.
	cr_expect_eq(kt_dump_pfn_state(prog->dump, di->max_pfn + 10),
		     KT_FAULT_NOT_RAM);
	kt_program_destroy(prog);
}

Test(open, non_canonical_and_unmapped_addresses_fault_cleanly)
{
	struct kt_program *prog = kt_test_open("list-poison");
	struct kt_error *err;
	uint64_t v;

	err = kt_read_u64(prog, 0xdead000000000100ULL, &v);
	cr_assert_not_null(err);
	cr_expect_eq(err->fault, KT_FAULT_NON_CANONICAL);
	kt_error_destroy(err);
	// The hole between the direct map and vmalloc is never mapped.
	err = kt_read_u64(prog, 0xffffc87fffff0000ULL, &v);
	cr_assert_not_null(err);
	cr_expect_eq(err->code, KT_ERR_FAULT);
	kt_error_destroy(err);
	kt_program_destroy(prog);
}

Test(open, types_are_lazy_and_memoised)
{
	struct kt_program *prog = kt_test_open("sysrq-null");
	uint64_t off1, off2, size;
	unsigned cus;
	bool complete;

	cr_assert_null(kt_type_member_offset(prog, "struct task_struct",
					     "comm", &off1));
	kt_dwarf_index_stats(prog->dwarf, &cus, &complete);
	cr_expect_not(complete, "a core type should not index all of DWARF");
	cr_assert_null(kt_type_member_offset(prog, "struct task_struct",
					     "comm", &off2));
	cr_expect_eq(off1, off2);
	cr_assert_null(kt_type_size(prog, "struct list_head", &size));
	cr_expect_eq(size, 16);
	cr_expect(kt_type_has_member(prog, "struct task_struct", "__state"));
	cr_expect_not(kt_type_has_member(prog, "struct task_struct", "state"),
		      "6.1 renamed state to __state");
	cr_expect(kt_type_has_member(prog, "struct module", "core_layout"));
	kt_program_destroy(prog);
}
