#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /init of a memattr cell (busybox sh, POSIX).  Installed into the initramfs by runners/mkinitramfs.sh.
#
# Console protocol (every line of our own starts with "@@MEMATTR "; everything else on the console is
# the output of the suite binaries):
#   @@MEMATTR CELL-BEGIN
#   @@MEMATTR ID modules=failed:<name>          (x86_64, one line per module that did not load)
#   @@MEMATTR ID kvm_build_id=kvm:<hex>,kvm_amd:<hex>  (x86_64: GNU build ids of the loaded modules)
#   @@MEMATTR ID kernel_release=<uname -r>
#   @@MEMATTR ID machine=<uname -m>
#   @@MEMATTR ID kvm_mode=<vhe|nvhe|hvhe|protected|svm|vmx|unknown|none>
#   @@MEMATTR ID page_size=<bytes>
#   @@MEMATTR ID kvm_vm_held=<yes|failed>            (x86_64: one VM held for the run, runners/hold_vm.c)
#   @@MEMATTR ID dev_kvm=<yes|no>
#   @@MEMATTR ID cpus=<n>
#   @@MEMATTR ID mem_kb=<MemTotal in kB>
#   @@MEMATTR ID packages_installed=<name>=<version>,...  (the Debian tools of the packages option;
#                                                names are exported as MEMATTR_PACKAGES)
#   (the output of /memattr/bin/memattr-cellinfo, if present: its own @@MEMATTR ID lines)
#   @@MEMATTR SUITE-BEGIN <suite>
#   @@MEMATTR TEST <name>                        (one per test the suite will run, in its order: the
#                                                 driver names the test a kernel panic interrupts)
#   ... suite output (TAP) ...
#   @@MEMATTR SUITE-END <suite> rc=<exit code>   (rc=127: no such suite binary)
#   @@MEMATTR CELL-END
# then sync and power off.
#
# Kernel command line parameters (read from /proc/cmdline; quote values that contain spaces):
#   memattr.suites=a,b,c        suites to run (default: every /memattr/bin/memattr-* but memattr-cellinfo)
#   memattr.filter=<glob>       passed to every suite as "-t <glob>"
#   memattr.timeout_scale=<n>   exported as MEMATTR_TIMEOUT_SCALE
#   memattr.args="<extra>"      extra arguments for every suite (split on blanks)
#   memattr.carveout=BASE:SIZE  physical range the kernel does not own (booted with mem= below the
#                               machine's RAM), hex; exported as MEMATTR_CARVEOUT for PFNMAP sources
#   memattr.hugepages=<n>       2 MiB huge pages to reserve for hugetlb backings (default 16)
#   memattr.pfnmap="<specs>"    PCI PFNMAP sources, exported as MEMATTR_PFNMAP (host/pfnmap_spec.c)
#   memattr.pci=ivshmem,edu     device sets of the cell (memattr-run's pci=): with ivshmem, bind the
#                               second ivshmem device to vfio-pci; both give PFNMAP sources.  edu (QEMU's
#                               DMA test device) is left to the dma suite, which binds it itself
#   memattr.migrate=out|in      a half of a cross-cell migration pair: the stream file the suite
#                               writes (MEMATTR_MIGRATE_OUT) or reads (MEMATTR_MIGRATE_IN) travels
#                               between the two boots on the transfer disk (virtio-blk, serial
#                               memattr-xfer): block 0 "memattr-xfer <bytes>", the stream at 1 MiB
#   memattr.resume=<suite>:<test>  a boot after a kernel panic: <suite> runs only the tests after <test>
#                               (its harness option --after <test>); the other suites of memattr.suites
#                               run whole
#   memattr.kselftest=1|bare    the kselftest mode (memattr-run --set run.kselftest=yes): the kernel's
#                               own run_kselftest.sh runs the installed kselftest tree /kselftest
#                               (make kselftest-install) instead of the suites directly; its stream
#                               is turned into the same SUITE-BEGIN/SUITE-END sections (the "# "
#                               nesting removed, the program's rc from the runner's result line) and
#                               @@MEMATTR ID kselftest_totals=... / kselftest_rc=...; "bare": the
#                               runner gets no lab variable (env -i), as on a farm's rootfs
#   memattr.lava=1              a LAVA job (make lava): after the setup above, no suite runs; a shell
#                               with the prompt "/ # " on the console (respawned) for LAVA's test
#                               shell, which runs the test definition (runners/lava/)
# A virtio-blk disk (memattr-run's disk=, serial memattr-disk) is exported as MEMATTR_DISK=/dev/vdX.

