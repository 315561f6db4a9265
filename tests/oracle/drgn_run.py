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
its text block, widened by each of its other mem[] blocks that brings no
other module's block into the range (a block left out, e.g. an
ro_after_init block below other modules' blocks, is found by name only:
drgn 0.0.22 has one address range per module). The section
addresses come from sect_attrs as on any kernel; the .ko's build ID must
match the module's. After the load, `struct module` and that memory are
the dump's again.

drgn 0.0.22 reads a module's build ID from notes_attrs->notes (a count)
and notes_attrs->attrs[i].private/.size, and its section addresses from
sect_attrs->nsections and sect_attrs->attrs[i].address/.battr.attr.name.
On later kernels (7.2) both are `{struct attribute_group grp; struct
bin_attribute attrs[];}`: no count (grp.bin_attrs is a NULL-ended array
of pointers to the attrs) and a section's address is its bin_attribute's
`private`. Where the debuginfo shows that (module_notes_attrs has no
`notes`, module_sect_attrs no `nsections`), drgn 0.0.22 is shown, for the
load only, types with the count as an overlay of grp.name (the group's
first word) and a section's name and address as the bin_attribute's
attr.name and private, for every module on the list.
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
    """{module address: (start, end, how)} for every module on the list:
    the span of its text block (mem[MOD_TEXT]) widened by each of its other
    blocks that does not bring another module's block into the span; how
    is "all" when every block is in, else "some"."""
    mods = [(m.value_(), blocks(m, nmem), m.mem[0].base.value_(), m.mem[0].size.value_())
            for m in list_for_each_entry("struct module",
                                         prog["modules"].address_of_(), "list")]
    out = {}
    for addr, blks, text, text_size in mods:
        if not text_size:
            continue
        others = [(b, s) for a, bl, _t, _n in mods if a != addr for b, s in bl]
        lo, hi = text, text + text_size
        grown = True
        while grown:
            grown = False
            for b, s in blks:
                nlo, nhi = min(lo, b), max(hi, b + s)
                if (nlo, nhi) != (lo, hi) and \
                        not any(ob < nhi and nlo < ob + os_ for ob, os_ in others):
                    lo, hi, grown = nlo, nhi, True
        inside = all(lo <= b and b + s <= hi for b, s in blks)
        out[addr] = (lo, hi, "all" if inside else "some")
    return out


def _null_ended_count(array):
    n = 0
    while array[n].value_():
        n += 1
    return n


def sysfs_attr_fakes(prog):
    """{member of struct module: (fake pointer type, count of a module's
    group)} for notes_attrs and sect_attrs where their struct has no count
    member (later kernels: grp and bin_attribute attrs[]), else {}."""
    out = {}
    battr = prog.type("struct bin_attribute")
    uint = prog.type("unsigned int")
    for member, tag, count, elem in (
            ("notes_attrs", "module_notes_attrs", "notes", None),
            ("sect_attrs", "module_sect_attrs", "nsections", "module_sect_attr")):
        try:
            real = prog.type("struct " + tag)
        except LookupError:
            continue
        if real.has_member(count) or not real.has_member("grp"):
            continue
        etype = battr
        if elem:
            name_bits = (offsetof(battr, "attr") +
                         offsetof(battr.member("attr").type, "name")) * 8
            etype = prog.struct_type(elem, sizeof(battr), [
                TypeMember(prog.pointer_type(prog.type("char")), "name", name_bits),
                TypeMember(prog.type("unsigned long"), "address",
                           offsetof(battr, "private") * 8),
            ])
        fake = prog.struct_type(tag, sizeof(real), [
            TypeMember(uint, count, offsetof(real, "grp") * 8),
            TypeMember(prog.array_type(etype), "attrs", offsetof(real, "attrs") * 8),
        ])

        def counter(obj):
            return _null_ended_count(obj.grp.bin_attrs)

        out[member] = (prog.pointer_type(fake), counter)
    return out


