#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Self-test of tools/mutate.sh that needs no kernel build: the corpus in mutations/ must pass
# --dry-run (headers present, every patch applies cleanly to the cached linux-source), and the dry
# run must reject a patch that does not apply and one without its header.  Needs the kernel source
# that runners/build-fixtures.sh caches for the x86 lab kernel (make check's lab cells fetch it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
m=$top/tools/mutate.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; fail=1; }

if out=$(bash "$m" --dry-run 2>&1); then ok "corpus: $(tail -n1 <<<"$out")"; else notok "corpus dry run: $out"; fi

mkdir -p "$tmp/x86"
good=$(find "$top/mutations/x86" -maxdepth 1 -name '*.patch' | sort | head -n1)
# a patch whose context does not match
sed '0,/^ /s/^ .*/ this line is not in the kernel source/' "$good" >"$tmp/x86/broken.patch"
if out=$(bash "$m" --dry-run --mutations "$tmp" 2>&1); then
	notok "a patch that does not apply passed the dry run"
elif grep -q '^FAIL .*broken: does not apply' <<<"$out"; then ok "a patch that does not apply is rejected"
else notok "unexpected output for a patch that does not apply: $out"; fi
rm -f "$tmp/x86/broken.patch"
# a patch without its Mutation: header
grep -v '^Mutation:' "$good" >"$tmp/x86/nohdr.patch"
if out=$(bash "$m" --dry-run --mutations "$tmp" 2>&1); then
	notok "a patch without a Mutation: line passed the dry run"
elif grep -q "^FAIL .*nohdr: no 'Mutation:' header" <<<"$out"; then ok "a patch without its header is rejected"
else notok "unexpected output for a patch without header: $out"; fi
exit $fail
