#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Check a finished run's reports (make check): every cell TAP stream reads the same in prove as
# the driver counted, results.json and junit.xml parse and agree with the TAP, names are unique,
# and every cell recorded its identity (kernel, KVM mode; a cell with kvm_config its rebuilt KVM
# modules).  Usage: check-reports.sh REPORT-DIR
set -uo pipefail
dir=${1:?report dir}
n=0; bad=0
check() {
	local name=$1; shift
	n=$((n + 1))
	if "$@"; then echo "ok $n reports.$name"; else echo "not ok $n reports.$name"; bad=$((bad + 1)); fi
}
echo "TAP version 13"
cells=$(cd "$dir" && for f in *.tap; do [ -e "$f" ] && echo "${f%.tap}"; done)
check cells_present test -n "$cells"
for c in $cells; do
	check "$c.prove_passes" bash -c "prove -e cat '$dir/$c.tap' >/dev/null 2>&1"
	check "$c.names_unique" bash -c "test -z \"\$(grep -E '^(not )?ok ' '$dir/$c.tap' | sed -E 's/^(not )?ok [0-9]+ ([^ ]+).*/\\2/' | sort | uniq -d)\""
	check "$c.totals_match_results" bash -c "
		tap=$dir/$c.tap
		p=\$(grep -cE '^ok [0-9]+ [^#]*\$' \$tap); s=\$(grep -cE '^ok [0-9]+ .*# SKIP' \$tap)
		x=\$(grep -cE '^ok [0-9]+ .*# XFAIL' \$tap); xp=\$(grep -cE '^not ok [0-9]+ .*# XPASS' \$tap)
		e=\$(grep -cE '^not ok [0-9]+ .*# ERROR' \$tap); f=\$((\$(grep -cE '^not ok ' \$tap) - xp - e))
		grep -qx \"# Totals: pass:\$p fail:\$f xfail:\$x xpass:\$xp skip:\$s error:\$e\" \$tap"
	check "$c.identity_recorded" bash -c "grep -qE '^kernel_release=.+' '$dir/$c/identity.txt' && grep -qE '^kvm_mode=(vhe|nvhe|hvhe|protected|svm|vmx|pvm)$' '$dir/$c/identity.txt'"
	# a cell with kvm_config records the rebuild: the change, what it changed, the modules' build ids
	if grep -q '^kvm_config=' "$dir/$c/identity.txt"; then
		check "$c.identity_records_kvm_rebuild" bash -c "grep -qx 'kvm_modules=rebuilt' '$dir/$c/identity.txt' && grep -qE '^kvm_config_delta=CONFIG_.+' '$dir/$c/identity.txt' && grep -qE '^kvm_modules_build_id=kvm:[0-9a-f]+,kvm_amd:[0-9a-f]+$' '$dir/$c/identity.txt'"
	fi
done
# every cell that ran pfnmap.access_matrix has its section in matrix.txt, one row per matrix test
check matrix_per_cell python3 - "$dir" <<'PY'
import os, re, sys
d = sys.argv[1]
cells = [f[:-4] for f in os.listdir(d) if f.endswith(".tap")]
rows = {c: [m.group(1) for m in re.finditer(r"^(?:not )?ok \d+ pfnmap\.access_matrix\.(\S+)", open(os.path.join(d, c + ".tap")).read(), re.M)] for c in cells}
want = {c: r for c, r in rows.items() if r}
if not want:
    sys.exit(0)
text = open(os.path.join(d, "matrix.txt")).read()
for c, r in want.items():
    sec = re.search(r"^== " + re.escape(c) + r" \(.*?\n(.*?)(?=^== |^Rules cited|\Z)", text, re.M | re.S)
    assert sec, "no matrix section for " + c
    lines = sec.group(1).splitlines()
    assert lines[0].startswith("platform: ") and lines[1].startswith("judged: "), (c, lines[:2])
    names = [l.split()[0] for l in lines[3:] if re.match(r"^  \S", l)]
    assert names == r, (c, names, r)
    # every row with records shows expected and observed side by side
    for l in lines[3:]:
        if re.match(r"^  \S", l) and "no records" not in l and "memslot: expected" not in l:
            assert " expected " in l, (c, l)
PY
check json_and_junit_agree_with_tap python3 - "$dir" <<'PY'
import json, os, re, sys
import xml.etree.ElementTree as ET
d = sys.argv[1]
res = json.load(open(os.path.join(d, "results.json")))
tap = {}
for f in os.listdir(d):
    if f.endswith(".tap"):
        for line in open(os.path.join(d, f)):
            m = re.match(r"^(not ok|ok) \d+ (\S+)", line)
            if m:
                tap[(f[:-4], m.group(2))] = m.group(1)
js = {(t["cell"], t["name"]): t["result"] for t in res["tests"]}
assert set(js) == set(tap), "tests in results.json differ from the TAP streams"
for k, r in js.items():
    assert (tap[k] == "ok") == (r in ("pass", "skip", "xfail")), (k, r, tap[k])
root = ET.parse(os.path.join(d, "junit.xml")).getroot()
cases = root.findall(".//testcase")
assert len(cases) == len(js), (len(cases), len(js))
fails = sum(1 for c in cases if c.find("failure") is not None or c.find("error") is not None)
assert fails == sum(1 for r in js.values() if r not in ("pass", "skip", "xfail")), fails
PY
echo "1..$n"
echo "# $((n - bad)) passed, $bad failed"
[ "$bad" = 0 ]
