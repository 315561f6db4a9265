// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * orphan_sockets: sockets that only the kernel holds.
 *
 * Seed 003: readers of an nbd device hung; nbd_config->socks[] held a dead
 * sock, num_connections and live_connections disagreed, and `foreach files`
 * found the live socket's struct file in no task. A socket handed to the
 * kernel (NBD_SET_SOCK) whose file no task has open can be neither closed
 * nor reconnected from userspace.
 *
 * Every socket is looked at: sockfs inodes are on no superblock list
 * (sock_alloc() uses new_inode_pseudo()), so the allocated objects of
 * sock_inode_cache (struct socket_alloc) are walked instead, from the
 * struct page array (kt_slab_for_each_object()). A socket with a file
 * (socket->file, whose private_data points back) that is in none of the
 * tasks' fd tables is an orphan; a socket without a file was created by
 * the kernel for itself (sock_create_kern()) and is not. Only for
 * orphans, one search of memory for their socket and file addresses
 * finds who references them, named by kmem ownership; the socket's own
 * file, inode and sock are left out, words on task stacks are counted.
 *
 * nbd devices are read too, when nbd.ko is loaded with its debuginfo:
 * nbd_index_idr -> nbd_device -> config -> socks[num_connections]. An
 * orphan held by an nbd_sock is named "nbd0 socks[i]"; a config whose
 * connection counts disagree or that keeps dead socks is a finding.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/files.h"
#include "core/list.h"
#include "core/module.h"
#include "core/owner.h"
#include "core/program.h"
#include "core/search.h"
#include "core/slab.h"
#include "core/task.h"
#include "plugins/plugin.h"

#define PLUGIN "orphan_sockets"
/* file_ref_t: at or above this, the file was released (count 0) */
#define FILE_REF_RELEASED 0xc000000000000000ULL
/* More connections than this is a corrupt config, not a real device. */
#define NBD_MAX_SOCKS 4096
/* xarray nodes visited before the idr walk gives up. */
#define XA_MAX_NODES 4096
#define XA_CHUNK 64
/* Slab objects named as an orphan's holders. */
#define MAX_HOLDERS 8
/* Tasks named whose stacks hold an orphan's address. */
#define MAX_STACKS 4
/* Hits one search keeps: a socket has a handful of references. */
#define SEARCH_LIMIT 256
/* Orphans per search: two values each (socket and file). */
#define SEARCH_BATCH ((KT_SEARCH_MAX_VALUES - 1) / 2)

/* One fd-table entry of some task. */
struct holder {
	uint64_t file;
	const struct kt_task *task;
	int fd;
};

/* Every file in every task's fd table. */
struct fdmap {
	struct holder *v;
	size_t n, cap;
	struct kt_addrset files;
	size_t ntasks, ntables;
};

static bool fdmap_add(struct fdmap *m, const struct kt_task *t, int fd,
		      uint64_t file)
{
	bool added;

	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 256;
		struct holder *v = realloc(m->v, cap * sizeof(*v));

		if (!v)
			return false;
		m->v = v;
		m->cap = cap;
	}
	m->v[m->n++] = (struct holder){ .file = file, .task = t, .fd = fd };
	return kt_addrset_add(&m->files, file, &added);
}

/* Threads share one files_struct: read each table once. */
static struct kt_error *fdmap_load(struct kt_program *prog, struct fdmap *m)
{
	const struct kt_task_list *list;
	struct kt_addrset tables;
	struct kt_error *err;

	kt_addrset_init(&m->files);
	err = kt_tasks_load(prog, &list);
	if (err)
		return err;
	kt_addrset_init(&tables);
	for (size_t i = 0; !err && i < list->n; i++) {
		const struct kt_task *t = &list->tasks[i];
		struct kt_files fs;
		bool added = true;

		m->ntasks++;
		if (kt_error_catch_any(kt_files_load_table(prog, t->addr,
							   &fs)) ||
		    !fs.files || !kt_addrset_add(&tables, fs.files, &added) ||
		    !added) {
			kt_files_deinit(&fs);
			continue;
		}
		m->ntables++;
		for (size_t j = 0; !err && j < fs.n; j++)
			if (!fdmap_add(m, t, fs.v[j].fd, fs.v[j].file))
				err = &kt_error_nomem;
		kt_files_deinit(&fs);
	}
	kt_addrset_deinit(&tables);
	return err;
}

static void fdmap_deinit(struct fdmap *m)
{
	free(m->v);
	kt_addrset_deinit(&m->files);
}

static const struct holder *fdmap_find(const struct fdmap *m, uint64_t file,
				       size_t from)
{
	for (size_t i = from; i < m->n; i++)
		if (m->v[i].file == file)
			return &m->v[i];
	return NULL;
}

/* ---- the idr of nbd devices (an xarray) ---- */

typedef struct kt_error *xa_fn(struct kt_program *prog, uint64_t index,
			       uint64_t entry, void *arg);

struct xa_walk {
	xa_fn *fn;
	void *arg;
	uint64_t slots_off;
	struct kt_addrset seen;
};

/* An internal entry above 4096 is a node (xa_is_node()). */
static bool xa_is_node(uint64_t e)
{
	return (e & 3) == 2 && e > 4096;
}

