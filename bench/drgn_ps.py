# SPDX-License-Identifier: GPL-2.0-or-later
# drgn's side of the `ps` job: every task with pid, parent, cpu, state, comm.
from drgn.helpers.linux.pid import for_each_task
from drgn.helpers.linux.sched import task_cpu, task_state_to_char

for t in for_each_task(prog):
    print(t.pid.value_(), t.real_parent.pid.value_(), task_cpu(t), hex(t.value_()),
          task_state_to_char(t), t.comm.string_().decode())
