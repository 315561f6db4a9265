# SPDX-License-Identifier: GPL-2.0-or-later
"""Print facts about a crash dump that every format of it must agree on.

Run as:  drgn -q -c DUMP -s VMLINUX drgn_facts.py
(drgn 0.0.22 has no -e).  checkformats.sh compares the output of each
derived format with that of the source dump.
"""
import hashlib

from drgn.helpers.linux.printk import get_printk_records

prog = prog  # noqa: F821  (provided by the drgn CLI)

print("release:", prog["init_uts_ns"].name.release.string_().decode())
print("kaslr: _stext at %#x" % prog.symbol("_stext").address)
thread = prog.crashed_thread()
print("crashed: pid %d comm %s" % (thread.tid, thread.object.comm.string_().decode()))
for frame in list(thread.stack_trace())[:6]:
    print("  frame:", frame.name)
records = get_printk_records(prog)
log = b"".join(r.text + b"\n" for r in records)
print("printk: %d records, sha256 %s" % (len(records), hashlib.sha256(log).hexdigest()))
