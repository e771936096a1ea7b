#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The guide's examples work as written: the example binaries built by mk/guide.mk list their tests
# and run, every code block of docs/guide.md marked "<!-- example: PATH -->" is PATH verbatim, and
# every `make TARGET` in the guide's shell blocks is a target of the Makefile.
# Usage: check.sh BUILD_DIR_OF_THE_EXAMPLES
set -uo pipefail
b=${1:?build dir}
guide=docs/guide.md
n=0 bad=0
check() { # NAME COMMAND...
	local name=$1
	shift
	n=$((n + 1))
	if "$@"; then echo "ok $n guide.$name"; else echo "not ok $n guide.$name"; bad=$((bad + 1)); fi
}
echo "TAP version 13"
echo "1..5"
list=$("$b/memattr-memslot" --list)
check example_test_in_memslot_suite grep -qx 'memslot.guide_guest_reads_host_pattern.memfd' <<<"$list"
check hello_suite_lists bash -c "'$b/memattr-hello' --list | grep -qx 'hello.guest_store_reaches_host'"
out=$("$b/memattr-hello" 2>&1); rc=$?
printf '%s\n' "$out" | sed 's/^/# hello| /'
# with /dev/kvm the test runs and passes; without it, it skips naming why (exit 4)
check hello_suite_runs bash -c "[ $rc = 0 ] && grep -qx 'ok 1 hello.guest_store_reaches_host' <<<\"\$1\" ||
	{ [ $rc = 4 ] && grep -q '^ok 1 hello.guest_store_reaches_host # SKIP /dev/kvm' <<<\"\$1\"; }" _ "$out"
# the examples the guide shows are the files
examples_match() {
	python3 - "$guide" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
blocks = re.findall(r'<!-- example: (\S+) -->\n```c\n(.*?)```\n', text, re.S)
if not blocks:
    print('# no <!-- example: PATH --> block in the guide'); sys.exit(1)
bad = 0
for path, code in blocks:
    if open(path).read() != code:
        print('# the guide shows %s differently from the file' % path); bad = 1
sys.exit(bad)
PY
}
check guide_shows_the_example_files examples_match
# every make target the guide names exists
targets_exist() {
	local t ok=0
	while read -r t; do
		make -n "$t" >/dev/null 2>&1 || { echo "# make $t: no such target"; ok=1; }
	done < <(awk '/^```sh$/ { s = 1; next } /^```$/ { s = 0 } s' "$guide" | grep -oE '^make [a-z][a-z-]*' |
		awk '{ print $2 }' | sort -u)
	return $ok
}
check guide_make_targets_exist targets_exist
echo "# $((n - bad)) passed, $bad failed"
[ "$bad" = 0 ]
