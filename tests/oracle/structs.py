# SPDX-License-Identifier: GPL-2.0-or-later
"""Oracle: drgn's values of whole structs in a crash dump, for `struct`.

Run under the drgn CLI (drgn 0.0.22, Debian python3-drgn):

    drgn -q -c DUMP -s VMLINUX -s ktscen.ko -s null_blk.ko -s nbd.ko \\
        structs.py DUMP OUT.structs.json        # "-" for OUT = stdout

Objects are picked by facts about the scenario, never by address:

- hctx-fq: the `hctx` local of the crashed thread's blk_mq_hw_sysfs_release
  frame (struct blk_mq_hw_ctx), or where there is none (7.2: the crash is
  in call_srcu() under blk_mq_exit_hctx()) of its innermost frame that
  knows `hctx`, its `queue` (struct request_queue) and the crashed task
  (struct task_struct);
- nbd-orphan-hung: nbd0's `config` (struct nbd_config, a type only nbd.ko
  has) and the crashed task;
- any other dump: the crashed task.

Each object lists its top-level members (null for anonymous ones) and its
leaves: a path ("run_work.work.func", "comm", "sched_info.pcount",
"cpus_mask.bits[0]"; anonymous struct and union levels add nothing, array
elements add "[i]") mapped to {"number"} (decimal, signed as the type is),
{"pointer"} (hex), {"string"} (a char array up to its NUL) or {"fault"}.
Enums add "enum" when the value is one enumerator. Arrays list their first
ELEMENTS elements, as ktriage's JSON does.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True

from drgn import FaultError, Object, TypeKind  # noqa: E402
from drgn.helpers.linux.idr import idr_find  # noqa: E402

from common import hx, note_error, provenance, script_arg, write_text  # noqa: E402

SCHEMA_VERSION = 1
ELEMENTS = 16  # KT_VALUE_OUT_ELEMENTS
MAX_DEPTH = 48


def strip(t):
    while t.kind == TypeKind.TYPEDEF:
        t = t.type
    return t


def is_char(t):
    t = strip(t)
    return t.kind == TypeKind.INT and t.size == 1 and "char" in t.name


def leaf(obj, t):
    k = t.kind
    if k in (TypeKind.POINTER, TypeKind.FUNCTION):
        return {"pointer": hx(obj.value_())}
    if k == TypeKind.ENUM:
        v = obj.value_()
        out = {"number": str(v)}
        names = [e.name for e in t.enumerators if e.value == v]
        if names:
            out["enum"] = names[0]
        return out
    if k == TypeKind.BOOL:
        return {"number": str(int(obj.value_()))}
    if k == TypeKind.INT:
        return {"number": str(obj.value_())}
    return None


def walk(obj, path, leaves, depth):
    t = strip(obj.type_)
    k = t.kind
    try:
        if k in (TypeKind.STRUCT, TypeKind.UNION):
            if depth > MAX_DEPTH:
                return
            for m in t.members:
                if m.name is None:
                    sub = Object(prog, m.type, address=obj.address_ + m.bit_offset // 8)
                    walk(sub, path, leaves, depth + 1)
                else:
                    name = path + "." + m.name if path else m.name
                    walk(obj.member_(m.name), name, leaves, depth + 1)
            return
        if k == TypeKind.ARRAY:
            if is_char(t.type):
                leaves[path] = {"string": obj.string_().decode("utf-8", "backslashreplace")}
                return
            n = t.length or 0
            for i in range(min(n, ELEMENTS)):
                walk(obj[i], "%s[%d]" % (path, i), leaves, depth + 1)
            return
        v = leaf(obj, t)
        if v is not None:
            leaves[path] = v
    except FaultError:
        leaves[path] = {"fault": True}


def describe(label, obj, errors):
    t = strip(obj.type_)
    out = {
        "label": label,
        "type": str(obj.type_.type_name()),
        "address": hx(obj.address_),
        "top_members": [m.name for m in t.members],
        "leaves": {},
    }
    try:
        walk(obj, "", out["leaves"], 0)
    except Exception as e:  # noqa: BLE001
        note_error(errors, label, e)
    return out


def crashed_frame_var(function, var):
    """var in the crashed thread's frame of function; without such a frame,
    in its innermost frame where var is not absent."""
    trace = prog.crashed_thread().stack_trace()
    for frame in trace:
        if frame.name == function:
            return frame[var]
    for frame in trace:
        try:
            v = frame[var]
        except (KeyError, LookupError):
            continue
        if not v.absent_:
            return v
    raise LookupError("no %s frame, and no frame knows %s" % (function, var))


def pick(dump, errors):
    objs = []

    def add(label, get):
        try:
            objs.append(describe(label, get(), errors))
        except Exception as e:  # noqa: BLE001
            note_error(errors, label, e)

    base = os.path.basename(dump or "")
    if base.startswith("hctx-fq.") or base == "hctx-fq":
        add("hctx", lambda: crashed_frame_var("blk_mq_hw_sysfs_release", "hctx")[0])
        add("request_queue",
            lambda: crashed_frame_var("blk_mq_hw_sysfs_release", "hctx").queue[0])
    if base.startswith("nbd-orphan-hung"):
        def nbd0_config():
            dev = idr_find(prog["nbd_index_idr"].address_of_(), 0)
            return Object(prog, "struct nbd_device", address=dev.value_()).config[0]

        add("nbd_config", nbd0_config)
    add("task", lambda: prog.crashed_thread().object[0])
    return objs


def main(argv):
    dump = script_arg(argv, 1)
    path = script_arg(argv, 2)
    errors = []
    out = provenance(SCHEMA_VERSION)
    out["dump"] = os.path.basename(dump) if dump else None
    out["elements"] = ELEMENTS
    out["objects"] = pick(dump, errors)
    out["errors"] = errors
    write_text(path, json.dumps(out, indent=1, sort_keys=True) + "\n")


main(sys.argv)
