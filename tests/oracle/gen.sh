#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Regenerate tests/expected/<dump>.json, <dump>.log.txt, <dump>.stacks.json,
# <dump>.structs.json and <dump>.kmem.json from the shared crash dumps, with
# drgn as the oracle, and <dump>.crash-kmem.txt/.json with crash 8.0.6.
# See tests/oracle/README.md.
#
# Environment (all optional):
#   KT_FIXTURES  fixtures folder      (default /work/shared/fixtures)
#   KT_VMLINUX   vmlinux with DWARF   (default ~/.cache/ktriage/vmlinux-6.1.0-56-cloud-amd64)
#   KT_EXPECTED  output folder        (default <repo>/tests/expected)
#   DRGN         drgn command         (default drgn)
#   CRASH        crash 8.0.6 binary   (default ~/.cache/ktriage/crash806/crash-8.0.6/crash;
#                the crash-kmem files are skipped if it is missing)
#   KT_DRGN_CACHE where copies of vmlinux and the .ko with ORC drgn 0.0.22
#                can read go, for a kernel that needs them (default
#                drgn-debuginfo beside KT_EXPECTED; see drgn_files.sh)
# Arguments: dump names (e.g. list-poison) to limit the run; default all.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
fixtures=${KT_FIXTURES:-/work/shared/fixtures}
vmlinux=${KT_VMLINUX:-$HOME/.cache/ktriage/vmlinux-6.1.0-56-cloud-amd64}
expected=${KT_EXPECTED:-$repo/tests/expected}
drgn=${DRGN:-drgn}
crash=${CRASH:-$HOME/.cache/ktriage/crash806/crash-8.0.6/crash}

if [ ! -r "$vmlinux" ]; then
	echo "gen.sh: no vmlinux at $vmlinux (set KT_VMLINUX)" >&2
	exit 1
fi
mkdir -p "$expected"

if [ $# -eq 0 ]; then
	for d in "$fixtures"/dumps/*.kdump; do
		set -- "$@" "$(basename "$d" .kdump)"
	done
fi

# Module debuginfo: without null_blk.ko drgn cannot unwind hctx-fq-exit.
# drgn_run.py loads it ($dmods), also where drgn 0.0.22 cannot place a
# module by itself; $dvmlinux is the vmlinux drgn can unwind with.
. "$here/drgn_files.sh"
run() {
	# shellcheck disable=SC2086 # $dmods is a word list on purpose
	"$drgn" -q -c "$1" -s "$dvmlinux" "$here/drgn_run.py" $dmods "$here/$2" "$1" "$3" ${4:+"$4"}
}

status=0
for name in "$@"; do
	dump=$fixtures/dumps/$name.kdump
	json=$expected/$name.json
	log=$expected/$name.log.txt
	stacks=$expected/$name.stacks.json
	echo "== $name"
	if ! run "$dump" facts.py "$json.tmp" "$log.tmp"; then
		echo "gen.sh: drgn failed on $name" >&2
		rm -f "$json.tmp" "$log.tmp"
		status=1
		continue
	fi
	mv "$json.tmp" "$json"
	mv "$log.tmp" "$log"
	python3 "$here/compare_log.py" "$log" "$fixtures/dumps/$name.dmesg.txt" || true
	if ! run "$dump" stacks.py "$stacks.tmp"; then
		echo "gen.sh: drgn (stacks.py) failed on $name" >&2
		rm -f "$stacks.tmp"
		status=1
		continue
	fi
	mv "$stacks.tmp" "$stacks"
	structs=$expected/$name.structs.json
	if ! run "$dump" structs.py "$structs.tmp"; then
		echo "gen.sh: drgn (structs.py) failed on $name" >&2
		rm -f "$structs.tmp"
		status=1
		continue
	fi
	mv "$structs.tmp" "$structs"
	kmem=$expected/$name.kmem.json
	# Only the .ko of loaded modules: drgn puts the symbols of any other
	# near address 0, and kmem.py identifies addresses by symbol.
	kmods=
	# shellcheck disable=SC2046 # module names, one a word
	for ko in $(dkos_of $(python3 -c '
import json, sys
for m in json.load(open(sys.argv[1]))["modules"]:
    print(m["name"])' "$json")); do
		kmods="$kmods --ko $ko"
	done
	# shellcheck disable=SC2086
	if ! "$drgn" -q -c "$dump" -s "$dvmlinux" "$here/drgn_run.py" $kmods \
		"$here/kmem.py" "$dump" "$kmem.tmp"; then
		echo "gen.sh: drgn (kmem.py) failed on $name" >&2
		rm -f "$kmem.tmp"
		status=1
		continue
	fi
	mv "$kmem.tmp" "$kmem"
	if [ -x "$crash" ]; then
		if ! python3 "$here/crash_kmem.py" --crash "$crash" \
			--vmlinux "$vmlinux" --modules "$fixtures/modules" \
			"$dump" "$kmem" "$expected/$name.crash-kmem"; then
			echo "gen.sh: crash_kmem.py failed on $name" >&2
			status=1
		fi
	else
		echo "gen.sh: no crash at $crash: $name.crash-kmem.* not regenerated" >&2
	fi
done

# The lzo copy of sysrq-null must give the same facts as the zlib one, apart
# from the file header; it gets no expected file of its own.
lzo=$fixtures/dumps/sysrq-null.kdump-lzo
ref=$expected/sysrq-null
if [ -r "$lzo" ] && [ -r "$ref.json" ]; then
	tmp=$(mktemp -d)
	same='
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for d in (a, b):
    d.pop("dump", None)
    d.pop("dump_header", None)
sys.exit(a != b)'
	if run "$lzo" facts.py "$tmp/lzo.json" "$tmp/lzo.log.txt" &&
		python3 -c "$same" "$tmp/lzo.json" "$ref.json" &&
		cmp -s "$tmp/lzo.log.txt" "$ref.log.txt" &&
		{ [ ! -r "$ref.stacks.json" ] ||
			{ run "$lzo" stacks.py "$tmp/lzo.stacks.json" &&
				python3 -c "$same" "$tmp/lzo.stacks.json" "$ref.stacks.json"; }; }; then
		echo "== sysrq-null.kdump-lzo: same facts, log and stacks as sysrq-null.kdump"
	else
		echo "gen.sh: sysrq-null.kdump-lzo differs from sysrq-null.kdump" >&2
		status=1
	fi
	rm -rf "$tmp"
fi
exit $status
