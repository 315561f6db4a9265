# SPDX-License-Identifier: GPL-2.0-or-later
# The least a triage needs, for bench/triage.py: the crashed thread's stack.
print(prog.crashed_thread().stack_trace())  # noqa: F821 (drgn's global)
