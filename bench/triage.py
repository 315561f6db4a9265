#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Fleet triage in the same run: `ktriage triage --jobs J` over K copies of
each shared dump, against drgn doing the least a triage needs (open the
dump with its vmlinux and modules, print the crashed thread's stack) over
the same files with J processes at once; dumps per minute of each and
ktriage's ratio. crash has no batch triage: with KT_CRASH set, `crash -s`
running `sys; bt` over the same files the same way is timed too.

Then the store at team scale (bench/kt_store_bench): the grouped summary
and `similar` over 10,000 stored dumps; the goal is at most 50 ms each.

usage: bench/triage.py [-k COPIES] [-j JOBS]   (env: KT_VMLINUX, KT_FIXTURES)
"""
import argparse
import concurrent.futures
import contextlib
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import ALL_DUMPS, TOP, tools  # noqa: E402

# run by the drgn CLI, which has the dump and debug info loaded
DRGN = f"{os.path.dirname(os.path.abspath(__file__))}/drgn_triage.py"


def copies(fixtures, k, where):
    """K copies of each shared dump (real copies: a fleet's files)."""
    paths = []
    for i in range(k):
        for d in ALL_DUMPS:
            dst = f"{where}/host{i}/{d}.kdump"
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copyfile(f"{fixtures}/dumps/{d}.kdump", dst)
            paths.append(dst)
    return paths


def pool(argvs, jobs):
    """Wall time to run every argv, jobs at once."""
    def one(argv):
        r = subprocess.run(argv, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE)
        if r.returncode:
            sys.exit(f"failed: {' '.join(argv)}\n{r.stderr.decode()[-2000:]}")
    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        list(ex.map(one, argvs))
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-k", type=int, default=2, help="copies of each dump")
    ap.add_argument("-j", type=int, default=os.cpu_count() or 2)
    a = ap.parse_args()
    vmlinux, fixtures, kt, crash = tools()
    modules = [f"{fixtures}/modules/{m}" for m in
               sorted(os.listdir(f"{fixtures}/modules"))]
    with tempfile.TemporaryDirectory() as tmp:
        paths = copies(fixtures, a.k, f"{tmp}/dumps")
        vm = f"{tmp}/vm"
        os.makedirs(vm)
        release = os.path.basename(vmlinux).removeprefix("vmlinux-")
        os.symlink(vmlinux, f"{vm}/vmlinux-{release}")
        for m in modules:
            os.symlink(m, f"{vm}/{os.path.basename(m)}")
        n = len(paths)
        t0 = time.perf_counter()
        r = subprocess.run([kt, "triage", "--jobs", str(a.j), "--store",
                            f"{tmp}/store", "--vmlinux-dir", vm,
                            f"{tmp}/dumps"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE)
        t_kt = time.perf_counter() - t0
        if r.returncode:
            sys.exit(f"ktriage triage failed\n{r.stderr.decode()[-2000:]}")
        syms = [x for m in [vmlinux] + modules for x in ("-s", m)]
        t_drgn = pool([["drgn", "-q", "-c", p] + syms + [DRGN]
                       for p in paths], a.j)
        print(f"{n} dumps, {a.j} at once")
        print(f"ktriage triage (analyzers, signature, report, case, store): "
              f"{60 * n / t_kt:7.1f} dumps/min  ({t_kt:.1f} s)")
        print(f"drgn (open, crashed thread's stack only):               "
              f"{60 * n / t_drgn:7.1f} dumps/min  ({t_drgn:.1f} s)")
        print(f"ratio ktriage/drgn throughput: {t_drgn / t_kt:.2f}x")
        if crash:
            t_crash = pool([[crash, "-s", vmlinux, p, "-i", "/dev/stdin"]
                            for p in paths], a.j)
            print(f"crash (sys, bt): {60 * n / t_crash:7.1f} dumps/min, "
                  f"ratio {t_crash / t_kt:.2f}x")
        else:
            print("crash: not timed (set KT_CRASH to a crash 8.0.6 binary)")
        bench = os.environ.get("KT_STORE_BENCH",
                               f"{TOP}/build/bench/kt_store_bench")
        print("-- store in a directory (sqlite)")
        subprocess.run([bench, f"{tmp}/store10k"], check=True)
        print("-- store on PostgreSQL 15 (a server of this run, Unix socket)")
        with pg_server() as url:
            subprocess.run([bench, url], check=True)


PG = "/usr/lib/postgresql/15/bin"


@contextlib.contextmanager
def pg_server():
    """A PostgreSQL 15 of this run in a temporary directory, on a Unix
    socket there only; as the postgres user when run as root."""
    d = tempfile.mkdtemp(prefix="kt-bench-pg-")
    as_user = []
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(d, pw.pw_uid, pw.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    os.chmod(d, 0o755)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    subprocess.run(as_user + [f"{PG}/initdb", "-D", f"{d}/data", "-U",
                              "postgres", "--auth=trust", "--no-sync", "-E",
                              "UTF8", "--locale=C.UTF-8"], check=True, **quiet)
    ctl = as_user + [f"{PG}/pg_ctl", "-D", f"{d}/data", "-l", f"{d}/log",
                     "-w", "-o", f"-k {d} -c listen_addresses=''"]
    subprocess.run(ctl + ["start"], check=True, **quiet)
    try:
        yield f"postgresql:///postgres?host={d}&user=postgres"
    finally:
        subprocess.run(ctl + ["stop", "-m", "fast"], **quiet)
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
