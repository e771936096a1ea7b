#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# build-kvm.sh: rebuild kvm.ko and kvm-amd.ko of a Debian x86_64 lab kernel from linux-source of its
# version, with KVM config changes and/or a patch, cached; for a lab cell's kvm_config (memattr-run)
# and for tools/mutate.sh.
#
#   build-kvm.sh --kernel-release REL [--config "+SYM -SYM ..."] [--patch FILE] [--jobs N]
#                [--cache DIR] [--cpu-lock FILE]
#
# --config: KVM Kconfig changes, blank- or comma-separated: +SYM sets CONFIG_SYM=y, -SYM unsets it.
#   SYM must be defined in arch/x86/kvm/Kconfig or virt/kvm/Kconfig of the source (only the KVM
#   modules are rebuilt: an option of the kernel proper would make them disagree with Debian's
#   vmlinuz), every change must take effect after `make olddefconfig` (a dependency it lacks is an
#   error), and every symbol the changes alter (KVM_CONFIG_DELTA below, the difference from Debian's
#   config prepared the same way) must be a KVM one too.
# --patch FILE: a unified diff against the source root (-p1), applied before the build (mutations).
#
# Steps:
#   1. runners/build-fixtures.sh --print-paths: the pristine linux-source tree of REL's version and
#      Debian's config (and Debian's config prepared without changes, $CACHE/kbuild/REL/obj, which
#      the delta is taken against).
#   2. $CACHE/kbuild/kvm/REL/<config>/src: a hardlink farm (cp -al) of that tree.  A patch is applied
#      there with GNU patch, which writes each changed file as a new file, so the shared tree stays
#      intact (checked: a touched file must not share its inode with the pristine tree); the touched
#      files are put back as fresh copies after the build.
#   3. $CACHE/kbuild/kvm/REL/<config>/obj: a kbuild O= tree prepared once (runners/lib/kbuild.sh):
#      Debian's config with the --config changes, no trusted keys, MODULE_SIG_ALL off,
#      `make modules_prepare KERNELRELEASE=REL`.
#   4. `make M=arch/x86/kvm KBUILD_MODPOST_WARN=1 modules` (incremental in the farm) gives kvm.ko and
#      kvm-amd.ko, cached in .../ko/<key>/ (key: hash of this recipe, the source, Debian's config, the
#      config changes, the compiler, pahole and the patch) with their build log, build time and GNU
#      build ids, and modules/REL/: Debian's modules directory (hard links) with kvm.ko.xz and
#      kvm-amd.ko.xz replaced by these (what a cell's initramfs takes them from).
# A second call with the same inputs builds nothing (KVM_BUILD=cached).  A build failure with
# --patch is cached too (a mutation that does not compile stays so); without, it is retried.
#
# stdout: KVM_BUILD=built|cached, KO_DIR=, MODULES_DIR=, KVM_BUILD_ID=kvm:<hex>,kvm_amd:<hex>,
#   BUILD_SECONDS= (the module build, from when the CPU lock was held), SOURCE_ID=, KVM_CONFIG= (the
#   changes, normalized), KVM_CONFIG_DELTA= (CONFIG_SYM=value,... that differ from Debian's config).
#   After a failed build: KVM_BUILD=failed, KO_DIR=, BUILD_SECONDS= (build.log is in KO_DIR).
# Exit: 0 built or cached; 1 the module build failed (one line on stderr, naming the log); 2 usage
# or setup error (one line on stderr).  --cpu-lock FILE: the CPU-heavy steps run under
# flock FILE (tools/mutate.sh passes the shared lock; never give it from under a holder of it).
# Needs what runners/build-fixtures.sh needs, plus patch (with --patch) and readelf.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

prog=build-kvm
die() { echo "$prog: $*" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/kbuild.sh
. "$here/lib/kbuild.sh"
recipe=1 # bump when the build steps change, to invalidate cached modules

rel="" config_opt="" patch_file="" jobs="" cache="${MEMATTR_CACHE:-$HOME/.cache/memattr}" cpu_lock=""
while [ $# -gt 0 ]; do
	case $1 in
	--kernel-release) rel=${2:-}; shift 2 || die "--kernel-release needs a value" ;;
	--config) config_opt=${2-}; shift 2 || die "--config needs a value" ;;
	--patch) patch_file=${2:-}; shift 2 || die "--patch needs a value" ;;
	--jobs | -j) jobs=${2:-}; shift 2 || die "--jobs needs a value" ;;
	--cache) cache=${2:-}; shift 2 || die "--cache needs a value" ;;
	--cpu-lock) cpu_lock=${2-}; shift 2 || die "--cpu-lock needs a value" ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument: $1 (see --help)" ;;
	esac
