#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A big machine's dump: ktriage against drgn (scripts of the same work) and
crash 8.0.6 (KT_CRASH, or scripts/fetch-crash.sh's cached build), in one
run, from cold processes: median wall time and peak RSS of each, the
ratios, and each goal of issue 17 met or not.

The dump is the recipe's big-machine scenario (tests/vmcores/regen.sh,
KERNEL=6.1 SCENARIOS=big-machine: 8 GiB, 4 vCPUs, 10,000 threads, a
million files, 2.5 GB of page cache), its level-31 dump for every job and
its level-1 dump for the search; or any dump given with --dump (then the
search runs on it too, unless --scan-dump names another).

  work                 goal
  open + sys           <= 0.3 s
  ps                   <= 0.1x drgn
  foreach bt           <= 0.1x drgn
  bt -f (panic task)   <= 0.1x drgn
  kmem -s              <= 0.1x crash, from a cold start (crash's command
                       alone in a running session is printed too; drgn:
                       every slab page, for reference)
  kmem ADDR x 10,000   <= 1 s
  search of one value  >= 1 GB/s of dump memory
  all analyzers        <= 3 s
  foreach files        <= 0.1x drgn
  peak RSS             <= 0.5x drgn's, each job

usage: bench/scale.py [-n RUNS] [--peer-n RUNS] [--dump DUMP] [--scan-dump DUMP]
                      [--kernel NAME] [--no-crash]
       (env: KT_KERNEL_ROOT, KT_BINARY, KT_CRASH)
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "bench"))
from run import run_many  # noqa: E402

VALUE = "dead000000000100"	# LIST_POISON1
SCAN = re.compile(r"search: (\d+) pages .* in ([0-9.]+) s on (\d+) thread")


def crash_binary(no_crash):
    if no_crash:
        return None
    if os.environ.get("KT_CRASH"):
        return os.environ["KT_CRASH"]
    cached = os.path.expanduser("~/.cache/ktriage/crash-8.0.6/crash")
    return cached if os.access(cached, os.X_OK) else None


def crash_cmd(binary, vmlinux, dump, mods, cmd, n):
    """crash's time in @cmd alone (between two `!date` escapes: its start-up
    is not the command's cost) and its process's wall time."""
    stamp = "!date +KTSTAMP%s.%N"
    inner, walls = [], []
    for _ in range(n):
        t0 = time.perf_counter()
        p = subprocess.Popen([binary, "-s", vmlinux, dump], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True)
        out, _ = p.communicate(f"mod -S {mods}\n{stamp}\n{cmd}\n{stamp}\nquit\n")
        walls.append(time.perf_counter() - t0)
        t = [float(x) for x in re.findall(r"KTSTAMP([0-9.]+)", out)]
        inner.append(t[1] - t[0] if len(t) == 2 else float("nan"))
    return statistics.median(inner), statistics.median(walls)


def fmt_t(t):
    return "     -  " if t is None else f"{t:7.3f}s"


