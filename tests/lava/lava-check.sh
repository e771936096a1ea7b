#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# lava-check.sh: run the LAVA job of a cell (make lava) with Debian's lava-run, the LAVA dispatcher
# without a server, and compare its test cases with the results of the lab run of the same cell.
#
#   tests/lava/lava-check.sh build/lava/<cell> [RESULTS.json...]
#
# RESULTS.json: more runs to compare with (the results.json of a plain `make run` that ran the
# cell), each judged like reference.json on the tests of the same cell.
#
# lava-run comes from Debian's lava-dispatcher 2023.01 (bookworm), unpacked, not installed (its
# Depends pull systemd, udev, libguestfs and kernel headers into the host): `apt-get download`
# of lava-dispatcher, lava-dispatcher-host, lava-common and lava-server (for the qemu device-type
# template) into $MEMATTR_CACHE/lava/, `dpkg -x`ed there.  The Python modules it imports come
# from Debian packages (python3-yaml python3-jinja2 python3-requests python3-pexpect
# python3-voluptuous python3-setproctitle python3-configobj python3-magic python3-netifaces
# python3-tz python3-pyudev; reported if missing) except guestfs, which lava_dispatcher imports at
# load time but a tmpfs job never calls: a stub stands in for it.  Run as root (LAVA unpacks and
# repacks the initramfs as root); hold /tmp/memattr-cpu.lock around it (make lava-check does).
# Pass: every result of the cell's lab run (reference.json, and each RESULTS.json) is a LAVA test case with the same
# verdict (pass; xfail -> pass; skip; anything else -> fail), no other test case, and each
# memattr-<suite> program case matches the suite's exit status (0 pass, 4 skip, else fail).
set -euo pipefail

die() { echo "lava-check: $*" >&2; exit 2; }
d=${1:?usage: lava-check.sh build/lava/<cell> [RESULTS.json...]}
d=$(cd "$d" && pwd)
shift
for f in "$@"; do [ -f "$f" ] || die "$f: no such results file"; done
for f in job.yaml device.jinja2 reference.json initrd.cpio.gz testdefs.tar.gz; do
	[ -f "$d/$f" ] || die "$d/$f missing (make lava)"
done
py=/usr/bin/python3
[ -x "$py" ] || die "no $py (Debian's python3)"
missing=""
for m in yaml:python3-yaml jinja2:python3-jinja2 requests:python3-requests pexpect:python3-pexpect \
	voluptuous:python3-voluptuous setproctitle:python3-setproctitle configobj:python3-configobj \
	magic:python3-magic netifaces:python3-netifaces pytz:python3-tz pyudev:python3-pyudev; do
	"$py" -c "import ${m%%:*}" 2>/dev/null || missing="$missing ${m#*:}"
done
[ -z "$missing" ] || die "missing Python modules: apt-get install$missing"
for t in cpio qemu-system-aarch64; do command -v "$t" >/dev/null || die "missing $t"; done

