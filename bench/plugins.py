#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Time the built-in analyzers on each shared dump: the analysis alone (as
`plugins --json` reports it) and the whole process (open + analysis +
`findings`), against opening the same dump in drgn and crash 8.0.6 (KT_CRASH)
in the same run. crash and drgn have no analyzers: what they do here is the
least an engineer waits before typing the first command by hand.
Goal: all analyzers together <= 1 s per dump.

usage: bench/plugins.py [-n RUNS] [DUMP...]   (env: KT_VMLINUX, KT_FIXTURES,
       KT_BINARY, KT_CRASH)
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "bench"))
from run import ALL_DUMPS, run_many, tools  # noqa: E402


def analysis(kt, dump, vmlinux, mods, n):
    """Median analysis seconds, slowest plugin, and the findings' count."""
    secs, slow = [], {}
    for _ in range(n):
        p = subprocess.run([kt, dump, vmlinux, "-m", mods, "--json", "-c",
                            "plugins"], capture_output=True, text=True,
                           check=True)
        doc = json.loads(p.stdout)
        secs.append(doc["seconds"])
        for r in doc["plugins"]:
            slow.setdefault(r["name"], []).append(r["seconds"])
    worst = max(slow, key=lambda k: statistics.median(slow[k])) if slow else "-"
    found = sum(r["findings"] for r in doc["plugins"])
    return statistics.median(secs), worst, statistics.median(slow.get(worst, [0])), found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=5, help="runs (default 5)")
    ap.add_argument("dumps", nargs="*")
    a = ap.parse_args()
    vmlinux, fixtures, kt, crash = tools()
    mods = f"{fixtures}/modules"
    kos = [x for ko in sorted(os.listdir(mods)) for x in ("-s", f"{mods}/{ko}")]
    print(f"{'dump':16} {'analysis':>9} {'slowest plugin':>24} {'found':>5} "
          f"{'kt e2e':>7} {'drgn sys':>9} {'kt/drgn':>7}"
          + (f" {'crash open':>10} {'kt/crash':>8}" if crash else ""))
    worst = 0
    for name in a.dumps or ALL_DUMPS:
        dump = f"{fixtures}/dumps/{name}.kdump"
        sec, slow, slow_s, found = analysis(kt, dump, vmlinux, mods, a.n)
        worst = max(worst, sec)
        e2e, _ = run_many([kt, dump, vmlinux, "-m", mods, "-c", "findings"], a.n)
        d, _ = run_many(["drgn", "-q", "-c", dump, "-s", vmlinux] + kos
                        + [f"{TOP}/bench/drgn_sys.py"], a.n)
        line = (f"{name:16} {sec:8.3f}s {slow:>15} {slow_s:7.3f}s {found:5} "
                f"{e2e:6.2f}s {d:8.2f}s {e2e / d:7.2f}")
        if crash:
            c, _ = run_many([crash, "-s", vmlinux, dump], a.n, stdin="quit\n")
            line += f" {c:9.2f}s {e2e / c:8.2f}"
        print(line, flush=True)
    print(f"worst analysis {worst:.3f} s (goal <= 1 s): "
          f"{'met' if worst <= 1 else 'NOT met'}")


if __name__ == "__main__":
    main()