def fmt_mb(kb):
    return "    -" if kb is None else f"{kb / 1024:5.0f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=3, help="ktriage's runs per job (default 3)")
    ap.add_argument("--peer-n", type=int, default=1,
                    help="drgn's and crash's runs per job (default 1: minutes each)")
    ap.add_argument("--dump", help="the dump (default: the big-machine dump)")
    ap.add_argument("--scan-dump", help="the dump to search (default: the "
                    "big-machine level-1 dump, else --dump)")
    ap.add_argument("--kernel", default="6.1", help="its kernel (default 6.1)")
    ap.add_argument("--no-crash", action="store_true")
    a = ap.parse_args()
    root = os.environ.get("KT_KERNEL_ROOT", os.path.expanduser("~/.cache/ktriage/kernels"))
    kdir = f"{root}/{a.kernel}"
    vmlinux = f"{kdir}/vmlinux"
    mods = f"{kdir}/fixtures/modules"
    dump = a.dump or f"{kdir}/fixtures/dumps/big-machine.kdump"
    scan = a.scan_dump or (f"{kdir}/fixtures/dumps/big-machine.kdump-d1"
                           if not a.dump else dump)
    if not os.path.exists(scan):
        scan = dump
    for f in (vmlinux, dump):
        if not os.path.exists(f):
            sys.exit(f"no {f}: make it with KERNEL={a.kernel} SCENARIOS=big-machine "
                     f"tests/vmcores/regen.sh (about an hour), or give --dump")
    kt = os.environ.get("KT_BINARY", f"{TOP}/build/app/ktriage")
    crash = crash_binary(a.no_crash)
    drgn = ["drgn", "-q", "-c", dump, "-s", vmlinux] + [
        x for ko in sorted(os.listdir(mods)) for x in ("-s", f"{mods}/{ko}")]
    ktr = [kt, dump, vmlinux, "-m", mods]
    print(f"dump: {dump} ({os.path.getsize(dump) / 1e9:.2f} GB)")
    tasks = subprocess.run(ktr + ["-c", "ps"], capture_output=True, text=True,
                           check=True).stdout.count("\n") - 1
    print(f"tasks: {tasks}; crash: {crash or 'not available (KT_CRASH)'}; "
          f"medians of {a.n} cold runs a job ({a.peer_n} of drgn and crash)\n")
    # crash: the command's own time in a session (its start-up, 10 s and
    # more, already paid) and its whole process from a cold start
    print(f"{'work':20} {'ktriage':>8} {'MB':>5} {'drgn':>8} {'MB':>5} "
          f"{'crash cmd':>9} {'crash all':>9} {'kt/drgn':>7} {'kt/cmd':>7} "
          f"{'kt/all':>7} {'rss':>5}  goal")
    failed = []

    def row(work, k, d=None, c=None, goal="", ok=True):
        kt_t, kt_rss = k
        d_t, d_rss = d if d else (None, None)
        c_t, c_all = c if c else (None, None)
        line = (f"{work:20} {fmt_t(kt_t)} {fmt_mb(kt_rss)} {fmt_t(d_t)} "
                f"{fmt_mb(d_rss)} {fmt_t(c_t):>9} {fmt_t(c_all):>9} "
                + (f"{kt_t / d_t:7.3f}" if d_t else "      -")
                + (f" {kt_t / c_t:7.3f}" if c_t else "       -")
                + (f" {kt_t / c_all:7.3f}" if c_all else "       -")
                + (f" {kt_rss / d_rss:5.2f}" if d_rss else "    -"))
        rss_ok = not d_rss or kt_rss <= 0.5 * d_rss
        good = ok and rss_ok
        if not good:
            failed.append(work)
        print(f"{line}  {goal} {'ok' if good else 'MISSED'}"
              + ("" if rss_ok else " (rss)"), flush=True)

    def crash_t(cmd):
        return crash_cmd(crash, vmlinux, dump, mods, cmd, a.peer_n) if crash else None

    # open + sys
    k = run_many(ktr + ["-c", "sys"], a.n)
    d = run_many(drgn + [f"{TOP}/bench/drgn_sys.py"], a.peer_n)
    row("open + sys", k, d, None, "<= 0.3 s", k[0] <= 0.3)
    # ps, foreach bt, bt -f, foreach files: against drgn's scripts
    for work, script in (("ps", "ps"), ("foreach bt", "foreach_bt"),
                         ("bt -f", "bt_f"), ("foreach files", "foreach_files")):
        k = run_many(ktr + ["-c", work], a.n)
        d = run_many(drgn + [f"{TOP}/bench/drgn_{script}.py"], a.peer_n)
        row(work, k, d, crash_t(work), "<= 0.1x drgn", k[0] <= 0.1 * d[0])
    # kmem -s: against crash; drgn's page walk for reference
    k = run_many(ktr + ["-c", "kmem -s"], a.n)
    d = run_many(drgn + [f"{TOP}/bench/drgn_kmem_s.py"], 1)
    c = crash_t("kmem -s")
    # from a cold start to the table, as a user waits for it
    row("kmem -s", k, d, c, "<= 0.1x crash (all)",
        c is not None and k[0] <= 0.1 * c[1])
    # kmem ADDR x 10,000: the addresses drgn_owner.py collects
    tmp = tempfile.mkdtemp(prefix="kt-scale-")
    subprocess.run(drgn + [f"{TOP}/bench/drgn_owner.py", "collect", "10000",
                           f"{tmp}/addrs"], check=True)
    addrs = open(f"{tmp}/addrs").read().split()
    with open(f"{tmp}/cmds", "w") as f:
        for i in range(0, len(addrs), 50):
            f.write("kmem " + " ".join(addrs[i:i + 50]) + "\n")
    k = run_many(ktr + ["-i", f"{tmp}/cmds"], a.n)
    d = run_many(drgn + [f"{TOP}/bench/drgn_owner.py", "identify", f"{tmp}/addrs"], 1)
    row(f"kmem ADDR x {len(addrs)}", k, d, None, "<= 1 s", k[0] <= 1.0)
    # search: the scan's own rate, on the level-1 dump
    rates, walls, pages = [], [], 0
    for _ in range(a.n):
        t0 = time.perf_counter()
        p = subprocess.run([kt, scan, vmlinux, "-c", f"search -v -l 0 {VALUE}"],
                           capture_output=True, text=True)
        walls.append(time.perf_counter() - t0)
        m = SCAN.search(p.stderr + p.stdout)
        if not m:
            sys.exit(f"search: no rate in: {p.stderr[-500:]}")
        pages = int(m.group(1))
        rates.append(pages * 4096 / 1e9 / float(m.group(2)))
    gbs = statistics.median(rates)
    print(f"{'search (one value)':20} {fmt_t(statistics.median(walls))}       "
          f"{pages * 4096 / 1e9:.2f} GB of {os.path.basename(scan)}: "
          f"{gbs:.2f} GB/s  >= 1 GB/s {'ok' if gbs >= 1 else 'MISSED'}")
    if gbs < 1:
        failed.append("search")
    # every analyzer
    k = run_many(ktr + ["-c", "findings"], a.n)
    row("all analyzers", k, None, None, "<= 3 s", k[0] <= 3.0)
    print("\nmissed: " + (", ".join(failed) if failed else "none"))


if __name__ == "__main__":
    main()
