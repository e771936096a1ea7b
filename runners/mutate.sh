#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# mutate.sh: mutation testing of the memattr suites against deliberately broken KVM builds.
#
#   mutate.sh [--mutations DIR] [--cells x86_64-max] [--filter GLOB] [--suites A,B]
#             [--test-filter GLOB] [--report-dir DIR] [--kernel-release REL] [--jobs N]
#             [--cache DIR] [--build-only] [--force]
#   mutate.sh --dry-run [--mutations DIR] [--filter GLOB]
#
# The corpus: DIR/<arch>/*.patch (default DIR: mutations/ of the project; DIR may also hold the
# patches directly, then every patch must say its Arch:). Each patch is a unified diff against
# linux-source of the lab kernel's version (paths relative to the source root, applied with -p1),
# preceded by a header of "Key: value" lines (patch(1) skips them):
#   Mutation: one line: what is broken
#   Arch: x86_64 | arm64
#   Reintroduces: the historical bug or CVE and its fix, or "none (synthetic)"
#   Why: (only for an expected survivor) why no test can observe it
# --filter GLOB selects mutations by name (the file name without .patch).
#
# For x86_64 (KVM is modular in Debian's amd64 kernel; kvm.ko and kvm-amd.ko are rebuilt):
#   1. runners/build-fixtures.sh --print-paths gives the pristine linux-source tree and Debian's config.
#   2. $CACHE/kbuild/mutate/REL/src is a hardlink farm (cp -al) of that tree; a patch is applied there
#      with GNU patch, which writes each changed file as a new file, so the shared tree stays intact
#      (checked: after patching, a touched file must not share its inode with the pristine tree).
#      Before the next patch the touched files are replaced by fresh copies of the pristine ones.
#   3. $CACHE/kbuild/mutate/REL/obj is a kbuild O= tree prepared once (runners/lib/kbuild.sh):
#      Debian's config, KVM_SW_PROTECTED_VM=y, no trusted keys, MODULE_SIG_ALL off,
#      `make modules_prepare KERNELRELEASE=REL`.
#   4. `make M=arch/x86/kvm KBUILD_MODPOST_WARN=1 modules` (in the farm's arch/x86/kvm, incremental:
#      restored and patched files are new, so kbuild rebuilds what changed) gives kvm.ko and kvm-amd.ko, cached in
#      $CACHE/kbuild/mutate/REL/ko/<key>/ (key: hash of the patch, the config and the compiler); the
#      unmutated build ("baseline") has the key of an empty patch. A modules directory there
#      (modules/REL/) is Debian's (hard links) with kvm.ko.xz/kvm-amd.ko.xz replaced by these.
#   5. build/host/memattr-run --cells C --set cell.C.kernel=<Debian's vmlinuz> --set
#      cell.C.modules=<that dir>, one report directory per mutation. The cell's identity
#      (kvm_build_id, printed by runners/cell/init.sh from /sys/module/*/notes) must name the GNU
#      build ids of the .ko files that were built, or the run does not count.
#   The baseline runs first and must pass (every test pass or skip): it proves that the rebuild alone
#   changes nothing. Then each mutation is: killed (some test failed; they are named), survived (the
#   suites stayed green), build-failed or boot-failed (the cell did not reach the suites, or it ran
#   other modules). Build and boot failures are not kills. arm64 mutations are listed as not run
#   (arm64 KVM is built into the kernel; a kernel build is needed).
#
# --dry-run: no build and no run: checks every patch's header and that it applies cleanly
# (patch --dry-run --fuzz=0) to the cached pristine source; exit 1 if one does not.
# --build-only: build (and cache) the modules, do not run cells.
# --force: run the mutations even if the baseline is not green (their verdicts are then marked so).
# Report: DIR/report.txt and DIR/report.json (default DIR: reports/mutate/<UTC timestamp>/, and the
# link reports/mutate/latest); each run's memattr-run reports under DIR/runs/<mutation>/.
# Exit: 0 done (whatever the verdicts), 1 a patch does not apply (dry run) or the baseline is not
# green, 2 usage or setup error. CPU-heavy steps run under flock /tmp/memattr-cpu.lock
# ($MEMATTR_CPU_LOCK; empty: no lock).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

