// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * core/files and the `files` / `foreach files` commands, against drgn's
 * for_each_file() and d_path() (tests/expected/<dump>.files.json, from
 * tests/oracle/files.py).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dump.h"
#include "core/files.h"
#include "core/task.h"
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

static void check_socket(struct kt_program *prog, const struct kt_file *f,
			 const cJSON *exp)
{
	struct kt_socket s;
	uint64_t sock;

	cr_assert_null(kt_socket_of_inode(prog, f->inode, &sock));
	cr_expect_eq(sock, hexval(exp, "socket"));
	cr_assert_null(kt_socket_read(prog, sock, &s));
	cr_expect_eq(s.sk, hexval(exp, "sk"));
	cr_expect_eq(s.file, f->file, "socket->file is the file");
	cr_expect_eq(s.family, get(exp, "family")->valueint);
	if (s.family == 1)
		cr_expect_eq(s.peer, hexval(exp, "peer"));
	kt_socket_deinit(&s);
}

static void check_file(struct kt_program *prog, const struct kt_file *f,
		       const cJSON *exp)
{
	const cJSON *path = get(exp, "path");

	cr_expect_eq(f->fd, get(exp, "fd")->valueint);
	cr_expect_eq(f->file, hexval(exp, "file"), "fd %d", f->fd);
	cr_expect_eq(f->dentry, hexval(exp, "dentry"), "fd %d", f->fd);
	cr_expect_eq(f->inode, hexval(exp, "inode"), "fd %d", f->fd);
	cr_expect_eq(f->mode, (uint32_t)get(exp, "mode")->valueint);
	cr_expect_str_eq(kt_file_type_name(f->type),
			 get(exp, "type")->valuestring);
	cr_assert_not_null(f->path, "fd %d: no path", f->fd);
	cr_expect_not(f->path_partial);
	// drgn 0.0.22's d_path() shows a pseudo filesystem's dentry as
	// "[fstype]"; ktriage gives its name, as crash does.
	if (path->valuestring[0] == '/')
		cr_expect_str_eq(f->path, path->valuestring, "fd %d", f->fd);
	else
		cr_expect_neq(f->path[0], '/', "fd %d: %s", f->fd, f->path);
	if (f->type == KT_FILE_SOCK)
		check_socket(prog, f, get(exp, "socket"));
}

/* Every task's files, fd by fd. */
static void files_agree(const char *dump)
{
	struct kt_program *prog = kt_test_open(dump);
	const struct kt_task_list *list;
	const cJSON *t, *fexp;
	char name[64];
	cJSON *exp;
	int ntasks = 0, nfiles = 0;

	snprintf(name, sizeof(name), "%s.files", dump);
	exp = kt_test_expected(name);
	cr_assert_null(kt_tasks_load(prog, &list));
	cJSON_ArrayForEach(t, get(exp, "tasks")) {
		uint64_t addr = hexval(t, "task");
		struct kt_files fs;
		size_t i = 0;

		cr_assert_not_null(kt_task_by_addr(list, addr));
		cr_assert_null(kt_files_load(prog, addr, &fs));
		cr_expect_null(fs.warning);
		cr_expect_eq(fs.n, (size_t)cJSON_GetArraySize(get(t, "files")),
			     "pid %d", get(t, "pid")->valueint);
		if (cJSON_GetObjectItem(t, "root")) {
			cr_expect_str_eq(fs.root, get(t, "root")->valuestring);
			cr_expect_str_eq(fs.cwd, get(t, "cwd")->valuestring);
		}
		cJSON_ArrayForEach(fexp, get(t, "files")) {
			if (i < fs.n)
				check_file(prog, &fs.v[i++], fexp);
			nfiles++;
		}
		kt_files_deinit(&fs);
		ntasks++;
	}
	cr_expect_gt(ntasks, 20);
	cr_expect_gt(nfiles, 20);
	cJSON_Delete(exp);
	kt_program_destroy(prog);
}

Test(files, agree_with_drgn_on_nbd_orphan_hung)
{
	files_agree("nbd-orphan-hung");
}

Test(files, agree_with_drgn_on_sysrq_null)
{
	files_agree("sysrq-null");
}

