# SPDX-License-Identifier: GPL-2.0-or-later
"""Oracle for the list_poison plugin: list poison in the crashed thread's
context, as drgn 0.0.22 sees it.

    drgn -q -c DUMP -s VMLINUX -s ktscen.ko -s null_blk.ko -s nbd.ko \\
        list_poison.py DUMP OUT.json      # "-" for OUT = stdout

- "list_poison1/2": the two movabs imm64 of __list_del_entry_valid()'s code
  (__list_del_entry_valid_or_report() where the debuginfo has that one
  instead, 6.6+; bytes 48 b8+r imm64 whose top 16 bits are 0xdead), read
  by this script; "list_poison_code" names the function when it is not
  __list_del_entry_valid.
- "poison_regs": frame 0's registers (drgn's) that hold a value within
  0x1000 above POISON_POINTER_DELTA, or SLUB poison (0x6b, 0x5a bytes).
- "poison_words": words of the crashed thread's stack from frame 0's sp to
  the top of the stack (task->stack + 16 KiB) that hold such a value.
- "stale": the slab objects (drgn's slab_object_info()) that frame 0's
  registers and those stack words point into and that hold a list_head
  with next == LIST_POISON1 and prev == LIST_POISON2: object, cache,
  allocated, offset of the list_head.
- "fires": the plugin's rule: poison in a register or stack word (a free
  object with poisoned members that a dead register points at is normal
  teardown: objects list_del() their members before they are freed),
  unless "debug_list_crash": the panic task stopped in the list checks
  (__list_*_valid*) after a CONFIG_DEBUG_LIST report, list_debug's case.
- "kt_cursor", "node_offset": ktscen's stale entry and its list member
  offset, when the module is there.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True

from drgn import FaultError, offsetof  # noqa: E402
from drgn.helpers.linux.printk import get_printk_records  # noqa: E402
from drgn.helpers.linux.slab import slab_object_info  # noqa: E402

from common import (  # noqa: E402
    cstr, error_text, hx, note_error, provenance, script_arg, thread_size, write_text)
from jsonout import dumps_compact  # noqa: E402

SCHEMA_VERSION = 1
THREAD_SIZE = thread_size(prog)  # noqa: F821 - the drgn CLI's global
# The out-of-line list_del() check: 6.6 renamed it (commit aebc7b0d8d91
# "list: Introduce CONFIG_LIST_HARDENED").
LIST_DEL_CHECKS = ("__list_del_entry_valid", "__list_del_entry_valid_or_report")
errors = []


def list_del_check():
    for name in LIST_DEL_CHECKS:
        try:
            return name, prog.symbol(name).address
        except LookupError:
            pass
    raise LookupError("no symbol of %s" % " or ".join(LIST_DEL_CHECKS))


def poison_from_code(fn):
    code = prog.read(fn, 128)
    imms = []
    for i in range(len(code) - 10):
        if code[i] in (0x48, 0x49) and 0xb8 <= code[i + 1] <= 0xbf:
            v = int.from_bytes(code[i + 2:i + 10], "little")
            if v >> 48 == 0xdead:
                imms.append(v)
    return imms[:2]


def poison_kind(v, delta):
    if 0 <= v - delta < 0x1000:
        return "list"
    if all((v >> (8 * i)) & 0xff == 0x6b for i in range(2, 8)):
        return "slab_free"
    if all((v >> (8 * i)) & 0xff == 0x5a for i in range(2, 8)):
        return "slab_inuse"
    return None


def stale_of(addr, p1, p2, seen):
    try:
        info = slab_object_info(prog, addr)
    except Exception:  # noqa: BLE001
        return []
    if info is None or info.address in seen:
        return []
    seen.add(info.address)
    size = info.slab_cache.object_size.value_()
    try:
        data = prog.read(info.address, size)
    except FaultError:
        return []
    words = [int.from_bytes(data[i:i + 8], "little") for i in range(0, size - 7, 8)]
    res = []
    for k in range(len(words) - 1):
        if words[k] == p1 and words[k + 1] == p2:
            res.append({
                "object": hx(info.address),
                "cache": cstr(info.slab_cache.name),
                "allocated": bool(info.allocated),
                "list_offset": 8 * k,
            })
    return res


def main(argv):
    dump_path = script_arg(argv, 1)
    out = provenance(SCHEMA_VERSION)
    out["dump"] = dump_path.rsplit("/", 1)[-1] if dump_path else None
    name, fn = list_del_check()
    if name != LIST_DEL_CHECKS[0]:
        out["list_poison_code"] = name
    p1, p2 = poison_from_code(fn)
    delta = p1 - 0x100
    out["list_poison1"], out["list_poison2"] = hx(p1), hx(p2)
    out["poison_pointer_delta"] = hx(delta)
    thread = prog.crashed_thread()
    out["pid"] = thread.tid
    trace = thread.stack_trace()
    regs = trace[0].registers()
    out["poison_regs"] = {k: hx(v) for k, v in sorted(regs.items())
                          if k not in ("rip", "rsp", "rflags", "cs", "ss")
                          and poison_kind(v, delta)}
    top = thread.object.stack.value_() + THREAD_SIZE
    sp = trace[0].sp
    words = []
    values = [v for k, v in regs.items() if k not in ("rip", "rsp")]
    if thread.object.stack.value_() <= sp < top:
        for a in range(sp & ~7, top, 8):
            try:
                w = prog.read_u64(a)
            except FaultError as e:
                note_error(errors, "stack word %s" % hx(a), e)
                break
            values.append(w)
            if poison_kind(w, delta):
                words.append({"at": hx(a), "value": hx(w)})
    out["poison_words"] = words
    seen = set()
    stale = []
    for v in values:
        stale.extend(stale_of(v, p1, p2, seen))
    out["stale"] = sorted(stale, key=lambda x: (x["object"], x["list_offset"]))
    # a CONFIG_DEBUG_LIST report that stopped the kernel is list_debug's
    in_check = any((f.name or "").startswith("__list_") and "_valid" in
                   (f.name or "") for f in trace)
    report = any(r.text.startswith((b"list_del corruption", b"list_add "))
                 for r in get_printk_records(prog))  # noqa: F821
    out["debug_list_crash"] = in_check and report
    out["fires"] = bool(out["poison_regs"] or words) and \
        not out["debug_list_crash"]
    try:
        out["kt_cursor"] = hx(prog["kt_cursor"].value_())
        out["node_offset"] = offsetof(prog.type("struct kt_entry"), "node")
    except (KeyError, LookupError, FaultError):
        out["kt_cursor"] = None
        out["node_offset"] = None
    out["errors"] = errors
    write_text(script_arg(argv, 2), dumps_compact(out, ("stale", "poison_words")))


try:
    main(sys.argv)
except Exception as e:  # noqa: BLE001
    sys.stderr.write("list_poison.py: %s\n" % error_text(e))
    raise
