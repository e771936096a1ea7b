#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Fake runners/mkinitramfs.sh for the driver tests (through MEMATTR_MKINITRAMFS): writes --out and
# saves its arguments next to it (<out>.args).
set -u
out=""
all="$*"
while [ $# -gt 0 ]; do
	case $1 in
	--out) out=$2; shift 2 ;;
	--arch | --busybox | --modules-dir | --kernel-release | --bin-dir | --extra-modules | --fixtures-dir) shift 2 ;;
	*) echo "mkinitramfs: unknown argument: $1" >&2; exit 1 ;;
	esac
done
[ -n "$out" ] || { echo "mkinitramfs: --out FILE is required" >&2; exit 1; }
echo "fake initramfs" >"$out"
echo "$all" >"$out.args"
