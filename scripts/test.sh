#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The whole test suite: installs what is missing, fetches the vmlinux of the
# shared dumps, then builds and runs the tests twice: a normal -Werror
# build, and an ASan/UBSan build.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"
export KT_VMLINUX=${KT_VMLINUX:-$("$top/scripts/fetch-vmlinux.sh")}
export KT_FIXTURES=${KT_FIXTURES:-$top/../shared/fixtures}
if [ ! -d "$KT_FIXTURES/dumps" ]; then
	echo "no shared dumps at $KT_FIXTURES: set KT_FIXTURES, or make them" \
		"with tests/vmcores/regen.sh" >&2
	exit 1
fi
# Every other dump format, derived from one real dump (about 8 s, cached).
export KT_FORMATS=${KT_FORMATS:-${KTRIAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ktriage}/formats}
"$top/tests/vmcores/mkformats.sh" "$KT_FIXTURES/dumps/list-poison.kdump" \
	"$KT_FORMATS" >/dev/null
# Dumps of the sysrq-null scenario made with the project's own recipe, in
# the formats makedumpfile and QEMU write themselves: QEMU dump-guest-memory
# (ELF, paging ELF, kdump, flattened kdump) and, from the in-guest capture
# kernel, a raw /proc/vmcore copy and makedumpfile -E. About two minutes,
# then cached.
cache=${KTRIAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ktriage}
export KT_FACTORY_DUMPS=${KT_FACTORY_DUMPS:-$cache/vmcores/dumps/sysrq-null}
if [ ! -s "$KT_FACTORY_DUMPS/sysrq-null.qemu-kdump-flat" ] ||
   [ ! -s "$KT_FACTORY_DUMPS/sysrq-null.vmcore.elf" ]; then
	echo "== making dumps with tests/vmcores/regen.sh (about two minutes)"
	FX=$cache/vmcores SCENARIOS=sysrq-null MODES="qemu kdump" KEEP_RAW=1 \
		"$top/tests/vmcores/regen.sh" host fetch build initramfs dumps \
		> "$cache/regen-qemu.log" 2>&1 || {
		tail -20 "$cache/regen-qemu.log" >&2
		exit 1
	}
fi
jobs=$(nproc)
status=0
for variant in release asan; do
	dir=$top/build-test-$variant
	opts=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DKT_WERROR=ON)
	[ $variant = asan ] && opts+=(-DKT_SANITIZE=ON)
	cmake -S "$top" -B "$dir" "${opts[@]}" >/dev/null
	cmake --build "$dir" -j "$jobs" >/dev/null
	echo "== $variant build: tests"
	export KT_BINARY=$dir/app/ktriage KT_TESTDATA=$dir/testdata
	"$top/tests/mkdata.sh" "$KT_TESTDATA"
	# Leaks are errors, but for one in libkdumpfile (tests/lsan.supp).
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0 \
		LSAN_OPTIONS=suppressions=$top/tests/lsan.supp:print_suppressions=0 \
		"$dir/tests/kt_tests" --jobs "$jobs" || status=1
done
exit $status
