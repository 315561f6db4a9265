#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Crash-dump fixture factory: boots a stock Debian kernel under QEMU/TCG,
# crashes it in every scenario and keeps the REAL dumps the in-guest kdump
# kernel writes (plus the matching vmlinux with DWARF), using only Debian
# packages.  Then derives the other dump formats with ../mkformats.sh.
#
# Usage:  build.sh [stage ...]
#   stages (default: host fetch build initramfs dumps collect formats)
#     host       apt-get install what the factory needs
#     fetch      apt-get download + dpkg -x the kernel packages
#     build      the scenario modules ($MODS, out of tree) and the
#                nbdhang and manytasks helpers
#     initramfs  the guest's two initramfs images
#     dumps      boot and crash every scenario in every mode
#     collect    lay the kdump files out like ../shared/fixtures
#     formats    mkformats.sh on every collected dump
#     facts      the oracles' facts (tests/oracle) into $FX/expected
#     validate   crash/drgn transcripts + checkformats.sh (also VALIDATE=1)
#     summary    table of the validation results
# Env:
#   FX=~/.cache/ktriage/kernels/$KERNEL   where everything goes (never the repository)
#   SCENARIOS="sysrq-null hctx-fq hctx-fq-exit nbd-orphan-hung list-poison irq-lock
#              list-double-del list-neighbour stale-ref lock-chain rcu-stall
#              warn div0 nx stack-overflow kyber-ctx wait-kinds list-garbage"
#             the scale scenarios only when named: many-tasks (1 GiB, 2 vCPUs,
#             2,000 threads), big-machine (8 GiB, 4 vCPUs, 10,000 threads,
#             also a level-1 dump: about an hour)
#   MODES="kdump"                 kdump: in-guest kexec + makedumpfile (the fixtures)
#                                 qemu : QEMU dump-guest-memory over QMP (ELF, kdump)
#   KEEP_RAW=0                    1: also copy the unfiltered /proc/vmcore (400 MB)
#   VALIDATE=0                    1: append the validate and summary stages
#   CRASH806=                     path of a crash >= 8.0.6 binary for validate
# The whole script is one block, read before it runs: editing it while a
# long run goes on does not change that run.
{
set -euo pipefail
FACTORY=$(cd "$(dirname "$0")" && pwd)
VMCORES=$(dirname "$FACTORY")
KERNEL=${KERNEL:-6.1}
# the kernel's row of kernels.tsv
read -r _ KVER KPKG KSUITE KMDF KBUILD KFALLBACK KLEVEL < <(
	awk -v k="$KERNEL" '$1 == k' "$FACTORY/kernels.tsv") || true
if [ -z "${KVER:-}" ]; then
	echo "build.sh: no kernel '$KERNEL' in kernels.tsv; known:" \
		"$(awk '!/^#/ {printf "%s ", $1}' "$FACTORY/kernels.tsv")" >&2
	exit 2
fi
# the project's cache (tests, fetch-vmlinux.sh and mkformats.sh look here)
KT_CACHE=${KTRIAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ktriage}
FX=${FX:-$KT_CACHE/kernels/$KERNEL}
# the first six: every oracle's facts; the others: the analyzers' (findings)
BASE_SCENARIOS="sysrq-null hctx-fq hctx-fq-exit nbd-orphan-hung list-poison irq-lock"
FINDING_SCENARIOS="list-double-del list-neighbour stale-ref lock-chain rcu-stall warn div0 nx stack-overflow kyber-ctx wait-kinds list-garbage"
# the scale scenarios, made only when named: many-tasks (2,000 threads in
# 1 GiB, for the tests) and big-machine (10,000 threads, millions of slab
# objects and GBs of page cache in 8 GiB, for bench/scale.py)
SCALE_SCENARIOS="many-tasks big-machine"
SCENARIOS=${SCENARIOS:-"$BASE_SCENARIOS $FINDING_SCENARIOS"}
# the scenario modules (src/*.c, src/Kbuild)
MODS="ktscen ktblk ktwait ktlist ktscale"
MODES=${MODES:-kdump}
KEEP_RAW=${KEEP_RAW:-0}
VALIDATE=${VALIDATE:-0}
CRASH806=${CRASH806:-}
KROOT=$FX/kroot
BUILD=$FX/build
DUMPS=$FX/dumps
FIXTURES=$FX/fixtures
LOGS=$FX/logs
mkdir -p "$FX" "$BUILD" "$DUMPS" "$LOGS"
export DEBIAN_FRONTEND=noninteractive
ts() { date +%s; }
say() { echo "[build $KERNEL $(date +%T)] $*"; }
# the release and version actually used (a fallback may change them)
[ -s "$FX/release" ] && read -r KVER KPKG < "$FX/release"
VMLINUX=$KROOT/usr/lib/debug/boot/vmlinux-$KVER
VMLINUZ=$KROOT/boot/vmlinuz-$KVER

# Guest kernel command line. KASLR stays ON (no nokaslr), as Debian ships it.
CMDLINE_BASE="console=ttyS0,115200 panic=0 oops=panic sysrq_always_enabled softlockup_panic=1"
CMDLINE_BASE+=" watchdog_thresh=5 softlockup_all_cpu_backtrace=1 crashkernel=160M"

# the Debian mirror this machine's apt uses (comments left out)
debian_mirror() {
	local m
	m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2> /dev/null |
		grep -v '^[[:space:]]*#' | grep -oE 'https?://[^ ]+/debian/?( |$)' |
		grep -v security | head -n 1 | tr -d ' ') || true
	m=${m%/}
	echo "${m:-http://deb.debian.org/debian}"
}

