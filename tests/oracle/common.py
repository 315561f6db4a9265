# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers shared by the drgn oracle scripts facts.py and stacks.py.

The scripts run under the drgn CLI, which gives them the program as the
global `prog`; the functions here take it as an argument instead.  A function
that must not die records a failure with note_error() in the `errors` list
it is given (the script's top-level "errors"), as [{"where", "error"}].
"""

import sys

from drgn import Object, TypeKind, sizeof
from drgn.helpers.linux.percpu import per_cpu
from drgn.helpers.linux.pid import for_each_task
from drgn.helpers.linux.xarray import xa_for_each

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
    """The first keys of an output: schema_version, oracle, drgn_version,
    and drgn_adaptations (drgn_compat.NOTES) where drgn_run.py had to adapt
    the debuginfo or drgn's helpers to this kernel."""
    out = {"schema_version": schema_version, "oracle": "drgn"}
    try:
        import drgn

        out["drgn_version"] = drgn.__version__
    except Exception:  # noqa: BLE001
        out["drgn_version"] = None
    compat = sys.modules.get("drgn_compat")
    if compat is not None and compat.NOTES:
        out["drgn_adaptations"] = list(compat.NOTES)
    return out


def write_text(path, text):
    """Write text to the file path (ASCII, \\n line ends), or to stdout."""
    if path:
        with open(path, "w", encoding="ascii", newline="\n") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


# ---------------------------------------------------------------- layout
#
# What differs between the kernels these scripts run on (5.10, 6.1, 6.12) is
# told by the debuginfo (which types, members and constants exist), never by
# the kernel's version.


def constant_value(prog, name):
    """The value of the enumerator or constant name, or None if the
    debuginfo has none (PG_slab is gone in 6.10+, PGTY_slab is 6.10+)."""
    try:
        return prog[name].value_()
    except (KeyError, LookupError):
        return None


def _strip(t):
    while t.kind in (TypeKind.TYPEDEF, TypeKind.POINTER):
        t = t.type
    return t


def has_member(obj, name):
    """obj (an object or a pointer to one) has the member name, also in an
    anonymous struct or union."""
    return _strip(obj.type_).has_member(name)


def slab_type(prog):
    """"struct slab" (5.17+), else "struct page": before 5.17 the slab
    fields (slab_cache, freelist, counters, s_mem) are in struct page."""
    try:
        prog.type("struct slab")
        return "struct slab"
    except LookupError:
        return "struct page"


def task_state(task):
    """task->__state (5.14+) or task->state (before), as an integer."""
    if has_member(task, "__state"):
        return task.__state.value_()
    return task.state.value_()


def thread_size(prog):
    """THREAD_SIZE: sizeof(union thread_union), else the span of
    __start_init_stack..__end_init_stack, else x86-64's 16 KiB."""
    try:
        return sizeof(prog.type("union thread_union"))
    except LookupError:
        pass
    try:
        return prog.symbol("__end_init_stack").address - prog.symbol("__start_init_stack").address
    except LookupError:
        return 16384


def queue_hw_ctxs(q):
    """(member, [hctx address]) of the blk-mq hctxs of request_queue *q:
    the xarray hctx_table (5.19+) or the array queue_hw_ctx[nr_hw_queues]
    (before), in index order."""
    if has_member(q, "hctx_table"):
        return "hctx_table", [e.value_() for _i, e in xa_for_each(q.hctx_table.address_of_())]
    n = q.nr_hw_queues.value_()
    return "queue_hw_ctx", [q.queue_hw_ctx[i].value_() for i in range(n)]


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


# ---------------------------------------------------------------- pages


def compound_head_address(page, info):
    """The head page's address of the struct page at `page` whose
    compound_head/compound_info word is `info` (bit 0 set: a tail page).
    The rest of the word is the head page's address or (compound_info
    with HugeTLB vmemmap optimisation, where sizeof(struct page) is a power
    of 2) a mask of the high bits to AND with the tail page's address; a
    mask is a run of ones from bit 63 down, which no struct page address
    is."""
    if not info & 1:
        return page
    rest = info & ~1 & 0xFFFFFFFFFFFFFFFF
    low = -rest & 0xFFFFFFFFFFFFFFFF  # the lowest set bit, if rest is a mask
    if rest and low & (low - 1) == 0:
        return page & rest
    return info - 1
