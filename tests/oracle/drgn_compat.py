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
- struct page without compound_head, with compound_info (Linux 7.1 on):
  drgn 0.0.22's compound_head() raises AttributeError (and its fake-head
  test reads page->flags, a struct there), so slab_object_info() and
  identify_address() fail for every direct-map address. compound_head()
  then decodes compound_info (common.compound_head_address(): bit 0 = tail,
  the rest the head page's address or a mask for the tail's address).
- SLUB without struct kmem_cache_cpu, with sheaves (kmem_cache has
  cpu_sheaves and no cpu_slab; Linux 7.0 on): drgn 0.0.22's SLUB helper
  raises AttributeError on cpu_slab in every slab_object_info(),
  identify_address() of a slab address and allocated-object walk. Free
  objects are then on their slab's freelist or in a sheaf: a CPU's main,
  spare or rcu_free sheaf (slub_percpu_sheaves, kfree_rcu() objects waiting
  for a grace period in the last), or a full sheaf of a node's barn
  (per_node[n].barn->sheaves_full, or node[n]->barn where there is no
  per_node). The slab's counters count an object in a sheaf as in use; the
  helper counts it free, where 0.0.22 counted the objects on the CPUs'
  freelists. Where kmem_cache has both, the sheaves' objects are added to
  the CPU freelists'.
"""

from drgn import FaultError, Object, cast

from common import compound_head_address

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


def _fix_compound_info(prog):
    page_type = prog.type("struct page")
    if page_type.has_member("compound_head") or not page_type.has_member("compound_info"):
        return None

    import drgn.helpers.linux.mm as mm
    import drgn.helpers.linux.slab as slab

    def compound_head(page):
        """The head page of page (itself if it is no tail page)."""
        page = page.read_()
        head = compound_head_address(page.value_(), page.compound_info.value_())
        return page if head == page.value_() else Object(page.prog_, page.type_, value=head)

    mm.compound_head = compound_head
    slab.compound_head = compound_head
    return ("compound_head() reads page->compound_info (this kernel's struct "
            "page has no compound_head): bit 0 marks a tail page, the rest is "
            "the head page's address or a mask to AND with the tail page's")


# A sheaf holds at most this many objects (sheaf_capacity is far less).
MAX_SHEAF_OBJECTS = 4096


def sheaf_objects(sheaf):
    """The object addresses in struct slab_sheaf *sheaf."""
    n = sheaf.size.value_()
    if n > MAX_SHEAF_OBJECTS:
        raise ValueError("sheaf %#x holds %d objects" % (sheaf.value_(), n))
    data = sheaf.prog_.read(sheaf.objects.address_, 8 * n)
    return [int.from_bytes(data[i:i + 8], "little") for i in range(0, 8 * n, 8)]


def cache_barns(slab_cache):
    """[struct node_barn *] of each node of slab_cache (nr_node_ids):
    per_node[n].barn, or node[n]->barn where there is no per_node."""
    prog = slab_cache.prog_
    nodes = prog["nr_node_ids"].value_()
    out = []
    for n in range(nodes):
        try:
            out.append(slab_cache.per_node[n].barn.read_())
        except AttributeError:
            node = slab_cache.node[n].read_()
            out.append(node.barn.read_() if node else node)
    return out


def cache_sheaf_objects(slab_cache, cpus):
    """Every object in a sheaf of slab_cache: the main, spare and rcu_free
    sheaves of each CPU of cpus, and the full sheaves of each node's barn."""
    from drgn.helpers.linux.list import list_for_each_entry
    from drgn.helpers.linux.percpu import per_cpu_ptr

    objs = set()
    pcs = slab_cache.cpu_sheaves.read_()
    if pcs:
        for cpu in cpus:
            this = per_cpu_ptr(pcs, cpu)
            for which in ("main", "spare", "rcu_free"):
                sheaf = getattr(this, which).read_()
                if sheaf:
                    objs.update(sheaf_objects(sheaf))
    for barn in cache_barns(slab_cache):
        if not barn:
            continue
        for sheaf in list_for_each_entry("struct slab_sheaf",
                                         barn.sheaves_full.address_of_(), "barn_list"):
            objs.update(sheaf_objects(sheaf))
    return objs


def _fix_slub_sheaves(prog):
    kc = prog.type("struct kmem_cache")
    if not kc.has_member("cpu_sheaves"):
        return None

    import drgn.helpers.linux.slab as slab
    from drgn.helpers.linux.cpumask import for_each_online_cpu

    has_cpu_slab = kc.has_member("cpu_slab")
    helper = slab._SlabCacheHelperSlub
    original_init = helper.__init__

    def __init__(self, slab_cache):  # noqa: N807 - the method's name
        if has_cpu_slab:
            original_init(self, slab_cache)
        else:
            # drgn 0.0.22's __init__ without the CPU slabs
            slab._SlabCacheHelper.__init__(self, slab_cache)
            self._slab_cache_size = slab_cache.size.value_()
            self._red_left_pad = slab_cache.red_left_pad.value_()
            offset = slab_cache.offset.value_()
            read_word = self._prog.read_word
            try:
                random = slab_cache.random.value_()
            except AttributeError:  # no CONFIG_SLAB_FREELIST_HARDENED
                _deref = read_word
            else:
                def _deref(ptr_addr):
                    return (read_word(ptr_addr) ^ random ^
                            int.from_bytes(ptr_addr.to_bytes(8, "little"), "big"))

            def _slub_get_freelist(freelist, freelist_set):
                ptr = freelist.value_()
                while ptr:
                    freelist_set.add(ptr)
                    ptr = _deref(ptr + offset)

            self._slub_get_freelist = _slub_get_freelist
            self._cpu_freelists = set()
        cpus = [c.value_() if hasattr(c, "value_") else c
                for c in for_each_online_cpu(self._prog)]
        self._cpu_freelists |= cache_sheaf_objects(slab_cache, cpus)

    helper.__init__ = __init__
    return ("the SLUB helper takes the objects in sheaves for free: each online "
            "CPU's main, spare and rcu_free sheaf (kmem_cache.cpu_sheaves) and "
            "the full sheaves of each node's barn, where 0.0.22 took the CPU "
            "slabs' freelists (this kernel's kmem_cache has cpu_sheaves%s)"
            % ("" if has_cpu_slab else " and no cpu_slab"))


def apply(prog):
    """Apply the fixes this kernel needs; add their descriptions to NOTES."""
    fixes = [d for d in (_fix_page_slab(prog), _fix_compound_info(prog),
                         _fix_slub_sheaves(prog)) if d]
    NOTES.extend("drgn 0.0.22's helpers patched: " + d for d in fixes)
    return fixes
