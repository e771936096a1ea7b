#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# fetch-kernel.sh: get a Debian kernel (and a static busybox) for a memattr cell, without installing
# anything on the host.
#
#   fetch-kernel.sh --arch arm64|amd64 [--flavour arm64|arm64-16k|amd64|...] [--suite sid]
#                   [--cache DIR] [--version VER] [--busybox PATH]
#   fetch-kernel.sh --arch arm64|amd64 --image PATH [--modules DIR] [--version VER] [--busybox PATH]
#
# A private apt configuration under $CACHE/apt/<suite> (own sources list built from the host's Debian archive
# URI, own state/cache/lists directories, APT::Architectures amd64 and arm64, the Debian archive
# keyring) resolves the newest kernel of the flavour in the suite at run time:
#   linux-image-<flavour> (meta) -> linux-image-<abi>-<flavour> (small meta)
#     -> linux-binary-<abi>-<flavour>, linux-modules-<abi>-<flavour>, linux-base-<abi>-<flavour>
# which are `apt-get download`ed and `dpkg -x`ed into $CACHE/kernels/<release>/. busybox-static for the
# architecture goes to $CACHE/busybox/<arch>-<version>/. A second call that resolves to the same
# versions downloads nothing. `apt-get update` runs only when the lists are missing or older than 12 h
# (or the sources list changed); if it fails but older lists exist they are used, with a warning.
#
# --version VER selects a kernel ABI (e.g. 7.2.13+deb14) or a Debian package version of the
# linux-image-<flavour> meta package (e.g. 7.2.13-1) instead of the newest one.
#
# stdout (only on success, nothing else):
#   KERNEL_IMAGE=  MODULES_DIR=  KERNEL_RELEASE=  KERNEL_PACKAGE=  KERNEL_VERSION=  BUSYBOX=
# Errors: one line on stderr, exit 2 (usage errors: exit 1).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/apt-sources.sh
. "$here/lib/apt-sources.sh"

prog=fetch-kernel
die() { echo "$prog: $*" >&2; exit 2; }
usage_die() { echo "$prog: $*" >&2; exit 1; }
warn() { echo "$prog: warning: $*" >&2; }

arch="" flavour="" suite=sid cache="${MEMATTR_CACHE:-$HOME/.cache/memattr}" want_version=""
image="" modules="" busybox_opt=""
while [ $# -gt 0 ]; do
	case $1 in
	--arch) arch=${2:?}; shift 2 ;;
	--flavour | --flavor) flavour=${2:?}; shift 2 ;;
	--suite) suite=${2:?}; shift 2 ;;
	--cache) cache=${2:?}; shift 2 ;;
	--version) want_version=${2:?}; shift 2 ;;
	--image) image=${2:?}; shift 2 ;;
	--modules) modules=${2:?}; shift 2 ;;
	--busybox) busybox_opt=${2:?}; shift 2 ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) usage_die "unknown argument: $1" ;;
	esac
done
case $arch in
arm64 | aarch64) arch=arm64 ;;
amd64 | x86_64) arch=amd64 ;;
"") usage_die "--arch arm64|amd64 is required" ;;
*) usage_die "unsupported --arch $arch (arm64|amd64)" ;;
esac
[ -n "$flavour" ] || flavour=$arch
[ -z "$modules" ] || [ -n "$image" ] || usage_die "--modules needs --image"

mkdir -p "$cache" || die "cannot create cache directory $cache"
cache=$(cd "$cache" && pwd -P)

# ---------------------------------------------------------------- private apt configuration
# shellcheck source=lib/private-apt.sh
. "$here/lib/private-apt.sh"
apt_ready=0
apt_setup() {
	[ "$apt_ready" = 1 ] && return 0
	memattr_papt_init "$cache" "$suite" || exit 2
	apt_ready=1
}

# Candidate version of pkg:arch, empty if none.
apt_candidate() {
	apt-cache policy "$1" 2>/dev/null | awk '/^  Candidate:/ { if ($2 != "(none)") print $2; exit }'
}
# The Depends: field of pkg:arch=version, one dependency name per line with its version constraint.
apt_depends() {
	apt-cache show "$1" 2>/dev/null | awk '/^Depends:/ { sub(/^Depends:[ \t]*/, ""); print; exit }' |
		tr ',' '\n' | sed 's/^[[:space:]]*//; s/[[:space:]]*$//'
}

# Download pkg:arch=ver into dir.
apt_fetch() {
	memattr_papt_download "$2" "$1" || exit 2
}

