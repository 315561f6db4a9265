// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * orphan_sockets on every shared dump, against drgn's view of the nbd
 * connections and the fd tables (tests/expected/<dump>.orphan_sockets.json,
 * from tests/oracle/orphan_sockets.py).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/dump.h"
#include "core/module.h"
#include "plugins/plugin.h"
#include "tests/helpers.h"

static cJSON *get(const cJSON *o, const char *key)
{
	cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);

	cr_assert_not_null(x, "expected JSON has no %s", key);
	return x;
}

static uint64_t hexval(const cJSON *o, const char *key)
{
	return strtoull(get(o, key)->valuestring, NULL, 16);
}

static uint64_t ref_addr(const struct kt_finding *f, const char *label)
{
	const struct kt_ref *r = kt_test_ref_nth(f, label, 0);

	cr_assert_not_null(r, "%s: no ref '%s'", f->id, label);
	return r->addr;
}

/* The finding for one orphaned sock, checked against drgn's facts. */
static void check_orphan(const struct kt_findings *out, const cJSON *dev,
			 const cJSON *sock)
{
	const struct kt_finding *f;
	const struct kt_ref *peer;
	char id[64];

	snprintf(id, sizeof(id), "orphan_sockets:0x%llx",
		 (unsigned long long)hexval(sock, "file"));
	f = kt_findings_find(out, id);
	cr_assert_not_null(f, "no finding %s", id);
	cr_expect_eq(f->severity, KT_SEV_WARNING);
	cr_expect_eq(ref_addr(f, "socket"), hexval(sock, "socket"));
	cr_expect_eq(ref_addr(f, "file"), hexval(sock, "file"));
	cr_expect_eq(ref_addr(f, "sk"), hexval(sock, "sk"));
	cr_expect_eq(ref_addr(f, "nbd_sock"), hexval(sock, "nbd_sock"));
	cr_expect_eq(ref_addr(f, "nbd_config"), hexval(dev, "config"));
	cr_expect_eq(ref_addr(f, "peer sock"), hexval(sock, "peer"));
	cr_expect(strstr(f->title, get(dev, "name")->valuestring), "%s",
		  f->title);
	cr_expect_eq(strstr(f->title, "(dead)") != NULL,
		     cJSON_IsTrue(get(sock, "dead")), "%s", f->title);
	cr_expect_gt(f->nsteps, 3);
	// The peer's holder, when drgn found one, is named as a task.
	peer = kt_test_ref_nth(f, "peer held by", 0);
	cJSON *ph = get(sock, "peer_holders");

	if (cJSON_GetArraySize(ph)) {
		cr_assert_not_null(peer, "%s: no 'peer held by'", id);
		cr_expect_eq(peer->pid,
			     get(cJSON_GetArrayItem(ph, 0), "pid")->valueint);
	} else {
		cr_expect_null(peer, "%s: a peer holder drgn did not find", id);
	}
}

/* The device finding: counts, config and its dead socks. */
static void check_device(const struct kt_findings *out, const cJSON *dev,
			 int ndead)
{
	int num = get(dev, "num_connections")->valueint;
	int live = get(dev, "live_connections")->valueint;
	const struct kt_finding *f;
	char id[64];
	int i = 0;

	snprintf(id, sizeof(id), "orphan_sockets:nbd:0x%llx",
		 (unsigned long long)hexval(dev, "nbd_device"));
	f = kt_findings_find(out, id);
	if (num == live && !ndead) {
		cr_expect_null(f, "%s fired on a healthy device", id);
		return;
	}
	cr_assert_not_null(f, "no finding %s", id);
	cr_expect_eq(f->severity, KT_SEV_ERROR);
	cr_expect_eq(ref_addr(f, "nbd_config"), hexval(dev, "config"));
	const cJSON *s;

	cJSON_ArrayForEach(s, get(dev, "socks")) {
		if (!cJSON_IsTrue(get(s, "dead")))
			continue;
		const struct kt_ref *r = kt_test_ref_nth(f, "dead nbd_sock", i++);

		cr_assert_not_null(r);
		cr_expect_eq(r->addr, hexval(s, "nbd_sock"));
	}
	cr_expect_null(kt_test_ref_nth(f, "dead nbd_sock", i), "more dead socks than drgn");
}