prog=mutate
die() { echo "$prog: $*" >&2; exit 2; }
log() { echo "$prog: $*" >&2; }
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
# shellcheck source=lib/kbuild.sh
. "$here/lib/kbuild.sh"
recipe=1 # bump when the build steps change, to invalidate cached modules

mutdir=$top/mutations cells=x86_64-max filter='*' suites="" test_filter="" report_dir="" rel=""
jobs="" cache="${MEMATTR_CACHE:-$HOME/.cache/memattr}" dry=0 build_only=0 force=0
cpu_lock=${MEMATTR_CPU_LOCK-/tmp/memattr-cpu.lock}
while [ $# -gt 0 ]; do
	case $1 in
	--mutations) mutdir=${2:-}; shift 2 || die "--mutations needs a value" ;;
	--cells) cells=${2:-}; shift 2 || die "--cells needs a value" ;;
	--filter) filter=${2:-}; shift 2 || die "--filter needs a value" ;;
	--suites) suites=${2:-}; shift 2 || die "--suites needs a value" ;;
	--test-filter) test_filter=${2:-}; shift 2 || die "--test-filter needs a value" ;;
	--report-dir) report_dir=${2:-}; shift 2 || die "--report-dir needs a value" ;;
	--kernel-release) rel=${2:-}; shift 2 || die "--kernel-release needs a value" ;;
	--jobs | -j) jobs=${2:-}; shift 2 || die "--jobs needs a value" ;;
	--cache) cache=${2:-}; shift 2 || die "--cache needs a value" ;;
	--dry-run) dry=1; shift ;;
	--build-only) build_only=1; shift ;;
	--force) force=1; shift ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument: $1 (see --help)" ;;
	esac
done
[ -n "$filter" ] || filter='*'
[ -d "$mutdir" ] || die "mutations directory not found: $mutdir"
mutdir=$(cd "$mutdir" && pwd -P)
[ -n "$jobs" ] || jobs=$(nproc 2>/dev/null || echo 2)
case $jobs in '' | *[!0-9]*) die "--jobs wants a number" ;; esac
case $cells in *,*) die "--cells takes one x86_64 cell (got $cells)" ;; esac
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES KBUILD_OUTPUT KBUILD_EXTMOD O M ARCH CROSS_COMPILE \
	KERNELRELEASE KCONFIG_CONFIG CC LD CFLAGS LDFLAGS 2>/dev/null || true
export LC_ALL=C
for t in patch:patch sha256sum:coreutils python3:python3 modinfo:kmod readelf:binutils xz:xz-utils; do
	command -v "${t%%:*}" >/dev/null 2>&1 || die "missing tool ${t%%:*}; install ${t#*:}"
done
heavy() { # run a CPU-heavy command under the shared lock
	if [ -n "$cpu_lock" ]; then flock "$cpu_lock" "$@"; else "$@"; fi
}

