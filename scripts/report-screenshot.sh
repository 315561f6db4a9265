#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# docs/report.png, the README's picture of the HTML report: the shared
# list-poison dump with a two-engineer review in its case, as headless
# chromium shows the top of the page. KT_BINARY, KT_FIXTURES and KT_VMLINUX
# as for the tests.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
ktriage=${KT_BINARY:-$top/build/app/ktriage}
fx=${KT_FIXTURES:-$top/../shared/fixtures}
vmlinux=${KT_VMLINUX:-$("$top/scripts/fetch-vmlinux.sh")}
finding=list_poison:0xffff8ce651f9b000
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
kt() {
	"$ktriage" "$fx/dumps/list-poison.kdump" "$vmlinux" -m "$fx/modules" \
		--case "$tmp/case.ktriage" "$@"
}
id=$(kt --author alice -c "note add --on finding:$finding the walker kept \
its cursor on an entry another thread deleted" | awk '{print $2}')
kt --author bob -c "note edit $id kt_listwalk resumes from a cached entry \
after dropping the lock; kt_remove() freed it meanwhile" \
	-c "verdict set --on $finding root-cause cursor kept past list_del() \
and kfree()" -c 'tag add use-after-free' >/dev/null
kt --report "$tmp/report.html" >/dev/null
chromium --headless --disable-gpu --no-sandbox --hide-scrollbars \
	--user-data-dir="$tmp/profile" --window-size=1000,1300 \
	--screenshot="$top/docs/report.png" "file://$tmp/report.html" 2>/dev/null
echo "$top/docs/report.png"
