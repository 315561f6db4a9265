# SPDX-License-Identifier: GPL-2.0-or-later
"""Oracle: slab ownership of addresses of a kernel crash dump, as drgn sees it.

Run under the drgn CLI (drgn 0.0.22, Debian python3-drgn):

    drgn -q -c DUMP -s VMLINUX -s ktscen.ko -s null_blk.ko -s nbd.ko \\
        kmem.py DUMP OUT.kmem.json        # "-" for OUT = stdout

DUMP is used only for the "dump" file name in the output.  The tests of
ktriage's `kmem ADDR` ownership engine compare against the result; see
README.md ("Fields of <dump>.kmem.json").

Sections:

- "addresses": one entry per distinct address, sorted by address.  "drgn"
  holds what drgn 0.0.22 says (identify_address() and slab_object_info());
  "own" holds what this script computed itself from the same memory (page
  kind, which free list holds the object), to explain drgn's answer.
- "caches": every slab cache on slab_caches, with drgn's count of allocated
  objects over all slab pages, and the kernel's own per-node counters.
- "facts": scenario facts (hctx->fq, the stale list-poison entry).

The address set (deterministic; "from" says why an address is in it):

1. Stack words ("stack"): every 8-byte word of every task's kernel stack
   (task->stack .. +THREAD_SIZE, 16 KiB), for every task of for_each_task()
   plus each CPU's rq->idle, whose value lies in the direct map as drgn
   gates it ([pfn_to_virt(min_low_pfn), pfn_to_virt(max_pfn) + PAGE_SIZE)),
   in the vmalloc area ([vmalloc_base, +32 TiB)) or in the module area
   ([0xffffffffc0000000, 0xffffffffff000000)).  Kernel-image words (return
   addresses) are left out.  Each value keeps at most STACK_LOCATIONS
   locations ({pid, at}: "at" is the stack slot, which also tells the two
   pid-0 idle tasks apart), in (task address, slot) order, and
   "stack_hits", the number of slots that hold it.  If there are
   more than STACK_VALUES_CAP distinct values (never on these dumps: about
   1,100-1,500), the lowest STACK_VALUES_CAP values are kept and
   "stack_values_dropped" says how many were not.
2. Slab samples ("sample"): for each cache of SAMPLE_CACHES that exists
   (exact name), up to SLABS_PER_CACHE slabs (one less if a slab holds
   BIG_SLAB objects or more): each online CPU's active slab
   of the cache (role "cpuN"), then the lowest-address slab with objects on
   its own freelist ("partial"), then the lowest-address slab with an empty
   freelist that is no CPU's active slab ("full"), then the lowest-address
   remaining slabs ("extra").  Where SLUB has sheaves and no CPU slabs
   (7.2), the lowest-address slab with an object in a sheaf ("sheaf")
   comes first instead of the CPU slabs.  Of each slab, every object at +0, +0x10 and
   at its last byte (+size-1, which may lie in SLUB metadata), and the first
   byte after the last object if the slab has tail padding ("tail": drgn
   maps it to an object that does not exist).
3. Other addresses ("special:NAME"): a buddy-free page, a page-cache page,
   an anonymous page, a reserved page, the page at max_pfn (inside drgn's
   direct-map gate but beyond RAM), per-CPU variables, a vmalloc'd stack,
   kernel text and data, module text and data, a struct page (vmemmap),
   NULL, a user address, a non-canonical address, and the facts' addresses.

Give drgn only the .ko files of modules that are loaded in the dump (gen.sh
does): drgn 0.0.22 places the symbols of any other .ko at their unrelocated
addresses, near 0, so that identify_address(0) answers e.g. "function symbol:
__SCT__tp_func_nbd_header_sent+0x0".  The script notes such an answer in
"errors".

Fields of an "addresses" entry (hex strings for addresses):

- address, region (this script's range classification: direct_map,
  direct_map_beyond_ram, vmalloc, module_area, kernel_image, vmemmap,
  cpu_entry_area, user, non_canonical, other), from (why it is in the set),
  stack and stack_hits (stack words only).
- drgn.identify: identify_address() (null if unrecognised);
  drgn.identify_error if it raised.
- drgn.slab: slab_object_info() as {cache, object, offset, allocated}, or
  null; drgn.slab_error if it raised; drgn.skipped if not asked (see below).
  drgn 0.0.22's allocated is never None: it is True unless the object is on
  the slab's freelist or on the freelist of any CPU whose active slab
  belongs to the cache.  It does not check that the object index is below
  slab.objects (the "tail" samples), and its direct-map gate reaches one
  page past max_pfn (special:max_pfn_page).
- own.page (direct-map gate only): pfn, kind (slab, buddy, reserved, anon,
  file, other, no_struct_page, from the compound head's flags, mapping and
  page_type), flags (not for slab pages), head_pfn (tail pages), in_dump (the
  kdump file's bitmap holds the page).
- own.slab (slab pages only): index and index_valid (< slab.objects),
  in_object (offset < object_size), free_on ("cpuN_freelist",
  "slab_freelist" or null), cache only if it differs from drgn's, walk_error.

"caches" entries: name, address, object_size, size, offset (free pointer),
objects_per_slab and order (from oo), refcount, red_left_pad, flags,
aliases (get_slab_cache_aliases() names merged into it), cpu (per online
CPU: active slab, partial, freelist_len, slab_in_cache), slabs and
total_objects (slab pages found by flags over all struct pages),
allocated (drgn 0.0.22's _page_objects() count over those slabs),
own_allocated (this script's count; equal to allocated on every dump),
inuse_sum (sum of slab.inuse, which counts per-CPU free objects as in use),
node0 (the kernel's own nr_partial, nr_slabs, total_objects), and for the
sampled caches sampled_slabs (role, slab, address, objects, inuse, frozen,
slab_freelist_len, cpu_freelist_len).

SLUB with sheaves (kmem_cache has cpu_sheaves and no cpu_slab, 7.2): there
is no CPU slab and no CPU freelist; free objects are on their slab's
freelist or in a sheaf, and the slab's inuse counts a sheaf's objects as in
use. "cpu" then lists per online CPU its main, spare and rcu_free sheaf
(address, and the number of objects as main_size, ...), "barns" per node
its barn (per_node[n].barn) with full_sheaves and full_sheaf_objects (its
sheaves_full list) and the kernel's nr_full and nr_empty; free_on names the
sheaf ("cpuN_main_sheaf", "cpuN_spare_sheaf", "cpuN_rcu_free_sheaf",
"nodeN_barn_sheaf"); sampled_slabs has sheaf_objects for cpu_freelist_len;
node0 is per_node[0].node; special:percpu_cpu_sheaves0 is kmalloc-64's
slub_percpu_sheaves of CPU 0 (for percpu_kmem_cache_cpu0). drgn's verdicts
come from drgn_compat.py's SLUB helper, which counts the same sheaves'
objects free. A tail page's compound_info (no compound_head) is its head
page's address + 1 or a mask of high bits + 1 (common.compound_head_address()).

The script must never die half-way: a failure is recorded in the entry
("error") and in the top-level "errors".  Freelists are walked by this
script first with a bound and a cycle check; drgn 0.0.22 walks them without
either, so an address whose chains fail that check is not given to drgn.
"""

