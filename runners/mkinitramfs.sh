#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# mkinitramfs.sh: build the initramfs of a memattr cell (newc cpio, gzip).
#
#   mkinitramfs.sh --arch arm64|x86_64 --busybox PATH --modules-dir DIR --kernel-release REL
#                  --bin-dir DIR --out FILE.cpio.gz [--init FILE] [--modules "m1 m2 ..."]
#                  [--fixtures-dir DIR]   (the project's fixture modules, *.ko -> /memattr/fixtures/)
#                  [--extra-modules "m1 m2 ..."]   (added to the default or --modules list)
#                  [--packages-root DIR --packages "name=version ..."]
#                                  (Debian tools and their libraries, runners/fetch-packages.sh)
#
# Contents:
#   /init                  runners/cell/init.sh (or --init FILE)
#   /bin/busybox           the static busybox of the cell's architecture, plus applet symlinks in /bin
#   /sbin /usr/bin /usr/sbin -> bin
#   /dev/console           character device 5:1 (prepended as a separate small archive, no root needed)
#   /memattr/bin/*         every executable regular file of --bin-dir
#   /memattr/modules/*.ko  x86_64: kvm and what it needs, decompressed, default list
#                          "irqbypass ccp kvm kvm-amd" plus every dependency modinfo names, and
#                          /memattr/modules/order (one file name a line, dependencies first).
#                          Modules built into the kernel (modules.builtin) are skipped.
#   /bin/<tool>, /lib..., /usr/lib/...  with --packages-root: its tree (the executables of Debian
#                          packages, the shared libraries they need, the dynamic loader), and
#                          /memattr/packages (one "name=version" a line, from --packages).
# arm64 needs no module (KVM is built in); --modules adds some for either architecture.
# The archive is deterministic: sorted, owner 0:0, mtimes $SOURCE_DATE_EPOCH (default 0), gzip -n.
set -euo pipefail

prog=mkinitramfs
die() { echo "$prog: $*" >&2; exit 2; }
usage_die() { echo "$prog: $*" >&2; exit 1; }

here=$(cd "$(dirname "$0")" && pwd)
arch="" busybox="" moddir="" krel="" bindir="" out="" init=$here/cell/init.sh modules_opt="-" fixdir="" extra_mods=""
pkgroot="" pkglist=""
while [ $# -gt 0 ]; do
	case $1 in
	--arch) arch=${2:?}; shift 2 ;;
	--busybox) busybox=${2:?}; shift 2 ;;
	--modules-dir) moddir=${2-}; shift 2 ;;
	--kernel-release) krel=${2-}; shift 2 ;;
	--bin-dir) bindir=${2:?}; shift 2 ;;
	--out) out=${2:?}; shift 2 ;;
	--init) init=${2:?}; shift 2 ;;
	--modules) modules_opt=${2-}; shift 2 ;;
	--fixtures-dir) fixdir=${2-}; shift 2 ;;
	--extra-modules) extra_mods="$extra_mods ${2-}"; shift 2 ;;
	--packages-root) pkgroot=${2-}; shift 2 ;;
	--packages) pkglist=${2-}; shift 2 ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) usage_die "unknown argument: $1" ;;
	esac
done
case $arch in
arm64 | aarch64) arch=arm64 elf_machine=AArch64 ;;
x86_64 | amd64) arch=x86_64 elf_machine="Advanced Micro Devices X86-64" ;;
"") usage_die "--arch arm64|x86_64 is required" ;;
*) usage_die "unsupported --arch $arch" ;;
esac
[ -n "$busybox" ] || usage_die "--busybox PATH is required"
[ -n "$bindir" ] || usage_die "--bin-dir DIR is required"
[ -n "$out" ] || usage_die "--out FILE is required"
if [ "$modules_opt" = - ]; then
	if [ "$arch" = x86_64 ]; then modules_opt="irqbypass ccp kvm kvm-amd"; else modules_opt=""; fi
fi
modules_opt="$modules_opt${extra_mods:+ $extra_mods}"
for t in cpio gzip readelf; do
	command -v "$t" >/dev/null 2>&1 || die "missing host tool: $t"
