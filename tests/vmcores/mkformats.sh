#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# mkformats.sh SRC.kdump OUTDIR
#
# Derive every other dump format ktriage must open from one real
# kdump-compressed dump (makedumpfile -c -d 31), into OUTDIR/NAME.<format>:
#
#   NAME.flat            makedumpfile -F: flattened (streamed) kdump
#   NAME.kdump-none      makedumpfile -d 31: kdump, pages uncompressed
#   NAME.kdump-lzo       makedumpfile -l -d 31: kdump, lzo
#   NAME.kdump-snappy    dumpconv: kdump, snappy (Debian's makedumpfile lacks it)
#   NAME.kdump-zstd      dumpconv: kdump, zstd (idem)
#   NAME.kdump-split1/2  makedumpfile --split: a set of two kdump files
#   NAME.elf             dumpconv: ELF64 vmcore as makedumpfile -E writes it
#   NAME.elf-noinfo      dumpconv: the same pages, no VMCOREINFO note, PT_LOADs
#                        shaped like QEMU's dump-guest-memory ELF (RAM only,
#                        p_vaddr = p_paddr): a guest without -device vmcoreinfo
#
# Outputs newer than SRC (and than the tool making them) are kept.
# Environment:
#   VMLINUX   vmlinux of the crashed kernel (default
#             ~/.cache/ktriage/vmlinux-<release>); only its _text/_end are
#             read, to size the kernel-text PT_LOAD exactly as kexec-tools
#             does.  Without it the size comes from the kernel page tables
#             (rounded up to 2 MiB).
#   KT_BUILD  where dumpconv is built (default ~/.cache/ktriage/build)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 2 ] || { echo "usage: $0 SRC.kdump OUTDIR" >&2; exit 2; }
SRC=$(realpath "$1")
OUT=$2
NAME=$(basename "$SRC" .kdump)
KT_BUILD=${KT_BUILD:-$HOME/.cache/ktriage/build}
DUMPCONV=$KT_BUILD/dumpconv
PKGS="gcc pkg-config makedumpfile libkdumpfile-dev zlib1g-dev liblzo2-dev libsnappy-dev libzstd-dev"

say() { echo "[mkformats] $*"; }

now() { date +%s%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", (b - a) / 1e9 }'; }

# fresh OUT DEP...: OUT exists and is newer than every DEP
fresh() {
	local out=$1 dep
	shift
	[ -s "$out" ] || return 1
	for dep; do
		[ "$out" -nt "$dep" ] || return 1
	done
}

build_dumpconv() {
	fresh "$DUMPCONV" "$HERE/dumpconv.c" && return 0
	if ! pkg-config --exists libkdumpfile ||
	   ! [ -e /usr/include/snappy-c.h ] || ! [ -e /usr/include/zstd.h ]; then
		echo "missing build dependencies; apt-get install $PKGS" >&2
		exit 1
	fi
	mkdir -p "$KT_BUILD"
	say "building $DUMPCONV"
	# shellcheck disable=SC2046
	gcc -O2 -g -Wall -Wextra -Werror $(pkg-config --cflags libkdumpfile) \
		-o "$DUMPCONV.tmp" "$HERE/dumpconv.c" \
		$(pkg-config --libs libkdumpfile) -laddrxlat -lz -llzo2 -lsnappy -lzstd
	mv "$DUMPCONV.tmp" "$DUMPCONV"
}

# make TARGET DEP... -- COMMAND...: unless TARGET is fresh, run COMMAND,
# which writes TARGET.tmp; rename it only on success
make_one() {
	local target=$1 deps=() t0
	shift
	while [ "$1" != -- ]; do
		deps+=("$1")
		shift
	done
	shift
	if fresh "$target" "${deps[@]}"; then
		say "$(basename "$target"): up to date"
		return 0
	fi
	rm -f "$target.tmp"
	t0=$(now)
	"$@"
	mv "$target.tmp" "$target"
	say "$(basename "$target"): $(du -h --apparent-size "$target" | cut -f1) in $(since "$t0")"
}

# makedumpfile prints progress bars and warns that 6.1 is newer than it
# knows; the refiltering it does here needs no kernel-version support
mdf() {
	makedumpfile "$@" > "$OUT/.mdf.log" 2>&1 ||
		{ cat "$OUT/.mdf.log" >&2; return 1; }
}

# _end - _text of the crashed kernel, or nothing
text_size() {
	local rel vml t e
	rel=$(dd if="$SRC" bs=1 skip=142 count=65 status=none | tr -d '\0')
	vml=${VMLINUX:-$HOME/.cache/ktriage/vmlinux-$rel}
	[ -r "$vml" ] || return 0
	read -r t e < <(nm "$vml" | awk '$3 == "_text" { t = $1 } $3 == "_end" { e = $1 }
		END { print t, e }')
	[ -n "$e" ] && echo $((16#$e - 16#$t))
}

build_dumpconv
mkdir -p "$OUT"
P=$OUT/$NAME
T0=$(now)
TEXT_SIZE=$(text_size)
[ -n "$TEXT_SIZE" ] || say "no vmlinux: kernel text PT_LOAD sized from page tables"

# shellcheck disable=SC2016 # expanded by the inner sh
make_one "$P.flat" "$SRC" -- \
	sh -c 'makedumpfile -F -c -d 31 "$1" > "$2" 2> "$3"' sh "$SRC" "$P.flat.tmp" "$OUT/.mdf.log"
make_one "$P.kdump-none" "$SRC" -- mdf -d 31 "$SRC" "$P.kdump-none.tmp"
make_one "$P.kdump-lzo" "$SRC" -- mdf -l -d 31 "$SRC" "$P.kdump-lzo.tmp"
make_one "$P.kdump-snappy" "$SRC" "$DUMPCONV" -- \
	"$DUMPCONV" kdump -c snappy "$SRC" "$P.kdump-snappy.tmp"
make_one "$P.kdump-zstd" "$SRC" "$DUMPCONV" -- \
	"$DUMPCONV" kdump -c zstd "$SRC" "$P.kdump-zstd.tmp"
# The default split block (1 GiB) is bigger than the guest's RAM, which
# would put every page into the first file; 1 MiB blocks balance the two.
if fresh "$P.kdump-split1" "$SRC" && fresh "$P.kdump-split2" "$SRC"; then
	say "$NAME.kdump-split1/2: up to date"
else
	t0=$(now)
	rm -f "$P.kdump-split1" "$P.kdump-split2" "$P.kdump-split1.tmp" "$P.kdump-split2.tmp"
	mdf --split --splitblock-size 1024 -c -d 31 "$SRC" "$P.kdump-split1.tmp" "$P.kdump-split2.tmp"
	mv "$P.kdump-split1.tmp" "$P.kdump-split1"
	mv "$P.kdump-split2.tmp" "$P.kdump-split2"
	say "$NAME.kdump-split1/2:" \
	    "$(du -ch --apparent-size "$P".kdump-split? | tail -1 | cut -f1) in $(since "$t0")"
fi
make_one "$P.elf" "$SRC" "$DUMPCONV" -- \
	"$DUMPCONV" elf ${TEXT_SIZE:+--text-size "$TEXT_SIZE"} "$SRC" "$P.elf.tmp"
make_one "$P.elf-noinfo" "$SRC" "$DUMPCONV" -- \
	"$DUMPCONV" elf --no-vmcoreinfo --phys-only "$SRC" "$P.elf-noinfo.tmp"
chmod 644 "$P".flat "$P".kdump-* "$P".elf*
rm -f "$OUT/.mdf.log"
say "$NAME: all formats in $OUT in $(since "$T0")"
