#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Make the bad inputs the tests feed ktriage, from the real files:
# a truncated dump, a text file, an empty file, a vmlinux without DWARF and
# a vmlinux of "another kernel" (release and build-id changed).
# usage: mkdata.sh OUTDIR   (needs KT_VMLINUX and KT_FIXTURES)
set -euo pipefail
out=$1
mkdir -p "$out"
dumps=$KT_FIXTURES/dumps
[ -s "$out/truncated.kdump" ] ||
	head -c $(( $(stat -c %s "$dumps/hctx-fq.kdump") / 2 )) \
		"$dumps/hctx-fq.kdump" > "$out/truncated.kdump"
[ -s "$out/notadump.txt" ] ||
	printf 'this is a text file, not a crash dump\n' > "$out/notadump.txt"
: > "$out/empty"
# Truncated ELF and flattened dumps, from the formats test.sh derives.
if [ -n "${KT_FORMATS:-}" ]; then
	[ -s "$out/truncated.elf" ] ||
		head -c 50000000 "$KT_FORMATS/list-poison.elf" > "$out/truncated.elf"
	[ -s "$out/truncated.flat" ] ||
		head -c 9000000 "$KT_FORMATS/list-poison.flat" > "$out/truncated.flat"
fi
if [ ! -s "$out/vmlinux-nodebug" ]; then
	objcopy --strip-debug "$KT_VMLINUX" "$out/vmlinux-nodebug.tmp"
	mv "$out/vmlinux-nodebug.tmp" "$out/vmlinux-nodebug"
fi
if [ ! -s "$out/vmlinux-other" ]; then
	python3 - "$out/vmlinux-nodebug" "$out/vmlinux-other.tmp" <<'PY'
import sys
data = bytearray(open(sys.argv[1], 'rb').read())
# Another kernel: a different release in linux_banner, a different build-id.
old, new = b'Linux version 6.1.0-56-cloud', b'Linux version 6.1.0-57-cloud'
n = data.count(old)
assert n >= 1, 'banner not found'
data = data.replace(old, new)
i = data.find(b'GNU\x00', data.find(b'\x03\x00\x00\x00GNU\x00') )
assert i > 0, 'build-id note not found'
data[i + 4] ^= 0xff
open(sys.argv[2], 'wb').write(data)
PY
	mv "$out/vmlinux-other.tmp" "$out/vmlinux-other"
fi
