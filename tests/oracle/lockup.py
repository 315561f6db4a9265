# SPDX-License-Identifier: GPL-2.0-or-later
"""Oracle for the lockup plugin: the lockup detectors' state and the
spinlocks of each CPU's running task, as drgn sees them.

Run under the drgn CLI (see lock_irq.py, whose unwinding through the
pt_regs drgn 0.0.22 stops at this reuses):

    drgn -q -c DUMP -s VMLINUX drgn_run.py --ko ktscen.ko ... \\
        lockup.py DUMP OUT.lockup.json      # "-" for OUT = stdout

Per CPU ("cpus"): the running task (pid, comm); the soft-lockup
watchdog's watchdog_touch_ts and the CPU's rq->clock, and "stuck" =
(rq->clock >> 30) - watchdog_touch_ts (kernel/watchdog.c's now - touch_ts,
with running_clock() = the clock rq->clock is read from; null when the
timestamp was reset by a touch since); hrtimer_interrupts
and hrtimer_interrupts_saved; rcu_data.ticks_this_gp; whether the CPU's bit
is set in the qsmask of the leaf rcu_node covering it.

"rcu": jiffies_64, rcu_state.gp_start and gp_seq, "age" = jiffies -
gp_start (the stall report's t=), and HZ from tick_nsec where the kernel
has one.

"spinners": every native_queued_spin_lock_slowpath frame (drgn's `lock`,
else RDI of the pt_regs its segment starts from). "holders": for each
spinner's lock, the frames of every CPU's running task, in a segment with
no slow-path frame (a waiter's own frames name the lock too), that have a
variable (drgn's StackFrame.locals()) equal to the lock or to the start of
the global that contains it, with the CPU, pid and comm. "names": each lock
as "global.member" (drgn's symbol and the member of its type at that
offset).
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True

from drgn import FaultError, TypeKind, sizeof  # noqa: E402
from drgn.helpers.linux.percpu import per_cpu  # noqa: E402

from common import (  # noqa: E402
    cstr, hx, note_error, possible_cpus, provenance, rq_of, script_arg,
    write_text)
from lock_irq import MAX_SEGMENTS, next_regs, var  # noqa: E402

SCHEMA_VERSION = 1
SLOWPATH = "native_queued_spin_lock_slowpath"


def try_value(fn):
    try:
        return fn()
    except (KeyError, LookupError, FaultError, AttributeError, ValueError,
            TypeError):
        return None


def segments(prog, task):
    """[(frames, regs or None)]: drgn's trace, then one per pt_regs."""
    out = []
    trace = prog.stack_trace(task)
    seen = set()
    regs = None
    for _ in range(MAX_SEGMENTS):
        out.append((list(trace), regs))
        regs = next_regs(trace, seen)
        if regs is None:
            break
        seen.add(regs.value_())
        trace = prog.stack_trace(regs)
    return out


def pointer_locals(frame):
    vals = {}
    try:
        names = frame.locals()
    except Exception:  # noqa: BLE001
        return vals
    for name in names:
        v = var(frame, name)
        if v is not None and v.type_.kind == TypeKind.POINTER:
            vals[name] = v.value_()
    return vals


def qs_pending(prog, cpu):
    """cpu's bit in its leaf rcu_node's qsmask, or None."""
    rs = prog["rcu_state"]
    lvls = prog["rcu_num_lvls"].value_()
    for i in range(prog["rcu_num_nodes"].value_()):
        rnp = rs.node[i]
        if rnp.level.value_() != lvls - 1:
            continue
        lo, hi = rnp.grplo.value_(), rnp.grphi.value_()
        if lo <= cpu <= hi:
            return (rnp.qsmask.value_() >> (cpu - lo)) & 1
    return None


