#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Ownership of 10,000 addresses: ktriage `kmem` against drgn's
identify_address() (and crash 8.0.6's `kmem ADDR`, if KT_CRASH names it,
on the first --crash-n addresses, its time scaled to 10,000), in the same
run, from cold processes.

The addresses are every distinct kernel-pointer word on every task's stack,
then the objects of the biggest caches' CPU slabs (bench/drgn_owner.py
collects them once per dump). Goal: ktriage at most 1 s for 10,000.

usage: bench/owner.py [-n RUNS] [-N ADDRS] [--crash-n N] [DUMP...]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile

from run import ALL_DUMPS, TOP, run_many, tools


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=3, help="runs per tool (default 3)")
    ap.add_argument("-N", type=int, default=10000, help="addresses (default 10000)")
    ap.add_argument("--crash-n", type=int, default=500,
                    help="addresses given to crash (default 500)")
    ap.add_argument("dumps", nargs="*")
    a = ap.parse_args()
    vmlinux, fixtures, kt, crash = tools()
    names = a.dumps or ALL_DUMPS
    tmp = tempfile.mkdtemp(prefix="kt-owner-")
    print(f"{'dump':16} {'addrs':>6} {'ktriage':>9} {'drgn':>9} {'kt/drgn':>8}"
          + (f" {'crash*':>9} {'kt/crash':>8}" if crash else ""))
    ratios = []
    for name in names:
        dump = f"{fixtures}/dumps/{name}.kdump"
        addrs = f"{tmp}/{name}.addrs"
        drgn = ["drgn", "-q", "-c", dump, "-s", vmlinux]
        subprocess.run(drgn + [f"{TOP}/bench/drgn_owner.py", "collect", str(a.N),
                               addrs], check=True)
        lines = open(addrs).read().split()
        cmds = f"{tmp}/{name}.cmds"
        with open(cmds, "w") as f:
            for i in range(0, len(lines), 50):
                f.write("kmem " + " ".join(lines[i:i + 50]) + "\n")
        k = run_many([kt, dump, vmlinux, "-i", cmds], a.n)
        d = run_many(drgn + [f"{TOP}/bench/drgn_owner.py", "identify", addrs], a.n)
        line = f"{name:16} {len(lines):6} {k[0]:8.3f}s {d[0]:8.3f}s {k[0]/d[0]:8.2f}"
        if crash:
            sub = lines[:a.crash_n]
            c = run_many([crash, "-s", vmlinux, dump], 1,
                         stdin="".join(f"kmem {x}\n" for x in sub) + "quit\n")
            scaled = c[0] * len(lines) / len(sub)
            line += f" {scaled:8.1f}s {k[0]/scaled:8.3f}"
        ratios.append(k[0] / d[0])
        print(line, flush=True)
    print(f"median ktriage/drgn time ratio: {statistics.median(ratios):.2f}")
    if crash:
        print("crash*: its time for --crash-n addresses, scaled to the full set")


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