/* The scenario's facts, whatever drgn says: nbdhang keeps the peer end. */
Test(files, nbdhang_holds_a_unix_socket)
{
	struct kt_program *prog = kt_test_open("nbd-orphan-hung");
	const struct kt_task_list *list;
	const struct kt_task *t;
	struct kt_socket s;
	struct kt_files fs;
	uint64_t sock;

	cr_assert_null(kt_tasks_load(prog, &list));
	t = kt_task_by_pid(list, 121);
	cr_assert_not_null(t);
	cr_assert_str_eq(t->comm, "nbdhang");
	cr_assert_null(kt_files_load(prog, t->addr, &fs));
	cr_assert_eq(fs.n, 4);
	cr_expect_eq(fs.v[3].fd, 5);
	cr_expect_eq(fs.v[3].type, KT_FILE_SOCK);
	cr_expect_str_eq(fs.v[3].path, "UNIX-STREAM");
	cr_expect_str_eq(fs.v[0].path, "/dev/null");
	cr_assert_null(kt_socket_of_inode(prog, fs.v[3].inode, &sock));
	cr_assert_null(kt_socket_read(prog, sock, &s));
	cr_expect_str_eq(kt_socket_family_name(s.family), "UNIX");
	cr_expect_str_eq(kt_socket_state_name(s.state), "SS_CONNECTED");
	cr_expect_str_eq(kt_socket_type_name(s.type), "STREAM");
	cr_expect_neq(s.peer, 0);
	cr_expect_null(s.path, "a socketpair end is not bound");
	kt_socket_deinit(&s);
	kt_files_deinit(&fs);
	kt_program_destroy(prog);
}

static struct kt_run run_cmd(const char *dump, const char *json,
			     const char *cmd)
{
	char *path = kt_test_dump_path(dump, ".kdump");
	const char *argv[] = { path, kt_test_env("KT_VMLINUX"), "-m", NULL,
			       "-c", cmd, json, NULL };
	struct kt_run r;
	char mods[4096];

	snprintf(mods, sizeof(mods), "%s/modules", kt_test_env("KT_FIXTURES"));
	argv[3] = mods;
	r = kt_test_run(argv);
	free(path);
	return r;
}

/* `files PID` prints each of drgn's files of that task as crash does. */
Test(files, cli_files_of_a_pid)
{
	struct kt_run r = run_cmd("nbd-orphan-hung", NULL, "files 121");
	cJSON *exp = kt_test_expected("nbd-orphan-hung.files");
	const cJSON *t, *task = NULL, *f;
	char line[256];

	cr_assert_eq(r.status, 0, "%s", r.err);
	cJSON_ArrayForEach(t, get(exp, "tasks"))
		if (get(t, "pid")->valueint == 121)
			task = t;
	cr_assert_not_null(task);
	snprintf(line, sizeof(line), "PID: 121      TASK: %s  CPU: 1    "
		 "COMMAND: \"nbdhang\"\nROOT: /    CWD: /\n FD       FILE"
		 "            DENTRY           INODE       TYPE PATH\n",
		 get(task, "task")->valuestring + 2);
	cr_expect(strstr(r.out, line), "no '%s' in:\n%s", line, r.out);
	cJSON_ArrayForEach(f, get(task, "files")) {
		const char *type = get(f, "type")->valuestring;

		// The socket's dentry is named after its protocol.
		snprintf(line, sizeof(line), "\n%3d %s %s %s %-4s %s\n",
			 get(f, "fd")->valueint, get(f, "file")->valuestring + 2,
			 get(f, "dentry")->valuestring + 2,
			 get(f, "inode")->valuestring + 2, type,
			 strcmp(type, "SOCK") ? get(f, "path")->valuestring :
			 "UNIX-STREAM");
		cr_expect(strstr(r.out, line), "no '%s' in:\n%s", line,
			  r.out);
	}
	cr_expect_eq(cJSON_GetArraySize(get(task, "files")), 4);
	cJSON_Delete(exp);
	kt_run_free(&r);
}

/* Without an argument: the panic task (init, which wrote sysrq-trigger). */
Test(files, cli_files_default_is_panic_task)
{
	struct kt_run r = run_cmd("sysrq-null", NULL, "files");

	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.out, "COMMAND: \"init\""), "%s", r.out);
	cr_expect(strstr(r.out, " REG  /proc/sysrq-trigger\n"), "%s", r.out);
	kt_run_free(&r);
}

