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

#include "core/dump.h"
#include "core/module.h"
#include "core/slab.h"
#include "core/task.h"
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
	// The search's holder is the same nbd_sock.
	cr_expect_eq(ref_addr(f, "holder"), hexval(sock, "nbd_sock"));
	cr_expect_null(kt_test_ref_nth(f, "holder", 1), "%s: a second holder",
		       id);
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

/* An orphan no nbd device names: the generic finding. */
static void check_generic(const struct kt_findings *out, const cJSON *sock)
{
	const struct kt_finding *f;
	char id[64];

	snprintf(id, sizeof(id), "orphan_sockets:0x%llx",
		 (unsigned long long)hexval(sock, "file"));
	f = kt_findings_find(out, id);
	cr_assert_not_null(f, "no finding %s", id);
	cr_expect_eq(f->severity, KT_SEV_WARNING);
	cr_expect_eq(ref_addr(f, "socket"), hexval(sock, "socket"));
	cr_expect_eq(ref_addr(f, "file"), hexval(sock, "file"));
}

static bool nbd_socket(const cJSON *exp, const char *socket)
{
	const cJSON *dev, *s;

	cJSON_ArrayForEach(dev, get(exp, "devices"))
		cJSON_ArrayForEach(s, get(dev, "socks"))
			if (!strcmp(get(s, "socket")->valuestring, socket))
				return true;
	return false;
}

static size_t check_devices(const struct kt_findings *out, const cJSON *exp)
{
	size_t expected = 0;
	char id[64];
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
	// Every socket drgn found with a file in no fd table, nbd's or not.
	cJSON_ArrayForEach(s, get(exp, "sockets")) {
		const struct kt_finding *f;
		char step[96];

		if (cJSON_GetArraySize(get(s, "holders")))
			continue;
		snprintf(step, sizeof(step), "file 0x%llx (f_count %d) is in "
			 "none of", (unsigned long long)hexval(s, "file"),
			 get(s, "f_count")->valueint);
		snprintf(id, sizeof(id), "orphan_sockets:0x%llx",
			 (unsigned long long)hexval(s, "file"));
		f = kt_findings_find(out, id);
		cr_assert_not_null(f, "no finding %s", id);
		cr_expect(kt_test_has_step(f, step), "%s: no step '%s'", id,
			  step);
		if (nbd_socket(exp, get(s, "socket")->valuestring))
			continue;
		check_generic(out, s);
		expected++;
	}
	return expected;
}

/* drgn's count of allocated sock_inode_cache objects. */
static int drgn_objects(const cJSON *exp)
{
	return cJSON_GetArraySize(get(exp, "sockets")) +
	       get(exp, "kernel_sockets")->valueint +
	       cJSON_GetArraySize(get(exp, "not_sockets"));
}

ParameterizedTestParameters(plugin_orphan_sockets, agrees_with_drgn)
{
	KT_DUMP_PARAMS();
}

/* Runs on every dump (the walk of all sockets applies everywhere) and
 * fires exactly on the sockets drgn finds in no fd table. */
ParameterizedTest(struct kt_dump_param *p, plugin_orphan_sockets,
		  agrees_with_drgn)
{
	const struct kt_plugin *pl = kt_plugin_find("orphan_sockets");
	struct kt_program *prog = kt_test_open(p->name);
	struct kt_findings out = { 0 };
	char name[96], why[512], step[96];
	cJSON *exp;

	cr_assert_not_null(pl);
	snprintf(name, sizeof(name), "%s.orphan_sockets", p->name);
	exp = kt_test_expected(name);
	cr_assert_null(kt_plugin_check(pl, prog, why, sizeof(why)), "%s: %s",
		       p->name, why);
	cr_assert_null(pl->run(prog, &out));
	cr_expect_eq(out.n, check_devices(&out, exp), "%s: %zu findings",
		     p->name, out.n);
	cr_expect_eq(cJSON_GetArraySize(get(exp, "orphans")) > 0, out.n > 0,
		     "%s: fires exactly where drgn finds orphans", p->name);
	// The walk saw every object drgn's slab walk did.
	snprintf(step, sizeof(step), "one of %d allocated objects",
		 drgn_objects(exp));
	for (size_t i = 0; i < out.n; i++)
		if (strncmp(out.v[i].id, "orphan_sockets:nbd:", 19))
			cr_expect(kt_test_has_step(&out.v[i], step),
				  "%s: %s: no step '%s'", p->name,
				  out.v[i].id, step);
	kt_findings_deinit(&out);
	cJSON_Delete(exp);
	kt_program_destroy(prog);
}

/* Run the plugin with the caches it shares with others already loaded. */
static void run_warm(const struct kt_plugin *pl, struct kt_program *prog,
		     struct kt_findings *out)
{
	const struct kt_slab_cache_list *caches;
	const struct kt_task_list *tasks;
	char why[512];

	cr_assert_null(kt_plugin_check(pl, prog, why, sizeof(why)), "%s", why);
	cr_assert_null(kt_tasks_load(prog, &tasks));
	cr_assert_null(kt_slab_caches(prog, &caches));
	cr_assert_null(pl->run(prog, out));
}

