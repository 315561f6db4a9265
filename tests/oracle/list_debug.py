# SPDX-License-Identifier: GPL-2.0-or-later
"""Oracle for the list_debug plugin: the last CONFIG_DEBUG_LIST report of
the log, and what drgn 0.0.22 sees of the list_head it names.

    drgn -q -c DUMP -s VMLINUX -s ktscen.ko list_debug.py DUMP OUT.json

- "report": the report's text, "entry" the list_head it names ("X->next
  is ..." or "should be X"), "prev"/"next" the neighbour it names (or the
  entry's own prev/next where the message has none), "was" the value the
  report found.
- "entry_object", "entry_cache", "entry_allocated", "entry_offset":
  slab_object_info() of the entry; "entry_next"/"entry_prev" its links.
- "double_del": both links hold LIST_POISON1/LIST_POISON2 (0x100/0x122
  above the delta the report or POISON_POINTER_DELTA gives).
- "neighbour_object", "neighbour_cache", "neighbour_allocated",
  "neighbour_next": the same for the neighbour.
- "ring_prev": how many list_heads walking ->prev from the entry visits
  before it comes back (null if it does not, within 100000); "head": the
  first symbol (a global) the walk passes.
- "fires": a report is in the log, or the oops below.

With no report, a list operation that followed a garbage or NULL link
(the kernel has no CONFIG_DEBUG_LIST, or the check itself faulted): the
last oops of the log is a general protection fault ("probably for
non-canonical address A") or a page fault at A, and one of the values of
its register dump, or a word of a slab object one of them points into, is
a list_head V that is on a list (V->prev->next == V)
and whose ->next L or ->prev is the link the access went through (A == L
or A == L + 8), L being no address the dump can read and no list poison.
Then "entry" is V, "field" the link, "bad_link" L, "fault_address" A, and
the entry's facts as above.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True

from drgn import FaultError  # noqa: E402
from drgn.helpers.linux.printk import get_printk_records  # noqa: E402
from drgn.helpers.linux.slab import slab_object_info  # noqa: E402

from common import (  # noqa: E402
    cstr, error_text, hx, note_error, provenance, script_arg, write_text)
from jsonout import dumps_compact  # noqa: E402

SCHEMA_VERSION = 1
DELTA = 0xdead000000000000
errors = []
REPORT = re.compile(r"^list_(del|add) (corruption|double add)")


def last_report():
    line = None
    for r in get_printk_records(prog):  # noqa: F821 - the drgn CLI's global
        text = r.text.decode(errors="replace").rstrip()
        if REPORT.match(text):
            line = text
    return line


FAULT = re.compile(r"general protection fault, probably for non-canonical "
                   r"address (0x[0-9a-f]+)|unable to handle page fault for "
                   r"address: ([0-9a-f]+)")
REGS = re.compile(r"\b(R[A-Z0-9]{2}|R[0-9]+): ?([0-9a-f]{16})")


def last_fault():
    """The last oops's fault address and the values of its register dump."""
    addr, regs = None, []
    for r in get_printk_records(prog):  # noqa: F821 - the drgn CLI's global
        text = r.text.decode(errors="replace")
        m = FAULT.search(text)
        if m:
            addr = int(m.group(1) or m.group(2), 16)
            regs = []
        elif addr is not None:
            regs += [int(v, 16) for _, v in REGS.findall(text)]
    return addr, regs


def readable(addr):
    try:
        prog.read_u64(addr)  # noqa: F821
        return True
    except FaultError:
        return False


def poison(v):
    return v - DELTA in (0x100, 0x122)


def candidates(regs):
    """The register values, then each 8-byte word of the slab objects they
    point into (an entry the compiler addresses as record + offset), or of
    the 512 bytes above them where drgn knows no slab."""
    for v in regs:
        yield v
    for v in regs:
        if v >> 48 != 0xffff:
            continue
        try:
            info = slab_object_info(prog, v)  # noqa: F821
        except Exception:  # noqa: BLE001 - not a slab address
            info = None
        if info is None:
            # no slab facts (drgn 0.0.22 on 7.x's slabs): the words just
            # above the pointer, as a struct's members would be
            for off in range(8, 512, 8):
                yield v + off
            continue
        size = info.slab_cache.object_size.value_()
        for off in range(0, min(size, 4096) - 15, 8):
            yield info.address + off


def fault_entry():
    """(entry, field, link, address) of a list operation's bad link."""
    addr, regs = last_fault()
    if addr is None:
        return None
    for v in candidates(regs):
        if v >> 48 != 0xffff or not readable(v):
            continue
        nxt, prv = links(v)
        if nxt is None:
            continue
        for field, link, other in (("next", nxt, prv), ("prev", prv, nxt)):
            if addr not in (link, link + 8) or readable(link) or \
                    poison(link) or other >> 48 != 0xffff or \
                    not readable(other):
                continue
            back = prog.read_u64(other + (8 if field == "prev" else 0))  # noqa: F821
            if back == v:
                return v, field, link, addr
    return None


