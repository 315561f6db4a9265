#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Compare the oracle's <dump>.log.txt with makedumpfile's <dump>.dmesg.txt.

The two differ by design in one way: a record whose text holds newlines is
written by facts.py as is (like dmesg(1) and drgn's get_dmesg()), while
makedumpfile --dump-dmesg indents every continuation line by the width of the
"[%5lu.%06lu] " prefix.  This script reports the raw difference and the
difference left once that indentation is removed; the latter should be none.
A makedumpfile that prints each record's caller id ("[    T123] " or
"[      C1] " after the timestamp: 1.7.3 and later, where the kernel's
printk_info has caller_id) is normalised too: the column is removed (the
kernel's console, like log.txt, has it only with CONFIG_PRINTK_CALLER) and
the continuation indent is the width of both prefixes.

Usage: compare_log.py OUR.log.txt MAKEDUMPFILE.dmesg.txt
Exit status: 0 when equal after normalising, 1 otherwise.
"""

import difflib
import re
import sys

PREFIX = re.compile(r"^(\[ *\d+\.\d{6}\] )(\[ *[TC]\d+\] )?")


def normalise_makedumpfile(lines):
    out = []
    indent = None
    for line in lines:
        m = PREFIX.match(line)
        if m:
            indent = " " * len(m.group(0))
            out.append(m.group(1) + line[m.end():])
        elif indent is not None and line.startswith(indent):
            out.append(line[len(indent):])
        else:
            out.append(line)
    return out


def main(ours_path, ref_path):
    with open(ours_path, encoding="ascii", errors="backslashreplace") as f:
        ours = f.read().splitlines()
    with open(ref_path, encoding="ascii", errors="backslashreplace") as f:
        ref = f.read().splitlines()
    raw = sum(1 for a, b in zip(ours, ref) if a != b) + abs(len(ours) - len(ref))
    norm_ref = normalise_makedumpfile(ref)
    callers = sum(1 for line in ref if (PREFIX.match(line) or [None, None, None])[2])
    diff = list(
        difflib.unified_diff(norm_ref, ours, "dmesg.txt (indent removed)", "log.txt", lineterm="", n=0)
    )
    print(
        "   log: %d lines, dmesg.txt: %d lines, raw differing lines: %d, "
        "after removing makedumpfile's continuation indent%s: %s"
        % (len(ours), len(ref), raw,
           " and caller-id column (%d lines)" % callers if callers else "",
           "identical" if not diff else "%d diff lines" % len(diff))
    )
    for line in diff[:40]:
        print("   " + line)
    return 0 if not diff else 1


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
