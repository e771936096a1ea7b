#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# build-fixtures.sh: build the memattr fixture kernel module(s) of fixtures/kmod/ for a lab kernel.
#
#   build-fixtures.sh --arch arm64|x86_64 --kernel-release REL --out DIR
#                     [--source PATH] [--suite sid] [--jobs N] [--cache DIR]
#   build-fixtures.sh --host [--out DIR]          (against /lib/modules/$(uname -r)/build)
#   build-fixtures.sh --kdir DIR [--arch A] [--out DIR]   (against any prepared kernel build tree)
#   build-fixtures.sh --arch A --kernel-release REL --print-paths
#                     (steps 1-3 only, then SOURCE=, CONFIG=, SOURCE_ID= on stdout: the pristine
#                     kernel source and Debian's config of REL, for tools/mutate.sh)
#
# Lab kernels (Debian's, fetched by runners/fetch-kernel.sh): REL is a Debian kernel release such as
# 7.2.13+deb14-arm64 (ABI 7.2.13+deb14, flavour arm64). The steps:
#   1. Debian's config of REL from the kernel cache ($CACHE/kernels/REL/usr/lib/modules/REL/config);
#      if it is not there, fetch-kernel.sh --arch A --flavour F --version ABI puts it there.
#   2. The kernel source: linux-source-X.Y at the kernel package's own Debian version (e.g.
#      linux-source-7.2=7.2.13-1), downloaded with the private apt helpers (runners/lib/private-apt.sh,
#      suite --suite, default $MEMATTR_KERNEL_SUITE or sid) and unpacked once into
#      $CACHE/kbuild/src/linux-source-VER/ (shared by all architectures, never written to).
#      --source PATH uses a local kernel tree, linux-source tarball (.tar.xz) or linux-source .deb instead.
#      The tree's Makefile version must equal REL's upstream version.
#   3. A prepared build tree per release, $CACHE/kbuild/REL/obj (kbuild O= directory): Debian's config,
#      SYSTEM_TRUSTED_KEYS and SYSTEM_REVOCATION_KEYS empty, MODULE_SIG_ALL off, `make olddefconfig`,
#      `make modules_prepare KERNELRELEASE=REL` (ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- for arm64).
#      It is reused while the config, source, compiler and this recipe are unchanged (stamp file), so a
#      second build takes seconds.
#   4. fixtures/kmod is copied to $CACHE/kbuild/REL/kmod and built with
#      `make -C obj M=... KERNELRELEASE=REL KBUILD_MODPOST_WARN=1 modules` (Debian ships no
#      Module.symvers, so modpost cannot check the kernel's exports; the module is unsigned and taints
#      the kernel "OE" when loaded). The vermagic of the result is checked against REL.
# --host / --kdir: `make -C DIR M=... modules` in a copy of fixtures/kmod under $CACHE/kbuild/kdir-*;
# the release comes from DIR/include/config/kernel.release (--host: must be `uname -r`).
# The built modules are copied to --out DIR (default: build/fixtures/REL).
#
# stdout, on success only: the absolute path of each built .ko, one a line (today: memattr_carveout.ko, memattr_warn.ko).
# Errors: one line on stderr, exit 2. Logs: $CACHE/kbuild/REL/logs/ (named in the error line).
# Needs: make gcc bison flex bc pahole (dwarves) libelf-dev libssl-dev xz-utils, and
# gcc-aarch64-linux-gnu for arm64. $CACHE is $MEMATTR_CACHE or ~/.cache/memattr.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

prog=build-fixtures
die() { echo "$prog: $*" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/kbuild.sh
. "$here/lib/kbuild.sh"
top=$(cd "$here/.." && pwd)
kmod_src=$top/fixtures/kmod
recipe=1 # bump when the preparation steps change, to invalidate prepared trees

arch="" rel="" out="" source_opt="" host=0 kdir="" jobs="" print_paths=0 cache="${MEMATTR_CACHE:-$HOME/.cache/memattr}"
suite=${MEMATTR_KERNEL_SUITE:-sid}
while [ $# -gt 0 ]; do
	case $1 in
	--arch) arch=${2:-}; shift 2 || die "--arch needs a value" ;;
	--kernel-release) rel=${2:-}; shift 2 || die "--kernel-release needs a value" ;;
	--out) out=${2:-}; shift 2 || die "--out needs a value" ;;
	--source) source_opt=${2:-}; shift 2 || die "--source needs a value" ;;
	--suite) suite=${2:-}; shift 2 || die "--suite needs a value" ;;
	--jobs | -j) jobs=${2:-}; shift 2 || die "--jobs needs a value" ;;
	--cache) cache=${2:-}; shift 2 || die "--cache needs a value" ;;
	--host) host=1; shift ;;
	--print-paths) print_paths=1; shift ;;
	--kdir) kdir=${2:-}; shift 2 || die "--kdir needs a value" ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument: $1 (see --help)" ;;
	esac
