#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Check the harness's TAP output and exit codes with tests/harness/sample.c, and that standard
# TAP consumers (prove) read it the same.  Usage: check.sh PATH-TO-SAMPLE-BINARY
set -uo pipefail
bin=${1:?sample binary}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
n=0; bad=0
check() {	# check NAME CONDITION...
	local name=$1; shift
	n=$((n + 1))
	if "$@"; then echo "ok $n harness.$name"; else echo "not ok $n harness.$name"; bad=$((bad + 1)); fi
}
has() { grep -qxF -- "$1" "$tmp/out"; }
has_re() { grep -qE -- "$1" "$tmp/out"; }

echo "TAP version 13"
echo "1..30"
"$bin" > "$tmp/out" 2> "$tmp/err"; rc=$?
sed 's/^/# | /' "$tmp/out"
check exit_status_fail_is_1 test "$rc" = 1
check version_line_first test "$(head -n1 "$tmp/out")" = "TAP version 13"
check plan_counts_variants has "1..20"
check pass_line has "ok 1 sample.passes"
check diag_before_result bash -c "grep -n -e '^# a diagnostic before the result' -e '^ok 1 sample.passes' '$tmp/out' | head -n1 | grep -q diagnostic"
check fail_line_and_expect_continues bash -c "grep -qx 'not ok 2 sample.fails' '$tmp/out' && grep -q 'still running after a failed EXPECT' '$tmp/out' && grep -q 'expectation source: the sample' '$tmp/out'"
check skip_reason_sanitised has "ok 3 sample.skips # SKIP nothing   to see here"
check requirement_skip has_re '^ok 4 sample.requirement_unmet # SKIP /nonexistent/memattr-device not present'
check timeout_directive has "not ok 5 sample.hangs # TIMEOUT 1 seconds"
check crash_reported bash -c "grep -qx 'not ok 6 sample.crashes' '$tmp/out' && grep -qE 'killed by signal 11|exited with status [0-9]+ without a verdict' '$tmp/out'"
check xfail_directive has "ok 7 sample.expected_failure # XFAIL documented: sample of XFAIL"
check fixture_and_variants bash -c "grep -qx 'ok 8 sample.variant_param.one' '$tmp/out' && grep -qx 'ok 9 sample.variant_param.two' '$tmp/out'"
check ends_early bash -c "grep -qx 'ok 10 sample.ends_early' '$tmp/out' && ! grep -q 'not reached' '$tmp/out' && grep -qx 'not ok 11 sample.ends_early_after_failure' '$tmp/out'"
check xfail_is_one_expectation has "not ok 12 sample.known_failure_and_another"
check xpass_when_known_failure_holds has "not ok 13 sample.known_failure_holds # XPASS documented: the bug is gone"
check crash_not_covered_by_known_failure has "not ok 14 sample.known_failure_then_crash"
check no_expectation_is_error has "not ok 15 sample.no_expectation # ERROR the test evaluated no expectation (a test that cannot fail)"
check no_checks_declared_passes has "ok 16 sample.no_expectation_declared"
check exit_behind_back_is_error has_re "^not ok 17 sample.exits_behind_back # ERROR"
check known_failure_condition_false has "not ok 18 sample.known_failure_not_applicable"
check totals_line has "# Totals: pass:7 fail:7 xfail:1 xpass:1 skip:2 error:2"
"$bin" -t 'sample.skips' > "$tmp/skip" 2>&1; rc=$?
check all_skipped_exits_4 test "$rc" = 4
"$bin" -t 'sample.pass*' -t '*variant_param.two' > "$tmp/sel" 2>&1; rc=$?
check selection_by_glob bash -c "test $rc = 0 && grep -qx '1..2' '$tmp/sel'"
"$bin" --list > "$tmp/list"; rc=$?
check list_names_unique bash -c "test $rc = 0 && test \$(wc -l < '$tmp/list') = 20 && test \$(sort -u '$tmp/list' | wc -l) = 20"
"$bin" --after sample.known_failure_then_crash -t 'sample.no_*' -t 'sample.known_*' > "$tmp/after" 2>&1; rc=$?
check after_resumes bash -c "grep -qx '1..3' '$tmp/after' && grep -qx 'ok 2 sample.no_expectation_declared' '$tmp/after'"
"$bin" --after sample.nonexistent > "$tmp/after2" 2>&1; rc=$?
check after_unknown_is_usage_error bash -c "test $rc = 2 && grep -q 'no such test' '$tmp/after2'"
"$bin" --inject -t 'sample.ioctl_*' > "$tmp/inject" 2>&1; rc=$?
sed 's/^/# inject| /' "$tmp/inject"
check inject_kills_checked_error bash -c "grep -qx 'ok 1 inject.sample.ioctl_error_checked' '$tmp/inject'"
check inject_finds_swallowed_error bash -c "test $rc = 1 && grep -qx 'not ok 2 inject.sample.ioctl_error_swallowed' '$tmp/inject' && grep -q '^# survived: KVM_CHECK_EXTENSION failed with EBADE at 0x' '$tmp/inject'"
check inject_totals bash -c "grep -qx '# inject totals: call sites 2, killed 1, survived 1, not reached again 0; kill rate 50.0%' '$tmp/inject'"
# prove must see the same verdicts
prove -e cat "$tmp/out" > "$tmp/prove" 2>&1
check prove_agrees bash -c "grep -q 'Failed tests:  2, 5-6, 11-15, 17-18' '$tmp/prove' && grep -q 'Tests=20' '$tmp/prove'"
[ "$bad" = 0 ] || { echo "# $bad harness check(s) failed"; sed 's/^/# prove| /' "$tmp/prove"; }
echo "# $((n - bad)) passed, $bad failed"
[ "$bad" = 0 ]