# ---------------------------------------------------------------- corpus
# Value of header key $2 of patch $1 (lines before the first ---/diff/Index line).
hdr() {
	awk -v k="$2" 'BEGIN { IGNORECASE = 1 }
		/^(--- |diff |Index: )/ { exit }
		{ if (tolower(substr($0, 1, length(k) + 1)) == tolower(k) ":") { v = substr($0, length(k) + 2); sub(/^[ \t]+/, "", v); print v; exit } }' "$1"
}
# Files a patch touches (paths after +++, first component stripped).
touched() {
	sed -n 's/^+++ [^/]*\/\([^[:space:]]*\).*/\1/p' "$1" | sort -u
}
patches=()
names=()
archs=()
collect() {
	local f n a
	for f in "$mutdir"/*.patch "$mutdir"/*/*.patch; do
		[ -f "$f" ] || continue
		n=$(basename "$f" .patch)
		# shellcheck disable=SC2254 # glob on purpose
		case $n in $filter) ;; *) continue ;; esac
		a=$(hdr "$f" Arch)
		[ -n "$a" ] || a=$(basename "$(dirname "$f")")
		patches+=("$f")
		names+=("$n")
		archs+=("$a")
	done
	[ ${#patches[@]} -gt 0 ] || die "no mutation matches '$filter' in $mutdir"
	local dup
	dup=$(printf '%s\n' "${names[@]}" | sort | uniq -d | head -n1)
	[ -z "$dup" ] || die "two mutations are named $dup"
}
collect

# ---------------------------------------------------------------- source and config
[ -n "$rel" ] || rel=$(ls -1 "$cache/kernels" 2>/dev/null | grep -E -- '-amd64$' | sort -V | tail -n1 || true)
[ -n "$rel" ] || die "no amd64 kernel in $cache/kernels (run make run once, or pass --kernel-release)"
paths=$("$here/build-fixtures.sh" --arch x86_64 --kernel-release "$rel" --cache "$cache" --print-paths) ||
	die "cannot get the kernel source for $rel (build-fixtures.sh --print-paths failed)"
src=$(sed -n 's/^SOURCE=//p' <<<"$paths")
config=$(sed -n 's/^CONFIG=//p' <<<"$paths")
src_id=$(sed -n 's/^SOURCE_ID=//p' <<<"$paths")
[ -f "$src/Makefile" ] || die "kernel source not found: $src"
[ -f "$config" ] || die "kernel config not found: $config"

check_patch() { # file name arch -> 0 ok, else prints the problem
	local f=$1 a=$3 out t
	[ -n "$(hdr "$f" Mutation)" ] || { echo "no 'Mutation:' header line"; return 1; }
	[ -n "$(hdr "$f" Reintroduces)" ] || { echo "no 'Reintroduces:' header line (say 'none (synthetic)')"; return 1; }
	case $a in x86_64 | arm64) ;; *) echo "Arch is '$a', not x86_64 or arm64"; return 1 ;; esac
	[ -n "$(touched "$f")" ] || { echo "no +++ file in the diff"; return 1; }
	for t in $(touched "$f"); do
		[ -f "$src/$t" ] || { echo "touches $t, which is not in $src"; return 1; }
	done
	if ! out=$(patch -p1 --dry-run --fuzz=0 --batch -d "$src" <"$f" 2>&1); then
		echo "does not apply: $(tr '\n' ' ' <<<"$out")"
		return 1
	fi
	case $out in *"with fuzz"* | *offset*) echo "applies only with fuzz or offset: $(tr '\n' ' ' <<<"$out")"; return 1 ;; esac
	return 0
}

if [ "$dry" = 1 ]; then
	bad=0
	for i in "${!patches[@]}"; do
		if msg=$(check_patch "${patches[$i]}" "${names[$i]}" "${archs[$i]}"); then
			printf 'ok   %-8s %s: %s\n' "${archs[$i]}" "${names[$i]}" "$(hdr "${patches[$i]}" Mutation)"
		else
			printf 'FAIL %-8s %s: %s\n' "${archs[$i]}" "${names[$i]}" "$msg"
			bad=1
		fi
	done
	[ "$bad" = 0 ] || { log "some patches do not apply to $src"; exit 1; }
	echo "$prog: ${#patches[@]} patch(es) apply cleanly to $src ($src_id)"
	exit 0
fi

# ---------------------------------------------------------------- build
work=$cache/kbuild/mutate/$rel
mkdir -p "$work/logs" "$work/ko"
exec 9>"$work/.lock"
flock -n 9 || die "another mutate.sh is using $work"
farm=$work/src obj=$work/obj
kmake=(make -C "$farm" O="$obj" ARCH=x86 KERNELRELEASE="$rel")
ccver=$(gcc --version | head -n1)
extra_config=(--enable KVM_SW_PROTECTED_VM)
stamp=$(printf 'recipe=%s\nsource=%s\nconfig=%s\ncc=%s\npahole=%s\nextra=%s\nfarm=%s\n' "$recipe" "$src_id" \
	"$(sha256sum <"$config" | cut -d' ' -f1)" "$ccver" "$(pahole --version 2>/dev/null)" "${extra_config[*]}" "$farm")

# The farm: a hardlink copy of the pristine tree, its patched files tracked in $work/applied.
if [ ! -f "$farm/.memattr-farm" ] || [ "$(cat "$farm/.memattr-farm")" != "$src_id" ]; then
	log "hardlink farm of $src -> $farm"
	rm -rf "$farm" "$obj" "$work/applied"
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
	touched "$f" >"$work/applied"
	patch -p1 --fuzz=0 --batch --no-backup-if-mismatch -d "$farm" <"$f" >"$work/logs/patch.log" 2>&1 ||
		die "patch $f failed in the farm (log: $work/logs/patch.log)"
	while read -r t; do
		[ "$(stat -c %i "$farm/$t")" != "$(stat -c %i "$src/$t")" ] ||
			die "patching $t wrote through the hard link into $src (GNU patch must replace files)"
	done <"$work/applied"
}