/* The scenario itself: two orphans (one dead), one bad device. */
Test(plugin_orphan_sockets, fires_on_nbd_orphan_hung)
{
	const struct kt_plugin *pl = kt_plugin_find("orphan_sockets");
	struct kt_program *prog = kt_test_open("nbd-orphan-hung");
	struct kt_findings out = { 0 };
	const struct kt_finding *dev = NULL, *f;
	cJSON *exp = kt_test_expected("nbd-orphan-hung.orphan_sockets");
	int blocked = 0;
	char id[64];

	// The walk of every socket, and one search of memory for both
	// orphans' reverse references (its time: bench/plugins.py).
	run_warm(pl, prog, &out);
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
	// socks[0]'s socket is still in the frames of nbd's workers.
	snprintf(id, sizeof(id), "orphan_sockets:0x%llx",
		 (unsigned long long)hexval(cJSON_GetArrayItem(get(
			cJSON_GetArrayItem(get(exp, "devices"), 0), "socks"), 0),
			"file"));
	f = kt_findings_find(&out, id);
	cr_assert_not_null(f, "no finding %s", id);
	cr_expect(kt_test_has_step(f, "kworker/u5:0 pid"), "no stack step");
	kt_findings_deinit(&out);
	cJSON_Delete(exp);
	kt_program_destroy(prog);
}

/* Without orphans there is no search and no finding. */
Test(plugin_orphan_sockets, quiet_without_orphans)
{
	const struct kt_plugin *pl = kt_plugin_find("orphan_sockets");
	struct kt_program *prog = kt_test_open("sysrq-null");
	struct kt_findings out = { 0 };

	run_warm(pl, prog, &out);
	cr_expect_eq(out.n, 0);
	kt_findings_deinit(&out);
	kt_program_destroy(prog);
}

/*
 * Without nbd.ko's debuginfo the devices cannot be read, but the walk of
 * all sockets still finds both orphans and names their holders by owner:
 * the nbd_socks, as kmalloc-64 objects.
 */
