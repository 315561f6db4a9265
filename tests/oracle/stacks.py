# SPDX-License-Identifier: GPL-2.0-or-later
"""Oracle: drgn's stack trace of every task of a kernel crash dump, as JSON.

Run under the drgn CLI (drgn 0.0.22, Debian python3-drgn):

    drgn -q -c DUMP -s VMLINUX -s ktscen.ko -s null_blk.ko -s nbd.ko \\
        stacks.py DUMP OUT.stacks.json        # "-" for OUT = stdout

DUMP is used only for the "dump" file name in the output (a drgn 0.0.22
script cannot learn which core file it was given).

Tasks are every task of for_each_task() plus each possible CPU's
per_cpu(runqueues).idle that for_each_task() did not list, exactly the set
facts.py lists.  Each gets prog.stack_trace(task); the crashed thread also
gets prog.crashed_thread().stack_trace() under "crashed".

The script must never die half-way: a task whose unwind fails gets an
"error" string and keeps the fields read before the failure; a frame field
drgn cannot give is null (with "pc_error" for the pc).  See README.md.
"""

import json
import os
import re
import sys

# drgn runs this file with runpy, so its folder is not on sys.path: add it
# for common.py, and write no __pycache__ into the source tree.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True

from common import (  # noqa: E402
    all_tasks,
    cstr,
    error_text,
    frame_pc_symbol,
    hx,
    is_current,
    is_idle,
    note_error,
    possible_cpus,
    provenance,
    runqueue_tasks,
    script_arg,
    task_cpu_of,
    write_text,
)

SCHEMA_VERSION = 1

# No real kernel stack is this deep; a longer trace means a runaway unwind.
MAX_FRAMES = 256

DRGN_KNOWN_LIMITS = (
    "These are drgn 0.0.22's unwinds, recorded as drgn gives them; they are "
    "not all facts about the dump. "
    "(1) Module frames: drgn 0.0.22 does not read module ORC or symbols from "
    "the dump's memory, so a frame in a module (ktscen, null_blk, nbd) "
    "resolves and unwinds only when that module's .ko is given with -s; "
    "without null_blk.ko the hctx-fq-exit trace is garbage after the null_blk "
    "frame. gen.sh passes every fixtures/modules/*.ko. "
    "(2) IRQ stacks: drgn 0.0.22 does not cross from the hard-IRQ stack to "
    "the task stack. On irq-lock both CPUs' current tasks (kt_merge_peer, "
    "the crashed thread, and kt_merge) stop after "
    "sysvec_apic_timer_interrupt with a last frame whose pc is unknown "
    "(pc null, pc_error set); the task-stack frames below it "
    "(kt_other_thread; delay_tsc, kt_merge_one, kt_merge_thread) are "
    "missing. "
    "(3) Inline frames: an inlined call is its own frame (is_inline true) "
    "with the same pc and sp as the frame of the function it was inlined "
    "into, which follows it; count frames with is_inline false to compare "
    "with an unwinder that has no inline frames. "
    "(4) symbol is drgn's frame.symbol(), i.e. the ELF symbol at pc - 1 for "
    "a call frame (pc is a return address) and at pc for an interrupted "
    "frame; its size is ELF st_size, not the kallsyms size the kernel "
    "prints, and it may be a .cold part (function holds the DWARF name). "
    "(5) for_each_task() lists no idle task (pid 0); they are added from "
    "per_cpu(runqueues).idle with source runqueue_idle. "
    "(6) A task with on_cpu set (in these dumps exactly the is_current "
    "tasks) is unwound from its CPU's PRSTATUS registers, saved by the "
    "crash or by the NMI that stopped the CPU, so its frame 0 is "
    "interrupted; every other task is unwound from its saved thread.sp "
    "(frame 0 is then the inlined context_switch in __schedule, in every "
    "such task of these dumps). "
    "(7) A task that entered the kernel from user space ends with an "
    "interrupted frame holding the user pc and sp (pt_regs); its function, "
    "symbol, file and line are null. drgn does not unwind user space."
)

# (2) where the kernel switches to the IRQ stack in asm_call_on_stack()
# (5.8 to 5.11): its ORC entry (SP_INDIRECT) leads back to the task stack.
IRQ_LIMIT = DRGN_KNOWN_LIMITS[DRGN_KNOWN_LIMITS.index("(2) "):DRGN_KNOWN_LIMITS.index("(3) ")]
IRQ_LIMIT_ASM_CALL_ON_STACK = (
    "(2) IRQ stacks: this kernel switches to the hard-IRQ stack in "
    "asm_call_on_stack() (asm_call_irq_on_stack), whose ORC entry leads back "
    "to the task stack, and drgn 0.0.22 crosses it: on irq-lock the traces "
    "of both CPUs' current tasks go on from sysvec_apic_timer_interrupt "
    "through asm_sysvec_apic_timer_interrupt to the interrupted task-stack "
    "frames (kt_other_thread; delay_tsc, kt_merge_one, kt_merge_thread), "
    "and every frame has a pc. "
)

errors = []


def known_limits():
    """DRGN_KNOWN_LIMITS, with (2) as it is on this kernel."""
    try:
        prog.symbol("asm_call_on_stack")
    except LookupError:
        return DRGN_KNOWN_LIMITS
    return DRGN_KNOWN_LIMITS.replace(IRQ_LIMIT, IRQ_LIMIT_ASM_CALL_ON_STACK)


# ---------------------------------------------------------------- frames