static size_t check_devices(const struct kt_findings *out, const cJSON *exp)
{
	size_t expected = 0;
	const cJSON *dev, *s;

	cJSON_ArrayForEach(dev, get(exp, "devices")) {
		int ndead = 0;

		cJSON_ArrayForEach(s, get(dev, "socks")) {
			ndead += cJSON_IsTrue(get(s, "dead"));
			if (cJSON_GetArraySize(get(s, "holders")))
				continue;
			check_orphan(out, dev, s);
			expected++;
		}
		if (cJSON_GetObjectItem(dev, "num_connections")) {
			check_device(out, dev, ndead);
			expected += ndead ||
				get(dev, "num_connections")->valueint !=
				get(dev, "live_connections")->valueint;
		}
	}
	return expected;
}

ParameterizedTestParameters(plugin_orphan_sockets, agrees_with_drgn)
{
	KT_DUMP_PARAMS();
}

ParameterizedTest(struct kt_dump_param *p, plugin_orphan_sockets,
		  agrees_with_drgn)
{
	const struct kt_plugin *pl = kt_plugin_find("orphan_sockets");
	struct kt_program *prog = kt_test_open(p->name);
	struct kt_findings out = { 0 };
	char name[64], why[512];
	cJSON *exp;

	cr_assert_not_null(pl);
	snprintf(name, sizeof(name), "%s.orphan_sockets", p->name);
	exp = kt_test_expected(name);
	if (!cJSON_IsTrue(get(exp, "nbd_loaded"))) {
		// No nbd: skipped with a reason, so it cannot fire.
		cr_assert_not_null(kt_plugin_check(pl, prog, why, sizeof(why)),
				   "%s: runs without nbd", p->name);
		cr_expect_str_eq(why, "symbol nbd_index_idr is not in this "
				 "kernel");
		goto out;
	}
	cr_assert_null(kt_plugin_check(pl, prog, why, sizeof(why)), "%s", why);
	cr_assert_null(pl->run(prog, &out));
	cr_expect_eq(out.n, check_devices(&out, exp), "%s: %zu findings",
		     p->name, out.n);
	cr_expect_eq(cJSON_GetArraySize(get(exp, "orphans")) > 0, out.n > 0,
		     "%s: fires exactly where drgn finds orphans", p->name);
out:
	kt_findings_deinit(&out);
	cJSON_Delete(exp);
	kt_program_destroy(prog);
}

/* The scenario itself: two orphans (one dead), one bad device. */
Test(plugin_orphan_sockets, fires_on_nbd_orphan_hung)
{
	const struct kt_plugin *pl = kt_plugin_find("orphan_sockets");
	struct kt_program *prog = kt_test_open("nbd-orphan-hung");
	struct kt_findings out = { 0 };
	const struct kt_finding *dev = NULL;
	struct timespec t0, t1;
	int blocked = 0;

	char why[512];

	// The check loads the module list (shared by every plugin that
	// needs a module): time run() alone.
	cr_assert_null(kt_plugin_check(pl, prog, why, sizeof(why)), "%s", why);
	// CPU time: the wall clock of a shared machine says little.
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	cr_assert_null(pl->run(prog, &out));
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	double dt = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	fprintf(stderr, "orphan_sockets: %.3f s\n", dt);
#ifndef __SANITIZE_ADDRESS__	/* ASan makes it several times slower */
	cr_expect_lt(dt, 0.2, "orphan_sockets is too slow: %.3f s", dt);
#endif
		cr_assert_eq(out.n, 3);
	for (size_t i = 0; i < out.n; i++)
		if (strstr(out.v[i].id, ":nbd:"))
			dev = &out.v[i];
	cr_assert_not_null(dev);
	cr_expect(strstr(dev->title, "nbd0: num_connections 2 but "
			 "live_connections 1; 1 dead sock"), "%s", dev->title);
	// blkid (126) and dd (128) hang in D state with /dev/nbd0 open.
	for (size_t i = 0; i < dev->nrefs; i++)
		if (!strcmp(dev->refs[i].label, "blocked task with it open"))
			blocked |= dev->refs[i].pid == 126 ? 1 :
				   dev->refs[i].pid == 128 ? 2 : 4;
	cr_expect_eq(blocked, 3, "blocked readers: mask %d", blocked);
	kt_findings_deinit(&out);
	kt_program_destroy(prog);
}