Test(files, cli_foreach_files)
{
	struct kt_run r = run_cmd("nbd-orphan-hung", NULL, "foreach files");
	cJSON *exp = kt_test_expected("nbd-orphan-hung.files");
	int headers = 0, none = 0, want_none = 0;
	const cJSON *t;

	cr_assert_eq(r.status, 0, "%s", r.err);
	for (const char *p = r.out; (p = strstr(p, "PID: ")); p++)
		headers++;
	for (const char *p = r.out; (p = strstr(p, "No open files\n")); p++)
		none++;
	cJSON_ArrayForEach(t, get(exp, "tasks"))
		want_none += !cJSON_GetArraySize(get(t, "files"));
	// ktriage also lists the idle task of each CPU, which drgn's
	// for_each_task() leaves out: swapper/0 and swapper/1.
	cr_expect_eq(headers, cJSON_GetArraySize(get(exp, "tasks")) + 2);
	cr_expect_eq(none, want_none + 2);
	cr_expect(strstr(r.out, "COMMAND: \"dd\"\nROOT: /    CWD: /\n"),
		  "%s", r.out);
	cJSON_Delete(exp);
	kt_run_free(&r);
}

Test(files, cli_files_json)
{
	struct kt_run r = run_cmd("nbd-orphan-hung", "--json", "files 121");
	cJSON *doc, *f;

	cr_assert_eq(r.status, 0, "%s", r.err);
	doc = cJSON_Parse(r.out);
	cr_assert_not_null(doc, "not JSON: %s", r.out);
	cr_expect_eq(get(doc, "pid")->valueint, 121);
	cr_expect_str_eq(get(doc, "comm")->valuestring, "nbdhang");
	cr_assert_eq(cJSON_GetArraySize(get(doc, "files")), 4);
	f = cJSON_GetArrayItem(get(doc, "files"), 3);
	cr_expect_str_eq(get(f, "type")->valuestring, "SOCK");
	cr_expect_str_eq(get(get(f, "socket"), "family_name")->valuestring,
			 "UNIX");
	cJSON_Delete(doc);
	kt_run_free(&r);
}

Test(files, cli_usage)
{
	struct kt_run r = run_cmd("sysrq-null", NULL, "files 99999");

	cr_expect_neq(r.status, 0);
	cr_expect(strstr(r.err, "99999: no such PID or task"), "%s", r.err);
	kt_run_free(&r);
}

/* A hint only changes how fast a type is found, not what is found. */
Test(files, type_hint_gives_the_same_layout)
{
	struct kt_program *hinted = kt_test_open("nbd-orphan-hung");
	struct kt_program *plain = kt_test_open("nbd-orphan-hung");
	static const char *const m[][2] = {
		{ "struct unix_sock", "peer" },
		{ "struct unix_sock", "addr" },
		{ "struct socket_alloc", "vfs_inode" },
		{ "struct fdtable", "fd" },
		{ "struct mount", "mnt_mountpoint" },
	};
	uint64_t a, b;

	kt_type_hint(hinted, "unix_release");
	kt_type_hint(hinted, "sock_alloc");
	kt_type_hint(hinted, "fd_install");
	kt_type_hint(hinted, "mntget");
	kt_type_hint(hinted, "no_such_function");
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		cr_assert_null(kt_type_member_offset(hinted, m[i][0], m[i][1],
						     &a));
		cr_assert_null(kt_type_member_offset(plain, m[i][0], m[i][1],
						     &b));
		cr_expect_eq(a, b, "%s.%s", m[i][0], m[i][1]);
		cr_expect_neq(a, 0, "%s.%s", m[i][0], m[i][1]);
	}
	kt_program_destroy(plain);
	kt_program_destroy(hinted);
}

