#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Crash-dump fixture factory: boots a stock Debian kernel under QEMU/TCG,
# crashes it in six scenarios and keeps the REAL dumps the in-guest kdump
# kernel writes (plus the matching vmlinux with DWARF), using only Debian
# packages.  Then derives the other dump formats with ../mkformats.sh.
#
# Usage:  build.sh [stage ...]
#   stages (default: host fetch build initramfs dumps collect formats)
#     host       apt-get install what the factory needs
#     fetch      apt-get download + dpkg -x the kernel packages
#     build      ktscen.ko (out-of-tree module) and the nbdhang helper
#     initramfs  the guest's two initramfs images
#     dumps      boot and crash every scenario in every mode
#     collect    lay the kdump files out like ../shared/fixtures
#     formats    mkformats.sh on every collected dump
#     validate   crash/drgn transcripts + checkformats.sh (also VALIDATE=1)
#     summary    table of the validation results
# Env:
#   FX=~/.cache/ktriage/vmcores   where everything goes (never the repository)
#   SCENARIOS="sysrq-null hctx-fq hctx-fq-exit nbd-orphan-hung list-poison irq-lock"
#   MODES="kdump"                 kdump: in-guest kexec + makedumpfile (the fixtures)
#                                 qemu : QEMU dump-guest-memory over QMP (ELF, kdump)
#   KEEP_RAW=0                    1: also copy the unfiltered /proc/vmcore (400 MB)
#   VALIDATE=0                    1: append the validate and summary stages
#   CRASH806=                     path of a crash >= 8.0.6 binary for validate
set -euo pipefail
FACTORY=$(cd "$(dirname "$0")" && pwd)
VMCORES=$(dirname "$FACTORY")
FX=${FX:-$HOME/.cache/ktriage/vmcores}
KVER=6.1.0-56-cloud-amd64
KPKG=6.1.192-2
SCENARIOS=${SCENARIOS:-"sysrq-null hctx-fq hctx-fq-exit nbd-orphan-hung list-poison irq-lock"}
MODES=${MODES:-kdump}
KEEP_RAW=${KEEP_RAW:-0}
VALIDATE=${VALIDATE:-0}
CRASH806=${CRASH806:-}
KROOT=$FX/kroot
VMLINUX=$KROOT/usr/lib/debug/boot/vmlinux-$KVER
VMLINUZ=$KROOT/boot/vmlinuz-$KVER
BUILD=$FX/build
DUMPS=$FX/dumps
FIXTURES=$FX/fixtures
LOGS=$FX/logs
# the project's vmlinux cache (tests and mkformats.sh look here)
KT_CACHE=$HOME/.cache/ktriage
mkdir -p "$FX" "$BUILD" "$DUMPS" "$LOGS"
export DEBIAN_FRONTEND=noninteractive
ts() { date +%s; }
say() { echo "[build $(date +%T)] $*"; }

# Guest kernel command line. KASLR stays ON (no nokaslr), as Debian ships it.
CMDLINE_BASE="console=ttyS0,115200 panic=0 oops=panic sysrq_always_enabled softlockup_panic=1"
CMDLINE_BASE+=" watchdog_thresh=5 softlockup_all_cpu_backtrace=1 crashkernel=160M"

stage_host() {
	say "host packages"
	apt-get install -y --no-install-recommends \
		qemu-system-x86 qemu-utils kexec-tools makedumpfile busybox-static kmod \
		cpio e2fsprogs gcc-12 gcc make libc6-dev binutils pkg-config \
		libkdumpfile-dev zlib1g-dev liblzo2-dev libsnappy-dev libzstd-dev \
		> "$LOGS/apt-host.log" 2>&1
	if [ "$VALIDATE" = 1 ]; then
		apt-get install -y --no-install-recommends crash python3-drgn \
			>> "$LOGS/apt-host.log" 2>&1
	fi
}