done
[ -f "$kmod_src/Kbuild" ] || die "no fixtures/kmod/Kbuild in $top"
[ -n "$jobs" ] || jobs=$(nproc 2>/dev/null || echo 2)
case $jobs in '' | *[!0-9]*) die "--jobs wants a number" ;; esac

# The caller's make (e.g. the project's Makefile) must not leak variables or O= into kbuild.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES KBUILD_OUTPUT KBUILD_EXTMOD O M ARCH CROSS_COMPILE \
	KERNELRELEASE KCONFIG_CONFIG CC LD CFLAGS LDFLAGS 2>/dev/null || true
export LC_ALL=C

need_tools() { # tool:package ...
	local t missing=""
	for t in "$@"; do
		command -v "${t%%:*}" >/dev/null 2>&1 || missing+=" ${t#*:}"
	done
	[ -z "$missing" ] || die "missing build tools; install:$missing"
}
need_header() { # header package
	echo "#include <$1>" | gcc -E -x c - >/dev/null 2>&1 || die "missing $1; install $2"
}

# Copy fixtures/kmod to a build directory (exact mirror of its build inputs) and build it there.
# $1 = kbuild tree for make -C, $2 = module build dir, $3 = log file, rest = extra make arguments.
build_kmod() {
	local kdir=$1 mdir=$2 log=$3
	shift 3
	mkdir -p "$mdir"
	# Drop sources that are gone from fixtures/kmod; keep objects for an incremental rebuild.
	local f
	for f in "$mdir"/Kbuild "$mdir"/Makefile "$mdir"/*.c "$mdir"/*.h; do
		[ -e "$f" ] || continue
		[ -e "$kmod_src/$(basename "$f")" ] || rm -f "$f"
	done
	for f in "$kmod_src"/Kbuild "$kmod_src"/Makefile "$kmod_src"/*.c "$kmod_src"/*.h; do
		[ -e "$f" ] || continue
		# Only changed files are copied (with a new mtime), so kbuild rebuilds exactly what changed.
		cmp -s "$f" "$mdir/$(basename "$f")" || cp "$f" "$mdir/"
	done
	if ! make -C "$kdir" M="$mdir" "$@" -j"$jobs" modules >"$log" 2>&1; then
		die "module build failed: $(grep -m1 -E 'error|Error' "$log" || tail -n1 "$log") (log: $log)"
	fi
}

# Copy the built .ko files of $1 to $2 and print their paths.
publish() {
	local mdir=$1 dest=$2 ko n=0
	mkdir -p "$dest" || die "cannot create $dest"
	dest=$(cd "$dest" && pwd -P)
	for ko in "$mdir"/*.ko; do
		[ -f "$ko" ] || continue
		if ! { cp "$ko" "$dest/.$(basename "$ko").tmp" && mv "$dest/.$(basename "$ko").tmp" "$dest/$(basename "$ko")"; }; then
			die "cannot write $dest/$(basename "$ko")"
		fi
		echo "$dest/$(basename "$ko")"
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || die "the build produced no .ko in $mdir"
}

mkdir -p "$cache" || die "cannot create cache directory $cache"
cache=$(cd "$cache" && pwd -P)

# ---------------------------------------------------------------- --host / --kdir
if [ "$host" = 1 ] && [ -z "$kdir" ]; then
	kdir=/lib/modules/$(uname -r)/build
	[ -f "$kdir/Makefile" ] || die "no kernel build tree at $kdir (install linux-headers-$(uname -r))"
fi
if [ -n "$kdir" ]; then
	[ -f "$kdir/Makefile" ] || die "--kdir $kdir is not a kernel build tree (no Makefile)"
	kdir=$(cd "$kdir" && pwd -P)
	krel=$(cat "$kdir/include/config/kernel.release" 2>/dev/null || true)
	[ -n "$krel" ] || die "$kdir has no include/config/kernel.release (run make modules_prepare there)"
	[ -z "$rel" ] || [ "$rel" = "$krel" ] || die "$kdir is for kernel $krel, not $rel"
	[ "$host" = 0 ] || [ "$krel" = "$(uname -r)" ] || die "$kdir is for kernel $krel, this machine runs $(uname -r)"
	need_tools make:make gcc:gcc modinfo:kmod
	kargs=()
	if [ -z "$arch" ] && [ -f "$kdir/.config" ]; then
		grep -q '^CONFIG_ARM64=y' "$kdir/.config" && arch=arm64
		grep -q '^CONFIG_X86_64=y' "$kdir/.config" && arch=x86_64
	fi
	case ${arch:-} in
	"") ;;
	arm64 | aarch64) kargs+=(ARCH=arm64); [ "$(uname -m)" = aarch64 ] || kargs+=(CROSS_COMPILE=aarch64-linux-gnu-) ;;
	x86_64 | amd64) kargs+=(ARCH=x86); [ "$(uname -m)" = x86_64 ] || kargs+=(CROSS_COMPILE=x86_64-linux-gnu-) ;;
	*) die "unsupported --arch $arch (arm64|x86_64)" ;;
	esac
	# Distribution header trees ship Module.symvers; a bare modules_prepare tree does not.
	[ -f "$kdir/Module.symvers" ] || kargs+=(KBUILD_MODPOST_WARN=1)
	work=$cache/kbuild/kdir-$krel-$(printf '%s' "$kdir" | sha256sum | cut -c1-8)
	mkdir -p "$work/logs"
	exec 9>"$work/.lock"
	flock 9 || die "cannot lock $work/.lock"
	build_kmod "$kdir" "$work/kmod" "$work/logs/kmod.log" "${kargs[@]}"
	for ko in "$work"/kmod/*.ko; do
		[ -f "$ko" ] && memattr_kb_check_vermagic "$ko" "$krel"
	done
	publish "$work/kmod" "${out:-$top/build/fixtures/$krel}"
	exit 0
fi

# ---------------------------------------------------------------- lab kernel
[ -n "$arch" ] || die "--arch arm64|x86_64 is required (or --host)"
[ -n "$rel" ] || die "--kernel-release REL is required (e.g. 7.2.13+deb14-arm64; see runners/fetch-kernel.sh)"
case $arch in
arm64 | aarch64) arch=arm64 darch=arm64 karch=arm64 cross=aarch64-linux-gnu- umach=aarch64 ;;
x86_64 | amd64) arch=x86_64 darch=amd64 karch=x86 cross=x86_64-linux-gnu- umach=x86_64 ;;
*) die "unsupported --arch $arch (arm64|x86_64)" ;;
esac
# A native build needs no prefix (and then works without the x86_64-linux-gnu-gcc alias).
[ "$(uname -m)" != "$umach" ] || cross=""
case $rel in
*/* | *' '* | .*) die "bad kernel release: $rel" ;;
[0-9]*.*-*) ;;
*) die "kernel release $rel is not of the form <abi>-<flavour> (e.g. 7.2.13+deb14-arm64)" ;;
esac
abi=${rel%%-*} flavour=${rel#*-}
upstream=${abi%%[+~]*}          # 7.2.13
series=$(echo "$upstream" | cut -d. -f1,2) # 7.2

need_tools make:make gcc:gcc "${cross:-x86_64-linux-gnu-}gcc:gcc-${cross:+${cross%-}}" bison:bison flex:flex bc:bc pahole:dwarves \
	xz:xz-utils tar:tar dpkg:dpkg modinfo:kmod perl:perl
need_header gelf.h libelf-dev
need_header openssl/opensslv.h libssl-dev

work=$cache/kbuild/$rel
logs=$work/logs
mkdir -p "$logs"
exec 9>"$work/.lock"
flock 9 || die "cannot lock $work/.lock"

# ---- 1. Debian's config (and the kernel package version, for the matching source)
kcache=$cache/kernels/$rel
config=$kcache/usr/lib/modules/$rel/config
if [ ! -f "$config" ]; then
	fk_out=$("$here/fetch-kernel.sh" --arch "$darch" --flavour "$flavour" --version "$abi" --suite "$suite" \
		--cache "$cache" 2>"$logs/fetch-kernel.log") ||
		die "cannot fetch kernel $rel: $(tail -n1 "$logs/fetch-kernel.log")"
	mdir=$(printf '%s\n' "$fk_out" | sed -n 's/^MODULES_DIR=//p')
	krel=$(printf '%s\n' "$fk_out" | sed -n 's/^KERNEL_RELEASE=//p')
	[ "$krel" = "$rel" ] || die "fetch-kernel.sh resolved $krel, not $rel"
	config=$mdir/config
	[ -f "$config" ] || die "kernel $rel has no config file ($config)"
fi
kver=""
if [ -f "$kcache/.memattr-stamp" ]; then
	kver=$(sed -n "s/^linux-binary-$rel:[a-z0-9]*=//p; s/^linux-image-$rel:[a-z0-9]*=//p" "$kcache/.memattr-stamp" | head -n1)
fi

# ---- 2. kernel source (a pristine tree; kbuild writes only into O=)
# Unpack a linux-source tarball ($1) into $2 (the tree ends up at $2/linux-source-*).
unpack_tarball() {
	local tarball=$1 dest=$2 tmp
	tmp=$dest.tmp-$$
	rm -rf "$tmp"
	mkdir -p "$tmp"
	tar -xf "$tarball" -C "$tmp" 2>"$logs/source.log" || { rm -rf "$tmp"; die "cannot unpack $tarball (log: $logs/source.log)"; }
	local t
	t=$(find "$tmp" -mindepth 2 -maxdepth 2 -name Makefile -printf '%h\n' | head -n1)
	[ -n "$t" ] || { rm -rf "$tmp"; die "$tarball holds no kernel tree"; }
	rm -rf "$dest"
	mv "$t" "$dest"
	rm -rf "$tmp"
}
# Extract the tarball from a linux-source .deb ($1) and unpack it into $2.
unpack_deb() {
	local deb=$1 dest=$2 x tarball
	x=$dest.deb-$$
	rm -rf "$x"
	dpkg -x "$deb" "$x" 2>"$logs/source.log" || { rm -rf "$x"; die "dpkg -x $deb failed (log: $logs/source.log)"; }
	tarball=$(find "$x/usr/src" -maxdepth 1 -name 'linux-source-*.tar.*' | head -n1)
	[ -n "$tarball" ] || { rm -rf "$x"; die "$deb holds no linux-source tarball"; }
	unpack_tarball "$tarball" "$dest"
	rm -rf "$x"
}

srcroot=$cache/kbuild/src
mkdir -p "$srcroot"
if [ -n "$source_opt" ]; then
	[ -e "$source_opt" ] || die "--source not found: $source_opt"
	source_opt=$(cd "$(dirname "$source_opt")" && pwd -P)/$(basename "$source_opt")
	if [ -d "$source_opt" ]; then
		if [ ! -f "$source_opt/Makefile" ] || [ ! -d "$source_opt/scripts/kconfig" ]; then
			die "--source $source_opt is not a kernel tree"
		fi
		if [ -e "$source_opt/.config" ] || [ -d "$source_opt/include/config" ]; then
			die "--source $source_opt is not clean (has .config or include/config; run make mrproper in a copy)"
		fi
		src=$source_opt
		src_id="dir:$src"
	else
		# A tarball or .deb: unpack it once into the cache, keyed by its name and size.
		key=$(basename "$source_opt" | tr -c 'A-Za-z0-9.+~_-' '_')-$(stat -c %s "$source_opt")
		src=$srcroot/local-$key
		if [ ! -f "$src/.memattr-stamp" ]; then
			exec 8>"$srcroot/.lock"
			flock 8 || die "cannot lock $srcroot/.lock"
			if [ ! -f "$src/.memattr-stamp" ]; then
				case $source_opt in
				*.deb) unpack_deb "$source_opt" "$src" ;;
				*.tar | *.tar.*) unpack_tarball "$source_opt" "$src" ;;
				*) die "--source wants a kernel tree, a .tar.xz or a linux-source .deb: $source_opt" ;;
				esac
				echo "$source_opt" >"$src/.memattr-stamp"
			fi
			exec 8>&-
		fi
		src_id="file:$key"
	fi