/* Without nbd.ko the runner says why, naming the module. */
Test(plugin_orphan_sockets, skipped_without_nbd_debuginfo)
{
	const struct kt_plugin *pl = kt_plugin_find("orphan_sockets");
	char *path = kt_test_dump_path("nbd-orphan-hung", ".kdump");
	struct kt_program *prog = kt_test_open_files(path, NULL, false);
	char why[512];

	cr_assert_not_null(kt_plugin_check(pl, prog, why, sizeof(why)));
	cr_expect(strstr(why, "struct nbd_config is not in the debuginfo "
			 "(modules without debuginfo: nbd"), "%s", why);
	kt_program_destroy(prog);
	free(path);
}

/* nbd's types from nbd.ko alone agree with the all-debuginfo lookup. */
Test(plugin_orphan_sockets, nbd_types_from_nbd_ko)
{
	struct kt_program *prog = kt_test_open("nbd-orphan-hung");
	struct kt_program *plain = kt_test_open("sysrq-null");
	static const char *const m[][2] = {
		{ "struct nbd_config", "socks" },
		{ "struct nbd_config", "live_connections.counter" },
		{ "struct nbd_device", "config" },
		{ "struct nbd_sock", "dead" },
	};
	struct kt_error *err;
	struct kt_member mm;
	uint64_t off;

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		cr_assert_null(kt_module_type_member(prog, "nbd", m[i][0],
						     m[i][1], &mm));
		cr_assert_null(kt_type_member_offset(prog, m[i][0], m[i][1],
						     &off));
		cr_expect_eq(mm.offset, off, "%s.%s", m[i][0], m[i][1]);
	}
	cr_expect_eq(mm.offset, 0x34, "nbd_sock.dead, as crash's struct -o");
	err = kt_module_type_member(plain, "nbd", "struct nbd_config",
				    "socks", &mm);
	cr_assert_not_null(err);
	cr_expect_eq(err->code, KT_ERR_LOOKUP);
	cr_expect_str_eq(err->message, "module nbd is not loaded");
	kt_error_destroy(err);
	kt_program_destroy(plain);
	kt_program_destroy(prog);
}

/* socks[1] pointing nowhere: still one orphan, and the device says so. */
Test(plugin_orphan_sockets, unreadable_sock_is_reported)
{
	const struct kt_plugin *pl = kt_plugin_find("orphan_sockets");
	struct kt_program *prog = kt_test_open("nbd-orphan-hung");
	cJSON *exp = kt_test_expected("nbd-orphan-hung.orphan_sockets");
	cJSON *dev = cJSON_GetArrayItem(get(exp, "devices"), 0);
	uint64_t socks, off, bad = 0xffffc90000000000ULL;
	struct kt_findings out = { 0 };
	struct kt_member m;
	bool found = false;

	cr_assert_null(kt_module_type_member(prog, "nbd", "struct nbd_config",
					     "socks", &m));
	off = m.offset;
	cr_assert_null(kt_read_u64(prog, hexval(dev, "config") + off, &socks));
	cr_assert_null(kt_dump_patch(prog->dump, socks + 8, &bad, 8, 0));
	cr_assert_null(pl->run(prog, &out));
	cr_expect_eq(out.n, 2, "one orphan and the device");
	for (size_t i = 0; i < out.n; i++)
		for (size_t j = 0; j < out.v[i].nsteps; j++)
			found |= strstr(out.v[i].steps[j], "socks[1] = nbd_sock "
					"0xffffc90000000000: unreadable") != NULL;
	cr_expect(found, "no step says socks[1] is unreadable");
	kt_findings_deinit(&out);
	cJSON_Delete(exp);
	kt_program_destroy(prog);
}
