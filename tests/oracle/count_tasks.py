# SPDX-License-Identifier: GPL-2.0-or-later
# Print drgn's task count (for_each_task, which leaves out the idle tasks)
# and the crashed thread's pid, for tests that check a dump made at test
# time.
from drgn.helpers.linux.pid import for_each_task

print(sum(1 for _ in for_each_task(prog)), prog.crashed_thread().tid)
