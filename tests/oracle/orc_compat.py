# SPDX-License-Identifier: GPL-2.0-or-later
"""The vmlinux and .ko files to give drgn 0.0.22: copies whose ORC it can read.

    python3 orc_compat.py CACHE_DIR FILE...

prints one path per FILE, in order: FILE itself when drgn 0.0.22 reads its
ORC as it is, else a copy in CACHE_DIR (made once, remade when FILE or this
script is newer) with the ORC entries rewritten in the format drgn 0.0.22
knows, and beside it COPY.note, one sentence on what was done. Plain Python,
no drgn.

drgn 0.0.22 reads ORC entries in the layout of Linux < 6.3 (flags: sp_reg
bits 0-3, bp_reg 4-7, type 8-9 with CALL 0, REGS 1, REGS_PARTIAL 2, end
bit 10). Linux 6.4 changed the layout (type bits 8-10 with UNDEFINED 0,
END_OF_STACK 1, CALL 2, REGS 3, REGS_PARTIAL 4, signal bit 11; no end bit;
Linux 6.3 had type 8-9, signal 10, end 11), and drgn 0.0.22 then fails every
stack trace that reaches an ORC-only function (assembly: entry code, IRQ and
exception entry) with "unknown ORC entry type 3". The layout is told by the
.orc_header section (Linux 6.4 and 6.3.10+: a 20-byte hash of orc_types.h),
never by the kernel's version. A file without .orc_header is left as it is.
With an .orc_header whose hash is not one of the two known, the entries
themselves tell: where nearly all typed entries are CALL in 6.4's type
field (bits 8-10 = 2; before 6.4 CALL is 0) and no entry uses bits 12-15,
they are taken for the 6.4+ layout (Linux 7.1 changed orc_types.h, and so
its hash, without changing the entry layout). Else the copy has no ORC
sections at all (objcopy), and drgn unwinds with DWARF CFI alone (no frame
past an assembly function).

Linux 7.1 also renumbered the registers (UNDEFINED 0, AX 1, DX 2, SP 3,
BP 4, DI 5, R10 6, R13 7, PREV_SP 8, SP_INDIRECT 9, BP_INDIRECT 10; drgn
0.0.22 knows UNDEFINED 0, PREV_SP 1, DX 2, DI 3, BP 4, SP 5, R10 6, R13 7,
BP_INDIRECT 8, SP_INDIRECT 9). The data tell which numbering a file uses:
nearly every CALL entry finds the frame from SP, so sp_reg 3 outnumbers
sp_reg 5 there from 7.1 on (DI, the old 3, is rare). Such a file's
registers are mapped to the old numbers; AX, which drgn 0.0.22 has no
number for, becomes 15, which it reports as an unknown register (7.2's
files have no entry with AX). A file with no CALL entry follows the
numbering of the files before it on the command line (vmlinux first).

Only .orc_unwind changes (6 bytes per entry: s16 sp_offset, s16 bp_offset,
u16 flags); every other byte of the copy is the file's.
"""

import os
import shutil
import struct
import subprocess
import sys

# sh ./scripts/orc_hash.sh < arch/x86/include/asm/orc_types.h
ORC_HASH_6_4 = bytes.fromhex("fe5d32bf581bd63b2ca9a5c65ba5a625eab3fe24")
ORC_HASH_6_3 = bytes.fromhex("db84aed4103b31dd51e017f8f79783ca985c2c51")


