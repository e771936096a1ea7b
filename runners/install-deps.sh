#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install what memattr needs on a Debian 12 host: QEMU 10 (bookworm-backports), the arm64 cross
# toolchain, busybox-static, what building kernel modules against linux-source needs (bison, flex,
# bc, dwarves, libelf-dev, libssl-dev, kmod: the fixture modules, the rebuilt kvm.ko/kvm-amd.ko of a
# cell's kvm_config, make mutate, which also needs patch), TAP consumers used by the self-tests,
# clang with libFuzzer (make fuzz), perl and the shellcheck package (make style; checkpatch.pl comes
# from tools/fetch-checkpatch.sh), and stress-ng and fio, the host load of the stress suite in
# the native host cell (lab cells carry Debian's own, runners/fetch-packages.sh),
# libjansson-dev (memattr-run reads results.json back: --compare,
# --merge, --kcidb) and what checks the reports in make check: python3-jsonschema (KCIDB),
# python3-lxml and libxml2-utils (JUnit XSD), python3-tap (TAP), python3-yaml (the LAVA test
# definition and jobs, make lava-unit), chromium (report.html, headless).
# Idempotent.  On Debian as root, what is missing is installed with apt-get.  On a host that is not
# Debian, or without root, nothing is installed: the script lists every missing tool with the Debian
# package that has it and exits 2.
# The Debian archive URI is read from the machine's own apt sources, never hard-coded.
# MEMATTR_OS_RELEASE: the os-release file that says which distribution this is (/etc/os-release).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=runners/lib/apt-sources.sh
. "$here/lib/apt-sources.sh"

os_release=${MEMATTR_OS_RELEASE:-/etc/os-release}
# depmod and friends live in sbin, which a non-root PATH may lack
PATH=$PATH:/usr/sbin:/sbin

pkgs_base="build-essential gcc-aarch64-linux-gnu libc6-dev-arm64-cross binutils-aarch64-linux-gnu
	busybox-static cpio xz-utils zstd rsync bison flex libelf-dev libssl-dev dwarves bc kmod patch
	perl libtap-formatter-junit-perl python3 ca-certificates clang libclang-rt-dev shellcheck
	stress-ng fio libjansson-dev python3-jsonschema python3-lxml python3-tap python3-yaml libxml2-utils chromium"
pkgs_qemu="qemu-system-arm qemu-system-x86"

# What shows that a package's tools are there on any distribution: cmd:NAME (on PATH), hdr:H (the
# host compiler finds <H>), xhdr:H (the arm64 cross compiler does), file:PATH, fuzzer (clang links a
# libFuzzer program).
probes_of() {
	case $1 in
	build-essential) echo "cmd:gcc cmd:make" ;;
	gcc-aarch64-linux-gnu) echo "cmd:aarch64-linux-gnu-gcc" ;;
	libc6-dev-arm64-cross) echo "xhdr:stdio.h" ;;
	binutils-aarch64-linux-gnu) echo "cmd:aarch64-linux-gnu-objcopy" ;;
	busybox-static) echo "file:/bin/busybox" ;;
	xz-utils) echo "cmd:xz" ;;
	libelf-dev) echo "hdr:libelf.h" ;;
	libssl-dev) echo "hdr:openssl/ssl.h" ;;
	dwarves) echo "cmd:pahole" ;;
	kmod) echo "cmd:depmod cmd:modinfo" ;;
	libtap-formatter-junit-perl) echo "cmd:tap2junit" ;;
	ca-certificates) echo "file:/etc/ssl/certs/ca-certificates.crt" ;;
	libclang-rt-dev) echo "fuzzer" ;;
	libjansson-dev) echo "hdr:jansson.h" ;;
	python3-jsonschema) echo "py:jsonschema" ;;
	python3-lxml) echo "py:lxml" ;;
	python3-tap) echo "py:tap" ;;
	python3-yaml) echo "py:yaml" ;;
	libxml2-utils) echo "cmd:xmllint" ;;
	*) echo "cmd:$1" ;;
	esac
}

