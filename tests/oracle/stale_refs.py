# SPDX-License-Identifier: GPL-2.0-or-later
"""Oracle for the stale_refs plugin: the freed request of the stale-ref
scenario, as drgn 0.0.22 sees it.

    drgn -q -c DUMP -s VMLINUX -s ktscen.ko -s null_blk.ko -s nbd.ko \\
        stale_refs.py DUMP OUT.json      # "-" for OUT = stdout

- "log_request": the address the module printed in "ktscen: waiting on a
  freed request ADDR" (drgn's get_printk_records()), or None.
- "waiter": on a dump with a "kt_reqwait" kthread (ktscen's stale_ref
  scenario): its pid, comm and __state; drgn's stack trace of it, and in
  the frame of kt_req_wait the values drgn reads of the variables `w.req`
  (a member of the on-stack struct kt_waiter) and `req` (None where drgn
  cannot read it); and slab_object_info() of w.req: the object's address,
  its cache (name, object_size) and `allocated`. None on other dumps.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True

from drgn.helpers.linux.pid import for_each_task  # noqa: E402
from drgn.helpers.linux.printk import get_printk_records  # noqa: E402
from drgn.helpers.linux.slab import slab_object_info  # noqa: E402

from common import (  # noqa: E402
    cstr, error_text, frame_pc_symbol, hx, note_error, provenance,
    script_arg, task_state, write_text)
from jsonout import dumps_compact  # noqa: E402

SCHEMA_VERSION = 1
WAITER_COMM = b"kt_reqwait"
LOG_RE = re.compile(rb"waiting on a freed request ([0-9a-f]+)")
errors = []


def log_request():
    addr = None
    for r in get_printk_records(prog):  # noqa: F821 - the drgn CLI's global
        m = LOG_RE.search(r.text)
        if m:
            addr = int(m.group(1), 16)
    return addr


def variable(frame, name, member=None):
    try:
        v = frame[name]
        if v.absent_:
            return None
        return (v.member_(member) if member else v).value_()
    except (KeyError, LookupError, ValueError):
        return None
    except Exception as e:  # noqa: BLE001 - a fault
        note_error(errors, "variable %s" % name, e)
        return None


def object_facts(addr):
    try:
        info = slab_object_info(prog, addr)  # noqa: F821
    except Exception as e:  # noqa: BLE001
        note_error(errors, "slab_object_info(%s)" % hx(addr), e)
        return None
    if info is None:
        return None
    return {
        "object": hx(info.address),
        "cache": cstr(info.slab_cache.name),
        "object_size": info.slab_cache.object_size.value_(),
        "allocated": bool(info.allocated),
    }


def waiter_facts(task):
    out = {"pid": task.pid.value_(), "comm": cstr(task.comm),
           "task": hx(task.value_()), "state": task_state(task)}
    frames = []
    out["frames"] = frames
    out["frame"] = None
    for i, frame in enumerate(prog.stack_trace(task)):  # noqa: F821
        f = {"index": i}
        name = frame_pc_symbol(frame, f)
        frames.append(name)
        if name != "kt_req_wait" or out["frame"] is not None:
            continue
        out["frame"] = i
        w_req = variable(frame, "w", "req")
        req = variable(frame, "req")
        out["w.req"] = hx(w_req) if w_req is not None else None
        out["req"] = hx(req) if req is not None else None
        out["slab"] = object_facts(w_req) if w_req else None
    return out


def main(argv):
    dump_path = script_arg(argv, 1)
    out = provenance(SCHEMA_VERSION)
    out["dump"] = dump_path.rsplit("/", 1)[-1] if dump_path else None
    try:
        addr = log_request()
    except Exception as e:  # noqa: BLE001
        note_error(errors, "log", e)
        addr = None
    out["log_request"] = hx(addr) if addr is not None else None
    out["waiter"] = None
    for task in for_each_task(prog):  # noqa: F821
        if task.comm.string_() == WAITER_COMM:
            out["waiter"] = waiter_facts(task)
            break
    out["errors"] = errors
    write_text(script_arg(argv, 2), dumps_compact(out, ()))


try:
    main(sys.argv)
except Exception as e:  # noqa: BLE001
    sys.stderr.write("stale_refs.py: %s\n" % error_text(e))
    raise
