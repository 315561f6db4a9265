# SPDX-License-Identifier: GPL-2.0-or-later
"""drgn's side of the ownership benchmark.

  collect N FILE   write N addresses worth identifying to FILE: every
                   distinct kernel-pointer word on every task's stack, then
                   objects (and interior addresses) of the biggest caches
  identify FILE    identify_address() of each address in FILE
"""
import sys

from drgn import Object
from drgn.helpers.common.memory import identify_address
from drgn.helpers.linux.pid import for_each_task
from drgn.helpers.linux.slab import for_each_slab_cache


def stack_words():
    seen = []
    for t in for_each_task(prog):
        base = t.stack.value_()
        try:
            data = prog.read(base, 16384)
        except Exception:
            continue
        for i in range(0, 16384, 8):
            v = int.from_bytes(data[i:i + 8], "little")
            if v >= 0xffff800000000000:
                seen.append(v)
    return list(dict.fromkeys(seen))


def slab_objects(want):
    out = []
    caches = sorted(for_each_slab_cache(prog), key=lambda c: -c.size.value_())
    for c in caches:
        size = c.size.value_()
        try:
            cpu = c.cpu_slab
            for cpuid in range(2):
                from drgn.helpers.linux.percpu import per_cpu_ptr
                slab = per_cpu_ptr(cpu, cpuid).slab
                if not slab:
                    continue
                base = prog["page_offset_base"].value_() + \
                    ((slab.value_() - prog["vmemmap_base"].value_()) // 64) * 4096
                for k in range(slab.objects.value_()):
                    out.append(base + k * size)
                    out.append(base + k * size + 8)
        except Exception:
            continue
        if len(out) >= want:
            break
    return out


if sys.argv[1] == "collect":
    n, path = int(sys.argv[2]), sys.argv[3]
    addrs = stack_words()
    addrs += slab_objects(max(0, n - len(addrs)))
    addrs = list(dict.fromkeys(addrs))[:n]
    while len(addrs) < n:  # small dumps: repeat, as a workload would
        addrs += addrs[:n - len(addrs)]
    with open(path, "w") as f:
        f.write("\n".join(f"{a:x}" for a in addrs) + "\n")
else:
    with open(sys.argv[2]) as f:
        addrs = [int(line, 16) for line in f if line.strip()]
    known = 0
    for a in addrs:
        if identify_address(prog, a) is not None:
            known += 1
    print("identified", known, "of", len(addrs))
