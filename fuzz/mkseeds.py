#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Make the fuzz targets' seeds from the shared dumps, into OUT/<target>/.

usage: mkseeds.py OUT     (environment: KT_FIXTURES, KT_BINARY, KT_VMLINUX;
                           KT_FORMATS for the lzo/snappy/zstd/ELF seeds)

The seeds are real data cut small: kdump files of a few dozen real pages
(each compression), their flattened form, the zlib streams of real pages,
the PT_NOTE segment of a real ELF vmcore, case files and exports made by
ktriage on list-poison, and texts. fuzz/README.md says how they become the
committed, minimised corpora (libFuzzer -merge=1).
"""
import os
import struct
import subprocess
import sys
import tempfile

PAGE = 4096
DESC = struct.Struct('<qIIQ')  # offset, size, flags, page_flags


def write(out, target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


class Kdump:
    """A makedumpfile kdump file: its header fields and page descriptors."""

    def __init__(self, path):
        self.data = open(path, 'rb').read()
        d = self.data
        assert d[:8] == b'KDUMP   ', path
        self.version, = struct.unpack_from('<i', d, 8)
        (self.status, bs, self.sub_blocks, self.bitmap_blocks,
         self.max_mapnr) = struct.unpack_from('<IiiII', d, 424)
        assert bs == PAGE
        half = self.bitmap_blocks // 2 * PAGE
        self.bits = d[(1 + self.sub_blocks) * PAGE + half:][:half]
        self.desc_off = (1 + self.sub_blocks + self.bitmap_blocks) * PAGE

    def present(self):
        for byte, b in enumerate(self.bits):
            for bit in range(8):
                if b >> bit & 1:
                    yield byte * 8 + bit

    def pages(self, n, skip=0):
        """(flags, data) of n present pages, after skipping some."""
        got = []
        for rank, pfn in enumerate(self.present()):
            if rank < skip:
                continue
            off, size, flags, _ = DESC.unpack_from(
                self.data, self.desc_off + rank * DESC.size)
            got.append((flags, self.data[off:off + size]))
            if len(got) == n:
                break
        return got

    def small(self, pages, split=None):
        """A kdump of these pages as pfns 0.., one block per bitmap."""
        npfn = len(pages)
        hdr = bytearray(self.data[:PAGE])
        struct.pack_into('<iiII', hdr, 428, PAGE, 1, 2, npfn)
        sub = bytearray(self.data[PAGE:2 * PAGE])
        # no VMCOREINFO, notes or erase info: this reader does not use them
        struct.pack_into('<qqqqqq', sub, 32, 0, 0, 0, 0, 0, 0)
        struct.pack_into('<QQQ', sub, 80, 0, npfn, npfn)
        lo, hi = 0, npfn
        if split:
            lo, hi = split
            struct.pack_into('<iQQ', sub, 12, 1, lo, hi)
            struct.pack_into('<QQ', sub, 80, lo, hi)
        ram = bytearray(PAGE)
        held = bytearray(PAGE)
        for pfn in range(npfn):
            ram[pfn // 8] |= 1 << pfn % 8
            held[pfn // 8] |= 1 << pfn % 8
        out = bytearray(hdr + sub + ram + held)
        data_off = len(out) + (hi - lo) * DESC.size
        descs, blob = bytearray(), bytearray()
        for flags, data in pages[lo:hi]:
            descs += DESC.pack(data_off + len(blob), len(data), flags, 0)
            blob += data
        return bytes(out + descs + blob)


def flatten(kdump, header):
    """makedumpfile -F of a kdump file: records of at most one page."""
    out = bytearray(header[:PAGE])
    for off in range(0, len(kdump), PAGE):
        chunk = kdump[off:off + PAGE]
        out += struct.pack('>qq', off, len(chunk)) + chunk
    return bytes(out + struct.pack('>qq', -1, 0))


def kdump_seeds(out, fixtures, formats):
    paths = {'zlib': f'{fixtures}/dumps/list-poison.kdump',
             'lzo': f'{fixtures}/dumps/sysrq-null.kdump-lzo'}
    for c in ('snappy', 'zstd', 'none'):
        p = f'{formats}/list-poison.kdump-{c}' if formats else ''
        if os.path.exists(p):
            paths[c] = p
    flat_header = b'makedumpfile'.ljust(PAGE, b'\0')
    fp = f'{formats}/list-poison.flat' if formats else ''
    if os.path.exists(fp):
        flat_header = open(fp, 'rb').read(PAGE)
    for comp, path in paths.items():
        k = Kdump(path)
        pages = k.pages(12, skip=2000)
        small = k.small(pages)
        write(out, 'diskdump', f'kdump-{comp}', small)
        write(out, 'flatten', f'flat-{comp}', flatten(small, flat_header))
        if comp == 'zlib':
            write(out, 'diskdump', 'kdump-split',
                  k.small(pages, split=(4, 9)))
            for i, (flags, data) in enumerate(k.pages(40, skip=500)):
                if flags & 1:
                    write(out, 'inflate_bytes', f'page-{i}', data)


def vmcoreinfo(out, fixtures):
    """The VMCOREINFO text of each shared dump (in its sub-header)."""
    for name in sorted(os.listdir(f'{fixtures}/dumps')):
        if not name.endswith('.kdump'):
            continue
        d = open(f'{fixtures}/dumps/{name}', 'rb').read(1 << 16)
        off, size = struct.unpack_from('<qq', d, PAGE + 32)
        with open(f'{fixtures}/dumps/{name}', 'rb') as f:
            f.seek(off)
            write(out, 'vmcoreinfo', name, f.read(size))


def elf_notes(out, formats):
    for name in ('list-poison.elf', 'list-poison.elf-noinfo'):
        p = f'{formats}/{name}' if formats else ''
        if not os.path.exists(p):
            continue
        with open(p, 'rb') as f:
            eh = f.read(64)
            phoff, = struct.unpack_from('<Q', eh, 32)
            phnum, = struct.unpack_from('<H', eh, 56)
            for i in range(phnum):
                f.seek(phoff + i * 56)
                ph = f.read(56)
                ptype, _, off, _, _, filesz = struct.unpack_from('<IIQQQQ', ph)
                if ptype == 4:
                    f.seek(off)
                    write(out, 'elf_notes', name, f.read(filesz))


def texts(out):
    exprs = ['jiffies', 'init_task.comm', 'init_task.tasks.next',
             '*init_task.tasks.next', '&init_task.tasks',
             '((struct task_struct *)&init_task)->pid',
             '(struct list_head *)init_task.tasks.next',
             'init_uts_ns.name.release', 'runqueues:1', 'runqueues:0.curr',
             'slab_caches.next->next', 'linux_banner', 'saved_command_line',
             'struct task_struct init_task', '(char *)linux_banner',
             '__per_cpu_offset[1]', 'init_task.thread.sp',
             'struct list_head', 'unsigned long *', 'atomic_t',
             'struct task_struct **', 'enum pageflags', 'union thread_union']
    for i, e in enumerate(exprs):
        write(out, 'expr', f'expr-{i}', e.encode())
    lines = ['bt -f -a', "kmem -s 'kmalloc-64'", 'p init_task.comm',
             'struct task_struct.comm,pid 0xffff888003a38000',
             'search -k -m 0xffff0000 0xdead000000000100',
             'note add --on "task:1:0xffff888003a38000" "looks \'stuck\'"',
             'rd -64 -s jiffies 4', "case merge 'their case.ktriage'",
             '  sys  ', '"" \'\'', "x'y z'\"w\""]
    for i, line in enumerate(lines):
        write(out, 'split', f'line-{i}', line.encode())
    rcs = ['bind q quit\nbind C-x command\n', '# comment\n\nbind Enter enter\n',
           'bind Up down\nbind PgDn page-up\nbind F10 help\n',
           'bind x nothing\nbind\nbind a b c d\n', 'bind C-? redraw\r\n']
    for i, rc in enumerate(rcs):
        write(out, 'ktriagerc', f'rc-{i}', rc.encode())


def walk_seeds(out):
    """Op streams (see overlay.h): a fault, a self pointer, a word xored
    or replaced, at each of the first reads."""
    ops = {'fail': b'\x04', 'self': b'\x06\x00\x00\x00',
           'back': b'\x06\x40\x01\xff', 'xor': b'\x05\x80' + b'\xff' * 8,
           'zero': b'\x07\x10\x00' + b'\0' * 16}
    for w in ('log', 'tasks', 'modules', 'vmap', 'slab', 'mounts', 'bt'):
        write(out, f'walk_{w}', 'real', b'')
        for i in (0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89):
            for name, op in ops.items():
                write(out, f'walk_{w}', f'{name}-{i}', b'\0' * i + op)


def cases(out, fixtures, binary, vmlinux):
    dump = f'{fixtures}/dumps/list-poison.kdump'
    with tempfile.TemporaryDirectory() as tmp:
        case = f'{tmp}/case.ktriage'
        cmds = ['note add "the stale cursor walks freed memory"',
                'note add --on task:1:0xffff888003a38000 "init \'waits\'"',
                'verdict set root-cause "use after free in kt_sum_from"',
                'tag add dup-of-JIRA-123', 'bookmark panic',
                f'case export {tmp}/export.json']
        args = [binary, '--case', case, '--author', 'fuzz-seed']
        for c in cmds:
            args += ['-c', c]
        subprocess.run(args + [dump, vmlinux], check=True,
                       stdout=subprocess.DEVNULL)
        # a second revision of the first note
        notes = subprocess.run([binary, '--case', case, '--json', '-c',
                                'note list', dump, vmlinux], check=True,
                               capture_output=True, text=True).stdout
        uuid = notes.split('"uuid":')[1].split('"')[1] if '"uuid":' in \
            notes else None
        if uuid:
            subprocess.run([binary, '--case', case, '-c',
                            f'note edit {uuid} "rev 2"', '-c',
                            f'case export {tmp}/export2.json', dump, vmlinux],
                           check=True, stdout=subprocess.DEVNULL)
        # sqlite's own checkpoint: the file alone holds everything
        subprocess.run(['sqlite3', case, 'PRAGMA wal_checkpoint(TRUNCATE);'
                        'PRAGMA journal_mode=DELETE;'], check=False,
                       stdout=subprocess.DEVNULL)
        write(out, 'case_merge', 'case', open(case, 'rb').read())
        for e in ('export.json', 'export2.json'):
            if os.path.exists(f'{tmp}/{e}'):
                write(out, 'case_import', e, open(f'{tmp}/{e}', 'rb').read())


def main():
    out = sys.argv[1]
    fixtures = os.environ['KT_FIXTURES']
    formats = os.environ.get('KT_FORMATS', '')
    kdump_seeds(out, fixtures, formats)
    elf_notes(out, formats)
    vmcoreinfo(out, fixtures)
    texts(out)
    walk_seeds(out)
    cases(out, fixtures, os.environ['KT_BINARY'], os.environ['KT_VMLINUX'])


if __name__ == '__main__':
    main()
