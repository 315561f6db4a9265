// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Open files: task->files->fdt->fd[], each file's path (the kernel's
 * prepend_path() walk, read from the dump) and the sockets behind socket
 * inodes.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/files.h"
#include "core/list.h"
#include "core/program.h"

/* NAME_MAX: the longest name one dentry holds. */
#define KT_NAME_MAX 255
/* Descriptors read per kt_read() of the fd array. */
#define FD_CHUNK 512
#define S_IFMT_ 0170000

/*
 * Read member @member of the @type at @addr, zero-extended: the member's
 * own size (1, 2, 4 or 8 bytes) comes from the debuginfo.
 */
static struct kt_error *rd(struct kt_program *prog, uint64_t addr,
			   const char *type, const char *member,
			   uint64_t *ret)
{
	struct kt_member m;
	struct kt_error *err;
	uint8_t buf[8] = { 0 };

	err = kt_type_member(prog, type, member, &m);
	if (err)
		return err;
	if (m.size == 0 || m.size > 8 || m.bit_size)
		return kt_error_create(KT_ERR_UNSUPPORTED,
				       "%s.%s: %" PRIu64 "-byte member",
				       type, member, m.size);
	err = kt_read(prog, addr + m.offset, buf, m.size);
	if (err)
		return kt_error_wrap(err, "reading %s.%s at 0x%" PRIx64,
				     type, member, addr);
	*ret = 0;
	for (uint64_t i = 0; i < m.size; i++)
		*ret |= (uint64_t)buf[i] << (8 * i);
	return NULL;
}

/* Sign-extend a value rd() read from a @bytes-byte signed member. */
static int64_t sext(uint64_t v, unsigned bytes)
{
	unsigned shift = 64 - 8 * bytes;

	return (int64_t)(v << shift) >> shift;
}

const char *kt_file_type_name(enum kt_file_type type)
{
	static const char *const names[] = {
		[KT_FILE_UNKNOWN] = "?",  [KT_FILE_REG] = "REG",
		[KT_FILE_DIR] = "DIR",    [KT_FILE_CHR] = "CHR",
		[KT_FILE_BLK] = "BLK",    [KT_FILE_SOCK] = "SOCK",
		[KT_FILE_FIFO] = "FIFO",  [KT_FILE_LNK] = "LNK",
	};

	return (unsigned)type < sizeof(names) / sizeof(names[0]) ?
		names[type] : "?";
}

enum kt_file_type kt_file_type_of_mode(uint32_t mode)
{
	switch (mode & S_IFMT_) {
	case 0100000: return KT_FILE_REG;
	case 0040000: return KT_FILE_DIR;
	case 0020000: return KT_FILE_CHR;
	case 0060000: return KT_FILE_BLK;
	case 0140000: return KT_FILE_SOCK;
	case 0010000: return KT_FILE_FIFO;
	case 0120000: return KT_FILE_LNK;
	default: return KT_FILE_UNKNOWN;
	}
}

/* ---- paths ---- */

/* A path built right to left, as prepend_path() does. */
struct rpath {
	char *buf;
	size_t cap, start;	/* the text is buf[start, cap) */
};

static bool rpath_prepend(struct rpath *p, const char *s, size_t len)
{
	if (!len)
		return true;
	if (len > p->start) {
		size_t used = p->cap - p->start;
		size_t cap = (p->cap + len) * 2;
		char *nbuf = malloc(cap);

		if (!nbuf)
			return false;
		if (used)
			memcpy(nbuf + cap - used, p->buf + p->start, used);
		free(p->buf);
		p->buf = nbuf;
		p->start = cap - used;
		p->cap = cap;
	}
	p->start -= len;
	memcpy(p->buf + p->start, s, len);
	return true;
}

static char *rpath_take(struct rpath *p)
{
	size_t len = p->cap - p->start;
	char *s = malloc(len + 1);

	if (s) {
		if (len)
			memcpy(s, p->buf + p->start, len);
		s[len] = '\0';
	}
	free(p->buf);
	return s;
}

