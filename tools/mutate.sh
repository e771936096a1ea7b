#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# mutate.sh: mutation testing of the memattr suites against deliberately broken KVM builds.
#
#   mutate.sh [--mutations DIR] [--cells x86_64-max-private] [--filter GLOB] [--suites A,B]
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
#   1. runners/build-fixtures.sh --print-paths gives the pristine linux-source tree (for --dry-run).
#   2. runners/build-kvm.sh --config +KVM_SW_PROTECTED_VM [--patch P] builds the modules, once
#      unmutated ("baseline") and once per patch, in its hardlink farm of that tree (the shared
#      tree stays intact) and its kbuild O= tree prepared once with Debian's config plus
#      KVM_SW_PROTECTED_VM=y; it caches them per release, config change and patch under
#      $CACHE/kbuild/kvm/REL/+KVM_SW_PROTECTED_VM/ko/<key>/, next to a modules directory
#      (modules/REL/) that is Debian's with kvm.ko.xz/kvm-amd.ko.xz replaced by these.  The baseline
#      is the same build as the lab cell x86_64-max-private's modules (kvm_config, suite.conf).
#      The CPU-heavy steps take the CPU lock (--cpu-lock).
#   3. build/host/memattr-run --cells C --set cell.C.kernel=<Debian's vmlinuz> --set
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

mutdir=$top/mutations cells=x86_64-max-private filter='*' suites="" test_filter="" report_dir="" rel=""
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
for t in patch:patch python3:python3; do
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
[ -n "$rel" ] || rel=$(find "$cache/kernels" -mindepth 1 -maxdepth 1 -name '*-amd64' -printf '%f\n' 2>/dev/null |
	sort -V | tail -n1 || true)
[ -n "$rel" ] || die "no amd64 kernel in $cache/kernels (run make run once, or pass --kernel-release)"
paths=$("$top/runners/build-fixtures.sh" --arch x86_64 --kernel-release "$rel" --cache "$cache" --print-paths) ||
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

# ---------------------------------------------------------------- build (runners/build-kvm.sh)
work=$cache/kbuild/kvm/$rel
mkdir -p "$work"
exec 9>"$work/.mutate.lock"
flock -n 9 || die "another mutate.sh is running for $rel"
extra_config=+KVM_SW_PROTECTED_VM

# build NAME PATCH|"" -> sets ko_dir; returns 1 if the build failed (log in ko_dir/build.log)
build_one() {
	local name=$1 f=$2 out rc=0
	log "$name: kvm.ko, kvm-amd.ko"
	out=$("$top/runners/build-kvm.sh" --kernel-release "$rel" --config "$extra_config" ${f:+--patch "$f"} \
		--jobs "$jobs" --cache "$cache" ${cpu_lock:+--cpu-lock "$cpu_lock"}) || rc=$?
	ko_dir=$(sed -n 's/^KO_DIR=//p' <<<"$out")
	case $rc in
	0) log "$name: $(sed -n 's/^KVM_BUILD=//p' <<<"$out") build $ko_dir" ;;
	1) [ -n "$ko_dir" ] || die "build-kvm.sh failed without naming its build directory" ;;
	*) die "build-kvm.sh failed for $name (exit $rc; above)" ;;
	esac
	return "$rc"
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
	# the modules are these (kernel=, modules=), not what a kvm_config of the cell would build
	args=(--cells "$cells" --set "cell.$cells.kernel=$vmlinuz" --set "cell.$cells.modules=$kodir/modules/$rel"
		--set "cell.$cells.kvm_config=" --report-dir "$out")
	[ -z "$suites" ] || args+=(--suites "$suites")
	[ -z "$test_filter" ] || args+=(--filter "$test_filter")
	log "$name: running cell $cells"
	t0=$(date +%s)
	# shellcheck disable=SC2016 # the inner shell expands them
	heavy bash -c 'date +%s >"$0"; exec "$@"' "$out/run_start" "$runner" "${args[@]}" >"$out/memattr-run.log" 2>&1 || rc=$?
	t0=$(cat "$out/run_start" 2>/dev/null || echo "$t0")
	echo "$(($(date +%s) - t0)) $rc"
}

log "kernel $rel, source $src_id; mutations: ${#patches[@]}; report: $report_dir"
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
		if ! python3 "$here/mutate_report.py" --baseline-check "$state" >&2; then
			baseline_ok=0
			[ "$force" = 1 ] || log "baseline is not green: mutations are built but not run (see $report_dir/runs/baseline)"
		fi
	fi
done

python3 "$here/mutate_report.py" --report "$state" --mutations "$mutdir" --out "$report_dir" \
	--kernel-release "$rel" --source "$src_id" --cell "$cells" ${test_filter:+--test-filter "$test_filter"} \
	${suites:+--suites "$suites"} || die "report generation failed"
ln -sfn "$(basename "$report_dir")" "$(dirname "$report_dir")/latest" 2>/dev/null || true
cat "$report_dir/report.txt"
[ "$baseline_ok" = 1 ] || exit 1
exit 0
