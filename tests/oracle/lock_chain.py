# SPDX-License-Identifier: GPL-2.0-or-later
"""Oracle for the lock_chain plugin: the wait lists of candidate locks,
walked with drgn.

Run under the drgn CLI (drgn 0.0.22, Debian python3-drgn):

    drgn -q -c DUMP -s VMLINUX -s ktscen.ko -s null_blk.ko -s nbd.ko \\
        lock_chain.py DUMP OUT.lock_chain.json      # "-" for OUT = stdout

The plugin finds what a task waits on from the waiter struct on its
stack. This script goes the other way, as a human with drgn would: it
takes candidate locks, and walks each one's wait list with
list_for_each_entry() over the kernel's own waiter types (struct
mutex_waiter, rwsem_waiter, semaphore_waiter on wait_list; struct
swait_queue on a completion's wait.task_list).

Candidates: the `lock`, `sem` and `x` variables drgn can read in the
frames of every task in D state (TASK_UNINTERRUPTIBLE without
TASK_NOLOAD), when their type is struct mutex *, struct rw_semaphore *
or struct completion *; and, when ktscen is loaded with the lock-chain
scenario, its locks by name: kt_dev.cfg_lock, kt_dev.state_sem,
kt_dev.ready, kt_table_lock and kt_pair->lock.

For each lock: address, type, how it was found, the owner word and the
task it names (flags masked: ~0x7), the rwsem count, the completion's
done, every waiter (pid, comm, waiter address, and for an rwsem whether
it waits to write), and slab_object_info() of the lock (cache name and
object address), for a lock in a slab object. "hung_pids": the pids the
log's "INFO: task COMM:PID blocked for more than" lines name, and
"hung_panic": whether the kernel panicked with "hung_task".
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True

from drgn import FaultError, Object  # noqa: E402
from drgn.helpers.linux.list import list_for_each_entry  # noqa: E402
from drgn.helpers.linux.printk import get_printk_records  # noqa: E402
from drgn.helpers.linux.slab import slab_object_info  # noqa: E402

from common import (  # noqa: E402
    all_tasks, cstr, has_member, hx, note_error, possible_cpus, provenance,
    runqueue_tasks, script_arg, task_state, write_text)

SCHEMA_VERSION = 1
TASK_UNINTERRUPTIBLE = 0x2
TASK_NOLOAD = 0x400
MAX_WAITERS = 256

KINDS = {
    "struct mutex": ("mutex", "struct mutex_waiter", "wait_list", "list"),
    "struct rw_semaphore": ("rw_semaphore", "struct rwsem_waiter",
                            "wait_list", "list"),
    "struct completion": ("completion", "struct swait_queue", None,
                          "task_list"),
}


def task_info(task):
    return {"pid": task.pid.value_(), "comm": cstr(task.comm),
            "task": hx(task.value_())}


def ring_of(prog, lock, wtype, member):
    """7.x's mutex and rw_semaphore: first_waiter, and a ring of waiters
    without a head."""
    first = lock.first_waiter
    if not first.value_():
        return []
    ring = [first]
    for w in list_for_each_entry(wtype, first.member_(member).address_of_(),
                                 member):
        ring.append(w)
        if len(ring) >= MAX_WAITERS:
            break
    return ring


def waiters(prog, lock, kind):
    _name, wtype, head, member = KINDS[kind]
    out = []
    if kind != "struct completion" and not has_member(lock, head) and \
            has_member(lock, "first_waiter"):
        ring = ring_of(prog, lock, wtype, member)
    else:
        lst = lock.wait.task_list if kind == "struct completion" else \
            lock.member_(head)
        ring = list_for_each_entry(wtype, lst.address_of_(), member)
    for w in ring:
        entry = task_info(w.task)
        entry["waiter"] = hx(w.value_())
        if kind == "struct rw_semaphore":
            entry["write"] = w.type.value_() == \
                prog.constant("RWSEM_WAITING_FOR_WRITE").value_()
        out.append(entry)
        if len(out) >= MAX_WAITERS:
            break
    return out


def slab_of(prog, addr):
    try:
        info = slab_object_info(prog, addr)
    except Exception:  # noqa: BLE001 - not a slab address
        return None
    if info is None:
        return None
    return {"cache": info.slab_cache.name.string_().decode(),
            "object": hx(info.address), "allocated": info.allocated}


def owner_of(prog, word):
    t = word & ~0x7
    if not t:
        return None
    try:
        task = Object(prog, "struct task_struct *", t)
        return task_info(task)
    except FaultError:
        return None


def lock_facts(prog, lock, kind, how):
    out = {"addr": hx(lock.address_), "type": kind,
           "kind": KINDS[kind][0], "how": how}
    if kind == "struct mutex":
        word = lock.owner.counter.value_()
        out["owner_word"] = hx(word)
        out["owner"] = owner_of(prog, word)
    elif kind == "struct rw_semaphore":
        word = lock.owner.counter.value_()
        count = lock.count.counter.value_() & 0xffffffffffffffff
        out["owner_word"] = hx(word)
        out["count"] = hx(count)
        # RWSEM_WRITER_LOCKED, bit 0 of count (kernel/locking/rwsem.c)
        out["owner"] = owner_of(prog, word) if count & 1 else None
    else:
        out["done"] = lock.done.value_()
        out["owner"] = None
    out["waiters"] = waiters(prog, lock, kind)
    out["slab"] = slab_of(prog, lock.address_)
    return out


def frame_candidates(trace):
    for frame in trace:
        for name in ("lock", "sem", "x"):
            try:
                v = frame[name]
                if v.absent_:
                    continue
                v = v.read_()
                kind = v.type_.type.type_name()
            except Exception:  # noqa: BLE001 - absent, optimized out
                continue
            if kind in KINDS and v.value_():
                yield v, kind, "variable %s of %s" % (name, frame.name)


def scenario_candidates(prog):
    try:
        dev = prog["kt_dev"]
        pair = prog["kt_pair"]
        table = prog["kt_table_lock"]
        if not pair.value_():
            return []
    except (KeyError, LookupError, FaultError):
        # no ktscen loaded: drgn puts the .ko's symbols near 0
        return []
    return [(dev.cfg_lock, "struct mutex", "kt_dev.cfg_lock"),
            (dev.state_sem, "struct rw_semaphore", "kt_dev.state_sem"),
            (dev.ready, "struct completion", "kt_dev.ready"),
            (table, "struct mutex", "kt_table_lock"),
            (pair.lock, "struct mutex", "kt_pair->lock")]


def log_facts(prog):
    pids, panic = [], False
    for r in get_printk_records(prog):
        text = r.text.decode(errors="replace")
        if text.startswith("Kernel panic - not syncing: ") and "hung_task" in text:
            panic = True
        if text.startswith("INFO: task ") and " blocked for more than " in text:
            head = text.split(" blocked for more than ")[0]
            pids.append(int(head.rsplit(":", 1)[1]))
    return sorted(set(pids)), panic


def main(prog, argv):
    out = provenance(SCHEMA_VERSION)
    errors = []
    out["dump"] = os.path.basename(argv[1]) if len(argv) > 1 else None
    rqs = runqueue_tasks(prog, possible_cpus(prog), errors)
    locks, blocked = {}, []

    def add(obj, kind, how):
        key = obj.address_
        if key in locks:
            return
        try:
            locks[key] = lock_facts(prog, obj, kind, how)
        except Exception as e:  # noqa: BLE001
            note_error(errors, "lock %s" % hx(key), e)

    for obj, kind, name in scenario_candidates(prog):
        add(obj, kind, name)
        locks[obj.address_]["name"] = name

    def visit(task, _rqs=None):
        state = task_state(task)
        if not state & TASK_UNINTERRUPTIBLE or state & TASK_NOLOAD:
            return
        blocked.append(task_info(task))
        try:
            for v, kind, how in frame_candidates(prog.stack_trace(task)):
                add(v[0], kind, how)
        except Exception as e:  # noqa: BLE001
            note_error(errors, "task %d" % task.pid.value_(), e)

    all_tasks(prog, rqs, lambda t, *a: visit(t), errors)
    out["blocked"] = sorted(blocked, key=lambda t: t["pid"])
    out["locks"] = [locks[k] for k in sorted(locks)]
    out["hung_pids"], out["hung_panic"] = log_facts(prog)
    out["errors"] = errors
    write_text(script_arg(argv, 2),
               json.dumps(out, indent=2, sort_keys=True) + "\n")


main(prog, sys.argv)  # noqa: F821 - prog is the drgn CLI's global
