#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Fake qemu-system-* for the driver tests (through MEMATTR_QEMU_AARCH64 / MEMATTR_QEMU_X86_64).
# Prints the recorded console transcript console-<NAME>.txt chosen by "fake.transcript=NAME" on the
# -append line, with CRLF line ends like a serial console, then does what "fake.end=" says:
#   (absent) exit 0 | exitN: a message on stderr, exit N | hang: keep running (a child sleep too)
#   until killed | stall: print nothing and hang (a kernel stuck before /init) | stallonce: stall
#   on the first boot of the cell only.  The -append line is saved next to the initrd as fake-append.txt (and appended to
#   fake-appends.log).  A boot with memattr.resume= (after a kernel panic) replays
#   console-<NAME>-resumed.txt instead; "fake.nokvm=1" turns dev_kvm=yes into dev_kvm=no.
#   "-machine help" lists machines: the default is "fakepc-99.1", alias "fakepc".
set -u
here=$(cd "$(dirname "$0")" && pwd)
if [ "${1-}" = --version ]; then
	echo "QEMU emulator version 99.1.0 (memattr fake)"
	exit 0
fi
# QEMU's own report of its machines: the default one by its alias (qemu_identity.c)
if [ "${1-}" = -machine ] && [ "${2-}" = help ]; then
	printf 'Supported machines are:\nfakepc               Fake PC (alias of fakepc-99.1)\n'
	printf 'fakepc-99.1          Fake PC (default)\nq35                  Fake Q35 (alias of pc-q35-99.1)\n'
	exit 0
fi
append="" kernel="" initrd=""
while [ $# -gt 0 ]; do
	case $1 in
	-append) append=$2; shift 2 ;;
	-kernel) kernel=$2; shift 2 ;;
	-initrd) initrd=$2; shift 2 ;;
	*) shift ;;
	esac
done
param() { printf '%s\n' "$append" | tr ' ' '\n' | sed -n "s/^$1=//p" | tail -n 1; }
[ -f "$kernel" ] || { echo "qemu: could not open kernel file '$kernel'" >&2; exit 1; }
[ -f "$initrd" ] || { echo "qemu: could not open initrd '$initrd'" >&2; exit 1; }
name=$(param fake.transcript)
end=$(param fake.end)
dir=$(dirname "$initrd")
printf '%s\n' "$append" >"$dir/fake-append.txt"
printf '%s\n' "$append" >>"$dir/fake-appends.log"
file=$here/console-${name:-pass}.txt
case " $append " in
*" memattr.resume="*) file=$here/console-${name:-pass}-resumed.txt ;;
esac
[ -f "$file" ] || { echo "fake qemu: no transcript $file" >&2; exit 1; }
if [ "$end" = stall ] || { [ "$end" = stallonce ] && [ ! -f "$dir/fake-stalled" ]; }; then
	: >"$dir/fake-stalled"
	sleep 600 &
	echo $! >"$dir/fake-sleep.pid"
	wait
	exit 0
fi
if [ "$(param fake.nokvm)" = 1 ]; then
	sed 's/dev_kvm=yes/dev_kvm=no/; s/kvm_mode=vhe/kvm_mode=none/; s/$/\r/' "$file"
else
	sed 's/$/\r/' "$file"
fi
case $end in
hang)
	sleep 600 &
	echo $! >"$dir/fake-sleep.pid"
	wait
	;;
exit*)
	echo "qemu-system-fake: terminating on a fake fatal error" >&2
	exit "${end#exit}"
	;;
esac
exit 0
