#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install the Debian packages ktriage builds, tests and benchmarks with.
# Idempotent: does nothing when everything is there.
set -euo pipefail
pkgs=(
	build-essential cmake pkg-config
	libkdumpfile-dev libdw-dev libelf-dev libsqlite3-dev libcjson-dev
	libncurses-dev libcapstone-dev libcriterion-dev
	makedumpfile python3-drgn
	libsnappy-dev libzstd-dev liblzo2-dev zlib1g-dev libdeflate-dev
	clang libclang-rt-14-dev sqlite3
	scdoc bash-completion man-db debhelper fakeroot dpkg-dev
	libdebuginfod-dev debuginfod curl
	libpq-dev postgresql-15 chromium
)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
