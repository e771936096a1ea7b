#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# compare.sh: a cell's results through the kernel's run_kselftest.sh (memattr-run with
# --set run.kselftest=yes) against the same cell's direct run (make run).
#
#   tests/kselftest/compare.sh KSELFTEST_REPORT PLAIN_REPORT [CELL]
#
# REPORT: a report directory (with results.json).  Pass: every test of the direct run appears in the
# kselftest run with the same verdict and there is no other test; the per-result totals agree; each
# suite's exit status is the one run_kselftest.sh reported; the runner's own totals line
# (identity kselftest_totals) counts the programs as the suites' exit statuses say.
set -euo pipefail

k=${1:?usage: compare.sh KSELFTEST_REPORT PLAIN_REPORT [CELL]}
p=${2:?usage: compare.sh KSELFTEST_REPORT PLAIN_REPORT [CELL]}
cell=${3:-arm64-max}
python3 - "$k/results.json" "$p/results.json" "$cell" <<'PY'
import sys, json, collections
k, p, cell = (json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3])

def tests(r):
    return {t["name"]: t["result"] for t in r["tests"] if t["cell"] == cell and t.get("suite") != "cell"}

def cellrec(r):
    return [c for c in r["cells"] if c["name"] == cell][0]

tk, tp = tests(k), tests(p)
bad = []
for n in sorted(set(tp) | set(tk)):
    if n not in tk:
        bad.append("only in make run: %s (%s)" % (n, tp[n]))
    elif n not in tp:
        bad.append("only in the kselftest run: %s (%s)" % (n, tk[n]))
    elif tk[n] != tp[n]:
        bad.append("%s: make run %s, kselftest %s" % (n, tp[n], tk[n]))
ck, cp = collections.Counter(tk.values()), collections.Counter(tp.values())
idk = cellrec(k).get("identity") or {}
if isinstance(idk, list):
    idk = dict(x.split("=", 1) for x in idk if "=" in x)
tot = idk.get("kselftest_totals", "")
rcs = collections.Counter()
for s in cellrec(k).get("suites") or []:
    rcs[{0: "pass", 4: "skip", 2: "xfail"}.get(s.get("rc"), "fail")] += 1
want_tot = "pass:%d fail:%d xfail:%d xpass:0 skip:%d error:0" % (rcs["pass"], rcs["fail"], rcs["xfail"], rcs["skip"])
if tot != want_tot:
    bad.append("runner totals %r, the suites' exit statuses say %r" % (tot, want_tot))
srk = {s["name"]: s.get("rc") for s in cellrec(k).get("suites") or []}
srp = {s["name"]: s.get("rc") for s in cellrec(p).get("suites") or []}
if srk != srp:
    bad.append("suite exit statuses differ: make run %s, kselftest %s" % (srp, srk))
print("compare %s: make run %d tests %s" % (cell, len(tp), dict(sorted(cp.items()))))
print("compare %s: kselftest %d tests %s; runner totals: %s" % (cell, len(tk), dict(sorted(ck.items())), tot))
for b in bad[:40]:
    print("compare: MISMATCH " + b)
if bad:
    print("compare: FAIL (%d mismatches)" % len(bad))
    sys.exit(1)
print("compare: ok: the same tests, verdicts and totals")
PY
