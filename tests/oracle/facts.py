# SPDX-License-Identifier: GPL-2.0-or-later
"""Oracle: print facts about a kernel crash dump as JSON, using drgn.

Run under the drgn CLI (drgn 0.0.22, Debian python3-drgn):

    drgn -q -c DUMP -s VMLINUX [-s MODULE.ko ...] facts.py DUMP OUT.json OUT.log.txt

DUMP is repeated as the first script argument because drgn 0.0.22 gives a
script no way to learn the core file's path; it is used only to read the
kdump-compressed file header (VMCOREINFO copy, dump level, ...).  Every other
fact comes from the kernel's memory through drgn.

The script must never die half-way: each section and each task is evaluated
on its own, and a failure is recorded in the output ("errors" at the top level,
"error" inside a task) instead of aborting.  See README.md for the fields.
"""

import json
import os
import struct
import sys
import traceback

from drgn.helpers.linux.list import list_for_each_entry
from drgn.helpers.linux.printk import get_printk_records

# drgn runs this file with runpy, so its folder is not on sys.path: add it
# for common.py, and write no __pycache__ into the source tree.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True

from common import (  # noqa: E402
    all_tasks,
    cpumask_cpus,
    cstr,
    has_member,
    error_text,
    frame_pc_symbol,
    hx,
    is_current,
    is_idle,
    note_error,
    provenance,
    rq_of,
    runqueue_tasks,
    script_arg,
    task_cpu_of,
    task_state,
    write_text,
)

SCHEMA_VERSION = 1

# Task state bits of Linux 6.1 (include/linux/sched.h); 5.10 and 6.12 have
# the same values for these.
TASK_RUNNING = 0x0000
TASK_INTERRUPTIBLE = 0x0001
TASK_UNINTERRUPTIBLE = 0x0002
TASK_STOPPED = 0x0004  # __TASK_STOPPED
TASK_TRACED = 0x0008  # __TASK_TRACED
EXIT_DEAD = 0x0010
EXIT_ZOMBIE = 0x0020
TASK_PARKED = 0x0040
TASK_DEAD = 0x0080
TASK_WAKEKILL = 0x0100
TASK_WAKING = 0x0200
TASK_NOLOAD = 0x0400
TASK_NEW = 0x0800

PF_KTHREAD = 0x00200000
PF_IDLE = 0x00000002

# x86-64 link address of _text in vmlinux (CONFIG_PHYSICAL_START 16M).
X86_64_TEXT_LINK_ADDR = 0xFFFFFFFF81000000

errors = []


def section(out, key, fn):
    """Evaluate fn() into out[key]; on failure record the error, store None."""
    try:
        out[key] = fn()
    except Exception as e:  # noqa: BLE001 - an oracle must not die
        note_error(errors, key, e)
        traceback.print_exc(file=sys.stderr)
        out[key] = None


def escape_log_text(b):
    """Escape a record text the way makedumpfile --dump-dmesg does:
    printable and whitespace bytes as is, anything else as \\xNN."""
    out = []
    for c in b:
        ch = chr(c)
        if 0x20 <= c < 0x7F or ch in "\t\n\v\f\r":
            out.append(ch)
        else:
            out.append("\\x%02x" % c)
    return "".join(out)


# ---------------------------------------------------------------- vmcoreinfo


def parse_vmcoreinfo(text):
    d = {}
    for line in text.splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            d[k] = v
    return d


def vmcoreinfo_from_memory():
    """Read the VMCOREINFO ELF note the kernel filled at crash time.

    vmcoreinfo_data itself is not usable here: at kexec load time
    (kimage_crash_copy_vmcoreinfo) it is switched to a vmap of a page inside
    the crashkernel reservation, which makedumpfile does not dump.
    vmcoreinfo_note is a normal direct-map page holding an Elf64_Nhdr,
    the name "VMCOREINFO\\0" padded to 4 bytes, then the text."""
    note = prog["vmcoreinfo_note"].value_()
    hdr = prog.read(note, 12)
    namesz, descsz, _ntype = struct.unpack("<III", hdr)
    name_len = (namesz + 3) & ~3
    name = prog.read(note + 12, namesz).rstrip(b"\0")
    if name != b"VMCOREINFO":
        raise ValueError("vmcoreinfo_note name is %r" % name)
    desc = prog.read(note + 12 + name_len, descsz)
    return desc.rstrip(b"\0").decode("ascii", errors="backslashreplace")