static struct kt_error *dentry_name(struct kt_program *prog, uint64_t dentry,
				    char *buf, size_t size)
{
	struct kt_error *err;
	uint64_t name;

	err = rd(prog, dentry, "struct dentry", "d_name.name", &name);
	if (!err)
		err = kt_read_cstr(prog, name, buf, size);
	return err;
}

/* One step of the walk; *done when the top of the mount tree is reached. */
struct walk {
	uint64_t mnt;		/* struct mount */
	uint64_t vfsmnt;	/* &mnt->mnt */
	uint64_t dentry;
	uint64_t mnt_off;	/* offsetof(struct mount, mnt) */
	bool done, pseudo;
};

static struct kt_error *walk_step(struct kt_program *prog, struct walk *w,
				  struct rpath *p)
{
	char name[KT_NAME_MAX + 1];
	uint64_t root, parent, pmnt;
	struct kt_error *err;

	err = rd(prog, w->vfsmnt, "struct vfsmount", "mnt_root", &root);
	if (!err)
		err = rd(prog, w->dentry, "struct dentry", "d_parent", &parent);
	if (err)
		return err;
	if (w->dentry == root) {
		err = rd(prog, w->mnt, "struct mount", "mnt_parent", &pmnt);
		if (err)
			return err;
		if (pmnt == w->mnt || !pmnt) {
			w->done = true;
			return NULL;
		}
		err = rd(prog, w->mnt, "struct mount", "mnt_mountpoint",
			 &w->dentry);
		w->mnt = pmnt;
		w->vfsmnt = pmnt + w->mnt_off;
		return err;
	}
	err = dentry_name(prog, w->dentry, name, sizeof(name));
	if (err)
		return err;
	if (parent == w->dentry) {
		// A pseudo filesystem's dentry (sockfs, pipefs, anon
		// inodes): its own parent, below no mount root.
		w->done = w->pseudo = true;
		return rpath_prepend(p, name, strlen(name)) ? NULL :
			&kt_error_nomem;
	}
	if (!rpath_prepend(p, name, strlen(name)) || !rpath_prepend(p, "/", 1))
		return &kt_error_nomem;
	w->dentry = parent;
	return NULL;
}

struct kt_error *kt_files_path(struct kt_program *prog, uint64_t vfsmount,
			       uint64_t dentry, char **ret, bool *partial)
{
	struct walk w = { .vfsmnt = vfsmount, .dentry = dentry };
	struct rpath p = { 0 };
	struct kt_addrset dentries, mounts;
	struct kt_error *err;
	int depth;

	*ret = NULL;
	*partial = false;
	kt_type_hint(prog, "mntget");	// struct mount's file
	err = kt_type_member_offset(prog, "struct mount", "mnt", &w.mnt_off);
	if (err)
		return err;
	w.mnt = vfsmount - w.mnt_off;
	// A cycle is a dentry seen twice below one mount, or a mount seen
	// twice: two sets, not one of a pair's hash (dentry ^ mnt of the
	// root and of its mountpoint can be equal: 7.2's hctx-fq-exit)
	kt_addrset_init(&dentries);
	kt_addrset_init(&mounts);
	for (depth = 0; !err && !w.done && depth < KT_FILES_MAX_DEPTH;
	     depth++) {
		uint64_t mnt = w.mnt;
		bool added;

		if (!kt_addrset_add(&dentries, w.dentry, &added))
			err = &kt_error_nomem;
		else if (!added)
			err = kt_error_create(KT_ERR_CORRUPT,
				"path walk: dentry 0x%" PRIx64 " seen twice",
				w.dentry);
		else
			err = walk_step(prog, &w, &p);
		if (err || w.done || w.mnt == mnt)
			continue;
		if (!kt_addrset_add(&mounts, mnt, &added))
			err = &kt_error_nomem;
		else if (!added)
			err = kt_error_create(KT_ERR_CORRUPT,
				"path walk: mount 0x%" PRIx64 " seen twice",
				mnt);
		kt_addrset_deinit(&dentries);
		kt_addrset_init(&dentries);
	}
	kt_addrset_deinit(&dentries);
	kt_addrset_deinit(&mounts);
	if (!err && !w.done)
		err = kt_error_create(KT_ERR_CORRUPT, "path deeper than %d",
				      KT_FILES_MAX_DEPTH);
	if (!w.pseudo && p.start == p.cap && !err && !rpath_prepend(&p, "/", 1))
		err = &kt_error_nomem;
	*partial = err != NULL;
	*ret = rpath_take(&p);
	if (!*ret && !err)
		err = &kt_error_nomem;
	return err;
}