# apt for another suite than the machine's own: its own lists under the
# cache, the machine's Debian mirror
APT_O=()
apt_for() {	# suite
	APT_O=()
	[ "$1" = system ] && return 0
	local dir=$KT_CACHE/apt/$1 mirror sec
	mirror=$(debian_mirror)
	sec=${mirror%/debian}/debian-security
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	case $1 in
	sid|unstable|experimental)
		echo "deb $mirror $1 main" > "$dir/sources.list";;
	*)	{ echo "deb $mirror $1 main"
		  echo "deb $sec $1-security main"; } > "$dir/sources.list";;
	esac
	APT_O=(-o "Dir::Etc::sourcelist=$dir/sources.list"
	       -o Dir::Etc::sourceparts=/nonexistent
	       -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache")
	# refresh the lists once a day
	if [ -z "$(find "$dir/lists" -maxdepth 1 -name '*Packages*' -mtime -1 2> /dev/null)" ]; then
		apt-get "${APT_O[@]}" update > "$LOGS/apt-$1.log" 2>&1 ||
			{ say "apt-get update for $1 failed:"; tail -5 "$LOGS/apt-$1.log"; return 1; }
	fi
}

# the version of package $1 the archive has: $2 when it has it, else its
# candidate
pkg_version() {
	if apt-cache "${APT_O[@]}" madison "$1" 2> /dev/null | awk '{print $3}' | grep -qxF "$2"; then
		echo "$2"
	else
		apt-cache "${APT_O[@]}" policy "$1" 2> /dev/null | awk '/Candidate:/ {print $2}'
	fi
}

# the packages named in $1's Depends that match the regex $2
pkg_deps() {
	apt-cache "${APT_O[@]}" show "$1" 2> /dev/null | sed -n 's/^Depends: //p' | head -n 1 |
		tr ',|' '\n\n' | sed 's/^ *//; s/[ (].*//' | grep -E "$2" || true
}