done

[ -f "$busybox" ] || die "busybox not found: $busybox"
[ -f "$init" ] || die "init script not found: $init"
[ -d "$bindir" ] || die "bin directory not found: $bindir"

# Check that an ELF file is for the cell's architecture and static; scripts pass.
check_elf() {
	local f=$1 hdr
	[ "$(head -c4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] || return 0
	hdr=$(LC_ALL=C readelf -hW "$f" 2>/dev/null) || die "$f: unreadable ELF file"
	grep -q "Machine:[[:space:]]*$elf_machine\$" <<<"$hdr" ||
		die "$f is not an $arch executable ($(sed -n 's/^ *Machine:[[:space:]]*//p' <<<"$hdr"))"
	if LC_ALL=C readelf -lW "$f" 2>/dev/null | grep -q 'Requesting program interpreter'; then
		die "$f is dynamically linked; the cell has no shared libraries (link it with -static)"
	fi
}
check_elf "$busybox"

export LC_ALL=C
stage=$(mktemp -d "${TMPDIR:-/tmp}/memattr-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT
root=$stage/root
mkdir -p "$root"/{bin,dev,proc,sys,tmp,run,root,etc,usr,memattr/bin}
chmod 1777 "$root/tmp"
ln -s bin "$root/sbin"
ln -s ../bin "$root/usr/bin"
ln -s ../bin "$root/usr/sbin"
install -m 0755 "$busybox" "$root/bin/busybox"
# Applets init.sh uses, and a few for suites and debugging.
applets="sh ash mount umount mkdir rmdir cat echo printf uname grep egrep sed awk tr cut head tail wc sort uniq
	dmesg insmod rmmod lsmod modprobe modinfo poweroff reboot halt sync sleep usleep ls ln cp mv rm chmod
	touch test [ [[ env true false basename dirname readlink realpath find xargs ps kill nproc free
	dd od hexdump xxd stat date id seq expr timeout tee sysctl mknod devmem taskset nsenter unshare
	setsid getopt vi less more"
for a in $applets; do
	ln -s busybox "$root/bin/$a"
done
install -m 0755 "$init" "$root/init"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"

n=0
for f in "$bindir"/*; do
	if [ ! -f "$f" ] || [ ! -x "$f" ]; then continue; fi
	check_elf "$f"
	install -m 0755 "$f" "$root/memattr/bin/$(basename "$f")"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || echo "$prog: warning: no executable in $bindir" >&2

# ---------------------------------------------------------------- fixture modules
if [ -n "$fixdir" ]; then
	[ -d "$fixdir" ] || die "fixtures dir $fixdir not found"
	mkdir -p "$root/memattr/fixtures"
	for f in "$fixdir"/*.ko; do
		[ -f "$f" ] && install -m 0644 "$f" "$root/memattr/fixtures/"
	done
fi

# ---------------------------------------------------------------- Debian packages
# The tree of runners/fetch-packages.sh: dynamically linked executables of the cell's architecture
# with their libraries and the loader (the static-only rule of check_elf is for the suites).
add_packages() {
	local f n=0
	[ -d "$pkgroot/bin" ] || die "packages root $pkgroot has no bin/ directory"
	[ -n "$pkglist" ] || die "--packages-root needs --packages (the name=version list)"
	for f in "$pkgroot"/bin/*; do
		[ -f "$f" ] || continue
		LC_ALL=C readelf -hW "$f" 2>/dev/null | grep -q "Machine:[[:space:]]*$elf_machine\$" ||
			die "$f is not an $arch executable"
		[ ! -e "$root/bin/$(basename "$f")" ] || die "package executable $(basename "$f") would replace /bin/$(basename "$f")"
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || die "no executable in $pkgroot/bin"
	cp -a "$pkgroot/." "$root/" || die "cannot copy $pkgroot"
	tr -s ' ' '\n' <<<"$pkglist" | grep . >"$root/memattr/packages"
}
[ -z "$pkgroot" ] || add_packages

# ---------------------------------------------------------------- kernel modules
if [ -n "$modules_opt" ]; then
	[ -n "$moddir" ] || die "--modules-dir is required for the modules: $modules_opt"
	[ -d "$moddir/kernel" ] || die "no kernel/ directory in modules dir $moddir"
	if [ -n "$krel" ] && [ "$(basename "$moddir")" != "$krel" ]; then
		die "modules dir $moddir does not match kernel release $krel"
	fi
	command -v modinfo >/dev/null 2>&1 || die "missing host tool: modinfo (kmod)"
	mkdir -p "$root/memattr/modules"
	# name (with - and _ folded to _) -> path of the module file
	index=$stage/modindex
	find "$moddir/kernel" -type f \( -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst' -o -name '*.ko.gz' \) |
		sort | awk '{ n = $0; sub(/.*\//, "", n); sub(/\.ko(\.(xz|zst|gz))?$/, "", n); gsub(/-/, "_", n); print n, $0 }' >"$index"
	builtin=$stage/builtin
	if [ -f "$moddir/modules.builtin" ]; then
		sed 's|.*/||; s|\.ko$||; s|-|_|g' "$moddir/modules.builtin" | sort -u >"$builtin"
	else
		: >"$builtin"
	fi
	order=$stage/order
	: >"$order"
	declare -A state=()
	add_module() { # name, requested-by
		local name=$1 key path base dst deps d
		key=${name//-/_}
		case ${state[$key]:-} in
		loaded) return 0 ;;
		busy) die "module dependency loop at $name" ;;
		esac
		if grep -qx "$key" "$builtin"; then
			state[$key]=loaded
			return 0
		fi
		path=$(awk -v k="$key" '$1 == k { print $2; exit }' "$index")
		[ -n "$path" ] || die "module $name${2:+ (needed by $2)} not found under $moddir/kernel"
		state[$key]=busy
		base=$(basename "$path")
		base=${base%.xz}; base=${base%.zst}; base=${base%.gz}
		dst=$root/memattr/modules/$base
		case $path in
		*.ko.xz) xz -dc "$path" >"$dst" ;;
		*.ko.zst) zstd -dcq "$path" >"$dst" ;;
		*.ko.gz) gzip -dc "$path" >"$dst" ;;
		*) cp "$path" "$dst" ;;
		esac || die "cannot decompress $path"
		deps=$(modinfo -F depends "$dst" 2>/dev/null) || die "modinfo failed on $path"
		for d in ${deps//,/ }; do
			add_module "$d" "$name"
		done
		echo "$base" >>"$order"
		state[$key]=loaded
	}
	for m in $modules_opt; do
		add_module "$m" ""
	done
	install -m 0644 "$order" "$root/memattr/modules/order"
fi

# ---------------------------------------------------------------- archive
epoch=${SOURCE_DATE_EPOCH:-0}
find "$root" -exec touch -h -d "@$epoch" {} +

# newc header for one entry: name mode(octal) rdevmajor rdevminor
newc_entry() {
	local name=$1 mode=$2 maj=$3 min=$4 ino=$5 namesize pad
	namesize=$((${#name} + 1))
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		"$ino" "$((8#$mode))" 0 0 1 "$epoch" 0 0 0 "$maj" "$min" "$namesize" 0
	printf '%s\0' "$name"
	pad=$(((4 - (110 + namesize) % 4) % 4))
	head -c "$pad" /dev/zero
}

mkdir -p "$(dirname "$out")"
tmp_out=$out.tmp.$$
{
	# A first archive with /dev/console, so the kernel has a console before /init mounts devtmpfs;
	# the kernel unpacks concatenated archives.
	newc_entry dev 040755 0 0 1
	newc_entry dev/console 020600 5 1 2
	newc_entry 'TRAILER!!!' 0 0 0 0
	(cd "$root" && find . -mindepth 1 | sed 's|^\./||' | sort |
		cpio -o -H newc -R 0:0 --reproducible --quiet)
} | gzip -n -6 >"$tmp_out" || { rm -f "$tmp_out"; die "cannot write $out"; }
mv "$tmp_out" "$out"