PATH=/memattr/bin:/bin:/sbin:/usr/bin:/usr/sbin
HOME=/root
TMPDIR=/tmp
export PATH HOME TMPDIR
umask 022

mkdir -p /dev /proc /sys /tmp /run /root
mount -t devtmpfs devtmpfs /dev 2>/dev/null
# The console the kernel gave us may be missing if the archive had no /dev/console: reopen it.
if [ -c /dev/console ]; then
	exec </dev/console >/dev/console 2>&1
fi
mount -t proc proc /proc >/dev/null 2>&1
mount -t sysfs sysfs /sys >/dev/null 2>&1
mkdir -p /dev/shm /dev/pts 2>/dev/null
mount -t tmpfs -o mode=1777 tmpfs /dev/shm >/dev/null 2>&1
mount -t devpts devpts /dev/pts >/dev/null 2>&1
mount -t debugfs debugfs /sys/kernel/debug >/dev/null 2>&1
mount -t tracefs tracefs /sys/kernel/tracing >/dev/null 2>&1
# the links udev makes on a full system: run_kselftest.sh writes to /dev/stdout (without them a
# regular file of that name in devtmpfs would take the output)
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
[ -e /dev/stdin ] || ln -s /proc/self/fd/0 /dev/stdin
[ -e /dev/stdout ] || ln -s /proc/self/fd/1 /dev/stdout
[ -e /dev/stderr ] || ln -s /proc/self/fd/2 /dev/stderr

say() {
	printf '@@MEMATTR %s\n' "$*"
}

# Value of a key=value kernel parameter (the last one wins); prints nothing if absent.
# Blanks inside double quotes do not split; the quotes are removed.
cmdline_param() {
	awk -v key="$1" '
	{
		s = $0; n = length(s); tok = ""; inq = 0; found = 0
		for (i = 1; i <= n + 1; i++) {
			c = (i <= n) ? substr(s, i, 1) : " "
			if (c == "\"") { inq = !inq; continue }
			if ((c == " " || c == "\t") && !inq) {
				if (tok != "" && index(tok, key "=") == 1) { val = substr(tok, length(key) + 2); found = 1 }
				tok = ""
				continue
			}
			tok = tok c
		}
		if (found) print val
	}' /proc/cmdline 2>/dev/null
}

# A bare newline first: firmware or the kernel may have left a partial line (on x86, escape codes from
# SeaBIOS's serial console), and every marker must start a line.
printf '\n'
say CELL-BEGIN

# ---- modules (x86_64: kvm is modular in Debian's kernel); /memattr/modules/order lists them in load order
mods_bad=0
if [ -f /memattr/modules/order ]; then
	while read -r m; do
		[ -n "$m" ] || continue
		name=${m%.ko}
		sysname=$(printf '%s' "$name" | tr - _)
		[ -d "/sys/module/$sysname" ] && continue
		if ! insmod "/memattr/modules/$m" >/dev/null 2>&1; then
			say "ID modules=failed:$name"
			mods_bad=1
		fi
	done </memattr/modules/order
	[ "$mods_bad" = 1 ] || say "ID modules=ok"
	bid() { od -An -tx1 -v "/sys/module/$1/notes/.note.gnu.build-id" 2>/dev/null | tr -d ' \n' | cut -c33-; }
	[ ! -d /sys/module/kvm ] || say "ID kvm_build_id=kvm:$(bid kvm),kvm_amd:$(bid kvm_amd)"
fi

# ---- identity
machine=$(uname -m)
if [ -c /dev/kvm ]; then dev_kvm=yes; else dev_kvm=no; fi