/* A dentry loop ends the path walk with the suffix read so far. */
Test(files, dentry_cycle_gives_a_partial_path)
{
	struct kt_program *prog = kt_test_open("nbd-orphan-hung");
	const struct kt_task_list *list;
	uint64_t dev, parent_off;
	struct kt_error *err;
	struct kt_files fs;
	bool partial;
	char *path;

	cr_assert_null(kt_tasks_load(prog, &list));
	cr_assert_null(kt_files_load(prog, kt_task_by_pid(list, 1)->addr,
				     &fs));
	cr_assert_str_eq(fs.v[0].path, "/dev/console");
	// dev->d_parent = console: console -> dev -> console ...
	cr_assert_null(kt_type_member_offset(prog, "struct dentry", "d_parent",
					     &parent_off));
	cr_assert_null(kt_read_u64(prog, fs.v[0].dentry + parent_off, &dev));
	cr_assert_null(kt_dump_patch(prog->dump, dev + parent_off,
				     &fs.v[0].dentry, 8, 0));
	err = kt_files_path(prog, fs.v[0].vfsmount, fs.v[0].dentry, &path,
			    &partial);
	cr_assert_not_null(err);
	cr_expect_eq(err->code, KT_ERR_CORRUPT, "%s", err->message);
	kt_error_destroy(err);
	cr_expect(partial);
	cr_assert_not_null(path);
	cr_expect(strstr(path, "/dev/console"), "%s", path);
	free(path);
	kt_files_deinit(&fs);
	kt_program_destroy(prog);
}

/* The vfsmount of a file of some task that is not on @not. */
static uint64_t other_mount(struct kt_program *prog,
			    const struct kt_task_list *list, uint64_t not)
{
	uint64_t found = 0;

	for (size_t i = 0; i < list->n && !found; i++) {
		struct kt_files fs;

		if (kt_error_catch_any(kt_files_load(prog, list->tasks[i].addr,
						     &fs)))
			continue;
		for (size_t j = 0; j < fs.n && !found; j++)
			if (fs.v[j].vfsmount && fs.v[j].vfsmount != not)
				found = fs.v[j].vfsmount;
		kt_files_deinit(&fs);
	}
	return found;
}

/*
 * A loop of mounts (the root mount and another made each other's parent
 * and mountpoint) ends the walk as corrupt. A dentry and its mount are two
 * keys, not one hash of the pair: 7.2's hctx-fq-exit has a root whose
 * dentry ^ mount equals its mountpoint's ^ the parent mount's.
 */
Test(files, mount_cycle_is_corrupt)
{
	struct kt_program *prog = kt_test_open("nbd-orphan-hung");
	const struct kt_task_list *list;
	uint64_t mnt_off, parent_off, point_off, root_off, a, b, aroot, broot;
	struct kt_error *err;
	struct kt_files fs;
	bool partial;
	char *path;

	cr_assert_null(kt_tasks_load(prog, &list));
	cr_assert_null(kt_files_load(prog, kt_task_by_pid(list, 1)->addr,
				     &fs));
	cr_assert_str_eq(fs.v[0].path, "/dev/console");
	kt_type_hint(prog, "mntget");
	cr_assert_null(kt_type_member_offset(prog, "struct mount", "mnt",
					     &mnt_off));
	cr_assert_null(kt_type_member_offset(prog, "struct mount",
					     "mnt_parent", &parent_off));
	cr_assert_null(kt_type_member_offset(prog, "struct mount",
					     "mnt_mountpoint", &point_off));
	cr_assert_null(kt_type_member_offset(prog, "struct vfsmount",
					     "mnt_root", &root_off));
	a = fs.v[0].vfsmount;
	b = other_mount(prog, list, a);
	cr_assert(b, "a file on another mount (a socket's, a pipe's)");
	cr_assert_null(kt_read_u64(prog, a + root_off, &aroot));
	cr_assert_null(kt_read_u64(prog, b + root_off, &broot));
	a -= mnt_off;
	b -= mnt_off;
	cr_assert_null(kt_dump_patch(prog->dump, a + parent_off, &b, 8, 0));
	cr_assert_null(kt_dump_patch(prog->dump, a + point_off, &broot, 8,
				     0));
	cr_assert_null(kt_dump_patch(prog->dump, b + parent_off, &a, 8, 0));
	cr_assert_null(kt_dump_patch(prog->dump, b + point_off, &aroot, 8,
				     0));
	err = kt_files_path(prog, fs.v[0].vfsmount, fs.v[0].dentry, &path,
			    &partial);
	cr_assert_not_null(err);
	cr_expect_eq(err->code, KT_ERR_CORRUPT, "%s", err->message);
	cr_expect(strstr(err->message, "mount"), "%s", err->message);
	kt_error_destroy(err);
	cr_expect(partial);
	free(path);
	kt_files_deinit(&fs);
	kt_program_destroy(prog);
}