def kdump_file_header(path):
    """Parse the kdump-compressed (diskdump) header of makedumpfile output.

    disk_dump_header (makedumpfile diskdump_mod.h) on x86-64:
      0 signature[8] "KDUMP   ", 8 header_version, 12 utsname (6*65),
      408 timestamp (timeval), 424 status, 428 block_size, 432 sub_hdr_size,
      436 bitmap_blocks, 440 max_mapnr, 444 total_ram_blocks,
      448 device_blocks, 452 written_blocks, 456 current_cpu, 460 nr_cpus.
    kdump_sub_header at offset block_size:
      0 phys_base, 8 dump_level, 12 split, 16 start_pfn, 24 end_pfn,
      32 offset_vmcoreinfo, 40 size_vmcoreinfo, 48 offset_note, 56 size_note.
    """
    with open(path, "rb") as f:
        h = f.read(464)
        if h[:8] != b"KDUMP   ":
            return {"format": "not-kdump-compressed", "signature": repr(h[:8])}
        (version,) = struct.unpack_from("<i", h, 8)
        ts_sec, ts_usec = struct.unpack_from("<qq", h, 408)
        status, block_size = struct.unpack_from("<Ii", h, 424)
        (max_mapnr,) = struct.unpack_from("<I", h, 440)
        current_cpu, nr_cpus = struct.unpack_from("<Ii", h, 456)
        f.seek(block_size)
        s = f.read(64)
        phys_base, dump_level, split = struct.unpack_from("<Qii", s, 0)
        off_vi, size_vi = struct.unpack_from("<QQ", s, 32)
        f.seek(off_vi)
        vmcoreinfo = f.read(size_vi).decode("ascii", errors="backslashreplace")
    compression = []
    for bit, nm in ((1, "zlib"), (2, "lzo"), (4, "snappy"), (0x20, "zstd")):
        if status & bit:
            compression.append(nm)
    return {
        "format": "kdump-compressed",
        "header_version": version,
        "timestamp_sec": ts_sec,
        "timestamp_usec": ts_usec,
        "status": status,
        "compression": compression,
        "block_size": block_size,
        "max_mapnr": max_mapnr,
        "current_cpu": current_cpu,
        "nr_cpus": nr_cpus,
        "phys_base": hx(phys_base),
        "dump_level": dump_level,
        "split": split,
        "_vmcoreinfo": vmcoreinfo,
    }


# ---------------------------------------------------------------- cpus


def cpus_facts():
    online = cpumask_cpus(prog, "__cpu_online_mask")
    present = cpumask_cpus(prog, "__cpu_present_mask")
    possible = cpumask_cpus(prog, "__cpu_possible_mask")
    active = cpumask_cpus(prog, "__cpu_active_mask")
    return {
        "nr_cpu_ids": prog["nr_cpu_ids"].value_(),
        "online": online,
        "online_count": len(online),
        "present": present,
        "present_count": len(present),
        "possible": possible,
        "possible_count": len(possible),
        "active": active,
        "active_count": len(active),
    }


# ---------------------------------------------------------------- tasks