done
[ -n "$rel" ] || die "--kernel-release REL is required (a Debian amd64 kernel, e.g. 7.2.13+deb14-amd64)"
case $rel in
*/* | *' '* | .*) die "bad kernel release: $rel" ;;
[0-9]*.*-amd64) ;;
*) die "kernel release $rel is not a Debian amd64 kernel (KVM is modular only there)" ;;
esac
[ -n "$jobs" ] || jobs=$(nproc 2>/dev/null || echo 2)
case $jobs in '' | *[!0-9]*) die "--jobs wants a number" ;; esac
if [ -n "$patch_file" ]; then
	[ -f "$patch_file" ] || die "--patch: no such file: $patch_file"
	patch_file=$(cd "$(dirname "$patch_file")" && pwd -P)/$(basename "$patch_file")
fi

# --config: +SYM / -SYM items -> normalized text and scripts/config arguments
changes=() cfg_args=() syms=() items=()
read -r -a items <<<"${config_opt//,/ }"
for it in "${items[@]}"; do
	sym=${it#[+-]}
	case $it in
	[+-]CONFIG_*) die "--config: write ${it%%CONFIG_*}${it#?CONFIG_}, without CONFIG_" ;;
	[+-]*) ;;
	*) die "--config: '$it' is not +SYM or -SYM" ;;
	esac
	case $sym in
	'' | *[!A-Z0-9_]*) die "--config: '$it': SYM is a Kconfig symbol (A-Z, 0-9, _)" ;;
	esac
	case " ${syms[*]} " in *" $sym "*) die "--config: $sym given twice" ;; esac
	syms+=("$sym")
	changes+=("$it")
	if [ "${it:0:1}" = + ]; then cfg_args+=(--enable "$sym"); else cfg_args+=(--disable "$sym"); fi
done
kvm_config=$(IFS=,; echo "${changes[*]}")

unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES KBUILD_OUTPUT KBUILD_EXTMOD O M ARCH CROSS_COMPILE \
	KERNELRELEASE KCONFIG_CONFIG CC LD CFLAGS LDFLAGS 2>/dev/null || true
export LC_ALL=C
tools=(sha256sum:coreutils modinfo:kmod readelf:binutils gcc:gcc make:make)
[ -z "$patch_file" ] || tools+=(patch:patch)
for t in "${tools[@]}"; do
	command -v "${t%%:*}" >/dev/null 2>&1 || die "missing tool ${t%%:*}; install ${t#*:}"
done
heavy() { # a CPU-heavy command, under the shared lock if one was given
	if [ -n "$cpu_lock" ]; then flock "$cpu_lock" "$@"; else "$@"; fi
}

# ---------------------------------------------------------------- 1. source and Debian's config
mkdir -p "$cache" || die "cannot create cache directory $cache"
cache=$(cd "$cache" && pwd -P)
paths=$("$here/build-fixtures.sh" --arch x86_64 --kernel-release "$rel" --cache "$cache" --jobs "$jobs" --print-paths) ||
	die "cannot get the kernel source for $rel (build-fixtures.sh --print-paths failed, above)"
src=$(sed -n 's/^SOURCE=//p' <<<"$paths")
config=$(sed -n 's/^CONFIG=//p' <<<"$paths")
src_id=$(sed -n 's/^SOURCE_ID=//p' <<<"$paths")
[ -f "$src/Makefile" ] || die "kernel source not found: $src"
[ -f "$config" ] || die "kernel config not found: $config"
ref_config=$cache/kbuild/$rel/obj/.config # Debian's config prepared without changes (build-fixtures.sh)
[ -f "$ref_config" ] || die "no prepared tree of Debian's config at $ref_config (build-fixtures.sh)"

# A symbol of the KVM Kconfig files: only the KVM modules are rebuilt.
kvm_kconfig=("$src/arch/x86/kvm/Kconfig" "$src/virt/kvm/Kconfig")
is_kvm_sym() {
	grep -qE "^(menu)?config $1\$" "${kvm_kconfig[@]}" 2>/dev/null
}
for sym in "${syms[@]}"; do
	is_kvm_sym "$sym" || die "--config: $sym is not a KVM option (not in arch/x86/kvm/Kconfig or virt/kvm/Kconfig of $src_id): only kvm.ko and kvm-amd.ko are rebuilt"
done

# ---------------------------------------------------------------- 2-3. farm and prepared tree
base=$cache/kbuild/kvm/$rel
work=$base/${kvm_config:-debian-config}
mkdir -p "$work/logs" "$work/ko"
farm=$work/src obj=$work/obj
kmake=(make -C "$farm" O="$obj" ARCH=x86 KERNELRELEASE="$rel")
ccver=$(gcc --version | head -n1)
stamp=$(printf 'recipe=%s\nsource=%s\nconfig=%s\ncc=%s\npahole=%s\nextra=%s\nfarm=%s\n' "$recipe" "$src_id" \
	"$(sha256sum <"$config" | cut -d' ' -f1)" "$ccver" "$(pahole --version 2>/dev/null)" "${cfg_args[*]}" "$farm")
key=$(
	{
		printf 'recipe=%s\n%s\n' "$recipe" "$stamp"
		[ -z "$patch_file" ] || sed -n '/^\(--- \|diff \|Index: \)/,$p' "$patch_file"
	} | sha256sum | cut -c1-16
)
kodir=$work/ko/$key

emit() { # the result lines of a finished build in $kodir
	printf 'KVM_BUILD=%s\nKO_DIR=%s\nMODULES_DIR=%s\nKVM_BUILD_ID=%s\nBUILD_SECONDS=%s\nSOURCE_ID=%s\nKVM_CONFIG=%s\nKVM_CONFIG_DELTA=%s\n' \
		"$1" "$kodir" "$kodir/modules/$rel" "$(cat "$kodir/build_id")" "$(cat "$kodir/build_seconds" 2>/dev/null)" \
		"$src_id" "$kvm_config" "$(cat "$kodir/config_delta")"
}
failed() { # a failed build in $kodir: its lines, the error, exit 1
	printf 'KVM_BUILD=failed\nKO_DIR=%s\nBUILD_SECONDS=%s\n' "$kodir" "$(cat "$kodir/build_seconds" 2>/dev/null)"
	echo "$prog: $1: $(grep -m1 -E 'error:|Error [0-9]' "$kodir/build.log" || tail -n1 "$kodir/build.log") (log: $kodir/build.log)" >&2
	exit 1
}
# A finished build is read without the lock: ok (or failed) is written last.
if [ -f "$kodir/ok" ]; then emit cached; exit 0; fi

exec 9>"$work/.lock"
flock 9 || die "cannot lock $work/.lock"
if [ -f "$kodir/ok" ]; then emit cached; exit 0; fi
if [ -f "$kodir/failed" ] && [ -n "$patch_file" ]; then failed "cached build failure"; fi

# The farm: a hardlink copy of the pristine tree, the files a patch touched listed in $work/applied.
if [ ! -f "$farm/.memattr-farm" ] || [ "$(cat "$farm/.memattr-farm")" != "$src_id" ]; then
	echo "$prog: hardlink farm of $src -> $farm" >&2
	rm -rf "$farm" "$farm.tmp" "$obj" "$work/applied"
	cp -al "$src" "$farm.tmp" || die "cp -al $src failed"
	rm -f "$farm.tmp/.memattr-stamp"
	mv "$farm.tmp" "$farm"
	echo "$src_id" >"$farm/.memattr-farm"
fi
restore_farm() { # put back pristine copies (new files, new mtimes) of what the last patch touched
	local t
	[ -f "$work/applied" ] || return 0
	while read -r t; do
		[ -n "$t" ] || continue
		rm -f "$farm/$t"
		cp "$src/$t" "$farm/$t" || die "cannot restore $farm/$t"
	done <"$work/applied"
	rm -f "$work/applied"
}
apply_patch() { # patch file
	local f=$1 t
	sed -n 's/^+++ [^/]*\/\([^[:space:]]*\).*/\1/p' "$f" | sort -u >"$work/applied"
	patch -p1 --fuzz=0 --batch --no-backup-if-mismatch -d "$farm" <"$f" >"$work/logs/patch.log" 2>&1 ||
		die "patch $f failed in the farm (log: $work/logs/patch.log)"
	while read -r t; do
		[ "$(stat -c %i "$farm/$t")" != "$(stat -c %i "$src/$t")" ] ||
			die "patching $t wrote through the hard link into $src (GNU patch must replace files)"
	done <"$work/applied"
}
restore_farm