import os
import re
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True

from jsonout import dumps_compact  # noqa: E402
from drgn import FaultError, Object, cast, offsetof, sizeof  # noqa: E402
from drgn.helpers.common.memory import identify_address  # noqa: E402
from drgn.helpers.linux.cpumask import for_each_online_cpu  # noqa: E402
from drgn.helpers.linux.list import list_for_each_entry  # noqa: E402
from drgn.helpers.linux.percpu import per_cpu, per_cpu_ptr  # noqa: E402
from drgn.helpers.linux.printk import get_printk_records  # noqa: E402
from drgn.helpers.linux.slab import (  # noqa: E402
    _get_slab_cache_helper,
    for_each_slab_cache,
    get_slab_cache_aliases,
    slab_object_info,
)

from common import (  # noqa: E402
    all_tasks,
    compound_head_address,
    constant_value,
    cstr,
    error_text,
    has_member,
    hx,
    note_error,
    possible_cpus,
    provenance,
    queue_hw_ctxs,
    runqueue_tasks,
    script_arg,
    slab_type,
    thread_size,
    write_text,
)

SCHEMA_VERSION = 1

THREAD_SIZE = thread_size(prog)  # noqa: F821 - 16 KiB on x86-64 without KASAN
PAGE_SIZE = 4096
STACK_VALUES_CAP = 6000
STACK_LOCATIONS = 3
SLABS_PER_CACHE = 3
BIG_SLAB = 32  # a cache with this many objects per slab gets one slab less
SAMPLE_CACHES = (
    "task_struct",
    "kmalloc-64",
    "kmalloc-192",
    "kmalloc-1k",
    "kmalloc-4k",
    "dentry",
    "inode_cache",
    "sigqueue",
    "filp",
    "vm_area_struct",
    "kmalloc-cg-512",
    "anon_vma",
)
MODULES_VADDR = 0xFFFFFFFFC0000000  # __START_KERNEL_map + 1 GiB (KASLR)
MODULES_END = 0xFFFFFFFFFF000000
VMALLOC_SIZE = 32 << 40  # 4-level paging
VMEMMAP_SIZE = 1 << 40
CPU_ENTRY_AREA = (0xFFFFFE0000000000, 0xFFFFFE8000000000)
# include/linux/page-flags.h (5.10, 6.1): page_type is inverted; PageBuddy()
# is (page_type & (PAGE_TYPE_BASE | PG_buddy)) == PAGE_TYPE_BASE.  Where the
# debuginfo has enum pagetype (6.10+), the top byte of page_type is the type:
# PGTY_buddy, PGTY_slab, ...
PAGE_TYPE_BASE = 0xF0000000
PG_BUDDY = 0x00000080
LIST_POISON1 = 0xDEAD000000000100
# bounds on what a sheaf and a barn hold (sheaf_capacity is far less)
MAX_SHEAF_OBJECTS = 4096
MAX_BARN_SHEAVES = 4096

errors = []


# ---------------------------------------------------------------- layout


class DumpBitmap:
    """The kdump-compressed file's second bitmap: which pfns the file holds.

    Read from the file, not by probing memory through drgn: on hctx-fq and
    nbd-orphan-hung, drgn 0.0.22 (libkdumpfile) dies with SIGSEGV on a
    prog.read() of one byte of a slab page after some reads of excluded
    pages failed.  Layout (makedumpfile diskdump_mod.h): block_size at 428,
    sub_hdr_size at 432, bitmap_blocks at 436 of the header; the bitmaps
    start at block 1 + sub_hdr_size, the second after bitmap_blocks / 2
    blocks; bit pfn & 7 of byte pfn >> 3.
    """

    def __init__(self, path):
        with open(path, "rb") as f:
            h = f.read(464)
            if h[:8] != b"KDUMP   ":
                raise ValueError("not a kdump-compressed file")
            block_size, sub_hdr_size, bitmap_blocks = struct.unpack_from("<iii", h, 428)
            half = bitmap_blocks // 2 * block_size
            f.seek((1 + sub_hdr_size) * block_size + half)
            self.bits = f.read(half)

    def has(self, pfn):
        i = pfn >> 3
        return i < len(self.bits) and bool(self.bits[i] >> (pfn & 7) & 1)