def crash_state(state, exit_state):
    """The two-letter state crash's ps prints (task.c task_state_string),
    for Linux 6.1 bit values.  Later tests override earlier ones, exactly as
    crash's successive sprintf()s do."""
    s = state | exit_state
    r = "??"
    if s == TASK_RUNNING:
        r = "RU"
    has = False
    if s & TASK_INTERRUPTIBLE:
        r, has = "IN", True
    if s & TASK_UNINTERRUPTIBLE:
        # TASK_IDLE = TASK_UNINTERRUPTIBLE | TASK_NOLOAD
        r, has = ("ID" if s & TASK_NOLOAD else "UN"), True
    if s & EXIT_ZOMBIE:
        r, has = "ZO", True
    if s & TASK_STOPPED:
        r, has = "ST", True
    if s & TASK_TRACED:
        r, has = "TR", True
    if (s & (EXIT_DEAD | TASK_DEAD)) and not has:
        r, has = "DE", True
    if s == TASK_PARKED:
        r = "PA"
    if s == TASK_WAKING:
        r = "WA"
    if s == TASK_NEW:
        r = "NE"
    return r


def task_facts(task, rqs, source):
    addr = task.value_()
    t = {"task": hx(addr), "source": source}
    try:
        t["pid"] = task.pid.value_()
        t["tgid"] = task.tgid.value_()
        t["comm"] = cstr(task.comm)
        state = task_state(task)
        exit_state = task.exit_state.value_()
        t["state_raw"] = state
        t["exit_state_raw"] = exit_state
        t["state"] = crash_state(state, exit_state)
        t["flags"] = hx(task.flags.value_())
        t["kthread"] = bool(task.flags.value_() & PF_KTHREAD)
        t["on_cpu"] = task.on_cpu.value_()
        cpu = task_cpu_of(task)
        t["cpu"] = cpu
        rp = task.real_parent
        t["real_parent"] = hx(rp.value_())
        t["real_parent_pid"] = rp.pid.value_()
        t["real_parent_tgid"] = rp.tgid.value_()
        # crash's ps PPID column: pid of task_struct.real_parent.
        t["ppid"] = t["real_parent_pid"]
        t["parent_pid"] = task.parent.pid.value_()
        t["is_current"] = is_current(rqs, cpu, addr)
        t["idle"] = is_idle(rqs, addr)
    except Exception as e:  # noqa: BLE001
        t["error"] = error_text(e)
        note_error(errors, "task %s" % hx(addr), e)
    return t


def tasks_facts(possible):
    rqs = runqueue_tasks(prog, possible, errors)
    # for_each_task plus the idle tasks it leaves out; crash's ps lists them.
    tasks = all_tasks(prog, rqs, task_facts, errors)
    tasks.sort(key=lambda t: (t.get("pid", -1), t.get("cpu", -1), t["task"]))
    return tasks


def runqueues_facts(possible):
    out = []
    for cpu in possible:
        rq = rq_of(prog, cpu)
        out.append(
            {
                "cpu": cpu,
                "curr": hx(rq.curr.value_()),
                "curr_pid": rq.curr.pid.value_(),
                "curr_comm": cstr(rq.curr.comm),
                "idle": hx(rq.idle.value_()),
                "nr_running": rq.nr_running.value_(),
            }
        )
    return out


def task_counts(tasks):
    """Summary of the task list.  nr_threads counts every task but the idle
    tasks (copy_process() skips them), so it should equal
    from_for_each_task; crash's ps shows from_for_each_task + added_idle."""
    counts = {}
    for t in tasks:
        s = t.get("state", "error")
        counts[s] = counts.get(s, 0) + 1
    return {
        "total": len(tasks),
        "from_for_each_task": sum(1 for t in tasks if t["source"] == "for_each_task"),
        "added_idle": sum(1 for t in tasks if t["source"] == "runqueue_idle"),
        "by_state": counts,
        "errors": sum(1 for t in tasks if "error" in t),
        "nr_threads": prog["nr_threads"].value_(),
    }


# ---------------------------------------------------------------- crash


def crashed_thread_facts():
    thread = prog.crashed_thread()
    task = thread.object
    d = {
        "tid": thread.tid,
        "task": hx(task.value_()),
        "comm": cstr(task.comm),
        "pid": task.pid.value_(),
        "tgid": task.tgid.value_(),
        "cpu": task_cpu_of(task),
    }
    d["state"] = crash_state(task_state(task), task.exit_state.value_())
    return d