else
	# shellcheck source=lib/apt-sources.sh
	. "$here/lib/apt-sources.sh"
	# shellcheck source=lib/private-apt.sh
	. "$here/lib/private-apt.sh"
	spkg=linux-source-$series
	sver=$kver
	src=""
	if [ -n "$sver" ] && [ -f "$srcroot/$spkg-$sver/.memattr-stamp" ]; then
		src=$srcroot/$spkg-$sver # already unpacked: no apt at all
	else
		memattr_papt_init "$cache" "$suite" 2>"$logs/apt.log" || die "$(tail -n1 "$logs/apt.log")"
		if [ -z "$sver" ]; then
			# Kernel given by its config only: take the suite's candidate, checked against REL below.
			sver=$(apt-cache policy "$spkg" 2>/dev/null |
				awk '/^  Candidate:/ { if ($2 != "(none)") print $2; exit }')
			[ -n "$sver" ] || die "suite $suite has no $spkg (pass --source PATH)"
		fi
		src=$srcroot/$spkg-$sver
		exec 8>"$srcroot/.lock"
		flock 8 || die "cannot lock $srcroot/.lock"
		if [ ! -f "$src/.memattr-stamp" ]; then
			apt-cache show "$spkg=$sver" >/dev/null 2>&1 ||
				die "suite $suite has no $spkg=$sver for kernel $rel (pass --source PATH to a $upstream tree)"
			dl=$srcroot/.dl-$$
			rm -rf "$dl"
			memattr_papt_download "$dl" "$spkg=$sver" 2>"$logs/apt.log" || { rm -rf "$dl"; die "$(tail -n1 "$logs/apt.log")"; }
			deb=$(find "$dl" -maxdepth 1 -name "${spkg}_*.deb" | head -n1)
			[ -n "$deb" ] || { rm -rf "$dl"; die "apt-get download $spkg=$sver gave no .deb"; }
			unpack_deb "$deb" "$src"
			rm -rf "$dl"
			echo "$spkg=$sver" >"$src/.memattr-stamp"
		fi
		exec 8>&-
	fi
	src_id="deb:$spkg=$sver"
