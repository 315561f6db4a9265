#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build crash 8.0.6 (the crash utility, for the benchmarks' comparisons)
# from Debian trixie's source package, into a cache outside the
# repository, and print the binary's path on stdout (everything else goes
# to stderr). A cached binary that says it is 8.0.6 is reused.
#
# Usage: scripts/fetch-crash.sh     e.g. CRASH806=$(scripts/fetch-crash.sh)
# The first run builds gdb 10.2 as well: about 35 minutes on 2 busy cores.
#
# Only Debian's archive is used: the mirror is the machine's own apt
# mirror, trixie's Sources come from a private apt configuration under
# the cache (the system's apt sources stay as they are), and gdb 10.2,
# which crash's Makefile would otherwise wget from ftp.gnu.org, is in
# Debian's orig tarball. The build runs under nice with make -j2. Not
# part of deps.sh or test.sh: CI does not build gdb.
#
# Env: KTRIAGE_CACHE  the cache (default ~/.cache/ktriage)
set -euo pipefail
VER=8.0.6
DEBVER=8.0.6-1
SUITE=trixie
# crash's build needs, from this machine's own (bookworm) archive
DEPS="gcc g++ make patch dpkg-dev bison flex gawk texinfo zlib1g-dev
libncurses-dev liblzo2-dev libsnappy-dev libzstd-dev"
CACHE=${KTRIAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ktriage}
dir=$CACHE/crash-$VER
out=$dir/crash
say() { echo "fetch-crash: $*" >&2; }
# whether binary $1 says it is crash $VER (the output read whole, then
# grepped: no SIGPIPE to fail a pipe under pipefail)
is_ver() {
	local v
	v=$("$1" --version 2> /dev/null) || return 1
	grep -qx "crash $VER" <<< "$v"
}
if [ -x "$out" ] && is_ver "$out"; then
	echo "$out"
	exit 0
fi

# the Debian mirror this machine's apt uses (comments and security left
# out), as tests/vmcores/factory/build.sh finds it
debian_mirror() {
	local m
	m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2> /dev/null |
		grep -v '^[[:space:]]*#' | grep -oE 'https?://[^ ]+/debian/?( |$)' |
		grep -v security | head -n 1 | tr -d ' ') || true
	m=${m%/}
	echo "${m:-http://deb.debian.org/debian}"
}

# build dependencies: installed with apt-get when root, else named
missing=()
for p in $DEPS; do
	dpkg-query -W -f '${Status}' "$p" 2> /dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		say "missing build dependencies; run: apt-get install ${missing[*]}"
		exit 1
	fi
	say "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		"${missing[@]}" >&2
fi

# a private apt for trixie's Sources: its own sources.list and lists
apt_dir=$CACHE/apt/$SUITE-src
mirror=$(debian_mirror)
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
echo "deb-src $mirror $SUITE main" > "$apt_dir/sources.list"
APT_O=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list"
	-o Dir::Etc::sourceparts=/nonexistent
	-o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache")
# as root, apt's _apt sandbox cannot write under /root
[ "$(id -u)" = 0 ] && APT_O+=(-o APT::Sandbox::User=root)
# refresh the lists once a day
if [ -z "$(find "$apt_dir/lists" -maxdepth 1 -name '*Sources*' -mtime -1 2> /dev/null)" ]; then
	say "apt-get update ($SUITE sources from $mirror)"
	apt-get "${APT_O[@]}" update >&2 || { say "apt-get update failed"; exit 1; }
fi

mkdir -p "$dir"
tmp=$(mktemp -d "$CACHE/fetch-crash.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

# the source package's files with their sha256, from trixie's Sources
# (whose InRelease apt checked)
apt-cache "${APT_O[@]}" showsrc crash |
	awk -v v="$DEBVER" '/^Package:/ {p = 0} /^Version:/ {p = ($2 == v)}
		/^Checksums-Sha256:/ {s = p; next} s && /^ / {print $1 "  " $3; next} {s = 0}' |
	sort -u > sums
grep -q "crash_$VER.orig.tar" sums || { say "no crash $DEBVER in $SUITE's Sources"; exit 1; }
say "fetching crash $DEBVER source from $mirror"
# apt-get source fails when any file is missing: what it did fetch is
# checked below
apt-get "${APT_O[@]}" source --download-only "crash=$DEBVER" >&2 ||
	say "apt-get source did not fetch every file (see above)"
have=()
while read -r sum f; do
	if [ -f "$f" ]; then
		echo "$sum  $f" | sha256sum -c --quiet >&2 || { say "$f: sha256 mismatch"; exit 1; }
		have+=("$f")
	fi
done < sums
say "have: ${have[*]}"

# unpack: the whole source package (Debian's patches applied) when the
# mirror has it; else only the orig tarball, which is where Debian keeps
# crash and gdb 10.2: then Debian's packaging and patches are left out,
# and this says so
if [ -f "crash_$DEBVER.dsc" ] && ls crash_"$DEBVER".debian.tar.* > /dev/null 2>&1; then
	dpkg-source -x "crash_$DEBVER.dsc" src >&2
else
	say "WARNING: the mirror lacks crash_$DEBVER.dsc or its debian tarball:" \
		"building the orig tarball alone, without Debian's patches"
	mkdir src
	tar -xzf "crash_$VER.orig.tar.gz" -C src --strip-components=1
fi
# never let crash's Makefile wget gdb from ftp.gnu.org
[ -f src/gdb-10.2.tar.gz ] || { say "no gdb-10.2.tar.gz in the source package"; exit 1; }
grep -q "^b33ad58d687487a821ec8d878daab0f716be60d0936f2e3ac5cf08419ce70350 " \
	<(sha256sum src/gdb-10.2.tar.gz) || { say "gdb-10.2.tar.gz is not GNU's"; exit 1; }

# gdb without debuginfod, whatever -dev packages this machine has: no
# lookups over the network while a benchmark runs
echo --without-debuginfod > src/GDBFLAGS.extra
say "building crash $VER with gdb 10.2 (nice, make -j2; log: $dir/build.log)"
start=$(date +%s)
# the goals lzo snappy zstd: crash's Makefile then builds in the kdump
# compressions (as Debian's binary has them: makedumpfile -l, -p, -z)
(cd src && nice -n 10 make -j2 lzo snappy zstd) > "$dir/build.log" 2>&1 || {
	say "build failed; the end of $dir/build.log:"
	tail -n 30 "$dir/build.log" >&2
	exit 1
}
say "built in $(( $(date +%s) - start )) s"
is_ver src/crash || { say "src/crash --version does not say $VER"; exit 1; }
needed=$(readelf -d src/crash)
for lib in liblzo2 libsnappy libzstd; do
	grep -q "NEEDED.*\[$lib\.so" <<< "$needed" ||
		{ say "crash was built without $lib"; exit 1; }
done
install -m 0755 src/crash "$out.new"
mv "$out.new" "$out"
echo "$out"