kvm_mode=none
case $machine in
aarch64 | arm64)
	klog=$(dmesg 2>/dev/null)
	case $klog in
	# 7.2 prints "Protected hVHE mode ..." on VHE-capable CPUs, "Protected nVHE mode ..." on others.
	*"Protected "*"VHE mode initialized"*) kvm_mode=protected ;;
	*"Hyp hVHE mode initialized"*) kvm_mode=hvhe ;;
	*"Hyp nVHE mode initialized"*) kvm_mode=nvhe ;;
	*"VHE mode initialized"*) kvm_mode=vhe ;;
	*) [ "$dev_kvm" = yes ] && kvm_mode=unknown ;;
	esac
	;;
x86_64 | i?86)
	if [ "$dev_kvm" = yes ]; then
		if [ -d /sys/module/kvm_amd ]; then
			kvm_mode=svm
		elif [ -d /sys/module/kvm_intel ]; then
			kvm_mode=vmx
		else
			kvm_mode=unknown
		fi
	fi
	;;
*)
	[ "$dev_kvm" = yes ] && kvm_mode=unknown
	;;
esac

page_size=""
if command -v getconf >/dev/null 2>&1; then
	page_size=$(getconf PAGESIZE 2>/dev/null)
fi
if [ -z "$page_size" ]; then
	page_size=$(awk '/^KernelPageSize:/ { print $2 * 1024; exit }' /proc/self/smaps 2>/dev/null)
fi
[ -n "$page_size" ] || page_size=unknown

cpus=$(grep -c '^processor' /proc/cpuinfo 2>/dev/null)
if [ -z "$cpus" ] || [ "$cpus" = 0 ]; then
	cpus=$(nproc 2>/dev/null)
fi
mem_kb=$(awk '/^MemTotal:/ { print $2; exit }' /proc/meminfo 2>/dev/null)

say "ID kernel_release=$(uname -r)"
say "ID machine=$machine"
say "ID kvm_mode=$kvm_mode"
say "ID page_size=$page_size"
say "ID dev_kvm=$dev_kvm"
say "ID cpus=${cpus:-unknown}"
say "ID mem_kb=${mem_kb:-unknown}"
# Debian tools in the initramfs (runners/fetch-packages.sh): the suites that use them must find them
if [ -s /memattr/packages ]; then
	MEMATTR_PACKAGES=$(sed 's/=.*//' /memattr/packages | tr '\n' ' ' | sed 's/ $//')
	export MEMATTR_PACKAGES
	say "ID packages_installed=$(tr '\n' ',' </memattr/packages | sed 's/,$//')"
fi
if [ -x /memattr/bin/memattr-cellinfo ]; then
	/memattr/bin/memattr-cellinfo </dev/null 2>&1
fi

