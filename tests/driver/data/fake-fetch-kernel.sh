#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Fake runners/fetch-kernel.sh for the driver tests (through MEMATTR_FETCH_KERNEL): same arguments and
# output; flavour "broken" fails like a missing package. Every call is logged in $cache/fake/calls.
set -u
arch="" flavour="" image="" cache="" modules=""
while [ $# -gt 0 ]; do
	case $1 in
	--arch) arch=$2; shift 2 ;;
	--flavour) flavour=$2; shift 2 ;;
	--suite) shift 2 ;;
	--cache) cache=$2; shift 2 ;;
	--image) image=$2; shift 2 ;;
	--modules) modules=$2; shift 2 ;;
	*) echo "fetch-kernel: unknown argument: $1" >&2; exit 1 ;;
	esac
done
mkdir -p "$cache/fake"
echo "$arch $flavour${image:+ $image}" >>"$cache/fake/calls"
if [ "$flavour" = broken ]; then
	echo "fetch-kernel: no package linux-image-broken in sid" >&2
	exit 2
fi
if [ -n "$image" ]; then
	[ -f "$image" ] || { echo "fetch-kernel: image not found: $image" >&2; exit 2; }
	img=$image rel=custom-$arch
else
	img=$cache/fake/vmlinuz-$arch-$flavour rel=7.2.13+deb14-$flavour
	: >"$img"
fi
: >"$cache/fake/busybox-$arch"
echo "fetch-kernel: warning: fake kernels" >&2
cat <<EOT
KERNEL_IMAGE=$img
MODULES_DIR=${modules:-$cache/fake/modules}
KERNEL_RELEASE=$rel
KERNEL_PACKAGE=linux-binary-$rel
KERNEL_VERSION=7.2.13-1
BUSYBOX=$cache/fake/busybox-$arch
EOT
