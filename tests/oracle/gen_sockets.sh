#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Regenerate tests/expected/<dump>.files.json (nbd-orphan-hung, sysrq-null)
# and tests/expected/<dump>.orphan_sockets.json (every dump) with drgn.
# Same environment as gen.sh (KT_FIXTURES, KT_VMLINUX, KT_EXPECTED, DRGN,
# KT_DRGN_CACHE).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
fixtures=${KT_FIXTURES:-/work/shared/fixtures}
vmlinux=${KT_VMLINUX:-$HOME/.cache/ktriage/vmlinux-6.1.0-56-cloud-amd64}
expected=${KT_EXPECTED:-$repo/tests/expected}
drgn=${DRGN:-drgn}
. "$here/drgn_files.sh"
# KT_DUMPS: the dumps to run on (names: "sysrq-null hctx-fq"); default all
# of the fixtures
dump_list() {
	if [ -n "${KT_DUMPS:-}" ]; then
		for n in $KT_DUMPS; do echo "$fixtures/dumps/$n.kdump"; done
	else
		ls "$fixtures"/dumps/*.kdump
	fi
}

for d in $(dump_list); do
	name=$(basename "$d" .kdump)
	# shellcheck disable=SC2086 # $dmods is a word list on purpose
	"$drgn" -q -c "$d" -s "$dvmlinux" "$here/drgn_run.py" $dmods \
		"$here/orphan_sockets.py" "$d" "$expected/$name.orphan_sockets.json"
	case $name in
	nbd-orphan-hung|sysrq-null)
		# shellcheck disable=SC2086
		"$drgn" -q -c "$d" -s "$dvmlinux" "$here/drgn_run.py" $dmods \
			"$here/files.py" "$d" "$expected/$name.files.json" ;;
	esac
done
