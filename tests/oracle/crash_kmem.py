# SPDX-License-Identifier: GPL-2.0-or-later
"""Oracle: crash 8.0.6's `kmem -s` and `kmem ADDR` on one dump, raw and parsed.

Plain python3 (not drgn).  It needs the <dump>.kmem.json that kmem.py wrote,
which gives the sample of addresses:

    python3 crash_kmem.py [--crash CRASH] [--vmlinux VMLINUX] \\
        [--modules DIR] DUMP DUMP.kmem.json OUT_PREFIX

writes OUT_PREFIX.txt (crash's output, as it printed it, with a line
"@@@ kmem ADDR" before each command's output) and OUT_PREFIX.json (parsed).
crash runs once per dump (it takes ~15 s to start), reading its commands
from stdin: `mod -s` for each module of DIR that is loaded in the dump
(kmem.json's modules_loaded),
`kmem -s`, then `kmem ADDR` for each sampled address.

The sample (deterministic, about 100-130 addresses), from kmem.json:

1. every "special:*" and "fact:*" address (non-slab pages, per-CPU, vmalloc,
   kernel and module symbols, NULL, user, non-canonical, the bogus hctx->fq,
   the stale list-poison entry...);
2. per sampled cache (by name), at most PER_CACHE addresses, taken round-robin
   from these kinds, in the order of the sampled slabs: an allocated object
   (+0), a free object on a per-CPU freelist (+0x10), a free object on its
   slab's freelist (+0x10), an object's last byte, the slab's tail padding;
3. STACK_PICKS stack words, spread evenly over the sorted stack values:
   8 that drgn calls allocated slab objects, 4 free ones, 4 direct-map
   non-slab, 2 vmalloc and 2 module-area values.

The parsed JSON holds, per address, what crash printed (cache, object,
allocated as [addr] or free as addr, "(cpu N cache)", the page line, the
vmap area or task of a vmalloc address, the symbol, error lines) and, under
"drgn", drgn's verdict from kmem.json, with "agree" (same cache, object and
allocated state) and "own_free_on" (kmem.py's own: which freelist holds the
object).  Per `kmem -s` line: name, address, objsize, allocated,
total, slabs, ssize; with drgn's counts next to them.
"""

import argparse
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
from jsonout import dumps_compact  # noqa: E402

PER_CACHE = 6
STACK_PICKS = (("allocated", 8), ("free", 4), ("direct_map", 4), ("vmalloc", 2), ("module_area", 2))
MARK = "@@@ kmem "


def hx(v):
    return "0x%x" % v


# ---------------------------------------------------------------- sample


def drgn_kind(e):
    ds = e["drgn"].get("slab")
    if ds is None:
        return None
    return "allocated" if ds["allocated"] else "free"