# ---------------------------------------------------------------- busybox
busybox_path=""
# The newest busybox of $arch already extracted in the cache, if any.
cached_busybox() {
	local d
	for d in $(find "$cache/busybox" -mindepth 1 -maxdepth 1 -type d -name "$arch-*" 2>/dev/null | sort -rV); do
		[ -f "$d/.memattr-stamp" ] || continue
		[ -f "$d/root/usr/bin/busybox" ] && { echo "$d/root/usr/bin/busybox"; return 0; }
		[ -f "$d/root/bin/busybox" ] && { echo "$d/root/bin/busybox"; return 0; }
	done
	return 0
}
get_busybox() {
	if [ -n "$busybox_opt" ]; then
		[ -f "$busybox_opt" ] || die "busybox not found: $busybox_opt"
		busybox_path=$(cd "$(dirname "$busybox_opt")" && pwd -P)/$(basename "$busybox_opt")
		return 0
	fi
	local ver tag dest tmp bb
	apt_setup
	ver=$(apt_candidate "busybox-static:$arch")
	if [ -z "$ver" ]; then
		# Offline fallback: any busybox already in the cache.
		bb=$(cached_busybox)
		[ -n "$bb" ] || die "busybox-static:$arch is not available from suite $suite"
		busybox_path=$bb
		return 0
	fi
	tag=$(printf '%s' "$ver" | tr -c 'A-Za-z0-9.+~-' '_')
	dest=$cache/busybox/$arch-$tag
	if [ ! -f "$dest/.memattr-stamp" ]; then
		tmp=$cache/busybox/.tmp-$arch-$$
		rm -rf "$tmp"
		apt_fetch "busybox-static:$arch=$ver" "$tmp/debs"
		mkdir -p "$tmp/root"
		for d in "$tmp"/debs/*.deb; do dpkg -x "$d" "$tmp/root" || die "dpkg -x $d failed"; done
		rm -rf "$tmp/debs"
		echo "busybox-static:$arch $ver" >"$tmp/.memattr-stamp"
		rm -rf "$dest"
		mv "$tmp" "$dest"
	fi
	for bb in "$dest/root/usr/bin/busybox" "$dest/root/bin/busybox"; do
		[ -f "$bb" ] && { busybox_path=$bb; return 0; }
	done
	die "no busybox binary inside busybox-static:$arch=$ver"
}

# ---------------------------------------------------------------- --image mode
release_from_image() {
	local img=$1 off
	# x86 bzImage: "HdrS" at 0x202, kernel_version pointer at 0x20e (relative to 0x200).
	if [ "$(dd if="$img" bs=1 skip=514 count=4 2>/dev/null)" = HdrS ]; then
		off=$(od -An -tu2 -j526 -N2 "$img" | tr -d ' ')
		if [ -n "$off" ] && [ "$off" -gt 0 ]; then
			dd if="$img" bs=1 skip=$((off + 512)) count=128 2>/dev/null | tr '\0' '\n' | head -n1 | awk '{print $1}'
			return 0
		fi
	fi
	# Raw arm64 Image (or vmlinux): the banner is plain text.
	{ grep -a -o -m1 'Linux version [^ ]*' "$img" 2>/dev/null || true; } | head -n1 | awk '{print $3}'
}

emit() {
	printf 'KERNEL_IMAGE=%s\nMODULES_DIR=%s\nKERNEL_RELEASE=%s\nKERNEL_PACKAGE=%s\nKERNEL_VERSION=%s\nBUSYBOX=%s\n' \
		"$1" "$2" "$3" "$4" "$5" "$6"
}

mkdir -p "$cache"
exec 9>"$cache/.fetch-kernel.lock"
flock 9 || die "cannot lock $cache/.fetch-kernel.lock"

if [ -n "$image" ]; then
	[ -f "$image" ] || die "kernel image not found: $image"
	image=$(cd "$(dirname "$image")" && pwd -P)/$(basename "$image")
	rel=""
	if [ -n "$modules" ]; then
		[ -d "$modules" ] || die "modules directory not found: $modules"
		modules=$(cd "$modules" && pwd -P)
		rel=$(basename "$modules")
	fi
	[ -n "$rel" ] || rel=$(release_from_image "$image")
	[ -n "$rel" ] || rel=unknown
	if [ -z "$busybox_opt" ]; then
		# Prefer a busybox already in the cache; else the host's static one for amd64; else apt.
		bb=$(cached_busybox)
		if [ -n "$bb" ]; then
			busybox_opt=$bb
		elif [ "$arch" = amd64 ] && [ -x /bin/busybox ] && file -L /bin/busybox 2>/dev/null | grep -q 'statically linked'; then
			busybox_opt=/bin/busybox
		fi
	fi
	get_busybox
	emit "$image" "$modules" "$rel" local "${want_version:-local}" "$busybox_path"
	exit 0
fi

# ---------------------------------------------------------------- resolve the kernel
apt_setup
meta=linux-image-$flavour
img_pkg="" img_ver=""
if [ -n "$want_version" ] && [ -n "$(apt_candidate "linux-image-$want_version-$flavour:$arch")" ]; then
	img_pkg=linux-image-$want_version-$flavour
	img_ver=$(apt_candidate "$img_pkg:$arch")
else
	if [ -n "$want_version" ]; then
		meta_ver=$want_version
		apt-cache show "$meta:$arch=$meta_ver" 2>/dev/null | grep -q '^Package:' ||
			die "no kernel $want_version for flavour $flavour ($arch) in suite $suite"
	else
		meta_ver=$(apt_candidate "$meta:$arch")
		[ -n "$meta_ver" ] || die "suite $suite has no kernel for flavour $flavour ($arch): no package $meta"
	fi
	dep=$(apt_depends "$meta:$arch=$meta_ver" | grep -E "^linux-image-[0-9][^ ]*-$flavour( |$)" | head -n1) ||
		die "cannot find the versioned image package in the dependencies of $meta $meta_ver"
	img_pkg=${dep%% *}
	img_ver=$(printf '%s\n' "$dep" | sed -n 's/.*(= \([^)]*\)).*/\1/p')
	[ -n "$img_ver" ] || img_ver=$(apt_candidate "$img_pkg:$arch")
fi
if [ -z "$img_pkg" ] || [ -z "$img_ver" ]; then
	die "cannot resolve a kernel for flavour $flavour ($arch) in suite $suite"
fi
abi_flav=${img_pkg#linux-image-}
release=$abi_flav

# Packages to fetch: the split layout (binary/modules/base) if the image package is a meta package,
# else the classic single linux-image package.
pkgs=()
while IFS= read -r d; do
	name=${d%% *}
	case $name in
	linux-binary-"$abi_flav" | linux-modules-"$abi_flav" | linux-base-"$abi_flav") pkgs+=("$name") ;;
	esac
done < <(apt_depends "$img_pkg:$arch=$img_ver")
if [ "${#pkgs[@]}" = 0 ]; then
	pkgs=("$img_pkg")
	kernel_pkg=$img_pkg
elif printf '%s\n' "${pkgs[@]}" | grep -qx "linux-binary-$abi_flav"; then
	kernel_pkg=linux-binary-$abi_flav
else
	die "$img_pkg $img_ver depends on no linux-binary-$abi_flav package"
fi

kdir=$cache/kernels/$release
want_stamp=""
for p in "${pkgs[@]}"; do want_stamp+="$p:$arch=$img_ver"$'\n'; done
if [ ! -f "$kdir/.memattr-stamp" ] || [ "$(cat "$kdir/.memattr-stamp")"$'\n' != "$want_stamp" ]; then
	tmp=$cache/kernels/.tmp-$release-$$
	rm -rf "$tmp"
	trap 'rm -rf "$tmp"' EXIT
	for p in "${pkgs[@]}"; do apt_fetch "$p:$arch=$img_ver" "$tmp/debs"; done
	mkdir -p "$tmp/root"
	for d in "$tmp"/debs/*.deb; do dpkg -x "$d" "$tmp/root" || die "dpkg -x $(basename "$d") failed"; done
	rm -rf "$tmp/debs"
	# Move the extracted tree up so that $kdir/usr/lib/modules/<rel> is the layout.
	mv "$tmp/root" "$tmp.root"
	rm -rf "$tmp"
	mv "$tmp.root" "$tmp"
	printf '%s' "$want_stamp" >"$tmp/.memattr-stamp"
	if [ -e "$kdir" ]; then mv "$kdir" "$kdir.old-$$" && rm -rf "$kdir.old-$$"; fi
	mv "$tmp" "$kdir"
	trap - EXIT
fi

moddir=""
for m in "$kdir/usr/lib/modules/$release" "$kdir/lib/modules/$release"; do
	[ -d "$m" ] && { moddir=$m; break; }
done
if [ -z "$moddir" ]; then
	# The release string differs from the package name: take the only modules directory there is.
	m=$(find "$kdir/usr/lib/modules" "$kdir/lib/modules" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | head -n1)
	[ -n "$m" ] && { moddir=$m; release=$(basename "$m"); }
fi
[ -n "$moddir" ] || die "no modules directory in $kdir"
kimg=""
for k in "$moddir/vmlinuz" "$kdir/boot/vmlinuz-$release" "$moddir/Image"; do
	[ -f "$k" ] && { kimg=$k; break; }
done
[ -n "$kimg" ] || die "no kernel image in $kdir (looked for $moddir/vmlinuz, boot/vmlinuz-$release)"

get_busybox
emit "$kimg" "$moddir" "$release" "$kernel_pkg" "$img_ver" "$busybox_path"