prepare_obj() {
	restore_farm
	heavy bash -c "$(declare -f memattr_kb_prepare die); $(declare -p kmake); memattr_kb_prepare \"\$@\"" _ \
		"$obj" "$config" "$rel" "$work/logs" "$jobs" "$stamp" "${extra_config[@]}"
}

# build NAME PATCH|"" -> sets ko_dir; returns 1 if the build failed (log in ko_dir/build.log)
build_one() {
	local name=$1 f=$2 key t0 t1 kodir kdir
	key=$(
		{
			printf 'recipe=%s\n%s\n' "$recipe" "$stamp"
			[ -z "$f" ] || sed -n '/^\(--- \|diff \|Index: \)/,$p' "$f"
		} | sha256sum | cut -c1-16
	)
	kodir=$work/ko/$key
	ko_dir=$kodir
	if [ -f "$kodir/ok" ]; then
		log "$name: cached build $kodir"
		return 0
	fi
	if [ -f "$kodir/failed" ]; then
		log "$name: cached build failure $kodir"
		return 1
	fi
	rm -rf "$kodir"
	mkdir -p "$kodir"
	restore_farm
	[ -z "$f" ] || { apply_patch "$f"; cp "$f" "$kodir/mutation.patch"; }
	kdir=$farm/arch/x86/kvm # kbuild writes an M= build into the M directory (new files only)
	rm -f "$kdir/kvm.ko" "$kdir/kvm-amd.ko"
	log "$name: building kvm.ko, kvm-amd.ko"
	# the time counts from when the CPU lock is held, not from when it was asked for
	t0=$(date +%s.%N)
	if heavy bash -c 'date +%s.%N >"$0"; exec "$@"' "$kodir/build_start" \
		"${kmake[@]}" M=arch/x86/kvm KBUILD_MODPOST_WARN=1 -j"$jobs" modules >"$kodir/build.log" 2>&1 &&
		[ -f "$kdir/kvm.ko" ] && [ -f "$kdir/kvm-amd.ko" ]; then
		t1=$(date +%s.%N)
		t0=$(cat "$kodir/build_start" 2>/dev/null || echo "$t0")
		cp "$kdir/kvm.ko" "$kdir/kvm-amd.ko" "$kodir/"
		memattr_kb_check_vermagic "$kodir/kvm.ko" "$rel"
		memattr_kb_check_vermagic "$kodir/kvm-amd.ko" "$rel"
		echo "$t0 $t1" | awk '{ printf "%.1f\n", $2 - $1 }' >"$kodir/build_seconds"
		make_modules_dir "$kodir"
		touch "$kodir/ok"
		restore_farm
		return 0
	fi
	t1=$(date +%s.%N)
	t0=$(cat "$kodir/build_start" 2>/dev/null || echo "$t0")
	echo "$t0 $t1" | awk '{ printf "%.1f\n", $2 - $1 }' >"$kodir/build_seconds"
	touch "$kodir/failed"
	restore_farm
	return 1
}

build_id() { # ko -> hex GNU build id
	readelf -n "$1" 2>/dev/null | sed -n 's/^ *Build ID: *//p' | head -n1
}