class Mem:
    """Layout and ranges of this kernel, and the struct page array read once."""

    def __init__(self, dump_path):
        self.bitmap = None
        if dump_path:
            try:
                self.bitmap = DumpBitmap(dump_path)
            except Exception as e:  # noqa: BLE001
                note_error(errors, "dump bitmap", e)
        self.page_offset = prog["page_offset_base"].value_()
        self.vmalloc = prog["vmalloc_base"].value_()
        self.vmemmap = prog["vmemmap_base"].value_()
        self.min_pfn = prog["min_low_pfn"].value_()
        self.max_pfn = prog["max_pfn"].value_()
        self.high_memory = prog["high_memory"].value_()
        self.dm_lo = self.page_offset + (self.min_pfn << 12)
        # drgn 0.0.22's _find_containing_slab() gate: one page past max_pfn
        self.dm_hi = self.page_offset + (self.max_pfn << 12) + PAGE_SIZE
        self.text = (prog.symbol("_text").address, prog.symbol("_end").address)
        self.page_size = sizeof(prog.type("struct page"))
        st = prog.type(slab_type(prog))
        self.off_cache = offsetof(st, "slab_cache")
        self.off_freelist = offsetof(st, "freelist")
        self.off_counters = offsetof(st, "counters")
        pt = prog.type("struct page")
        self.off_mapping = offsetof(pt, "mapping")
        self.off_page_type = offsetof(pt, "page_type")
        # PG_slab, or (6.10+, no PG_slab) the PGTY_slab type byte
        self.pg_slab = constant_value(prog, "PG_slab")
        if self.pg_slab is not None:
            self.pg_slab = 1 << self.pg_slab
        self.pgty_slab = constant_value(prog, "PGTY_slab")
        self.pgty_buddy = constant_value(prog, "PGTY_buddy")
        self.pg_head = 1 << prog["PG_head"].value_()
        self.pg_lru = 1 << prog["PG_lru"].value_()
        self.pg_reserved = 1 << prog["PG_reserved"].value_()
        self.pages = {}  # pfn -> raw struct page bytes
        self.scan_pages()

    def region(self, a):
        if a < 0x0000800000000000:
            return "user"
        if a < 0xFFFF800000000000:
            return "non_canonical"
        if self.text[0] <= a < self.text[1]:
            return "kernel_image"
        if MODULES_VADDR <= a < MODULES_END:
            return "module_area"
        if self.dm_lo <= a < self.page_offset + (self.max_pfn << 12):
            return "direct_map"
        # KASLR packs the regions: the vmalloc area and vmemmap can start
        # within 64 TiB of page_offset_base (5.10's dumps), so they are
        # tested first.
        if self.vmalloc <= a < self.vmalloc + VMALLOC_SIZE:
            return "vmalloc"
        if self.vmemmap <= a < self.vmemmap + VMEMMAP_SIZE:
            return "vmemmap"
        if self.page_offset <= a < self.page_offset + (64 << 40):
            return "direct_map_beyond_ram"
        if CPU_ENTRY_AREA[0] <= a < CPU_ENTRY_AREA[1]:
            return "cpu_entry_area"
        return "other"

    def in_gate(self, a):
        return self.dm_lo <= a < self.dm_hi

    def wanted_stack_word(self, a):
        return (
            self.in_gate(a)
            or self.vmalloc <= a < self.vmalloc + VMALLOC_SIZE
            or MODULES_VADDR <= a < MODULES_END
        )

    def page_addr(self, pfn):
        return self.vmemmap + pfn * self.page_size

    def scan_pages(self):
        """Read struct page of every pfn in [min_pfn, max_pfn), in chunks."""
        chunk = 512
        ps = self.page_size
        for start in range(self.min_pfn, self.max_pfn, chunk):
            n = min(chunk, self.max_pfn - start)
            try:
                data = prog.read(self.page_addr(start), n * ps)
            except FaultError:
                for pfn in range(start, start + n):
                    try:
                        self.pages[pfn] = prog.read(self.page_addr(pfn), ps)
                    except FaultError:
                        pass
                continue
            for i in range(n):
                self.pages[start + i] = data[i * ps : (i + 1) * ps]

    def word(self, raw, off):
        return int.from_bytes(raw[off : off + 8], "little")

    def page_type(self, raw):
        return int.from_bytes(raw[self.off_page_type : self.off_page_type + 4], "little")

    def is_slab(self, raw):
        """raw (a struct page) is a slab's head page."""
        if self.pg_slab is not None:
            return bool(self.word(raw, 0) & self.pg_slab)
        return self.page_type(raw) >> 24 == self.pgty_slab

    def is_buddy(self, raw):
        ptype = self.page_type(raw)
        if self.pgty_buddy is not None:
            return ptype >> 24 == self.pgty_buddy
        return (ptype & (PAGE_TYPE_BASE | PG_BUDDY)) == PAGE_TYPE_BASE

    def head_pfn(self, pfn):
        raw = self.pages.get(pfn)
        if raw is None:
            return None
        ch = self.word(raw, 8)
        if ch & 1:
            # compound_head, or compound_info (a pointer or a mask)
            head = compound_head_address(self.page_addr(pfn), ch)
            return (head - self.vmemmap) // self.page_size
        return pfn

    def page_kind(self, pfn):
        """Own classification of a page frame (of its compound head)."""
        head = self.head_pfn(pfn)
        hraw = self.pages.get(head) if head is not None else None
        if hraw is None:
            return "no_struct_page"
        hflags = self.word(hraw, 0)
        mapping = self.word(hraw, self.off_mapping)
        if self.is_slab(hraw):
            return "slab"
        if self.is_buddy(hraw):
            return "buddy"
        if hflags & self.pg_reserved:
            return "reserved"
        if mapping & 1:
            return "anon"
        if mapping:
            return "file"
        return "other"

    def page_info(self, a):
        """Own facts about the page holding direct-map address a."""
        pfn = (a - self.page_offset) >> 12
        d = {"pfn": hx(pfn), "kind": self.page_kind(pfn)}
        raw = self.pages.get(pfn)
        if raw is None:
            return d
        if d["kind"] != "slab":
            d["flags"] = hx(self.word(raw, 0))
        head = self.head_pfn(pfn)
        if head != pfn:
            d["head_pfn"] = hx(head)
        if self.bitmap is not None:
            d["in_dump"] = self.bitmap.has(pfn)
        return d


