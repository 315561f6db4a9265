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
swait_queue on a completion's wait.task_list; struct wait_queue_entry
on a wait queue head's head, a percpu_rw_semaphore's waiters among
them; struct wait_page_queue on the page wait table's bucket of a
folio: folio_wait_table[hash_ptr(folio, PAGE_WAIT_TABLE_BITS)], or
page_wait_table before 5.16).

Candidates: the `lock`, `sem` and `x` variables drgn can read in the
frames of every task in D state (TASK_UNINTERRUPTIBLE without
TASK_NOLOAD), when their type is struct mutex *, struct rw_semaphore *,
struct semaphore *, struct percpu_rw_semaphore * or struct completion *;
when ktscen is loaded with the lock-chain scenario, its locks by name:
kt_dev.cfg_lock, kt_dev.state_sem, kt_dev.ready, kt_table_lock and
kt_pair->lock; when ktwait is loaded with the wait-kinds scenario, its
locks by name: kt_pool->slots, kt_hub.idle_wq, kt_hub.resize_sem,
kt_hub.quiesced and the page kt_page.

For each lock: address, type, how it was found, the owner word and the
task it names (flags masked: ~0x7), the rwsem and semaphore count, the
completion's done, a percpu rwsem's block and the writer its rcuwait
names (only while the writer waits for readers: no field names a writer
that holds it), a page's PG_locked bit, every waiter (pid, comm, waiter
address, and for an rwsem or percpu rwsem whether it waits to write; a
wait queue's entries that are no task's have pid null and their wake
function), and slab_object_info() of the lock (cache name and object
address), for a lock in a slab object. A semaphore, a wait queue, a
percpu rwsem and a page lock record no holder: their "owner" is null. "hung_pids": the pids the
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
from drgn.helpers.linux.percpu import per_cpu_ptr  # noqa: E402
from drgn.helpers.linux.pid import for_each_task  # noqa: E402
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
    "struct semaphore": ("semaphore", "struct semaphore_waiter",
                         "wait_list", "list"),
    "struct completion": ("completion", "struct swait_queue", None,
                          "task_list"),
    "struct wait_queue_head": ("wait queue", "struct wait_queue_entry",
                               "head", "entry"),
    "struct percpu_rw_semaphore": ("percpu_rw_semaphore",
                                   "struct wait_queue_entry", None, "entry"),
}
# include/linux/wait.h: WQ_FLAG_CUSTOM is 0x08 while WQ_FLAG_BOOKMARK (0x04)
# exists (5.10, 6.1), 0x04 after (6.12: WQ_FLAG_DONE is 0x08). A queued
# percpu rwsem waiter never has the other bit (bookmarks are the waker's,
# DONE the page waits'): either bit marks a reader.
WQ_FLAG_CUSTOM_ANY = 0x0c
# include/linux/hash.h, include/linux/pagemap.h (mm/filemap.c)
GOLDEN_RATIO_64 = 0x61C8864680B583EB
PAGE_WAIT_TABLE_BITS = 8


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


def list_of(lock, kind):
    if kind == "struct completion":
        return lock.wait.task_list
    if kind == "struct percpu_rw_semaphore":
        return lock.waiters.head
    return lock.member_(KINDS[kind][2])


def queue_entry(prog, w):
    """A wait queue entry: its task (private), or its wake function when
    it is no task's."""
    private = w.private.value_()
    try:
        func = prog.symbol(w.func.value_()).name
    except LookupError:
        func = hx(w.func.value_())
    if private in task_addrs(prog):
        entry = task_info(Object(prog, "struct task_struct *", private))
    else:
        entry = {"pid": None, "comm": None, "task": None}
    entry["func"] = func
    return entry


_TASK_ADDRS = set()


def task_addrs(prog):
    """Every task's address: a wait queue entry's private is one, or not."""
    if not _TASK_ADDRS:
        _TASK_ADDRS.update(t.value_() for t in for_each_task(prog))
    return _TASK_ADDRS


