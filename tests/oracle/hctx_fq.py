# SPDX-License-Identifier: GPL-2.0-or-later
"""Oracle for the hctx_fq plugin: every blk-mq hctx drgn can reach, and
whether its fq is a flush queue, as drgn 0.0.22 sees it.

    drgn -q -c DUMP -s VMLINUX -s ktscen.ko -s null_blk.ko -s nbd.ko \\
        hctx_fq.py DUMP OUT.json          # "-" for OUT = stdout

hctxs come from every whole-disk block_device on blockdev_superblock's
inode list (bd_partno 0, or bd_disk->part0 itself where block_device has no
bd_partno, 6.10+; bd_disk->queue, then xa_for_each(q->hctx_table), or
q->queue_hw_ctx[0..nr_hw_queues) before 5.19, and q->unused_hctx_list),
or, where the debuginfo has struct hd_struct (before 5.11: a disk's
block_device exists only while the disk is open), from every disk of
block_class (drgn's for_each_disk()), and from the crashed thread's frame
variables named hctx (and the queues of those named q). For each, "fq_ok"
is drgn's verdict with the plugin's rule: fq is an allocated slab object
(drgn's slab_object_info()) starting at fq, of the object size kmalloc
rounds sizeof(struct blk_flush_queue) to (96 on 5.10 and 6.1, 64 on 6.12),
and fq->flush_rq is an allocated slab object too, or, when it is no slab
object, the start of an allocated compound page ("flush_rq_page": a
kmalloc() larger than the largest kmalloc cache comes from the page
allocator; virtio_blk's flush request on 5.10, 16 KiB). A NULL fq is no
bogus pointer either (blk_free_flush_queue() returns on it; 7.2 leaves an
unused hctx of nbd's without a flush queue): "fq_null" is true and so is
"fq_ok", and "unused" says whether the hctx was on its queue's
unused_hctx_list. "crash_hctx" is the innermost frame's hctx variable;
"hctx_slab" is slab_object_info() of the hctx itself.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True

from drgn import FaultError, Object, cast, container_of, sizeof  # noqa: E402
from drgn.helpers.linux.block import for_each_disk  # noqa: E402
from drgn.helpers.linux.list import list_for_each_entry  # noqa: E402
from drgn.helpers.linux.mm import PageHead, virt_to_page  # noqa: E402
from drgn.helpers.linux.slab import slab_object_info  # noqa: E402

from common import (  # noqa: E402
    cstr, error_text, has_member, hx, note_error, provenance, queue_hw_ctxs,
    script_arg, write_text)
from jsonout import dumps_compact  # noqa: E402

SCHEMA_VERSION = 1
errors = []
unused_hctxs = set()  # hctxs found on a queue's unused_hctx_list


def kmalloc_size(n):
    if 64 < n <= 96:
        return 96
    if 128 < n <= 192:
        return 192
    s = 8
    while s < n:
        s <<= 1
    return s


def slab_info(addr):
    """{cache, object, allocated, object_size} or None (not a slab object)."""
    try:
        info = slab_object_info(prog, addr)
    except Exception as e:  # noqa: BLE001
        return {"error": error_text(e)}
    if info is None:
        return None
    return {
        "cache": cstr(info.slab_cache.name),
        "object": hx(info.address),
        "allocated": bool(info.allocated),
        "object_size": info.slab_cache.object_size.value_(),
    }


def large_kmalloc(addr):
    """{order, refcount, allocated} of the compound page that starts at
    addr (a kmalloc() beyond the kmalloc caches), or None if addr is not
    the start of a compound head page of the direct map."""
    pob = prog["page_offset_base"].value_()
    pfn = (addr - pob) >> 12
    if addr & 0xFFF or addr < pob or pfn >= prog["max_pfn"].value_():
        return None
    try:
        page = virt_to_page(prog, addr)
        if not PageHead(page):
            return None
        tail = page[1]
        if has_member(tail, "compound_order"):
            order = tail.compound_order.value_()
        else:  # 6.3+: the order is in the folio's first tail page's flags
            order = cast("struct folio *", page)._flags_1.value_() & 0xFF
        ref = page._refcount.counter.value_()
    except FaultError:
        return None
    return {"order": order, "refcount": ref, "allocated": order > 0 and ref > 0}


def whole_disk(bdev):
    """bdev is a whole disk, not a partition: bd_partno is 0 or, where
    block_device has no bd_partno (6.10+), it is its disk's part0."""
    if has_member(bdev, "bd_partno"):
        return bdev.bd_partno.value_() == 0
    return bdev.bd_disk.part0.value_() == bdev.value_()


def disk_queues():
    """[(queue, disk name)] of every whole disk."""
    res = []
    try:
        prog.type("struct hd_struct")
    except LookupError:
        pass
    else:
        for disk in for_each_disk(prog):
            res.append((disk.queue.value_(), cstr(disk.disk_name)))
        return res
    sb = prog["blockdev_superblock"]
    for inode in list_for_each_entry("struct inode", sb.s_inodes.address_of_(), "i_sb_list"):
        bdev = container_of(inode, "struct bdev_inode", "vfs_inode").bdev.address_of_()
        if not bdev.bd_disk.value_() or not whole_disk(bdev):
            continue
        disk = bdev.bd_disk
        res.append((disk.queue.value_(), cstr(disk.disk_name)))
    return res