def frame_facts(i, frame):
    """One frame; every field is looked up on its own, since drgn raises
    LookupError for e.g. the pc of the frame it could not unwind into."""
    f = {"index": i, "is_inline": bool(frame.is_inline)}
    f["interrupted"] = bool(frame.interrupted)
    sym_name = frame_pc_symbol(frame, f)
    f["function"] = frame.name if frame.name is not None else sym_name
    try:
        fn, line, _col = frame.source()
        f["source"] = "%s:%d" % (fn, line)
    except LookupError:
        f["source"] = None
    return f


def crashed_stack_facts():
    trace = prog.crashed_thread().stack_trace()
    frames = []
    for i, frame in enumerate(trace):
        try:
            frames.append(frame_facts(i, frame))
        except Exception as e:  # noqa: BLE001
            frames.append({"index": i, "error": error_text(e)})
        if i >= 256:
            break
    return frames


def panic_facts():
    d = {"panic_cpu": prog["panic_cpu"].counter.value_()}
    # PANIC_CPU_INVALID is -1: nobody called panic().
    try:
        d["crashing_cpu"] = prog["crashing_cpu"].value_()
    except KeyError:
        d["crashing_cpu"] = None
    return d


# ---------------------------------------------------------------- modules


def mod_mem_types():
    """{index: name} of enum mod_mem_type (6.4+): MOD_TEXT -> "text", ..."""
    try:
        t = prog.type("enum mod_mem_type")
    except LookupError:
        return {}
    return {e.value: e.name[4:].lower() for e in t.enumerators
            if e.name.startswith("MOD_") and e.value >= 0}


def module_mem_layout(mod, m):
    """(base, size, text_size) of a module whose memory is
    `struct module_memory mem[]` (6.4+; no core_layout): base and
    text_size are mem[MOD_TEXT]'s, size reaches from base to the end of the
    highest of the MOD_TEXT, MOD_DATA, MOD_RODATA and MOD_RO_AFTER_INIT
    blocks (a block below base adds nothing), which is core_layout.size's
    span where the core is one block. Where struct module_memory has
    is_rox (the text may come from the ROX cache, away from the other
    blocks: 7.2's data and rodata lie below the text, or above it beyond
    other modules' blocks), size is the sum of those blocks' sizes
    instead. m["mem"] gets every block with a size: {type, base, size},
    type from enum mod_mem_type ("text", ...)."""
    mem = mod.mem
    names = mod_mem_types()
    blocks = []
    for i in range(len(mem)):
        b, n = mem[i].base.value_(), mem[i].size.value_()
        if n:
            blocks.append({"type": names.get(i, str(i)), "base": hx(b), "size": n})
    m["mem"] = blocks
    core = [i for i, nm in names.items() if nm in ("text", "data", "rodata", "ro_after_init")]
    text = next((i for i, nm in names.items() if nm == "text"), 0)
    base, text_size = mem[text].base.value_(), mem[text].size.value_()
    if has_member(mem[text], "is_rox"):
        return base, sum(mem[i].size.value_() for i in core or range(min(4, len(mem)))
                         if mem[i].base.value_()), text_size
    end = base + text_size
    for i in core or range(min(4, len(mem))):
        b, n = mem[i].base.value_(), mem[i].size.value_()
        if b and n:
            end = max(end, b + n)
    return base, end - base, text_size


def modules_facts():
    mods = []
    head = prog["modules"].address_of_()
    for i, mod in enumerate(list_for_each_entry("struct module", head, "list")):
        if i > 10000:
            raise RuntimeError("module list does not end")
        m = {"index": i, "address": hx(mod.value_())}
        try:
            m["name"] = cstr(mod.name)
            m["state"] = mod.state.format_(type_name=False).split("MODULE_STATE_")[-1]
            if has_member(mod, "core_layout"):
                base = mod.core_layout.base.value_()
                size = mod.core_layout.size.value_()
                text_size = mod.core_layout.text_size.value_()
            else:
                base, size, text_size = module_mem_layout(mod, m)
            m["base"] = hx(base)
            m["size"] = size
            m["size_hex"] = hx(size)
            m["text_size"] = text_size
        except Exception as e:  # noqa: BLE001
            m["error"] = error_text(e)
            note_error(errors, "module %s" % hx(mod.value_()), e)
        mods.append(m)
    return mods


