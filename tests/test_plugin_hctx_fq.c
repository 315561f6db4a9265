// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The hctx_fq plugin on every shared dump, against drgn.
 *
 * tests/expected/NAME.hctx_fq.json (tests/oracle/hctx_fq.py) lists every
 * hctx drgn reaches (each disk's queue, the crashed thread's frames) with
 * drgn's verdict on its fq. The plugin must raise exactly one finding per
 * hctx drgn calls bad, none elsewhere, with drgn's queue and fq, and must
 * make the hctx the crashing frame holds the critical one.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/plugin.h"
#include "tests/helpers.h"

/* The finding of one bad hctx agrees with drgn's record of it. */
static void check_bad(const struct kt_finding *f, cJSON *h, cJSON *doc)
{
	cJSON *crash = kt_test_get(doc, "crash_hctx"), *bogus = kt_test_get(doc, "kt_bogus_fq");
	uint64_t fq = kt_test_hex(kt_test_get(h, "fq"));

	cr_assert_eq(kt_test_ref(f, "hctx")->addr, kt_test_hex(kt_test_get(h, "hctx")));
	cr_assert_eq(kt_test_ref(f, "request_queue")->addr, kt_test_hex(kt_test_get(h, "queue")));
	cr_assert_eq(kt_test_ref(f, "bogus fq")->addr, fq);
	if (cJSON_IsTrue(kt_test_get(h, "fq_beyond_ram")))
		cr_assert(strstr(f->title, "is not RAM"), "%s", f->title);
	if (cJSON_IsString(bogus))
		cr_assert_eq(fq, kt_test_hex(bogus), "the scenario wrote kt_bogus_fq");
	if (cJSON_IsString(crash) && kt_test_hex(crash) == kt_test_hex(kt_test_get(h, "hctx")))
		cr_assert_eq(f->severity, KT_SEV_CRITICAL, "%s", f->id);
	else
		cr_assert_eq(f->severity, KT_SEV_ERROR, "%s", f->id);
	if (cJSON_IsString(kt_test_get(h, "disk")))
		cr_assert(strstr(f->title, kt_test_get(h, "disk")->valuestring), "%s",
			  f->title);
	// drgn: the hctx is a live kmalloc-512 object, so fq was overwritten.
	cr_assert(cJSON_IsTrue(kt_test_get(kt_test_get(h, "hctx_slab"), "allocated")));
	cr_assert(strstr(f->explanation, "so the hctx was not freed"));
	if (cJSON_IsString(kt_test_get(h, "mq_ops_symbol")))
		cr_assert(kt_test_has_step(f, kt_test_get(h, "mq_ops_symbol")->valuestring));
	// Where else the value is: the other bad hctxs' fq (drgn found as
	// many as the queue has), and the scenario's global.
	if (cJSON_GetArraySize(kt_test_get(doc, "bad_hctxs")) > 1)
		cr_assert(kt_test_has_step(f, " alloc (->fq of a checked hctx)"));
	if (cJSON_IsString(bogus))
		cr_assert(kt_test_has_step(f, "kt_bogus_fq+0x0 [ktscen]"));
}

ParameterizedTestParameters(plugin_hctx_fq, agrees_with_drgn)
{
	KT_DUMP_PARAMS();
}

ParameterizedTest(struct kt_dump_param *p, plugin_hctx_fq, agrees_with_drgn)
{
	struct kt_program *prog = kt_test_open(p->name);
	char file[96], id[64];
	struct kt_findings out = { 0 };
	size_t nbad = 0, nall = 0;
	cJSON *doc, *h;

	snprintf(file, sizeof(file), "%s.hctx_fq", p->name);
	doc = kt_test_expected(file);
	kt_test_run_plugin(prog, "hctx_fq", &out);
	cJSON_ArrayForEach(h, kt_test_get(doc, "hctxs")) {
		const struct kt_finding *f;

		nall++;
		snprintf(id, sizeof(id), "hctx_fq:%s",
			 kt_test_get(h, "hctx")->valuestring);
		f = kt_findings_find(&out, id);
		if (cJSON_IsTrue(kt_test_get(h, "fq_ok"))) {
			cr_assert_null(f, "%s: drgn says its fq is fine", id);
			continue;
		}
		cr_assert_not_null(f, "%s: drgn says its fq is bad", id);
		check_bad(f, h, doc);
		nbad++;
	}
	// Every dump has a healthy disk (vda) to check; two have bad hctxs.
	cr_assert_geq(nall, 2);
	cr_assert_eq(out.n, nbad, "%s: %zu findings, drgn has %zu bad hctxs",
		     p->name, out.n, nbad);
	// The scenario corrupts each hctx of one queue: as many as it has
	if (!strncmp(kt_test_scenario(p->name), "hctx-fq", 7))
		cr_assert_geq(nbad, 1);
	else
		cr_assert_eq(nbad, 0);
	kt_findings_deinit(&out);
	cJSON_Delete(doc);
	kt_program_destroy(prog);
}

/* Seed 000's path: the queue is gone from every list; the frames hold it. */
Test(plugin_hctx_fq, torn_down_queue_found_from_frames)
{
	struct kt_program *prog = kt_test_open("hctx-fq");
	cJSON *doc = kt_test_expected("hctx-fq.hctx_fq");
	struct kt_findings out = { 0 };
	const struct kt_finding *f;
	const struct kt_ref *fr;
	char id[64];

	kt_test_run_plugin(prog, "hctx_fq", &out);
	snprintf(id, sizeof(id), "hctx_fq:%s",
		 kt_test_get(doc, "crash_hctx")->valuestring);
	f = kt_findings_find(&out, id);
	cr_assert_not_null(f, "%s", id);
	fr = kt_test_ref(f, "frame that holds the hctx");
	cr_assert_eq(fr->level, 1);
	cr_assert_str_eq(fr->text, "blk_mq_hw_sysfs_release");
	cr_assert_eq(kt_test_ref(f, "panic task")->pid, 53);
	cr_assert(kt_test_has_step(f, "found as local hctx in frame #1 of pid 53"));
	cr_assert(strstr(f->title, "no disk"), "%s", f->title);
	cr_assert(kt_test_has_step(f, "its driver module is gone"));
	cr_assert(strstr(f->explanation, "2 of the 2 hctxs of this queue"));
	kt_findings_deinit(&out);
	cJSON_Delete(doc);
	kt_program_destroy(prog);
}

/* hctx-fq-exit: the queue is still nullb0's; the driver is named. */
Test(plugin_hctx_fq, names_disk_and_driver)
{
	struct kt_program *prog = kt_test_open("hctx-fq-exit");
	cJSON *doc = kt_test_expected("hctx-fq-exit.hctx_fq");
	struct kt_findings out = { 0 };
	const struct kt_finding *f;
	char id[64];

	kt_test_run_plugin(prog, "hctx_fq", &out);
	snprintf(id, sizeof(id), "hctx_fq:%s",
		 kt_test_get(doc, "crash_hctx")->valuestring);
	f = kt_findings_find(&out, id);
	cr_assert_not_null(f, "%s", id);
	cr_assert(strstr(f->title, "nullb0, null_blk"), "%s", f->title);
	cr_assert(kt_test_has_step(f, "driver null_mq_ops [null_blk]"));
	cr_assert(kt_test_has_step(f, "found as param hctx in frame #0 of pid 121"));
	cr_assert_eq(kt_test_ref(f, "frame that holds the hctx")->level, 0);
	kt_findings_deinit(&out);
	cJSON_Delete(doc);
	kt_program_destroy(prog);
}