# ---------------------------------------------------------------- caches


def swab64(v):
    return int.from_bytes(v.to_bytes(8, "little"), "big")


class Cache:
    """One kmem_cache: its fields and its own bounded freelist walks."""

    def __init__(self, obj):
        self.obj = obj
        self.addr = obj.value_()
        self.name = cstr(obj.name)
        self.size = obj.size.value_()
        self.object_size = obj.object_size.value_()
        self.offset = obj.offset.value_()
        oo = obj.oo.x.value_()
        self.objects = oo & 0xFFFF
        self.order = oo >> 16
        self.refcount = obj.refcount.value_()
        self.red_left_pad = obj.red_left_pad.value_()
        try:
            self.random = obj.random.value_()
        except AttributeError:
            self.random = None
        self.slabs = []  # (slab/page address, slab virtual address)
        self.cpu = {}  # cpu -> {"slab", "freelist", "error"?}, or its sheaves
        # object address -> where it is free outside its slab's freelist:
        # "cpuN_freelist", or with sheaves "cpuN_main_sheaf",
        # "cpuN_spare_sheaf", "cpuN_rcu_free_sheaf", "nodeN_barn_sheaf"
        self.cpu_free = {}
        self.barns = None  # with sheaves: per node, its barn's full sheaves
        self.walk_error = None

    def next_free(self, obj):
        p = obj + self.offset
        v = prog.read_word(p)
        if self.random is not None:
            v ^= self.random ^ swab64(p)
        return v

    def walk(self, head, bound):
        """(list of objects, error or None): the freelist from head."""
        seen = []
        seen_set = set()
        ptr = head
        try:
            while ptr:
                if ptr in seen_set:
                    return seen, "cycle at %s" % hx(ptr)
                if len(seen) >= bound:
                    return seen, "longer than %d" % bound
                seen_set.add(ptr)
                seen.append(ptr)
                ptr = self.next_free(ptr)
        except FaultError as e:
            return seen, error_text(e)
        return seen, None

    def read_sheaf(self, sheaf, label):
        """The objects of struct slab_sheaf *sheaf, each noted in cpu_free
        under label; raises on a sheaf that holds more than a sheaf can."""
        n = sheaf.size.value_()
        if n > MAX_SHEAF_OBJECTS:
            raise ValueError("sheaf %s holds %d objects" % (hx(sheaf.value_()), n))
        data = prog.read(sheaf.objects.address_, 8 * n)
        objs = [int.from_bytes(data[i : i + 8], "little") for i in range(0, 8 * n, 8)]
        for o in objs:
            self.cpu_free.setdefault(o, label)
        return objs

    def read_sheaves(self, cpus):
        """SLUB with sheaves (no kmem_cache_cpu): each CPU's main, spare and
        rcu_free sheaf and each node's barn of full sheaves."""
        pcs = self.obj.cpu_sheaves.read_()
        for cpu in cpus:
            d = {}
            for which in ("main", "spare", "rcu_free"):
                sheaf = per_cpu_ptr(pcs, cpu).member_(which).read_() if pcs else None
                d[which] = hx(sheaf.value_() if sheaf is not None else 0)
                if sheaf:
                    d[which + "_size"] = len(
                        self.read_sheaf(sheaf, "cpu%d_%s_sheaf" % (cpu, which)))
            self.cpu[cpu] = d
        self.barns = []
        for node in range(prog["nr_node_ids"].value_()):
            pn = self.obj.per_node[node] if has_member(self.obj, "per_node") else None
            barn = pn.barn.read_() if pn is not None else self.obj.node[node].barn.read_()
            b = {"node": node, "barn": hx(barn.value_())}
            if barn:
                sizes = []
                for sheaf in list_for_each_entry(
                        "struct slab_sheaf", barn.sheaves_full.address_of_(), "barn_list"):
                    if len(sizes) >= MAX_BARN_SHEAVES:
                        raise ValueError("barn %s: more than %d full sheaves"
                                         % (hx(barn.value_()), MAX_BARN_SHEAVES))
                    sizes.append(len(self.read_sheaf(sheaf, "node%d_barn_sheaf" % node)))
                b.update(full_sheaves=len(sizes), full_sheaf_objects=sum(sizes),
                         nr_full=barn.nr_full.value_(), nr_empty=barn.nr_empty.value_())
            self.barns.append(b)

    def read_cpu(self, cpus):
        if not has_member(self.obj, "cpu_slab") and has_member(self.obj, "cpu_sheaves"):
            self.read_sheaves(cpus)
            return
        cs = self.obj.cpu_slab.read_()
        for cpu in cpus:
            c = per_cpu_ptr(cs, cpu)
            # struct slab *slab (5.17+), struct page *page before
            slab = (c.slab if has_member(c, "slab") else c.page).value_()
            d = {"slab": hx(slab), "partial": hx(c.partial.value_())}
            if slab:
                try:
                    belongs = Object(prog, slab_type(prog) + " *", value=slab).slab_cache.value_()
                except FaultError:
                    belongs = None
                d["slab_in_cache"] = belongs == self.addr
                objs, err = self.walk(c.freelist.value_(), max(self.objects, 1) + 1)
                d["freelist_len"] = len(objs)
                if err:
                    d["error"] = err
                    self.walk_error = "cpu %d freelist: %s" % (cpu, err)
                if belongs == self.addr:
                    for o in objs:
                        self.cpu_free[o] = "cpu%d_freelist" % cpu
            self.cpu[cpu] = d