static struct kt_error *xa_node_walk(struct kt_program *prog,
				     struct xa_walk *w, uint64_t node,
				     uint64_t base)
{
	uint64_t slots[XA_CHUNK];
	struct kt_error *err;
	bool added;
	uint8_t shift;

	if (!kt_addrset_add(&w->seen, node, &added))
		return &kt_error_nomem;
	if (!added || w->seen.count > XA_MAX_NODES)
		return kt_error_create(KT_ERR_CORRUPT, "xarray node 0x%" PRIx64
				       ": seen twice, or too many nodes", node);
	err = kt_read_u8(prog, node, &shift);
	if (!err)
		err = kt_read(prog, node + w->slots_off, slots, sizeof(slots));
	if (!err && shift > 60)
		err = kt_error_create(KT_ERR_CORRUPT, "xarray node 0x%" PRIx64
				      ": shift %u", node, shift);
	for (unsigned i = 0; !err && i < XA_CHUNK; i++) {
		uint64_t index = base + ((uint64_t)i << shift);

		if (xa_is_node(slots[i]) && shift)
			err = xa_node_walk(prog, w, slots[i] - 2, index);
		else if (slots[i] && (slots[i] & 3) != 2)
			err = w->fn(prog, index, slots[i], w->arg);
	}
	return err;
}

static struct kt_error *idr_walk(struct kt_program *prog, uint64_t idr,
				 xa_fn *fn, void *arg)
{
	struct xa_walk w = { .fn = fn, .arg = arg };
	uint64_t head_off, head;
	struct kt_error *err;

	err = kt_type_member_offset(prog, "struct idr", "idr_rt.xa_head",
				    &head_off);
	if (!err)
		err = kt_type_member_offset(prog, "struct xa_node", "slots",
					    &w.slots_off);
	if (!err)
		err = kt_read_u64(prog, idr + head_off, &head);
	if (err || !head)
		return err;
	if (!xa_is_node(head))
		return (head & 3) == 2 ? NULL : fn(prog, 0, head, arg);
	kt_addrset_init(&w.seen);
	err = xa_node_walk(prog, &w, head - 2, 0);
	kt_addrset_deinit(&w.seen);
	return err;
}

/* ---- nbd ---- */

struct nbd {
	uint64_t dev, config, disk, socks, runtime_flags;
	int index, num, live;
	uint32_t devt;
	char name[33];		/* raw bytes */
};

/* One connection: nbd_config->socks[i]. */
struct conn {
	int i;
	uint64_t nsock;		/* struct nbd_sock */
	bool dead;
	bool unreadable;	/* nbd_sock or socket could not be read */
	struct kt_socket s;
};

/* A connection and its device, kept to name an orphan's holder. */
struct nbd_conn {
	struct nbd n;
	struct conn c;
};

/* A slab object that references an orphan (found by kt_search). */
struct holder_ref {
	uint64_t addr;		/* of the word */
	uint64_t base;		/* the object holding it */
	bool is_file;		/* it holds the file, else the socket */
	char brief[96];		/* kt_owner_brief() of the word */
};

/* A socket with a file that no fd table holds. */
struct orphan {
	uint64_t obj;		/* struct socket_alloc (or sockfs_inode) */
	uint64_t socket, file;
	int64_t f_count;	/* file->f_count, or -1 unreadable */
	enum kt_slab_state state;
	struct holder_ref holders[MAX_HOLDERS];
	size_t nholders, nstack, nstale;
	struct {
		int pid;
		char comm[KT_OWNER_NAME];
	} stacks[MAX_STACKS];	/* distinct tasks whose stacks hold it */
	size_t nstacks;
	bool searched;
	uint64_t more;		/* hits past the search limit */
};

/* struct socket_alloc, as sock_alloc_inode() allocates it. */
struct sock_layout {
	uint64_t sa_socket, sa_inode, i_mode, s_file, f_private, f_count;
	bool f_ref;		/* file_ref_t f_ref (6.13 on): count - 1 */
};

struct run {
	struct kt_findings *out;
	struct fdmap fds;
	struct nbd_conn *conns;
	size_t nconns, conns_cap;
	bool nbd_walked;
	char nbd_why[256];	/* nbd loaded but not walked: why */
	struct sock_layout l;
	struct orphan *orphans;
	size_t norphans, orphans_cap;
	size_t nobjects, nsockets, nkernel, nslabs;
};

/*
 * The offset of @member of @type: nbd's own types from nbd.ko only, so
 * that they do not cost a search of all of the vmlinux DWARF.
 */
static struct kt_error *offset_of(struct kt_program *prog, const char *type,
				  const char *member, uint64_t *ret)
{
	struct kt_member m;
	struct kt_error *err;

	if (strncmp(type, "struct nbd_", 11))
		return kt_type_member_offset(prog, type, member, ret);
	err = kt_module_type_member(prog, "nbd", type, member, &m);
	if (!err)
		*ret = m.offset;
	return err;
}

static struct kt_error *member_u64(struct kt_program *prog, uint64_t addr,
				   const char *type, const char *member,
				   uint64_t *ret)
{
	uint64_t off;
	struct kt_error *err = offset_of(prog, type, member, &off);

	return err ? err : kt_read_u64(prog, addr + off, ret);
}

