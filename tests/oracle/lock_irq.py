# SPDX-License-Identifier: GPL-2.0-or-later
"""Oracle for the lock_irq plugin: drgn's view of each CPU's running task.

Run under the drgn CLI (drgn 0.0.22, Debian python3-drgn):

    drgn -q -c DUMP -s VMLINUX -s ktscen.ko -s null_blk.ko -s nbd.ko \\
        lock_irq.py DUMP OUT.lock_irq.json      # "-" for OUT = stdout

drgn 0.0.22 stops unwinding where an NMI or an IRQ entered (the frame
after sysvec_apic_timer_interrupt has no pc). This script records where
its own unwind stopped ("drgn_frames"), then goes on by hand: the `regs`
variable (struct pt_regs *) of the outermost frame that has one is the
interrupted context, and prog.stack_trace(regs) unwinds from it. Each
segment lists its frames (function, pc, and the `lock` parameter and
pointer-valued `c` where drgn can read them) and the pt_regs it started
from (address, rip, rdi, flags).

"spinners": every frame named native_queued_spin_lock_slowpath, with its
CPU, drgn's `lock` parameter and RDI of the pt_regs that segment started
from. "scenario": for irq-lock, the address of kt_mctx.lock (ktscen.ko's
DWARF) and the lock word.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True

from drgn import FaultError  # noqa: E402

from common import (  # noqa: E402
    cstr, hx, note_error, possible_cpus, provenance, rq_of, script_arg,
    write_text)

SCHEMA_VERSION = 1
MAX_SEGMENTS = 4


def var(frame, name):
    try:
        v = frame[name]
        if v.absent_:
            return None
        return v.read_()
    except Exception:  # noqa: BLE001 - absent, optimized out, a fault
        return None


def frame_facts(frame):
    f = {"function": frame.name}
    try:
        f["pc"] = hx(frame.pc)
    except LookupError:
        f["pc"] = None
    for name in ("lock", "c"):
        v = var(frame, name)
        if v is not None and v.type_.kind.name == "POINTER":
            f[name] = hx(v.value_())
    return f


def next_regs(trace, seen):
    """The pt_regs the outermost frame with a `regs` variable names, unless
    its ip is 0: the empty pt_regs at a kernel thread's stack top, which
    ret_from_fork() has as its `regs` parameter where it is C (6.2+)."""
    for frame in reversed(list(trace)):
        v = var(frame, "regs")
        if v is None or v.type_.kind.name != "POINTER":
            continue
        if v.type_.type.type_name() != "struct pt_regs":
            continue
        if v.value_() and v.value_() not in seen:
            try:
                if not v.ip.value_():
                    continue
            except FaultError:
                continue
            return v
    return None


def cpu_facts(prog, cpu, errors):
    task = rq_of(prog, cpu).curr
    out = {"cpu": cpu, "task": hx(task.value_()), "pid": task.pid.value_(),
           "comm": cstr(task.comm), "segments": []}
    trace = prog.stack_trace(task)
    out["drgn_frames"] = [f.name for f in trace]
    seen = set()
    regs = None
    for _ in range(MAX_SEGMENTS):
        seg = {"frames": [frame_facts(f) for f in trace]}
        if regs is not None:
            seg["pt_regs"] = hx(regs.value_())
            seg["rip"] = hx(regs.ip.value_())
            seg["rdi"] = hx(regs.di.value_())
            seg["flags"] = hx(regs.flags.value_())
        out["segments"].append(seg)
        regs = next_regs(trace, seen)
        if regs is None:
            break
        seen.add(regs.value_())
        try:
            trace = prog.stack_trace(regs)
        except Exception as e:  # noqa: BLE001
            note_error(errors, "cpu %d pt_regs %s" % (cpu, hx(regs.value_())), e)
            break
    return out


def spinners(cpus):
    res = []
    for c in cpus:
        for seg in c["segments"]:
            for f in seg["frames"]:
                if f["function"] == "native_queued_spin_lock_slowpath":
                    at_regs = f["pc"] is not None and f["pc"] == seg.get("rip")
                    res.append({"cpu": c["cpu"], "lock": f.get("lock"),
                                "segment_rdi": seg["rdi"] if at_regs else None})
    return res


def main(prog, argv):
    out = provenance(SCHEMA_VERSION)
    errors = []
    out["dump"] = os.path.basename(argv[1]) if len(argv) > 1 else None
    cpus = []
    for cpu in possible_cpus(prog):
        try:
            cpus.append(cpu_facts(prog, cpu, errors))
        except Exception as e:  # noqa: BLE001
            note_error(errors, "cpu %d" % cpu, e)
    out["cpus"] = cpus
    out["spinners"] = spinners(cpus)
    try:
        lock = prog["kt_mctx"].lock
        out["scenario"] = {"lock": hx(lock.address_),
                           "value": lock.rlock.raw_lock.val.counter.value_()}
    except (KeyError, LookupError, FaultError):
        # no ktscen loaded: drgn puts the .ko's symbols near 0
        out["scenario"] = None
    out["errors"] = errors
    write_text(script_arg(argv, 2), json.dumps(out, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":  # lockup.py imports the unwinding
    main(prog, sys.argv)  # noqa: F821 - prog is the drgn CLI's global
