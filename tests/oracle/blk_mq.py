# SPDX-License-Identifier: GPL-2.0-or-later
"""Oracle for the blk_mq plugin: the blk-mq software/hardware queue map of
every disk, and a kyber context queue past its hctx's kcqs[] in a running
frame, as drgn 0.0.22 sees them.

    drgn -q -c DUMP -s VMLINUX drgn_run.py --ko ... blk_mq.py DUMP OUT.json

"queues": one per whole disk (the bdev inodes of blockdev_superblock) with
a blk-mq queue: disk, elevator (its elevator_name, or None), hctxs (count)
and "problems", each a list:
  ["ctx", cpu, hctx]    per_cpu_ptr(q->queue_ctx, cpu)->hctxs[t] is the hctx
                        numbered hctx (queue_num), which does not hold the
                        ctx at index_hw[hctx->type] below nr_ctx (one entry
                        per CPU and hctx, whatever the types mapped to it);
                        hctx None: hctxs[t] is no hctx of the queue
  ["hctx", hctx, i]     hctx->ctxs[i]'s hctxs[hctx->type] is not the hctx,
                        or its index_hw[hctx->type] is not i
  ["sched", hctx]       sched_data set without an elevator, or unset under
                        kyber
  ["kcqs", hctx]        under kyber, khd->kcqs is not an allocated slab
                        object of nr_ctx * sizeof(struct kyber_ctx_queue)
                        bytes or more
"kcq": for the first task running on a CPU (rq->curr, in CPU order, the
panic CPU first) with a frame (drgn's trace, continued through each pt_regs
as lock_irq.py does) whose local `kcq` is a struct kyber_ctx_queue *:
function, frame (index over the segments), pid, cpu, kcq (drgn's value of
the local; where drgn reads 0 there, as on 5.10, the lock a slow-path frame
above spins on, minus offsetof(lock): "kcq_from"), hctx (the local
`hctx` where drgn reads it, else the hctx whose kcqs is the nearest below
kcq), hctx_num, nr_ctx, kcqs, index = (kcq - kcqs) / sizeof, and, for the
ctx of the task's CPU, "held" (in hctx->ctxs[0..nr_ctx)) and "mapped"
(some ctx->hctxs[t] is the hctx). None when no frame has one.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True

from drgn import Object, cast, container_of, sizeof  # noqa: E402
from drgn.helpers.linux.list import list_for_each_entry  # noqa: E402
from drgn.helpers.linux.percpu import per_cpu_ptr  # noqa: E402
from drgn.helpers.linux.slab import slab_object_info  # noqa: E402

from common import (  # noqa: E402
    cstr, error_text, has_member, hx, note_error, possible_cpus, provenance,
    queue_hw_ctxs, rq_of, script_arg, write_text)
from jsonout import dumps_compact  # noqa: E402
from lockup import segments  # noqa: E402

SCHEMA_VERSION = 1
errors = []


def whole_disk(bdev):
    if has_member(bdev, "bd_partno"):
        return bdev.bd_partno.value_() == 0
    return bdev.bd_disk.part0.value_() == bdev.value_()


def disk_queues():
    res, seen = [], set()
    sb = prog["blockdev_superblock"]  # noqa: F821 - the drgn CLI's global
    for inode in list_for_each_entry("struct inode",
                                     sb.s_inodes.address_of_(), "i_sb_list"):
        bdev = container_of(inode, "struct bdev_inode",
                            "vfs_inode").bdev.address_of_()
        if not bdev.bd_disk.value_() or not whole_disk(bdev):
            continue
        q = bdev.bd_disk.queue
        if q.value_() in seen or not q.mq_ops.value_():
            continue
        seen.add(q.value_())
        res.append((q, cstr(bdev.bd_disk.disk_name)))
    return res


def elevator_name(q):
    if not q.elevator.value_():
        return None
    name = q.elevator.type.elevator_name
    if name.type_.kind.name == "POINTER":
        return name.string_().decode()
    return cstr(name)


def hctx_objects(q):
    return [Object(prog, "struct blk_mq_hw_ctx *", value=a)  # noqa: F821
            for a in queue_hw_ctxs(q)[1]]


def holds(h, ctx):
    """ctx's index in h->ctxs[0..nr_ctx), or None."""
    for i in range(h.nr_ctx.value_()):
        if h.ctxs[i].value_() == ctx.value_():
            return i
    return None


def kyber_sizes():
    try:
        return sizeof(prog.type("struct kyber_ctx_queue"))  # noqa: F821
    except LookupError:
        return None


def object_size(addr):
    info = slab_object_info(prog, addr)  # noqa: F821
    if info is None or not info.allocated or info.address != addr:
        return None
    return info.slab_cache.object_size.value_()


def queue_facts(q, disk):
    hctxs = hctx_objects(q)
    nums = {h.value_(): h.queue_num.value_() for h in hctxs}
    ntypes = prog.type("struct blk_mq_ctx").member("hctxs").type.length  # noqa: F821
    elv = elevator_name(q)
    problems = []
    for cpu in possible_cpus(prog):  # noqa: F821
        ctx = per_cpu_ptr(q.queue_ctx, cpu)
        seen = set()
        for t in range(ntypes):
            h = ctx.hctxs[t]
            if not h.value_() or h.value_() in seen:
                continue
            seen.add(h.value_())
            if h.value_() not in nums:
                problems.append(["ctx", cpu, None])
                continue
            idx = ctx.index_hw[h.type.value_()].value_()
            if idx < h.nr_ctx.value_() and holds(h, ctx) == idx:
                continue
            problems.append(["ctx", cpu, nums[h.value_()]])
    for h in hctxs:
        t = h.type.value_()
        for i in range(h.nr_ctx.value_()):
            c = h.ctxs[i]
            if c.hctxs[t].value_() != h.value_() or c.index_hw[t].value_() != i:
                problems.append(["hctx", nums[h.value_()], i])
    kcq_size = kyber_sizes()
    for h in hctxs:
        sched = h.sched_data.value_()
        if elv is None and sched:
            problems.append(["sched", nums[h.value_()]])
        elif elv == "kyber" and kcq_size:
            if not sched:
                problems.append(["sched", nums[h.value_()]])
                continue
            khd = cast("struct kyber_hctx_data *", h.sched_data)
            size = object_size(khd.kcqs.value_())
            if size is not None and size < h.nr_ctx.value_() * kcq_size:
                problems.append(["kcqs", nums[h.value_()]])
    return {"queue": hx(q.value_()), "disk": disk, "elevator": elv,
            "hctxs": len(hctxs), "problems": problems}