static struct kt_error *member_s32(struct kt_program *prog, uint64_t addr,
				   const char *type, const char *member,
				   int *ret)
{
	uint64_t off;
	int32_t v;
	struct kt_error *err = offset_of(prog, type, member, &off);

	if (!err)
		err = kt_read_s32(prog, addr + off, &v);
	if (!err)
		*ret = v;
	return err;
}

static struct kt_error *nbd_read(struct kt_program *prog, uint64_t dev,
				 struct nbd *n)
{
	const char *nc = "struct nbd_config";
	uint64_t off;
	int32_t major = 0, minor = 0;
	struct kt_error *err;

	err = member_u64(prog, dev, "struct nbd_device", "config", &n->config);
	if (!err)
		err = member_s32(prog, dev, "struct nbd_device", "index",
				 &n->index);
	if (!err)
		err = member_u64(prog, dev, "struct nbd_device", "disk",
				 &n->disk);
	if (!err && n->disk &&
	    !kt_type_member_offset(prog, "struct gendisk", "disk_name", &off))
		kt_error_catch_any(kt_read(prog, n->disk + off, n->name,
					   sizeof(n->name) - 1));
	if (!err && n->disk &&
	    !member_s32(prog, n->disk, "struct gendisk", "major", &major) &&
	    !member_s32(prog, n->disk, "struct gendisk", "first_minor", &minor))
		n->devt = (uint32_t)major << 20 | (uint32_t)minor;
	if (err || !n->config)
		return err;
	err = member_u64(prog, n->config, nc, "socks", &n->socks);
	if (!err)
		err = member_s32(prog, n->config, nc, "num_connections",
				 &n->num);
	if (!err)
		err = member_s32(prog, n->config, nc,
				 "live_connections.counter", &n->live);
	if (!err)
		err = member_u64(prog, n->config, nc, "runtime_flags",
				 &n->runtime_flags);
	return err;
}

/* NBD_RT_* of drivers/block/nbd.c (6.1). */
static void runtime_flags_text(uint64_t flags, char *buf, size_t size)
{
	static const char *const names[] = {
		"TIMEDOUT", "DISCONNECT_REQUESTED", "DISCONNECTED",
		"HAS_PID_FILE", "HAS_CONFIG_REF", "BOUND",
		"DISCONNECT_ON_CLOSE", "HAS_BACKEND_FILE",
	};
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < 8 && used < size; i++)
		if (flags & (1ULL << i))
			used += snprintf(buf + used, size - used, "%sNBD_RT_%s",
					 used ? "|" : "", names[i]);
	if (!used)
		snprintf(buf, size, "none");
}


/* ---- findings ---- */

static const char *or_q(const char *s)
{
	return s ? s : "?";
}

static void ref_holder(struct kt_findings *out, struct kt_finding *f,
		       const char *label, const struct holder *h)
{
	if (h)
		kt_finding_ref_task(out, f, label, h->task->pid,
				    h->task->addr);
}

static void explain_peer(struct kt_findings *out, struct kt_finding *f,
			 const struct run *r, const struct kt_socket *s)
{
	const struct holder *h = s->peer_file ?
		fdmap_find(&r->fds, s->peer_file, 0) : NULL;

	if (!s->peer) {
		kt_finding_explain(out, f, "It has no unix peer.");
		return;
	}
	kt_finding_ref_address(out, f, "peer sock", s->peer,
			       "struct sock *");
	kt_finding_step(out, f, "unix_sock(sk)->peer = 0x%" PRIx64
			"; peer->sk_socket = 0x%" PRIx64 ", its file 0x%"
			PRIx64, s->peer, s->peer_socket, s->peer_file);
	if (!s->peer_socket) {
		kt_finding_explain(out, f, "Its peer sock 0x%" PRIx64 " has "
				   "been closed (peer->sk_socket is NULL): "
				   "nobody can ever answer on it.", s->peer);
		return;
	}
	if (h) {
		kt_finding_explain(out, f, "Its peer is open as fd %d of "
				   "%s (pid %d): that process is the other "
				   "end the kernel waits on.", h->fd,
				   h->task->comm, h->task->pid);
		ref_holder(out, f, "peer held by", h);
		kt_finding_step(out, f, "the peer's file 0x%" PRIx64 " is fd "
				"%d of pid %d", s->peer_file, h->fd,
				h->task->pid);
	} else {
		kt_finding_explain(out, f, "Its peer's file 0x%" PRIx64
				   " is in no task's fd table either.",
				   s->peer_file);
	}
	if (s->peer_path)
		kt_finding_explain(out, f, "The peer is bound to %s.",
				   s->peer_path);
}