/* ---- fd tables ---- */

static struct kt_error *path_of(struct kt_program *prog, uint64_t path,
				char **ret)
{
	uint64_t mnt, dentry;
	struct kt_error *err;
	bool partial;

	*ret = NULL;
	err = rd(prog, path, "struct path", "mnt", &mnt);
	if (!err)
		err = rd(prog, path, "struct path", "dentry", &dentry);
	if (!err && mnt && dentry)
		err = kt_files_path(prog, mnt, dentry, ret, &partial);
	return err;
}

static void load_fs_paths(struct kt_program *prog, struct kt_files *files)
{
	uint64_t fs, root_off, pwd_off;

	if (kt_error_catch_any(rd(prog, files->task, "struct task_struct",
				  "fs", &fs)) || !fs)
		return;
	files->fs = fs;
	if (kt_error_catch_any(kt_type_member_offset(prog, "struct fs_struct",
						     "root", &root_off)) ||
	    kt_error_catch_any(kt_type_member_offset(prog, "struct fs_struct",
						     "pwd", &pwd_off)))
		return;
	kt_error_catch_any(path_of(prog, fs + root_off, &files->root));
	kt_error_catch_any(path_of(prog, fs + pwd_off, &files->cwd));
}

/* Kernel memory: the upper half of the address space. */
static bool kernel_address(uint64_t v)
{
	return v >> 47 == 0x1ffff;
}

/*
 * The name the kernel gives a file of a pseudo filesystem whose dentry has
 * no name of its own: its d_op->d_dname() makes one ("pipe:[INODE]", as
 * /proc/PID/fd shows), known here by that function's symbol. Sockets are
 * left to their type (UNIX-STREAM...), as crash prints them.
 */
static char *dname_path(struct kt_program *prog, const struct kt_file *f)
{
	static const struct {
		const char *fn, *fmt;
	} known[] = {
		{ "pipefs_dname", "pipe:[%" PRIu64 "]" },
		{ "sockfs_dname", "socket:[%" PRIu64 "]" },
	};
	uint64_t dop = 0, fn = 0, ino = 0;
	struct kt_symbol_hit hit;
	char *ret;

	if (!f->dentry || !f->inode ||
	    kt_error_catch_any(rd(prog, f->dentry, "struct dentry", "d_op",
				  &dop)) || !kernel_address(dop) ||
	    kt_error_catch_any(rd(prog, dop, "struct dentry_operations",
				  "d_dname", &fn)) || !fn ||
	    !kt_symbol_lookup(prog, fn, &hit) || hit.offset ||
	    kt_error_catch_any(rd(prog, f->inode, "struct inode", "i_ino",
				  &ino)))
		return NULL;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(hit.name, known[i].fn))
			return asprintf(&ret, known[i].fmt, ino) < 0 ? NULL :
									ret;
	return NULL;
}

/*
 * Fill @f from its struct file. False when it is no file: unreadable, or
 * its f_op (the file_operations every open file has, in the kernel's or a
 * module's data) is no kernel address.
 */
