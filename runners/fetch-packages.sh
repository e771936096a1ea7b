#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# fetch-packages.sh: Debian user-space tools (stress-ng, fio, ...) for a memattr lab cell, with the
# shared libraries they need and the dynamic loader, without installing anything on the host.
#
#   fetch-packages.sh --arch arm64|amd64 --packages "stress-ng fio" [--suite sid] [--cache DIR]
#
# The packages come from the same Debian suite as the cell's kernel, through the private apt
# configuration of fetch-kernel.sh (runners/lib/private-apt.sh): each one is `apt-get download`ed
# and `dpkg -x`ed once per version into $CACHE/packages/<arch>/pkg/<name>_<version>/.  Their
# libraries are resolved like the dynamic loader does: the DT_NEEDED entries of every executable
# in the packages' bin directories, recursively through the libraries found, each searched in the
# ELF's RUNPATH/RPATH and the multiarch library directories of the packages extracted so far; a
# soname not found yet is looked for in the Depends of the package that needs it (dpkg-shlibdeps
# puts the provider there), downloading those packages as needed, the best name match first.  The
# result is a tree $CACHE/packages/<arch>/set-<key>/root with the executables in bin/, every needed
# library at its path in its package (symlinks resolved) and the loader at its PT_INTERP path; a
# second call that resolves to the same versions reuses it without downloading anything.
#
# stdout (only on success, nothing else):
#   PACKAGES_ROOT=<dir>   the tree to copy into the initramfs root
#   PACKAGES=<name>=<version> ...           the packages asked for
#   PACKAGES_LIBS=<name>=<version> ...      the packages that provided libraries
# Errors (a package the suite lacks, a failed download with apt's message, a soname no dependency
# provides): one line on stderr, exit 2 (usage errors: exit 1).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/apt-sources.sh
. "$here/lib/apt-sources.sh"
# shellcheck source=lib/private-apt.sh
. "$here/lib/private-apt.sh"

prog=fetch-packages
die() { echo "$prog: $*" >&2; exit 2; }
usage_die() { echo "$prog: $*" >&2; exit 1; }

arch="" suite=sid cache="${MEMATTR_CACHE:-$HOME/.cache/memattr}" packages=""
while [ $# -gt 0 ]; do
	case $1 in
	--arch) arch=${2:?}; shift 2 ;;
	--suite) suite=${2:?}; shift 2 ;;
	--cache) cache=${2:?}; shift 2 ;;
	--packages) packages=${2-}; shift 2 ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) usage_die "unknown argument: $1" ;;
	esac
done
case $arch in
arm64 | aarch64) arch=arm64 triplet=aarch64-linux-gnu machine=AArch64 ;;
amd64 | x86_64) arch=amd64 triplet=x86_64-linux-gnu machine="Advanced Micro Devices X86-64" ;;
"") usage_die "--arch arm64|amd64 is required" ;;
*) usage_die "unsupported --arch $arch (arm64|amd64)" ;;
esac
packages=$(tr -s ', ' '\n' <<<"$packages" | grep . | sort -u | tr '\n' ' ' || true)
packages=${packages% }
[ -n "$packages" ] || usage_die "--packages is empty"
for t in apt-get apt-cache dpkg readelf flock sha256sum; do
	command -v "$t" >/dev/null 2>&1 || die "missing host tool: $t"
done
export LC_ALL=C

mkdir -p "$cache/packages/$arch" || die "cannot create $cache/packages/$arch"
cache=$(cd "$cache" && pwd -P)
pdir=$cache/packages/$arch
exec 9>"$pdir/.lock"
flock 9 || die "cannot lock $pdir/.lock"

memattr_papt_init "$cache" "$suite" || exit 2

# Candidate version of pkg:arch, empty if none.
candidate() {
	apt-cache policy "$1:$arch" 2>/dev/null | awk '/^  Candidate:/ { if ($2 != "(none)") print $2; exit }'
}

# The packages asked for, at their candidate versions.
declare -A ver=()
key_in=""
for p in $packages; do
	v=$(candidate "$p")
	[ -n "$v" ] || die "package $p:$arch is not in Debian suite $suite (apt-cache policy $p:$arch has no candidate)"
	ver[$p]=$v
	key_in+="$p=$v "
done
key=$(printf '%s %s' "$arch" "$key_in" | sha256sum | cut -c1-16)
set_dir=$pdir/set-$key
if [ -f "$set_dir/.memattr-stamp" ]; then
	cat "$set_dir/.memattr-stamp"
	exit 0
fi

# extract NAME: the package's tree (downloaded and unpacked once per version); sets $tree.
extract() {
	local name=$1 v=${ver[$1]:-} d
	[ -n "$v" ] || v=$(candidate "$name")
	[ -n "$v" ] || die "package $name:$arch (a dependency) is not in Debian suite $suite"
	ver[$name]=$v
	tree=$pdir/pkg/${name}_$(printf '%s' "$v" | tr -c 'A-Za-z0-9.+~-' '_')
	[ -f "$tree/.memattr-stamp" ] && return 0
	d=$pdir/.tmp-$name-$$
	rm -rf "$d"
	memattr_papt_download "$d/debs" "$name:$arch=$v" || exit 2
	mkdir -p "$d/root"
	dpkg -x "$d"/debs/*.deb "$d/root" || die "dpkg -x of $name $v failed"
	echo "$name:$arch=$v" >"$d/root/.memattr-stamp"
	rm -rf "$tree"
	mkdir -p "$pdir/pkg"
	mv "$d/root" "$tree"
	rm -rf "$d"
}

# Depends and Pre-Depends of an extracted package: the first alternative of each, one name a line.
depends() {
	apt-cache show "$1:$arch=${ver[$1]}" 2>/dev/null |
		awk '/^(Pre-)?Depends:/ { sub(/^[^:]*:[ \t]*/, ""); print }' | tr ',' '\n' |
		sed 's/|.*//; s/(.*//; s/:any//; s/[[:space:]]//g' | grep . || true
}

