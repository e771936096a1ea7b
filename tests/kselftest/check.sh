#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# check.sh: the kselftest install of memattr (runners/kselftest-install.sh), for `make kselftest-check`.
#
#   tests/kselftest/check.sh INSTALL_PATH
#
# Checks: the layout the farms expect (run_kselftest.sh, kselftest/runner.sh, kselftest-list.txt
# with one memattr:<program> line per program, static programs, settings timeout=, config); result
# names after the farms flatten them (Linaro's parse-output.py: "<collection>_<program>_<test>",
# [^A-Za-z0-9_-] -> _) are unique and within LAVA's 100-character TestCase.name (we keep them to
# 90); a merge into an existing kernel kselftest tree keeps its runner and other collections, and a
# second install adds no duplicate line; the settings timeout is at least 5 times the slowest suite
# of the newest lab report; and, run natively on this machine, every program exits 0 (pass) or 4
# (skip) without any lab environment, and the kernel's run_kselftest.sh -c memattr reports no failure.
set -euo pipefail

die() { echo "kselftest check: FAIL: $*" >&2; exit 1; }
ok() { echo "kselftest check: ok: $*"; }
t=${1:?usage: check.sh INSTALL_PATH}
t=$(cd "$t" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
MAXLEN=90

for f in run_kselftest.sh kselftest/runner.sh kselftest/ktap_helpers.sh kselftest-list.txt \
	memattr/settings memattr/config; do
	[ -f "$t/$f" ] || die "$f missing"
done
[ -x "$t/run_kselftest.sh" ] || die "run_kselftest.sh is not executable"
to=$(sed -n 's/^timeout=\([0-9][0-9]*\)$/\1/p' "$t/memattr/settings")
[ -n "$to" ] || die "memattr/settings has no timeout=<seconds>"
grep -qx 'CONFIG_KVM=y' "$t/memattr/config" || die "memattr/config lacks CONFIG_KVM=y"
progs=$(cd "$t/memattr" && ls memattr-* 2>/dev/null) || die "no program in memattr/"
for p in $progs; do
	grep -qx "memattr:$p" "$t/kselftest-list.txt" || die "kselftest-list.txt lacks memattr:$p"
	if LC_ALL=C readelf -lW "$t/memattr/$p" | grep -q 'program interpreter'; then
		die "memattr/$p is not static"
	fi
done
[ "$(grep -c '^memattr:' "$t/kselftest-list.txt")" = "$(echo "$progs" | wc -w)" ] ||
	die "kselftest-list.txt: memattr lines and programs differ"
[ "$(grep -c '^memattr:' "$t/kselftest-list.txt")" = "$(grep '^memattr:' "$t/kselftest-list.txt" | sort -u | wc -l)" ] ||
	die "kselftest-list.txt has duplicate lines"
ok "layout: $(echo "$progs" | wc -w) programs, timeout=$to"

# names as the farms flatten them (programs of another architecture cannot list: skipped)
: >"$tmp/names"
for p in $progs; do
	env -i PATH=/usr/bin:/bin "$t/memattr/$p" -l >"$tmp/l" 2>/dev/null || { echo "($p cannot run here: names not checked)"; continue; }
	awk -v p="$p" '{ print "memattr_" p "_" $0 }' "$tmp/l" >>"$tmp/names"
	sed "s/^/lava: /" "$tmp/l" >>"$tmp/lava-names"
done
if [ -s "$tmp/names" ]; then
	sed 's/[^A-Za-z0-9_-]\{1,\}/_/g' "$tmp/names" >"$tmp/flat"
	long=$(awk -v m=$MAXLEN 'length($0) > m' "$tmp/flat")
	[ -z "$long" ] || die "flattened names over $MAXLEN characters: $long"
	dup=$(sort "$tmp/flat" | uniq -d)
	[ -z "$dup" ] || die "names collide after flattening: $dup"
	dup=$(sort "$tmp/lava-names" | uniq -d)
	[ -z "$dup" ] || die "duplicate test names: $dup"
	bad=$(sed 's/^lava: //' "$tmp/lava-names" | grep -v '^[A-Za-z0-9_.-]*$' || true)
	[ -z "$bad" ] || die "names outside [A-Za-z0-9_.-] (KCIDB path, lava-test-case): $bad"
	ok "names: $(wc -l <"$tmp/flat") unique, longest flattened $(awk '{ print length($0) }' "$tmp/flat" | sort -n | tail -n1) <= $MAXLEN"
fi

# merge into a kernel's own install: a fake one with its runner and a kvm collection
m=$tmp/merge
mkdir -p "$m/kselftest" "$m/kvm"
printf '#!/bin/sh\necho kernel runner\n' >"$m/run_kselftest.sh"
printf 'kvm:dirty_log_test\nkvm:memslot_perf_test\n' >"$m/kselftest-list.txt"
bindir=$tmp/bin
mkdir -p "$bindir"
cp "$t"/memattr/memattr-* "$bindir/"
for i in 1 2; do
	bash "$top/runners/kselftest-install.sh" --bin-dir "$bindir" --out "$m" --ksrc /nonexistent-not-needed 2>"$tmp/err" ||
		die "merge install $i: $(cat "$tmp/err")"
done
grep -q 'kernel runner' "$m/run_kselftest.sh" || die "merge replaced the kernel's run_kselftest.sh"
[ "$(grep -c '^kvm:' "$m/kselftest-list.txt")" = 2 ] || die "merge lost the kvm collection's lines"
[ "$(grep -c '^memattr:' "$m/kselftest-list.txt")" = "$(echo "$progs" | wc -w)" ] || die "merge: memattr lines wrong"
ok "merge into an existing kselftest tree (twice)"

# the settings margin against the newest lab report that has suite times
mapfile -t rep < <(find "$top/reports" "$top/build/check-reports" "$top/build/kselftest-lab"/* -mindepth 1 \
	-maxdepth 1 -name '2*' -type d 2>/dev/null | sort | tail -n 20)
if command -v python3 >/dev/null && [ "${#rep[@]}" -gt 0 ]; then
	slow=$(python3 -c '
import json, sys
m = 0
for d in sys.argv[1:]:
    try:
        r = json.load(open(d + "/results.json"))
    except Exception:
        continue
    for c in r.get("cells", []):
        for s in c.get("suites") or []:
            m = max(m, s.get("seconds") or 0)
print(int(m + 0.999))' "${rep[@]}")
	[ $((slow * 5)) -le "$to" ] || die "settings timeout=$to is under 5 times the slowest suite ($slow s)"
	ok "timeout=$to >= 5 x slowest suite in the last reports ($slow s)"
fi

# natively, no lab environment: every program passes or skips; the kernel's runner agrees
[ "$(uname -m)" = "$(LC_ALL=C readelf -hW "$t/memattr/$(echo "$progs" | head -n1)" | awk '/Machine:/ { print ($2 == "AArch64") ? "aarch64" : "x86_64" }')" ] || {
	echo "(another architecture: no native run)"; exit 0; }
for p in $progs; do
	rc=0
	(cd "$t/memattr" && env -i PATH=/usr/bin:/bin "./$p" >"$tmp/$p.out" 2>&1) || rc=$?
	case $rc in
	0 | 4) ;;
	*) die "$p exits $rc natively without the lab environment: $(grep '^not ok' "$tmp/$p.out" | head -n3)" ;;
	esac
done
rc=0
(cd "$t" && env -i PATH=/usr/bin:/bin ./run_kselftest.sh -c memattr 2>&1 | cat >"$tmp/run.out") || rc=$?
grep -q '^# Totals: ' "$tmp/run.out" || die "run_kselftest.sh printed no totals"
n=$(grep -c '^ok [0-9]* selftests: memattr: ' "$tmp/run.out" || true)
[ "$n" = "$(echo "$progs" | wc -w)" ] || die "run_kselftest.sh: $n ok lines for $(echo "$progs" | wc -w) programs: $(grep '^not ok' "$tmp/run.out")"
ok "native run_kselftest.sh -c memattr: $(grep '^# Totals: ' "$tmp/run.out")"
