#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Validate fixture dumps with crash (8.0.2 from Debian, optionally 8.0.6
given with --crash806) and drgn; write transcripts next to each dump and a
machine-readable result file; --summary prints a table over all scenarios."""
import argparse, glob, json, os, re, subprocess, time

FORMATS = [  # suffix, description
    ('vmcore.kdump', 'kdump-compressed zlib, makedumpfile -c -d 31 (in-guest kdump)'),
    ('vmcore.kdump-lzo', 'kdump-compressed lzo, makedumpfile -l -d 31 (in-guest kdump)'),
    ('vmcore.elf-d31', 'ELF, makedumpfile -E -d 31 (in-guest kdump)'),
    ('vmcore.elf', 'ELF, raw copy of /proc/vmcore (in-guest kdump)'),
    ('qemu-elf', 'ELF, QEMU dump-guest-memory (paging=false)'),
    ('qemu-elf-paging', 'ELF, QEMU dump-guest-memory -p (paging=true, virtual PT_LOADs)'),
    ('qemu-kdump-flat', 'kdump-compressed zlib, QEMU dump-guest-memory -z, flattened as written by QEMU'),
    ('qemu-kdump', 'kdump-compressed zlib, QEMU output rebuilt with makedumpfile -R'),
]

ap = argparse.ArgumentParser()
ap.add_argument('--scenario')
ap.add_argument('--dir')
ap.add_argument('--vmlinux', required=True)
ap.add_argument('--kroot')
ap.add_argument('--ktscen')
ap.add_argument('--crash806')
ap.add_argument('--factory')
ap.add_argument('--summary', action='store_true')
ap.add_argument('--dumps')
ap.add_argument('--formats', help='comma list to limit formats')
a = ap.parse_args()


def hexes(pattern, text):
    return re.findall(pattern, text)


def serial_text(d, route):
    """console log of the boot that produced this dump (addresses differ per boot)"""
    p = os.path.join(d, f'serial-{route}.log')
    return open(p, errors='replace').read() if os.path.exists(p) else ''


def crash_cmds(scen, kver, dbgmods, ktscen, log):
    c = ['sys', 'sym _stext', 'bt', 'bt -a', 'ps', 'ps -S', 'log', 'kmem -i',
         'kmem -s', 'dev -d', 'mod']
    loadmods = [f'mod -S {dbgmods}']
    if scen in ('hctx-fq', 'hctx-fq-exit', 'list-poison', 'irq-lock'):
        loadmods.append(f'mod -s ktscen {ktscen}')
    c += loadmods
    c += ['bt -f', 'bt -l']
    if scen == 'sysrq-null':
        c += ['foreach sleep bt', 'foreach sh bt', 'dis -l sysrq_handle_crash']
    elif scen in ('hctx-fq', 'hctx-fq-exit'):
        c += ['dis -l blk_free_flush_queue', 'dis -l blk_mq_exit_hctx 16']
        m = re.search(r'bogus fq=([0-9a-f]{16})', log)
        if m:
            c += [f'kmem {m.group(1)}', f'rd {m.group(1)} 2']
        for h in dict.fromkeys(hexes(r'hctx\[\d+\]=([0-9a-f]{16})', log)):
            c += [f'kmem {h}', f'struct blk_mq_hw_ctx.fq,queue,queue_num,flags,nr_ctx,tags {h}']
        m = re.search(r'queue=([0-9a-f]{16})', log)
        if m:
            c += [f'kmem {m.group(1)}']
        c += ['foreach rmmod bt', 'foreach kworker bt']
    elif scen == 'nbd-orphan-hung':
        c += ['foreach UN bt', 'foreach blkid bt', 'foreach dd bt', 'foreach nbd-doit bt',
              'foreach nbdhang bt', 'foreach nbdhang files', 'foreach nbd-doit files',
              'foreach blkid files', 'foreach files', 'foreach nbdhang net -s',
              'ps -m', 'sym nbd_index_idr']
    elif scen == 'list-poison':
        m = re.search(r'removed entry id=\d+ at ([0-9a-f]{16})', log)
        if m:
            c += [f'kmem {m.group(1)}', f'struct kt_entry {m.group(1)}', f'rd {m.group(1)} 12']
        c += ['kmem -s ktscen_entry', 'foreach kt_listwalk bt', 'sym kt_list', 'list -H kt_list -s kt_entry.id,name -l kt_entry.node']
    elif scen == 'irq-lock':
        c += ['foreach kt_merge bt', 'foreach kt_merge_peer bt', 'bt -c 0', 'bt -c 1',
              'struct kt_merge_ctx kt_mctx', 'runq', 'irq -s']
    c.append('quit')
    return c


def run(cmd, timeout=600, stdin=None):
    t = time.time()
    try:
        p = subprocess.run(cmd, input=stdin, capture_output=True, text=True,
                           timeout=timeout, errors='replace')
        return p.returncode, p.stdout + p.stderr, time.time() - t
    except subprocess.TimeoutExpired as e:
        return 124, (e.stdout or b'').decode(errors='replace') if isinstance(e.stdout, bytes) else str(e.stdout), time.time() - t


def crash_ok(text):
    m = re.search(r'^\s+PANIC: (.*)$', text, re.M)
    return bool(m), (m.group(1).strip() if m else None)


def top_bt(text):
    """first backtrace block after the first 'bt' (PID: line + 8 frames)"""
    i = text.find('\nPID: ')
    if i < 0:
        return []
    lines = text[i + 1:].splitlines()
    out = [lines[0]]
    for l in lines[1:]:
        if re.match(r'\s*#\d+ ', l) or re.match(r'\s+\[exception RIP', l):
            out.append(l)
            if len(out) >= 10:
                break
        elif out and len(out) > 1 and not l.strip():
            break
    return out


def validate_dir():
    scen, d = a.scenario, a.dir
    kver = os.path.basename(a.vmlinux).replace('vmlinux-', '')
    dbgmods = os.path.join(a.kroot, 'usr/lib/debug/lib/modules', kver)
    cmdsets = {}
    for route in ('kdump', 'qemu'):
        cmds = crash_cmds(scen, kver, dbgmods, a.ktscen, serial_text(d, route))
        cmdfile = os.path.join(d, f'crash-cmds-{route}.txt')
        open(cmdfile, 'w').write('\n'.join(cmds) + '\n')
        cmdsets[route] = (cmds, cmdfile)
    jpath = os.path.join(d, 'validate.json')
    results = {}
    if a.formats and os.path.exists(jpath):   # partial re-run: merge
        results = json.load(open(jpath))
    fmts = FORMATS
    if a.formats:
        fmts = [f for f in FORMATS if f[0] in a.formats.split(',')]
    for suffix, desc in fmts:
        dump = os.path.join(d, f'{scen}.{suffix}')
        if not os.path.exists(dump):
            continue
        r = {'file': dump, 'format': desc, 'size': os.path.getsize(dump)}
        cmds, cmdfile = cmdsets['qemu' if suffix.startswith('qemu') else 'kdump']
        tools = [('crash', 'crash')]
        if a.crash806 and os.path.exists(a.crash806):
            tools.append(('crash806', a.crash806))
        for tag, binary in tools:
            rc, out, dt = run([binary, '-s', a.vmlinux, dump, '-i', cmdfile], stdin='')
            ver = run([binary, '--version'])[1].split('\n')[0].strip() if True else ''
            hdr = f'### {ver}: {binary} -s {a.vmlinux} {dump} -i {cmdfile}\n### rc={rc} time={dt:.1f}s\n### commands: {cmds}\n'
            open(f'{dump}.{tag}.txt', 'w').write(hdr + out)
            ok, panic = crash_ok(out)
            m = re.search(r'^\s+TASKS: (\d+)', out, re.M)
            r[tag] = {'rc': rc, 'opened': ok, 'panic': panic, 'tasks': int(m.group(1)) if m else None,
                      'time_s': round(dt, 1), 'bt': top_bt(out),
                      'relocated': bool(re.search(r'relocat', out))}
        # drgn
        drgn_cmd = ['drgn', '-q', '-c', dump, '-s', a.vmlinux]
        if a.ktscen:
            drgn_cmd += ['-s', a.ktscen]
        for mod in ('drivers/block/nbd.ko', 'drivers/block/null_blk/null_blk.ko'):
            p = os.path.join(dbgmods, 'kernel', mod)
            if os.path.exists(p):
                drgn_cmd += ['-s', p]
        drgn_cmd += [os.path.join(a.factory, 'drgn_check.py'), scen]
        rc, out, dt = run(drgn_cmd)
        open(f'{dump}.drgn.txt', 'w').write(f'### drgn 0.0.22: {" ".join(drgn_cmd)}\n### rc={rc} time={dt:.1f}s\n' + out)
        m = re.search(r'crashed_thread: pid (\d+) comm (\S+)', out)
        k = re.search(r'KASLR offset (0x[0-9a-f]+)', out)
        frames = [l for l in out.splitlines() if re.match(r'#\d+ ', l)][:8]
        r['drgn'] = {'rc': rc, 'opened': rc == 0 and 'crashed_thread' in out,
                     'crashed': m.group(0) if m else None, 'kaslr': k.group(1) if k else None,
                     'stack': frames, 'error': None if rc == 0 else out.strip().splitlines()[-1][:300] if out.strip() else ''}
        results[suffix] = r
        print(f'{scen} {suffix}: size={r["size"]} ' + ' '.join(
            f'{t}={"OK" if r[t]["opened"] else "FAIL"}' for t in ('crash', 'crash806', 'drgn') if t in r), flush=True)
    order = [f for f, _ in FORMATS]
    results = {k: results[k] for k in sorted(results, key=order.index)}
    json.dump(results, open(jpath, 'w'), indent=1)


def summary():
    print(f'vmlinux: {a.vmlinux} ({os.path.getsize(a.vmlinux)/2**20:.0f} MiB)\n')
    for d in sorted(glob.glob(os.path.join(a.dumps, '*', 'validate.json'))):
        scen = os.path.basename(os.path.dirname(d))
        res = json.load(open(d))
        print(f'=== {scen}')
        first = True
        for suffix, r in res.items():
            flags = ' '.join(f'{t}:{"ok" if r[t]["opened"] else "FAIL"}' for t in ('crash', 'crash806', 'drgn') if t in r)
            tasks = ' '.join(f'{t}-tasks={r[t]["tasks"]}' for t in ('crash', 'crash806') if t in r)
            print(f'  {suffix:16s} {r["size"]/2**20:8.1f} MiB  {flags}  {tasks}')
            if first:
                for t in ('crash806', 'crash'):
                    if t in r and r[t]['opened']:
                        print(f'    PANIC ({t}): {r[t]["panic"]}')
                        for l in r[t]['bt']:
                            print('     ', l)
                        break
                if r.get('drgn', {}).get('opened'):
                    print(f'    drgn: {r["drgn"]["crashed"]} KASLR {r["drgn"]["kaslr"]}')
                    for l in r['drgn']['stack'][:6]:
                        print('     ', l)
                first = False
        print()


if a.summary:
    summary()
else:
    validate_dir()
