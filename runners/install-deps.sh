#!/usr/bin/env bash
# Install what memattr needs on a Debian 12 host: QEMU 10 (bookworm-backports), the arm64 cross
# toolchain, busybox-static, TAP consumers used by the self-tests, clang with libFuzzer (make fuzz).
# Idempotent; needs root.
# The Debian archive URI is read from the machine's own apt sources, never hard-coded.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/apt-sources.sh"

need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "install-deps: must run as root (apt-get install)" >&2
		exit 2
	fi
}

pkgs_base="build-essential gcc-aarch64-linux-gnu libc6-dev-arm64-cross binutils-aarch64-linux-gnu
	busybox-static cpio xz-utils zstd rsync bison flex libelf-dev libssl-dev dwarves bc kmod
	perl libtap-formatter-junit-perl python3 ca-certificates clang libclang-rt-dev"
pkgs_qemu="qemu-system-arm qemu-system-x86"

missing=""
for p in $pkgs_base; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
qemu_ok=1
for b in qemu-system-aarch64 qemu-system-x86_64; do
	if ! command -v "$b" >/dev/null 2>&1; then qemu_ok=0; continue; fi
	v=$("$b" --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p')
	[ "${v:-0}" -ge 9 ] || qemu_ok=0
done
if [ -z "$missing" ] && [ "$qemu_ok" = 1 ]; then
	exit 0
fi
need_root
export DEBIAN_FRONTEND=noninteractive
uri=$(memattr_debian_uri) || { echo "install-deps: no Debian archive found in the apt sources" >&2; exit 2; }
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
bp=/etc/apt/sources.list.d/memattr-backports.sources
if ! memattr_apt_has_suite "${codename}-backports"; then
	printf 'Types: deb\nURIs: %s\nSuites: %s-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
		"$uri" "$codename" > "$bp"
fi
apt-get update -qq
# shellcheck disable=SC2086
[ -z "$missing" ] || apt-get install -y -qq --no-install-recommends $missing
if [ "$qemu_ok" = 0 ]; then
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends -t "${codename}-backports" $pkgs_qemu ||
		apt-get install -y -qq --no-install-recommends $pkgs_qemu
fi
