# SPDX-License-Identifier: GPL-2.0-or-later
"""Oracle: drgn's facts about the fault that crashed the kernel, for the
`oops` plugin.

Run under the drgn CLI (drgn 0.0.22, Debian python3-drgn):

    drgn -q -c DUMP -s VMLINUX -s ktscen.ko -s null_blk.ko -s nbd.ko \\
        oops.py DUMP OUT.oops.json        # "-" for OUT = stdout

- `fault`: the last oops header of the log (get_dmesg()): its kind and the
  address it names, or null when the log has none (a sysrq or watchdog
  panic);
- `crashed`: prog.crashed_thread(), and its innermost frame: pc, symbol,
  `interrupted` and every register of registers() (on a kdump of an oops,
  the pt_regs of the exception);
- `variables`: the parameters and locals the plugin names, read by drgn in
  that frame (null: optimized out or absent); `rhp` too where the fault is
  in call_srcu() (7.2's hctx-fq, see AT);
- `members`: offsetof() and the type of each member the plugin names
  (struct callback_head.func and struct blk_flush_queue.callback_head where
  hctx-fq faults in call_srcu());
- `loads`: pointers drgn reads through a variable (hctx->fq).
"""

import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True

from drgn import offsetof  # noqa: E402
from drgn.helpers.linux.printk import get_dmesg  # noqa: E402

from common import hx, note_error, provenance, script_arg, write_text  # noqa: E402

SCHEMA_VERSION = 1

HEADERS = [
    (r"BUG: unable to handle page fault for address: ([0-9a-f]+)", "page"),
    (r"BUG: kernel NULL pointer dereference, address: ([0-9a-f]+)", "null"),
    (r"general protection fault, probably for non-canonical address "
     r"0x([0-9a-f]+)", "gp"),
]

# What each dump's fault involves, by scenario, never by address.
MEMBERS = {
    "hctx-fq": [("struct blk_flush_queue", "flush_rq")],
    "hctx-fq-exit": [("struct blk_flush_queue", "flush_rq"),
                     ("struct blk_mq_hw_ctx", "fq")],
    "list-poison": [("struct kt_entry", "id"), ("struct kt_entry", "node"),
                    ("struct list_head", "next")],
}
VARIABLES = ["fq", "hctx", "e"]
# Where the fault is in another function than on 6.1 (by scenario and the
# function of frame 0's symbol): the variables and members it involves
# besides. 7.2's hctx-fq faults in call_srcu(), which blk_mq_exit_hctx()
# gives &fq->callback_head to free fq with: the write of rhp->func.
AT = {
    ("hctx-fq", "call_srcu"): {
        "variables": ["rhp"],
        "members": [("struct blk_flush_queue", "callback_head"),
                    ("struct callback_head", "func")],
    },
}


def fault_of(prog):
    found = None
    for line in get_dmesg(prog).decode("ascii", "replace").splitlines():
        text = re.sub(r"^\[[ 0-9.]+\] ", "", line)
        for pat, kind in HEADERS:
            # 6.9+ prefixes the general protection fault line with "Oops: "
            m = re.match(r"(?:Oops: )?" + pat, text)
            if m:
                found = {"kind": kind, "address": hx(int(m.group(1), 16)),
                         "line": text}
    return found


def frame0(prog, out, errors, scenario):
    thread = prog.crashed_thread()
    frame = thread.stack_trace()[0]
    try:
        sym = frame.symbol()
    except LookupError:  # a pc in no function: a jump into data
        sym = None
    out["crashed"] = {
        "pid": thread.tid, "task": hx(thread.object.value_()),
        "pc": hx(frame.pc), "interrupted": frame.interrupted,
        "symbol": "%s+0x%x" % (sym.name, frame.pc - sym.address)
        if sym else None,
        "registers": {k: hx(v) for k, v in frame.registers().items()},
    }
    out["variables"] = {}
    if sym is None:
        return
    extra = AT.get((scenario, sym.name), {})
    for name in VARIABLES + extra.get("variables", []):
        try:
            v = frame[name]
            out["variables"][name] = (None if v.absent_ else
                                      hx(v.value_()))
        except KeyError:
            out["variables"][name] = None
        except Exception as e:  # noqa: BLE001
            out["variables"][name] = None
            note_error(errors, "variable " + name, e)
    out["loads"] = {}
    if out["variables"].get("hctx"):
        out["loads"]["hctx->fq"] = hx(frame["hctx"].fq.value_())


def main(argv):
    dump = script_arg(argv, 1)
    path = script_arg(argv, 2)
    name = os.path.basename(dump or "").split(".")[0]
    errors = []
    out = provenance(SCHEMA_VERSION)
    out["dump"] = os.path.basename(dump) if dump else None
    out["fault"] = fault_of(prog)  # noqa: F821 (drgn's global)
    frame0(prog, out, errors, name)  # noqa: F821
    out["members"] = {}
    sym = (out["crashed"]["symbol"] or "").split("+")[0]
    for t, m in MEMBERS.get(name, []) + AT.get((name, sym), {}).get("members", []):
        typ = prog.type(t)  # noqa: F821
        mt = [x for x in typ.members if x.name == m][0].type
        out["members"]["%s.%s" % (t, m)] = {
            "offset": offsetof(typ, m), "type": str(mt.type_name())}
    out["errors"] = errors
    write_text(path, json.dumps(out, indent=2, sort_keys=True) + "\n")


main(sys.argv)