def parse(line):
    f = {}
    m = re.search(r"corruption, ([0-9a-f]+)->(next|prev) is (\S+)", line)
    if m:
        f["entry"] = int(m.group(1), 16)
        f["field"] = m.group(2)
        f["what"] = m.group(3)
        m2 = re.search(r"LIST_POISON\d \(([0-9a-f]+)\)", line)
        if m2:
            f["was"] = int(m2.group(1), 16)
        return f
    m = re.search(r"(prev->next|next->prev) should be ([0-9a-f]+), but was "
                  r"([0-9a-f]+)", line)
    if m and line.startswith("list_del"):
        f["entry"] = int(m.group(2), 16)
        f["field"] = m.group(1)
        f["was"] = int(m.group(3), 16)
        m2 = re.search(r"\((prev|next)=([0-9a-f]+)\)", line)
        if m2:
            f[m2.group(1)] = int(m2.group(2), 16)
        return f
    m = re.search(r"new=([0-9a-f]+), prev=([0-9a-f]+), next=([0-9a-f]+)", line)
    if m:
        f["entry"] = int(m.group(1), 16)
        f["prev"] = int(m.group(2), 16)
        f["next"] = int(m.group(3), 16)
    return f


def links(addr):
    try:
        return prog.read_u64(addr), prog.read_u64(addr + 8)  # noqa: F821
    except FaultError as e:
        note_error(errors, "links of %s" % hx(addr), e)
        return None, None


def slab(addr, key, out):
    try:
        info = slab_object_info(prog, addr)  # noqa: F821
    except Exception as e:  # noqa: BLE001
        note_error(errors, "slab_object_info(%s)" % hx(addr), e)
        info = None
    if info is None:
        out[key + "_object"] = None
        return
    out[key + "_object"] = hx(info.address)
    out[key + "_cache"] = cstr(info.slab_cache.name)
    out[key + "_allocated"] = bool(info.allocated)
    out[key + "_offset"] = addr - info.address


def symbol_name(addr):
    try:
        return prog.symbol(addr).name  # noqa: F821
    except LookupError:
        return None


def ring_prev(entry, out):
    seen = set()
    node = entry
    head = None
    for n in range(100000):
        if node in seen:
            out["ring_prev"] = n if node == entry else None
            break
        seen.add(node)
        if head is None and node != entry:
            head = symbol_name(node)
        _, prev = links(node)
        if prev is None or prev < 4096 or prev >> 48 != 0xffff:
            out["ring_prev"] = None
            break
        node = prev
    else:
        out["ring_prev"] = None
    out["head"] = head


def main(argv):
    dump_path = script_arg(argv, 1)
    out = provenance(SCHEMA_VERSION)
    out["dump"] = dump_path.rsplit("/", 1)[-1] if dump_path else None
    line = last_report()
    out["report"] = line
    out["fires"] = line is not None
    fault = fault_entry() if line is None else None
    if fault is not None:
        entry, field, link, addr = fault
        out["fires"] = True
        out["entry"] = hx(entry)
        out["field"] = field
        out["bad_link"] = hx(link)
        out["fault_address"] = hx(addr)
        slab(entry, "entry", out)
        nxt, prv = links(entry)
        out["entry_next"], out["entry_prev"] = hx(nxt), hx(prv)
        out["double_del"] = False
        if field == "next":
            ring_prev(entry, out)
    if line is not None:
        f = parse(line)
        entry = f.get("entry")
        out["entry"] = hx(entry) if entry is not None else None
        out["was"] = hx(f["was"]) if "was" in f else None
        if entry is not None:
            slab(entry, "entry", out)
            nxt, prv = links(entry)
            out["entry_next"], out["entry_prev"] = hx(nxt), hx(prv)
            delta = f["was"] - 0x100 if f.get("what") == "LIST_POISON1" else DELTA
            out["double_del"] = nxt == delta + 0x100 and prv == delta + 0x122
            nb = f.get("prev", prv) if f.get("field") == "prev->next" else \
                f.get("next", nxt) if f.get("field") == "next->prev" else None
            out["neighbour"] = hx(nb) if nb is not None else None
            if nb is not None:
                slab(nb, "neighbour", out)
                out["neighbour_next"] = hx(links(nb)[0])
            if not out["double_del"]:
                ring_prev(entry, out)
    out["errors"] = errors
    write_text(script_arg(argv, 2), dumps_compact(out, ()))


try:
    main(sys.argv)
except Exception as e:  # noqa: BLE001
    sys.stderr.write("list_debug.py: %s\n" % error_text(e))
    raise
