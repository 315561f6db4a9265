# SPDX-License-Identifier: GPL-2.0-or-later
# drgn's side of the `foreach files` job: every task's root, cwd and open
# files with their paths (d_path), as ktriage and crash print them.
from drgn.helpers.linux.fs import d_path, for_each_file
from drgn.helpers.linux.pid import for_each_task


def path(p):
    try:
        return d_path(p).decode(errors="replace")
    except Exception:
        return "?"


for t in for_each_task(prog):
    print("PID:", t.pid.value_(), t.comm.string_().decode(errors="replace"))
    if not t.files:
        continue
    if t.fs:
        print("ROOT:", path(t.fs.root.address_of_()), "CWD:", path(t.fs.pwd.address_of_()))
    for fd, f in for_each_file(t):
        print(fd, hex(f.value_()), hex(f.f_path.dentry.value_()),
              hex(f.f_inode.value_()), path(f.f_path.address_of_()))
