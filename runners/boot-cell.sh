#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# boot-cell.sh: boot one memattr cell under QEMU TCG (manual/debug launcher; the real driver is in C
# and uses the same command lines).
#
#   boot-cell.sh --arch arm64|x86_64 --kernel IMG --initrd FILE [--cpu max] [--smp 2] [--mem 2G]
#                [--append "..."] [--timeout 300] [--qemu PATH] [--pci ivshmem] [--dry-run]
#                [-- extra qemu args...]
# --dry-run prints the QEMU argv (shell-quoted, one line) on stdout instead of running it.
#
# Exact argv (user --append text is added after the fixed part; "-- args" go at the end):
#
# arm64:
#   qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu <cpu> -smp <smp> -m <mem>
#     -accel tcg,thread=multi -nographic -no-reboot -nic none
#     -kernel <IMG> -initrd <FILE>
#     -append "console=ttyAMA0 quiet loglevel=3 panic=-1 <append>"
#
# x86_64:
#   qemu-system-x86_64 -accel tcg -cpu <cpu> -smp <smp> -m <mem>
#     -nographic -machine graphics=on -no-reboot -nic none
#     -kernel <IMG> -initrd <FILE>
#     -append "console=ttyS0 quiet loglevel=3 panic=-1 <append>"
#
# -nic none: the cells need no network (and x86 then loads no iPXE ROM). -machine graphics=on (x86):
# with -nographic alone SeaBIOS turns on its serial console and writes its banner, iPXE's prompt and
# "ESC c ESC[?7l ESC[2J" (when the kernel's setup code sets the video mode) onto ttyS0, the last one
# glued to the start of the first line /init prints; graphics=on keeps the serial line clean.
# --pci ivshmem (a cell's "pci = ivshmem"): arm64 adds ",iommu=smmuv3" to -M, x86_64 makes the machine
# "q35,graphics=on" and adds "-device intel-iommu" after -append; both then add, twice (N = 0, 1),
#   -object memory-backend-ram,id=memattr-ivshmemN,size=4M -device ivshmem-plain,memdev=memattr-ivshmemN
# and the kernel command line gets memattr.pci=ivshmem (before the --append text).
# Both run under `timeout -k 10 <timeout>` (with --foreground when stdin is a terminal, so that QEMU
# can use it). Exit status: QEMU's (0 after the cell's poweroff), 124 on timeout.
# Example: boot-cell.sh --arch arm64 --kernel vmlinuz --initrd initrd.cpio.gz --append memattr.suites=hello
set -euo pipefail

prog=boot-cell
die() { echo "$prog: $*" >&2; exit 2; }
usage_die() { echo "$prog: $*" >&2; exit 1; }

arch="" kernel="" initrd="" cpu=max smp=2 mem=2G append="" tmo=300 qemu="" dry=0 pci=""
extra=()
while [ $# -gt 0 ]; do
	case $1 in
	--arch) arch=${2:?}; shift 2 ;;
	--kernel) kernel=${2:?}; shift 2 ;;
	--initrd) initrd=${2:?}; shift 2 ;;
	--cpu) cpu=${2:?}; shift 2 ;;
	--smp) smp=${2:?}; shift 2 ;;
	--mem) mem=${2:?}; shift 2 ;;
	--append) append=${2-}; shift 2 ;;
	--timeout) tmo=${2:?}; shift 2 ;;
	--qemu) qemu=${2:?}; shift 2 ;;
	--dry-run) dry=1; shift ;;
	--pci) pci=${2:?}; shift 2 ;;
	--) shift; extra=("$@"); break ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) usage_die "unknown argument: $1" ;;
	esac
done
[ -n "$kernel" ] || usage_die "--kernel IMG is required"
[ -n "$initrd" ] || usage_die "--initrd FILE is required"
[ -f "$kernel" ] || die "kernel image not found: $kernel"
[ -f "$initrd" ] || die "initrd not found: $initrd"
case $tmo in '' | *[!0-9]*) usage_die "--timeout wants seconds" ;; esac

base_append="quiet loglevel=3 panic=-1"
case $pci in
"") ;;
ivshmem) base_append="$base_append memattr.pci=ivshmem" ;;
*) usage_die "--pci: the only device set is ivshmem" ;;
esac
ivshmem=()
if [ -n "$pci" ]; then
	for i in 0 1; do
		ivshmem+=(-object "memory-backend-ram,id=memattr-ivshmem$i,size=4M" -device "ivshmem-plain,memdev=memattr-ivshmem$i")
	done
fi
case $arch in
arm64 | aarch64)
	: "${qemu:=qemu-system-aarch64}"
	argv=("$qemu" -M "virt,virtualization=on,gic-version=3${pci:+,iommu=smmuv3}" -cpu "$cpu" -smp "$smp" -m "$mem"
		-accel "tcg,thread=multi" -nographic -no-reboot -nic none
		-kernel "$kernel" -initrd "$initrd"
		-append "console=ttyAMA0 $base_append${append:+ $append}" "${ivshmem[@]}")
	;;
x86_64 | amd64)
	: "${qemu:=qemu-system-x86_64}"
	argv=("$qemu" -accel tcg -cpu "$cpu" -smp "$smp" -m "$mem"
		-nographic -machine "${pci:+q35,}graphics=on" -no-reboot -nic none
		-kernel "$kernel" -initrd "$initrd"
		-append "console=ttyS0 $base_append${append:+ $append}")
	[ -z "$pci" ] || argv+=(-device intel-iommu)
	argv+=("${ivshmem[@]}")
	;;
"") usage_die "--arch arm64|x86_64 is required" ;;
*) usage_die "unsupported --arch $arch" ;;
esac
argv+=("${extra[@]}")
if [ "$dry" = 1 ]; then
	sep=""
	for a in "${argv[@]}"; do
		if [[ $a =~ ^[A-Za-z0-9_./,=+:@%-]+$ ]]; then printf '%s%s' "$sep" "$a"; else printf '%s%q' "$sep" "$a"; fi
		sep=" "
	done
	echo
	exit 0
fi
command -v "${argv[0]}" >/dev/null 2>&1 || die "QEMU not found: ${argv[0]}"

fg=()
[ -t 0 ] && fg=(--foreground)
rc=0
timeout "${fg[@]}" -k 10 "$tmo" "${argv[@]}" || rc=$?
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	echo "$prog: timed out after ${tmo}s" >&2
fi
exit "$rc"
