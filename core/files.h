/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Open files of a task (task->files->fdt), their paths, and the sockets
 * behind socket inodes.
 *
 * Names are the dump's raw bytes: nothing here sanitises, the printers do.
 * Every walk is bounded: at most KT_FILES_MAX_FDS descriptors (and no more
 * after KT_FILES_MAX_BAD slots that hold no file), and KT_FILES_MAX_DEPTH
 * path components, with cycles ending the walk.
 */
#ifndef KT_CORE_FILES_H
#define KT_CORE_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct kt_program;

/** The most descriptors read from one fd table. */
#define KT_FILES_MAX_FDS (1u << 20)
/** Slots that hold no file before the rest of a table is left unread. */
#define KT_FILES_MAX_BAD 64
/** The most dentries and mounts one path walk crosses. */
#define KT_FILES_MAX_DEPTH 256

enum kt_file_type {
	KT_FILE_UNKNOWN,
	KT_FILE_REG,
	KT_FILE_DIR,
	KT_FILE_CHR,
	KT_FILE_BLK,
	KT_FILE_SOCK,
	KT_FILE_FIFO,
	KT_FILE_LNK,
};

/** crash's names: "REG", "DIR", "CHR", "BLK", "SOCK", "FIFO", "LNK", "?". */
const char *kt_file_type_name(enum kt_file_type type);

/** The type of an inode's i_mode. */
enum kt_file_type kt_file_type_of_mode(uint32_t mode);

/** One open file of a task. */
struct kt_file {
	int fd;
	uint64_t file;		/* struct file */
	uint64_t vfsmount;	/* file->f_path.mnt */
	uint64_t dentry;	/* file->f_path.dentry */
	uint64_t inode;		/* file->f_inode */
	uint32_t mode;		/* inode->i_mode; 0 when unreadable */
	enum kt_file_type type;
	char *path;		/* raw bytes, owned; NULL when unreadable */
	bool path_partial;	/* the walk stopped early: a suffix only */
};

/** The open files of one task. */
struct kt_files {
	uint64_t task;
	uint64_t files;		/* task->files; 0 for a task without files */
	uint64_t fs;		/* task->fs; 0 when none or unread */
	uint32_t max_fds;
	char *root, *cwd;	/* task->fs paths, owned; NULL when unknown */
	struct kt_file *v;	/* by fd */
	size_t n;
	char *warning;		/* set when the table was read only in part */
};

/**
 * Read the fd table of the task at @task into @ret (zeroed first; free it
 * with kt_files_deinit() even on error). A file whose path cannot be read
 * still appears, with ->path NULL; an unreadable part of the fd array sets
 * ->warning. Errors only when the task's files cannot be found at all.
 */
struct kt_error *kt_files_load(struct kt_program *prog, uint64_t task,
			       struct kt_files *ret);

/**
 * Like kt_files_load(), but only ->fd and ->file of each file, and no
 * root or cwd: for callers that match file pointers (a fraction of the
 * cost).
 */
struct kt_error *kt_files_load_table(struct kt_program *prog, uint64_t task,
				     struct kt_files *ret);

/**
 * Like kt_files_load(), but a copy of @prev (a table loaded before, or
 * NULL) when the task at @task has the same files and fs (the threads of
 * one process share them): foreach files reads each process's table once.
 */
struct kt_error *kt_files_load_reuse(struct kt_program *prog, uint64_t task,
				     const struct kt_files *prev,
				     struct kt_files *ret);

void kt_files_deinit(struct kt_files *files);

/**
 * The path of @dentry under the mount @vfsmount (struct vfsmount *), like
 * the kernel's d_path() seen from the root of the mount tree: dentry names
 * up to the mount root, then the mountpoint in the parent mount, and so on.
 * A dentry of a pseudo filesystem (its own parent, but not a mount root)
 * gives its name without a leading '/'. @ret is malloc'd raw bytes; *@partial
 * tells that the walk stopped early (a fault, a cycle, too deep), in which
 * case @ret holds the suffix read so far.
 */
struct kt_error *kt_files_path(struct kt_program *prog, uint64_t vfsmount,
			       uint64_t dentry, char **ret, bool *partial);

/** A socket (struct socket) and, for AF_UNIX, its peer and bound path. */
struct kt_socket {
	uint64_t socket;	/* struct socket */
	uint64_t inode;		/* its socket_alloc's vfs_inode */
	uint64_t file;		/* socket->file */
	uint64_t sk;		/* socket->sk */
	int state;		/* socket->state: SS_* */
	int type;		/* socket->type: SOCK_STREAM ... */
	int family;		/* sk->__sk_common.skc_family; -1 without sk */
	int sk_state;		/* sk->__sk_common.skc_state; -1 without sk */
	/* AF_UNIX only; 0/NULL otherwise */
	uint64_t peer;		/* unix_sock->peer (struct sock *) */
	uint64_t peer_socket;	/* peer->sk_socket */
	uint64_t peer_file;	/* peer->sk_socket->file */
	char *path;		/* bound sun_path, owned; '@' for abstract */
	char *peer_path;	/* the peer's bound sun_path, owned */
};

/** SOCKET_I(): the struct socket of socket inode @inode. */
struct kt_error *kt_socket_of_inode(struct kt_program *prog, uint64_t inode,
				    uint64_t *ret);

/**
 * Read the socket at @socket into @ret (zeroed first; free with
 * kt_socket_deinit() even on error). Unreadable parts past the struct
 * socket itself are left 0/-1/NULL.
 */
struct kt_error *kt_socket_read(struct kt_program *prog, uint64_t socket,
				struct kt_socket *ret);

void kt_socket_deinit(struct kt_socket *sock);

/** "UNIX", "INET", "INET6", "NETLINK", "PACKET"... or NULL. */
const char *kt_socket_family_name(int family);

/** "SS_FREE" ... "SS_DISCONNECTING", or NULL. */
const char *kt_socket_state_name(int state);

/** "STREAM", "DGRAM", "RAW", "RDM", "SEQPACKET", "DCCP", "PACKET", NULL. */
const char *kt_socket_type_name(int type);

#endif /* KT_CORE_FILES_H */