/* How the socket was found, and where its file is not. */
static void steps_socket(struct kt_findings *out, struct kt_finding *f,
			 const struct run *r, const struct orphan *o,
			 const struct kt_socket *s)
{
	kt_finding_step(out, f, "sock_inode_cache object 0x%" PRIx64 " (%s, "
			"one of %zu allocated objects in %zu slabs found in "
			"the struct page array): an S_IFSOCK inode; socket "
			"0x%" PRIx64 "->file = 0x%" PRIx64 ", whose "
			"private_data is the socket", o->obj,
			kt_slab_state_name(o->state), r->nobjects, r->nslabs,
			o->socket, o->file);
	kt_finding_step(out, f, "socket 0x%" PRIx64 ": %s, type %d = %s; "
			"->sk = 0x%" PRIx64 " (family %d)", s->socket,
			or_q(kt_socket_state_name(s->state)), s->type,
			or_q(kt_socket_type_name(s->type)), s->sk, s->family);
	kt_finding_step(out, f, "file 0x%" PRIx64 " (f_count %" PRId64 ") is "
			"in none of the %zu fd tables of the %zu tasks "
			"(task->files->fdt->fd[])", o->file, o->f_count,
			r->fds.ntables, r->fds.ntasks);
}

/* The search's view: who references the socket or its file. */
static void steps_holders(struct kt_findings *out, struct kt_finding *f,
			  const struct orphan *o)
{
	if (!o->searched) {
		kt_finding_step(out, f, "the search of memory for 0x%" PRIx64
				" and 0x%" PRIx64 " failed: no holder named",
				o->socket, o->file);
		return;
	}
	for (size_t i = 0; i < o->nholders; i++) {
		const struct holder_ref *h = &o->holders[i];

		kt_finding_step(out, f, "search: 0x%" PRIx64 " (%s) holds "
				"the %s 0x%" PRIx64, h->addr, h->brief,
				h->is_file ? "file" : "socket",
				h->is_file ? o->file : o->socket);
		kt_finding_ref_address(out, f, "holder", h->base, NULL);
	}
	char tasks[256];
	size_t used = 0;

	tasks[0] = '\0';
	for (size_t i = 0; i < o->nstacks && used + 1 < sizeof(tasks); i++)
		used += snprintf(tasks + used, sizeof(tasks) - used,
				 "%s%s pid %d", i ? ", " : " (locals, maybe "
				 "stale: ", o->stacks[i].comm,
				 o->stacks[i].pid);
	if (o->nstacks && used + 1 < sizeof(tasks))
		snprintf(tasks + used, sizeof(tasks) - used, ")");
	kt_finding_step(out, f, "search for the socket and the file (kernel "
			"addresses, 8-byte words): %zu holding slab "
			"object(s) besides the socket's own file, inode and "
			"sock; %zu word(s) on task stacks%s; %zu in free "
			"objects%s", o->nholders, o->nstack, tasks, o->nstale,
			o->more ? "; more hits past the limit" : "");
}

static void explain_socket(struct kt_findings *out, struct kt_finding *f,
			   const struct kt_socket *s)
{
	if (s->path)
		kt_finding_explain(out, f, "It is bound to %s.", s->path);
	kt_finding_ref_address(out, f, "socket", s->socket, "struct socket *");
	kt_finding_ref_address(out, f, "file", s->file, "struct file *");
	kt_finding_ref_address(out, f, "sk", s->sk, "struct sock *");
}

static void report_nbd_orphan(struct kt_findings *out, const struct run *r,
			      const struct orphan *o, const struct nbd_conn *nc)
{
	const struct nbd *n = &nc->n;
	const struct conn *c = &nc->c;
	struct kt_finding *f;

	f = kt_finding_add(out, PLUGIN, KT_SEV_WARNING, "0x%" PRIx64, o->file);
	if (!f)
		return;
	kt_finding_kind(f, "kernel-held-socket");
	kt_finding_title(out, f, "%s socks[%d]%s: socket 0x%" PRIx64 " is "
			 "held only by the kernel (file 0x%" PRIx64 " is in "
			 "no task's fd table)", n->name, c->i,
			 c->dead ? " (dead)" : "", o->socket, o->file);
	kt_finding_explain(out, f, "The struct file of this %s %s socket "
			   "is referenced by %s's nbd_config->socks[%d] but "
			   "by none of the %zu tasks' fd tables, so no "
			   "process can close, reconnect or serve it: only "
			   "the nbd driver keeps it alive, and `foreach "
			   "files` will not find it.",
			   or_q(kt_socket_family_name(c->s.family)),
			   or_q(kt_socket_type_name(c->s.type)),
			   n->name, c->i, r->fds.ntasks);
	explain_socket(out, f, &c->s);
	kt_finding_ref_address(out, f, "nbd_sock", c->nsock,
			       "struct nbd_sock *");
	kt_finding_ref_address(out, f, "nbd_config", n->config,
			       "struct nbd_config *");
	steps_socket(out, f, r, o, &c->s);
	kt_finding_step(out, f, "nbd_index_idr[%d] = nbd_device 0x%" PRIx64
			" (%s); ->config = 0x%" PRIx64 "; ->socks[%d] = "
			"nbd_sock 0x%" PRIx64 " (dead = %d), whose ->sock is "
			"this socket", n->index, n->dev, n->name, n->config,
			c->i, c->nsock, c->dead);
	steps_holders(out, f, o);
	explain_peer(out, f, r, &c->s);
}