if [ ! -f "$obj/.memattr-prepared" ] || [ "$(cat "$obj/.memattr-prepared")" != "$stamp" ]; then
	echo "$prog: preparing $obj (Debian's config${kvm_config:+, $kvm_config})" >&2
fi
heavy bash -c "$(declare -f memattr_kb_prepare die); $(declare -p kmake); prog=$prog; memattr_kb_prepare \"\$@\"" _ \
	"$obj" "$config" "$rel" "$work/logs" "$jobs" "$stamp" "${cfg_args[@]}"

# Every change took effect, and what changed is KVM's alone: SYM=value lines that differ from $ref_config.
cfg_val() { # SYM config-file -> y, m, a value, or n (not set or absent)
	awk -v s="CONFIG_$1" -F= '$1 == s { v = substr($0, length(s) + 2) } $0 == "# " s " is not set" { v = "n" }
		END { print (v == "" ? "n" : v) }' "$2"
}
for it in "${changes[@]}"; do
	sym=${it#?} v=$(cfg_val "${it#?}" "$obj/.config")
	if [ "${it:0:1}" = + ] && [ "$v" != y ]; then
		die "--config $it did not take effect: CONFIG_$sym is $v after make olddefconfig (a dependency is not met; see arch/x86/kvm/Kconfig, log: $work/logs/olddefconfig.log)"
	fi
	if [ "${it:0:1}" = - ] && [ "$v" != n ]; then
		die "--config $it did not take effect: CONFIG_$sym is $v after make olddefconfig (selected by another option; log: $work/logs/olddefconfig.log)"
	fi
done
delta=$(
	awk '/^CONFIG_[A-Za-z0-9_]*=/ { i = index($0, "="); k = substr($0, 8, i - 8); v = substr($0, i + 1) }
		/^# CONFIG_[A-Za-z0-9_]* is not set$/ { k = substr($2, 8); v = "n" }
		k != "" { if (FILENAME == ARGV[1]) a[k] = v; else b[k] = v; all[k] = 1; k = "" }
		END { for (k in all) { x = (k in a) ? a[k] : "n"; y = (k in b) ? b[k] : "n"; if (x != y) print "CONFIG_" k "=" y } }' \
		"$ref_config" "$obj/.config" | sort
)
while read -r d; do
	d=${d#CONFIG_}
	[ -z "$d" ] || is_kvm_sym "${d%%=*}" ||
		die "--config ${kvm_config:-(none)} changes CONFIG_$d, which is not a KVM option: the rebuilt modules would not match Debian's kernel"
done <<<"$delta"

delta_text=$(paste -sd, - <<<"$delta")

# ---------------------------------------------------------------- 4. the modules
build_id() { # ko -> hex GNU build id
	readelf -n "$1" 2>/dev/null | sed -n 's/^ *Build ID: *//p' | head -n1
}
# Debian's modules directory (hard links) with kvm.ko.xz and kvm-amd.ko.xz replaced by ours.
make_modules_dir() {
	local dm d
	dm=$cache/kernels/$rel/usr/lib/modules/$rel
	[ -d "$dm/kernel" ] || die "Debian's modules of $rel not found at $dm"
	d=$kodir/modules/$rel
	rm -rf "$kodir/modules"
	mkdir -p "$kodir/modules"
	cp -al "$dm" "$d" || die "cp -al $dm failed"
	rm -f "$d"/kernel/arch/x86/kvm/kvm.ko* "$d"/kernel/arch/x86/kvm/kvm-amd.ko*
	cp "$kodir/kvm.ko" "$kodir/kvm-amd.ko" "$d/kernel/arch/x86/kvm/"
	printf 'kvm:%s,kvm_amd:%s\n' "$(build_id "$kodir/kvm.ko")" "$(build_id "$kodir/kvm-amd.ko")" >"$kodir/build_id"
}

rm -rf "$kodir"
mkdir -p "$kodir"
printf '%s\n' "$delta_text" >"$kodir/config_delta"
[ -z "$patch_file" ] || { apply_patch "$patch_file"; cp "$patch_file" "$kodir/mutation.patch"; }
kdir=$farm/arch/x86/kvm # kbuild writes an M= build into the M directory (new files only)
rm -f "$kdir/kvm.ko" "$kdir/kvm-amd.ko"
echo "$prog: building kvm.ko, kvm-amd.ko for $rel${kvm_config:+ ($kvm_config)}${patch_file:+ with $(basename "$patch_file")}" >&2
# the time counts from when the CPU lock is held, not from when it was asked for
t0=$(date +%s.%N)
ok=0
# shellcheck disable=SC2016 # the inner shell expands them
if heavy bash -c 'date +%s.%N >"$0"; exec "$@"' "$kodir/build_start" \
	"${kmake[@]}" M=arch/x86/kvm KBUILD_MODPOST_WARN=1 -j"$jobs" modules >"$kodir/build.log" 2>&1 &&
	[ -f "$kdir/kvm.ko" ] && [ -f "$kdir/kvm-amd.ko" ]; then
	ok=1
fi
t1=$(date +%s.%N)
t0=$(cat "$kodir/build_start" 2>/dev/null || echo "$t0")
echo "$t0 $t1" | awk '{ printf "%.1f\n", $2 - $1 }' >"$kodir/build_seconds"
if [ "$ok" = 1 ]; then
	cp "$kdir/kvm.ko" "$kdir/kvm-amd.ko" "$kodir/"
	restore_farm
	memattr_kb_check_vermagic "$kodir/kvm.ko" "$rel"
	memattr_kb_check_vermagic "$kodir/kvm-amd.ko" "$rel"
	make_modules_dir
	touch "$kodir/ok"
	emit built
	exit 0
fi
restore_farm
touch "$kodir/failed"
failed "the module build failed"
