// SPDX-License-Identifier: GPL-2.0-or-later
/* `mod` and module symbols against drgn. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/module.h"
#include "tests/helpers.h"

ParameterizedTestParameters(modules, agree_with_drgn)
{
	KT_DUMP_PARAMS();
}

ParameterizedTest(struct kt_dump_param *p, modules, agree_with_drgn)
{
	struct kt_program *prog = kt_test_open(p->name);
	cJSON *exp = kt_test_expected(p->name), *m;
	const struct kt_module_list *list;
	unsigned n = 0;

	cr_assert_null(kt_modules_load(prog, &list));
	cr_expect_null(list->warning);
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(exp, "modules")) {
		const char *mname = cJSON_GetObjectItemCaseSensitive(m, "name")->valuestring;
		const struct kt_module *k = NULL;

		for (unsigned i = 0; i < list->n; i++) {
			if (!strcmp(list->mods[i].name, mname))
				k = &list->mods[i];
		}
		cr_assert_not_null(k, "%s: module %s missing", p->name, mname);
		cr_expect_eq(k->base, strtoull(cJSON_GetObjectItemCaseSensitive(m,
				"base")->valuestring, NULL, 16));
		// mem[] (6.4 on): each region (text, data, rodata,
		// ro_after_init); before, the one core layout.
		cJSON *mem = cJSON_GetObjectItemCaseSensitive(m, "mem"), *r;

		if (!mem)
			cr_expect_eq(k->size, cJSON_GetObjectItemCaseSensitive(m,
				     "size")->valueint);
		cJSON_ArrayForEach(r, mem) {
			const struct kt_module_region *kr = kt_module_region_of(k,
				kt_test_hex(kt_test_get(r, "base")));

			cr_expect(kr && kr->base == kt_test_hex(kt_test_get(r,
				  "base")) && kr->size == (uint64_t)kt_test_get(r,
				  "size")->valuedouble, "%s: %s's %s region",
				  p->name, mname, kt_test_get(r, "type")->valuestring);
		}
		cr_expect_gt(k->symtab.nsyms, 0, "%s has no symbols", mname);
		n++;
	}
	cr_expect_eq(list->n, n);
	cJSON_Delete(exp);
	kt_program_destroy(prog);
}

Test(modules, ktscen_symbols_and_debuginfo)
{
	struct kt_program *prog = kt_test_open("list-poison");
	const struct kt_module_list *list;
	struct kt_symbol_hit hit;
	uint64_t addr;
	bool found = false;

	cr_assert_null(kt_modules_load(prog, &list));
	for (unsigned i = 0; i < list->n; i++) {
		if (strcmp(list->mods[i].name, "ktscen"))
			continue;
		found = true;
		cr_expect_not_null(list->mods[i].debuginfo);
		cr_expect_not_null(list->mods[i].dwarf);
	}
	cr_assert(found);
	cr_assert_null(kt_symbol_address(prog, "kt_sum_from", &addr));
	cr_assert(kt_symbol_lookup(prog, addr + 0x1c, &hit));
	cr_expect_str_eq(hit.name, "kt_sum_from");
	cr_expect_eq(hit.offset, 0x1c);
	cr_expect_str_eq(hit.module, "ktscen");
	kt_program_destroy(prog);
}

Test(modules, vmlinux_symbols_are_relocated)
{
	struct kt_program *prog = kt_test_open("hctx-fq");
	struct kt_symbol_hit hit;
	uint64_t addr;

	cr_assert_null(kt_symbol_address(prog, "blk_free_flush_queue", &addr));
	cr_expect_gt(addr, 0xffffffff81000000ULL + prog->kaslr_offset - 1);
	cr_assert(kt_symbol_lookup(prog, addr + 0xe, &hit));
	cr_expect_str_eq(hit.name, "blk_free_flush_queue");
	cr_expect_eq(hit.offset, 0xe);
	cr_expect_null(hit.module);
	kt_program_destroy(prog);
}

/* A .ko of another build must not lend its lines and types. */
Test(modules, debuginfo_of_another_build_is_refused)
{
	char *dump = kt_test_dump_path("hctx-fq-exit", ".kdump");
	char dir[] = "/tmp/kt-wrong-ko.XXXXXX", *ko, *src;
	struct kt_run r;

	cr_assert_not_null(mkdtemp(dir));
	cr_assert(asprintf(&ko, "%s/virtio_blk.ko", dir) > 0);
	cr_assert(asprintf(&src, "%s/modules/null_blk.ko",
			   kt_test_env("KT_FIXTURES")) > 0);
	cr_assert_eq(symlink(src, ko), 0);
	const char *argv[] = { dump, kt_test_env("KT_VMLINUX"), "-m", dir,
			       "--no-std-modules", "--json", "-c", "mod", NULL };
	r = kt_test_run(argv);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cJSON *doc = cJSON_Parse(r.out), *m;
	bool seen = false;

	cJSON_ArrayForEach(m, doc) {
		const char *name = cJSON_GetObjectItemCaseSensitive(m,
						"name")->valuestring;
		cJSON *w = cJSON_GetObjectItemCaseSensitive(m, "warning");

		if (strcmp(name, "virtio_blk"))
			continue;
		seen = true;
		cr_expect(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(m,
				"debuginfo")));
		cr_assert_not_null(w);
		cr_expect(strstr(w->valuestring, "is another build"), "%s",
			  w->valuestring);
		cr_expect_eq(strlen(cJSON_GetObjectItemCaseSensitive(m,
				"build_id")->valuestring), 40);
	}
	cr_expect(seen);
	cJSON_Delete(doc);
	kt_run_free(&r);
	unlink(ko);
	rmdir(dir);
	free(ko);
	free(src);
	free(dump);
}