probe() {
	case $1 in
	cmd:*) command -v "${1#cmd:}" >/dev/null 2>&1 ;;
	py:*) python3 -c "import ${1#py:}" >/dev/null 2>&1 ;;
	file:*) [ -e "${1#file:}" ] ;;
	hdr:*) printf '#include <%s>\n' "${1#hdr:}" | gcc -E -x c - >/dev/null 2>&1 ;;
	xhdr:*) printf '#include <%s>\n' "${1#xhdr:}" | aarch64-linux-gnu-gcc -E -x c - >/dev/null 2>&1 ;;
	fuzzer)
		printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' |
			clang -fsanitize=fuzzer -x c - -o /dev/null >/dev/null 2>&1 ;;
	esac
}

probe_name() {
	case $1 in
	cmd:* | file:*) echo "${1#*:}" ;;
	hdr:*) echo "<${1#hdr:}>" ;;
	xhdr:*) echo "<${1#xhdr:}> for aarch64-linux-gnu-gcc" ;;
	fuzzer) echo "clang -fsanitize=fuzzer (libFuzzer runtime)" ;;
	py:*) echo "python3 module ${1#py:}" ;;
	esac
}

os_id="" codename=""
if [ -r "$os_release" ]; then
	os_id=$(sed -n 's/^ID=["'"'"']\{0,1\}\([^"'"'"']*\).*/\1/p' "$os_release")
	codename=$(sed -n 's/^VERSION_CODENAME=["'"'"']\{0,1\}\([^"'"'"']*\).*/\1/p' "$os_release")
fi
debian=0 why_not=""
if [ "$os_id" != debian ]; then
	why_not="this host is not Debian ($os_release: ID=${os_id:-unknown})"
elif ! command -v dpkg >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
	why_not="this Debian host has no dpkg or apt-get"
else
	debian=1
fi

# On Debian the package database says what is installed; elsewhere the probes do.
missing="" report=()
for p in $pkgs_base; do
	if [ "$debian" = 1 ]; then
		dpkg -s "$p" >/dev/null 2>&1 && continue
		missing="$missing $p"
		for pr in $(probes_of "$p"); do report+=("$(probe_name "$pr") -> $p"); done
	else
		for pr in $(probes_of "$p"); do
			probe "$pr" && continue
			report+=("$(probe_name "$pr") -> $p")
			case " $missing " in *" $p "*) ;; *) missing="$missing $p" ;; esac
		done
	fi
done
qemu_ok=1
for b in qemu-system-aarch64 qemu-system-x86_64; do
	pkg=qemu-system-arm
	[ "$b" = qemu-system-x86_64 ] && pkg=qemu-system-x86
	v=""
	command -v "$b" >/dev/null 2>&1 && v=$("$b" --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p')
	if [ "${v:-0}" -lt 9 ]; then
		qemu_ok=0
		report+=("$b (version 9 or later${v:+, found $v}) -> $pkg (Debian 12: from bookworm-backports)")
	fi
done
if [ -z "$missing" ] && [ "$qemu_ok" = 1 ]; then
	exit 0
fi

cannot_install() {
	echo "install-deps: missing (tool -> Debian package):" >&2
	printf '  %s\n' "${report[@]}" >&2
	echo "install-deps: $1" >&2
	exit 2
}
if [ "$debian" = 0 ]; then
	cannot_install "$why_not: install the equivalents with its package manager.  The lab also \
downloads Debian kernels, and UAPI headers unless make is given UAPI_DIR=, with apt-get download."
fi
if [ "$(id -u)" != 0 ]; then
	how="apt-get install --no-install-recommends$missing"
	[ "$qemu_ok" = 1 ] || how="$how; apt-get install -t ${codename:-bookworm}-backports $pkgs_qemu"
	cannot_install "not root: run 'make deps' as root (it does: $how)."
fi

export DEBIAN_FRONTEND=noninteractive
uri=$(memattr_debian_uri) || { echo "install-deps: no Debian archive found in the apt sources" >&2; exit 2; }
codename=${codename:-bookworm}
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