def cpu_facts(prog, cpu, errors):
    rq = rq_of(prog, cpu)
    task = rq.curr
    out = {"cpu": cpu, "task": hx(task.value_()), "pid": task.pid.value_(),
           "comm": cstr(task.comm), "rq_clock": rq.clock.value_()}
    touch = try_value(lambda: per_cpu(prog["watchdog_touch_ts"], cpu).value_())
    out["watchdog_touch_ts"] = touch
    # 0 or ULONG_MAX: touched since (before 5.14 a touch reset it)
    reset = touch in (None, 0, 0xffffffffffffffff)
    out["stuck"] = None if reset else (out["rq_clock"] >> 30) - touch
    for name in ("hrtimer_interrupts", "hrtimer_interrupts_saved"):
        v = try_value(lambda: per_cpu(prog[name], cpu))
        if v is not None and v.type_.kind == TypeKind.STRUCT:
            v = v.counter  # atomic_t since 6.6
        out[name] = v.value_() if v is not None else None
    out["ticks_this_gp"] = try_value(
        lambda: per_cpu(prog["rcu_data"], cpu).ticks_this_gp.value_())
    out["qs_pending"] = try_value(lambda: qs_pending(prog, cpu))
    segs = []
    try:
        for frames, regs in segments(prog, task):
            seg = {"frames": []}
            if regs is not None:
                seg["rdi"] = hx(regs.di.value_())
                seg["rip"] = hx(regs.ip.value_())
            for f in frames:
                try:
                    pc = hx(f.pc)
                except LookupError:
                    pc = None
                seg["frames"].append({"function": f.name, "pc": pc,
                                      "vars": {k: hx(v) for k, v in
                                               sorted(pointer_locals(f).items())}})
            segs.append(seg)
    except Exception as e:  # noqa: BLE001
        note_error(errors, "cpu %d stack" % cpu, e)
    out["segments"] = segs
    return out


def spinners(cpus):
    res = []
    for c in cpus:
        for seg in c["segments"]:
            for f in seg["frames"]:
                if f["function"] != SLOWPATH:
                    continue
                lock = f["vars"].get("lock")
                if lock is None and f["pc"] is not None and f["pc"] == seg.get("rip"):
                    lock = seg.get("rdi")
                if lock is not None:
                    res.append({"cpu": c["cpu"], "pid": c["pid"],
                                "comm": c["comm"], "lock": lock})
    return res


def container(prog, addr):
    """The start and name of the symbol containing addr, or None."""
    try:
        sym = prog.symbol(addr)
    except LookupError:
        return None
    return sym


def lock_name(prog, addr):
    sym = container(prog, addr)
    if sym is None:
        return None
    try:
        obj = prog[sym.name]
    except KeyError:
        return None
    off = addr - sym.address
    name = sym.name
    t = obj.type_
    for _ in range(8):
        while t.kind == TypeKind.TYPEDEF:
            t = t.type
        if t.kind not in (TypeKind.STRUCT, TypeKind.UNION):
            break
        for m in t.members:
            size = try_value(lambda: sizeof(m.type)) or 0
            if m.bit_offset // 8 <= off < m.bit_offset // 8 + max(size, 1):
                name += "." + m.name
                off -= m.bit_offset // 8
                t = m.type
                break
        else:
            break
        if off == 0 and size in (4, 8):
            break
    return name


def holders(prog, cpus, spins):
    res = []
    for lock in sorted({s["lock"] for s in spins}):
        addr = int(lock, 16)
        sym = container(prog, addr)
        wanted = {addr} | ({sym.address} if sym is not None else set())
        for c in cpus:
            for seg in c["segments"]:
                if any(f["function"] == SLOWPATH for f in seg["frames"]):
                    continue
                for f in seg["frames"]:
                    if any(int(v, 16) in wanted for v in f["vars"].values()):
                        res.append({"lock": lock, "cpu": c["cpu"],
                                    "pid": c["pid"], "comm": c["comm"],
                                    "function": f["function"]})
    return res


def rcu_facts(prog):
    rs = prog["rcu_state"]
    out = {"jiffies": prog["jiffies_64"].value_(),
           "gp_start": rs.gp_start.value_(), "gp_seq": rs.gp_seq.value_()}
    out["age"] = (out["jiffies"] - out["gp_start"]) & 0xffffffffffffffff
    tick_nsec = try_value(lambda: prog["tick_nsec"].value_())
    out["hz"] = round(1e9 / tick_nsec) if tick_nsec else None
    out["watchdog_thresh"] = try_value(lambda: prog["watchdog_thresh"].value_())
    return out


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
    spins = spinners(cpus)
    out["cpus"] = cpus
    out["spinners"] = spins
    out["holders"] = holders(prog, cpus, spins)
    out["names"] = {s["lock"]: lock_name(prog, int(s["lock"], 16)) for s in spins}
    try:
        out["rcu"] = rcu_facts(prog)
    except (KeyError, LookupError, FaultError) as e:
        note_error(errors, "rcu", e)
        out["rcu"] = None
    out["errors"] = errors
    write_text(script_arg(argv, 2), json.dumps(out, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":  # blk_mq.py imports the unwinding
    main(prog, sys.argv)  # noqa: F821 - prog is the drgn CLI's global
