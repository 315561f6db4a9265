#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The fuzz targets run longer than CI runs them: SECONDS each (default 600),
# going on after a crash (each reproducer is kept and printed), with the
# corpora grown by earlier runs kept in the cache. fuzz/README.md says how
# to fold what they found into the committed corpora.
#
# usage: bench/fuzz.sh [-j JOBS] [SECONDS [TARGET...]]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
jobs=()
if [ "${1:-}" = -j ]; then
	jobs=(-j "$2")
	shift 2
fi
cache=${KTRIAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ktriage}
export KT_FUZZ_WORK=${KT_FUZZ_WORK:-$cache/fuzz}
export KT_VMLINUX=${KT_VMLINUX:-$("$top/scripts/fetch-vmlinux.sh")}
export KT_FIXTURES=${KT_FIXTURES:-$top/../shared/fixtures}
secs=${1:-600}
shift || true
exec "$top/fuzz/run.sh" "${jobs[@]}" -k "$secs" "$@"
