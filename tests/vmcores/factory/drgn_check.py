#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""drgn validation: run as  drgn -q -c VMCORE -s VMLINUX [-s MOD.ko...] drgn_check.py [SCENARIO]
Prints platform/KASLR info, the crashed thread's stack and a per-scenario check."""
import sys
from drgn import cast, FaultError
from drgn.helpers.linux.pid import for_each_task
from drgn.helpers.linux.sched import task_state_to_char

scen = sys.argv[1] if len(sys.argv) > 1 else ''
prog = prog  # noqa: F821  (provided by the drgn CLI)

print('flags:', prog.flags, 'platform:', prog.platform)
print('release:', prog['init_uts_ns'].name.release.string_().decode())
stext = prog.symbol('_stext').address
print(f'_stext at {stext:#x} -> KASLR offset {stext - 0xffffffff81000000:#x}')
try:
    t = prog.crashed_thread()
    print('crashed_thread: pid', t.tid, 'comm', t.object.comm.string_().decode())
    print(t.stack_trace())
except Exception as e:
    print('crashed_thread: ERROR', type(e).__name__, e)

tasks = list(for_each_task(prog))
print('tasks:', len(tasks))
for task in tasks:
    st = task_state_to_char(task)
    if st in ('D', 'R'):
        print(f'  {task.pid.value_():5d} {st} {task.comm.string_().decode()}')

def show_stack(comm):
    for task in tasks:
        if task.comm.string_().decode() == comm:
            print(f'--- stack of {comm} pid {task.pid.value_()} ({task_state_to_char(task)})')
            try:
                print(prog.stack_trace(task))
            except Exception as e:
                print('   ERROR', e)

if scen == 'nbd-orphan-hung':
    show_stack('blkid')
    show_stack('dd')
    # nbd config sockets and whether their files are in any fd table
    from drgn.helpers.linux.fs import for_each_file
    nbd_index = prog['nbd_index_idr']
    from drgn.helpers.linux.idr import idr_for_each
    in_fdtables = set()
    for task in tasks:
        try:
            for fd, f in for_each_file(task):
                in_fdtables.add(f.value_())
        except FaultError:
            pass
    for idx, ptr in idr_for_each(nbd_index):
        nbd = cast('struct nbd_device *', ptr)
        cfg = nbd.config
        if not cfg:
            continue
        print(f'nbd{idx}: num_connections={cfg.num_connections.value_()} '
              f'live={cfg.live_connections.counter.value_()} recv_threads={cfg.recv_threads.counter.value_()}')
        for i in range(cfg.num_connections.value_()):
            ns = cfg.socks[i]
            f = ns.sock.file
            print(f'   sock[{i}] nbd_sock={ns.value_():#x} socket={ns.sock.value_():#x} file={f.value_():#x} '
                  f'dead={bool(ns.dead)} f_count={f.f_count.counter.value_()} in_fd_table={f.value_() in in_fdtables}')
elif scen in ('irq-lock',):
    from drgn.helpers.linux.percpu import per_cpu
    for cpu in range(2):
        try:
            t = per_cpu(prog['runqueues'], cpu).curr
            print(f'--- cpu{cpu} current: pid {t.pid.value_()} {t.comm.string_().decode()}')
            print(prog.stack_trace(t))
        except Exception as e:
            print('   ERROR', e)
    for name in ('kt_merge', 'kt_merge_peer'):
        show_stack(name)
elif scen == 'list-poison':
    show_stack('kt_listwalk')
elif scen in ('hctx-fq', 'hctx-fq-exit'):
    show_stack('rmmod')
