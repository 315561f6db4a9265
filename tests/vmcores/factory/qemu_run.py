#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Boot the fixture guest under QEMU/TCG and collect a crash dump.

mode=qemu : wait for the guest to panic (pvpanic GUEST_PANICKED event, or the
            panic line on the serial console), then take QEMU's own
            dump-guest-memory in ELF and kdump-zlib formats over QMP.
mode=kdump: the guest kdump kernel writes the dump onto a virtio disk and
            powers off; just wait for QEMU to exit.
"""
import argparse, json, os, socket, subprocess, sys, time

ap = argparse.ArgumentParser()
ap.add_argument('--kernel', required=True)
ap.add_argument('--initrd', required=True)
ap.add_argument('--append', required=True)
ap.add_argument('--mode', choices=['qemu', 'kdump'], required=True)
ap.add_argument('--serial', required=True)
ap.add_argument('--disk')
ap.add_argument('--out', help='output prefix for qemu-mode dumps')
ap.add_argument('--mem', default='512M')
ap.add_argument('--smp', default='2')
ap.add_argument('--timeout', type=int, default=900)
ap.add_argument('--paging', action='store_true', help='also dump ELF with paging=true')
a = ap.parse_args()

qmp_path = a.serial + '.qmp'
for p in (qmp_path, a.serial):
    if os.path.exists(p):
        os.unlink(p)
cmd = ['qemu-system-x86_64', '-accel', 'tcg', '-cpu', 'max,la57=off',
       '-smp', a.smp, '-m', a.mem, '-display', 'none', '-no-reboot',
       '-nic', 'none', '-monitor', 'none',
       '-chardev', f'file,id=ser0,path={a.serial}', '-serial', 'chardev:ser0',
       '-qmp', f'unix:{qmp_path},server=on,wait=off',
       '-device', 'vmcoreinfo', '-device', 'pvpanic',
       '-kernel', a.kernel, '-initrd', a.initrd, '-append', a.append]
if a.mode == 'qemu':
    cmd += ['-action', 'panic=pause']
else:
    cmd += ['-action', 'panic=shutdown']
if a.disk:
    cmd += ['-drive', f'file={a.disk},format=raw,if=virtio']
print('+', ' '.join(cmd), flush=True)
t0 = time.time()
qemu = subprocess.Popen(cmd)


class QMP:
    def __init__(self, path):
        for _ in range(100):
            try:
                self.s = socket.socket(socket.AF_UNIX)
                self.s.connect(path)
                break
            except OSError:
                time.sleep(0.1)
        self.buf = b''
        self.events = []
        self.read(timeout=30)  # greeting
        self.cmd('qmp_capabilities')

    def read(self, timeout=None):
        """one JSON message, or None on timeout, or {'eof': True}"""
        deadline = None if timeout is None else time.time() + timeout
        while b'\n' not in self.buf:
            left = None if deadline is None else max(0.0, deadline - time.time())
            if left == 0.0:
                return None
            self.s.settimeout(left)
            try:
                chunk = self.s.recv(65536)
            except (socket.timeout, TimeoutError):
                return None
            if not chunk:
                return {'eof': True}
            self.buf += chunk
        line, self.buf = self.buf.split(b'\n', 1)
        return json.loads(line)

    def cmd(self, name, **args):
        msg = {'execute': name}
        if args:
            msg['arguments'] = args
        self.s.sendall((json.dumps(msg) + '\n').encode())
        while True:
            r = self.read()
            if 'event' in r:
                print('event:', r['event'], flush=True)
                self.events.append(r)
                continue
            return r


def serial_text():
    try:
        with open(a.serial, errors='replace') as f:
            return f.read()
    except OSError:
        return ''


BOOT_TIMEOUT = 150
qmp = QMP(qmp_path)
panicked_at = None
rc = 1
while True:
    if qemu.poll() is not None:
        print(f'qemu exited rc={qemu.returncode} after {time.time()-t0:.0f}s')
        rc = 0 if a.mode == 'kdump' else 1
        break
    if time.time() - t0 > a.timeout:
        print('TIMEOUT')
        qemu.kill()
        break
    ev = qmp.read(timeout=1.0)
    if ev and ev.get('eof'):
        time.sleep(0.5)
        continue
    if ev and ev.get('event'):
        print('event:', ev['event'], json.dumps(ev.get('data', {}))[:200], flush=True)
        qmp.events.append(ev)
    got_event = any(e.get('event') == 'GUEST_PANICKED' for e in qmp.events)
    if a.mode == 'kdump':
        # a panic before the capture kernel is loaded (a boot that failed
        # under TCG: 7.2 once took an int3 in text patching at 2 s) leaves
        # nothing to wait for: say so at once, the caller boots again
        # (or a boot that hangs: 7.2 once stopped after bringing up the
        # CPUs; a boot reaches init in well under a minute)
        text = serial_text()
        cut = text.find('Kernel panic - not syncing')
        why = None
        if cut >= 0 and 'kdump kernel loaded: 1' not in text[:cut]:
            why = 'a panic before kdump was loaded'
        elif '[ktinit]' not in text and time.time() - t0 > BOOT_TIMEOUT:
            why = f'no init after {BOOT_TIMEOUT}s'
        if why:
            print(f'BOOT FAILED: {why}, after {time.time()-t0:.0f}s', flush=True)
            qemu.kill()
            qemu.wait()
            rc = 3
            break
    if a.mode == 'qemu':
        if panicked_at is None and 'Kernel panic - not syncing' in serial_text():
            panicked_at = time.time()
            print(f'panic seen on serial after {panicked_at-t0:.0f}s', flush=True)
        if got_event or (panicked_at and time.time() - panicked_at > 20):
            print(f'dumping ({"GUEST_PANICKED" if got_event else "serial fallback"})', flush=True)
            qmp.cmd('stop')
            for fmt, paging, suffix in (('elf', False, 'qemu-elf'),
                                        ('kdump-zlib', False, 'qemu-kdump'),
                                        ('elf', True, 'qemu-elf-paging')):
                if suffix == 'qemu-elf-paging' and not a.paging:
                    continue
                path = os.path.abspath(f'{a.out}.{suffix}')
                t1 = time.time()
                r = qmp.cmd('dump-guest-memory', paging=paging,
                            protocol=f'file:{path}', format=fmt)
                print(f'dump-guest-memory {fmt}: {r} {time.time()-t1:.1f}s', flush=True)
            qmp.cmd('quit')
            qemu.wait()
            rc = 0
            break
print(f'wall {time.time()-t0:.0f}s')
sys.exit(rc)
