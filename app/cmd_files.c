// SPDX-License-Identifier: GPL-2.0-or-later
/* files [PID|TASK]: a task's open files, laid out as crash's `files`. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "app/commands.h"
#include "core/files.h"
#include "core/program.h"
#include "core/sanitize.h"
#include "core/task.h"

#define FILES_USAGE "files [PID|TASK]"

static void print_path(FILE *fp, const char *path, bool partial)
{
	if (!path) {
		fputs("<unreadable>", fp);
		return;
	}
	if (partial)
		fputs("...", fp);
	kt_out_raw(fp, path, strlen(path), false);
}

static void print_file(struct kt_cmd_ctx *ctx, const struct kt_file *f)
{
	fprintf(ctx->out, "%3d %016" PRIx64 " %016" PRIx64 " %016" PRIx64
		" %-4s ", f->fd, f->file, f->dentry, f->inode,
		kt_file_type_name(f->type));
	// A socket's dentry is named after its protocol ("UNIX-STREAM"),
	// which is what crash shows too.
	print_path(ctx->out, f->path, f->path_partial);
	fputc('\n', ctx->out);
}

static void print_files(struct kt_cmd_ctx *ctx, const struct kt_task *t,
			const struct kt_files *fs)
{
	char comm[KT_SANITIZED_SIZE(KT_TASK_COMM_LEN)];

	kt_sanitize(t->comm, KT_TASK_COMM_LEN, comm, sizeof(comm), false);
	fprintf(ctx->out, "PID: %-7d  TASK: %016" PRIx64 "  CPU: %-3d  "
		"COMMAND: \"%s\"\n", t->pid, t->addr, t->cpu, comm);
	fputs("ROOT: ", ctx->out);
	print_path(ctx->out, fs->root, false);
	fputs("    CWD: ", ctx->out);
	print_path(ctx->out, fs->cwd, false);
	fputc('\n', ctx->out);
	if (!fs->n) {
		fputs("No open files\n", ctx->out);
		return;
	}
	fputs(" FD       FILE            DENTRY           INODE       TYPE "
	      "PATH\n", ctx->out);
	for (size_t i = 0; i < fs->n; i++)
		print_file(ctx, &fs->v[i]);
}

static void add_path(cJSON *o, const char *key, const char *path)
{
	if (path)
		kt_json_add_raw(o, key, path, strlen(path));
	else
		cJSON_AddNullToObject(o, key);
}

static cJSON *socket_json(struct kt_program *prog, const struct kt_file *f)
{
	const char *name;
	struct kt_socket s;
	uint64_t sock;
	cJSON *o;

	if (kt_error_catch_any(kt_socket_of_inode(prog, f->inode, &sock)) ||
	    kt_error_catch_any(kt_socket_read(prog, sock, &s)))
		return cJSON_CreateNull();
	o = cJSON_CreateObject();
	kt_json_add_addr(o, "socket", s.socket);
	kt_json_add_addr(o, "sk", s.sk);
	cJSON_AddNumberToObject(o, "family", s.family);
	if ((name = kt_socket_family_name(s.family)))
		cJSON_AddStringToObject(o, "family_name", name);
	cJSON_AddNumberToObject(o, "type", s.type);
	cJSON_AddNumberToObject(o, "state", s.state);
	if (s.family == 1) {
		kt_json_add_addr(o, "peer", s.peer);
		add_path(o, "path", s.path);
		add_path(o, "peer_path", s.peer_path);
	}
	kt_socket_deinit(&s);
	return o;
}

static cJSON *file_json(struct kt_program *prog, const struct kt_file *f)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "fd", f->fd);
	kt_json_add_addr(o, "file", f->file);
	kt_json_add_addr(o, "dentry", f->dentry);
	kt_json_add_addr(o, "inode", f->inode);
	kt_json_add_addr(o, "vfsmount", f->vfsmount);
	cJSON_AddNumberToObject(o, "mode", f->mode);
	cJSON_AddStringToObject(o, "type", kt_file_type_name(f->type));
	add_path(o, "path", f->path);
	cJSON_AddBoolToObject(o, "path_partial", f->path_partial);
	if (f->type == KT_FILE_SOCK)
		cJSON_AddItemToObject(o, "socket", socket_json(prog, f));
	return o;
}

static cJSON *files_json(struct kt_program *prog, const struct kt_task *t,
			 const struct kt_files *fs)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(o, "files");

	cJSON_AddNumberToObject(o, "pid", t->pid);
	kt_json_add_addr(o, "task", t->addr);
	kt_json_add_raw(o, "comm", t->comm, KT_TASK_COMM_LEN);
	add_path(o, "root", fs->root);
	add_path(o, "cwd", fs->cwd);
	if (fs->warning)
		kt_json_add_raw(o, "warning", fs->warning,
				strlen(fs->warning));
	for (size_t i = 0; arr && i < fs->n; i++)
		cJSON_AddItemToArray(arr, file_json(prog, &fs->v[i]));
	return o;
}

int kt_files_one(struct kt_cmd_ctx *ctx, const struct kt_task *t, cJSON *doc,
		 struct kt_files *keep)
{
	struct kt_files fs;
	struct kt_error *err;

	err = kt_files_load_reuse(ctx->prog, t->addr, keep, &fs);
	if (err) {
		kt_files_deinit(&fs);
		return kt_cmd_fail(ctx, "files", kt_error_wrap(err,
			"PID %d", t->pid));
	}
	if (doc)
		cJSON_AddItemToArray(doc, files_json(ctx->prog, t, &fs));
	else
		print_files(ctx, t, &fs);
	if (fs.warning) {
		fprintf(ctx->err, "ktriage: files: PID %d: fd table read in "
			"part: ", t->pid);
		kt_out_raw(ctx->err, fs.warning, strlen(fs.warning), false);
		fputc('\n', ctx->err);
	}
	if (keep) {
		kt_files_deinit(keep);
		*keep = fs;
	} else {
		kt_files_deinit(&fs);
	}
	return 0;
}

static const struct kt_task *find_task(struct kt_cmd_ctx *ctx,
				       const struct kt_task_list *list,
				       const char *arg)
{
	const struct kt_task *t = NULL;
	struct kt_error *err;
	uint64_t addr;
	char *end;
	long pid;
	int cpu;

	if (!arg) {
		err = kt_task_panicked(ctx->prog, &cpu, &addr);
		if (!err && !(t = kt_task_by_addr(list, addr)))
			err = kt_error_create(KT_ERR_LOOKUP, "the task on CPU "
					      "%d is not in the task list", cpu);
		if (err)
			kt_cmd_fail(ctx, "files", kt_error_wrap(err,
				"give a PID"));
		return t;
	}
	errno = 0;
	pid = strtol(arg, &end, 10);
	if (!errno && !*end && pid >= 0 && pid < (1L << 30))
		t = kt_task_by_pid(list, pid);
	errno = 0;
	addr = strtoull(arg, &end, 16);
	if (!t && !errno && !*end)
		t = kt_task_by_addr(list, addr);
	if (!t)
		kt_cmd_fail(ctx, "files", kt_error_create(KT_ERR_LOOKUP,
			"%s: no such PID or task", arg));
	return t;
}

int kt_cmd_files(struct kt_cmd_ctx *ctx, int argc, char **argv)
{
	const struct kt_task_list *list;
	const struct kt_task *t;
	struct kt_error *err;
	cJSON *doc = NULL;
	int ret;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-'))
		return kt_cmd_usage(ctx, "files", FILES_USAGE);
	err = kt_tasks_load(ctx->prog, &list);
	if (err)
		return kt_cmd_fail(ctx, "files", err);
	t = find_task(ctx, list, argc == 2 ? argv[1] : NULL);
	if (!t)
		return 1;
	if (ctx->json)
		doc = cJSON_CreateArray();
	ret = kt_files_one(ctx, t, doc, NULL);
	if (!doc)
		return ret;
	// One task: the object itself, not a one-element array.
	cJSON *one = cJSON_DetachItemFromArray(doc, 0);

	cJSON_Delete(doc);
	return one ? kt_json_print(ctx, one) | ret : ret;
}
