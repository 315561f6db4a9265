#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Time ktriage's `search` of an 8-byte value over all memory of each dump
against crash 8.0.6's `search -k` and `search -p` (KT_CRASH names the crash
binary), in the same run, from cold processes.

Rate is GB/s of dump memory scanned: present pages x 4096 / wall time.
ktriage's wall time is given twice: the whole process (open included) and
the scan alone (what `search -v` reports). crash's search time is taken
inside its session, between two `!date` shell escapes (crash spends ~10 s
starting up). kt/-k and kt/-p compare scan times, e2e whole processes.
Goals: >= 1 GB/s and >= 4x crash. crash -k lists some addresses ktriage
does not: in the kernel's high mapping outside the image, which crash
translates by arithmetic though no page table maps them (`vtop` shows
PMD => 0); they are counted apart as "unmapped aliases".

usage: bench/search.py [-n RUNS] [-j THREADS] [--formats] [DUMP...]
       (env: KT_VMLINUX, KT_FIXTURES, KT_FORMATS, KT_CRASH)
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "bench"))
from run import tools  # noqa: E402
VALUE = "dead000000000100"	# LIST_POISON1: a handful of hits in every dump
SCAN = re.compile(r"search: (\d+) pages .* in ([0-9.]+) s on (\d+) thread")


def run(argv, stdin=None):
    """Wall time, stdout and stderr of one cold run."""
    t0 = time.perf_counter()
    p = subprocess.run(argv, input=stdin, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode:
        sys.exit(f"failed: {' '.join(argv)}\n{p.stderr[-2000:]}")
    return wall, p.stdout, p.stderr


def ktriage(kt, dump, vmlinux, threads, n):
    """Median process wall time and scan time; pages scanned; the hits."""
    walls, scans = [], []
    for _ in range(n):
        wall, out, err = run([kt, *dump, vmlinux, "-c",
                              f"search -v -l 0 -j {threads} {VALUE}"])
        m = SCAN.search(err)
        walls.append(wall)
        scans.append(float(m.group(2)))
    hits = [line.split(":")[0] for line in out.splitlines() if ": " in line]
    return statistics.median(walls), statistics.median(scans), int(m.group(1)), hits


def image(kt, dump, vmlinux):
    """The kernel image's [_text, _end) at run time."""
    out = subprocess.run([kt, *dump, vmlinux, "-c", "sym _text _end"],
                         capture_output=True, text=True, check=True).stdout
    addrs = [int(l.split()[0], 16) for l in out.splitlines() if l.strip()]
    return addrs[0], addrs[-1]


def crash(binary, dump, vmlinux, cmd, n):
    """Median time crash spends in cmd alone (timed in the session by its
    `!date` shell escapes: crash's ~10 s start-up varies more than a search
    takes), median process wall time, and the output."""
    stamp = "!date +KTSTAMP%s.%N"
    times, walls, out = [], [], ""
    for _ in range(n):
        wall, out, _ = run([binary, "-s", vmlinux, *dump],
                           stdin=f"{stamp}\n{cmd}\n{stamp}\nquit\n")
        t = [float(x) for x in re.findall(r"KTSTAMP([0-9.]+)", out)]
        times.append(t[1] - t[0])
        walls.append(wall)
    return statistics.median(times), statistics.median(walls), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=3, help="runs per job (default 3)")
    ap.add_argument("-j", type=int, default=2, help="ktriage threads (default 2)")
    ap.add_argument("--formats", action="store_true",
                    help="also list-poison in each format of KT_FORMATS")
    ap.add_argument("dumps", nargs="*")
    a = ap.parse_args()
    vmlinux, fixtures, kt, crash_bin = tools()
    names = a.dumps or ["hctx-fq", "list-poison"]
    dumps = [(n, [f"{fixtures}/dumps/{n}.kdump"]) for n in names]
    if a.formats:
        fmt = os.environ.get("KT_FORMATS", os.path.expanduser("~/.cache/ktriage/formats"))
        for s in ["elf", "kdump-none", "kdump-lzo", "kdump-snappy", "kdump-zstd", "flat"]:
            dumps.append((f"lp.{s}", [f"{fmt}/list-poison.{s}"]))
        dumps.append(("lp.split", [f"{fmt}/list-poison.kdump-split1",
                                   f"{fmt}/list-poison.kdump-split2"]))
    print(f"{'dump':16} {'MB':>5} {'kt wall':>8} {'kt scan':>8} {'GB/s':>5} "
          f"{'GB/s scan':>9}" + (f" {'crash -k':>8} {'crash -p':>8} {'kt/-k':>6} "
                                  f"{'kt/-p':>6} {'e2e':>5}" if crash_bin else ""))
    for name, dump in dumps:
        wall, scan, pages, hits = ktriage(kt, dump, vmlinux, a.j, a.n)
        gb = pages * 4096 / 1e9
        line = (f"{name:16} {gb * 1000:5.0f} {wall:7.3f}s {scan:7.3f}s "
                f"{gb / wall:5.2f} {gb / scan:9.2f}")
        if crash_bin:
            ck, k, kout = crash(crash_bin, dump, vmlinux, f"search -k {VALUE}", a.n)
            cp, _, _ = crash(crash_bin, dump, vmlinux, f"search -p {VALUE}", a.n)
            line += (f" {ck:7.3f}s {cp:7.3f}s {ck / scan:6.1f} {cp / scan:6.1f}"
                     f" {k / wall:5.1f}")
            crash_hits = [l.split(":")[0] for l in kout.splitlines()
                          if re.match(r"^[0-9a-f]+: ", l)]
            missing = set(crash_hits) - set(hits)
            # crash translates the kernel's high mapping by arithmetic
            # (vaddr - __START_KERNEL_map + phys_base), so it also lists
            # addresses there that no page table maps (outside the image).
            text, end = image(kt, dump, vmlinux)
            phantom = {m for m in missing
                       if 0xffffffff80000000 <= int(m, 16) < text
                       or end <= int(m, 16) < 0xffffffffc0000000}
            if phantom:
                line += f"  (crash -k: +{len(phantom)} unmapped aliases)"
            if missing - phantom:
                line += f"  (crash -k has {len(missing - phantom)} hits ktriage lacks)"
        print(line, flush=True)


if __name__ == "__main__":
    main()
