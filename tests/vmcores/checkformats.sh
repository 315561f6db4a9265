#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# checkformats.sh SRC.kdump OUTDIR [VMLINUX]
#
# Check every format mkformats.sh made from SRC.kdump:
#   pages  dumpconv digest: open the file(s) with libkdumpfile, read back every
#          page SRC holds, compare the digest with SRC's; also read
#          init_uts_ns.name.release through a kernel virtual address
#   drgn   drgn_facts.py (release, KASLR, crashed thread, printk) must print
#          what it prints for SRC (skipped without VMLINUX or drgn)
#   flat   makedumpfile -R must rebuild SRC byte for byte
# Results the tools are known not to support (drgn 0.0.22 and libkdumpfile
# 0.5.1 on the flattened format, drgn on a split set or without VMCOREINFO)
# are reported as "unsupported" and do not fail the check.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 2 ] || { echo "usage: $0 SRC.kdump OUTDIR [VMLINUX]" >&2; exit 2; }
SRC=$1 OUT=$2 VMLINUX=${3:-}
NAME=$(basename "$SRC" .kdump)
DUMPCONV=${KT_BUILD:-$HOME/.cache/ktriage/build}/dumpconv
P=$OUT/$NAME
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0

[ -x "$DUMPCONV" ] || { echo "run mkformats.sh first (no $DUMPCONV)" >&2; exit 2; }
if [ -n "$VMLINUX" ] && ! command -v drgn > /dev/null; then
	echo "drgn not found (apt-get install python3-drgn); skipping drgn checks" >&2
	VMLINUX=
fi

# report FORMAT CHECK RESULT [DETAIL]
report() {
	printf '%-14s %-6s %-12s %s\n' "$1" "$2" "$3" "${4:-}"
	[ "$3" = FAIL ] && fails=$((fails + 1))
	return 0
}

digest_of() { sed -n 's/.*digest=\([0-9a-f]*\).*/\1/p' <<< "$1"; }

# check_pages FORMAT EXPECT FILE...
check_pages() {
	local fmt=$1 expect=$2 out
	shift 2
	if ! out=$("$DUMPCONV" digest -r "$SRC" "$@" 2>&1); then
		if [ "$expect" = unsupported ]; then
			report "$fmt" pages unsupported "libkdumpfile: ${out##*: }"
		else
			report "$fmt" pages FAIL "$out"
		fi
	elif [ "$(digest_of "$out")" != "$(digest_of "$REF_DIGEST")" ]; then
		report "$fmt" pages FAIL "$out"
	else
		report "$fmt" pages ok "${out#format=}"
	fi
}

# check_drgn FORMAT EXPECT FILE
check_drgn() {
	local fmt=$1 expect=$2 err
	[ -n "$VMLINUX" ] || return 0
	if drgn -q -c "$3" -s "$VMLINUX" "$HERE/drgn_facts.py" > "$TMP/$fmt.drgn" 2>&1 &&
	   cmp -s "$TMP/src.drgn" "$TMP/$fmt.drgn"; then
		report "$fmt" drgn ok "$(sed -n 's/^crashed: //p' "$TMP/$fmt.drgn"), same printk, stack"
		return 0
	fi
	err=$(tail -1 "$TMP/$fmt.drgn")
	if [ "$expect" = unsupported ]; then
		report "$fmt" drgn unsupported "$err"
	else
		report "$fmt" drgn FAIL "$err"
	fi
}

REF_DIGEST=$("$DUMPCONV" digest "$SRC") || exit 1
report source pages ok "${REF_DIGEST#format=}"
if [ -n "$VMLINUX" ]; then
	drgn -q -c "$SRC" -s "$VMLINUX" "$HERE/drgn_facts.py" > "$TMP/src.drgn" 2>&1 ||
		{ cat "$TMP/src.drgn"; exit 1; }
	report source drgn ok "$(sed -n 's/^crashed: //p' "$TMP/src.drgn")"
fi

if makedumpfile -R "$TMP/rebuilt" < "$P.flat" > /dev/null 2>&1 && cmp -s "$TMP/rebuilt" "$SRC"; then
	report flat rebuild ok "makedumpfile -R gives SRC byte for byte"
else
	report flat rebuild FAIL "makedumpfile -R does not give SRC back"
fi
rm -f "$TMP/rebuilt"
check_pages flat unsupported "$P.flat"
check_drgn flat unsupported "$P.flat"
for fmt in kdump-none kdump-lzo kdump-snappy kdump-zstd elf; do
	check_pages "$fmt" ok "$P.$fmt"
	check_drgn "$fmt" ok "$P.$fmt"
done
check_pages split ok "$P.kdump-split1" "$P.kdump-split2"
out=$("$DUMPCONV" digest -r "$SRC" "$P.kdump-split1" 2>&1)
missing=$(grep -o 'missing=[0-9]*' <<< "$out")
if [ "${missing:-missing=0}" = missing=0 ]; then
	report split1-alone pages FAIL "the first file alone holds every page: not a real split"
else
	report split1-alone pages ok "$missing: the rest is in split2"
fi
report split drgn unsupported "drgn 0.0.22 opens one file only"
check_pages elf-noinfo ok "$P.elf-noinfo"
check_drgn elf-noinfo unsupported "$P.elf-noinfo"

[ "$fails" -eq 0 ] && echo "all checks passed" || echo "$fails check(s) FAILED"
[ "$fails" -eq 0 ]
