#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/lab/panic-proof.sh: the kernel-panic reboot, proven once in a real lab cell.
#
# Builds memattr-panicprobe (tests/lab/panic_probe.c: its test "crash" writes 'c' to
# /proc/sysrq-trigger) for the cell's architecture into a scratch project root (MEMATTR_ROOT) whose
# bin directory holds it next to copies of two real suites, and runs
#   memattr-run --cells CELL --suites SUITE_BEFORE,panicprobe,SUITE_AFTER
# there: the cell panics in panicprobe.crash, memattr-run attaches the panic to that test, boots the
# cell again with memattr.resume=panicprobe:panicprobe.crash and runs panicprobe.after_* and the
# suite after it.  Prints the figures (time to detect, reboot, tests recovered) from the reports.
#
# usage: tests/lab/panic-proof.sh [CELL [SUITE_BEFORE [SUITE_AFTER]]]   (default: x86_64-max memslot atomics)
# Run it under the CPU lock of shared machines: flock /tmp/memattr-cpu.lock tests/lab/panic-proof.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
top=$PWD
cell=${1:-x86_64-max}
before=${2:-memslot}
after=${3:-atomics}
case $cell in x86_64*) arch=x86_64 ;; *) arch=aarch64 ;; esac

make -s "$arch" driver
cross=""
[ "$arch" = "$(uname -m)" ] || cross=$arch-linux-gnu-
scratch=${PANIC_PROOF_ROOT:-$top/build/panic-proof}
rm -rf "$scratch"
mkdir -p "$scratch/build/$arch/bin"
ln -s "$top/runners" "$scratch/runners"
ln -s "$top/fixtures" "$scratch/fixtures"
cp "$top/suite.conf" "$scratch/suite.conf"
"${cross}gcc" -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -Ihost/include -Iguest/include -Ihost \
	-isystem "build/$arch/uapi/include" -static -pthread -o "$scratch/build/$arch/bin/memattr-panicprobe" \
	tests/lab/panic_probe.c "build/$arch/libmemattr.a"
cp "build/$arch/bin/memattr-cellinfo" "build/$arch/bin/memattr-$before" "build/$arch/bin/memattr-$after" \
	"$scratch/build/$arch/bin/"

set +e
MEMATTR_ROOT=$scratch "$top/build/host/memattr-run" --cells "$cell" --suites "$before,panicprobe,$after" \
	--set run.fixtures=0 --report-dir "$scratch/reports" 2>&1 | tee "$scratch/run.log"
rc=${PIPESTATUS[0]}
set -e
rep=$scratch/reports/latest
echo
echo "== figures (memattr-run exit status $rc)"
grep -E 'Kernel panic|kernel panic|boot 2|CELL-BEGIN|suite .*: rc=|resumed' "$scratch/run.log" || true
python3 - "$rep/results.json" "$cell" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
c = [c for c in d["cells"] if c["name"] == sys.argv[2]][0]
print("cell %s: status %s, boots %s, kernel panics %s, wall %.1f s" % (c["name"], c["status"], c["boots"],
      c["kernel_panics"], c["wall_seconds"]))
for s in c["suites"]:
    print("  suite %-10s plan %s results %s boots %s resumed_after %s rc %s" % (s["name"], s["plan"], s["results"],
          s["boots"], s["resumed_after"], s["rc"]))
for t in d["tests"]:
    if t["cell"] == c["name"] and (t["name"].startswith("panicprobe") or t["result"] != "pass"):
        print("  %-28s %-5s %s" % (t["name"], t["result"], (t["reason"] or "").split("\n")[0][:100]))
for n in c["notes"]:
    print("  note: " + n)
PY
