#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# unit.sh: runners/lava/memattr-tap2lava.sh on a recorded run_kselftest.sh stream (every verdict
# kind, nested diagnostics, a plain suite TAP), run by busybox sh if there is one; the test
# definition parses as YAML with the keys LAVA needs; make lava's output, if there is some, too.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
conv=$top/runners/lava/memattr-tap2lava.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "lava unit: FAIL: $*" >&2; exit 1; }

cat >"$tmp/in" <<'EOT'
TAP version 13
1..2
# timeout set to 300
# selftests: memattr: memattr-pfnmap
# TAP version 13
# 1..6
# # kernel 7.2.13; expectations written against Linux 7.2.13
# ok 1 pfnmap.a.b
# not ok 2 pfnmap.c # TIMEOUT 30 seconds
# ok 3 pfnmap.d # SKIP no /dev/kvm
# ok 4 pfnmap.e # XFAIL known bug
# ok 5 pfnmap.f # XPASS
# not ok 6 pfnmap.g
# # Totals: pass:1 fail:2 xfail:1 xpass:1 skip:1 error:0
not ok 1 selftests: memattr: memattr-pfnmap # exit=1
# timeout set to 300
# selftests: memattr: memattr-atomics
# 1..0 # SKIP no KVM
ok 2 selftests: memattr: memattr-atomics # SKIP
# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:1 error:0
EOT
printf 'pfnmap.a.b pass\npfnmap.c fail\npfnmap.d skip\npfnmap.e pass\npfnmap.f fail\npfnmap.g fail\nmemattr-pfnmap fail\nmemattr-atomics skip\n' >"$tmp/want"
sh="sh"
command -v busybox >/dev/null && sh="busybox sh"
PATH=/usr/bin:/bin $sh "$conv" "$tmp/in" >"$tmp/got" || fail "converter exit $?"
diff -u "$tmp/want" "$tmp/got" || fail "converter output differs"
printf 'TAP version 13\n1..1\nok 1 stress.tool_runs.fio\r\n' | PATH=/usr/bin:/bin $sh "$conv" >"$tmp/got2"
[ "$(cat "$tmp/got2")" = "stress.tool_runs.fio pass" ] || fail "plain TAP: $(cat "$tmp/got2")"
# a fake lava-test-case receives the calls
mkdir "$tmp/bin"
printf '#!/bin/sh\necho "$@" >>%s/calls\n' "$tmp" >"$tmp/bin/lava-test-case"
chmod +x "$tmp/bin/lava-test-case"
PATH=$tmp/bin:/usr/bin:/bin $sh "$conv" "$tmp/in" >/dev/null
[ "$(grep -c -- '--result' "$tmp/calls")" = 8 ] || fail "lava-test-case calls: $(cat "$tmp/calls")"
grep -qx 'pfnmap.d --result skip' "$tmp/calls" || fail "skip call missing"
if printf '' | $sh "$conv" 2>/dev/null; then fail "no result in the input must fail"; fi
echo "lava unit: ok: converter (8 verdicts, plain TAP, lava-test-case calls)"

command -v python3 >/dev/null || { echo "(no python3: YAML not checked)"; exit 0; }
python3 - "$top/runners/lava/memattr-kselftest.yaml" "$top"/build/lava/*/job.yaml <<'PY'
import sys, yaml
td = yaml.safe_load(open(sys.argv[1]))
assert td["metadata"]["format"] == "Lava-Test Test Definition 1.0", td["metadata"]
assert td["run"]["steps"], "no run steps"
for j in sys.argv[2:]:
    try:
        job = yaml.safe_load(open(j))
    except FileNotFoundError:
        continue
    assert job["device_type"] == "qemu" and job["context"]["arch"], j
    acts = [list(a)[0] for a in job["actions"]]
    assert acts == ["deploy", "boot", "test"], (j, acts)
    assert "memattr.lava=1" in job["actions"][0]["deploy"]["images"]["kernel"]["image_arg"], j
    print("lava unit: ok: " + j)
print("lava unit: ok: test definition YAML")
PY