def kcq_local(frame):
    try:
        v = frame["kcq"]
    except (KeyError, LookupError):
        return None
    if v.absent_ or str(v.type_) != "struct kyber_ctx_queue *":
        return None
    return v


def frame_hctx(frame):
    try:
        v = frame["hctx"]
        return None if v.absent_ else v
    except (KeyError, LookupError):
        return None


def spun_lock(frame, regs):
    """The lock a native_queued_spin_lock_slowpath frame spins on: drgn's
    `lock`, else RDI of the pt_regs its segment starts from."""
    try:
        if frame.symbol().name != "native_queued_spin_lock_slowpath":
            return None
    except LookupError:
        return None
    try:
        v = frame["lock"]
        if not v.absent_ and v.value_():
            return v.value_()
    except (KeyError, LookupError):
        pass
    if regs is not None and frame.pc == regs.ip.value_():
        return regs.di.value_()
    return None


def kcq_facts(task, cpu, queues):
    index = 0
    spun = None
    for frames, regs in segments(prog, task):  # noqa: F821
        for frame in frames:
            spun = spun_lock(frame, regs) or spun
            kcq = kcq_local(frame)
            if kcq is None:
                index += 1
                continue
            return describe_kcq(task, cpu, frame, index, kcq, spun, queues)
    return None


def describe_kcq(task, cpu, frame, index, kcq, spun, queues):
    size = sizeof(kcq.type_.type)
    source = "local"
    # drgn 0.0.22 reads 5.10's kcq as 0 where kyber_bio_merge() is
    # spinning on &kcq->lock: the lock the slow path spins on tells it
    if not kcq.value_() and spun:
        kcq = Object(prog, kcq.type_,  # noqa: F821
                     value=spun - kcq.type_.type.member("lock").offset)
        source = "the spinlock"
    hctx = frame_hctx(frame)
    owner = None
    for q, _disk in queues:
        for h in hctx_objects(q):
            if hctx is not None and h.value_() == hctx.value_():
                owner = (q, h)
            elif hctx is None and h.sched_data.value_():
                base = cast("struct kyber_hctx_data *", h.sched_data).kcqs.value_()
                if base <= kcq.value_() < base + 4096 * size and (
                        owner is None or base > owner[2]):
                    owner = (q, h, base)
    if owner is None:
        return {"kcq": hx(kcq.value_()), "hctx": None}
    q, h = owner[0], owner[1]
    kcqs = cast("struct kyber_hctx_data *", h.sched_data).kcqs.value_()
    ctx = per_cpu_ptr(q.queue_ctx, cpu)
    try:
        sym = frame.symbol().name
    except LookupError:
        sym = None
    return {
        "function": sym, "frame": index, "pid": task.pid.value_(), "cpu": cpu,
        "kcq": hx(kcq.value_()), "kcq_from": source, "hctx": hx(h.value_()),
        "hctx_local": hctx is not None, "hctx_num": h.queue_num.value_(),
        "nr_ctx": h.nr_ctx.value_(), "kcqs": hx(kcqs),
        "index": (kcq.value_() - kcqs) // size,
        "remainder": (kcq.value_() - kcqs) % size,
        "held": holds(h, ctx) is not None,
        "mapped": any(ctx.hctxs[t].value_() == h.value_() for t in range(
            prog.type("struct blk_mq_ctx").member("hctxs").type.length)),  # noqa: F821
    }


def main(argv):
    dump_path = script_arg(argv, 1)
    out = provenance(SCHEMA_VERSION)
    out["dump"] = dump_path.rsplit("/", 1)[-1] if dump_path else None
    queues = disk_queues()
    out["queues"] = []
    for q, disk in queues:
        try:
            out["queues"].append(queue_facts(q, disk))
        except Exception as e:  # noqa: BLE001
            note_error(errors, "queue %s" % disk, e)
    out["kcq"] = None
    cpus = possible_cpus(prog)  # noqa: F821
    try:
        panic_cpu = prog["panic_cpu"].counter.value_()  # noqa: F821
    except Exception:  # noqa: BLE001
        panic_cpu = -1
    cpus.sort(key=lambda c: c != panic_cpu)
    if kyber_sizes():
        for cpu in cpus:
            try:
                out["kcq"] = kcq_facts(rq_of(prog, cpu).curr, cpu, queues)  # noqa: F821
            except Exception as e:  # noqa: BLE001
                note_error(errors, "cpu %d" % cpu, e)
            if out["kcq"]:
                break
    out["errors"] = errors
    write_text(script_arg(argv, 2), dumps_compact(out, ()))


try:
    main(sys.argv)
except Exception as e:  # noqa: BLE001
    sys.stderr.write("blk_mq.py: %s\n" % error_text(e))
    raise