def waiters(prog, lock, kind):
    _name, wtype, head, member = KINDS[kind]
    out = []
    if head and not has_member(lock, head) and \
            has_member(lock, "first_waiter"):
        ring = ring_of(prog, lock, wtype, member)
    else:
        ring = list_for_each_entry(wtype, list_of(lock, kind).address_of_(),
                                   member)
    for w in ring:
        if wtype == "struct wait_queue_entry":
            entry = queue_entry(prog, w)
        else:
            entry = task_info(w.task)
        entry["waiter"] = hx(w.value_())
        if kind == "struct rw_semaphore":
            entry["write"] = w.type.value_() == \
                prog.constant("RWSEM_WAITING_FOR_WRITE").value_()
        if kind == "struct percpu_rw_semaphore":
            # percpu_rwsem_wait(): WQ_FLAG_CUSTOM marks a reader
            entry["write"] = not w.flags.value_() & WQ_FLAG_CUSTOM_ANY
        out.append(entry)
        if len(out) >= MAX_WAITERS:
            break
    return out


def percpu_readers(prog, sem):
    return sum(per_cpu_ptr(sem.read_count, cpu)[0].value_()
               for cpu in possible_cpus(prog))


def page_wait_head(prog, folio):
    """The page wait table's bucket of @folio: hash_ptr(folio, 8)."""
    try:
        table = prog["folio_wait_table"]
    except KeyError:
        table = prog["page_wait_table"]     # before 5.16
    h = ((folio * GOLDEN_RATIO_64) & 0xffffffffffffffff) >> \
        (64 - PAGE_WAIT_TABLE_BITS)
    return table[h]


def page_flags(page):
    """page->flags: an unsigned long, or (7.x) memdesc_flags_t's .f."""
    flags = page.flags.value_()
    return flags["f"] if isinstance(flags, dict) else flags


def page_facts(prog, page, how):
    """A page (5.10) or folio (5.16+) and who waits for its PG_locked bit:
    the wait_page_queue entries of its bucket that name it."""
    ftype = "struct folio" if prog.type("struct wait_page_queue").has_member(
        "folio") else "struct page"
    addr = page.value_()
    bit = prog.constant("PG_locked").value_()
    head = page_wait_head(prog, addr)
    out = {"addr": hx(addr), "type": ftype, "kind": "folio bit", "how": how,
           "page": hx(addr), "bit": bit,
           "locked": bool(page_flags(page) >> bit & 1),
           "wait_head": hx(head.address_), "owner": None, "waiters": [],
           "others": 0, "slab": None}
    member = "folio" if ftype == "struct folio" else "page"
    for w in list_for_each_entry("struct wait_page_queue",
                                 head.head.address_of_(), "wait.entry"):
        if w.member_(member).value_() != addr or w.bit_nr.value_() != bit:
            out["others"] += 1
            continue
        entry = queue_entry(prog, w.wait)
        entry["waiter"] = hx(w.value_())
        out["waiters"].append(entry)
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
    elif kind == "struct semaphore":
        out["count"] = lock.count.value_()
        out["owner"] = None
    elif kind == "struct percpu_rw_semaphore":
        out["block"] = lock.block.counter.value_()
        w = lock.writer.task.value_()
        out["writer_waiting"] = owner_of(prog, w) if w else None
        out["readers"] = percpu_readers(prog, lock)
        out["owner"] = None
    elif kind == "struct wait_queue_head":
        out["owner"] = None
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


def wait_kinds_candidates(prog):
    """ktwait's wait-kinds scenario: its locks by name, and its page."""
    try:
        hub = prog["kt_hub"]
        pool = prog["kt_pool"]
        page = prog["kt_page"]
        if not pool.value_() or not page.value_():
            return [], None
    except (KeyError, LookupError, FaultError):
        return [], None
    return [(pool.slots, "struct semaphore", "kt_pool->slots"),
            (hub.idle_wq, "struct wait_queue_head", "kt_hub.idle_wq"),
            (hub.resize_sem, "struct percpu_rw_semaphore",
             "kt_hub.resize_sem"),
            (hub.quiesced, "struct completion", "kt_hub.quiesced")], page


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

    named, page = wait_kinds_candidates(prog)
    for obj, kind, name in scenario_candidates(prog) + named:
        add(obj, kind, name)
        locks[obj.address_]["name"] = name
    if page is not None:
        try:
            locks[page.value_()] = page_facts(prog, page, "kt_page")
            locks[page.value_()]["name"] = "kt_page"
        except Exception as e:  # noqa: BLE001
            note_error(errors, "page %s" % hx(page.value_()), e)

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
