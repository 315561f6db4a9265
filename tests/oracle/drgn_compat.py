# SPDX-License-Identifier: GPL-2.0-or-later
"""Fixes to drgn 0.0.22's helpers for kernel layouts newer than drgn 0.0.22,
each applied only where the debuginfo shows that layout. drgn_run.py calls
apply() before it runs an oracle script; on a kernel whose layout drgn
0.0.22 knows, apply() changes nothing.

- Slab pages without PG_slab (Linux 6.10 and later: the enum pagetype
  constant PGTY_slab exists and PG_slab does not): a slab page is one whose
  page_type has PGTY_slab in its top byte. drgn 0.0.22's PageSlab() answers
  False for every page there (so slab_object_info() and identify_address()
  never see a slab), and slab_cache_for_each_allocated_object() raises
  LookupError: could not find constant 'PG_slab'. Both then test page_type.
"""

from drgn import FaultError, cast

# What was done to let drgn 0.0.22 read this kernel (drgn_run.py adds its
# own): sentences for the outputs' "drgn_adaptations", empty where nothing
# was needed.
NOTES = []


def _constant(prog, name):
    try:
        return prog.constant(name).value_()
    except (KeyError, LookupError):
        return None


def _fix_page_slab(prog):
    if _constant(prog, "PG_slab") is not None:
        return None
    pgty_slab = _constant(prog, "PGTY_slab")
    if pgty_slab is None:
        return None

    import drgn.helpers.linux.mm as mm
    import drgn.helpers.linux.slab as slab

    def PageSlab(page):  # noqa: N802 - drgn's name
        """Whether page_type's top byte is PGTY_slab (a slab's head page)."""
        return (page.page_type.value_() >> 24) & 0xFF == pgty_slab

    def for_each_allocated_object(self, type):  # noqa: A002 - drgn's name
        pointer_type = self._prog.pointer_type(self._prog.type(type))
        slab_type = slab._get_slab_type(self._prog)
        for page in mm.for_each_page(self._prog):
            try:
                if not PageSlab(page):
                    continue
            except FaultError:
                continue
            s = cast(slab_type, page)
            if s.slab_cache == self._slab_cache:
                yield from self._page_objects(page, s, pointer_type)

    mm.PageSlab = PageSlab
    slab.PageSlab = PageSlab
    slab._SlabCacheHelper.for_each_allocated_object = for_each_allocated_object
    return ("PageSlab() and slab_cache_for_each_allocated_object() test "
            "page_type >> 24 == PGTY_slab (%#x), this kernel has no PG_slab" % pgty_slab)


def apply(prog):
    """Apply the fixes this kernel needs; add their descriptions to NOTES."""
    fixes = [d for d in (_fix_page_slab(prog),) if d]
    NOTES.extend("drgn 0.0.22's helpers patched: " + d for d in fixes)
    return fixes
