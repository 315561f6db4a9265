# SPDX-License-Identifier: GPL-2.0-or-later
"""Oracle: every task's open files, as drgn sees them, for `files`.

Run under the drgn CLI (drgn 0.0.22, Debian python3-drgn):

    drgn -q -c DUMP -s VMLINUX -s ktscen.ko -s null_blk.ko -s nbd.ko \\
        files.py DUMP OUT.files.json        # "-" for OUT = stdout

For each task of for_each_task(): pid, task, comm, d_path() of its root and
cwd, and for_each_file(): fd, file, dentry, inode, i_mode and d_path(). For
a socket inode also SOCKET_I(inode) (container_of socket_alloc), its sk,
sk_family and, for AF_UNIX, unix_sock->peer.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True

from drgn import FaultError, container_of  # noqa: E402
from drgn.helpers.linux.fs import d_path, for_each_file  # noqa: E402
from drgn.helpers.linux.pid import for_each_task  # noqa: E402

from jsonout import dumps_compact  # noqa: E402

S_IFMT = 0o170000
TYPES = {0o100000: "REG", 0o040000: "DIR", 0o020000: "CHR", 0o060000: "BLK",
         0o140000: "SOCK", 0o010000: "FIFO", 0o120000: "LNK"}


def hx(v):
    return "0x%016x" % v


def path_text(path):
    try:
        return d_path(path).decode("latin-1")
    except FaultError:
        return None


def socket_facts(inode):
    sock = container_of(inode, "struct socket_alloc", "vfs_inode").socket
    out = {"socket": hx(sock.address_), "sk": hx(sock.sk.value_())}
    if sock.sk:
        fam = sock.sk.__sk_common.skc_family.value_()
        out["family"] = fam
        if fam == 1:
            u = container_of(sock.sk, "struct unix_sock", "sk")
            out["peer"] = hx(u.peer.value_())
    return out


def file_facts(fd, f):
    inode = f.f_inode
    mode = inode.i_mode.value_()
    out = {"fd": fd, "file": hx(f.value_()),
           "dentry": hx(f.f_path.dentry.value_()),
           "inode": hx(inode.value_()), "mode": mode,
           "type": TYPES.get(mode & S_IFMT, "?"),
           "path": path_text(f.f_path.address_of_())}
    if out["type"] == "SOCK":
        out["socket"] = socket_facts(inode)
    return out


def main():
    out_path = sys.argv[2] if len(sys.argv) > 2 else "-"
    tasks = []
    for t in for_each_task(prog):  # noqa: F821 - the drgn CLI's global
        item = {"pid": t.pid.value_(), "task": hx(t.value_()),
                "comm": t.comm.string_().decode("latin-1"), "files": []}
        if t.fs:
            item["root"] = path_text(t.fs.root.address_of_())
            item["cwd"] = path_text(t.fs.pwd.address_of_())
        if t.files:
            item["files"] = [file_facts(fd, f) for fd, f in for_each_file(t)]
        tasks.append(item)
    tasks.sort(key=lambda x: (x["pid"], x["task"]))
    text = dumps_compact({"schema": 1, "tasks": tasks}, ["tasks"])
    if out_path == "-":
        sys.stdout.write(text)
    else:
        with open(out_path, "w") as fp:
            fp.write(text)


main()