# Debian's modules directory (hard links) with kvm.ko.xz and kvm-amd.ko.xz replaced by ours.
make_modules_dir() {
	local kodir=$1 dm d
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

# ---------------------------------------------------------------- run
runner=$top/build/host/memattr-run
vmlinuz=$cache/kernels/$rel/usr/lib/modules/$rel/vmlinuz
[ -f "$vmlinuz" ] || die "Debian's kernel image of $rel not found: $vmlinuz"
ts=$(date -u +%Y%m%dT%H%M%SZ)
[ -n "$report_dir" ] || report_dir=$top/reports/mutate/$ts
mkdir -p "$report_dir/runs" || die "cannot create $report_dir"
report_dir=$(cd "$report_dir" && pwd -P)
state=$report_dir/state.tsv # name arch status run-dir build-seconds run-seconds build-id note patch
: >"$state"
cur_patch=""
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" "$cur_patch" >>"$state"; }

# run_one NAME KODIR -> writes the memattr-run report under runs/NAME; echoes seconds
run_one() {
	local name=$1 kodir=$2 out=$report_dir/runs/$1 t0 args rc=0
	if [ ! -x "$runner" ]; then die "$runner not built (make build driver)"; fi
	mkdir -p "$out"
	args=(--cells "$cells" --set "cell.$cells.kernel=$vmlinuz" --set "cell.$cells.modules=$kodir/modules/$rel"
		--report-dir "$out")
	[ -z "$suites" ] || args+=(--suites "$suites")
	[ -z "$test_filter" ] || args+=(--filter "$test_filter")
	log "$name: running cell $cells"
	t0=$(date +%s)
	heavy bash -c 'date +%s >"$0"; exec "$@"' "$out/run_start" "$runner" "${args[@]}" >"$out/memattr-run.log" 2>&1 || rc=$?
	t0=$(cat "$out/run_start" 2>/dev/null || echo "$t0")
	echo "$(($(date +%s) - t0)) $rc"
}

log "kernel $rel, source $src_id; mutations: ${#patches[@]}; report: $report_dir"
prepare_obj
order=(baseline)
for i in "${!patches[@]}"; do order+=("$i"); done
baseline_ok=1
for i in "${order[@]}"; do
	if [ "$i" = baseline ]; then name=baseline f="" a=x86_64; else name=${names[$i]} f=${patches[$i]} a=${archs[$i]}; fi
	cur_patch=$f
	if [ "$a" = arm64 ]; then
		record "$name" "$a" not-run "" "" "" "" "arm64 KVM is built into the kernel; a kernel build is needed (not done)"
		continue
	fi
	if [ -n "$f" ] && ! msg=$(check_patch "$f" "$name" "$a"); then
		record "$name" "$a" build-failed "" "" "" "" "patch does not apply: $msg"
		continue
	fi
	if ! build_one "$name" "$f"; then
		record "$name" "$a" build-failed "" "$(cat "$ko_dir/build_seconds" 2>/dev/null)" "" "" \
			"$(grep -m1 -E 'error:|Error [0-9]' "$ko_dir/build.log" | tr '\t' ' ' || true) (log: $ko_dir/build.log)"
		[ "$name" != baseline ] || die "the unmutated build failed (log: $ko_dir/build.log)"
		continue
	fi
	bsec=$(cat "$ko_dir/build_seconds" 2>/dev/null || echo "")
	if [ "$build_only" = 1 ]; then
		record "$name" "$a" built "" "$bsec" "" "$(cat "$ko_dir/build_id")" "$ko_dir"
		continue
	fi
	if [ "$name" != baseline ] && [ "$baseline_ok" = 0 ] && [ "$force" = 0 ]; then
		record "$name" "$a" not-run "" "$bsec" "" "$(cat "$ko_dir/build_id")" "baseline not green"
		continue
	fi
	read -r rsec rrc < <(run_one "$name" "$ko_dir")
	record "$name" "$a" ran "$report_dir/runs/$name" "$bsec" "$rsec" "$(cat "$ko_dir/build_id")" "memattr-run exit $rrc"
	if [ "$name" = baseline ]; then
		if ! python3 "$here/lib/mutate_report.py" --baseline-check "$state" >&2; then
			baseline_ok=0
			[ "$force" = 1 ] || log "baseline is not green: mutations are built but not run (see $report_dir/runs/baseline)"
		fi
	fi
done

python3 "$here/lib/mutate_report.py" --report "$state" --mutations "$mutdir" --out "$report_dir" \
	--kernel-release "$rel" --source "$src_id" --cell "$cells" ${test_filter:+--test-filter "$test_filter"} \
	${suites:+--suites "$suites"} || die "report generation failed"
ln -sfn "$(basename "$report_dir")" "$(dirname "$report_dir")/latest" 2>/dev/null || true
cat "$report_dir/report.txt"
[ "$baseline_ok" = 1 ] || exit 1
exit 0