# ---------------------------------------------------------------- log


def log_line(rec):
    ts = rec.timestamp
    return "[%5d.%06d] %s" % (
        ts // 1_000_000_000,
        ts % 1_000_000_000 // 1000,
        escape_log_text(rec.text),
    )


def log_facts(log_path):
    recs = get_printk_records(prog)
    lines = [log_line(r) for r in recs]
    if log_path:
        with open(log_path, "w", encoding="ascii", newline="\n") as f:
            for line in lines:
                f.write(line + "\n")
    first = recs[0] if recs else None
    last = recs[-1] if recs else None
    return {
        "records": len(recs),
        "multiline_records": sum(1 for r in recs if b"\n" in r.text),
        "first_seq": first.seq if first else None,
        "last_seq": last.seq if last else None,
        "first_text": escape_log_text(first.text) if first else None,
        "first_timestamp_ns": first.timestamp if first else None,
        "last_text": escape_log_text(last.text) if last else None,
        "last_timestamp_ns": last.timestamp if last else None,
        "last_line": lines[-1] if lines else None,
    }


# ---------------------------------------------------------------- misc


def uts_facts():
    u = prog["init_uts_ns"].name
    return {
        "sysname": cstr(u.sysname),
        "nodename": cstr(u.nodename),
        "release": cstr(u.release),
        "version": cstr(u.version),
        "machine": cstr(u.machine),
        "domainname": cstr(u.domainname),
    }


def timekeeper():
    """The core timekeeper: tk_core.timekeeper, or, where there are
    several (no tk_core), timekeeper_data[0].timekeeper (TIMEKEEPER_CORE)."""
    try:
        return prog["tk_core"].timekeeper, "tk_core"
    except KeyError:
        return prog["timekeeper_data"][0].timekeeper, "timekeeper_data[0]"


def monotonic_ns():
    """CLOCK_MONOTONIC at the timekeeper's last update: xtime +
    wall_to_monotonic, in ns."""
    tk, name = timekeeper()
    wtm = tk.wall_to_monotonic
    ns = tk.tkr_mono.xtime_nsec.value_() >> tk.tkr_mono.shift.value_()
    return ((tk.xtime_sec.value_() + wtm.tv_sec.value_()) * 1_000_000_000
            + ns + wtm.tv_nsec.value_()), name


