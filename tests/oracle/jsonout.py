# SPDX-License-Identifier: GPL-2.0-or-later
"""Diffable oracle JSON: sorted keys, indent 2, and each item of the long
lists written on one line. No drgn import: crash_kmem.py uses it too."""
import json
import re


def dumps_compact(out, keys):
    """JSON of @out with the items of the lists named in @keys one a line."""
    compact = []

    def mark(items):
        res = []
        for it in items:
            compact.append(json.dumps(it, sort_keys=True, ensure_ascii=True))
            res.append("\0F%d\0" % (len(compact) - 1))
        return res

    marked = dict(out, **{k: mark(out[k]) for k in keys})
    text = json.dumps(marked, indent=2, sort_keys=True, ensure_ascii=True)
    text = re.sub(r'"\\u0000F(\d+)\\u0000"', lambda m: compact[int(m.group(1))], text)
    return text + "\n"