def add_overlay(prog, state, at, real_bytes, fake_bytes):
    """Memory at `at` reads as fake_bytes while state["on"], else as
    real_bytes (what the dump holds)."""
    def read(address, count, offset, physical):
        src = fake_bytes if state["on"] else real_bytes
        return src[offset:offset + count]

    prog.add_memory_segment(at, len(real_bytes), read)


def load_mem_modules(prog, paths):
    """Load the .ko files on a kernel whose struct module has mem[]."""
    real = prog.type("struct module")
    mem = [m for m in real.members if m.name == "mem"][0]
    nmem = mem.type.length
    memory_type = mem.type.type
    try:
        slot = prog["MOD_INIT_TEXT"].value_()
    except KeyError:
        slot = 4  # enum mod_mem_type of 6.4 to 6.12
    init_text = offsetof(real, "mem") + slot * sizeof(memory_type)
    voidp = prog.type("void *")
    layout = prog.struct_type("module_layout", 16, [
        TypeMember(voidp, "base", 0),
        TypeMember(prog.type("unsigned int"), "size", 64),
    ])
    keep = ("list", "name", "notes_attrs", "sect_attrs", "percpu")
    attr_fakes = sysfs_attr_fakes(prog)
    members = [TypeMember(attr_fakes[m.name][0] if m.name in attr_fakes else m.type,
                          m.name, m.bit_offset)
               for m in real.members if m.name in keep]
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
    placed = {}
    for m in list_for_each_entry("struct module", prog["modules"].address_of_(), "list"):
        addr = m.value_()
        name = m.name.string_().decode()
        for member, (_ptype, counter) in sorted(attr_fakes.items()):
            group = getattr(m, member)
            if group.value_():
                at = group.value_()
                add_overlay(prog, state, at, prog.read(at, 8),
                            struct.pack("<Q", counter(group)))
        if addr not in ranges or name not in wanted:
            continue
        start, end, _how = placed[name] = ranges[addr]
        at = addr + init_text
        add_overlay(prog, state, at, prog.read(at, 12),
                    struct.pack("<QI", start, end - start))
    prog.add_type_finder(find_type)
    state["on"] = True
    try:
        prog.load_debug_info(paths)
    finally:
        state["on"] = False
    return placed


def load_modules(prog, paths):
    """Load paths; where load_mem_modules() was needed, its {module name:
    (start, end, how)} of the modules it placed, else None."""
    if not paths:
        return None
    names = {m.name for m in prog.type("struct module").members}
    if "mem" in names and "core_layout" not in names and "module_core" not in names:
        return load_mem_modules(prog, paths)
    prog.load_debug_info(paths)
    return None


def main(prog, argv):
    kos = []
    args = argv[1:]
    while len(args) >= 2 and args[0] == "--ko":
        kos.append(args[1])
        args = args[2:]
    if not args:
        sys.stderr.write("usage: drgn_run.py [--ko MODULE.ko ...] SCRIPT [ARG ...]\n")
        sys.exit(2)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.dont_write_bytecode = True
    import drgn_compat

    if os.environ.get("KT_DRGN_VMLINUX_NOTE"):
        drgn_compat.NOTES.append(os.environ["KT_DRGN_VMLINUX_NOTE"])
    ranges = load_modules(prog, kos)
    if ranges:
        how = sorted({h for _s, _e, h in ranges.values()})
        drgn_compat.NOTES.append(
            "the modules' .ko were placed by drgn_run.py: struct module has "
            "mem[] and no core_layout, so drgn 0.0.22 was shown a core_layout "
            "spanning %s" % " or ".join(
                {"all": "all of a module's mem[] blocks",
                 "some": "its text block and those of its other blocks that "
                         "bring no other module's block into the span (drgn "
                         "finds the others' symbols by name only)"}[h]
                for h in how))
    drgn_compat.apply(prog)
    sys.argv = args
    runpy.run_path(args[0], init_globals={"prog": prog}, run_name="__main__")


main(prog, sys.argv)  # noqa: F821 - prog is the drgn CLI's global
