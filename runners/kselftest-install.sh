#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# kselftest-install.sh: lay memattr out as a kselftest collection ("memattr"), the layout of the
# kernel's `make -C tools/testing/selftests install` that CI farms (LKFT, KernelCI, CKI, tuxrun,
# kirk) run unchanged with `run_kselftest.sh -c memattr`.
#
#   kselftest-install.sh --bin-dir build/<arch>/bin --out INSTALL_PATH [--ksrc DIR] [--tar FILE]
#
# INSTALL_PATH gets:
#   run_kselftest.sh, kselftest/{runner.sh,ktap_helpers.sh,prefix.pl,ksft.py,module.sh}
#                           the kernel's own runner, from tools/testing/selftests of the
#                           linux-source of the lab kernel (--ksrc DIR, else the newest
#                           $MEMATTR_CACHE/kbuild/src/linux-source-*/ the fixture build unpacked);
#                           kept as they are if INSTALL_PATH already has them (a kernel's install)
#   kselftest-list.txt      one "memattr:memattr-<suite>" line per suite program; the memattr lines of
#                           an existing list are replaced, the others kept (merge into a kernel's tree)
#   memattr/memattr-<suite> the static suite programs (not memattr-cellinfo, a lab tool)
#   memattr/settings        timeout= for run_kselftest.sh (runners/kselftest/settings says how chosen)
#   memattr/config          the kernel options the suites need (runners/kselftest/config)
# With --tar FILE (.tar.xz, .tar.gz, ...): the tree is also packed into FILE, like the kernel's gen_tar.
# Errors: one line on stderr, exit 2 (usage: exit 1).
set -euo pipefail

prog=kselftest-install
die() { echo "$prog: $*" >&2; exit 2; }
usage_die() { echo "$prog: $*" >&2; exit 1; }

here=$(cd "$(dirname "$0")" && pwd)
cache=${MEMATTR_CACHE:-$HOME/.cache/memattr}
bindir="" out="" ksrc="" tarball=""
while [ $# -gt 0 ]; do
	case $1 in
	--bin-dir) bindir=${2:?}; shift 2 ;;
	--out) out=${2:?}; shift 2 ;;
	--ksrc) ksrc=${2:?}; shift 2 ;;
	--tar) tarball=${2:?}; shift 2 ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) usage_die "unknown argument: $1" ;;
	esac
done
[ -n "$bindir" ] || usage_die "--bin-dir DIR is required"
[ -n "$out" ] || usage_die "--out INSTALL_PATH is required"
[ -d "$bindir" ] || die "no such directory: $bindir (make build first)"

mkdir -p "$out/kselftest" "$out/memattr" || die "cannot create $out"
# the kernel's runner (its Makefile's install rule: the same files, mode 744)
if [ ! -f "$out/run_kselftest.sh" ]; then
	if [ -z "$ksrc" ]; then
		ksrc=$(for d in "$cache"/kbuild/src/linux-source-*/; do
			[ -f "$d/tools/testing/selftests/run_kselftest.sh" ] && printf '%s\n' "${d%/}"
		done | sort -V | tail -n1)
		[ -n "$ksrc" ] || die "no linux-source tree in $cache/kbuild/src (a lab run with fixtures = 1 unpacks one; or give --ksrc DIR)"
	fi
	st=$ksrc/tools/testing/selftests
	if [ ! -f "$st/run_kselftest.sh" ] || [ ! -f "$st/kselftest/runner.sh" ]; then
		die "$ksrc has no tools/testing/selftests/run_kselftest.sh and kselftest/runner.sh"
	fi
	for f in module.sh runner.sh prefix.pl ktap_helpers.sh ksft.py; do
		[ ! -f "$st/kselftest/$f" ] || install -m 744 "$st/kselftest/$f" "$out/kselftest/"
	done
	install -m 744 "$st/run_kselftest.sh" "$out/"
	printf '%s\n' "${ksrc##*/}" >"$out/kselftest/memattr-runner-source"
fi

rm -f "$out"/memattr/memattr-*
list=""
for f in "$bindir"/memattr-*; do
	if [ ! -f "$f" ] || [ ! -x "$f" ]; then continue; fi
	n=${f##*/}
	[ "$n" = memattr-cellinfo ] && continue
	install -m 755 "$f" "$out/memattr/$n"
	list+="memattr:$n"$'\n'
done
[ -n "$list" ] || die "no memattr-<suite> program in $bindir"
install -m 644 "$here/kselftest/settings" "$out/memattr/settings"
install -m 644 "$here/kselftest/config" "$out/memattr/config"

# kselftest-list.txt: other collections' lines kept, ours (re)appended
tl=$out/kselftest-list.txt
{
	[ ! -f "$tl" ] || grep -v '^memattr:' "$tl" || true
	printf '%s' "$list"
} >"$tl.tmp.$$"
mv "$tl.tmp.$$" "$tl"

if [ -n "$tarball" ]; then
	mkdir -p "$(dirname "$tarball")"
	tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@"${SOURCE_DATE_EPOCH:-0}" \
		-caf "$tarball.tmp.tar${tarball##*.tar}" -C "$out" . || die "cannot write $tarball"
	mv "$tarball.tmp.tar${tarball##*.tar}" "$tarball"
fi