Test(plugin_orphan_sockets, without_nbd_debuginfo_holders_by_owner)
{
	const struct kt_plugin *pl = kt_plugin_find("orphan_sockets");
	char *path = kt_test_dump_path("nbd-orphan-hung", ".kdump");
	struct kt_program *prog = kt_test_open_files(path, NULL, false);
	cJSON *exp = kt_test_expected("nbd-orphan-hung.orphan_sockets");
	struct kt_findings out = { 0 };
	const cJSON *s;
	char why[512], id[64];

	cr_assert_null(kt_plugin_check(pl, prog, why, sizeof(why)), "%s", why);
	cr_assert_null(pl->run(prog, &out));
	cr_expect_eq(out.n, 2, "the two orphans, no device finding");
	cJSON_ArrayForEach(s, get(cJSON_GetArrayItem(get(exp, "devices"), 0),
				  "socks")) {
		const struct kt_finding *f;

		snprintf(id, sizeof(id), "orphan_sockets:0x%llx",
			 (unsigned long long)hexval(s, "file"));
		f = kt_findings_find(&out, id);
		cr_assert_not_null(f, "no finding %s", id);
		cr_expect_eq(ref_addr(f, "holder"), hexval(s, "nbd_sock"));
		cr_expect(strstr(f->title, "UNIX STREAM socket") &&
			  strstr(f->title, "held by kmalloc-64+0x0 alloc"),
			  "%s", f->title);
		cr_expect(strstr(f->explanation, "nbd is loaded but its "
				 "devices were not checked: struct nbd_config "
				 "is not in the debuginfo"), "%s",
			  f->explanation);
	}
	kt_findings_deinit(&out);
	cJSON_Delete(exp);
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

/*
 * socks[1] pointing nowhere: the device says so, socks[0] is still named
 * after nbd0, and socks[1]'s socket, which no readable nbd_sock names now,
 * is still an orphan, held by its nbd_sock as a plain kmalloc-64 object.
 */
Test(plugin_orphan_sockets, unreadable_sock_is_reported)
{
	const struct kt_plugin *pl = kt_plugin_find("orphan_sockets");
	struct kt_program *prog = kt_test_open("nbd-orphan-hung");
	cJSON *exp = kt_test_expected("nbd-orphan-hung.orphan_sockets");
	cJSON *dev = cJSON_GetArrayItem(get(exp, "devices"), 0);
	cJSON *s1 = cJSON_GetArrayItem(get(dev, "socks"), 1);
	uint64_t socks, off, bad = 0xffffc90000000000ULL;
	struct kt_findings out = { 0 };
	const struct kt_finding *f;
	struct kt_member m;
	bool found = false;
	char id[64];

	cr_assert_null(kt_module_type_member(prog, "nbd", "struct nbd_config",
					     "socks", &m));
	off = m.offset;
	cr_assert_null(kt_read_u64(prog, hexval(dev, "config") + off, &socks));
	cr_assert_null(kt_dump_patch(prog->dump, socks + 8, &bad, 8, 0));
	cr_assert_null(pl->run(prog, &out));
	cr_expect_eq(out.n, 3, "two orphans and the device");
	for (size_t i = 0; i < out.n; i++)
		for (size_t j = 0; j < out.v[i].nsteps; j++)
			found |= strstr(out.v[i].steps[j], "socks[1] = nbd_sock "
					"0xffff8c2b513d4780: unreadable") != NULL ||
				 strstr(out.v[i].steps[j], "socks[1] = nbd_sock "
					"0xffffc90000000000: unreadable") != NULL;
	cr_expect(found, "no step says socks[1] is unreadable");
	snprintf(id, sizeof(id), "orphan_sockets:0x%llx",
		 (unsigned long long)hexval(s1, "file"));
	f = kt_findings_find(&out, id);
	cr_assert_not_null(f, "no finding %s", id);
	cr_expect_null(strstr(f->title, "socks["), "%s", f->title);
	cr_expect_eq(ref_addr(f, "holder"), hexval(s1, "nbd_sock"));
	cr_expect_null(kt_test_ref_nth(f, "nbd_sock", 0));
	kt_findings_deinit(&out);
	cJSON_Delete(exp);
	kt_program_destroy(prog);
}

/*
 * A socket whose only fd is dropped (patched out of its task's table)
 * becomes an orphan no nbd device names: the generic finding. The search
 * reads the dump as it is (test patches do not apply to it), so it still
 * finds the file in the task's files_struct (fd_array[5], embedded): the
 * holder named is that object.
 */
Test(plugin_orphan_sockets, closed_fd_makes_a_generic_orphan)
{
	const struct kt_plugin *pl = kt_plugin_find("orphan_sockets");
	struct kt_program *prog = kt_test_open("nbd-orphan-hung");
	cJSON *exp = kt_test_expected("nbd-orphan-hung.orphan_sockets");
	const cJSON *s, *peer = NULL;
	uint64_t zero = 0, task = 0, files, fdt, fd, off;
	const struct kt_task_list *tasks;
	struct kt_findings out = { 0 };
	const struct kt_finding *f;
	char id[64];
	int pid, n;

	// The peer of socks[0]: fd 5 of nbdhang (pid 121), per drgn.
	cJSON_ArrayForEach(s, get(exp, "sockets"))
		if (cJSON_GetArraySize(get(s, "holders")))
			peer = s;
	cr_assert_not_null(peer);
	pid = get(cJSON_GetArrayItem(get(peer, "holders"), 0), "pid")->valueint;
	n = get(cJSON_GetArrayItem(get(peer, "holders"), 0), "fd")->valueint;
	cr_assert_null(kt_tasks_load(prog, &tasks));
	for (size_t i = 0; i < tasks->n; i++)
		if (tasks->tasks[i].pid == pid)
			task = tasks->tasks[i].addr;
	cr_assert_neq(task, 0);
	cr_assert_null(kt_type_member_offset(prog, "struct task_struct",
					     "files", &off));
	cr_assert_null(kt_read_u64(prog, task + off, &files));
	cr_assert_null(kt_type_member_offset(prog, "struct files_struct",
					     "fdt", &off));
	cr_assert_null(kt_read_u64(prog, files + off, &fdt));
	cr_assert_null(kt_type_member_offset(prog, "struct fdtable", "fd",
					     &off));
	cr_assert_null(kt_read_u64(prog, fdt + off, &fd));
	cr_assert_null(kt_read_u64(prog, fd + 8ULL * n, &off));
	cr_assert_eq(off, hexval(peer, "file"), "fd %d is the peer's file", n);
	cr_assert_null(kt_dump_patch(prog->dump, fd + 8ULL * n, &zero, 8, 0));
	cr_assert_null(pl->run(prog, &out));
	cr_expect_eq(out.n, 4, "three orphans and the device");
	snprintf(id, sizeof(id), "orphan_sockets:0x%llx",
		 (unsigned long long)hexval(peer, "file"));
	f = kt_findings_find(&out, id);
	cr_assert_not_null(f, "no finding %s", id);
	cr_expect(strstr(f->title, "UNIX STREAM socket 0x") &&
		  strstr(f->title, "held by files_cache+0x"), "%s", f->title);
	cr_expect_eq(ref_addr(f, "socket"), hexval(peer, "socket"));
	cr_expect_eq(ref_addr(f, "holder"), files);
	cr_expect_null(kt_test_ref_nth(f, "holder", 1));
	cr_expect(kt_test_has_step(f, "holds the file 0x"), "no step");
	// Its peer is socks[0]'s socket, whose file no task holds either.
	cr_expect(strstr(f->explanation, "Its peer's file 0xffff8c2b509f7f00 "
			 "is in no task's fd table either"), "%s",
		  f->explanation);
	kt_findings_deinit(&out);
	cJSON_Delete(exp);
	kt_program_destroy(prog);
}
