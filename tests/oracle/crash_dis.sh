#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Record crash 8.0.6's `dis FUNCTION` of a shared dump as
# tests/expected/<dump>.<function>.dis.txt, for test_disasm.c to compare
# ktriage's dis with (mnemonics, operands, call/jump targets).
#
# Usage: tests/oracle/crash_dis.sh DUMP FUNCTION...
#   e.g. tests/oracle/crash_dis.sh hctx-fq blk_free_flush_queue
# Environment (all optional):
#   KT_FIXTURES  fixtures folder      (default /work/shared/fixtures)
#   KT_VMLINUX   vmlinux with DWARF   (default ~/.cache/ktriage/vmlinux-6.1.0-56-cloud-amd64)
#   KT_EXPECTED  output folder        (default <repo>/tests/expected)
#   CRASH        crash binary         (default ~/.cache/ktriage/crash806/crash-8.0.6/crash)
#
# Module functions need their .ko: every fixtures/modules/*.ko is loaded
# with `mod -s` before `dis`. crash takes ~10 s to start, once a function.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
fixtures=${KT_FIXTURES:-/work/shared/fixtures}
vmlinux=${KT_VMLINUX:-$HOME/.cache/ktriage/vmlinux-6.1.0-56-cloud-amd64}
expected=${KT_EXPECTED:-$repo/tests/expected}
crash=${CRASH:-$HOME/.cache/ktriage/crash806/crash-8.0.6/crash}

if [ $# -lt 2 ]; then
	echo "usage: $0 DUMP FUNCTION..." >&2
	exit 1
fi
dump=$1
shift

mods=
for ko in "$fixtures"/modules/*.ko; do
	[ -r "$ko" ] && mods="${mods}mod -s $(basename "$ko" .ko) $ko
"
done

for fn in "$@"; do
	out=$expected/$dump.$fn.dis.txt
	# mod -s prints a table; keep only dis lines (they start with 0x).
	printf '%sdis %s\nquit\n' "$mods" "$fn" |
		"$crash" -s "$vmlinux" "$fixtures/dumps/$dump.kdump" 2>&1 |
		grep '^0x' >"$out.tmp"
	if [ ! -s "$out.tmp" ]; then
		echo "crash_dis.sh: crash gave no dis output for $fn" >&2
		rm -f "$out.tmp"
		exit 1
	fi
	mv "$out.tmp" "$out"
	echo "== $out: $(wc -l <"$out") instructions"
done