class Slab:
    def __init__(self, mem, cache, pfn):
        raw = mem.pages[pfn]
        self.pfn = pfn
        self.addr = mem.page_addr(pfn)
        self.base = mem.page_offset + (pfn << 12)
        counters = mem.word(raw, mem.off_counters)
        self.inuse = counters & 0xFFFF
        self.objects = (counters >> 16) & 0x7FFF
        self.frozen = (counters >> 31) & 1
        self.freelist_head = mem.word(raw, mem.off_freelist)
        self.free, self.error = cache.walk(self.freelist_head, self.objects + 1)
        self.free_set = set(self.free)
        self.first = self.base + cache.red_left_pad
        self.nobj = [self.first + i * cache.size for i in range(self.objects)]
        self.bytes = PAGE_SIZE << cache.order


def find_caches(mem, cpus):
    caches = {}
    order = []
    for obj in for_each_slab_cache(prog):
        c = Cache(obj)
        try:
            c.read_cpu(cpus)
        except Exception as e:  # noqa: BLE001
            c.walk_error = error_text(e)
            note_error(errors, "cache %s cpu" % c.name, e)
        caches[c.addr] = c
        order.append(c)
    for pfn in sorted(mem.pages):
        raw = mem.pages[pfn]
        if not mem.is_slab(raw):
            continue
        ca = mem.word(raw, mem.off_cache)
        if ca in caches:
            caches[ca].slabs.append(pfn)
    return order, caches


def drgn_count(mem, cache, slabs):
    """drgn 0.0.22's count of allocated objects: its own _page_objects() on
    every slab page of the cache (what slab_cache_for_each_allocated_object()
    yields, without its walk over every page per cache)."""
    helper = _get_slab_cache_helper(cache.obj)
    ptr = prog.type("void *")
    n = 0
    for s in slabs:
        page = Object(prog, "struct page *", value=s.addr)
        slab = cast(slab_type(prog) + " *", page)
        n += sum(1 for _ in helper._page_objects(page, slab, ptr))
    return n


def cache_facts(mem, cache, aliases):
    d = {
        "name": cache.name,
        "address": hx(cache.addr),
        "object_size": cache.object_size,
        "size": cache.size,
        "offset": cache.offset,
        "objects_per_slab": cache.objects,
        "order": cache.order,
        "refcount": cache.refcount,
        "red_left_pad": cache.red_left_pad,
        "flags": hx(cache.obj.flags.value_()),
        "aliases": sorted(k for k, v in aliases.items() if v == cache.name),
        "cpu": [dict(v, cpu=k) for k, v in sorted(cache.cpu.items())],
    }
    if cache.barns is not None:
        d["barns"] = cache.barns
    slabs = []
    slab_errors = []
    for pfn in cache.slabs:
        s = Slab(mem, cache, pfn)
        slabs.append(s)
        if s.error:
            slab_errors.append("%s: %s" % (hx(s.addr), s.error))
    total = sum(s.objects for s in slabs)
    own_free = sum(len(s.free_set | {o for o in s.nobj if o in cache.cpu_free}) for s in slabs)
    d["slabs"] = len(slabs)
    d["total_objects"] = total
    d["own_allocated"] = total - own_free
    d["inuse_sum"] = sum(s.inuse for s in slabs)
    if slab_errors or cache.walk_error:
        d["allocated"] = None
        d["error"] = "; ".join(([cache.walk_error] if cache.walk_error else []) + slab_errors)
    else:
        try:
            d["allocated"] = drgn_count(mem, cache, slabs)
        except Exception as e:  # noqa: BLE001
            d["allocated"] = None
            d["error"] = error_text(e)
            note_error(errors, "count %s" % cache.name, e)
    if has_member(cache.obj, "per_node"):
        node = cache.obj.per_node[0].node  # the barn is beside it
    else:
        node = cache.obj.node[0]
    d["node0"] = {
        "nr_partial": node.nr_partial.value_(),
        "nr_slabs": node.nr_slabs.counter.value_(),
        "total_objects": node.total_objects.counter.value_(),
    }
    return d, slabs


# ---------------------------------------------------------------- addresses


class Addresses:
    def __init__(self):
        self.a = {}  # address -> {"from": set, "stack": [], "stack_hits": n}

    def add(self, addr, why):
        e = self.a.setdefault(addr, {"from": set()})
        e["from"].add(why)
        return e


def stack_words(mem, addrs, rqs):
    tasks = all_tasks(prog, rqs, lambda t, r, s: (t.value_(), t), errors)
    tasks.sort(key=lambda x: x[0])
    found = {}
    for taddr, task in tasks:
        try:
            pid = task.pid.value_()
            st = task.stack.value_()
            data = prog.read(st, THREAD_SIZE)
        except Exception as e:  # noqa: BLE001
            note_error(errors, "stack of task %s" % hx(taddr), e)
            continue
        for i in range(0, THREAD_SIZE, 8):
            v = int.from_bytes(data[i : i + 8], "little")
            if mem.wanted_stack_word(v):
                found.setdefault(v, []).append({"pid": pid, "at": hx(st + i)})
    values = sorted(found)
    dropped = max(0, len(values) - STACK_VALUES_CAP)
    for v in values[:STACK_VALUES_CAP]:
        e = addrs.add(v, "stack")
        e["stack"] = found[v][:STACK_LOCATIONS]
        e["stack_hits"] = len(found[v])
    return {
        "tasks": len(tasks),
        "words": len(tasks) * THREAD_SIZE // 8,
        "distinct_values": len(values),
        "stack_values_dropped": dropped,
    }