/* An fd array pointer to nowhere: the task's files, none read, a warning. */
Test(files, unreadable_fd_array_is_a_warning)
{
	struct kt_program *prog = kt_test_open("nbd-orphan-hung");
	const struct kt_task_list *list;
	uint64_t files, fdt, off, bad = 0xffffc90000000000ULL;
	const struct kt_task *t;
	struct kt_files fs;

	cr_assert_null(kt_tasks_load(prog, &list));
	t = kt_task_by_pid(list, 121);
	cr_assert_null(kt_type_member_offset(prog, "struct task_struct",
					     "files", &off));
	cr_assert_null(kt_read_u64(prog, t->addr + off, &files));
	cr_assert_null(kt_type_member_offset(prog, "struct files_struct",
					     "fdt", &off));
	cr_assert_null(kt_read_u64(prog, files + off, &fdt));
	cr_assert_null(kt_type_member_offset(prog, "struct fdtable", "fd",
					     &off));
	cr_assert_null(kt_dump_patch(prog->dump, fdt + off, &bad, 8, 0));
	cr_assert_null(kt_files_load(prog, t->addr, &fs));
	cr_expect_eq(fs.n, 0);
	cr_assert_not_null(fs.warning);
	cr_expect(strstr(fs.warning, "fd 0 and up"), "%s", fs.warning);
	kt_files_deinit(&fs);
	kt_program_destroy(prog);
}

/*
 * A task_struct whose files pointer cannot be read (its page excluded):
 * no table and no error, but a warning that says why, unlike a kernel
 * thread's NULL pointer (the error was dropped, and leaked: found by the
 * walk_mounts fuzzer, fuzz/regress/walk_mounts/).
 */
Test(files, unreadable_files_pointer_is_no_table)
{
	struct kt_program *prog = kt_test_open("nbd-orphan-hung");
	const struct kt_task_list *list;
	const struct kt_task *t;
	struct kt_files fs;
	uint64_t off;

	cr_assert_null(kt_tasks_load(prog, &list));
	t = kt_task_by_pid(list, 121);
	cr_assert_not_null(t);
	cr_assert_null(kt_type_member_offset(prog, "struct task_struct",
					     "files", &off));
	cr_assert_null(kt_dump_patch(prog->dump, t->addr + off, NULL, 8,
				     KT_FAULT_EXCLUDED));
	cr_assert_null(kt_files_load(prog, t->addr, &fs));
	cr_expect_eq(fs.files, 0);
	cr_expect_eq(fs.n, 0);
	cr_assert_not_null(fs.warning);
	cr_expect(strstr(fs.warning, "task_struct.files") &&
		  strstr(fs.warning, "excluded"), "%s", fs.warning);
	kt_files_deinit(&fs);
	kt_program_destroy(prog);
}

/*
 * More fds than ktriage reads, and an fd array it cannot read: both are
 * said (the second warning replaced, and leaked, the first: found by the
 * walk_mounts fuzzer).
 */
Test(files, too_many_fds_and_unreadable_array_both_warn)
{
	struct kt_program *prog = kt_test_open("nbd-orphan-hung");
	const struct kt_task_list *list;
	uint64_t files, fdt, off, bad = 0xffffc90000000000ULL;
	uint32_t many = KT_FILES_MAX_FDS + 1;
	const struct kt_task *t;
	struct kt_files fs;

	cr_assert_null(kt_tasks_load(prog, &list));
	t = kt_task_by_pid(list, 121);
	cr_assert_null(kt_type_member_offset(prog, "struct task_struct",
					     "files", &off));
	cr_assert_null(kt_read_u64(prog, t->addr + off, &files));
	cr_assert_null(kt_type_member_offset(prog, "struct files_struct",
					     "fdt", &off));
	cr_assert_null(kt_read_u64(prog, files + off, &fdt));
	cr_assert_null(kt_type_member_offset(prog, "struct fdtable", "fd",
					     &off));
	cr_assert_null(kt_dump_patch(prog->dump, fdt + off, &bad, 8, 0));
	cr_assert_null(kt_type_member_offset(prog, "struct fdtable", "max_fds",
					     &off));
	cr_assert_null(kt_dump_patch(prog->dump, fdt + off, &many, 4, 0));
	cr_assert_null(kt_files_load(prog, t->addr, &fs));
	cr_expect_eq(fs.n, 0);
	cr_assert_not_null(fs.warning);
	cr_expect(strstr(fs.warning, "max_fds 1048577: read the first"), "%s",
		  fs.warning);
	cr_expect(strstr(fs.warning, "fd 0 and up"), "%s", fs.warning);
	kt_files_deinit(&fs);
	kt_program_destroy(prog);
}