cache=${MEMATTR_CACHE:-$HOME/.cache/memattr}/lava
lroot=$cache/root
if [ ! -f "$lroot/.memattr-stamp" ]; then
	rm -rf "$cache/debs" "$lroot"
	mkdir -p "$cache/debs"
	(cd "$cache/debs" && apt-get download lava-dispatcher lava-dispatcher-host lava-common lava-server) >"$cache/apt.log" 2>&1 ||
		die "apt-get download failed: $(tail -n1 "$cache/apt.log")"
	for f in "$cache"/debs/*.deb; do dpkg -x "$f" "$lroot"; done
	mkdir -p "$cache/shim"
	cat >"$cache/shim/guestfs.py" <<'PY'
# stub: lava_dispatcher imports guestfs at load time; tmpfs/cpio jobs never use it
class GuestFS:
    def __init__(self, *a, **k):
        raise RuntimeError("libguestfs is not available here")
PY
	(cd "$cache/debs" && ls) >"$lroot/.memattr-stamp"
fi
export PYTHONPATH=$lroot/usr/lib/python3/dist-packages:$cache/shim

# the device configuration, rendered as lava-server would: the device dictionary with the job's
# context as template variables
"$py" - "$d" "$lroot/usr/share/lava-server/device-types" <<'PY'
import sys, yaml, jinja2
d, dt = sys.argv[1], sys.argv[2]
job = yaml.safe_load(open(d + "/job.yaml"))
env = jinja2.Environment(loader=jinja2.FileSystemLoader([d, dt]), trim_blocks=True, autoescape=False)
out = env.get_template("device.jinja2").render(**job.get("context", {}))
yaml.safe_load(out)
open(d + "/device.yaml", "w").write(out)
PY

jid=$((RANDOM % 90000 + 10000))
rm -rf "$d/lava-output"
mkdir -p "$d/lava-output"
t0=$(date +%s)
rc=0
"$py" "$lroot/usr/bin/lava-run" --device "$d/device.yaml" --job-id "$jid" --output-dir "$d/lava-output" \
	"$d/job.yaml" >"$d/lava-run.log" 2>&1 || rc=$?
t1=$(date +%s)
echo "lava-check: lava-run exit $rc, wall $((t1 - t0)) s (log: $d/lava-run.log)"
echo "$((t1 - t0))" >"$d/lava-wall-seconds"

top=$(cd "$(dirname "$0")/../.." && pwd)
"$py" - "$d" "$top" "$@" <<'PY'
import sys, json, yaml, collections, fnmatch, os
d, top, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
cases, job = {}, None
for line in open(d + "/lava-run.log", errors="replace"):
    line = line.strip()
    if not line.startswith("{"):
        continue
    try:
        r = yaml.safe_load(line)
    except Exception:
        continue
    if not isinstance(r, dict) or r.get("lvl") != "results":
        continue
    m = r.get("msg")
    if isinstance(m, str):
        try:
            m = yaml.safe_load(m)
        except Exception:
            continue
    if not isinstance(m, dict):
        continue
    if m.get("definition") == "lava":
        if m.get("case") == "job":
            job = m.get("result")
        continue
    cases[m.get("case")] = m.get("result")
ref = json.load(open(d + "/reference.json"))
cell = ref["cells"][0]["name"]
# A test the cell's expected-skip profile says skips only sometimes ("occurs = sometimes": its
# verdict depends on where the kernel puts pages or on vCPU scheduling) may pass in one run and
# skip in the other; any other difference is a mismatch.
sometimes = []
prof = os.path.join(top, "runners/skips/%s.skips" % cell)
if os.path.exists(prof):
    for ent in open(prof).read().split("[skip]")[1:]:
        kv = dict(l.split("=", 1) for l in ent.splitlines() if "=" in l and not l.startswith("#"))
        kv = {k.strip(): v.strip() for k, v in kv.items()}
        if kv.get("occurs") == "sometimes":
            sometimes += kv.get("tests", "").split()
vmap = {"pass": "pass", "xfail": "pass", "skip": "skip"}
failed = job != "pass"
for path in [d + "/reference.json"] + extra:
    run = json.load(open(path))
    cells = [c for c in run["cells"] if c["name"] == cell]
    if not cells:
        print("lava-check: %s has no cell %s" % (path, cell))
        failed = True
        continue
    want = {}
    for t in run["tests"]:
        if t["cell"] != cell or t.get("suite") == "cell":
            continue
        want[t["name"]] = vmap.get(t["result"], "fail")
    for s in cells[0].get("suites") or []:
        want["memattr-" + s["name"]] = {0: "pass", 4: "skip"}.get(s.get("rc"), "fail")
    bad, allowed = [], []
    for n, v in sorted(want.items()):
        if n not in cases:
            bad.append("missing in LAVA: %s (%s)" % (n, v))
        elif cases[n] != v:
            if {v, cases[n]} == {"pass", "skip"} and any(fnmatch.fnmatchcase(n, g) for g in sometimes):
                allowed.append("%s: lab %s, LAVA %s (occurs = sometimes in %s)" % (n, v, cases[n], prof))
            else:
                bad.append("%s: lab %s, LAVA %s" % (n, v, cases[n]))
    for n in sorted(set(cases) - set(want)):
        bad.append("only in LAVA: %s (%s)" % (n, cases[n]))
    cw = collections.Counter(want.values())
    cl = collections.Counter(cases.values())
    print("lava-check: %s: %s: %d results %s; LAVA %d test cases %s; LAVA job result %s"
          % (cell, path, len(want), dict(cw), len(cases), dict(cl), job))
    for a in allowed:
        print("lava-check: allowed: " + a)
    for b in bad[:40]:
        print("lava-check: MISMATCH " + b)
    if bad:
        print("lava-check: FAIL against %s (%d mismatches)" % (path, len(bad)))
        failed = True
if failed:
    sys.exit(1)
print("lava-check: ok: names and verdicts agree")
PY