# download package=version pairs into $FX/debs, reusing what is there
download() {
	local want=() pv p v d
	mkdir -p "$FX/debs"
	for pv in "$@"; do
		p=${pv%%=*} v=${pv#*=}
		v=${v#*:}	# no epoch in file names
		# apt writes an epoch as %3a
		if ! ls "$FX/debs/${p}_"*"${v}_"*.deb > /dev/null 2>&1; then
			for d in "$KT_CACHE/${p}_"*"${v}_"*.deb; do
				[ -e "$d" ] && { ln -f "$d" "$FX/debs/" 2> /dev/null || cp "$d" "$FX/debs/"; }
			done
		fi
		ls "$FX/debs/${p}_"*"${v}_"*.deb > /dev/null 2>&1 || want+=("$pv")
	done
	[ ${#want[@]} -eq 0 ] && return 0
	say "downloading ${want[*]}"
	(cd "$FX/debs" && apt-get "${APT_O[@]}" download "${want[@]}") >> "$LOGS/download.log" 2>&1 ||
		{ say "apt-get download failed:"; tail -5 "$LOGS/download.log"; return 1; }
}

stage_host() {
	say "host packages"
	# another apt (unattended upgrades, a second build) may hold the lock
	# for a while: wait for it
	apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends \
		qemu-system-x86 qemu-utils kexec-tools makedumpfile busybox-static kmod \
		cpio e2fsprogs gcc-12 gcc make libc6-dev binutils pkg-config xz-utils \
		libkdumpfile-dev zlib1g-dev liblzo2-dev libsnappy-dev libzstd-dev \
		> "$LOGS/apt-host.log" 2>&1
	[ "$KBUILD" = host ] || apt-get -o DPkg::Lock::Timeout=600 install -y \
		--no-install-recommends debootstrap \
		>> "$LOGS/apt-host.log" 2>&1
	if [ "$VALIDATE" = 1 ]; then
		apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends \
			crash python3-drgn \
			>> "$LOGS/apt-host.log" 2>&1
	fi
}

stage_fetch() {
	local pkgs=() p v d img flavour
	apt_for "$KSUITE"
	img=linux-image-$KVER
	# the machine's own lists may be stale or empty on a new machine
	[ "$KSUITE" = system ] && ! apt-cache madison "$img-dbg" 2> /dev/null | grep -q . &&
		apt-get update -qq > "$LOGS/apt-update.log" 2>&1
	if ! apt-cache "${APT_O[@]}" madison "$img-dbg" 2> /dev/null | awk '{print $3}' | grep -qxF "$KPKG"; then
		[ "$KFALLBACK" = newest ] || { say "$img-dbg $KPKG is not in $KSUITE"; return 1; }
		flavour=${KVER#*+*-}	# 7.2.13+deb14-cloud-amd64 -> cloud-amd64
		flavour=${flavour#[0-9]*-[0-9]*-}
		img=$(apt-cache "${APT_O[@]}" search --names-only "^linux-image-[0-9].*-$flavour-dbg\$" |
			awk '{print $1}' | sort -V | tail -n 1)
		[ -n "$img" ] || { say "no linux-image-*-$flavour-dbg in $KSUITE"; return 1; }
		img=${img%-dbg}
		KVER=${img#linux-image-}
		KPKG=$(pkg_version "$img-dbg" none)
		say "pinned $KERNEL kernel gone from $KSUITE: taking $KVER ($KPKG)"
	fi
	echo "$KVER $KPKG" > "$FX/release"
	VMLINUX=$KROOT/usr/lib/debug/boot/vmlinux-$KVER
	VMLINUZ=$KROOT/boot/vmlinuz-$KVER
	if [ "${FORCE:-0}" != 1 ] && [ -s "$KROOT/.fetched" ] &&
	   [ "$(cat "$KROOT/.fetched")" = "$KVER $KPKG $KMDF $KBUILD" ]; then
		say "kernel packages $KVER ($KPKG) already unpacked"
		cache_vmlinux
		return
	fi
	say "kernel packages $KVER ($KPKG) from $KSUITE"
	pkgs=("$img-dbg=$KPKG" "linux-headers-$KVER=$KPKG")
	# the image, or (7.x) the packages a meta image depends on
	p=$(pkg_deps "$img" "^linux-(binary|modules)-$(printf '%s' "$KVER" | sed 's/[.+]/\\&/g')\$")
	if [ -n "$p" ]; then
		for d in $p; do pkgs+=("$d=$KPKG"); done
	else
		pkgs+=("$img=$KPKG")
	fi
	# the headers' common tree and kbuild tools, at the version there is
	for p in $(pkg_deps "linux-headers-$KVER" '^linux-(headers-.*-common|kbuild-)'); do
		pkgs+=("$p=$(pkg_version "$p" "$KPKG")")
	done
	download "${pkgs[@]}"
	rm -rf "$KROOT" && mkdir -p "$KROOT"
	for pv in "${pkgs[@]}"; do
		p=${pv%%=*} v=${pv#*=}
		dpkg -x "$(ls "$FX/debs/${p}_"*"${v#*:}_"*.deb | head -n 1)" "$KROOT"
	done
	# 7.x packages install below /usr only (modules and vmlinuz in
	# /usr/lib/modules/RELEASE): give them the classic paths too
	if [ ! -d "$KROOT/lib/modules" ] && [ -d "$KROOT/usr/lib/modules" ]; then
		ln -s usr/lib "$KROOT/lib"
	fi
	if [ ! -e "$VMLINUZ" ] && [ -e "$KROOT/lib/modules/$KVER/vmlinuz" ]; then
		mkdir -p "$KROOT/boot"
		ln -s "../lib/modules/$KVER/vmlinuz" "$VMLINUZ"
	fi
	depmod -b "$KROOT" "$KVER"
	# headers: point the arch Makefile at the extracted common tree
	sed -i -e "s#^include /usr/src/#include $KROOT/usr/src/#" \
		-e "s#^KBUILD_OUTPUT=/usr/src/#KBUILD_OUTPUT=$KROOT/usr/src/#" \
		"$KROOT/usr/src/linux-headers-$KVER/Makefile"
	[ "$KMDF" = host ] || fetch_mdf "$KMDF"
	[ "$KBUILD" = host ] || make_buildroot "$KBUILD"
	cache_vmlinux
	echo "$KVER $KPKG $KMDF $KBUILD" > "$KROOT/.fetched"
}

# the vmlinux with DWARF, in the project's cache (7.x -dbg packages make
# boot/vmlinux-RELEASE a relative symlink: link the file it names)
cache_vmlinux() {
	local src
	src=$(readlink -f "$VMLINUX")
	mkdir -p "$KT_CACHE"
	[ -s "$KT_CACHE/vmlinux-$KVER" ] && return
	rm -f "$KT_CACHE/vmlinux-$KVER"
	ln -f "$src" "$KT_CACHE/vmlinux-$KVER" 2> /dev/null ||
		cp "$src" "$KT_CACHE/vmlinux-$KVER"
}

# makedumpfile of another suite, with the libraries it links, unpacked in
# $FX/mdf-root for the capture initramfs
fetch_mdf() {
	local suite=$1 pkgs=() p q
	apt_for "$suite"
	say "makedumpfile of $suite"
	for p in makedumpfile $(pkg_deps makedumpfile '^(lib|zlib)'); do
		pkgs+=("$p")
		for q in $(pkg_deps "$p" '^(lib|zlib)'); do pkgs+=("$q"); done
	done
	pkgs=($(printf '%s\n' "${pkgs[@]}" | sort -u))
	local pv=()
	for p in "${pkgs[@]}"; do pv+=("$p=$(pkg_version "$p" none)"); done
	download "${pv[@]}"
	rm -rf "$FX/mdf-root" && mkdir -p "$FX/mdf-root"
	for p in "${pv[@]}"; do
		dpkg -x "$(ls "$FX/debs/${p%%=*}_"*.deb | head -n 1)" "$FX/mdf-root"
	done
	"$(ls "$FX"/mdf-root/{usr/,}lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 2> /dev/null |
		head -n 1)" --library-path \
		"$FX/mdf-root/usr/lib/x86_64-linux-gnu:$FX/mdf-root/lib/x86_64-linux-gnu" \
		"$(ls "$FX"/mdf-root/usr/{s,}bin/makedumpfile 2> /dev/null | head -n 1)" -v 2>&1 |
		head -n 1 || true
	apt_for "$KSUITE"
}

# a minimal root of $1 to compile the module in, with the kernel headers
# installed: for kernels whose kbuild tools need a newer libc than the host's
make_buildroot() {
	local suite=$1 root=$KT_CACHE/buildroot/$1 mirror
	mirror=$(debian_mirror)
	if [ ! -x "$root/usr/bin/make" ]; then
		say "debootstrap $suite into $root (a few minutes, once)"
		rm -rf "$root"
		debootstrap --variant=minbase --include=make,libc6-dev,xz-utils \
			"$suite" "$root" "$mirror" > "$LOGS/debootstrap.log" 2>&1 ||
			{ tail -5 "$LOGS/debootstrap.log"; return 1; }
	fi
	mount --bind /proc "$root/proc" 2> /dev/null || true
	chroot "$root" apt-get update > "$LOGS/buildroot-apt.log" 2>&1 || true
	chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y \
		--no-install-recommends "linux-headers-$KVER=$KPKG" >> "$LOGS/buildroot-apt.log" 2>&1 ||
		{ umount "$root/proc" 2> /dev/null; tail -5 "$LOGS/buildroot-apt.log"; return 1; }
	umount "$root/proc" 2> /dev/null || true
}

stage_build() {
	local cc=gcc-12 want root=$KT_CACHE/buildroot/$KBUILD m
	say "building $MODS (modules), nbdhang and manytasks"
	rm -rf "$BUILD/ktscen" && mkdir -p "$BUILD/ktscen" "$BUILD/helpers"
	for m in $MODS; do cp "$FACTORY/src/$m.c" "$BUILD/ktscen/"; done
	cp "$FACTORY/src/Kbuild" "$BUILD/ktscen/"
	# no module BTF (it needs pahole, and nothing reads it here)
	if [ "$KBUILD" = host ]; then
		# the compiler the kernel was built with, when the host has it
		want=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="[a-z0-9_-]*\(gcc-[0-9]*\) .*/\1/p' \
			"$KROOT/usr/src/linux-headers-$KVER/.config" 2> /dev/null | head -n 1)
		[ -n "$want" ] && command -v "$want" > /dev/null && cc=$want
		# the same .ko wherever $FX is (its paths are in its DWARF and
		# in WARN()'s file names): a cached dump stays paired with it
		make -C "$KROOT/usr/src/linux-headers-$KVER" M="$BUILD/ktscen" CC="$cc" \
			KCFLAGS="-ffile-prefix-map=$BUILD/ktscen/=" \
			CONFIG_DEBUG_INFO_BTF_MODULES= modules > "$LOGS/ktscen-build.log" 2>&1 ||
			{ tail -20 "$LOGS/ktscen-build.log"; return 1; }
	else
		rm -rf "$root/tmp/ktscen" && cp -r "$BUILD/ktscen" "$root/tmp/ktscen"
		# objtool reads its stack limit from /proc
		mount --bind /proc "$root/proc" 2> /dev/null || true
		chroot "$root" make -C "/usr/src/linux-headers-$KVER" M=/tmp/ktscen \
			CONFIG_DEBUG_INFO_BTF_MODULES= modules > "$LOGS/ktscen-build.log" 2>&1 ||
			{ umount "$root/proc" 2> /dev/null; tail -20 "$LOGS/ktscen-build.log"; return 1; }
		umount "$root/proc" 2> /dev/null || true
		for m in $MODS; do cp "$root/tmp/ktscen/$m.ko" "$BUILD/ktscen/"; done
	fi
	for m in $MODS; do cp "$BUILD/ktscen/$m.ko" "$BUILD/helpers/"; done
	gcc -static -O2 -Wall -o "$BUILD/helpers/nbdhang" "$FACTORY/src/nbdhang.c"
	gcc -static -O2 -Wall -pthread -o "$BUILD/helpers/manytasks" "$FACTORY/src/manytasks.c"
}

stage_initramfs() {
	say "initramfs"
	local mdf=
	[ "$KMDF" = host ] || mdf=$FX/mdf-root
	MDF_ROOT=$mdf "$FACTORY/mkinitramfs.sh" "$KROOT" "$BUILD/helpers" "$FX/initramfs" \
		> "$LOGS/initramfs.log" 2>&1 || { tail -20 "$LOGS/initramfs.log"; return 1; }
}

# the scenario module a scenario loads (guest/init)
scen_module() {
	case $1 in
	kyber-*) echo ktblk ;;
	wait-*) echo ktwait ;;
	list-garbage) echo ktlist ;;
	many-tasks|big-machine) echo ktscale ;;
	*) echo ktscen ;;
	esac
}

# the guest a scenario runs on: memory, CPUs, dump disk, minutes allowed,
# and (ktscan=1) a second dump at level 1 (makedumpfile -l -d 1)
scen_machine() {
	case $1 in
	many-tasks) echo 1G 2 2G 20 0 ;;
	big-machine) echo 8G 4 16G 150 1 ;;
	*) echo 512M 2 1536M 15 0 ;;
	esac
}