/* Point task @task's fd array at @array and say it has @max_fds slots. */
static void patch_fd_table(struct kt_program *prog, uint64_t task,
			   uint64_t array, uint32_t max_fds)
{
	uint64_t files, fdt, off;

	cr_assert_null(kt_type_member_offset(prog, "struct task_struct",
					     "files", &off));
	cr_assert_null(kt_read_u64(prog, task + off, &files));
	cr_assert_null(kt_type_member_offset(prog, "struct files_struct",
					     "fdt", &off));
	cr_assert_null(kt_read_u64(prog, files + off, &fdt));
	cr_assert_null(kt_type_member_offset(prog, "struct fdtable", "fd",
					     &off));
	cr_assert_null(kt_dump_patch(prog->dump, fdt + off, &array, 8, 0));
	cr_assert_null(kt_type_member_offset(prog, "struct fdtable", "max_fds",
					     &off));
	cr_assert_null(kt_dump_patch(prog->dump, fdt + off, &max_fds, 4, 0));
}

/*
 * An fd array that points at text (linux_banner): its words are no kernel
 * addresses, so no file is made of them, and the warning counts them.
 * Following up to 2^20 such slots took seconds each (found by the
 * walk_mounts fuzzer: its 25 s timeout).
 */
Test(files, fd_slots_without_kernel_addresses_are_left_out)
{
	struct kt_program *prog = kt_test_open("nbd-orphan-hung");
	const struct kt_task_list *list;
	uint64_t banner;
	uint32_t max_fds = 16;
	const struct kt_task *t;
	struct kt_files fs;

	cr_assert_null(kt_tasks_load(prog, &list));
	t = kt_task_by_pid(list, 121);
	cr_assert_null(kt_symbol_address(prog, "linux_banner", &banner));
	patch_fd_table(prog, t->addr, banner, max_fds);
	cr_assert_null(kt_files_load(prog, t->addr, &fs));
	cr_expect_eq(fs.n, 0);
	cr_assert_not_null(fs.warning);
	cr_expect(strstr(fs.warning, "16 fd slots hold no kernel address"),
		  "%s", fs.warning);
	kt_files_deinit(&fs);
	kt_program_destroy(prog);
}

/*
 * An fd array that points at kernel addresses that are no files (the
 * system call table: functions' text): each slot looks like a file until
 * its f_op is read, and after KT_FILES_MAX_BAD of them the rest of the
 * table is left unread. Following every one of up to 2^20 slots ran the
 * walk_mounts fuzzer past its read bound.
 */
Test(files, kernel_addresses_that_are_no_files_stop_the_table)
{
	struct kt_program *prog = kt_test_open("nbd-orphan-hung");
	const struct kt_task_list *list;
	uint64_t table;
	uint32_t max_fds = 1024;
	const struct kt_task *t;
	struct kt_files fs;
	char want[128];

	cr_assert_null(kt_tasks_load(prog, &list));
	t = kt_task_by_pid(list, 121);
	cr_assert_null(kt_symbol_address(prog, "sys_call_table", &table));
	patch_fd_table(prog, t->addr, table, max_fds);
	cr_assert_null(kt_files_load(prog, t->addr, &fs));
	// a few functions' code has a kernel-looking word where f_op is:
	// those are followed
	cr_assert_geq(fs.n, KT_FILES_MAX_BAD);
	cr_expect_lt(fs.n, 2 * KT_FILES_MAX_BAD);
	cr_assert_not_null(fs.warning);
	snprintf(want, sizeof(want), "64 slots hold no file: the table looks "
		 "corrupt; the fds after %d left unread", fs.v[fs.n - 1].fd);
	cr_expect(strstr(fs.warning, want), "%s", fs.warning);
	kt_files_deinit(&fs);
	kt_program_destroy(prog);
}
