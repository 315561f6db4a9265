# SPDX-License-Identifier: GPL-2.0-or-later
# drgn's side of the `sys` job: the facts ktriage's sys prints.
from drgn.helpers.linux.pid import for_each_task

uts = prog["init_uts_ns"].name
t = prog.crashed_thread()
print(uts.release.string_().decode(), uts.version.string_().decode(),
      uts.nodename.string_().decode())
print("tasks", sum(1 for _ in for_each_task(prog)))
print("panic", t.tid, t.object.comm.string_().decode(), prog["panic_cpu"].counter.value_())
