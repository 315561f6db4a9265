# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers shared by the drgn oracle scripts facts.py and stacks.py.

The scripts run under the drgn CLI, which gives them the program as the
global `prog`; the functions here take it as an argument instead.  A function
that must not die records a failure with note_error() in the `errors` list
it is given (the script's top-level "errors"), as [{"where", "error"}].
"""

import sys

from drgn import Object
from drgn.helpers.linux.percpu import per_cpu
from drgn.helpers.linux.pid import for_each_task

try:
    from drgn.helpers.linux.sched import task_cpu as _drgn_task_cpu
except ImportError:  # pragma: no cover - very old drgn
    _drgn_task_cpu = None

# for_each_task() longer than this is taken for a list that does not end.
MAX_TASKS = 1_000_000


# ---------------------------------------------------------------- errors


def error_text(exc):
    """"Type: message", the text of an "error" field."""
    return "%s: %s" % (type(exc).__name__, exc)


def note_error(errors, where, exc):
    errors.append({"where": where, "error": error_text(exc)})


# ---------------------------------------------------------------- values


def hx(v):
    return "0x%x" % v


def cstr(obj):
    return obj.string_().decode("utf-8", errors="backslashreplace")


# ---------------------------------------------------------------- script


def script_arg(argv, i):
    """argv[i], or None if it is missing or "-"."""
    return argv[i] if len(argv) > i and argv[i] != "-" else None


def provenance(schema_version):
    """The first keys of an output: schema_version, oracle, drgn_version."""
    out = {"schema_version": schema_version, "oracle": "drgn"}
    try:
        import drgn

        out["drgn_version"] = drgn.__version__
    except Exception:  # noqa: BLE001
        out["drgn_version"] = None
    return out


def write_text(path, text):
    """Write text to the file path (ASCII, \\n line ends), or to stdout."""
    if path:
        with open(path, "w", encoding="ascii", newline="\n") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


# ---------------------------------------------------------------- cpus


def cpumask_cpus(prog, name):
    """The CPU numbers whose bits are set in the cpumask variable name."""
    bits = prog[name].bits
    cpus = []
    for i in range(len(bits)):
        word = bits[i].value_()
        b = 0
        while word:
            if word & 1:
                cpus.append(i * 64 + b)
            word >>= 1
            b += 1
    return cpus


def possible_cpus(prog):
    return cpumask_cpus(prog, "__cpu_possible_mask")


def rq_of(prog, cpu):
    return per_cpu(prog["runqueues"], cpu)


def runqueue_tasks(prog, cpus, errors):
    """{cpu: (curr address, idle address)} for every CPU of cpus."""
    res = {}
    for cpu in cpus:
        try:
            rq = rq_of(prog, cpu)
            res[cpu] = (rq.curr.value_(), rq.idle.value_())
        except Exception as e:  # noqa: BLE001
            note_error(errors, "runqueue cpu %d" % cpu, e)
    return res


# ---------------------------------------------------------------- tasks


def task_cpu_of(task):
    if _drgn_task_cpu is not None:
        try:
            return int(_drgn_task_cpu(task))
        except Exception:  # noqa: BLE001
            pass
    try:
        return task.thread_info.cpu.value_()
    except AttributeError:
        return task.cpu.value_()


def is_current(rqs, cpu, addr):
    """The task at addr is rq->curr of CPU cpu (rqs from runqueue_tasks)."""
    return cpu in rqs and rqs[cpu][0] == addr


def is_idle(rqs, addr):
    """The task at addr is some CPU's rq->idle."""
    return any(idle == addr for _, idle in rqs.values())


def all_tasks(prog, rqs, make, errors):
    """[make(task, rqs, source)] for every task: each task of for_each_task()
    (source "for_each_task"), then each CPU's rq->idle that it did not list
    (source "runqueue_idle"), by CPU number.

    drgn 0.0.22's for_each_task() walks the PID IDR, which holds no idle
    task (pid 0); crash's ps lists them.  A failure of the walk is noted as
    "for_each_task" and keeps the tasks made so far.  make must not raise.
    """
    seen = set()
    tasks = []
    try:
        for task in for_each_task(prog):
            seen.add(task.value_())
            tasks.append(make(task, rqs, "for_each_task"))
            if len(tasks) > MAX_TASKS:
                raise RuntimeError("task list does not end")
    except Exception as e:  # noqa: BLE001
        note_error(errors, "for_each_task", e)
    for cpu in sorted(rqs):
        idle = rqs[cpu][1]
        if idle and idle not in seen:
            seen.add(idle)
            obj = Object(prog, "struct task_struct *", value=idle)
            tasks.append(make(obj, rqs, "runqueue_idle"))
    return tasks


# ---------------------------------------------------------------- frames


def frame_pc_symbol(frame, f):
    """Set f["pc"] (hex; None and f["pc_error"] where drgn does not know
    it) and f["symbol"] ("name+0xoff/0xsize" of frame.symbol(), or None).
    Return the symbol's name, or None."""
    try:
        pc = frame.pc
        f["pc"] = hx(pc)
    except LookupError as e:
        pc = None
        f["pc"] = None
        f["pc_error"] = str(e)
    f["symbol"] = None
    if pc is not None:
        try:
            sym = frame.symbol()
            f["symbol"] = "%s+0x%x/0x%x" % (sym.name, pc - sym.address, sym.size)
            return sym.name
        except LookupError:
            pass
    return None