static bool fill_file(struct kt_program *prog, struct kt_file *f)
{
	uint64_t mode = 0, fop = 0;

	if (kt_error_catch_any(rd(prog, f->file, "struct file", "f_op",
				  &fop)) || !kernel_address(fop))
		return false;
	if (kt_error_catch_any(rd(prog, f->file, "struct file", "f_path.mnt",
				  &f->vfsmount)) ||
	    kt_error_catch_any(rd(prog, f->file, "struct file",
				  "f_path.dentry", &f->dentry)) ||
	    kt_error_catch_any(rd(prog, f->file, "struct file", "f_inode",
				  &f->inode)))
		return false;
	if (f->inode && !kt_error_catch_any(rd(prog, f->inode, "struct inode",
					       "i_mode", &mode))) {
		f->mode = mode;
		f->type = kt_file_type_of_mode(mode);
	}
	if (f->vfsmount && f->dentry)
		kt_error_catch_any(kt_files_path(prog, f->vfsmount, f->dentry,
						 &f->path, &f->path_partial));
	if (f->path && !*f->path && !f->path_partial) {
		char *name = dname_path(prog, f);

		if (name) {
			free(f->path);
			f->path = name;
		}
	}
	return true;
}

static bool add_file(struct kt_files *files, size_t *cap, int fd,
		     uint64_t file)
{
	if (files->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct kt_file *v = realloc(files->v, ncap * sizeof(*v));

		if (!v)
			return false;
		files->v = v;
		*cap = ncap;
	}
	files->v[files->n++] = (struct kt_file){ .fd = fd, .file = file };
	return true;
}

/* Add @msg to the table's warnings ("; "-separated); best effort. */
static void add_warning(struct kt_files *files, const char *msg)
{
	char *w;

	if (!files->warning) {
		files->warning = strdup(msg);
		return;
	}
	if (asprintf(&w, "%s; %s", files->warning, msg) < 0)
		return;
	free(files->warning);
	files->warning = w;
}

/*
 * The fd array's non-NULL slots. A slot that holds no kernel address is
 * corrupt, not a file: following each of up to KT_FILES_MAX_FDS of them
 * made a garbage array cost seconds. They are counted in the warning.
 */
static struct kt_error *read_fds(struct kt_program *prog,
				 struct kt_files *files, uint64_t fdarray)
{
	uint64_t chunk[FD_CHUNK], bad = 0;
	size_t cap = 0;
	char msg[160];
	struct kt_error *ret = NULL;

	for (uint32_t base = 0; base < files->max_fds; base += FD_CHUNK) {
		uint32_t n = files->max_fds - base;
		struct kt_error *err;

		n = n < FD_CHUNK ? n : FD_CHUNK;
		err = kt_read(prog, fdarray + 8ULL * base, chunk, 8ULL * n);
		if (err) {
			snprintf(msg, sizeof(msg), "fd %u and up: %s", base,
				 err->message);
			kt_error_destroy(err);
			add_warning(files, msg);
			break;
		}
		for (uint32_t i = 0; i < n && !ret; i++) {
			if (chunk[i] && !kernel_address(chunk[i]))
				bad++;
			else if (chunk[i] && !add_file(files, &cap, base + i,
						       chunk[i]))
				ret = &kt_error_nomem;
		}
	}
	if (bad) {
		snprintf(msg, sizeof(msg), "%" PRIu64 " fd slot%s no kernel "
			 "address: left out", bad, bad == 1 ? " holds" : "s hold");
		add_warning(files, msg);
	}
	return ret;
}

struct kt_error *kt_files_load_table(struct kt_program *prog, uint64_t task,
				     struct kt_files *ret)
{
	uint64_t fdt, fdarray, max_fds;
	struct kt_error *err;

	memset(ret, 0, sizeof(*ret));
	ret->task = task;
	kt_type_hint(prog, "fd_install");	// struct fdtable's file
	// An unreadable files pointer is not a kernel thread's NULL one:
	// no table, and the warning says why.
	err = rd(prog, task, "struct task_struct", "files", &ret->files);
	if (err) {
		add_warning(ret, err->message);
		kt_error_destroy(err);
		return NULL;
	}
	if (!ret->files)
		return NULL;
	err = rd(prog, ret->files, "struct files_struct", "fdt", &fdt);
	if (!err)
		err = rd(prog, fdt, "struct fdtable", "max_fds", &max_fds);
	if (!err)
		err = rd(prog, fdt, "struct fdtable", "fd", &fdarray);
	if (err)
		return kt_error_wrap(err, "fd table of task 0x%" PRIx64, task);
	if (max_fds > KT_FILES_MAX_FDS) {
		char msg[96];

		snprintf(msg, sizeof(msg), "max_fds %" PRIu64 ": read the "
			 "first %u", max_fds, KT_FILES_MAX_FDS);
		add_warning(ret, msg);
		max_fds = KT_FILES_MAX_FDS;
	}
	ret->max_fds = max_fds;
	return read_fds(prog, ret, fdarray);
}

