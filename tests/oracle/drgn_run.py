# SPDX-License-Identifier: GPL-2.0-or-later
"""Run an oracle script under the drgn CLI after loading the modules' .ko.

    drgn -q -c DUMP -s VMLINUX drgn_run.py [--ko MODULE.ko ...] SCRIPT [ARG ...]

Loads the debug info of each MODULE.ko (prog.load_debug_info(), as -s
does), applies drgn_compat.py's fixes to drgn's helpers (none on a kernel
whose layout drgn 0.0.22 knows), then runs SCRIPT with sys.argv = [SCRIPT,
ARG ...] and the global `prog`, as the drgn CLI runs a script.

drgn 0.0.22 finds where a module is loaded through `struct module`'s
core_layout (Linux 4.5 to 6.3) or module_core/core_size (before 4.5). Since
Linux 6.4 a module's memory is `struct module_memory mem[]` (MOD_TEXT,
MOD_DATA, MOD_RODATA, MOD_RO_AFTER_INIT, MOD_INIT_*), drgn 0.0.22 stops with
"'struct module' has no member 'core_size'", and a .ko given with -s lands
at its unrelocated addresses near 0: no module frame resolves or unwinds.
On such a kernel, told by the debuginfo (struct module has `mem` and no
core_layout), this script shows drgn 0.0.22, for the load only, a
`struct module` whose `core_layout` is an overlay of mem[MOD_INIT_TEXT]
(freed, so {NULL, 0}, in every LIVE module) holding the module's range:
from the lowest to the end of the highest of its mem[] blocks, or, when
another module's block lies in that span, its text block alone (then
drgn resolves addresses of that module's data by name only). The section
addresses come from sect_attrs as on any kernel; the .ko's build ID must
match the module's. After the load, `struct module` and that memory are
the dump's again.
"""

import os
import runpy
import struct
import sys

from drgn import TypeKind, TypeMember, offsetof, sizeof
from drgn.helpers.linux.list import list_for_each_entry


def module_name_of(path):
    """The module name the kernel gives a .ko: its file name, - as _."""
    name = os.path.basename(path)
    if name.endswith(".ko"):
        name = name[:-3]
    return name.replace("-", "_")


def blocks(mod, nmem):
    return [(mod.mem[i].base.value_(), mod.mem[i].size.value_())
            for i in range(nmem) if mod.mem[i].size.value_()]


def module_ranges(prog, nmem):
    """{module address: (start, end, how)} for every module on the list."""
    mods = [(m.value_(), m.name.string_().decode(), blocks(m, nmem))
            for m in list_for_each_entry("struct module",
                                         prog["modules"].address_of_(), "list")]
    out = {}
    for addr, name, blks in mods:
        if not blks:
            continue
        lo = min(b for b, _ in blks)
        hi = max(b + s for b, s in blks)
        others = [(b, s) for a, _, bl in mods if a != addr for b, s in bl]
        if any(b < hi and lo < b + s for b, s in others):
            text = mod_text(prog, addr)
            out[addr] = (text[0], text[0] + text[1], "text")
        else:
            out[addr] = (lo, hi, "all")
    return out


def mod_text(prog, addr):
    from drgn import Object

    m = Object(prog, "struct module *", value=addr)
    return m.mem[0].base.value_(), m.mem[0].size.value_()


def load_mem_modules(prog, paths):
    """Load the .ko files on a kernel whose struct module has mem[]."""
    real = prog.type("struct module")
    mem = [m for m in real.members if m.name == "mem"][0]
    nmem = mem.type.length
    memory_type = mem.type.type
    init_text = offsetof(real, "mem") + 4 * sizeof(memory_type)  # MOD_INIT_TEXT
    voidp = prog.type("void *")
    layout = prog.struct_type("module_layout", 16, [
        TypeMember(voidp, "base", 0),
        TypeMember(prog.type("unsigned int"), "size", 64),
    ])
    keep = ("list", "name", "notes_attrs", "sect_attrs", "percpu")
    members = [TypeMember(m.type, m.name, m.bit_offset) for m in real.members
               if m.name in keep]
    members.append(TypeMember(layout, "core_layout", init_text * 8))
    members.sort(key=lambda m: m.bit_offset)
    fake = prog.struct_type("module", sizeof(real), members)

    state = {"on": False}

    def find_type(kind, name, filename):
        if state["on"] and kind == TypeKind.STRUCT and name == "module":
            return fake
        return None

    ranges = module_ranges(prog, nmem)
    wanted = {module_name_of(p) for p in paths}
    for m in list_for_each_entry("struct module", prog["modules"].address_of_(), "list"):
        addr = m.value_()
        if addr not in ranges or m.name.string_().decode() not in wanted:
            continue
        start, end, _how = ranges[addr]
        at = addr + init_text
        real_bytes = prog.read(at, 12)
        fake_bytes = struct.pack("<QI", start, end - start)

        def read(address, count, offset, physical, real_bytes=real_bytes,
                 fake_bytes=fake_bytes):
            src = fake_bytes if state["on"] else real_bytes
            return src[offset:offset + count]

        prog.add_memory_segment(at, 12, read)
    prog.add_type_finder(find_type)
    state["on"] = True
    try:
        prog.load_debug_info(paths)
    finally:
        state["on"] = False
    return ranges


def load_modules(prog, paths):
    if not paths:
        return
    names = {m.name for m in prog.type("struct module").members}
    if "mem" in names and "core_layout" not in names and "module_core" not in names:
        load_mem_modules(prog, paths)
    else:
        prog.load_debug_info(paths)


def main(prog, argv):
    kos = []
    args = argv[1:]
    while len(args) >= 2 and args[0] == "--ko":
        kos.append(args[1])
        args = args[2:]
    if not args:
        sys.stderr.write("usage: drgn_run.py [--ko MODULE.ko ...] SCRIPT [ARG ...]\n")
        sys.exit(2)
    load_modules(prog, kos)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.dont_write_bytecode = True
    import drgn_compat

    drgn_compat.apply(prog)
    sys.argv = args
    runpy.run_path(args[0], init_globals={"prog": prog}, run_name="__main__")


main(prog, sys.argv)  # noqa: F821 - prog is the drgn CLI's global