# run one scenario in one mode
run_one() {
	local scen=$1 mode=$2 d=$DUMPS/$1 t0 f extra=0 ko try rc
	local mem smp disk mins scan
	ko=$(scen_module "$scen")
	read -r mem smp disk mins scan < <(scen_machine "$scen")
	# a dump already made at this dump level, with this very scenario
	# module (its debuginfo must be the one the dump ran), is kept
	# (FORCE=1 makes it again)
	if [ "${FORCE:-0}" != 1 ]; then
		[ "$mode" = kdump ] && [ -s "$d/$scen.vmcore.kdump" ] &&
			[ "$(cat "$d/level" 2> /dev/null || echo 31)" = "${KLEVEL:-31}" ] &&
			cmp -s "$d/$ko-kdump.ko" "$BUILD/helpers/$ko.ko" &&
			{ [ "$ko" != ktscale ] ||
			  cmp -s "$d/manytasks-kdump" "$BUILD/helpers/manytasks"; } &&
			return 0
		[ "$mode" = qemu ] && [ -s "$d/$scen.qemu-kdump-flat" ] &&
			cmp -s "$d/$ko-qemu.ko" "$BUILD/helpers/$ko.ko" &&
			return 0
	fi
	# makedumpfile's other formats (lzo, ELF) of one scenario, for the
	# format tests
	[ "$scen" = sysrq-null ] && extra=1
	mkdir -p "$d"
	t0=$(ts)
	if [ "$mode" = kdump ]; then
		# a boot that fails before the scenario (rc 3) is booted again
		for try in 1 2 3; do
			rm -f "$d/dumpdisk.img"
			truncate -s "$disk" "$d/dumpdisk.img"
			mkfs.ext4 -q -F -L ktdump "$d/dumpdisk.img"
			rc=0
			/usr/bin/python3 "$FACTORY/qemu_run.py" --mode kdump \
				--kernel "$VMLINUZ" --initrd "$FX/initramfs/primary.cpio.gz" \
				--append "$CMDLINE_BASE ktscen=$scen ktmode=kdump ktraw=$KEEP_RAW ktextra=$extra ktscan=$scan ktdl=${KLEVEL:-31}" \
				--disk "$d/dumpdisk.img" --serial "$d/serial-kdump.log" \
				--mem "$mem" --smp "$smp" \
				--timeout $((mins * 60)) > "$d/run-kdump.log" 2>&1 || rc=$?
			[ $rc = 3 ] || break
			# its console kept for a look at why
			mv "$d/serial-kdump.log" "$d/serial-kdump.failed-boot-$try.log"
			say "$scen/kdump: the guest failed to boot (boot $try: $(grep -m1 'BOOT FAILED' "$d/run-kdump.log"); see $d/serial-kdump.failed-boot-$try.log); again"
		done
		[ $rc = 0 ] || say "$scen/kdump: runner rc=$rc"
		# debugfs pulls the files out without mounting the image
		for f in vmcore.kdump vmcore.kdump-lzo vmcore.kdump-d1 vmcore.elf-d31 vmcore.elf vmcore-dmesg.txt; do
			rm -f "$d/$scen.$f"
			debugfs -R "dump /$f $d/$scen.$f" "$d/dumpdisk.img" > /dev/null 2>&1 || true
			[ -s "$d/$scen.$f" ] || rm -f "$d/$scen.$f"
		done
		rm -f "$d/dumpdisk.img"
		[ -s "$d/$scen.vmcore.kdump" ] || say "$scen/kdump: NO DUMP (see $d/serial-kdump.log)"
		echo "${KLEVEL:-31}" > "$d/level"
		cp "$BUILD/helpers/$ko.ko" "$d/$ko-kdump.ko"
		cp "$BUILD/helpers/manytasks" "$d/manytasks-kdump"
	else
		rm -f "$d/$scen".qemu-*
		/usr/bin/python3 "$FACTORY/qemu_run.py" --mode qemu --paging \
			--kernel "$VMLINUZ" --initrd "$FX/initramfs/primary.cpio.gz" \
			--append "$CMDLINE_BASE ktscen=$scen ktmode=qemu" \
			--serial "$d/serial-qemu.log" --out "$d/$scen" --mem "$mem" --smp "$smp" \
			--timeout 600 > "$d/run-qemu.log" 2>&1 || say "$scen/qemu: runner rc=$?"
		# QEMU writes kdump formats in makedumpfile's *flattened* layout;
		# rebuild a seekable kdump-compressed file as well
		if [ -s "$d/$scen.qemu-kdump" ]; then
			mv "$d/$scen.qemu-kdump" "$d/$scen.qemu-kdump-flat"
			makedumpfile -R "$d/$scen.qemu-kdump" < "$d/$scen.qemu-kdump-flat" > /dev/null 2>&1 || true
		fi
		chmod 644 "$d/$scen".qemu-* 2> /dev/null || true
		cp "$BUILD/helpers/$ko.ko" "$d/$ko-qemu.ko"
	fi
	echo "$scen $mode $(( $(ts) - t0 ))s" >> "$LOGS/timings.txt"
	say "$scen/$mode done in $(( $(ts) - t0 ))s"
}

