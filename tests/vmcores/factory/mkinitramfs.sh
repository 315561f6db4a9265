#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build the two guest initramfs images.
#   mkinitramfs.sh KROOT BUILD OUTDIR
# KROOT : dpkg -x of linux-image(-dbg) (lib/modules, boot/vmlinuz)
# BUILD : dir with the scenario modules (*.ko), nbdhang and manytasks
# OUTDIR: gets capture.cpio.gz and primary.cpio.gz
set -euo pipefail
KROOT=$1 BUILD=$2 OUT=$3
HERE=$(cd "$(dirname "$0")" && pwd)
KVER=$(ls "$KROOT/lib/modules")
MODSRC=$KROOT/lib/modules/$KVER

# Built into the kernel: modules.builtin says so, or (7.x packages ship
# only its .bin index) the kernel's config has CONFIG_<NAME>=y.
builtin() {
	local m=$1 cfg
	if [ -e "$MODSRC/modules.builtin" ]; then
		grep -qE "(^|/)${m//-/[-_]}\.ko$" "$MODSRC/modules.builtin"
		return
	fi
	for cfg in "$KROOT/boot/config-$KVER" "$KROOT/usr/src/linux-headers-$KVER/.config"; do
		[ -e "$cfg" ] && grep -q "^CONFIG_$(echo "${m//-/_}" | tr a-z A-Z)=y" "$cfg" &&
			return 0
	done
	return 1
}

copy_mods() {	# $1 = tree, rest = module names (deps resolved via modules.dep)
	local tree=$1; shift
	local m f dep opt
	mkdir -p "$tree/lib/modules/$KVER"
	for m in "$@"; do
		# optional modules (one of several names) end in '?'
		opt=0
		case $m in *\?) opt=1 m=${m%\?};; esac
		f=$(grep -E "(^|/)${m//-/[-_]}\.ko(\.xz)?:" "$MODSRC/modules.dep" | head -1) || true
		if [ -z "$f" ] && builtin "$m"; then
			echo "module $m is built in"
			continue
		fi
		[ -n "$f" ] || [ $opt = 1 ] || { echo "module $m not found" >&2; exit 1; }
		[ -n "$f" ] || continue
		for dep in ${f%%:*} ${f#*:}; do
			mkdir -p "$tree/lib/modules/$KVER/$(dirname "$dep")"
			# busybox insmod reads no .ko.xz (6.12+ ship them): unpack
			case $dep in
			*.ko.xz) xz -dc "$MODSRC/$dep" > "$tree/lib/modules/$KVER/${dep%.xz}";;
			*) cp -n "$MODSRC/$dep" "$tree/lib/modules/$KVER/$dep";;
			esac
		done
	done
	cp "$MODSRC"/modules.builtin* "$tree/lib/modules/$KVER/" 2>/dev/null || true
	depmod -b "$tree" "$KVER"
}

copy_bin() {	# $1 = tree, rest = dynamically linked binaries (+ their libs)
	local tree=$1; shift
	local b lib
	for b in "$@"; do
		mkdir -p "$tree$(dirname "$b")"
		cp -L "$b" "$tree$b"
		for lib in $(ldd "$b" | grep -o '/[^ ]*'); do
			mkdir -p "$tree$(dirname "$lib")"
			cp -Ln "$lib" "$tree$lib"
		done
	done
}

base_tree() {
	local tree=$1
	rm -rf "$tree"
	mkdir -p "$tree"/{bin,sbin,etc,proc,sys,dev,tmp,run,mnt,lib,lib64,boot}
	cp /bin/busybox "$tree/bin/busybox"
	ln -s busybox "$tree/bin/sh"
	echo "root:x:0:0:root:/root:/bin/sh" > "$tree/etc/passwd"
}

pack() { (cd "$1" && find . -print0 | cpio --null -o -H newc --quiet | gzip -6) > "$2"; }

# ---- capture (kdump) initramfs ----
CT=$OUT/tree-capture
base_tree "$CT"
cp "$HERE/guest/capture-init" "$CT/init"
chmod 755 "$CT/init"
# ext4 and the crc32c it asks for by name are modules of the generic
# flavour, built into the cloud one
copy_mods "$CT" virtio_pci virtio_blk ext4? crc32c_generic? crc32c-intel?
if [ -n "${MDF_ROOT:-}" ]; then
	# makedumpfile of another release, with that release's libraries
	mkdir -p "$CT/usr/sbin" "$CT/usr/lib/x86_64-linux-gnu" "$CT/lib64"
	cp "$(ls "$MDF_ROOT"/usr/{s,}bin/makedumpfile 2> /dev/null | head -n 1)" "$CT/usr/sbin/"
	for d in "$MDF_ROOT/usr/lib/x86_64-linux-gnu" "$MDF_ROOT/lib/x86_64-linux-gnu"; do
		[ -d "$d" ] && cp -a "$d/." "$CT/usr/lib/x86_64-linux-gnu/"
	done
	rm -rf "$CT/usr/lib/x86_64-linux-gnu/gconv" "$CT/usr/lib/x86_64-linux-gnu/perl"*
	# the loader: usr/lib/x86_64-linux-gnu (usr-merged) or lib/x86_64-linux-gnu
	cp -L "$(ls "$MDF_ROOT"/{usr/,}lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 2> /dev/null |
		head -n 1)" "$CT/lib64/ld-linux-x86-64.so.2"
else
	copy_bin "$CT" "$(command -v makedumpfile)"
fi
pack "$CT" "$OUT/capture.cpio.gz"

# ---- primary initramfs ----
PT=$OUT/tree-primary
base_tree "$PT"
cp "$HERE/guest/init" "$PT/init"
chmod 755 "$PT/init"
copy_mods "$PT" virtio_pci virtio_blk null_blk nbd kyber-iosched? pvpanic-mmio? pvpanic? qemu_fw_cfg
copy_bin "$PT" "$(command -v kexec)" /usr/sbin/blkid
cp "$BUILD"/*.ko "$PT/lib/"
cp "$BUILD/nbdhang" "$BUILD/manytasks" "$PT/bin/"
cp "$KROOT/boot/vmlinuz-$KVER" "$PT/boot/vmlinuz"
cp "$OUT/capture.cpio.gz" "$PT/boot/capture.cpio.gz"
pack "$PT" "$OUT/primary.cpio.gz"
ls -l "$OUT"/*.cpio.gz