static void report_orphan(struct kt_program *prog, struct kt_findings *out,
			  const struct run *r, const struct orphan *o)
{
	struct kt_socket s;
	struct kt_finding *f;
	char who[512];
	size_t used = 0;

	(void)kt_error_catch_any(kt_socket_read(prog, o->socket, &s));
	f = kt_finding_add(out, PLUGIN, KT_SEV_WARNING, "0x%" PRIx64, o->file);
	if (!f)
		goto out;
	kt_finding_kind(f, "kernel-held-socket");
	who[0] = '\0';
	for (size_t i = 0; i < o->nholders && used + 1 < sizeof(who); i++)
		used += snprintf(who + used, sizeof(who) - used, "%s0x%" PRIx64
				 " (%s)", i ? ", " : "", o->holders[i].base,
				 o->holders[i].brief);
	kt_finding_title(out, f, "%s %s socket 0x%" PRIx64 " is held only by "
			 "the kernel (file 0x%" PRIx64 " is in no task's fd "
			 "table)%s%s", or_q(kt_socket_family_name(s.family)),
			 or_q(kt_socket_type_name(s.type)), o->socket, o->file,
			 o->nholders ? "; held by " : "",
			 o->nholders ? o->holders[0].brief : "");
	kt_finding_explain(out, f, "This socket has a struct file, so it was "
			   "opened for a process, but none of the %zu tasks' "
			   "fd tables holds that file any more: whatever "
			   "keeps it alive is inside the kernel, and no "
			   "process can close or serve it. %s%s%s",
			   r->fds.ntasks, o->nholders ?
			   "Kernel objects that reference it: " :
			   "The search found no slab object that references "
			   "it besides its own file, inode and sock.",
			   who, o->nholders ? "." : "");
	if (o->f_count == 0)
		kt_finding_explain(out, f, "Its f_count is 0: the file was "
				   "being released (__fput()) when the dump "
				   "was taken, which can explain a socket "
				   "without an fd for a moment.");
	if (r->nbd_why[0])
		kt_finding_explain(out, f, "nbd is loaded but its devices were "
				   "not checked: %s.", r->nbd_why);
	explain_socket(out, f, &s);
	steps_socket(out, f, r, o, &s);
	steps_holders(out, f, o);
	explain_peer(out, f, r, &s);
out:
	kt_socket_deinit(&s);
}

/* Tasks whose fd table holds the block device @devt (nbd0's readers). */
static void ref_device_users(struct kt_program *prog, struct kt_findings *out,
			     struct kt_finding *f, const struct run *r,
			     const struct nbd *n)
{
	uint64_t inode_off, rdev_off, mode_off, inode;
	const struct kt_task *last = NULL;
	uint32_t rdev;
	uint16_t mode;
	size_t users = 0;

	if (!n->devt ||
	    kt_error_catch_any(kt_type_member_offset(prog, "struct file",
						     "f_inode", &inode_off)) ||
	    kt_error_catch_any(kt_type_member_offset(prog, "struct inode",
						     "i_rdev", &rdev_off)) ||
	    kt_error_catch_any(kt_type_member_offset(prog, "struct inode",
						     "i_mode", &mode_off)))
		return;
	for (size_t i = 0; i < r->fds.n; i++) {
		const struct holder *h = &r->fds.v[i];

		if (h->task == last ||
		    kt_error_catch_any(kt_read_u64(prog, h->file + inode_off,
						   &inode)) ||
		    kt_error_catch_any(kt_read_u16(prog, inode + mode_off,
						   &mode)) ||
		    kt_file_type_of_mode(mode) != KT_FILE_BLK ||
		    kt_error_catch_any(kt_read_u32(prog, inode + rdev_off,
						   &rdev)) ||
		    rdev != n->devt)
			continue;
		last = h->task;
		users++;
		kt_finding_ref_task(out, f, h->task->st[0] == 'U' ?
				    "blocked task with it open" :
				    "task with it open", h->task->pid,
				    h->task->addr);
	}
	if (users)
		kt_finding_step(out, f, "%zu task(s) have the device open "
				"(a file whose inode is a block device with "
				"i_rdev = 0x%x)", users, n->devt);
}

static void report_device(struct kt_program *prog, struct kt_findings *out,
			  const struct run *r, const struct nbd *n,
			  const struct conn *c, int nconn)
{
	struct kt_finding *f;
	char flags[160];
	int dead = 0;

	for (int i = 0; i < nconn; i++)
		dead += c[i].dead;
	if (n->num == n->live && !dead)
		return;
	f = kt_finding_add(out, PLUGIN, KT_SEV_ERROR, "nbd:0x%" PRIx64,
			   n->dev);
	if (!f)
		return;
	kt_finding_kind(f, "dead-connection-kept");
	runtime_flags_text(n->runtime_flags, flags, sizeof(flags));
	kt_finding_title(out, f, "%s: num_connections %d but "
			 "live_connections %d; %d dead sock(s) still in "
			 "socks[]", n->name, n->num, n->live, dead);
	kt_finding_explain(out, f, "nbd marks a connection dead "
			   "(nbd_mark_nsock_dead(), from sock_shutdown() or "
			   "a failed send/receive) and decrements "
			   "live_connections, but leaves it in socks[]; "
			   "NBD_SET_SOCK only appends. A config whose "
			   "connection counts disagree was shut down and "
			   "then given new sockets, or lost a connection: "
			   "I/O can still be routed to the live socks, and "
			   "if nobody answers on them, readers of %s hang in "
			   "D state. runtime_flags = 0x%" PRIx64 " (%s).",
			   n->name, n->runtime_flags, flags);
	kt_finding_ref_address(out, f, "nbd_device", n->dev,
			       "struct nbd_device *");
	kt_finding_ref_address(out, f, "nbd_config", n->config,
			       "struct nbd_config *");
	kt_finding_step(out, f, "nbd_index_idr[%d] = nbd_device 0x%" PRIx64
			" (%s); ->config = 0x%" PRIx64 ": num_connections = "
			"%d, live_connections = %d, runtime_flags = 0x%"
			PRIx64, n->index, n->dev, n->name, n->config, n->num,
			n->live, n->runtime_flags);
	for (int i = 0; i < nconn; i++) {
		kt_finding_step(out, f, "socks[%d] = nbd_sock 0x%" PRIx64
				": %s, sock = 0x%" PRIx64, i, c[i].nsock,
				c[i].unreadable ? "unreadable" :
				c[i].dead ? "dead = 1" : "dead = 0",
				c[i].s.socket);
		if (c[i].dead)
			kt_finding_ref_address(out, f, "dead nbd_sock",
					       c[i].nsock,
					       "struct nbd_sock *");
	}
	ref_device_users(prog, out, f, r, n);
}

