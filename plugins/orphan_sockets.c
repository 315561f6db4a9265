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
 * The holders known here are nbd devices: nbd_index_idr -> nbd_device ->
 * config -> socks[num_connections] -> sock -> file, checked against every
 * task's fd table. (sockfs inodes are on no superblock list, since
 * sock_alloc() uses new_inode_pseudo(), so sockets cannot be enumerated
 * from their superblock.)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/files.h"
#include "core/list.h"
#include "core/module.h"
#include "core/program.h"
#include "core/task.h"
#include "plugins/plugin.h"

#define PLUGIN "orphan_sockets"
/* More connections than this is a corrupt config, not a real device. */
#define NBD_MAX_SOCKS 4096
/* xarray nodes visited before the idr walk gives up. */
#define XA_MAX_NODES 4096
#define XA_CHUNK 64

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

struct run {
	struct kt_findings *out;
	struct fdmap fds;
	bool fds_loaded;
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

/* One connection: nbd_config->socks[i]. */
struct conn {
	int i;
	uint64_t nsock;		/* struct nbd_sock */
	bool dead;
	bool orphan;		/* its file is in no fd table */
	bool unreadable;	/* nbd_sock or socket could not be read */
	struct kt_socket s;
};

static void ref_holder(struct kt_findings *out, struct kt_finding *f,
		       const char *label, const struct holder *h)
{
	if (h)
		kt_finding_ref_task(out, f, label, h->task->pid,
				    h->task->addr);
}

static void explain_peer(struct kt_findings *out, struct kt_finding *f,
			 const struct run *r, const struct conn *c)
{
	const struct holder *h = c->s.peer_file ?
		fdmap_find(&r->fds, c->s.peer_file, 0) : NULL;

	if (!c->s.peer) {
		kt_finding_explain(out, f, "It has no unix peer.");
		return;
	}
	kt_finding_ref_address(out, f, "peer sock", c->s.peer,
			       "struct sock *");
	kt_finding_step(out, f, "unix_sock(sk)->peer = 0x%" PRIx64
			"; peer->sk_socket = 0x%" PRIx64 ", its file 0x%"
			PRIx64, c->s.peer, c->s.peer_socket, c->s.peer_file);
	if (!c->s.peer_socket) {
		kt_finding_explain(out, f, "Its peer sock 0x%" PRIx64 " has "
				   "been closed (peer->sk_socket is NULL): "
				   "nobody can ever answer on it.", c->s.peer);
		return;
	}
	if (h) {
		kt_finding_explain(out, f, "Its peer is open as fd %d of "
				   "%s (pid %d): that process is the other "
				   "end the kernel waits on.", h->fd,
				   h->task->comm, h->task->pid);
		ref_holder(out, f, "peer held by", h);
		kt_finding_step(out, f, "the peer's file 0x%" PRIx64 " is fd "
				"%d of pid %d", c->s.peer_file, h->fd,
				h->task->pid);
	} else {
		kt_finding_explain(out, f, "Its peer's file 0x%" PRIx64
				   " is in no task's fd table either.",
				   c->s.peer_file);
	}
	if (c->s.peer_path)
		kt_finding_explain(out, f, "The peer is bound to %s.",
				   c->s.peer_path);
}

static void report_orphan(struct kt_findings *out, const struct run *r,
			  const struct nbd *n, const struct conn *c)
{
	struct kt_finding *f;

	f = kt_finding_add(out, PLUGIN, KT_SEV_WARNING, "0x%" PRIx64,
			   c->s.file);
	if (!f)
		return;
	kt_finding_title(out, f, "%s socks[%d]%s: socket 0x%" PRIx64 " is "
			 "held only by the kernel (file 0x%" PRIx64 " is in "
			 "no task's fd table)", n->name, c->i,
			 c->dead ? " (dead)" : "", c->s.socket, c->s.file);
	kt_finding_explain(out, f, "The struct file of this %s %s socket "
			   "is referenced by %s's nbd_config->socks[%d] but "
			   "by none of the %zu tasks' fd tables, so no "
			   "process can close, reconnect or serve it: only "
			   "the nbd driver keeps it alive, and `foreach "
			   "files` will not find it.",
			   kt_socket_family_name(c->s.family) ?
			   kt_socket_family_name(c->s.family) : "?",
			   kt_socket_type_name(c->s.type) ?
			   kt_socket_type_name(c->s.type) : "?",
			   n->name, c->i, r->fds.ntasks);
	if (c->s.path)
		kt_finding_explain(out, f, "It is bound to %s.", c->s.path);
	kt_finding_ref_address(out, f, "socket", c->s.socket,
			       "struct socket *");
	kt_finding_ref_address(out, f, "file", c->s.file, "struct file *");
	kt_finding_ref_address(out, f, "sk", c->s.sk, "struct sock *");
	kt_finding_ref_address(out, f, "nbd_sock", c->nsock,
			       "struct nbd_sock *");
	kt_finding_ref_address(out, f, "nbd_config", n->config,
			       "struct nbd_config *");
	kt_finding_step(out, f, "nbd_index_idr[%d] = nbd_device 0x%" PRIx64
			" (%s); ->config = 0x%" PRIx64 "; ->socks[%d] = "
			"nbd_sock 0x%" PRIx64 " (dead = %d)", n->index, n->dev,
			n->name, n->config, c->i, c->nsock, c->dead);
	kt_finding_step(out, f, "nbd_sock->sock = socket 0x%" PRIx64 " (%s, "
			"type %d = %s); ->file = 0x%" PRIx64 "; ->sk = 0x%"
			PRIx64 " (family %d)", c->s.socket,
			kt_socket_state_name(c->s.state) ?
			kt_socket_state_name(c->s.state) : "?", c->s.type,
			kt_socket_type_name(c->s.type) ?
			kt_socket_type_name(c->s.type) : "?",
			c->s.file, c->s.sk, c->s.family);
	kt_finding_step(out, f, "file 0x%" PRIx64 " is in none of the %zu fd "
			"tables of the %zu tasks (task->files->fdt->fd[])",
			c->s.file, r->fds.ntables, r->fds.ntasks);
	explain_peer(out, f, r, c);
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
	if (!r->fds_loaded) {
		r->fds_loaded = true;
		err = fdmap_load(prog, &r->fds);
		if (err)
			return kt_error_wrap(err, "fd tables");
	}
	c = calloc(nconn, sizeof(*c));
	if (!c)
		return &kt_error_nomem;
	for (int i = 0; i < nconn; i++) {
		// A sock that cannot be read is reported as such by
		// report_device(); the others still count.
		c[i].unreadable = kt_error_catch_any(read_conn(prog, &n, i,
							      &c[i]));
		c[i].orphan = !c[i].unreadable && c[i].s.file &&
			      !kt_addrset_has(&r->fds.files, c[i].s.file);
		if (c[i].orphan)
			report_orphan(r->out, r, &n, &c[i]);
	}
	report_device(prog, r->out, r, &n, c, nconn);
	for (int i = 0; i < nconn; i++)
		kt_socket_deinit(&c[i].s);
	free(c);
	return NULL;
}

static struct kt_error *orphan_sockets_run(struct kt_program *prog,
					   struct kt_findings *out)
{
	struct run r = { .out = out };
	struct kt_error *err;
	uint64_t idr;