def pick_slabs(cache, slabs):
    by_addr = {s.addr: s for s in slabs}
    picked = []
    for cpu, d in sorted(cache.cpu.items()):
        if "slab" not in d:  # sheaves: no CPU slab
            continue
        sa = int(d["slab"], 16)
        if sa in by_addr and by_addr[sa] not in [p for p, _ in picked]:
            picked.append((by_addr[sa], "cpu%d" % cpu))
    if cache.barns is not None:
        # sheaves: the lowest-address slab with an object in a sheaf
        for s in sorted(slabs, key=lambda s: s.addr):
            if any(o in cache.cpu_free for o in s.nobj):
                picked.append((s, "sheaf"))
                break
    active = {s for s, _ in picked}
    rest = sorted((s for s in slabs if s not in active), key=lambda s: s.addr)
    for role, test in (("partial", lambda s: s.free), ("full", lambda s: not s.free)):
        for s in rest:
            if test(s) and s not in [p for p, _ in picked]:
                picked.append((s, role))
                break
    for s in rest:
        if s not in [p for p, _ in picked]:
            picked.append((s, "extra"))
    n = SLABS_PER_CACHE if cache.objects < BIG_SLAB else SLABS_PER_CACHE - 1
    return picked[:n]


def sample_slabs(cache, slabs, addrs):
    out = []
    for s, role in pick_slabs(cache, slabs):
        why = "sample:%s" % cache.name
        for o in s.nobj:
            addrs.add(o, why)
            if cache.size > 0x10:
                addrs.add(o + 0x10, why)
            addrs.add(o + cache.size - 1, why)
        end = s.first + s.objects * cache.size
        if end < s.base + s.bytes:
            addrs.add(end, why + ":tail")
        cpu_free = sum(1 for o in s.nobj if o in cache.cpu_free)
        out.append(
            {
                "role": role,
                "slab": hx(s.addr),
                "address": hx(s.base),
                "objects": s.objects,
                "inuse": s.inuse,
                "frozen": s.frozen,
                "slab_freelist_len": len(s.free),
                "sheaf_objects" if cache.barns is not None else "cpu_freelist_len": cpu_free,
            }
        )
    return out


def special_addresses(mem, addrs, rqs):
    sp = {}

    def put(name, value):
        if value is not None:
            sp[name] = hx(value)
            addrs.add(value, "special:" + name)

    def first_page(test):
        for pfn in sorted(mem.pages):
            raw = mem.pages[pfn]
            if test(pfn, raw):
                return mem.page_offset + (pfn << 12)
        return None

    def kind_is(k):
        return lambda pfn, raw: pfn > 0x100 and mem.page_kind(pfn) == k

    put("buddy_page", first_page(kind_is("buddy")))
    put("file_page", first_page(lambda p, r: mem.word(r, 0) & mem.pg_lru and kind_is("file")(p, r)))
    put("anon_page", first_page(lambda p, r: mem.word(r, 0) & mem.pg_lru and kind_is("anon")(p, r)))
    put("reserved_page", mem.page_offset + 0x1000 + 0x10)
    put("max_pfn_page", mem.page_offset + (mem.max_pfn << 12) + 0x10)
    put("beyond_gate", mem.page_offset + (mem.max_pfn << 12) + PAGE_SIZE + 0x10)
    for cpu in sorted(rqs):
        put("percpu_runqueues_cpu%d" % cpu, per_cpu(prog["runqueues"], cpu).address_of_().value_())
    try:
        kc = prog["kmalloc_caches"][0][6]  # kmalloc-64
        if has_member(kc, "cpu_slab"):  # its kmem_cache_cpu
            put("percpu_kmem_cache_cpu0", per_cpu_ptr(kc.cpu_slab, 0).value_())
        else:  # its slub_percpu_sheaves
            put("percpu_cpu_sheaves0", per_cpu_ptr(kc.cpu_sheaves, 0).value_())
    except Exception as e:  # noqa: BLE001
        note_error(errors, "special percpu_kmem_cache_cpu0", e)
    try:
        t = prog.crashed_thread().object
        put("vmalloc_stack", t.stack.value_() + 0x100)
    except Exception as e:  # noqa: BLE001
        note_error(errors, "special vmalloc_stack", e)
    put("kernel_text", prog.symbol("panic").address + 0x10)
    put("kernel_data", prog["init_task"].address_ + 0x10)
    put("kernel_rodata", prog["linux_banner"].address_)
    put("vmemmap_page", mem.page_addr(0x1000))
    put("null", 0)
    put("null_plus_0x40", 0x40)
    put("user", 0x7FFD0000)
    put("list_poison1", LIST_POISON1)
    syms = (("kt_sum_from", "module_text"), ("kt_list", "module_data"))
    for sym, name in syms if module_loaded("ktscen") else ():
        try:
            put(name, prog.symbol(sym).address + (4 if name == "module_text" else 0))
        except LookupError:
            pass
    return sp


# ---------------------------------------------------------------- verdicts


def slab_of(mem, caches, a):
    """The own view: (cache, slab, object index) for a direct-map address."""
    if not mem.in_gate(a):
        return None
    pfn = (a - mem.page_offset) >> 12
    raw = mem.pages.get(pfn)
    if raw is None:
        return None
    ch = mem.word(raw, 8)
    if ch & 1:
        pfn = (compound_head_address(mem.page_addr(pfn), ch) - mem.vmemmap) // mem.page_size
        raw = mem.pages.get(pfn)
        if raw is None:
            return None
    if not mem.is_slab(raw):
        return None
    cache = caches.get(mem.word(raw, mem.off_cache))
    return cache, pfn


