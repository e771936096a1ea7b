#!/usr/bin/env bash
# Install the Linux UAPI headers of the lab kernels' generation (linux-libc-dev from a newer Debian
# suite) for one architecture into OUT/include, so that host code compiles against the same
# KVM API as the kernels it tests.  Usage: fetch-uapi.sh ARCH(x86_64|aarch64) OUT [SUITE]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/apt-sources.sh"
. "$here/lib/private-apt.sh"
arch=${1:?arch}; out=${2:?out dir}; suite=${3:-${MEMATTR_KERNEL_SUITE:-sid}}
case $arch in
	x86_64) darch=amd64; triplet=x86_64-linux-gnu ;;
	aarch64) darch=arm64; triplet=aarch64-linux-gnu ;;
	*) echo "fetch-uapi: unknown arch '$arch'" >&2; exit 2 ;;
esac
cache=${MEMATTR_CACHE:-$HOME/.cache/memattr}
[ -f "$out/include/linux/kvm.h" ] && [ -f "$out/include/asm/kvm.h" ] && exit 0
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