stage_fetch() {
	local pkgs=() p d v kbuild
	say "kernel packages $KVER ($KPKG)"
	mkdir -p "$FX/debs" && cd "$FX/debs"
	# linux-kbuild-6.1 (modpost, fixdep) serves every 6.1 ABI, and the
	# archive keeps only its newest build: take that when $KPKG's is gone.
	kbuild=$KPKG
	apt-cache madison linux-kbuild-6.1 | grep -q " $KPKG " ||
		kbuild=$(apt-cache policy linux-kbuild-6.1 | awk '/Candidate:/ {print $2}')
	for p in "linux-image-$KVER" "linux-image-$KVER-dbg" "linux-headers-$KVER" \
		 linux-headers-6.1.0-56-common linux-kbuild-6.1; do
		v=$KPKG
		[ "$p" = linux-kbuild-6.1 ] && v=$kbuild
		# reuse a .deb already downloaded (e.g. the -dbg one in $KT_CACHE)
		if ! ls "${p}_${v}_"*.deb > /dev/null 2>&1; then
			for d in "$KT_CACHE/${p}_${v}_"*.deb; do
				[ -e "$d" ] && ln -f "$d" . 2> /dev/null || cp "$d" . 2> /dev/null || true
			done
		fi
		ls "${p}_${v}_"*.deb > /dev/null 2>&1 || pkgs+=("$p=$v")
	done
	[ ${#pkgs[@]} -eq 0 ] || apt-get download "${pkgs[@]}" > "$LOGS/download.log" 2>&1
	rm -rf "$KROOT" && mkdir -p "$KROOT"
	for d in "$FX"/debs/linux-*"$KPKG"*.deb "$FX/debs/linux-kbuild-6.1_${kbuild}_"*.deb; do
		dpkg -x "$d" "$KROOT"
	done
	depmod -b "$KROOT" "$KVER"
	# headers: point the arch Makefile at the extracted common tree
	sed -i "s#^include /usr/src/#include $KROOT/usr/src/#" \
		"$KROOT/usr/src/linux-headers-$KVER/Makefile"
}

stage_build() {
	say "building ktscen.ko and nbdhang"
	rm -rf "$BUILD/ktscen" && mkdir -p "$BUILD/ktscen" "$BUILD/helpers"
	cp "$FACTORY/src/ktscen.c" "$FACTORY/src/Kbuild" "$BUILD/ktscen/"
	make -C "$KROOT/usr/src/linux-headers-$KVER" M="$BUILD/ktscen" modules \
		> "$LOGS/ktscen-build.log" 2>&1
	cp "$BUILD/ktscen/ktscen.ko" "$BUILD/helpers/"
	gcc -static -O2 -Wall -o "$BUILD/helpers/nbdhang" "$FACTORY/src/nbdhang.c"
}

stage_initramfs() {
	say "initramfs"
	"$FACTORY/mkinitramfs.sh" "$KROOT" "$BUILD/helpers" "$FX/initramfs" > "$LOGS/initramfs.log" 2>&1
}

# run one scenario in one mode
run_one() {
	local scen=$1 mode=$2 d=$DUMPS/$1 t0 f
	mkdir -p "$d"
	t0=$(ts)
	if [ "$mode" = kdump ]; then
		rm -f "$d/dumpdisk.img"
		truncate -s 1536M "$d/dumpdisk.img"
		mkfs.ext4 -q -F -L ktdump "$d/dumpdisk.img"
		/usr/bin/python3 "$FACTORY/qemu_run.py" --mode kdump \
			--kernel "$VMLINUZ" --initrd "$FX/initramfs/primary.cpio.gz" \
			--append "$CMDLINE_BASE ktscen=$scen ktmode=kdump ktraw=$KEEP_RAW" \
			--disk "$d/dumpdisk.img" --serial "$d/serial-kdump.log" \
			--timeout 900 > "$d/run-kdump.log" 2>&1 || say "$scen/kdump: runner rc=$?"
		# debugfs pulls the files out without mounting the image
		for f in vmcore.kdump vmcore.kdump-lzo vmcore.elf-d31 vmcore.elf vmcore-dmesg.txt; do
			rm -f "$d/$scen.$f"
			debugfs -R "dump /$f $d/$scen.$f" "$d/dumpdisk.img" > /dev/null 2>&1 || true
			[ -s "$d/$scen.$f" ] || rm -f "$d/$scen.$f"
		done
		rm -f "$d/dumpdisk.img"
		[ -s "$d/$scen.vmcore.kdump" ] || say "$scen/kdump: NO DUMP (see $d/serial-kdump.log)"
	else
		rm -f "$d/$scen".qemu-*
		/usr/bin/python3 "$FACTORY/qemu_run.py" --mode qemu --paging \
			--kernel "$VMLINUZ" --initrd "$FX/initramfs/primary.cpio.gz" \
			--append "$CMDLINE_BASE ktscen=$scen ktmode=qemu" \
			--serial "$d/serial-qemu.log" --out "$d/$scen" \
			--timeout 600 > "$d/run-qemu.log" 2>&1 || say "$scen/qemu: runner rc=$?"
		# QEMU writes kdump formats in makedumpfile's *flattened* layout;
		# rebuild a seekable kdump-compressed file as well
		if [ -s "$d/$scen.qemu-kdump" ]; then
			mv "$d/$scen.qemu-kdump" "$d/$scen.qemu-kdump-flat"
			makedumpfile -R "$d/$scen.qemu-kdump" < "$d/$scen.qemu-kdump-flat" > /dev/null 2>&1 || true
		fi
		chmod 644 "$d/$scen".qemu-* 2> /dev/null || true
	fi
	echo "$scen $mode $(( $(ts) - t0 ))s" >> "$LOGS/timings.txt"
	say "$scen/$mode done in $(( $(ts) - t0 ))s"
}

stage_dumps() {
	local s m
	for s in $SCENARIOS; do
		for m in $MODES; do
			run_one "$s" "$m"
		done
	done
}

# the layout of ../shared/fixtures: dumps/<scenario>.kdump + .dmesg.txt,
# modules/*.ko; the vmlinux goes to the project's cache
stage_collect() {
	local s d m
	say "collecting into $FIXTURES"
	mkdir -p "$FIXTURES/dumps" "$FIXTURES/modules" "$KT_CACHE"
	for s in $SCENARIOS; do
		d=$DUMPS/$s
		[ -s "$d/$s.vmcore.kdump" ] || continue
		cp "$d/$s.vmcore.kdump" "$FIXTURES/dumps/$s.kdump"
		[ -s "$d/$s.vmcore-dmesg.txt" ] && cp "$d/$s.vmcore-dmesg.txt" "$FIXTURES/dumps/$s.dmesg.txt"
		[ "$s" = sysrq-null ] && [ -s "$d/$s.vmcore.kdump-lzo" ] &&
			cp "$d/$s.vmcore.kdump-lzo" "$FIXTURES/dumps/$s.kdump-lzo"
	done
	cp "$BUILD/helpers/ktscen.ko" "$FIXTURES/modules/"
	for m in drivers/block/nbd.ko drivers/block/null_blk/null_blk.ko; do
		cp "$KROOT/usr/lib/debug/lib/modules/$KVER/kernel/$m" "$FIXTURES/modules/"
	done
	if [ ! -s "$KT_CACHE/vmlinux-$KVER" ]; then
		ln -f "$VMLINUX" "$KT_CACHE/vmlinux-$KVER" 2> /dev/null ||
			cp "$VMLINUX" "$KT_CACHE/vmlinux-$KVER"
	fi
	ls -l "$FIXTURES/dumps"
}

stage_formats() {
	local k
	for k in "$FIXTURES"/dumps/*.kdump; do
		[ -e "$k" ] || continue
		VMLINUX=$KT_CACHE/vmlinux-$KVER "$VMCORES/mkformats.sh" "$k" "$FX/formats"
	done
}

stage_validate() {
	local s k
	say "validating with crash/drgn"
	for s in $SCENARIOS; do
		/usr/bin/python3 "$FACTORY/validate.py" --scenario "$s" --dir "$DUMPS/$s" \
			--vmlinux "$VMLINUX" --kroot "$KROOT" --ktscen "$BUILD/helpers/ktscen.ko" \
			${CRASH806:+--crash806 "$CRASH806"} --factory "$FACTORY" ||
			say "validate $s failed"
		k=$FIXTURES/dumps/$s.kdump
		[ -s "$k" ] && [ -s "$FX/formats/$s.elf" ] &&
			{ "$VMCORES/checkformats.sh" "$k" "$FX/formats" "$VMLINUX" ||
			  say "checkformats $s failed"; }
	done
}

stage_summary() {
	/usr/bin/python3 "$FACTORY/validate.py" --summary --dumps "$DUMPS" \
		--vmlinux "$VMLINUX" > "$DUMPS/SUMMARY.txt"
	cat "$DUMPS/SUMMARY.txt"
}

STAGES=${*:-"host fetch build initramfs dumps collect formats"}
[ "$VALIDATE" = 1 ] && [ $# -eq 0 ] && STAGES="$STAGES validate summary"
for st in $STAGES; do
	t0=$(ts)
	"stage_$st"
	echo "stage $st $(( $(ts) - t0 ))s" >> "$LOGS/timings.txt"
	say "stage $st: $(( $(ts) - t0 ))s"
done
