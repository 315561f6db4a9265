#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Regenerate tests/expected/<dump>.<plugin>.json, drgn's facts for the
# plugins' tests, from the shared crash dumps. See tests/oracle/README.md.
#
# Environment (all optional): KT_FIXTURES, KT_VMLINUX, KT_EXPECTED, DRGN,
# KT_DRGN_CACHE, as for gen.sh. Arguments: plugin names (hctx_fq, list_poison); default all.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
fixtures=${KT_FIXTURES:-/work/shared/fixtures}
vmlinux=${KT_VMLINUX:-$HOME/.cache/ktriage/vmlinux-6.1.0-56-cloud-amd64}
expected=${KT_EXPECTED:-$repo/tests/expected}
drgn=${DRGN:-drgn}

[ $# -eq 0 ] && set -- hctx_fq list_poison
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

status=0
for plugin in "$@"; do
	for d in $(dump_list); do
		name=$(basename "$d" .kdump)
		out=$expected/$name.$plugin.json
		echo "== $name $plugin"
		# shellcheck disable=SC2086 # $dmods is a word list on purpose
		if "$drgn" -q -c "$d" -s "$dvmlinux" "$here/drgn_run.py" $dmods \
			"$here/$plugin.py" "$d" "$out.tmp"; then
			mv "$out.tmp" "$out"
		else
			echo "gen_plugins.sh: drgn failed on $name ($plugin)" >&2
			rm -f "$out.tmp"
			status=1
		fi
	done
done
exit $status
