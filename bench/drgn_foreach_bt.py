# SPDX-License-Identifier: GPL-2.0-or-later
# drgn's side of the `foreach bt` job: every task's stack trace.
from drgn.helpers.linux.pid import for_each_task

for t in for_each_task(prog):
    try:
        print(t.pid.value_(), prog.stack_trace(t))
    except Exception as e:  # a task drgn cannot unwind
        print(t.pid.value_(), "error:", e)