struct kt_error *kt_files_load(struct kt_program *prog, uint64_t task,
			       struct kt_files *ret)
{
	struct kt_error *err = kt_files_load_table(prog, task, ret);
	unsigned bad = 0;

	if (err)
		return err;
	load_fs_paths(prog, ret);
	for (size_t i = 0; i < ret->n; i++) {
		char msg[128];

		if (fill_file(prog, &ret->v[i]) || ++bad < KT_FILES_MAX_BAD)
			continue;
		// a garbage array of kernel-looking words: following each
		// of up to KT_FILES_MAX_FDS costs minutes
		snprintf(msg, sizeof(msg), "%u slots hold no file: the table "
			 "looks corrupt; the fds after %d left unread",
			 KT_FILES_MAX_BAD, ret->v[i].fd);
		add_warning(ret, msg);
		ret->n = i + 1;
		break;
	}
	return NULL;
}

static char *dup_or_null(const char *s, bool *nomem)
{
	char *d = s ? strdup(s) : NULL;

	*nomem |= s && !d;
	return d;
}

struct kt_error *kt_files_load_reuse(struct kt_program *prog, uint64_t task,
				     const struct kt_files *prev,
				     struct kt_files *ret)
{
	uint64_t files = 0, fs = 0;
	bool nomem = false;

	if (!prev || !prev->files || !prev->fs ||
	    kt_error_catch_any(rd(prog, task, "struct task_struct", "files",
				  &files)) ||
	    kt_error_catch_any(rd(prog, task, "struct task_struct", "fs",
				  &fs)) ||
	    files != prev->files || fs != prev->fs)
		return kt_files_load(prog, task, ret);
	*ret = *prev;
	ret->task = task;
	ret->v = prev->n ? malloc(prev->n * sizeof(*ret->v)) : NULL;
	ret->root = dup_or_null(prev->root, &nomem);
	ret->cwd = dup_or_null(prev->cwd, &nomem);
	ret->warning = dup_or_null(prev->warning, &nomem);
	nomem |= prev->n && !ret->v;
	for (size_t i = 0; ret->v && i < prev->n; i++) {
		ret->v[i] = prev->v[i];
		ret->v[i].path = dup_or_null(prev->v[i].path, &nomem);
	}
	if (!ret->v)
		ret->n = 0;
	return nomem ? &kt_error_nomem : NULL;
}

void kt_files_deinit(struct kt_files *files)
{
	if (!files)
		return;
	for (size_t i = 0; i < files->n; i++)
		free(files->v[i].path);
	free(files->v);
	free(files->root);
	free(files->cwd);
	free(files->warning);
	memset(files, 0, sizeof(*files));
}

/* ---- sockets ---- */

struct kt_error *kt_socket_of_inode(struct kt_program *prog, uint64_t inode,
				    uint64_t *ret)
{
	uint64_t ioff, soff;
	struct kt_error *err;

	kt_type_hint(prog, "sock_alloc");	// struct socket_alloc's file
	err = kt_type_member_offset(prog, "struct socket_alloc", "vfs_inode",
				    &ioff);
	if (!err)
		err = kt_type_member_offset(prog, "struct socket_alloc",
					    "socket", &soff);
	if (!err)
		*ret = inode - ioff + soff;
	return err;
}

