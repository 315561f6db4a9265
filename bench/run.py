#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Time ktriage against drgn (and crash, if KT_CRASH names a crash 8.0.6
binary) on each shared dump, in the same run, from cold processes.

Jobs: `sys`, `ps` (issue 2), `foreach bt` and `bt -f` of the panic task
(issue 3). Prints the median wall time and peak RSS of each tool and
ktriage's ratio to each peer. Goals: at most 0.25x drgn's time, and peak RSS
no larger than drgn's.

usage: bench/run.py [-n RUNS] [DUMP...]   (env: KT_VMLINUX, KT_FIXTURES)
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_many(argv, n, stdin=None):
    """Median wall time and peak RSS over n cold runs."""
    walls, rss = [], []
    for _ in range(n):
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if stdin:
            p.stdin.write(stdin.encode())
            p.stdin.close()
        err = p.stderr.read()
        _, status, usage = os.wait4(p.pid, 0)
        walls.append(time.perf_counter() - t0)
        rss.append(usage.ru_maxrss)
        if os.waitstatus_to_exitcode(status):
            sys.exit(f"failed: {' '.join(argv)}\n{err.decode()[-2000:]}")
    return statistics.median(walls), max(rss)


ALL_DUMPS = ["sysrq-null", "hctx-fq", "hctx-fq-exit", "nbd-orphan-hung",
             "list-poison", "irq-lock"]


def tools():
    """The vmlinux, fixtures folder, ktriage binary and crash (or None),
    from KT_VMLINUX, KT_FIXTURES, KT_BINARY and KT_CRASH."""
    vmlinux = os.environ.get("KT_VMLINUX") or subprocess.check_output(
        [f"{TOP}/scripts/fetch-vmlinux.sh"], text=True).strip()
    fixtures = os.environ.get("KT_FIXTURES", f"{TOP}/../shared/fixtures")
    kt = os.environ.get("KT_BINARY", f"{TOP}/build/app/ktriage")
    return vmlinux, fixtures, kt, os.environ.get("KT_CRASH")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=5, help="runs per job (default 5)")
    ap.add_argument("dumps", nargs="*")
    a = ap.parse_args()
    vmlinux, fixtures, kt, crash = tools()
    mods = f"{fixtures}/modules"
    names = a.dumps or ALL_DUMPS
    print(f"{'dump':16} {'job':10} {'ktriage':>16} {'drgn':>17} {'kt/drgn':>8} "
          f"{'rss kt/drgn':>11}" + (f" {'crash':>8} {'kt/crash':>8}" if crash else ""))
    jobs = {"sys": "sys", "ps": "ps", "foreach bt": "foreach_bt", "bt -f": "bt_f"}
    ratios = {job: [] for job in jobs}
    for name in names:
        dump = f"{fixtures}/dumps/{name}.kdump"
        for job, script in jobs.items():
            k = run_many([kt, dump, vmlinux, "-m", mods, "-c", job], a.n)
            d = run_many(["drgn", "-q", "-c", dump, "-s", vmlinux]
                         + [a for ko in sorted(os.listdir(mods)) for a in ("-s", f"{mods}/{ko}")]
                         + [f"{TOP}/bench/drgn_{script}.py"], a.n)
            line = (f"{name:16} {job:10} {k[0]:7.3f}s {k[1]/1024:5.0f}MB "
                    f"{d[0]:7.3f}s {d[1]/1024:5.0f}MB {k[0]/d[0]:8.2f} {k[1]/d[1]:11.2f}")
            if crash:
                c = run_many([crash, "-s", vmlinux, dump], a.n,
                             stdin=f"mod -S {mods}\n{job}\nquit\n" if "bt" in job
                             else f"{job}\nquit\n")
                line += f" {c[0]:7.3f}s {k[0]/c[0]:8.2f}"
            ratios[job].append(k[0] / d[0])
            print(line, flush=True)
    for job, r in ratios.items():
        print(f"median ktriage/drgn time ratio, {job}: {statistics.median(r):.2f}")


if __name__ == "__main__":
    main()
