#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run the fuzz targets: first each target's regression inputs
# (fuzz/regress/TARGET/; an allocation over 512 MiB or a run over 25 s
# fails them too), then libFuzzer for SECONDS on its committed corpus
# (fuzz/corpus/TARGET/, read only; new inputs go to the work dir).
# A crash, a leak, a hang (-timeout) or a sanitizer report fails the run;
# the reproducer's path is printed. Ends with a table of executions and
# coverage per target.
#
# usage: fuzz/run.sh [-j JOBS] [-k] SECONDS [TARGET...]
#   -j JOBS  targets run at once (default: nproc)
#   -k       keep going after a crash (libFuzzer -fork=1 -ignore_crashes=1)
# environment: KT_VMLINUX, KT_FIXTURES (the program-level targets),
#   KT_FUZZ_BUILD (default: build-fuzz, made here with clang when missing),
#   KT_FUZZ_WORK (default: $KT_FUZZ_BUILD/fuzz-work: grown corpora, reproducers)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
keep=0
while getopts j:k opt; do
	case $opt in
	j) jobs=$OPTARG ;;
	k) keep=1 ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
secs=${1:?usage: fuzz/run.sh [-j JOBS] [-k] SECONDS [TARGET...]}
shift
build=${KT_FUZZ_BUILD:-$top/build-fuzz}
work=${KT_FUZZ_WORK:-$build/fuzz-work}
if [ ! -f "$build/CMakeCache.txt" ]; then
	CC=clang cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DKT_WERROR=ON -DKT_FUZZ=ON -DKT_TESTS=OFF >/dev/null
fi
cmake --build "$build" -j "$(nproc)" >/dev/null
targets=("$@")
[ ${#targets[@]} -gt 0 ] ||
	mapfile -t targets < <(cd "$top/fuzz/corpus" && ls)
export LSAN_OPTIONS=suppressions=$top/fuzz/lsan.supp:print_suppressions=0
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1}
mkdir -p "$work"

# One target: regressions, then the fuzzer; the result in $work/T.result.
one() {
	local t=$1 bin=$build/fuzz/fuzz_$1 dir=$work/$1 log=$work/$1.log
	local regress=$top/fuzz/regress/$1 status=ok opts
	rm -rf "$dir/crashes"
	mkdir -p "$dir/corpus" "$dir/crashes"
	: > "$log"
	if [ -d "$regress" ] && [ -n "$(ls -A "$regress")" ] &&
	   ! "$bin" -malloc_limit_mb=512 -timeout=25 "$regress"/* >> "$log" \
		2>&1; then
		echo "$t: a regression input fails again: see $log" >&2
		status=regression
	fi
	opts=(-max_total_time="$secs" -timeout=25 -print_final_stats=1
	      -artifact_prefix="$dir/crashes/")
	[ $keep = 1 ] && opts+=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1
				-ignore_ooms=1)
	"$bin" "${opts[@]}" "$dir/corpus" "$top/fuzz/corpus/$t" >> "$log" 2>&1 ||
		status=crash
	local execs cov crashes
	execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" |
		awk '{n += $2} END {print n + 0}')
	[ "$execs" = 0 ] && execs=$(grep -Eo '^#[0-9]+' "$log" | tail -1 | tr -d '#')
	cov=$(grep -Eo 'cov: [0-9]+' "$log" | awk '{print $2}' | sort -n | tail -1)
	crashes=$(find "$dir/crashes" -type f ! -name 'slow-unit-*' | wc -l)
	if [ "$status" = crash ] || [ "$crashes" -gt 0 ]; then
		[ "$status" = ok ] && status=crash
		find "$dir/crashes" -type f ! -name 'slow-unit-*' | head -3 |
		while read -r c; do
			echo "$t: reproducer $c (replay: $bin $c)" >&2
		done
		[ "$crashes" -le 3 ] ||
			echo "$t: $crashes reproducers in $dir/crashes" >&2
		grep -E 'ERROR:|runtime error|fuzz: ' "$log" |
			sed -E 's/==[0-9]+==//; s/ \(pc .*//' | sort | uniq -c |
			sort -rn | head -5 | sed "s/^/$t: /" >&2
	fi
	printf '%-16s %10s %6s %8s %s\n' "$t" "${execs:-0}" "${cov:-0}" \
		"$crashes" "$status" > "$work/$t.result"
}
export -f one
export build work secs keep top
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'one {}'
printf '%-16s %10s %6s %8s %s\n' target execs cov crashes status
status=0
for t in "${targets[@]}"; do
	cat "$work/$t.result"
	grep -q ' ok$' "$work/$t.result" || status=1
done
exit $status
