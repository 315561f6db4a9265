# SPDX-License-Identifier: GPL-2.0-or-later
"""Oracle for the hung_tasks plugin: drgn's view of every D-state task.

Run under the drgn CLI (drgn 0.0.22, Debian python3-drgn):

    drgn -q -c DUMP -s VMLINUX -s ktscen.ko -s null_blk.ko -s nbd.ko \\
        hung_tasks.py DUMP OUT.hung_tasks.json      # "-" for OUT = stdout

For each task whose __state (state before 5.14) has TASK_UNINTERRUPTIBLE
(0x2) and not TASK_NOLOAD (an idle kthread, "ID"): pid, comm, that state,
its CPU, the
scheduler facts the plugin uses (sched_info.last_arrival, that CPU's
rq->clock, last_switch_time, jiffies), drgn's stack (function names, and
the wait point: the first frame whose pc is outside [__sched_text_start,
__sched_text_end), as the kernel's get_wchan() skips), and the file the
task waits on, found the way a human would with drgn: the first frame
with a `file`, `filp` or `iocb` variable drgn can read, then
file->f_mapping->host as a block device inode (container_of struct
bdev_inode) -> bd_disk->disk_name; and for a task in an rwsem slow path,
its `sem` and the task its owner word names (flags masked). Also
sysctl_hung_task_timeout_secs.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True

from drgn import Object, container_of  # noqa: E402

from common import (  # noqa: E402
    all_tasks, cstr, has_member, hx, note_error, possible_cpus, provenance,
    rq_of, runqueue_tasks, script_arg, task_cpu_of, task_state, write_text)

SCHEMA_VERSION = 1
TASK_UNINTERRUPTIBLE = 0x2
TASK_NOLOAD = 0x400


def frame_file(prog, trace):
    """(frame index, variable, struct file *) of the first frame that has
    one, or None."""
    for i, frame in enumerate(trace):
        for name in ("file", "filp", "iocb"):
            try:
                v = frame[name]
                if v.absent_:
                    continue
                f = v.ki_filp.read_() if name == "iocb" else v.read_()
                if f.value_():
                    return i, name, f
            except (KeyError, LookupError, ValueError):
                continue
            except Exception:  # noqa: BLE001 - a fault: try the next
                continue
    return None


def is_bdev_inode(prog, bdev, host):
    """host is the inode of the block_device bdev (container_of'd from
    it): bd_inode points back to it, or, where block_device has no bd_inode
    (6.10+), host is an inode of blockdev_superblock."""
    if has_member(bdev, "bd_inode"):
        return bdev.bd_inode.value_() == host.value_()
    return host.i_sb.value_() == prog["blockdev_superblock"].value_()


def file_facts(prog, file):
    out = {"file": hx(file.value_())}
    out["name"] = cstr(file.f_path.dentry.d_name.name)
    out["inode"] = hx(file.f_inode.value_())
    out["i_rdev"] = file.f_inode.i_rdev.value_()
    host = file.f_mapping.host
    out["mapping_host"] = hx(host.value_())
    bdi = container_of(host, "struct bdev_inode", "vfs_inode")
    bdev = bdi.bdev.address_of_()
    if is_bdev_inode(prog, bdev, host):
        out["bdev"] = hx(bdev.value_())
        out["disk"] = cstr(bdev.bd_disk.disk_name)
        out["bd_dev"] = bdev.bd_dev.value_()
    return out


def task_facts(prog, task, rqs, errors, sched):
    cpu = task_cpu_of(task)
    t = {
        "pid": task.pid.value_(),
        "comm": cstr(task.comm),
        "task": hx(task.value_()),
        "state": task_state(task),
        "cpu": cpu,
        "last_arrival": task.sched_info.last_arrival.value_(),
        "rq_clock": rq_of(prog, cpu).clock.value_(),
        "last_switch_time": task.last_switch_time.value_(),
    }
    try:
        trace = prog.stack_trace(task)
        t["frames"] = []
        t["wait_point"] = None
        for frame in trace:
            try:
                name = frame.name
            except Exception:  # noqa: BLE001
                name = None
            t["frames"].append(name)
            if t["wait_point"] is None and not frame.is_inline:
                pc = frame.pc
                if not (sched[0] <= pc < sched[1]):
                    t["wait_point"] = name
        for frame in trace:
            if frame.name and frame.name.startswith("rwsem_down_"):
                sem = frame["sem"]
                owner = sem.owner.counter.value_()
                t["rwsem"] = hx(sem.value_())
                t["rwsem_owner"] = hx(owner & ~7 & (2**64 - 1))
                break
        found = frame_file(prog, trace)
        if found:
            i, var, file = found
            t["file_frame"] = trace[i].name
            t["file_variable"] = var
            t.update(file_facts(prog, file))
    except Exception as e:  # noqa: BLE001
        note_error(errors, "task %d" % t["pid"], e)
    return t


def main(prog, argv):
    out = provenance(SCHEMA_VERSION)
    errors = []
    out["dump"] = os.path.basename(argv[1]) if len(argv) > 1 else None
    sched = (prog.symbol("__sched_text_start").address,
             prog.symbol("__sched_text_end").address)
    out["jiffies"] = prog["jiffies_64"].value_()
    out["hung_task_timeout_secs"] = prog["sysctl_hung_task_timeout_secs"].value_()
    rqs = runqueue_tasks(prog, possible_cpus(prog), errors)
    out["rq_clock"] = {str(c): rq_of(prog, c).clock.value_() for c in rqs}
    tasks = []

    def make(task, rqs, source):
        st = task_state(task)
        if st & TASK_UNINTERRUPTIBLE and not st & TASK_NOLOAD:
            tasks.append(task_facts(prog, task, rqs, errors, sched))

    all_tasks(prog, rqs, make, errors)
    out["d_tasks"] = sorted(tasks, key=lambda t: t["pid"])
    out["errors"] = errors
    write_text(script_arg(argv, 2), json.dumps(out, indent=2, sort_keys=True) + "\n")


main(prog, sys.argv)  # noqa: F821 - prog is the drgn CLI's global
