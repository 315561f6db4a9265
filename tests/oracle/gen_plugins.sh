#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Regenerate tests/expected/<dump>.<plugin>.json, drgn's facts for the
# plugins' tests, from the shared crash dumps. See tests/oracle/README.md.
#
# Environment (all optional): KT_FIXTURES, KT_VMLINUX, KT_EXPECTED, DRGN, as
# for gen.sh. Arguments: plugin names (hctx_fq, list_poison); default all.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
fixtures=${KT_FIXTURES:-/work/shared/fixtures}
vmlinux=${KT_VMLINUX:-$HOME/.cache/ktriage/vmlinux-6.1.0-56-cloud-amd64}
expected=${KT_EXPECTED:-$repo/tests/expected}
drgn=${DRGN:-drgn}

[ $# -eq 0 ] && set -- hctx_fq list_poison
mods=
for ko in "$fixtures"/modules/*.ko; do
	[ -r "$ko" ] && mods="$mods -s $ko"
done

status=0
for plugin in "$@"; do
	for d in "$fixtures"/dumps/*.kdump; do
		name=$(basename "$d" .kdump)
		out=$expected/$name.$plugin.json
		echo "== $name $plugin"
		# shellcheck disable=SC2086 # $mods is a word list on purpose
		if "$drgn" -q -c "$d" -s "$vmlinux" $mods "$here/$plugin.py" \
			"$d" "$out.tmp"; then
			mv "$out.tmp" "$out"
		else
			echo "gen_plugins.sh: drgn failed on $name ($plugin)" >&2
			rm -f "$out.tmp"
			status=1
		fi
	done
done
exit $status
