#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fetch the vmlinux (with DWARF) that matches the shared dumps, from
# Debian's -dbg package, into a cache outside the repository, check its
# sha256 and print its path.
set -euo pipefail
KVER=6.1.0-56-cloud-amd64
KPKG=6.1.192-2
SHA=66795ff0f633eff6f5eb407499b06658de356dd1f2aa5dfa5ebab47f95366e9b
CACHE=${KTRIAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ktriage}
out=$CACHE/vmlinux-$KVER
if [ -s "$out" ]; then
	echo "$out"
	exit 0
fi
mkdir -p "$CACHE"
tmp=$(mktemp -d "$CACHE/fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "fetching linux-image-$KVER-dbg $KPKG (283 MB) into $CACHE" >&2
(cd "$tmp" && apt-get download "linux-image-$KVER-dbg=$KPKG" >/dev/null 2>"$tmp/apt.err") || {
	echo "apt-get download failed:" >&2
	cat "$tmp/apt.err" >&2
	echo "run 'apt-get update' first, or set KT_VMLINUX to a copy of vmlinux-$KVER" >&2
	exit 1
}
dpkg-deb --fsys-tarfile "$tmp"/linux-image-*.deb |
	tar -x -C "$tmp" "./usr/lib/debug/boot/vmlinux-$KVER"
echo "$SHA  $tmp/usr/lib/debug/boot/vmlinux-$KVER" | sha256sum -c --quiet
mv "$tmp/usr/lib/debug/boot/vmlinux-$KVER" "$out"
echo "$out"
