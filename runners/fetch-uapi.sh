#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Put the Linux UAPI headers the host code compiles against for one architecture into OUT/include.
# Usage: fetch-uapi.sh ARCH(x86_64|aarch64) OUT [SUITE]
# Where they come from, in this order:
#   MEMATTR_UAPI_DIR (make UAPI_DIR= or UAPI_DIR_<arch>=): a directory with linux/kvm.h and the
#     architecture's asm/ (a kernel's usr/include after `make ARCH=... headers_install`), or with
#     <triplet>/asm/ (a Debian usr/include, which has every architecture's); an error if it lacks
#     part of the KVM API the host code uses;
#   the installed headers (/usr/include for this machine's architecture, /usr/<triplet>/include of the
#     cross toolchain for the other) when they have all of it;
#   else linux-libc-dev of the lab kernels' generation, downloaded from a newer Debian suite.
# OUT/SOURCE records the choice and changes (its mtime with it) only when the choice does, so that
# make rebuilds the host code then and only then.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
arch=${1:?arch}; out=${2:?out dir}; suite=${3:-${MEMATTR_KERNEL_SUITE:-sid}}
case $arch in
	x86_64) darch=amd64; triplet=x86_64-linux-gnu; arch_sym=__KVM_HAVE_PIT; arch_required=KVM_X86_DEFAULT_VM ;;
	aarch64) darch=arm64; triplet=aarch64-linux-gnu; arch_sym=KVM_REG_ARM_CORE; arch_required="" ;;
	*) echo "fetch-uapi: unknown arch '$arch'" >&2; exit 2 ;;
esac
# The newest KVM API the host code uses (extend it when the code uses a newer ioctl or capability):
# headers that define all of these (and asm/kvm.h arch_required) compile it.  arch_sym, an old
# definition, proves asm/kvm.h is $arch's.
required="KVM_SET_USER_MEMORY_REGION2 KVM_CAP_USER_MEMORY2 KVM_CREATE_GUEST_MEMFD KVM_CAP_GUEST_MEMFD
	KVM_MEM_GUEST_MEMFD KVM_CAP_GUEST_MEMFD_FLAGS KVM_SET_MEMORY_ATTRIBUTES KVM_CAP_MEMORY_ATTRIBUTES
	KVM_CAP_MEMORY_FAULT_INFO KVM_EXIT_MEMORY_FAULT KVM_CAP_VM_TYPES KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED"

# The asm/ directory of $arch under include directory $1, or nothing.
asm_dir() {
	if [ -f "$1/$triplet/asm/kvm.h" ]; then
		echo "$1/$triplet/asm"
	elif [ -f "$1/asm/kvm.h" ]; then
		echo "$1/asm"
	fi
}

# What include directory $1 lacks of the required API (nothing: it has all of it).
lacks() {
	local asm s
	asm=$(asm_dir "$1")
	if [ ! -f "$1/linux/kvm.h" ]; then
		echo "linux/kvm.h"
		return
	fi
	if [ -z "$asm" ]; then
		echo "asm/kvm.h"
		return
	fi
	for s in $required; do
		grep -Eq "^[[:space:]]*#[[:space:]]*define[[:space:]]+$s([[:space:]]|$)" "$1/linux/kvm.h" || echo "$s"
	done
	if ! grep -Eq "^[[:space:]]*#[[:space:]]*define[[:space:]]+$arch_sym([[:space:]]|$)" "$asm/kvm.h"; then
		echo "$arch_sym (its asm/kvm.h is not $arch's)"
		return
	fi
	for s in $arch_required; do
		grep -Eq "^[[:space:]]*#[[:space:]]*define[[:space:]]+$s([[:space:]]|$)" "$asm/kvm.h" || echo "$s"
	done
}

if [ -n "${MEMATTR_UAPI_DIR:-}" ]; then
	dir=$(cd "$MEMATTR_UAPI_DIR" 2>/dev/null && pwd) || {
		echo "fetch-uapi: UAPI_DIR $MEMATTR_UAPI_DIR: no such directory" >&2
		exit 2
	}
	missing=$(lacks "$dir")
	if [ -n "$missing" ]; then
		echo "fetch-uapi: UAPI_DIR $dir cannot build the $arch host code, it lacks:" \
			"$(tr '\n' ' ' <<<"$missing")" >&2
		echo "fetch-uapi: give a kernel's usr/include (make ARCH=... headers_install) or a Debian" \
			"usr/include with $triplet/asm, per architecture as UAPI_DIR_$arch=" >&2
		exit 2
	fi
	want="dir $dir"
else
	installed=/usr/include
	[ "$arch" = "$(uname -m)" ] || installed=/usr/$triplet/include
	if [ -z "$(lacks "$installed")" ]; then
		dir=$installed
		want="dir $dir"
	else
		want="download $suite"
	fi
fi

record() {
	[ "$(cat "$out/SOURCE" 2>/dev/null)" = "$want" ] || echo "$want" >"$out/SOURCE"
}
if [ -f "$out/include/linux/kvm.h" ] && [ -f "$out/include/asm/kvm.h" ]; then
	have=$(cat "$out/SOURCE" 2>/dev/null || echo "download $suite") # before SOURCE: a download
	if [ "$have" = "$want" ]; then
		record
		exit 0
	fi
fi

if [ "${want%% *}" = dir ]; then
	rm -rf "$out"; mkdir -p "$out/include"
	cp -rL "$dir/linux" "$dir/asm-generic" "$out/include/"
	cp -rL "$(asm_dir "$dir")" "$out/include/asm"
	echo "$dir" >"$out/VERSION"
	echo "fetch-uapi: $arch host code builds against the UAPI headers in $dir" >&2
	record
	exit 0
fi

# shellcheck source=runners/lib/apt-sources.sh
. "$here/lib/apt-sources.sh"
# shellcheck source=runners/lib/private-apt.sh
. "$here/lib/private-apt.sh"
cache=${MEMATTR_CACHE:-$HOME/.cache/memattr}
memattr_papt_init "$cache" "$suite"
dl=$cache/uapi-$suite
if [ ! -d "$dl/x/usr/include/linux" ]; then
	rm -rf "$dl"; mkdir -p "$dl"
	# newer Debian ships one arch-independent linux-libc-dev with every arch's asm/ under
	# usr/include/<triplet>/; older suites ship it per architecture
	memattr_papt_download "$dl" linux-libc-dev || memattr_papt_download "$dl" "linux-libc-dev:$darch"
	dpkg -x "$(ls "$dl"/linux-libc-dev_*.deb)" "$dl/x"
fi
deb=$(ls "$dl"/linux-libc-dev_*.deb)
src=$dl/x/usr/include
rm -rf "$out"; mkdir -p "$out/include"
for d in "$src"/*; do
	case $(basename "$d") in *-linux-gnu*) continue ;; esac
	cp -rL "$d" "$out/include/"
done
if [ -d "$src/$triplet/asm" ]; then
	cp -rL "$src/$triplet/asm" "$out/include/asm"
fi
basename "$deb" > "$out/VERSION"
[ -f "$out/include/linux/kvm.h" ] || { echo "fetch-uapi: $deb has no linux/kvm.h" >&2; exit 2; }
record