static struct kt_error *read_conn(struct kt_program *prog,
				  const struct nbd *n, int i, struct conn *c)
{
	uint64_t sock, dead_off;
	uint8_t dead = 0;
	struct kt_error *err;

	c->i = i;
	err = kt_read_u64(prog, n->socks + 8ULL * i, &c->nsock);
	if (!err)
		err = member_u64(prog, c->nsock, "struct nbd_sock", "sock",
				 &sock);
	if (!err)
		err = offset_of(prog, "struct nbd_sock", "dead", &dead_off);
	if (!err)
		err = kt_read_u8(prog, c->nsock + dead_off, &dead);
	c->dead = dead;
	if (!err)
		err = kt_socket_read(prog, sock, &c->s);
	return err ? kt_error_wrap(err, "%s socks[%d]", n->name, i) : NULL;
}

/* Keep a readable connection: an orphan it holds is named after it. */
static bool keep_conn(struct run *r, const struct nbd *n,
		      const struct conn *c)
{
	if (r->nconns == r->conns_cap) {
		size_t cap = r->conns_cap ? r->conns_cap * 2 : 8;
		struct nbd_conn *v = realloc(r->conns, cap * sizeof(*v));

		if (!v)
			return false;
		r->conns = v;
		r->conns_cap = cap;
	}
	r->conns[r->nconns++] = (struct nbd_conn){ *n, *c };
	return true;
}

static struct kt_error *nbd_visit(struct kt_program *prog, uint64_t index,
				  uint64_t dev, void *arg)
{
	struct run *r = arg;
	struct nbd n = { .dev = dev };
	struct kt_error *err;
	struct conn *c;
	int nconn;

	(void)index;	// nbd_device->index names the device
	err = nbd_read(prog, dev, &n);
	if (err)
		return kt_error_wrap(err, "nbd_device 0x%" PRIx64, dev);
	if (!n.config || n.num <= 0 || !n.socks)
		return NULL;
	if (!n.name[0])
		snprintf(n.name, sizeof(n.name), "nbd%d", n.index);
	nconn = n.num < NBD_MAX_SOCKS ? n.num : NBD_MAX_SOCKS;
	c = calloc(nconn, sizeof(*c));
	if (!c)
		return &kt_error_nomem;
	for (int i = 0; i < nconn; i++) {
		// A sock that cannot be read is reported as such by
		// report_device(); the others still count.
		c[i].unreadable = kt_error_catch_any(read_conn(prog, &n, i,
							      &c[i]));
	}
	report_device(prog, r->out, r, &n, c, nconn);
	for (int i = 0; i < nconn; i++) {
		// A kept socket's strings are owned by r->conns now.
		if (!c[i].unreadable && c[i].s.socket &&
		    keep_conn(r, &n, &c[i]))
			c[i].s = (struct kt_socket){ 0 };
		kt_socket_deinit(&c[i].s);
	}
	free(c);
	return NULL;
}

/*
 * The nbd devices, when nbd is loaded with its debuginfo. nbd's types
 * come from nbd.ko's debuginfo only: the vmlinux lacks them, and a type
 * looked up in all of its DWARF first costs seconds.
 */
static struct kt_error *nbd_walk(struct kt_program *prog, struct run *r)
{
	static const char *const nbd_types[][2] = {
		{ "struct nbd_config", "socks" },
		{ "struct nbd_device", "config" },
		{ "struct nbd_sock", "dead" },
	};
	struct kt_member m;
	uint64_t idr;

	if (kt_error_catch_any(kt_symbol_address(prog, "nbd_index_idr", &idr)))
		return NULL;	// nbd is not loaded
	for (size_t i = 0; i < 3; i++) {
		struct kt_error *err = kt_module_type_member(prog, "nbd",
			nbd_types[i][0], nbd_types[i][1], &m);

		if (!err)
			continue;
		snprintf(r->nbd_why, sizeof(r->nbd_why), "%s is not in the "
			 "debuginfo (give nbd.ko with -m DIR): %s",
			 nbd_types[i][0], err->message);
		kt_error_destroy(err);
		return NULL;
	}
	r->nbd_walked = true;
	return idr_walk(prog, idr, nbd_visit, r);
}

