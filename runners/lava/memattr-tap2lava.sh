#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# memattr-tap2lava.sh: TAP of memattr's suites -> one `lava-test-case NAME --result R` per result.
# POSIX sh + awk (busybox is enough); shipped next to the LAVA test definition (make lava).
#
#   memattr-tap2lava.sh [FILE]      (default: stdin)
#
# Input: the stream of the kernel's run_kselftest.sh -c memattr (each program's TAP nested with
# "# ", its verdict on "ok N selftests: memattr: memattr-<suite>") or a suite program's own TAP.
# Names: the test's memattr name (e.g. pfnmap.access_matrix.udmabuf.s1_normal_wb), and
# memattr-<suite> for a program's verdict; characters outside [A-Za-z0-9_.-] become _.
# Results: ok -> pass; ok # SKIP -> skip; ok # XFAIL -> pass (an expected failure, as kselftest
# counts it); ok # XPASS, not ok (also # TIMEOUT) -> fail.
# Without lava-test-case on PATH the "NAME RESULT" lines are printed instead (a dry run).
# The exit status is 0 unless the input has no result at all.
set -u

in=${1:--}
tmp=${TMPDIR:-/tmp}/memattr-tap2lava.$$
awk '
function verdict(line, ok, d) {
	d = ""
	if (match(line, / # [A-Za-z]+/)) d = toupper(substr(line, RSTART + 3, RLENGTH - 3))
	if (!ok) return "fail"
	if (d == "SKIP") return "skip"
	if (d == "XPASS") return "fail"
	return "pass"
}
function emit(line, ok, name) {
	name = line
	sub(/^(not )?ok [0-9]+ ?/, "", name)
	sub(/ # .*$/, "", name)
	sub(/[ \t]+$/, "", name)
	if (name == "") name = "unnamed"
	gsub(/[^A-Za-z0-9_.-]/, "_", name)
	print name, verdict(line, ok)
}
{ sub(/\r+$/, "") }
/^(not )?ok [0-9]+ selftests: memattr: memattr-/ {
	l = $0
	sub(/selftests: memattr: /, "", l)
	emit(l, $0 ~ /^ok /)
	inprog = 0
	next
}
/^# selftests: memattr: memattr-/ { inprog = 1; next }
inprog && /^# (not )?ok [0-9]+/ { l = substr($0, 3); emit(l, l ~ /^ok /); next }
!inprog && /^(not )?ok [0-9]+/ { emit($0, $0 ~ /^ok /); next }
' "$in" >"$tmp" || { rm -f "$tmp"; exit 1; }
n=0
while read -r name res; do
	n=$((n + 1))
	if command -v lava-test-case >/dev/null 2>&1; then
		lava-test-case "$name" --result "$res"
	else
		echo "$name $res"
	fi
done <"$tmp"
rm -f "$tmp"
[ "$n" -gt 0 ] || { echo "memattr-tap2lava: no result in the input" >&2; exit 1; }
exit 0