	err = kt_symbol_address(prog, "nbd_index_idr", &idr);
	if (!err)
		err = idr_walk(prog, idr, nbd_visit, &r);
	if (r.fds_loaded)
		fdmap_deinit(&r.fds);
	return err;
}

/*
 * nbd's types are checked here, in nbd.ko's debuginfo, and not in
 * ->types: the runner looks a type up in all of the vmlinux DWARF before
 * the modules' (seconds, for a type vmlinux lacks), and ->symbols, checked
 * first, already skips a kernel without nbd loaded.
 */
static const char *orphan_sockets_applies(struct kt_program *prog,
					  char *why, size_t len)
{
	static const char *const nbd_types[][2] = {
		{ "struct nbd_config", "socks" },
		{ "struct nbd_device", "config" },
		{ "struct nbd_sock", "dead" },
	};
	const struct kt_module_list *mods;
	struct kt_member m;
	size_t used;

	for (size_t i = 0; i < 3; i++) {
		struct kt_error *err = kt_module_type_member(prog, "nbd",
			nbd_types[i][0], nbd_types[i][1], &m);

		if (!err)
			continue;
		kt_error_destroy(err);
		// The runner's words for a type that is missing.
		used = snprintf(why, len, "%s is not in the debuginfo",
				nbd_types[i][0]);
		if (kt_error_catch_any(kt_modules_load(prog, &mods)))
			return why;
		for (unsigned j = 0, n = 0; j < mods->n && used + 1 < len;
		     j++) {
			if (mods->mods[j].dwarf)
				continue;
			used += snprintf(why + used, len - used, "%s%.40s",
					 n++ ? ", " : " (modules without "
					 "debuginfo: ", mods->mods[j].name);
		}
		if (used + 1 < len && strchr(why, '('))
			snprintf(why + used, len - used,
				 "; give their .ko with -m DIR)");
		return why;
	}
	return NULL;
}

/* Types the vmlinux DWARF gives at once; the AF_UNIX ones come later, with
 * a hint (kt_type_hint()), and only for a dump with nbd sockets. */
static const char *const needs_types[] = {
	"struct socket",
	NULL,
};

static const char *const needs_symbols[] = {
	"nbd_index_idr",
	NULL,
};

const struct kt_plugin kt_plugin_orphan_sockets = {
	.name = PLUGIN,
	.summary = "sockets held only by the kernel (nbd), and nbd devices "
		   "with dead connections",
	.types = needs_types,
	.symbols = needs_symbols,
	.applies = orphan_sockets_applies,
	.run = orphan_sockets_run,
};
