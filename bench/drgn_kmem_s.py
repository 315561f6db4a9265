# SPDX-License-Identifier: GPL-2.0-or-later
# drgn's side of the `kmem -s` job: every slab cache with its objects in use
# and in all, from every slab page of memory (SLUB keeps no list of full
# slabs: crash also walks the pages), as kmem -s prints them.
from drgn import cast
from drgn.helpers.linux.mm import for_each_page, PageSlab
from drgn.helpers.linux.slab import for_each_slab_cache

count = {}
slab_type = prog.type("struct slab *") if prog.type("struct page").has_member("slab_cache") is False else None
for page in for_each_page(prog):
    try:
        if not PageSlab(page):
            continue
        s = cast(slab_type, page) if slab_type else page
        c = s.slab_cache.value_()
        inuse, objects = count.get(c, (0, 0))
        count[c] = (inuse + s.inuse.value_(), objects + s.objects.value_())
    except Exception:
        continue
for c in for_each_slab_cache(prog):
    inuse, objects = count.get(c.value_(), (0, 0))
    print(hex(c.value_()), c.object_size.value_(), inuse, objects,
          c.name.string_().decode())
