#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# runners/install-deps.sh where it must not install: on a host that is not Debian (a faked
# os-release, MEMATTR_OS_RELEASE) and as a user that is not root (nobody, through runuser, when this
# runs as root).  Each must list the missing tools with their Debian packages, exit 2 and never run
# apt-get.  Tools are made missing with a PATH of links to /usr/bin minus some, a package with a
# dpkg that calls it not installed.  Prints TAP.
set -uo pipefail
# the files made here must be readable by nobody, whatever umask the caller has (a fresh root: 077)
umask 022
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
n=0 failed=0

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi
}

# a copy of the scripts that nobody can read, wherever the tree is
mkdir -p "$tmp/tree" "$tmp/marks"
cp -r "$src/runners" "$tmp/tree/"
chmod -R a+rX "$tmp/tree"
chmod 1777 "$tmp/marks"

# PATH: /usr/bin without cpio and qemu-system-aarch64; apt-get leaves a mark; dpkg calls rsync
# not installed
bin=$tmp/bin
mkdir -p "$bin"
cp -s /usr/bin/* "$bin/" 2>/dev/null
rm -f "$bin/cpio" "$bin/qemu-system-aarch64" "$bin/apt-get" "$bin/dpkg"
printf '#!/bin/sh\ntouch %s/apt-get-ran\nexit 1\n' "$tmp/marks" > "$bin/apt-get"
# shellcheck disable=SC2016
printf '#!/bin/sh\n[ "$1" = -s ] && [ "$2" = rsync ] && exit 1\nexec /usr/bin/dpkg "$@"\n' > "$bin/dpkg"
chmod 755 "$bin/apt-get" "$bin/dpkg"
printf 'ID=fedora\nVERSION_ID=40\n' > "$tmp/fedora"
printf 'ID=debian\nVERSION_CODENAME=bookworm\n' > "$tmp/debian"

# run.sh OS_RELEASE [as nobody]: output in $out, status in $rc
run() {
	local cmd=(env PATH="$bin" MEMATTR_OS_RELEASE="$1" bash "$tmp/tree/runners/install-deps.sh")
	rm -f "$tmp/marks/apt-get-ran"
	if [ "${2:-}" = nobody ] && [ "$(id -u)" = 0 ]; then
		out=$(cd / && runuser -u nobody -- "${cmd[@]}" 2>&1)
	else
		out=$(cd / && "${cmd[@]}" 2>&1)
	fi
	rc=$?
}

has() { grep -qF -- "$1" <<<"$out"; }

echo "TAP version 13"
echo "1..11"
run "$tmp/fedora"
ok $((rc != 2)) "not Debian: exit status 2 (got $rc)"
has "this host is not Debian ($tmp/fedora: ID=fedora)"; ok $? "not Debian: says so"
has "cpio -> cpio" && has "qemu-system-aarch64 (version 9 or later) -> qemu-system-arm"
ok $? "not Debian: lists the missing tools with their packages"
has "rsync -> rsync"; ok $((! $?)) "not Debian: the tools decide, not dpkg (rsync is there)"
[ ! -e "$tmp/marks/apt-get-ran" ]; ok $? "not Debian: apt-get not run"

if ! command -v dpkg >/dev/null 2>&1; then
	for i in 6 7 8 9 10 11; do echo "ok $i # SKIP no dpkg on this host"; done
	exit $failed
fi
# a chroot whose / is mode 700 (made with mktemp -d) lets nobody run nothing at all
if [ "$(id -u)" = 0 ] && ! why=$(cd / && runuser -u nobody -- /bin/true 2>&1); then
	for i in 6 7 8 9 10 11; do
		echo "ok $i # SKIP user nobody cannot run /bin/true here ($(stat -c 'mode %a of /' /): ${why//$'\n'/ })"
	done
	exit $failed
fi
run "$tmp/debian" nobody
ok $((rc != 2)) "Debian, not root: exit status 2 (got $rc)"
has "not root: run 'make deps' as root"; ok $? "Debian, not root: says so"
has "rsync -> rsync" && has "apt-get install --no-install-recommends rsync"
ok $? "Debian, not root: lists the package dpkg does not have, and the command"
has "qemu-system-aarch64 (version 9 or later) -> qemu-system-arm" && has "-backports qemu-system-arm"
ok $? "Debian, not root: lists QEMU from backports"
has "cpio -> cpio"; ok $((! $?)) "Debian, not root: dpkg decides (cpio is installed)"
[ ! -e "$tmp/marks/apt-get-ran" ]; ok $? "Debian, not root: apt-get not run"
[ "$failed" = 0 ] || printf '# %s\n' "${out//$'\n'/$'\n'# }"
exit $failed
