#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The whole test suite: installs what is missing, fetches the vmlinux of the
# shared dumps, then builds and runs the tests twice: a normal -Werror
# build, and an ASan/UBSan build; then runs the fuzz targets briefly.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"
# A team's server in the caller's environment must not receive the tests'
# notes: the PostgreSQL tests start their own (tests/pg_server.c).
unset KTRIAGE_CASE_URL
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
# The kernel matrix: real dumps of every scenario on every kernel of
# tests/vmcores/factory/kernels.tsv, made with the project's own recipe
# (QEMU/TCG, in-guest kdump), with the oracles' facts about each. About
# five minutes a kernel the first time, then cached.
cache=${KTRIAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ktriage}
factory=$top/tests/vmcores/factory
export KT_KERNEL_ROOT=${KT_KERNEL_ROOT:-$cache/kernels}
export KT_KERNELS=${KT_KERNELS:-$(awk '!/^#/ && NF {printf "%s ", $1}' "$factory/kernels.tsv")}
regen() {	# kernel, then the environment of regen.sh
	local k=$1 log=$cache/regen-$1.log
	shift
	env KERNEL="$k" FX="$KT_KERNEL_ROOT/$k" "$@" "$top/tests/vmcores/regen.sh" \
		host fetch build initramfs dumps collect >> "$log" 2>&1 || {
		tail -20 "$log" >&2
		echo "making the $k dumps failed: see $log" >&2
		exit 1
	}
}
mkdir -p "$cache"
# What the dumps and facts were made by: the oracles and the recipe, by
# content (a fresh clone's files are all new, so not by time), their
# documentation aside
stamp=$(cd "$top" && find tests/oracle tests/vmcores/factory -type f \
	! -path '*/__pycache__/*' ! -name '*.md' | LC_ALL=C sort | xargs sha256sum |
	sha256sum | cut -c1-16)
for k in $KT_KERNELS; do
	dir=$KT_KERNEL_ROOT/$k
	# made, and the oracles' facts by these oracles
	if [ -e "$dir/expected/.done" ] &&
	   [ "$(cat "$dir/expected/.made-by" 2> /dev/null)" = "$stamp" ]; then
		continue
	fi
	echo "== kernel $k: dumps of the scenarios and the oracles' facts"
	: > "$cache/regen-$k.log"
	# sysrq-null of the first kernel also in QEMU's own formats and
	# as a raw /proc/vmcore copy, for the format tests
	[ "$k" = 6.1 ] && regen "$k" SCENARIOS=sysrq-null MODES="kdump qemu" KEEP_RAW=1
	# and the many-tasks scale scenario (2,000 threads: the task walks,
	# foreach and the tasks view at scale)
	[ "$k" = 6.1 ] && regen "$k" SCENARIOS=many-tasks
	regen "$k"
	env KERNEL="$k" FX="$dir" "$top/tests/vmcores/regen.sh" facts \
		>> "$cache/regen-$k.log" 2>&1 || {
		tail -20 "$cache/regen-$k.log" >&2
		echo "the oracles failed on the $k dumps: see $cache/regen-$k.log" >&2
		exit 1
	}
	echo "$stamp" > "$dir/expected/.made-by"
done
export KT_FACTORY_DUMPS=${KT_FACTORY_DUMPS:-$KT_KERNEL_ROOT/6.1/dumps/sysrq-null}
jobs=$(nproc)
# The sanitizer pass looks for memory errors in code paths, not for facts
# of each kernel: the shared dumps and the matrix's oldest and newest
# kernels (by release) cover its layouts at half the cost. KT_ASAN_KERNELS
# picks others ("all": every kernel of KT_KERNELS).
asan_kernels=${KT_ASAN_KERNELS:-$(awk -v want=" $KT_KERNELS " \
	'!/^#/ && NF && index(want, " " $1 " ") {print $2, $1}' "$factory/kernels.tsv" |
	sort -V | awk 'NR == 1 {first = $2} {last = $2}
		END {if (first == last) print first; else print first, last}')}
[ "$asan_kernels" = all ] && asan_kernels=$KT_KERNELS
status=0
for variant in release asan; do
	dir=$top/build-test-$variant
	opts=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DKT_WERROR=ON)
	[ $variant = asan ] && opts+=(-DKT_SANITIZE=ON)
	cmake -S "$top" -B "$dir" "${opts[@]}" >/dev/null
	cmake --build "$dir" -j "$jobs" >/dev/null
	kernels=$KT_KERNELS
	[ $variant = asan ] && kernels=$asan_kernels
	echo "== $variant build: tests (shared dumps; kernels: $kernels)"
	export KT_BINARY=$dir/app/ktriage KT_TESTDATA=$dir/testdata
	"$top/tests/mkdata.sh" "$KT_TESTDATA"
	# Leaks are errors, but for one in libkdumpfile (tests/lsan.supp).
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0 \
		LSAN_OPTIONS=suppressions=$top/tests/lsan.supp:print_suppressions=0 \
		KT_KERNELS=$kernels "$dir/tests/kt_tests" --jobs "$jobs" || status=1
done
# The fuzz targets (fuzz/README.md): each one's regression inputs, then
# libFuzzer for KT_FUZZ_TIME seconds (30) on its committed corpus, $jobs at
# a time: about 4 minutes for all. A crash fails the run; its reproducer's
# path is printed.
echo "== fuzz targets (${KT_FUZZ_TIME:-30} s each)"
KT_FUZZ_BUILD=$top/build-test-fuzz "$top/fuzz/run.sh" -j "$jobs" \
	"${KT_FUZZ_TIME:-30}" || status=1
exit $status