def frame_facts(i, frame):
    """One frame.  Every field is read on its own: drgn raises LookupError
    for e.g. the pc of the frame it could not unwind into."""
    f = {"index": i}
    try:
        f["is_inline"] = bool(frame.is_inline)
    except Exception:  # noqa: BLE001
        f["is_inline"] = None
    try:
        f["interrupted"] = bool(frame.interrupted)
    except Exception:  # noqa: BLE001
        f["interrupted"] = None
    sym_name = frame_pc_symbol(frame, f)
    try:
        f["sp"] = hx(frame.sp)
    except LookupError:
        f["sp"] = None
    name = frame.name
    f["function"] = name if name is not None else sym_name
    f["file"] = None
    f["line"] = None
    try:
        fn, line, _col = frame.source()
        f["file"] = fn
        f["line"] = line
    except LookupError:
        pass
    return f


def trace_facts(where, get_trace, d):
    """Fill d["frames"] (and d["error"] on failure) from get_trace()."""
    frames = []
    d["frames"] = frames
    try:
        trace = get_trace()
        for i, frame in enumerate(trace):
            if i >= MAX_FRAMES:
                d["truncated"] = True
                break
            try:
                frames.append(frame_facts(i, frame))
            except Exception as e:  # noqa: BLE001
                frames.append({"index": i, "error": error_text(e)})
                note_error(errors, "%s frame %d" % (where, i), e)
    except Exception as e:  # noqa: BLE001
        d["error"] = error_text(e)
        note_error(errors, where, e)
    d["nr_frames"] = len(frames)


# ---------------------------------------------------------------- tasks


def task_stack(task, rqs, source):
    addr = task.value_()
    t = {"task": hx(addr), "source": source}
    try:
        t["pid"] = task.pid.value_()
        t["comm"] = cstr(task.comm)
        cpu = task_cpu_of(task)
        t["cpu"] = cpu
        t["on_cpu"] = task.on_cpu.value_()
        t["is_current"] = is_current(rqs, cpu, addr)
        t["idle"] = is_idle(rqs, addr)
    except Exception as e:  # noqa: BLE001
        t["error"] = error_text(e)
        note_error(errors, "task %s" % hx(addr), e)
        t["frames"] = []
        t["nr_frames"] = 0
        return t
    trace_facts("task %s" % hx(addr), lambda: prog.stack_trace(task), t)
    return t


def tasks_stacks():
    rqs = runqueue_tasks(prog, possible_cpus(prog), errors)
    tasks = all_tasks(prog, rqs, task_stack, errors)
    tasks.sort(key=lambda t: int(t["task"], 16))
    return tasks


def crashed_stack(tasks):
    d = {}
    try:
        thread = prog.crashed_thread()
        task = thread.object
        d["tid"] = thread.tid
        d["task"] = hx(task.value_())
        d["pid"] = task.pid.value_()
        d["comm"] = cstr(task.comm)
        d["cpu"] = task_cpu_of(task)
    except Exception as e:  # noqa: BLE001
        d["error"] = error_text(e)
        note_error(errors, "crashed", e)
        d["frames"] = []
        d["nr_frames"] = 0
        return d
    trace_facts("crashed", thread.stack_trace, d)
    same = None
    for t in tasks:
        if t["task"] == d["task"]:
            same = t["frames"] == d["frames"]
    d["same_as_task_trace"] = same
    return d


def summary(tasks):
    frames = [f for t in tasks for f in t["frames"]]
    return {
        "tasks": len(tasks),
        "tasks_with_error": sum(1 for t in tasks if "error" in t),
        "frames": len(frames),
        "inline_frames": sum(1 for f in frames if f.get("is_inline")),
        "interrupted_frames": sum(1 for f in frames if f.get("interrupted")),
        "frames_without_pc": sum(1 for f in frames if f.get("pc") is None),
        "frames_without_function": sum(1 for f in frames if f.get("function") is None),
        "frames_without_source": sum(1 for f in frames if f.get("file") is None),
        "max_frames": max((len(t["frames"]) for t in tasks), default=0),
    }


# ---------------------------------------------------------------- output


def dumps(out):
    """Pretty JSON (indent 2, sorted keys, ASCII), but each frame on one
    line: still valid JSON, readable, and a quarter smaller than with each
    frame spread over twelve lines."""
    compact = []

    def mark(frames):
        res = []
        for f in frames:
            compact.append(json.dumps(f, sort_keys=True, ensure_ascii=True))
            res.append("\0F%d\0" % (len(compact) - 1))
        return res

    marked = dict(out)
    marked["crashed"] = dict(out["crashed"], frames=mark(out["crashed"]["frames"]))
    marked["tasks"] = [dict(t, frames=mark(t["frames"])) for t in out["tasks"]]
    text = json.dumps(marked, indent=2, sort_keys=True, ensure_ascii=True)
    text = re.sub(r'"\\u0000F(\d+)\\u0000"', lambda m: compact[int(m.group(1))], text)
    return text + "\n"


def main(argv):
    dump_path = script_arg(argv, 1)
    json_path = script_arg(argv, 2)

    out = provenance(SCHEMA_VERSION)
    out["dump"] = dump_path.rsplit("/", 1)[-1] if dump_path else None
    out["drgn_known_limits"] = known_limits()

    tasks = tasks_stacks()
    out["tasks"] = tasks
    out["crashed"] = crashed_stack(tasks)
    out["summary"] = summary(tasks)
    out["errors"] = errors

    write_text(json_path, dumps(out))


main(sys.argv)