# Name similarity of package $2 to soname $1 (higher first): libfoo.so.1 -> libfoo1, libfoo1t64...
score() {
	local stem=${1%%.so*} p=${2%t64}
	stem=$(printf '%s' "$stem" | tr 'A-Z_' 'a-z-')
	case $p in
	"$stem"[0-9]* | "$stem"-[0-9]*) echo 3 ;;
	"$stem"*) echo 2 ;;
	"${stem#lib}"*) echo 1 ;;
	*) echo 0 ;;
	esac
}

declare -A have=()     # soname -> path in the payload (relative)
declare -A from=()     # package -> 1 (provided a library or an executable)
declare -A extracted=() # package -> its tree
queue=()               # "package|relative path" of ELF files to scan

stage=$pdir/.tmp-set-$key-$$
rm -rf "$stage"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/root/bin"

is_elf() { [ "$(head -c4 "$1" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ]; }

# Copy file $2 (relative, of package tree $1) into the payload at the same path, symlinks resolved.
place() {
	mkdir -p "$stage/root/$(dirname "$2")"
	cp -L "$1/$2" "$stage/root/$2" || die "cannot copy $2"
}

# find_soname SONAME RUNPATH-DIRS: sets found_pkg, found_tree and path (relative) when an extracted
# package has it.
find_soname() {
	local so=$1 dirs=$2 c d
	for c in "${!extracted[@]}"; do
		for d in $dirs "lib/$triplet" "usr/lib/$triplet" lib usr/lib; do
			if [ -e "${extracted[$c]}/$d/$so" ]; then
				found_pkg=$c found_tree=${extracted[$c]} path=$d/$so
				return 0
			fi
		done
	done
	return 1
}

for p in $packages; do
	extract "$p"
	extracted[$p]=$tree
	from[$p]=1
	n=0
	for d in usr/bin usr/sbin bin sbin; do
		[ -d "$tree/$d" ] || continue
		for f in "$tree/$d"/*; do
			if [ ! -f "$f" ] || [ ! -x "$f" ] || ! is_elf "$f"; then continue; fi
			LC_ALL=C readelf -hW "$f" | grep -q "Machine:[[:space:]]*$machine\$" ||
				die "$p: $f is not an $arch executable"
			cp -L "$f" "$stage/root/bin/$(basename "$f")"
			queue+=("$p|bin/$(basename "$f")")
			n=$((n + 1))
		done
	done
	[ "$n" -gt 0 ] || die "package $p $v has no executable in usr/bin, usr/sbin, bin or sbin"
done

interp=""
while [ "${#queue[@]}" -gt 0 ]; do
	item=${queue[0]}
	queue=("${queue[@]:1}")
	owner=${item%%|*} rel=${item#*|}
	f=$stage/root/$rel
	dyn=$(readelf -dW "$f" 2>/dev/null) || die "$rel (of $owner): unreadable ELF file"
	i=$(readelf -lW "$f" 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
	[ -z "$i" ] || interp=$i
	runpath=$(sed -n 's/.*(R\(UN\)\{0,1\}PATH).*\[\(.*\)\]/\2/p' <<<"$dyn" | tr ':' ' ' |
		sed "s|\\\$ORIGIN|$(dirname "$rel")|g; s|^/||; s| /| |g")
	mapfile -t needed < <(sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' <<<"$dyn")
	for so in "${needed[@]}"; do
		[ -n "${have[$so]:-}" ] && continue
		path=""
		if ! find_soname "$so" "$runpath"; then
			# Not in what is extracted: in the owner's dependencies, best name match first.
			for c in $(depends "$owner" | while read -r d; do
				echo "$(score "$so" "$d") $d"; done | sort -s -k1,1nr | awk '{ print $2 }'); do
				[ -n "${extracted[$c]:-}" ] && continue
				extract "$c"
				extracted[$c]=$tree
				find_soname "$so" "$runpath" && break
			done
			[ -n "$path" ] || die "$so, needed by $rel ($owner), is in none of the Depends of $owner"
		fi
		from[$found_pkg]=1
		place "$found_tree" "$path"
		have[$so]=$path
		queue+=("$found_pkg|$path")
	done
done

# The dynamic loader, at the path the executables request (and where libc6 has it).
if [ -n "$interp" ]; then
	[ -n "${extracted[libc6]:-}" ] || { extract libc6; extracted[libc6]=$tree; }
	lt=${extracted[libc6]}
	lp=""
	for c in "${interp#/}" "usr${interp}" "usr/lib/$triplet/$(basename "$interp")"; do
		[ -e "$lt/$c" ] && { lp=$c; break; }
	done
	[ -n "$lp" ] || die "libc6 ${ver[libc6]} has no $interp"
	mkdir -p "$stage/root/$(dirname "${interp#/}")"
	cp -L "$lt/$lp" "$stage/root/${interp#/}"
	from[libc6]=1
fi

libs=""
for c in $(printf '%s\n' "${!from[@]}" | sort); do
	case " $packages " in *" $c "*) continue ;; esac
	libs+="$c=${ver[$c]} "
done
{
	echo "PACKAGES_ROOT=$set_dir/root"
	echo "PACKAGES=$key_in" | sed 's/ $//'
	echo "PACKAGES_LIBS=$libs" | sed 's/ $//'
} >"$stage/.memattr-stamp"
rm -rf "$set_dir"
mv "$stage" "$set_dir"
trap - EXIT
cat "$set_dir/.memattr-stamp"
