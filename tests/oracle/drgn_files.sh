# shellcheck shell=sh disable=SC2034,SC2154 # sourced: sets and uses the caller's variables
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Sourced by gen.sh, gen_plugins.sh and gen_sockets.sh once $here, $fixtures,
# $vmlinux and $expected are set. Sets:
#   dvmlinux  the vmlinux to give drgn 0.0.22 (-s): $vmlinux, or its copy
#             with ORC that drgn 0.0.22 can read (orc_compat.py)
#   dkos      the same for every $fixtures/modules/*.ko, one path a line
#   dmods     "--ko KO" for each of dkos, for drgn_run.py
# and defines dkos_of NAME...: the lines of dkos of the modules NAME.
# The copies are made once, in $KT_DRGN_CACHE (default: drgn-debuginfo
# beside the expected folder) and only for a kernel whose ORC format drgn
# 0.0.22 does not know (Linux 6.3 and later: the .orc_header section).

drgn_cache=${KT_DRGN_CACHE:-$(dirname "$expected")/drgn-debuginfo}
_kos=
for _ko in "$fixtures"/modules/*.ko; do
	[ -r "$_ko" ] && _kos="$_kos $_ko"
done
# shellcheck disable=SC2086 # a word list on purpose
_compat=$(python3 "$here/orc_compat.py" "$drgn_cache" "$vmlinux" $_kos) || {
	echo "$0: orc_compat.py failed" >&2
	exit 1
}
dvmlinux=$(printf '%s\n' "$_compat" | head -n 1)
# what the copy is, for the oracles' provenance (drgn_run.py)
KT_DRGN_VMLINUX_NOTE=
[ "$dvmlinux" != "$vmlinux" ] && [ -r "$dvmlinux.note" ] &&
	KT_DRGN_VMLINUX_NOTE="vmlinux and the .ko files of the modules were given to drgn as copies with $(cat "$dvmlinux.note")"
export KT_DRGN_VMLINUX_NOTE
dkos=$(printf '%s\n' "$_compat" | tail -n +2)
dmods=
for _ko in $dkos; do
	dmods="$dmods --ko $_ko"
done
dkos_of() {
	for _name in "$@"; do
		printf '%s\n' "$dkos" | grep "/$_name\.ko\$" || true
	done
}