/* ---- every socket ---- */

/*
 * What sock_alloc_inode() allocates: a struct socket_alloc, or (7.x) a
 * struct sockfs_inode holding one after its xattrs. The cache's object
 * size tells when to look for the latter.
 */
static struct kt_error *sock_layout_load(struct kt_program *prog,
					 struct sock_layout *l,
					 uint64_t object_size)
{
	const char *type = "struct socket_alloc";
	struct kt_error *err;
	uint64_t size;

	kt_type_hint(prog, "sock_alloc");	// struct socket_alloc's file
	err = kt_type_size(prog, type, &size);
	if (!err && size != object_size &&
	    !kt_error_catch_any(kt_type_size(prog, "struct sockfs_inode",
					     &size)) && size == object_size)
		type = "struct sockfs_inode";
	if (!err)
		err = kt_type_member_offset(prog, type, "socket", &l->sa_socket);
	if (!err)
		err = kt_type_member_offset(prog, type, "vfs_inode",
					    &l->sa_inode);
	if (!err)
		err = kt_type_member_offset(prog, "struct inode", "i_mode",
					    &l->i_mode);
	if (!err)
		err = kt_type_member_offset(prog, "struct socket", "file",
					    &l->s_file);
	if (!err)
		err = kt_type_member_offset(prog, "struct file", "private_data",
					    &l->f_private);
	// "fs: add file_ref" (6.13) made f_count an f_ref that holds the
	// count minus one, with the high values meaning released.
	l->f_ref = !kt_type_has_member(prog, "struct file", "f_count");
	if (!err)
		err = kt_type_member_offset(prog, "struct file", l->f_ref ?
					    "f_ref.refcnt.counter" :
					    "f_count.counter", &l->f_count);
	return err;
}

static bool add_orphan(struct run *r, const struct orphan *o)
{
	if (r->norphans == r->orphans_cap) {
		size_t cap = r->orphans_cap ? r->orphans_cap * 2 : 8;
		struct orphan *v = realloc(r->orphans, cap * sizeof(*v));

		if (!v)
			return false;
		r->orphans = v;
		r->orphans_cap = cap;
	}
	r->orphans[r->norphans++] = *o;
	return true;
}

/*
 * One allocated sock_inode_cache object. A merged cache holds other
 * objects too, and sockfs's root inode is a directory: take only an
 * S_IFSOCK inode whose socket's file points back at the socket.
 */
static struct kt_error *sock_visit(struct kt_program *prog, uint64_t obj,
				   enum kt_slab_state state, void *arg)
{
	struct run *r = arg;
	const struct sock_layout *l = &r->l;
	struct orphan o = { .obj = obj, .state = state };
	uint64_t priv;
	uint16_t mode;

	r->nobjects++;
	o.socket = obj + l->sa_socket;
	if (kt_error_catch_any(kt_read_u16(prog, obj + l->sa_inode + l->i_mode,
					   &mode)) ||
	    kt_file_type_of_mode(mode) != KT_FILE_SOCK ||
	    kt_error_catch_any(kt_read_u64(prog, o.socket + l->s_file,
					   &o.file)))
		return NULL;
	if (!o.file) {
		r->nkernel++;	// sock_create_kern(): never had a file
		return NULL;
	}
	if (kt_error_catch_any(kt_read_u64(prog, o.file + l->f_private,
					   &priv)) || priv != o.socket)
		return NULL;
	r->nsockets++;
	if (kt_addrset_has(&r->fds.files, o.file))
		return NULL;
	if (kt_error_catch_any(kt_read_u64(prog, o.file + l->f_count,
					   (uint64_t *)&o.f_count)))
		o.f_count = -1;
	else if (l->f_ref)
		o.f_count = (uint64_t)o.f_count >= FILE_REF_RELEASED ? 0 :
			    o.f_count + 1;
	return add_orphan(r, &o) ? NULL : &kt_error_nomem;
}

/* One search hit: a holder of @o, or one of its own objects, or noise. */
static void file_hit(struct kt_program *prog, struct orphan *o,
		     const struct kt_search_hit *h, uint64_t sk)
{
	struct kt_owner ow;
	const struct kt_owner_id *id;
	struct holder_ref *ref;
	bool live;

	// Slab objects are in the direct map; stacks in vmalloc space. The
	// image and vmemmap aliases of the same words say nothing more.
	if ((h->space != KT_SPACE_DIRECT && h->space != KT_SPACE_VMALLOC) ||
	    kt_error_catch_any(kt_owner_identify(prog, h->addr, &ow)) || !ow.n)
		return;
	id = &ow.ids[0];
	if (id->kind == KT_OWNER_STACK) {
		size_t i = 0;

		o->nstack++;
		while (i < o->nstacks && o->stacks[i].pid != id->pid)
			i++;
		if (i == o->nstacks && i < MAX_STACKS) {
			o->stacks[i].pid = id->pid;
			snprintf(o->stacks[i].comm, sizeof(o->stacks[i].comm),
				 "%s", id->name);
			o->nstacks++;
		}
		return;
	}
	if (id->kind != KT_OWNER_SLAB)
		return;
	// The socket's own: file->private_data, socket->file, sk->sk_socket.
	if (id->base == o->obj || id->base == o->file || (sk && id->base == sk))
		return;
	if (id->state == KT_SLAB_FREE) {
		o->nstale++;
		return;
	}
	// A slot of a SLUB sheaf (free objects): a live one would make the
	// file free, a slot past its size is left over from a reuse.
	if (kt_slab_sheaf_slot(prog, id->base, h->addr, &live)) {
		o->nstale += !live;
		return;
	}
	if (o->nholders == MAX_HOLDERS)
		return;
	ref = &o->holders[o->nholders++];
	ref->addr = h->addr;
	ref->base = id->base;
	ref->is_file = h->value == o->file;
	kt_owner_format(&ow, ref->brief, sizeof(ref->brief));
}