def address_entry(mem, caches, slab_cache_objs, a, e):
    d = {"address": hx(a), "region": mem.region(a), "from": sorted(e["from"])}
    for k in ("stack", "stack_hits"):
        if k in e:
            d[k] = e[k]
    own = {}
    sl = None
    if d["region"] == "direct_map" or mem.in_gate(a):
        own["page"] = mem.page_info(a)
        sl = slab_of(mem, caches, a)
    safe = True
    if sl is not None:
        cache, pfn = sl
        if cache is None:
            own["slab"] = {"cache": None, "note": "slab_cache is not on slab_caches"}
            safe = False
        else:
            s = slab_cache_objs.get(pfn) or Slab(mem, cache, pfn)
            idx = (a - s.first) // cache.size
            obj = s.first + idx * cache.size
            o = {
                "cache": cache.name,
                "index": idx,
                "index_valid": 0 <= idx < s.objects,
                "in_object": (a - obj) < cache.object_size,
            }
            if obj in cache.cpu_free:
                o["free_on"] = cache.cpu_free[obj]
            elif obj in s.free_set:
                o["free_on"] = "slab_freelist"
            else:
                o["free_on"] = None
            if s.error or cache.walk_error:
                o["walk_error"] = s.error or cache.walk_error
                safe = False
            own["slab"] = o
    d["own"] = own
    drgn = {}
    if not safe:
        drgn["skipped"] = "freelist failed the bounded walk; drgn 0.0.22 may loop"
    else:
        try:
            drgn["identify"] = identify_address(prog, a)
        except Exception as ex:  # noqa: BLE001
            drgn["identify"] = None
            drgn["identify_error"] = error_text(ex)
        try:
            info = slab_object_info(prog, a)
            if info is None:
                drgn["slab"] = None
            else:
                drgn["slab"] = {
                    "cache": cstr(info.slab_cache.name),
                    "object": hx(info.address),
                    "offset": a - info.address,
                    "allocated": bool(info.allocated) if info.allocated is not None else None,
                }
        except Exception as ex:  # noqa: BLE001
            drgn["slab"] = None
            drgn["slab_error"] = error_text(ex)
    ident = drgn.get("identify") or ""
    if a < 0xFFFF800000000000 and "symbol: " in ident:
        # drgn 0.0.22 puts the symbols of a .ko given with -s whose module
        # is not loaded at their unrelocated (near 0) addresses.
        why = RuntimeError("symbol of an unloaded module: " + ident)
        note_error(errors, "address %s" % hx(a), why)
    d["drgn"] = drgn
    ds = drgn.get("slab")
    if ds and "slab" in own and own["slab"].get("cache") == ds["cache"]:
        del own["slab"]["cache"]  # same as drgn's: keep the file small
    return d


# ---------------------------------------------------------------- facts


def log_matches(pattern):
    out = []
    try:
        for r in get_printk_records(prog):
            m = re.search(pattern, r.text.decode("utf-8", "replace"))
            if m:
                out.append(m.groups())
    except Exception as e:  # noqa: BLE001
        note_error(errors, "printk", e)
    return out


def frame_var(trace, name):
    """[(function, value)] of every frame whose variable name is known."""
    res = []
    for f in trace:
        try:
            v = f[name]
        except (KeyError, LookupError):
            continue
        except Exception:  # noqa: BLE001
            continue
        if not v.absent_:
            res.append((f.name, v.value_()))
    return res


_modules = None


def modules_loaded():
    """Names of the modules on the dump's modules list."""
    global _modules
    if _modules is None:
        _modules = []
        try:
            for m in list_for_each_entry("struct module", prog["modules"].address_of_(), "list"):
                _modules.append(cstr(m.name))
        except Exception as e:  # noqa: BLE001
            note_error(errors, "modules", e)
    return _modules


def module_loaded(name):
    return name in modules_loaded()


def hctx_facts(addrs):
    if not module_loaded("ktscen"):
        return None
    try:
        bogus = prog["kt_bogus_fq"].value_()
    except KeyError:
        return None
    if not bogus:
        return None
    d = {"bogus_fq": hx(bogus), "bogus_fq_plus_0x40": hx(bogus + 0x40)}
    addrs.add(bogus, "fact:bogus_fq")
    addrs.add(bogus + 0x40, "fact:bogus_fq+0x40")
    hctxs = {}
    for idx, h, fq in log_matches(r"ktscen: hctx\[(\d+)\]=([0-9a-f]+) fq=([0-9a-f]+)"):
        rec = hctxs.setdefault(int(h, 16), {"sources": set()})
        rec.update(index=int(idx), original_fq=hx(int(fq, 16)))
        hctxs[int(h, 16)]["sources"].add("log")
    trace = prog.crashed_thread().stack_trace()
    d["frame_hctx"] = [{"function": fn, "hctx": hx(v)} for fn, v in frame_var(trace, "hctx")]
    d["frame_fq"] = [{"function": fn, "fq": hx(v)} for fn, v in frame_var(trace, "fq")]
    for fn, v in frame_var(trace, "hctx"):
        hctxs.setdefault(v, {"sources": set()})["sources"].add("frame:" + fn)
    for fn, q in frame_var(trace, "q"):
        try:
            qo = Object(prog, "struct request_queue *", value=q)
            where, table = queue_hw_ctxs(qo)
            for h in table:
                hctxs.setdefault(h, {"sources": set()})["sources"].add(where)
        except Exception as e:  # noqa: BLE001
            note_error(errors, "hctx_table of %s" % hx(q), e)
        break
    out = []
    for h in sorted(hctxs):
        x = hctxs[h]
        rec = {"hctx": hx(h), "sources": sorted(x["sources"])}
        for k in ("index", "original_fq"):
            if k in x:
                rec[k] = x[k]
        addrs.add(h, "fact:hctx")
        try:
            fq = Object(prog, "struct blk_mq_hw_ctx *", value=h).fq.value_()
            rec["fq"] = hx(fq)
            rec["fq_is_bogus"] = fq == bogus
        except FaultError as e:
            rec["fq_error"] = error_text(e)
        if "original_fq" in x:
            addrs.add(int(x["original_fq"], 16), "fact:original_fq")
        out.append(rec)
    d["hctxs"] = out
    return d


