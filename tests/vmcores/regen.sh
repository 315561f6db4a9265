#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# regen.sh [stage ...]
#
# Regenerate ktriage's real crash-dump fixtures from Debian packages alone,
# for when ../shared/fixtures is not there: boots the Debian kernel under
# QEMU, crashes it in the six scenarios, keeps the in-guest kdump dumps and
# derives every other format (mkformats.sh).  Takes about 10 minutes for
# all six scenarios on 2 cores; see README.md.
#
# Everything goes to $FX (default ~/.cache/ktriage/vmcores), never into the
# repository:
#   $FX/fixtures/dumps/<scenario>.kdump, .dmesg.txt   as in ../shared/fixtures
#   $FX/fixtures/modules/{ktscen,nbd,null_blk}.ko
#   $FX/formats/<scenario>.<format>                    from mkformats.sh
#   ~/.cache/ktriage/vmlinux-6.1.0-56-cloud-amd64      vmlinux with DWARF
#
# Stages and environment (SCENARIOS, MODES, KEEP_RAW, VALIDATE, ...) are
# those of factory/build.sh, e.g.
#   SCENARIOS=sysrq-null ./regen.sh               one scenario
#   VALIDATE=1 ./regen.sh                         also crash/drgn transcripts
#   ./regen.sh formats                            only re-derive the formats
set -euo pipefail
exec "$(cd "$(dirname "$0")" && pwd)/factory/build.sh" "$@"