/* The sock of @socket, to tell sk->sk_socket from a holder. */
static uint64_t sock_sk(struct kt_program *prog, uint64_t socket)
{
	uint64_t off, sk = 0;

	if (!kt_type_member_offset(prog, "struct socket", "sk", &off))
		kt_error_catch_any(kt_read_u64(prog, socket + off, &sk));
	return sk;
}

/* Reverse references of up to SEARCH_BATCH orphans, in one scan. */
static void search_batch(struct kt_program *prog, struct orphan *o,
			 size_t n)
{
	uint64_t also[KT_SEARCH_MAX_VALUES], sk[SEARCH_BATCH];
	struct kt_search_options opt = {
		.value = o[0].socket, .also = also, .width = 8,
		.mode = KT_SEARCH_KERNEL, .limit = SEARCH_LIMIT,
	};
	struct kt_search_result res;

	also[opt.nalso++] = o[0].file;
	for (size_t i = 1; i < n; i++) {
		also[opt.nalso++] = o[i].socket;
		also[opt.nalso++] = o[i].file;
	}
	if (kt_error_catch_any(kt_search(prog, &opt, &res)))
		return;
	for (size_t i = 0; i < n; i++) {
		o[i].searched = true;
		o[i].more = res.more;
		sk[i] = sock_sk(prog, o[i].socket);
	}
	for (size_t j = 0; j < res.n; j++)
		for (size_t i = 0; i < n; i++)
			if (res.hits[j].value == o[i].socket ||
			    res.hits[j].value == o[i].file)
				file_hit(prog, &o[i], &res.hits[j], sk[i]);
	kt_search_result_deinit(&res);
}

static const struct nbd_conn *nbd_conn_of(const struct run *r,
					  const struct orphan *o)
{
	for (size_t i = 0; i < r->nconns; i++)
		if (r->conns[i].c.s.socket == o->socket)
			return &r->conns[i];
	return NULL;
}

static struct kt_error *sockets_walk(struct kt_program *prog, struct run *r)
{
	const struct kt_slab_cache *cache;
	struct kt_error *err;

	cache = kt_slab_cache_by_name(prog, "sock_inode_cache");
	if (!cache)
		return kt_error_create(KT_ERR_LOOKUP, "no slab cache "
				       "sock_inode_cache");
	err = sock_layout_load(prog, &r->l, cache->object_size);
	if (!err)
		err = kt_slab_for_each_object(prog, cache, sock_visit, r,
					      &r->nslabs);
	if (err)
		return kt_error_wrap(err, "sockets");
	for (size_t i = 0; i < r->norphans; i += SEARCH_BATCH) {
		size_t n = r->norphans - i;

		search_batch(prog, &r->orphans[i],
			     n < SEARCH_BATCH ? n : SEARCH_BATCH);
	}
	for (size_t i = 0; i < r->norphans; i++) {
		const struct nbd_conn *nc = nbd_conn_of(r, &r->orphans[i]);

		if (nc)
			report_nbd_orphan(r->out, r, &r->orphans[i], nc);
		else
			report_orphan(prog, r->out, r, &r->orphans[i]);
	}
	return NULL;
}

static struct kt_error *orphan_sockets_run(struct kt_program *prog,
					   struct kt_findings *out)
{
	struct run r = { .out = out };
	struct kt_error *err;

	err = fdmap_load(prog, &r.fds);
	if (err)
		err = kt_error_wrap(err, "fd tables");
	if (!err)
		err = nbd_walk(prog, &r);
	if (!err)
		err = sockets_walk(prog, &r);
	fdmap_deinit(&r.fds);
	for (size_t i = 0; i < r.nconns; i++)
		kt_socket_deinit(&r.conns[i].c.s);
	free(r.conns);
	free(r.orphans);
	return err;
}

/* Types the vmlinux DWARF gives at once; the AF_UNIX ones come later, with
 * a hint (kt_type_hint()), and only for a dump with orphans. */
static const char *const needs_types[] = {
	"struct socket",
	NULL,
};

const struct kt_plugin kt_plugin_orphan_sockets = {
	.name = PLUGIN,
	.summary = "sockets with a file in no task's fd table (held only by "
		   "the kernel), their holders; nbd devices with dead "
		   "connections",
	.types = needs_types,
	.run = orphan_sockets_run,
};