fi
tv=$(memattr_kb_tree_version "$src")
[ "$tv" = "$upstream" ] || die "kernel source $src is version ${tv:-unknown}, kernel $rel wants $upstream"

# ---- 3. prepared build tree (O=) for this release (runners/lib/kbuild.sh)
obj=$work/obj
kmake=(make -C "$src" O="$obj" ARCH="$karch" KERNELRELEASE="$rel")
[ -z "$cross" ] || kmake+=(CROSS_COMPILE="$cross")
ccver=$("${cross}gcc" --version | head -n1)
want_stamp=$(printf 'recipe=%s\nsource=%s\nconfig=%s\ncc=%s\npahole=%s\n' "$recipe" "$src_id" \
	"$(sha256sum <"$config" | cut -d' ' -f1)" "$ccver" "$(pahole --version 2>/dev/null)")
memattr_kb_prepare "$obj" "$config" "$rel" "$logs" "$jobs" "$want_stamp"
if [ "$print_paths" = 1 ]; then
	printf 'SOURCE=%s\nCONFIG=%s\nSOURCE_ID=%s\n' "$src" "$config" "$src_id"
	exit 0
fi

# ---- 4. the module(s)
mk_args=(ARCH="$karch" KERNELRELEASE="$rel" KBUILD_MODPOST_WARN=1)
[ -z "$cross" ] || mk_args+=(CROSS_COMPILE="$cross")
build_kmod "$obj" "$work/kmod" "$logs/kmod.log" "${mk_args[@]}"
for ko in "$work"/kmod/*.ko; do
	[ -f "$ko" ] && memattr_kb_check_vermagic "$ko" "$rel"
done
publish "$work/kmod" "${out:-$top/build/fixtures/$rel}"