def time_facts():
    jiffies_64 = prog["jiffies_64"].value_()
    d = {
        "jiffies_64": jiffies_64,
        "avenrun": [prog["avenrun"][i].value_() for i in range(3)],
    }
    try:
        tick_nsec = prog["tick_nsec"].value_()
    except KeyError:
        # No variable tick_nsec (it became the constant TICK_NSEC): the
        # jiffies clocksource's mult is TICK_NSEC << JIFFIES_SHIFT (its
        # shift), kernel/time/jiffies.c.
        cs = prog["clocksource_jiffies"]
        tick_nsec = cs.mult.value_() >> cs.shift.value_()
        d["tick_nsec_source"] = "clocksource_jiffies.mult >> shift"
    d["tick_nsec"] = tick_nsec
    # HZ is not a symbol; tick_nsec is about NSEC_PER_SEC / HZ.  Jiffies start
    # at INITIAL_JIFFIES = (unsigned long)(unsigned int)(-300 * HZ).
    hz = round(1_000_000_000 / tick_nsec) if tick_nsec else None
    d["hz_estimate"] = hz
    if hz:
        initial = (-300 * hz) & 0xFFFFFFFF
        d["initial_jiffies"] = initial
        d["uptime_estimate_ms"] = (jiffies_64 - initial) * 1000 // hz
    if "tick_nsec_source" in d and hz:
        # The HZ of the constant checked against the timekeeper's clock.
        # Jiffies lag it by a tick or more, and by seconds where the CPU
        # that counts them had interrupts off (irq-lock: 1.9 s); another HZ
        # would be off by tens of seconds (INITIAL_JIFFIES is -300 * HZ).
        mono, name = monotonic_ns()
        d["monotonic_ms"] = mono // 1_000_000
        d["monotonic_source"] = name
        if abs(mono // 1_000_000 - d["uptime_estimate_ms"]) > 5000 + mono // 10_000_000:
            raise ValueError("jiffies at HZ %d disagree with the monotonic clock" % hz)
    return d


def memory_facts():
    return {"totalram_pages": prog["_totalram_pages"].counter.value_()}


def vmcoreinfo_facts(dump_path, out):
    text = vmcoreinfo_from_memory()
    vi = parse_vmcoreinfo(text)
    d = {"source": "vmcoreinfo_note"}
    for key in ("OSRELEASE", "BUILD-ID", "PAGESIZE", "CRASHTIME", "KERNELOFFSET"):
        d[key] = vi.get(key)
    if vi.get("CRASHTIME") is not None:
        d["crashtime"] = int(vi["CRASHTIME"])
    if vi.get("KERNELOFFSET") is not None:
        off = int(vi["KERNELOFFSET"], 16)
        d["kaslr_offset"] = hx(off)
        d["kaslr_offset_int"] = off
    # Cross-check with the relocation drgn applied to vmlinux symbols.
    d["kaslr_offset_from_text"] = hx(prog.symbol("_text").address - X86_64_TEXT_LINK_ADDR)
    if d.get("kaslr_offset") and d["kaslr_offset"] != d["kaslr_offset_from_text"]:
        note_error(errors, "vmcoreinfo", ValueError("KERNELOFFSET disagrees with _text"))
    if dump_path:
        try:
            hdr = kdump_file_header(dump_path)
            file_vi = hdr.pop("_vmcoreinfo", None)
            if file_vi is not None:
                fvi = parse_vmcoreinfo(file_vi)
                hdr["vmcoreinfo_matches_memory"] = fvi == vi
                if fvi != vi:
                    hdr["vmcoreinfo_diff_keys"] = sorted(
                        k for k in set(fvi) | set(vi) if fvi.get(k) != vi.get(k)
                    )
            out["dump_header"] = hdr
        except Exception as e:  # noqa: BLE001
            note_error(errors, "dump_header", e)
            out["dump_header"] = None
    return d


# ---------------------------------------------------------------- main


def main(argv):
    dump_path = script_arg(argv, 1)
    json_path = script_arg(argv, 2)
    log_path = script_arg(argv, 3)

    out = provenance(SCHEMA_VERSION)
    if dump_path:
        out["dump"] = dump_path.rsplit("/", 1)[-1]

    section(out, "uts", uts_facts)
    section(out, "cpus", cpus_facts)
    section(out, "vmcoreinfo", lambda: vmcoreinfo_facts(dump_path, out))
    section(out, "panic", panic_facts)
    section(out, "crashed_thread", crashed_thread_facts)
    section(out, "crashed_stack", crashed_stack_facts)
    possible = (out.get("cpus") or {}).get("possible") or [0]
    section(out, "runqueues", lambda: runqueues_facts(possible))
    section(out, "tasks", lambda: tasks_facts(possible))
    section(out, "task_counts", lambda: task_counts(out["tasks"] or []))
    section(out, "modules", modules_facts)
    section(out, "log", lambda: log_facts(log_path))
    section(out, "time", time_facts)
    section(out, "memory", memory_facts)
    out["errors"] = errors

    text = json.dumps(out, indent=2, sort_keys=True, ensure_ascii=True) + "\n"
    write_text(json_path, text)


main(sys.argv)
