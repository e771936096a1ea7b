#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# fetch-checkpatch.sh: print the path of the kernel's scripts/checkpatch.pl for `make style`,
# fetching it first if this machine has none.
#
#   fetch-checkpatch.sh [--cache DIR] [--suite SUITE]
#
# Where it comes from, in this order:
#   1. a linux-source tree the lab already unpacked for the fixture modules
#      ($CACHE/kbuild/src/linux-source-*/, runners/build-fixtures.sh), the newest if several;
#   2. one this script fetched before ($CACHE/checkpatch/linux-source-*/);
#   3. else linux-source-X.Y of the kernel the suites are written against (MA_KERNEL_REF in
#      host/include/memattr/kernel_ref.h), the suite's candidate version, downloaded with the private
#      apt helpers (runners/lib/private-apt.sh; --suite, default $MEMATTR_KERNEL_SUITE or sid).  Only
#      checkpatch.pl and the two files it reads next to itself (spelling.txt,
#      const_structs.checkpatch) are kept, in $CACHE/checkpatch/linux-source-VER/scripts/: a partial
#      tree, kept apart from the lab's full ones.
# stdout, on success only: the path.  Errors: one line on stderr, exit 2.
# Needs (3. only): apt-get, dpkg, xz-utils, debian-archive-keyring.  $CACHE is $MEMATTR_CACHE or
# ~/.cache/memattr.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

prog=fetch-checkpatch
die() { echo "$prog: $*" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
cache=${MEMATTR_CACHE:-$HOME/.cache/memattr}
suite=${MEMATTR_KERNEL_SUITE:-sid}
while [ $# -gt 0 ]; do
	case $1 in
	--cache) cache=${2:-}; shift 2 || die "--cache needs a value" ;;
	--suite) suite=${2:-}; shift 2 || die "--suite needs a value" ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument: $1 (see --help)" ;;
	esac
done

# The newest of the checkpatch.pl files given (version sort of their tree names).
newest() {
	local f
	for f in "$@"; do
		if [ -f "$f" ] && [ -f "$(dirname "$f")/spelling.txt" ]; then
			printf '%s\n' "$f"
		fi
	done | sort -V | tail -n1
}

found=$(newest "$cache"/kbuild/src/linux-source-*/scripts/checkpatch.pl)
[ -n "$found" ] || found=$(newest "$cache"/checkpatch/linux-source-*/scripts/checkpatch.pl)
if [ -n "$found" ]; then
	echo "$found"
	exit 0
fi

ref=$(sed -n 's/^#define MA_KERNEL_REF "\([0-9]*\.[0-9]*\).*"/\1/p' "$top/host/include/memattr/kernel_ref.h")
[ -n "$ref" ] || die "no MA_KERNEL_REF in host/include/memattr/kernel_ref.h"
spkg=linux-source-$ref
for t in apt-get:apt apt-cache:apt dpkg:dpkg xz:xz-utils tar:tar; do
	command -v "${t%%:*}" >/dev/null 2>&1 || die "${t%%:*} is missing (install ${t#*:}), or give CHECKPATCH="
done

root=$cache/checkpatch
mkdir -p "$root/logs" || die "cannot create $root"
exec 9>"$root/.lock"
flock 9 || die "cannot lock $root/.lock"

# shellcheck source=runners/lib/apt-sources.sh
. "$top/runners/lib/apt-sources.sh"
# shellcheck source=runners/lib/private-apt.sh
. "$top/runners/lib/private-apt.sh"
memattr_papt_init "$cache" "$suite" 2>"$root/logs/apt.log" || die "$(tail -n1 "$root/logs/apt.log")"
sver=$(apt-cache policy "$spkg" 2>/dev/null | awk '/^  Candidate:/ { if ($2 != "(none)") print $2; exit }')
[ -n "$sver" ] || die "suite $suite has no $spkg (give CHECKPATCH=/path/to/scripts/checkpatch.pl)"

dest=$root/$spkg-$sver
tmp=$root/.tmp-$$
trap 'rm -rf "$tmp"' EXIT
rm -rf "$tmp"
memattr_papt_download "$tmp/dl" "$spkg=$sver" 2>"$root/logs/apt.log" || die "$(tail -n1 "$root/logs/apt.log")"
deb=$(find "$tmp/dl" -maxdepth 1 -name "${spkg}_*.deb" | head -n1)
[ -n "$deb" ] || die "apt-get download $spkg=$sver gave no .deb"
dpkg -x "$deb" "$tmp/x" 2>"$root/logs/source.log" || die "dpkg -x $deb failed (log: $root/logs/source.log)"
tarball=$(find "$tmp/x/usr/src" -maxdepth 1 -name 'linux-source-*.tar.*' | head -n1)
[ -n "$tarball" ] || die "$deb holds no linux-source tarball"
mkdir -p "$tmp/src"
tar -xf "$tarball" -C "$tmp/src" --wildcards '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
	'*/scripts/const_structs.checkpatch' 2>"$root/logs/source.log" ||
	die "cannot extract checkpatch.pl from $tarball (log: $root/logs/source.log)"
s=$(find "$tmp/src" -mindepth 3 -maxdepth 3 -path '*/scripts/checkpatch.pl' -printf '%h\n' | head -n1)
[ -n "$s" ] || die "$tarball holds no scripts/checkpatch.pl"
rm -rf "$dest"
mkdir -p "$dest"
mv "$s" "$dest/scripts"
echo "$spkg=$sver" >"$dest/.memattr-stamp"
echo "$dest/scripts/checkpatch.pl"