stage_dumps() {
	local s m missing=
	for s in $SCENARIOS; do
		for m in $MODES; do
			run_one "$s" "$m"
		done
		[ "$MODES" = qemu ] || [ -s "$DUMPS/$s/$s.vmcore.kdump" ] ||
			missing="$missing $s"
	done
	if [ -n "$missing" ]; then
		say "no kdump dump of:$missing: the capture kernel's log is" \
			"$DUMPS/SCENARIO/serial-kdump.log"
		return 1
	fi
}

# the layout of ../shared/fixtures: dumps/<scenario>.kdump + .dmesg.txt,
# modules/*.ko; the vmlinux goes to the project's cache
stage_collect() {
	local s d m f
	say "collecting into $FIXTURES"
	mkdir -p "$FIXTURES/dumps" "$FIXTURES/modules" "$KT_CACHE"
	for s in $SCENARIOS; do
		d=$DUMPS/$s
		[ -s "$d/$s.vmcore.kdump" ] || continue
		cp "$d/$s.vmcore.kdump" "$FIXTURES/dumps/$s.kdump"
		echo "${KLEVEL:-31}" > "$FIXTURES/dumps/$s.level"
		[ -s "$d/$s.vmcore-dmesg.txt" ] && cp "$d/$s.vmcore-dmesg.txt" "$FIXTURES/dumps/$s.dmesg.txt"
		[ "$s" = sysrq-null ] && [ -s "$d/$s.vmcore.kdump-lzo" ] &&
			cp "$d/$s.vmcore.kdump-lzo" "$FIXTURES/dumps/$s.kdump-lzo"
		# the big dumps stay where they are (no copy of GBs)
		[ -s "$d/$s.vmcore.kdump-d1" ] &&
			ln -f "$d/$s.vmcore.kdump-d1" "$FIXTURES/dumps/$s.kdump-d1"
	done
	for m in $MODS; do cp "$BUILD/helpers/$m.ko" "$FIXTURES/modules/"; done
	for m in nbd null_blk kyber-iosched; do
		f=$(find "$KROOT/usr/lib/debug" -path "*/modules/$KVER/*" -name "$m.ko*" | head -n 1)
		case $f in
		'') say "no debug info for $m";;
		*.xz) xz -dc "$f" > "$FIXTURES/modules/$m.ko";;
		*) cp "$f" "$FIXTURES/modules/";;
		esac
	done
	ln -sf "$KT_CACHE/vmlinux-$KVER" "$FX/vmlinux"
	echo "$KVER" > "$FIXTURES/release"
	ls -l "$FIXTURES/dumps"
}