/* The sun_path bound to unix sock @sk, or NULL when it is not bound. */
static char *unix_path(struct kt_program *prog, uint64_t sk)
{
	uint64_t addr, len, name_off, path_off;
	char buf[109] = { 0 };

	if (kt_error_catch_any(rd(prog, sk, "struct unix_sock", "addr",
				  &addr)) || !addr ||
	    kt_error_catch_any(rd(prog, addr, "struct unix_address", "len",
				  &len)) ||
	    kt_error_catch_any(kt_type_member_offset(prog,
			"struct unix_address", "name", &name_off)) ||
	    kt_error_catch_any(kt_type_member_offset(prog,
			"struct sockaddr_un", "sun_path", &path_off)))
		return NULL;
	// len counts sun_family; an abstract name starts with a NUL,
	// which ss and netstat show as '@'.
	len = (uint32_t)len > path_off ? (uint32_t)len - path_off : 0;
	len = len < sizeof(buf) - 1 ? len : sizeof(buf) - 1;
	if (!len || kt_error_catch_any(kt_read(prog, addr + name_off + path_off,
					       buf, len)))
		return NULL;
	if (!buf[0])
		buf[0] = '@';
	return strndup(buf, len);
}

static void read_unix(struct kt_program *prog, struct kt_socket *s)
{
	kt_type_hint(prog, "unix_release");	// struct unix_sock's file
	s->path = unix_path(prog, s->sk);
	if (kt_error_catch_any(rd(prog, s->sk, "struct unix_sock", "peer",
				  &s->peer)) || !s->peer)
		return;
	s->peer_path = unix_path(prog, s->peer);
	if (!kt_error_catch_any(rd(prog, s->peer, "struct sock", "sk_socket",
				   &s->peer_socket)) && s->peer_socket)
		kt_error_catch_any(rd(prog, s->peer_socket, "struct socket",
				      "file", &s->peer_file));
}

struct kt_error *kt_socket_read(struct kt_program *prog, uint64_t socket,
				struct kt_socket *ret)
{
	uint64_t state, type, v;
	struct kt_error *err;

	memset(ret, 0, sizeof(*ret));
	ret->socket = socket;
	ret->family = ret->sk_state = -1;
	kt_type_hint(prog, "sock_alloc");	// struct socket_alloc's file
	err = kt_type_member_offset(prog, "struct socket_alloc", "vfs_inode",
				    &ret->inode);
	ret->inode += socket;
	if (!err)
		err = rd(prog, socket, "struct socket", "state", &state);
	if (!err)
		err = rd(prog, socket, "struct socket", "type", &type);
	if (!err)
		err = rd(prog, socket, "struct socket", "file", &ret->file);
	if (!err)
		err = rd(prog, socket, "struct socket", "sk", &ret->sk);
	if (err)
		return kt_error_wrap(err, "socket 0x%" PRIx64, socket);
	ret->state = (int)sext(state, 4);
	ret->type = (int)sext(type, 2);
	if (!ret->sk)
		return NULL;
	if (!kt_error_catch_any(rd(prog, ret->sk, "struct sock",
				   "__sk_common.skc_family", &v)))
		ret->family = (int)v;
	if (!kt_error_catch_any(rd(prog, ret->sk, "struct sock",
				   "__sk_common.skc_state", &v)))
		ret->sk_state = (int)v;
	if (ret->family == 1)	// AF_UNIX
		read_unix(prog, ret);
	return NULL;
}

void kt_socket_deinit(struct kt_socket *sock)
{
	if (!sock)
		return;
	free(sock->path);
	free(sock->peer_path);
	memset(sock, 0, sizeof(*sock));
}

const char *kt_socket_family_name(int family)
{
	switch (family) {
	case 1: return "UNIX";
	case 2: return "INET";
	case 10: return "INET6";
	case 16: return "NETLINK";
	case 17: return "PACKET";
	case 40: return "VSOCK";
	default: return NULL;
	}
}

const char *kt_socket_state_name(int state)
{
	static const char *const names[] = {
		"SS_FREE", "SS_UNCONNECTED", "SS_CONNECTING", "SS_CONNECTED",
		"SS_DISCONNECTING",
	};

	return state >= 0 && state < 5 ? names[state] : NULL;
}

const char *kt_socket_type_name(int type)
{
	static const char *const names[] = {
		NULL, "STREAM", "DGRAM", "RAW", "RDM", "SEQPACKET", "DCCP",
	};

	if (type == 10)
		return "PACKET";
	return type > 0 && type < 7 ? names[type] : NULL;
}
