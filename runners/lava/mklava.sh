#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# mklava.sh: one LAVA job per lab cell (make lava): boot artefacts, test definition, job template.
#
#   mklava.sh --cell NAME --out DIR [--run-args "..."]
#
# DIR (build/lava/<cell>/) gets:
#   Image | bzImage        the cell's kernel (runners/fetch-kernel.sh, the lab's own)
#   initrd.cpio.gz         the cell's initramfs in the kselftest mode (the kselftest tree in
#                          /kselftest, Debian's coreutils), as one newc archive (LAVA unpacks it
#                          with cpio to add its overlay)
#   testdefs.tar.gz        memattr-kselftest.yaml (the test definition) and next to it
#                          memattr-tap2lava.sh (TAP -> lava-test-case, POSIX sh + awk)
#   job.yaml               the job: deploy tmpfs (kernel, initrd with the LAVA overlay), boot qemu
#                          (the cell's machine, cpu, memory and devices as device-type qemu context),
#                          test (the definition); URLs are file:// to DIR: a farm rewrites them
#                          to where it hosts the files
#   device.jinja2          a device dictionary for a local run (extends the qemu device type)
#   scratch-disk.raw       the cell's scratch disk (sparse, blank), if it has one
#   reference.json         the results of the lab run that built the initramfs (memattr-run in
#                          the kselftest mode), what the LAVA job must reproduce
# The cell's kernel command line and QEMU options come from memattr-run --dry-run; the initramfs
# from a memattr-run of the cell in the kselftest mode (--set run.kselftest=yes), run here unless
# build/lab/<cell>/ has one with the kselftest tree and reference.json exists.  The job's kernel
# command line adds memattr.lava=1: the cell's /init does its setup, then leaves a shell ("/ # ").
set -euo pipefail

prog=mklava
die() { echo "$prog: $*" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cell="" out="" run_args=""
while [ $# -gt 0 ]; do
	case $1 in
	--cell) cell=${2:?}; shift 2 ;;
	--out) out=${2:?}; shift 2 ;;
	--run-args) run_args=${2-}; shift 2 ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument: $1" ;;
	esac
done
if [ -z "$cell" ] || [ -z "$out" ]; then die "--cell NAME and --out DIR are required"; fi
run=$top/build/host/memattr-run
[ -x "$run" ] || die "no $run (make driver)"
mkdir -p "$out"
out=$(cd "$out" && pwd)
ksargs=(--cells "$cell" --set run.kselftest=yes --set run.migrations=none)

# the cell's QEMU command line (dry run)
# shellcheck disable=SC2086 # run_args split on purpose
line=$("$run" "${ksargs[@]}" $run_args --dry-run | grep '^qemu-system-' | head -n1) ||
	die "memattr-run --dry-run printed no QEMU command for cell $cell"
# shellcheck disable=SC2034 # placeholders of the dry run's command line; the cell's scratch disk
# (a sparse file the driver makes in the cell's directory) is made in DIR
KERNEL_IMAGE=kernel RUN_DIR=$out CELL_DIR=$out
dry=$("$run" "${ksargs[@]}" --dry-run)
dsize=$(sed -n "s/^# scratch disk .*truncate -s \([0-9A-Za-z]*\) .*/\1/p" <<<"$dry" | head -n1)
if [ -n "$dsize" ]; then
	rm -f "$out/scratch-disk.raw"
	truncate -s "$dsize" "$out/scratch-disk.raw"
fi
eval "set -- $line"
qemu=$1
shift
machine="" cpu="" smp="" mem="" append="" extra=()
while [ $# -gt 0 ]; do
	case $1 in
	-M | -machine) machine=$2; shift 2 ;;
	-cpu) cpu=$2; shift 2 ;;
	-smp) smp=$2; shift 2 ;;
	-m) mem=$2; shift 2 ;;
	-append) append=$2; shift 2 ;;
	-kernel | -initrd) shift 2 ;;
	-nographic | -no-reboot) shift ;;
	-nic) shift 2 ;;
	-accel) extra+=("-accel $2"); shift 2 ;;
	-*) if [ $# -ge 2 ] && [ "${2#-}" = "$2" ]; then extra+=("$1 $2"); shift 2; else extra+=("$1"); shift; fi ;;
	*) die "unexpected QEMU argument: $1" ;;
	esac
done
case $qemu in
qemu-system-aarch64) arch=arm64 kimg=Image ;;
qemu-system-x86_64) arch=x86_64 kimg=bzImage ;;
*) die "unsupported $qemu" ;;
esac
case $mem in
*G) memmb=$((${mem%G} * 1024)) ;;
*M) memmb=${mem%M} ;;
*) memmb=$mem ;;
esac
# the LAVA shell instead of the run; the full boot log (LAVA waits for "Linux version")
append=$(printf '%s' "$append" | sed 's/\<quiet\> *//; s/\<loglevel=[0-9]\> *//')
append="$append memattr.lava=1"