def spread(items, n):
    """n items evenly spaced over items (all if there are not more)."""
    if len(items) <= n:
        return items
    return [items[i * len(items) // n] for i in range(n)]


def pick_cache(entries, cache):
    """Round-robin over the kinds of addresses of one sampled cache."""
    why = "sample:" + cache
    mine = [e for e in entries if why in e["from"] or why + ":tail" in e["from"]]
    kinds = {"alloc": [], "free_cpu": [], "free_slab": [], "last": [], "tail": []}
    for e in mine:
        ds = e["drgn"].get("slab")
        if why + ":tail" in e["from"]:
            kinds["tail"].append(e)
            continue
        if ds is None:
            continue
        off = ds["offset"]
        free_on = (e["own"].get("slab") or {}).get("free_on")
        if off == 0 and ds["allocated"]:
            kinds["alloc"].append(e)
        elif off == 0x10 and free_on and free_on.startswith("cpu"):
            kinds["free_cpu"].append(e)
        elif off == 0x10 and free_on == "slab_freelist":
            kinds["free_slab"].append(e)
        elif off not in (0, 0x10):
            kinds["last"].append(e)
    picks = []
    i = 0
    while len(picks) < PER_CACHE and any(i < len(v) for v in kinds.values()):
        for k in ("alloc", "free_cpu", "free_slab", "last", "tail"):
            # spread the picks of a kind over the slabs: every 7th entry
            lst = kinds[k][::7] or kinds[k]
            if i < len(lst) and len(picks) < PER_CACHE:
                picks.append(lst[i]["address"])
        i += 1
    return picks


def sample(kmem):
    entries = kmem["addresses"]
    picked = []
    for e in entries:
        if any(f.startswith(("special:", "fact:")) for f in e["from"]):
            picked.append(e["address"])
    for cache in kmem["sampled_caches"]:
        picked += pick_cache(entries, cache)
    stack = [e for e in entries if "stack" in e["from"]]
    for kind, n in STACK_PICKS:
        if kind in ("allocated", "free"):
            cand = [e for e in stack if drgn_kind(e) == kind]
        else:
            cand = [e for e in stack if e["region"] == kind and drgn_kind(e) is None]
        picked += [e["address"] for e in spread(cand, n)]
    seen = set()
    out = []
    for a in picked:
        if a not in seen:
            seen.add(a)
            out.append(a)
    return sorted(out, key=lambda a: int(a, 16))


# ---------------------------------------------------------------- crash


def run_crash(args, addrs, kmem_modules):
    cmds = []
    if args.modules and os.path.isdir(args.modules):
        for name in kmem_modules:
            ko = os.path.join(args.modules, name + ".ko")
            if os.path.exists(ko):
                cmds.append("mod -s %s %s" % (name, ko))
    cmds.append('!echo "%s-s"' % MARK)
    cmds.append("kmem -s")
    for a in addrs:
        cmds.append('!echo "%s%s"' % (MARK, a))
        cmds.append("kmem %s" % a[2:])
    cmds.append('!echo "@@@ end"')
    cmds.append("q")
    p = subprocess.run(
        [args.crash, "-s", args.vmlinux, args.dump],
        input="\n".join(cmds) + "\n",
        capture_output=True,
        text=True,
        errors="backslashreplace",
        timeout=1800,
    )
    if "@@@ end" not in p.stdout:
        sys.stderr.write(p.stderr)
        raise RuntimeError("crash did not finish (rc %d)" % p.returncode)
    return p.stdout


def split_sections(text):
    """{"-s": lines, "0xADDR": lines}; "pre": the lines before the first."""
    secs = {}
    cur = "pre"
    secs[cur] = []
    for line in text.splitlines():
        if line.startswith(MARK):
            cur = line[len(MARK) :].strip()
            secs[cur] = []
        elif line.startswith("@@@ end"):
            cur = "post"
            secs[cur] = []
        else:
            secs[cur].append(line)
    return secs


# ---------------------------------------------------------------- parse

CACHE_RE = re.compile(r"^([0-9a-f]{16})\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+k)\s+(\S.*)$")
SLAB_RE = re.compile(r"^\s+([0-9a-f]{16})\s+([0-9a-f]{16})\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$")
OBJ_RE = re.compile(r"^\s+(\[)?([0-9a-f]{16})(\])?\s*(?:\(cpu (\d+) cache\))?\s*$")
PAGE_RE = re.compile(
    r"^([0-9a-f]{16})\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+(\d+)\s+([0-9a-f]+)\s*(.*)$"
)
VMAP_RE = re.compile(r"^([0-9a-f]{16})\s+([0-9a-f]{16})\s+([0-9a-f]{16}) - ([0-9a-f]{16})\s+(\d+)$")
FREE_PAGES_RE = re.compile(r"^([0-9a-f]{16})\s+\([0-9a-f]+ is (\w+) of (\d+) pages?\)$")
SYM_RE = re.compile(r"^([0-9a-f]{16}) \((\S)\) (\S+)(.*)$")


def parse_cache_line(m):
    return {
        "address": "0x" + m.group(1),
        "objsize": int(m.group(2)),
        "allocated": int(m.group(3)),
        "total": int(m.group(4)),
        "slabs": int(m.group(5)),
        "ssize": m.group(6),
        "name": m.group(7).strip(),
    }


def parse_kmem_s(lines):
    caches = []
    other = []
    for line in lines:
        m = CACHE_RE.match(line)
        if m:
            caches.append(parse_cache_line(m))
        elif line.strip() and not line.startswith("CACHE "):
            other.append(line)
            if caches:
                caches[-1].setdefault("messages", []).append(line.strip())
    return caches, other


def parse_kmem_addr(lines):
    d = {"cache": None, "object": None, "allocated": None}
    state = None
    for line in lines:
        if not line.strip():
            continue
        if line.startswith("CACHE "):
            state = "cache"
            continue
        if line.lstrip().startswith("SLAB ") and "MEMORY" in line:
            state = "slab"
            continue
        if "FREE / [ALLOCATED]" in line:
            state = "obj"
            continue
        if line.lstrip().startswith("PAGE ") and "PHYSICAL" in line:
            state = "page"
            continue
        if line.lstrip().startswith("VMAP_AREA"):
            state = "vmap"
            continue
        m = CACHE_RE.match(line)
        if state == "cache" and m:
            c = parse_cache_line(m)
            d["cache"] = c["name"]
            d["cache_address"] = c["address"]
            continue
        m = SLAB_RE.match(line)
        if state == "slab" and m:
            d["slab"] = {
                "slab": "0x" + m.group(1),
                "memory": "0x" + m.group(2),
                "total": int(m.group(4)),
                "allocated": int(m.group(5)),
                "free": int(m.group(6)),
            }
            continue
        m = OBJ_RE.match(line)
        if state == "obj" and m:
            d["object"] = "0x" + m.group(2)
            d["allocated"] = m.group(1) == "["
            d["cpu_cache"] = int(m.group(4)) if m.group(4) else None
            continue
        m = PAGE_RE.match(line)
        if state == "page" and m:
            d["page"] = {
                "page": "0x" + m.group(1),
                "physical": "0x" + m.group(2),
                "flags": m.group(6),
                "flag_names": m.group(7).split(),
            }
            continue
        m = VMAP_RE.match(line)
        if state == "vmap" and m:
            d["vmap"] = {
                "vmap_area": "0x" + m.group(1),
                "start": "0x" + m.group(3),
                "end": "0x" + m.group(4),
                "size": int(m.group(5)),
            }
            continue
        s = line.strip()
        m = FREE_PAGES_RE.match(s)
        if m:
            d["free_pages"] = {
                "page": "0x" + m.group(1),
                "nth": m.group(2),
                "pages": int(m.group(3)),
            }
            continue
        if s.startswith("PID:"):
            d["task_pid"] = int(s.split()[1])
            continue
        m = SYM_RE.match(line)
        if m:
            d["symbol"] = m.group(3) + m.group(4).rstrip()
            continue
        if s.startswith(("COMMAND:", "TASK:", "CPU:", "STATE:")):
            continue
        d.setdefault("messages", []).append(s)
    return d


def verdict_agree(c, g):
    """crash (c) and drgn (g["slab"]) give the same cache, object and state."""
    gs = g.get("slab") if g else None
    if gs is None:
        return c["cache"] is None
    return (c["cache"], c["object"], c["allocated"]) == (gs["cache"], gs["object"], gs["allocated"])


def main():
    ap = argparse.ArgumentParser()
    cache = os.path.expanduser("~/.cache/ktriage")
    ap.add_argument("--crash", default=cache + "/crash806/crash-8.0.6/crash")
    ap.add_argument("--vmlinux", default=cache + "/vmlinux-6.1.0-56-cloud-amd64")
    ap.add_argument("--modules", default="/work/shared/fixtures/modules")
    ap.add_argument("dump")
    ap.add_argument("kmem_json")
    ap.add_argument("out_prefix")
    args = ap.parse_args()

    with open(args.kmem_json) as f:
        kmem = json.load(f)
    addrs = sample(kmem)
    text = run_crash(args, addrs, kmem.get("modules_loaded", []))
    txt = args.out_prefix + ".txt.tmp"
    with open(txt, "w", encoding="ascii", errors="backslashreplace", newline="\n") as f:
        f.write(text)
    secs = split_sections(text)

    caches, other = parse_kmem_s(secs.get("-s", []))
    drgn_caches = {c["address"]: c for c in kmem["caches"]}
    for c in caches:
        g = drgn_caches.get(c["address"])
        if g:
            mine = (g["allocated"], g["total_objects"], g["slabs"])
            c["drgn"] = {"allocated": mine[0], "total": mine[1], "slabs": mine[2]}
            c["agree"] = mine == (c["allocated"], c["total"], c["slabs"])
    drgn_addr = {e["address"]: e for e in kmem["addresses"]}
    out_addrs = []
    for a in addrs:
        d = parse_kmem_addr(secs.get(a, []))
        d["address"] = a
        e = drgn_addr.get(a)
        if e:
            d["from"] = e["from"]
            d["drgn"] = e["drgn"].get("slab")
            d["drgn_identify"] = e["drgn"].get("identify")
            d["agree"] = verdict_agree(d, e["drgn"])
            d["own_free_on"] = (e["own"].get("slab") or {}).get("free_on")
        out_addrs.append(d)
    out = {
        "schema_version": 1,
        "oracle": "crash",
        "crash_version": "8.0.6",
        "dump": os.path.basename(args.dump),
        "kmem_s": caches,
        "kmem_s_other_lines": other,
        "addresses": out_addrs,
        "summary": {
            "addresses": len(out_addrs),
            "crash_allocated": sum(1 for d in out_addrs if d["allocated"] is True),
            "crash_free": sum(1 for d in out_addrs if d["allocated"] is False),
            "crash_not_slab": sum(1 for d in out_addrs if d["cache"] is None),
            "disagree_with_drgn": [d["address"] for d in out_addrs if d.get("agree") is False],
            # crash prints "(cpu N cache)" for every free object of CPU N's
            # active slab, also for one on the slab's own freelist
            "cpu_cache_on_slab_freelist": [
                d["address"]
                for d in out_addrs
                if d.get("cpu_cache") is not None and d.get("own_free_on") == "slab_freelist"
            ],
            "caches": len(caches),
            "caches_disagree_with_drgn": [c["name"] for c in caches if c.get("agree") is False],
        },
        "preamble": [line for line in secs.get("pre", []) if line.strip()],
    }
    js = dumps_compact(out, ("addresses", "kmem_s"))
    with open(args.out_prefix + ".json.tmp", "w", encoding="ascii", newline="\n") as f:
        f.write(js)
    os.replace(args.out_prefix + ".txt.tmp", args.out_prefix + ".txt")
    os.replace(args.out_prefix + ".json.tmp", args.out_prefix + ".json")


main()