def list_poison_facts(addrs):
    if not module_loaded("ktscen"):
        return None
    try:
        cur = prog["kt_cursor"].value_()
    except KeyError:
        return None
    if not cur:
        return None
    d = {"stale_entry": hx(cur)}
    addrs.add(cur, "fact:stale_entry")
    addrs.add(cur + 8, "fact:stale_entry.node")
    try:
        t = prog.type("struct kt_entry")
        d["sizeof_kt_entry"] = sizeof(t)
        d["node_offset"] = offsetof(t, "node")
    except LookupError:
        pass
    words = []
    for i in range(0, 0x60, 8):
        try:
            words.append(hx(prog.read_word(cur + i)))
        except FaultError as e:
            words.append(error_text(e))
    d["words"] = words
    try:
        regs = prog.crashed_thread().stack_trace()[0].registers()
        d["regs"] = {k: hx(regs[k]) for k in ("rax", "rdi", "rbx") if k in regs}
    except Exception as e:  # noqa: BLE001
        note_error(errors, "list-poison regs", e)
    live = []
    try:
        for e in list_for_each_entry("struct kt_entry", prog["kt_list"].address_of_(), "node"):
            live.append({"entry": hx(e.value_()), "id": e.id.value_()})
            addrs.add(e.value_(), "fact:live_entry")
            if len(live) > 64:
                break
    except Exception as e:  # noqa: BLE001
        note_error(errors, "kt_list", e)
    d["live_entries"] = live
    for (line,) in log_matches(r"(ktscen: removed entry .*)"):
        d["log_removed"] = line
    return d


# ---------------------------------------------------------------- output


def dumps(out):
    """Sorted-key JSON, indent 2, with each address and cache on one line."""
    return dumps_compact(out, ("addresses", "caches"))


def main(argv):
    dump_path = script_arg(argv, 1)
    json_path = script_arg(argv, 2)
    out = provenance(SCHEMA_VERSION)
    out["dump"] = dump_path.rsplit("/", 1)[-1] if dump_path else None

    mem = Mem(dump_path)
    out["layout"] = {
        "page_offset_base": hx(mem.page_offset),
        "vmalloc_base": hx(mem.vmalloc),
        "vmemmap_base": hx(mem.vmemmap),
        "high_memory": hx(mem.high_memory),
        "min_low_pfn": mem.min_pfn,
        "max_pfn": mem.max_pfn,
        "drgn_direct_map_gate": [hx(mem.dm_lo), hx(mem.dm_hi)],
    }
    rqs = runqueue_tasks(prog, possible_cpus(prog), errors)
    cpus = [c.value_() if hasattr(c, "value_") else c for c in for_each_online_cpu(prog)]
    order, caches = find_caches(mem, cpus)
    try:
        aliases = get_slab_cache_aliases(prog)
    except Exception as e:  # noqa: BLE001
        aliases = {}
        note_error(errors, "aliases", e)

    addrs = Addresses()
    out["stack_words"] = stack_words(mem, addrs, rqs)
    out["modules_loaded"] = sorted(modules_loaded())

    cache_out = []
    slab_objs = {}
    sampled = {}
    for c in order:
        d, slabs = cache_facts(mem, c, aliases)
        for s in slabs:
            slab_objs[s.pfn] = s
        if c.name in SAMPLE_CACHES and c.name not in sampled:
            d["sampled_slabs"] = sample_slabs(c, slabs, addrs)
            sampled[c.name] = True
        cache_out.append(d)
    out["caches"] = cache_out
    out["sampled_caches"] = sorted(sampled)

    facts = {}
    try:
        facts["hctx_fq"] = hctx_facts(addrs)
    except Exception as e:  # noqa: BLE001
        note_error(errors, "facts hctx_fq", e)
    try:
        facts["list_poison"] = list_poison_facts(addrs)
    except Exception as e:  # noqa: BLE001
        note_error(errors, "facts list_poison", e)
    out["special"] = special_addresses(mem, addrs, rqs)

    entries = [address_entry(mem, caches, slab_objs, a, addrs.a[a]) for a in sorted(addrs.a)]
    out["addresses"] = entries
    by = {}
    for x in entries:
        ds = x["drgn"].get("slab")
        k = "not_slab" if ds is None else ("allocated" if ds["allocated"] else "free")
        if "skipped" in x["drgn"] or "slab_error" in x["drgn"]:
            k = "unknown"
        by[k] = by.get(k, 0) + 1
    out["summary"] = {"addresses": len(entries), "drgn_verdicts": by}
    # facts that need the verdicts of their addresses
    look = {x["address"]: x["drgn"] for x in entries}
    hf = facts.get("hctx_fq")
    if hf:
        hf["drgn_bogus_fq"] = look.get(hf["bogus_fq"])
        for h in hf["hctxs"]:
            h["drgn"] = look.get(h["hctx"])
            if "original_fq" in h:
                h["drgn_original_fq"] = look.get(h["original_fq"])
    lp = facts.get("list_poison")
    if lp:
        lp["drgn"] = look.get(lp["stale_entry"])
        lp["own"] = next((x["own"] for x in entries if x["address"] == lp["stale_entry"]), None)
    out["facts"] = facts
    out["errors"] = errors
    write_text(json_path, dumps(out))


main(sys.argv)