# ---- suites
suites=$(cmdline_param memattr.suites | tr ',' ' ')
filter=$(cmdline_param memattr.filter)
tscale=$(cmdline_param memattr.timeout_scale)
extra=$(cmdline_param memattr.args)
resume=$(cmdline_param memattr.resume)
resume_suite=${resume%%:*}
resume_test=${resume#*:}
if [ -n "$tscale" ]; then
	MEMATTR_TIMEOUT_SCALE=$tscale
	export MEMATTR_TIMEOUT_SCALE
fi
carveout=$(cmdline_param memattr.carveout)
if [ -n "$carveout" ] && [ -f /memattr/fixtures/memattr_carveout.ko ]; then
	# the fixture module claims the upper half (IO_STRICT_DEVMEM then keeps /dev/mem out of it);
	# /dev/mem gets the lower half
	cbase=$(printf '%d' "${carveout%%:*}")
	csize=$(printf '%d' "${carveout##*:}")
	half=$(( (csize / 2) & ~0x1fffff ))
	fbase=$(printf '0x%x' $((cbase + half)))
	fsize=$(printf '0x%x' $((csize - half)))
	# the suites' fixture test then requires the module (a load failure is a failure, not a skip)
	MEMATTR_FIXTURE=memattr_carveout
	export MEMATTR_FIXTURE
	if insmod /memattr/fixtures/memattr_carveout.ko base="$fbase" size="$fsize" >/dev/null 2>&1; then
		say "ID fixture_carveout=loaded:$fbase:$fsize"
	else
		say "ID fixture_carveout=failed:$(dmesg | grep memattr_carveout | tail -n 1)"
	fi
	carveout=$(printf '0x%x:0x%x' "$cbase" "$half")
fi
if [ -n "$carveout" ]; then
	MEMATTR_CARVEOUT=$carveout
	export MEMATTR_CARVEOUT
	say "ID carveout=$carveout"
fi
# the WARN-on-demand fixture: the selfcheck suite then requires it
if [ -f /memattr/fixtures/memattr_warn.ko ]; then
	MEMATTR_WARN_FIXTURE=memattr_warn
	export MEMATTR_WARN_FIXTURE
	if insmod /memattr/fixtures/memattr_warn.ko >/dev/null 2>&1; then
		say "ID fixture_warn=loaded"
	else
		say "ID fixture_warn=failed:$(dmesg | grep memattr_warn | tail -n 1)"
	fi
fi
# ---- swap (memattr-run's swap=SIZE): a zram device of that size (the module is in the initramfs),
# so that anonymous and shared memory can be reclaimed (the stress suite's memory-cgroup test)
swap=$(cmdline_param memattr.swap)
if [ -n "$swap" ]; then
	if [ -e /sys/block/zram0/disksize ] && echo "$swap" >/sys/block/zram0/disksize &&
		mkswap /dev/zram0 >/dev/null 2>&1 && swapon /dev/zram0 2>/dev/null; then
		say "ID swap=zram0:$(($(cat /sys/block/zram0/disksize) / 1048576))M"
	else
		say "ID swap=failed:$swap"
	fi
fi
hugepages=$(cmdline_param memattr.hugepages)
echo "${hugepages:-16}" >/proc/sys/vm/nr_hugepages 2>/dev/null
say "ID hugepages_2m=$(cat /proc/sys/vm/nr_hugepages 2>/dev/null)"

# ---- PCI PFNMAP sources: memattr.pfnmap="spec;spec" is passed to the suites as MEMATTR_PFNMAP.
# memattr.pci=ivshmem (two ivshmem-plain devices behind a virtual IOMMU): the first stays without a
# driver for the sysfs resource2/resource2_wc sources, the second is bound to vfio-pci; their specs
# are used unless memattr.pfnmap names others.
pfnmap=$(cmdline_param memattr.pfnmap)
case ,$(cmdline_param memattr.pci), in
*,ivshmem,*) pci_ivshmem=yes ;;
*) pci_ivshmem=no ;;
esac
if [ "$pci_ivshmem" = yes ]; then
	ivs=""
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor" 2>/dev/null)" = 0x1af4 ] && [ "$(cat "$d/device" 2>/dev/null)" = 0x1110 ] &&
			ivs="$ivs ${d##*/}"
	done
	# shellcheck disable=SC2086 # split on purpose
	set -- $ivs
	specs=""
	if [ $# -ge 1 ]; then
		specs="pci=$1,bar=2"
		say "ID pci_sysfs=$1"
	else
		say "ID pci_sysfs=failed:no ivshmem device"
	fi
	if [ $# -ge 2 ]; then
		dev=/sys/bus/pci/devices/$2
		echo vfio-pci >"$dev/driver_override" 2>/dev/null
		echo "$2" >/sys/bus/pci/drivers_probe 2>/dev/null
		# drivers_probe succeeds even when the probe fails: the driver link tells
		drv=$(readlink "$dev/driver" 2>/dev/null)
		grp=$(readlink "$dev/iommu_group" 2>/dev/null)
		if [ "${drv##*/}" = vfio-pci ]; then
			specs="$specs;vfio=$2,region=2"
			say "ID pci_vfio=$2:group${grp##*/}"
		else
			say "ID pci_vfio=failed:$2:driver=${drv##*/}:group=${grp##*/}:$(dmesg | grep -i vfio | tail -n 1)"
		fi
	fi
	[ -n "$pfnmap" ] || pfnmap=$specs
fi
if [ -n "$pfnmap" ]; then
	MEMATTR_PFNMAP=$pfnmap
	export MEMATTR_PFNMAP
	say "ID pfnmap=$MEMATTR_PFNMAP"
fi
# ---- the scratch disk (memattr-run's disk=): the virtio-blk disk whose serial is memattr-disk
for b in /sys/block/vd*; do
	[ -e "$b" ] || continue
	if [ "$(cat "$b/serial" 2>/dev/null)" = memattr-disk ]; then
		MEMATTR_DISK=/dev/${b##*/}
		export MEMATTR_DISK
		say "ID disk=$MEMATTR_DISK:$(($(cat "$b/size") * 512))"
	fi
done
# ---- a cross-cell migration half: the out half's stream is copied to the transfer disk after
# its suites, the in half's is copied from it before.
migrate=$(cmdline_param memattr.migrate)
xfer=
if [ -n "$migrate" ]; then
	for b in /sys/block/vd*; do
		[ "$(cat "$b/serial" 2>/dev/null)" = memattr-xfer ] && xfer=/dev/${b##*/}
	done
	say "ID migrate_xfer=${xfer:-missing}"
	stream=/tmp/memattr-migrate.stream
	if [ "$migrate" = out ]; then
		MEMATTR_MIGRATE_OUT=$stream
		export MEMATTR_MIGRATE_OUT
	else
		MEMATTR_MIGRATE_IN=$stream
		export MEMATTR_MIGRATE_IN
		# shellcheck disable=SC2046 # the header's two words
		[ -z "$xfer" ] || set -- $(dd if="$xfer" bs=512 count=1 2>/dev/null | head -n 1)
		if [ -n "$xfer" ] && [ "${1-}" = memattr-xfer ] && [ -n "${2-}" ]; then
			dd if="$xfer" bs=1M skip=1 2>/dev/null | head -c "$2" >"$stream"
			say "ID migrate_in_bytes=$(wc -c <"$stream")"
		else
			say "ID migrate_in_bytes=none"
		fi
	fi
fi
if [ -z "$suites" ]; then
	for f in /memattr/bin/memattr-*; do
		[ -f "$f" ] || continue
		s=${f##*/memattr-}
		[ "$s" = cellinfo ] && continue
		suites="$suites $s"
	done
fi

# x86_64 under TCG: hold one VM for the whole run, so that no test's VM flips the static keys
# whose text patching can panic the cell (runners/hold_vm.c says why).
hold=
if [ "$(uname -m)" = x86_64 ] && [ -x /memattr/bin/memattr-cellinfo ]; then
	/memattr/bin/memattr-cellinfo --hold-vm /tmp/memattr-hold-vm.ready </dev/null >/dev/null 2>&1 &
	hold=$!
	i=0
	while [ ! -s /tmp/memattr-hold-vm.ready ] && [ $i -lt 100 ] && kill -0 "$hold" 2>/dev/null; do
		sleep 0.1 2>/dev/null || sleep 1
		i=$((i + 1))
	done
	if [ -s /tmp/memattr-hold-vm.ready ]; then
		say "ID kvm_vm_held=yes"
	else
		say "ID kvm_vm_held=failed"
		kill "$hold" 2>/dev/null
		hold=
	fi
fi

# What the kernel's run_kselftest.sh needs: coreutils' timeout (--foreground; the packages option
# puts it over busybox's).  coreutils' stdbuf needs its LD_PRELOAD library, which the packages tree
# lacks: without it the runner goes without stdbuf (the suites set line buffering themselves).
runner_tools() {
	if [ -x /usr/bin/stdbuf ] && ! /usr/bin/stdbuf --output=L true >/dev/null 2>&1; then
		rm -f /usr/bin/stdbuf
	fi
	if /usr/bin/timeout --foreground 5 true >/dev/null 2>&1; then
		say "ID kselftest_timeout=foreground"
	else
		say "ID kselftest_timeout=missing"
	fi
}

# ---- kselftest mode: the kernel's run_kselftest.sh on /kselftest, its stream in our sections
kselftest_run() {
	mode=$1
	shift
	runner_tools
	sel=" -c memattr"
	all=$(for f in /kselftest/memattr/memattr-*; do echo "${f##*/memattr-}"; done | sort | tr '\n' ' ')
	if [ "$(printf '%s\n' "$@" | sort | tr '\n' ' ')" != "$all" ]; then
		sel=""
		for s in "$@"; do sel="$sel -t memattr:memattr-${s#memattr-}"; done
	fi
	envp=
	[ "$mode" != bare ] || envp="env -i PATH=/usr/bin:/bin HOME=/root TMPDIR=/tmp"
	say "ID kselftest=run_kselftest.sh$sel${envp:+ (env -i)}"
	# shellcheck disable=SC2086 # split on purpose
	{ (cd /kselftest && $envp ./run_kselftest.sh $sel </dev/null 2>&1); echo "@@KSFT-RC $?"; } | awk '
	function suite_end(line, rc) {
		rc = 1
		if (line ~ /# SKIP/) rc = 4
		else if (line ~ /^ok /) rc = 0
		else if (line ~ /# TIMEOUT/) rc = 124
		else if (match(line, /# exit=[0-9]+/)) rc = substr(line, RSTART + 7, RLENGTH - 7)
		print "@@MEMATTR SUITE-END " cur " rc=" rc
		cur = ""
	}
	/^# selftests: memattr: memattr-/ {
		cur = $0
		sub(/^# selftests: memattr: memattr-/, "", cur)
		print "@@MEMATTR SUITE-BEGIN " cur
		fflush()
		system("/kselftest/memattr/memattr-" cur " -l </dev/null 2>/dev/null | sed \"s/^/@@MEMATTR TEST /\"")
		next
	}
	cur != "" && /^(not )?ok [0-9]+ selftests: memattr: memattr-/ {
		suite_end($0)
		print "# kselftest: " $0
		fflush()
		next
	}
	/^@@KSFT-RC / { print "@@MEMATTR ID kselftest_rc=" $2; next }
	/^# Totals: / { t = $0; sub(/^# Totals: /, "", t); print "@@MEMATTR ID kselftest_totals=" t; next }
	cur != "" && /^# / { print substr($0, 3); fflush(); next }
	cur != "" && /^#$/ { print ""; next }
	cur == "" && /^(not )?ok [0-9]+ / { print "# kselftest: " $0; next }
	{ print; fflush() }'
}
# ---- LAVA mode: the cell's setup done (variables exported), a shell for LAVA's test shell
lava_shell() {
	[ ! -d /kselftest ] || runner_tools
	say "ID lava=shell"
	PS1='/ # '
	export PS1
	cd /
	while :; do
		setsid cttyhack sh -i
		sleep 1
	done
}
[ "$(cmdline_param memattr.lava)" != 1 ] || lava_shell

ksft=$(cmdline_param memattr.kselftest)
if [ -n "$ksft" ] && [ -x /kselftest/run_kselftest.sh ]; then
	# shellcheck disable=SC2086 # the suite list is split on purpose
	kselftest_run "$ksft" $suites
	suites=""
elif [ -n "$ksft" ]; then
	say "ID kselftest=missing:/kselftest/run_kselftest.sh"
fi

set -f
for s in $suites; do
	s=${s#memattr-}
	say "SUITE-BEGIN $s"
	bin=/memattr/bin/memattr-$s
	if [ -f "$bin" ] && [ -x "$bin" ]; then
		# the selection: the filter, and after a kernel panic the tests after the one it ended
		set --
		[ -z "$filter" ] || set -- "$@" -t "$filter"
		[ -z "$resume" ] || [ "$s" != "$resume_suite" ] || set -- "$@" --after "$resume_test"
		# shellcheck disable=SC2086 # $extra is split on purpose
		"$bin" -l "$@" $extra </dev/null 2>/dev/null | while read -r t; do say "TEST $t"; done
		# shellcheck disable=SC2086
		"$bin" "$@" $extra </dev/null 2>&1
		rc=$?
	else
		rc=127
	fi
	say "SUITE-END $s rc=$rc"
done
set +f
[ -z "$hold" ] || kill "$hold" 2>/dev/null
if [ "$migrate" = out ] && [ -n "$xfer" ] && [ -f "$stream" ]; then
	n=$(wc -c <"$stream")
	printf 'memattr-xfer %s\n' "$n" | dd of="$xfer" bs=512 count=1 conv=sync,notrunc 2>/dev/null
	dd if="$stream" of="$xfer" bs=1M seek=1 conv=notrunc 2>/dev/null
	sync
	say "ID migrate_out_bytes=$n"
fi

say CELL-END
sync
poweroff -f >/dev/null 2>&1
echo o >/proc/sysrq-trigger 2>/dev/null
while :; do sleep 60; done