def queue_hctxs(q):
    qo = Object(prog, "struct request_queue *", value=q)
    if not qo.mq_ops.value_():
        return []
    res = queue_hw_ctxs(qo)[1]
    for h in list_for_each_entry("struct blk_mq_hw_ctx", qo.unused_hctx_list.address_of_(), "hctx_list"):
        res.append(h.value_())
        unused_hctxs.add(h.value_())
    return res


def frame_values(name):
    res = []
    for f in prog.crashed_thread().stack_trace():
        try:
            v = f[name]
        except Exception:  # noqa: BLE001
            continue
        if not v.absent_:
            res.append(v.value_())
    return res


def check(h, fq_size):
    ho = Object(prog, "struct blk_mq_hw_ctx *", value=h)
    q = ho.queue.value_()
    fq = ho.fq.value_()
    rec = {"hctx": hx(h), "queue": hx(q), "queue_num": ho.queue_num.value_(), "fq": hx(fq)}
    rec["hctx_slab"] = slab_info(h)
    try:
        mq_ops = Object(prog, "struct request_queue *", value=q).mq_ops.value_()
        rec["mq_ops"] = hx(mq_ops)
        try:
            sym = prog.symbol(mq_ops)
            rec["mq_ops_symbol"] = sym.name
        except LookupError:
            rec["mq_ops_symbol"] = None
    except FaultError as e:
        rec["mq_ops_error"] = error_text(e)
    if not fq:
        # no flush queue, which blk_free_flush_queue() accepts: not bogus
        rec["fq_null"] = True
        rec["unused"] = h in unused_hctxs
        rec["fq_ok"] = True
        return rec
    info = slab_info(fq)
    rec["fq_slab"] = info
    ok = bool(info and info.get("allocated") and info["object"] == hx(fq)
              and info["object_size"] == kmalloc_size(fq_size))
    if ok:
        rq = Object(prog, "struct blk_flush_queue *", value=fq).flush_rq.value_()
        rec["flush_rq"] = hx(rq)
        ri = slab_info(rq)
        rec["flush_rq_slab"] = ri
        if ri is None:
            pg = large_kmalloc(rq)
            rec["flush_rq_page"] = pg
            ok = bool(pg and pg["allocated"])
        else:
            ok = bool(ri.get("allocated") and ri["object"] == hx(rq))
    else:
        # the page behind it: beyond the end of RAM?
        max_pfn = prog["max_pfn"].value_()
        pob = prog["page_offset_base"].value_()
        rec["fq_beyond_ram"] = fq >= pob and (fq - pob) >> 12 >= max_pfn
    rec["fq_ok"] = ok
    return rec


def main(argv):
    dump_path = script_arg(argv, 1)
    out = provenance(SCHEMA_VERSION)
    out["dump"] = dump_path.rsplit("/", 1)[-1] if dump_path else None
    fq_size = sizeof(prog.type("struct blk_flush_queue"))
    out["sizeof_blk_flush_queue"] = fq_size
    out["fq_object_size"] = kmalloc_size(fq_size)
    queues = {}
    try:
        for q, name in disk_queues():
            queues[q] = name
    except Exception as e:  # noqa: BLE001
        note_error(errors, "disks", e)
    hctxs = {}
    for h in frame_values("hctx"):
        hctxs.setdefault(h, "frame")
    for q in frame_values("q"):
        queues.setdefault(q, None)
    for q in sorted(queues):
        try:
            for h in queue_hctxs(q):
                hctxs.setdefault(h, "queue")
        except Exception as e:  # noqa: BLE001
            note_error(errors, "hctxs of %s" % hx(q), e)
    recs = []
    for h in sorted(hctxs):
        try:
            rec = check(h, fq_size)
        except Exception as e:  # noqa: BLE001
            note_error(errors, "hctx %s" % hx(h), e)
            continue
        rec["source"] = hctxs[h]
        q = int(rec["queue"], 16)
        rec["disk"] = queues.get(q)
        recs.append(rec)
    out["hctxs"] = recs
    out["bad_hctxs"] = [r["hctx"] for r in recs if not r["fq_ok"]]
    fh = frame_values("hctx")
    out["crash_hctx"] = hx(fh[0]) if fh else None
    try:
        out["kt_bogus_fq"] = hx(prog["kt_bogus_fq"].value_())
    except (KeyError, LookupError, FaultError):
        # no ktscen here: drgn leaves the .ko's symbols unrelocated
        out["kt_bogus_fq"] = None
    out["errors"] = errors
    write_text(script_arg(argv, 2), dumps_compact(out, ("hctxs",)))


main(sys.argv)
