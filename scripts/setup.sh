#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# One command on a fresh Debian 12: install what ktriage needs, build it,
# fetch the vmlinux of the shared dumps and open one of them.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"
cmake -S "$top" -B "$top/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$top/build" -j "$(nproc)" >/dev/null
vmlinux=$("$top/scripts/fetch-vmlinux.sh")
dump=${1:-$top/../shared/fixtures/dumps/hctx-fq.kdump}
echo "ktriage is $top/build/app/ktriage"
echo "\$ ktriage $dump $vmlinux -c sys -c 'ps -u'"
exec "$top/build/app/ktriage" "$dump" "$vmlinux" \
	-m "$top/../shared/fixtures/modules" -c sys -c 'ps -u'
