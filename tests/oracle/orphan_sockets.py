# SPDX-License-Identifier: GPL-2.0-or-later
"""Oracle: nbd connections and which task (if any) holds each socket's file,
for the orphan_sockets plugin.

Run under the drgn CLI (drgn 0.0.22, Debian python3-drgn):

    drgn -q -c DUMP -s VMLINUX -s ktscen.ko -s null_blk.ko -s nbd.ko \\
        orphan_sockets.py DUMP OUT.orphan_sockets.json    # "-" = stdout

Walks nbd_index_idr (idr_for_each) -> struct nbd_device -> config ->
socks[num_connections] -> nbd_sock->sock, and every task's
for_each_file(). When the nbd module is not loaded, "nbd_loaded" is false.

"sockets" lists every allocated struct socket_alloc of sock_inode_cache
(slab_cache_for_each_allocated_object) that has a struct file
(socket->file, whose private_data is the socket and whose inode is a
socket inode), with the fd tables that hold the file. "orphans" lists the
files no fd table holds. "kernel_sockets" counts the sockets without a file
(kernel-internal: netlink, ... ; never orphans).

Where the debuginfo has struct sockfs_inode (7.2: sock_alloc_inode()
allocates one, xattrs before an anonymous struct socket_alloc), the
objects of sock_inode_cache are those and each one's socket_alloc is at
"socket_alloc_offset" in it ("sock_inode_object" names the type; both keys
only there); "not_sockets" lists the objects' addresses. Where struct file
has no f_count (file_ref_t f_ref, which holds the count - 1, or
FILE_REF_RELEASED and above for a released file), "f_count" is
f_ref.refcnt + 1, or 0 when released.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True

from drgn import Object, TypeKind, cast, container_of  # noqa: E402
from drgn.helpers.linux.fs import for_each_file  # noqa: E402
from drgn.helpers.linux.idr import idr_for_each  # noqa: E402
from drgn.helpers.linux.list import list_for_each_entry  # noqa: E402
from drgn.helpers.linux.pid import for_each_task  # noqa: E402
from drgn.helpers.linux.slab import (  # noqa: E402
    find_slab_cache, slab_cache_for_each_allocated_object, slab_cache_is_merged)

from jsonout import dumps_compact  # noqa: E402


def hx(v):
    return "0x%016x" % v


def fd_holders():
    holders = {}
    for t in for_each_task(prog):  # noqa: F821 - the drgn CLI's global
        if not t.files:
            continue
        for fd, f in for_each_file(t):
            holders.setdefault(f.value_(), []).append(
                {"pid": t.pid.value_(), "fd": fd})
    return holders


def sock_facts(i, nsock, holders):
    sock = nsock.sock
    out = {"i": i, "nbd_sock": hx(nsock.value_()), "dead": bool(nsock.dead),
           "socket": hx(sock.value_()), "file": hx(sock.file.value_()),
           "sk": hx(sock.sk.value_()),
           "holders": holders.get(sock.file.value_(), [])}
    u = container_of(sock.sk, "struct unix_sock", "sk")
    peer = u.peer
    out["peer"] = hx(peer.value_())
    if peer:
        ps = peer.sk_socket
        out["peer_socket"] = hx(ps.value_())
        out["peer_file"] = hx(ps.file.value_()) if ps else hx(0)
        out["peer_holders"] = holders.get(ps.file.value_(), []) if ps else []
    return out


def device_facts(index, nbd, holders):
    cfg = nbd.config
    disk = nbd.disk
    out = {"index": index, "nbd_device": hx(nbd.value_()),
           "config": hx(cfg.value_()),
           "name": disk.disk_name.string_().decode("latin-1"),
           "devt": (disk.major.value_() << 20) | disk.first_minor.value_(),
           "socks": []}
    if not cfg:
        return out
    out["num_connections"] = cfg.num_connections.value_()
    out["live_connections"] = cfg.live_connections.counter.value_()
    out["runtime_flags"] = cfg.runtime_flags.value_()
    for i in range(out["num_connections"]):
        out["socks"].append(sock_facts(i, cfg.socks[i], holders))
    return out


def nbd_loaded():
    # drgn resolves nbd_index_idr from nbd.ko even when the module is not
    # loaded (at an unrelocated address): ask the module list instead.
    mods = list_for_each_entry("struct module",
                               prog["modules"].address_of_(), "list")  # noqa: F821
    return any(m.name.string_() == b"nbd" for m in mods)


S_IFMT = 0o170000
S_IFSOCK = 0o140000
FILE_REF_RELEASED = 0xC000000000000000


def sock_object():
    """(type of sock_inode_cache's objects, offset of the struct
    socket_alloc in one): struct sockfs_inode where the debuginfo has one
    holding a struct socket_alloc, else struct socket_alloc itself."""
    try:
        t = prog.type("struct sockfs_inode")  # noqa: F821
    except LookupError:
        return "struct socket_alloc", 0
    for m in t.members:
        mt = m.type
        while mt.kind == TypeKind.TYPEDEF:
            mt = mt.type
        if mt.kind == TypeKind.STRUCT and mt.tag == "socket_alloc":
            return "struct sockfs_inode", m.bit_offset // 8
    raise LookupError("struct sockfs_inode holds no struct socket_alloc")


def file_count(f):
    """f->f_count, or from file_ref_t f_ref (count - 1; released at
    FILE_REF_RELEASED and above: 0)."""
    try:
        return f.f_count.counter.value_()
    except AttributeError:
        ref = f.f_ref.refcnt.counter.value_() & 0xFFFFFFFFFFFFFFFF
        return 0 if ref >= FILE_REF_RELEASED else ref + 1


def all_sockets(holders, res):
    cache = find_slab_cache(prog, "sock_inode_cache")  # noqa: F821
    socks, kernel, other = [], 0, []
    otype, off = sock_object()
    if otype != "struct socket_alloc":
        res["sock_inode_object"] = otype
        res["socket_alloc_offset"] = off
    for obj in slab_cache_for_each_allocated_object(cache, otype):
        sa = Object(prog, "struct socket_alloc", address=obj.value_() + off)  # noqa: F821
        sock = sa.socket
        if (sa.vfs_inode.i_mode.value_() & S_IFMT) != S_IFSOCK:
            other.append(hx(obj.value_()))
            continue
        f = sock.file
        if not f:
            kernel += 1
            continue
        if f.private_data.value_() != sock.address_of_().value_():
            other.append(hx(obj.value_()))
            continue
        sk = sock.sk
        socks.append({"socket": hx(sock.address_of_().value_()),
                      "file": hx(f.value_()),
                      "f_count": file_count(f),
                      "family": sk.__sk_common.skc_family.value_()
                      if sk else -1,
                      "holders": holders.get(f.value_(), [])})
    socks.sort(key=lambda x: x["socket"])
    return socks, kernel, other, bool(slab_cache_is_merged(cache))


def main():
    out_path = sys.argv[2] if len(sys.argv) > 2 else "-"
    res = {"schema": 1, "devices": [], "orphans": []}
    res["nbd_loaded"] = nbd_loaded()
    holders = fd_holders()
    if res["nbd_loaded"]:
        idr = prog["nbd_index_idr"]  # noqa: F821
        for index, p in idr_for_each(idr.address_of_()):
            nbd = cast("struct nbd_device *", p)
            res["devices"].append(device_facts(index, nbd, holders))
    socks, kernel, other, merged = all_sockets(holders, res)
    res["sockets"] = socks
    res["kernel_sockets"] = kernel
    # Allocated objects that are no live socket with a file of its own.
    res["not_sockets"] = other
    res["sock_inode_cache_merged"] = merged
    res["orphans"] = [s["file"] for s in socks if not s["holders"]]
    text = dumps_compact(res, ["devices", "sockets"])
    if out_path == "-":
        sys.stdout.write(text)
    else:
        with open(out_path, "w") as fp:
            fp.write(text)


main()