def sections(path):
    """{name: (file offset, size)} of an ELF64 little-endian file."""
    with open(path, "rb") as f:
        eh = f.read(64)
        if eh[:4] != b"\x7fELF" or eh[4] != 2 or eh[5] != 1:
            raise ValueError("%s: not a 64-bit little-endian ELF file" % path)
        shoff, = struct.unpack_from("<Q", eh, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", eh, 0x3A)
        f.seek(shoff)
        raw = f.read(shentsize * shnum)
        hdrs = [struct.unpack_from("<IIQQQQIIQQ", raw, i * shentsize) for i in range(shnum)]
        f.seek(hdrs[shstrndx][4])
        names = f.read(hdrs[shstrndx][5])
    out = {}
    for h in hdrs:
        name = names[h[0]:names.index(b"\0", h[0])].decode()
        out.setdefault(name, (h[4], h[5]))
    return out


# Registers of 7.1's numbering -> drgn 0.0.22's (pre-7.1) numbering:
# UNDEFINED, AX (none: 15), DX, SP, BP, DI, R10, R13, PREV_SP, SP_INDIRECT,
# BP_INDIRECT; 11-15 are no register in either.
RENUMBER_7_1 = (0, 15, 2, 5, 4, 3, 6, 7, 1, 9, 8, 11, 12, 13, 14, 15)


def entry_flags(data):
    return [struct.unpack_from("<H", data, i + 4)[0]
            for i in range(0, len(data) - len(data) % 6, 6)]


def looks_6_4(flags):
    """The entries have the 6.4+ layout: nearly all typed entries (type
    field not UNDEFINED) are CALL (2 in bits 8-10) and bits 12-15 are
    unused. Before 6.4 CALL is 0 in bits 8-9."""
    typed = [f for f in flags if f >> 8 & 7]
    if not typed or any(f >> 12 for f in flags) or any(f >> 8 & 7 > 4 for f in flags):
        return False
    calls = sum(1 for f in typed if f >> 8 & 7 == 2)
    return calls * 10 >= len(typed) * 9


def renumbered(flags, version):
    """True where the registers are numbered as from 7.1 (SP 3, not 5),
    False where as before, None where the entries do not tell (no CALL
    entry, or as many of each)."""
    call = 2 if version == 3 else 0
    typ = (lambda f: f >> 8 & 7) if version == 3 else (lambda f: f >> 8 & 3)
    three = sum(1 for f in flags if typ(f) == call and f & 15 == 3)
    five = sum(1 for f in flags if typ(f) == call and f & 15 == 5)
    if three == five:
        return None
    return three > five


def v1_flags(flags, version, renumber=False):
    """One entry's flags in the pre-6.3 layout."""
    if renumber:
        flags = (flags & ~0xFF) | RENUMBER_7_1[flags >> 4 & 15] << 4 \
            | RENUMBER_7_1[flags & 15]
    regs = flags & 0xFF
    if version == 3:
        kind = flags >> 8 & 7
        if kind == 1:  # END_OF_STACK: sp_reg UNDEFINED with the end bit
            return (regs & 0xF0) | 0x400
        if kind in (2, 3, 4):  # CALL, REGS, REGS_PARTIAL
            return regs | (kind - 2) << 8
        return regs & 0xF0  # UNDEFINED: sp_reg UNDEFINED, no end bit
    # version 2 (6.3): type 8-9 as before, signal 10, end 11
    return (flags & 0x3FF) | (0x400 if flags & 0x800 else 0)


def convert(src, dst, version, orc, renumber=False):
    off, size = orc
    tmp = dst + ".tmp"
    shutil.copyfile(src, tmp)
    with open(tmp, "r+b") as f:
        f.seek(off)
        data = bytearray(f.read(size))
        for i in range(0, size - size % 6, 6):
            flags, = struct.unpack_from("<H", data, i + 4)
            struct.pack_into("<H", data, i + 4, v1_flags(flags, version, renumber))
        f.seek(off)
        f.write(data)
    os.replace(tmp, dst)


def strip(src, dst):
    tmp = dst + ".tmp"
    subprocess.run(["objcopy", "--remove-section=.orc_unwind",
                    "--remove-section=.orc_unwind_ip",
                    "--remove-section=.orc_header", src, tmp], check=True)
    os.replace(tmp, dst)


def read_section(path, sec):
    off, size = sec
    with open(path, "rb") as f:
        f.seek(off)
        return f.read(size)


# The numbering of the files before, for a file whose entries do not tell
# (compat_path() is called for vmlinux first).
_numbering = {"renumbered": None}


def compat_path(cache, path):
    secs = sections(path)
    if ".orc_header" not in secs or ".orc_unwind" not in secs:
        return path
    header = read_section(path, secs[".orc_header"])
    version = {ORC_HASH_6_4: 3, ORC_HASH_6_3: 2}.get(header)
    flags = entry_flags(read_section(path, secs[".orc_unwind"]))
    told = False
    if version is None and looks_6_4(flags):
        version, told = 3, True
    renumber = renumbered(flags, version) if version else None
    if renumber is None:
        renumber = bool(_numbering["renumbered"])
    else:
        _numbering["renumbered"] = renumber
    dst = os.path.join(cache, os.path.basename(path))
    newest = max(os.path.getmtime(path), os.path.getmtime(__file__))
    if os.path.exists(dst) and os.path.getmtime(dst) >= newest \
            and os.path.getsize(dst) > 0:
        return dst
    os.makedirs(cache, exist_ok=True)
    if version:
        convert(path, dst, version, secs[".orc_unwind"], renumber)
        note = ("ORC entries rewritten from the Linux %s layout to the one "
                "drgn 0.0.22 reads" % ("6.4+" if version == 3 else "6.3"))
        if renumber:
            note += (", their registers from the numbering of Linux 7.1 on "
                     "(SP 3, PREV_SP 8) to drgn's")
        if told or renumber:
            note += " (%s told by the entries%s)" % (
                "both" if told and renumber else "the layout" if told else "the numbering",
                ": the .orc_header hash is not one orc_compat.py knows" if told else "")
    else:
        strip(path, dst)
        note = "no ORC sections (an .orc_header drgn 0.0.22 cannot read)"
    with open(dst + ".note", "w") as f:
        f.write(note + "\n")
    return dst


def main(argv):
    if len(argv) < 2:
        sys.stderr.write("usage: orc_compat.py CACHE_DIR FILE...\n")
        return 2
    for path in argv[2:]:
        print(compat_path(argv[1], path))
    return 0


sys.exit(main(sys.argv))