# the initramfs of a kselftest-mode run of the cell
initrd=$top/build/lab/$cell/initrd.cpio.gz
# (cpio -t would stop at the end of the first of its two archives): the member's name, which a
# newc header ends with a NUL, not the same words in /init's text
has_ksft() { [ -f "$initrd" ] && [ "$(gzip -dc "$initrd" | grep -caP 'kselftest/run_kselftest\.sh\x00')" -gt 0 ]; }
if ! has_ksft || [ ! -f "$out/reference.json" ]; then
	echo "$prog: $cell: a lab run in the kselftest mode (initramfs and reference results)"
	rm -rf "$out/reports"
	# shellcheck disable=SC2086
	"$run" "${ksargs[@]}" $run_args --report-dir "$out/reports" >"$out/lab-run.log" 2>&1 || true
	[ -f "$out/reports/latest/results.json" ] || die "$cell: the lab run wrote no results ($out/lab-run.log)"
	cp "$out/reports/latest/results.json" "$out/reference.json"
	has_ksft || die "$cell: $initrd has no kselftest tree after the run"
fi

# kernel: the lab's (cached)
fk=$("$top/runners/fetch-kernel.sh" --arch "$([ "$arch" = arm64 ] && echo arm64 || echo amd64)" \
	--flavour "$([ "$arch" = arm64 ] && echo arm64 || echo amd64)" --suite sid 2>/dev/null) ||
	die "fetch-kernel.sh failed"
kernel=$(sed -n 's/^KERNEL_IMAGE=//p' <<<"$fk")
[ -f "$kernel" ] || die "fetch-kernel.sh gave no KERNEL_IMAGE"
cp "$kernel" "$out/$kimg"

# one newc archive: the driver's initramfs is two (a /dev/console archive, then the tree); the
# cell's /init reopens the console after mounting devtmpfs, so the tree alone boots
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gzip -dc "$initrd" >"$tmp/in.cpio"
off=$(grep -obUaF 'TRAILER!!!' "$tmp/in.cpio" | head -n1 | cut -d: -f1)
[ -n "$off" ] || die "$initrd: no cpio trailer"
off=$(((off + 11 + 3) / 4 * 4))
mkdir "$tmp/root"
tail -c +$((off + 1)) "$tmp/in.cpio" | (cd "$tmp/root" && cpio -idm --quiet --no-absolute-filenames) ||
	die "cannot unpack $initrd"
if [ ! -x "$tmp/root/init" ] || [ ! -x "$tmp/root/kselftest/run_kselftest.sh" ]; then die "$initrd: unpacked tree lacks /init or /kselftest"; fi
(cd "$tmp/root" && find . -mindepth 1 | sed 's|^\./||' | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --reproducible --quiet) | gzip -n -6 >"$out/initrd.cpio.gz"

# test definitions
mkdir -p "$tmp/td"
install -m 644 "$here/memattr-kselftest.yaml" "$tmp/td/"
install -m 755 "$here/memattr-tap2lava.sh" "$tmp/td/"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -czf "$out/testdefs.tar.gz" -C "$tmp/td" \
	memattr-kselftest.yaml memattr-tap2lava.sh

# the job and a device dictionary
timeout_min=$(( $("$run" "${ksargs[@]}" --dry-run | sed -n "s/^# cell $cell .*timeout \([0-9]*\) s.*/\1/p" | head -n1) / 60 + 1 ))
{
	echo "# LAVA job for memattr cell $cell (generated by runners/lava/mklava.sh; file:// URLs: a farm"
	echo "# rewrites them to where it hosts kernel, initrd and testdefs)"
	echo "device_type: qemu"
	echo "job_name: memattr-$cell"
	echo "visibility: public"
	echo "priority: medium"
	echo "timeouts:"
	echo "  job: {minutes: $((timeout_min + 15))}"
	echo "  action: {minutes: $((timeout_min + 5))}"
	echo "  connection: {minutes: 2}"
	echo "context:"
	echo "  arch: $arch"
	echo "  cpu: '$cpu'"
	echo "  machine: '$machine'"
	echo "  memory: $memmb"
	[ "$arch" = arm64 ] || echo "  no_kvm: true"
	echo "  extra_options:"
	echo "  - '-smp $smp'"
	for e in "${extra[@]}"; do echo "  - '$e'"; done
	echo "  - '-no-reboot'"
	echo "actions:"
	echo "- deploy:"
	echo "    timeout: {minutes: 5}"
	echo "    to: tmpfs"
	echo "    os: oe"
	echo "    images:"
	echo "      kernel:"
	echo "        image_arg: -kernel {kernel} -append \"$append\""
	echo "        url: file://$out/$kimg"
	echo "      initrd:"
	echo "        image_arg: -initrd {initrd}"
	echo "        url: file://$out/initrd.cpio.gz"
	echo "        compression: gz"
	echo "        format: cpio.newc"
	echo "        overlays: {lava: true}"
	echo "- boot:"
	echo "    timeout: {minutes: 5}"
	echo "    method: qemu"
	echo "    media: tmpfs"
	echo "    prompts: ['/ # ']"
	echo "- test:"
	echo "    timeout: {minutes: $timeout_min}"
	echo "    definitions:"
	echo "    - repository: file://$out/testdefs.tar.gz"
	echo "      from: url"
	echo "      compression: gz"
	echo "      path: memattr-kselftest.yaml"
	echo "      name: memattr"
} >"$out/job.yaml"
printf "{%% extends 'qemu.jinja2' %%}\n" >"$out/device.jinja2"
echo "$prog: $cell: $out (job.yaml, device.jinja2, $kimg, initrd.cpio.gz, testdefs.tar.gz, reference.json)"