stage_formats() {
	local k
	for k in "$FIXTURES"/dumps/*.kdump; do
		[ -e "$k" ] || continue
		VMLINUX=$KT_CACHE/vmlinux-$KVER "$VMCORES/mkformats.sh" "$k" "$FX/formats"
	done
}

# the oracles' facts about every collected dump (drgn, the serial console),
# laid out like tests/expected, for the kernel-matrix tests
stage_facts() {
	local oracle=$VMCORES/../oracle tmp=$FX/expected.tmp s env base
	say "oracle facts into $FX/expected"
	rm -rf "$tmp" && mkdir -p "$tmp"
	env=(KT_FIXTURES="$FIXTURES" KT_VMLINUX="$KT_CACHE/vmlinux-$KVER"
	     KT_EXPECTED="$tmp" KT_SERIAL_DIR="$DUMPS" CRASH=/nonexistent)
	for s in $SCENARIOS; do
		[ -s "$FIXTURES/dumps/$s.kdump" ] || { say "no dump of $s"; return 1; }
	done
	# drgn's facts about stacks, structs and kmem on the base scenarios
	# (the others add findings, not code paths: their facts are the
	# analyzers' oracles below)
	base=
	for s in $SCENARIOS; do
		case " $BASE_SCENARIOS " in *" $s "*) base="$base $s" ;; esac
	done
	{ { [ -z "$base" ] || env "${env[@]}" sh "$oracle/gen.sh" $base; } &&
	  # the analyzers whose tests run on the base scenarios only (one drgn
	  # start a dump and oracle: the finding scenarios would double it)
	  env "${env[@]}" KT_DUMPS="$base" sh "$oracle/gen_plugins.sh" \
		hctx_fq list_poison hung_tasks lock_irq oops &&
	  env "${env[@]}" KT_DUMPS="$base" sh "$oracle/gen_sockets.sh" &&
	  env "${env[@]}" sh "$oracle/gen_plugins.sh" list_debug lockup lock_chain blk_mq \
		stale_refs; } > "$LOGS/facts.log" 2>&1 ||
		{ say "the oracles failed (see $LOGS/facts.log):"; tail -20 "$LOGS/facts.log"; return 1; }
	rm -rf "$FX/expected" && mv "$tmp" "$FX/expected"
	date -u +%FT%TZ > "$FX/expected/.done"
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
exit 0
}
