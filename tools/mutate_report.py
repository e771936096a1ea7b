#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Verdicts and report of tools/mutate.sh (mutation testing against rebuilt KVM modules).

  mutate_report.py --baseline-check STATE        exit 0 if the baseline run is green and verified
  mutate_report.py --report STATE --out DIR ...  write DIR/report.txt and DIR/report.json

STATE is mutate.sh's state.tsv: name, arch, status (ran, built, build-failed, not-run), run dir,
build seconds, run seconds, build id of the modules built (kvm:<hex>,kvm_amd:<hex>), note, patch.

Verdicts: killed (at least one test failed, timed out, errored or passed against an XFAIL), survived
(every test passed or skipped), build-failed, boot-failed (no result: the cell did not come up, did
not load the modules, or did not reach the suites), unverified (the cell ran other KVM modules than
the ones built), not-run.  Only killed and survived count for the kill rate.
"""
import argparse
import glob
import json
import os
import sys

FAILING = {"fail", "timeout", "error", "xpass"}


def header(patch):
    """Key: value lines before the diff of a patch file."""
    h = {}
    if not patch or not os.path.exists(patch):
        return h
    with open(patch, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith(("--- ", "diff ", "Index: ")):
                break
            if ":" in line and not line.startswith((" ", "\t")):
                k, v = line.split(":", 1)
                h[k.strip().lower()] = v.strip()
    return h


def read_state(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            p += [""] * (9 - len(p))
            rows.append(dict(name=p[0], arch=p[1], status=p[2], run_dir=p[3], build_s=p[4], run_s=p[5],
                             build_id=p[6], note=p[7], patch=p[8]))
    return rows


def load_results(run_dir):
    """results.json of the (only) memattr-run report under run_dir, or None."""
    if not run_dir:
        return None, None
    cands = [os.path.join(run_dir, "latest", "results.json")] + sorted(
        glob.glob(os.path.join(run_dir, "*", "results.json")))
    for c in cands:
        if os.path.exists(c):
            try:
                with open(c, encoding="utf-8") as f:
                    return json.load(f), os.path.dirname(os.path.realpath(c))
            except (OSError, ValueError):
                continue
    return None, None


def judge(row):
    """Verdict dict for one ran row."""
    v = {"name": row["name"], "arch": row["arch"], "build_seconds": num(row["build_s"]),
         "run_seconds": num(row["run_s"]), "build_id": row["build_id"], "failed_tests": [],
         "skipped_tests": [], "passed": 0, "skipped": 0, "report": None, "detail": row["note"]}
    if row["status"] != "ran":
        v["verdict"] = {"built": "built", "not-run": "not-run", "build-failed": "build-failed"}.get(
            row["status"], row["status"])
        return v
    res, rdir = load_results(row["run_dir"])
    v["report"] = rdir
    if res is None:
        v["verdict"] = "boot-failed"
        v["detail"] = "no results.json (memattr-run: %s)" % row["note"]
        return v
    cells = res.get("cells") or []
    cell = cells[0] if cells else {}
    ident = cell.get("identity") or {}
    v["cell_status"] = cell.get("status")
    v["cell_reason"] = cell.get("reason")
    v["identity_build_id"] = ident.get("kvm_build_id")
    v["kernel_messages"] = (cell.get("kernel_messages") or [])[:5]
    tests = [t for t in res.get("tests") or [] if t.get("cell") == cell.get("name")]
    real = [t for t in tests if not t.get("synthetic")]
    v["failed_tests"] = [t["name"] + (" (%s)" % t["result"] if t["result"] != "fail" else "")
                         for t in tests if t.get("result") in FAILING]
    v["skipped_tests"] = [t["name"] for t in real if t.get("result") == "skip"]
    v["passed"] = sum(1 for t in real if t.get("result") in ("pass", "xfail"))
    v["skipped"] = len(v["skipped_tests"])
    mods_failed = [k for k in ident if k == "modules" and ident[k].startswith("failed")]
    if not ident.get("kvm_build_id"):
        v["verdict"] = "boot-failed"
        v["detail"] = "the cell did not report kvm_build_id (status %s: %s)" % (cell.get("status"),
                                                                               cell.get("reason"))
        return v
    if mods_failed or ident.get("kvm_mode") != "svm":
        v["verdict"] = "boot-failed"
        v["detail"] = "modules=%s kvm_mode=%s" % (ident.get("modules"), ident.get("kvm_mode"))
        return v
    if ident.get("kvm_build_id") != row["build_id"]:
        v["verdict"] = "unverified"
        v["detail"] = "the cell loaded kvm_build_id=%s, the build made %s" % (ident.get("kvm_build_id"),
                                                                            row["build_id"])
        return v
    if not real and not v["failed_tests"]:
        v["verdict"] = "boot-failed"
        v["detail"] = "no test ran (status %s: %s)" % (cell.get("status"), cell.get("reason"))
        return v
    v["verdict"] = "killed" if v["failed_tests"] else "survived"
    return v


def num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def baseline_check(state):
    rows = [r for r in read_state(state) if r["name"] == "baseline"]
    if not rows:
        print("mutate: no baseline row", file=sys.stderr)
        return 1
    v = judge(rows[-1])
    if v["verdict"] != "survived":
        print("mutate: baseline verdict %s%s%s" % (
            v["verdict"], ": " + v["detail"] if v.get("detail") else "",
            "; failed: " + ", ".join(v["failed_tests"]) if v["failed_tests"] else ""), file=sys.stderr)
        return 1
    print("mutate: baseline green: %d pass, %d skip, modules %s verified in the cell" % (
        v["passed"], v["skipped"], v["identity_build_id"]), file=sys.stderr)
    return 0


def fmt_s(x):
    return "-" if x is None else "%.0f s" % x


def report(args):
    rows = read_state(args.report)
    verdicts = []
    base = None
    for r in rows:
        v = judge(r)
        h = header(r["patch"])
        v["description"] = h.get("mutation", "unmodified kvm.ko / kvm-amd.ko (rebuilt from linux-source)"
                                 if r["name"] == "baseline" else "")
        v["reintroduces"] = h.get("reintroduces", "")
        v["why"] = h.get("why", "")
        v["patch"] = r["patch"]
        if r["name"] == "baseline":
            base = v
        verdicts.append(v)
    # x86 (run) first, then the arm64 corpus (not run), each by name
    muts = sorted((v for v in verdicts if v["name"] != "baseline"),
                  key=lambda v: (v["verdict"] == "not-run", v["arch"], v["name"]))
    killed = [v for v in muts if v["verdict"] == "killed"]
    survived = [v for v in muts if v["verdict"] == "survived"]
    counted = len(killed) + len(survived)
    base_skips = set(base["skipped_tests"]) if base else set()
    for v in survived + killed:
        v["new_skips"] = sorted(set(v["skipped_tests"]) - base_skips)
    rate = (100.0 * len(killed) / counted) if counted else None
    summary = {
        "format": "memattr-mutate/1", "kernel_release": args.kernel_release, "source": args.source,
        "cell": args.cell, "suites": args.suites or "all", "test_filter": args.test_filter or "",
        "mutations": len(muts), "killed": len(killed), "survived": len(survived),
        "kill_rate_percent": rate,
        "not_counted": {k: sum(1 for v in muts if v["verdict"] == k)
                        for k in ("build-failed", "boot-failed", "unverified", "not-run", "built")},
        "baseline": base, "results": muts,
    }
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "report.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1)
        f.write("\n")

    L = []
    L.append("memattr mutation testing: KVM %s, cell %s, suites %s%s" % (
        args.kernel_release, args.cell, args.suites or "all",
        ", tests " + args.test_filter if args.test_filter else ""))
    L.append("source: %s; modules: kvm.ko + kvm-amd.ko rebuilt per mutation" % args.source)
    if base:
        L.append("baseline (unmutated rebuild): %s; %d pass, %d skip; build %s, run %s%s" % (
            "green" if base["verdict"] == "survived" else "NOT GREEN (" + base["verdict"] + ")",
            base["passed"], base["skipped"], fmt_s(base["build_seconds"]), fmt_s(base["run_seconds"]),
            "; failed: " + ", ".join(base["failed_tests"]) if base["failed_tests"] else ""))
        if base.get("identity_build_id"):
            L.append("  modules loaded in the cell: %s" % base["identity_build_id"])
    L.append("")
    L.append("%-38s %-13s %8s %8s  %s" % ("mutation", "verdict", "build", "run", "detail"))
    for v in muts:
        if v["verdict"] == "killed":
            det = "failed: " + ", ".join(v["failed_tests"][:8]) + (
                " (+%d more)" % (len(v["failed_tests"]) - 8) if len(v["failed_tests"]) > 8 else "")
        elif v["verdict"] == "survived":
            det = "why: " + v["why"] if v["why"] else "UNEXPLAINED SURVIVOR (no Why: line in the patch)"
        else:
            det = v.get("detail") or ""
        L.append("%-38s %-13s %8s %8s  %s" % (v["name"], v["verdict"], fmt_s(v["build_seconds"]),
                                              fmt_s(v["run_seconds"]), det))
        if v.get("new_skips"):
            L.append("%-38s %-13s %8s %8s  skipped here, not in the baseline: %s" % (
                "", "", "", "", ", ".join(v["new_skips"])))
    L.append("")
    L.append("kill rate: %s (%d killed of %d mutations with a verdict; build-failed, boot-failed, "
             "unverified and not-run are not kills and not counted: %s)" % (
                 "%.0f%%" % rate if rate is not None else "n/a", len(killed), counted,
                 ", ".join("%s %d" % (k, n) for k, n in summary["not_counted"].items() if n) or "none"))
    unexplained = [v["name"] for v in survived if not v["why"]]
    if unexplained:
        L.append("unexplained survivors (need a stronger test or a Why: line): " + ", ".join(unexplained))
    L.append("")
    L.append("mutations:")
    for v in muts:
        L.append("  %s: %s" % (v["name"], v["description"]))
        if v["reintroduces"]:
            L.append("    reintroduces: %s" % v["reintroduces"])
        if v["verdict"] == "not-run":
            L.append("    not run: %s" % v.get("detail"))
        if v.get("report"):
            L.append("    report: %s" % v["report"])
    with open(os.path.join(args.out, "report.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(L) + "\n")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline-check")
    ap.add_argument("--report")
    ap.add_argument("--mutations")
    ap.add_argument("--out")
    ap.add_argument("--kernel-release", default="")
    ap.add_argument("--source", default="")
    ap.add_argument("--cell", default="")
    ap.add_argument("--suites", default="")
    ap.add_argument("--test-filter", default="")
    a = ap.parse_args()
    if a.baseline_check:
        return baseline_check(a.baseline_check)
    if a.report and a.out:
        return report(a)
    ap.error("--baseline-check STATE or --report STATE --out DIR")
    return 2


if __name__ == "__main__":
    sys.exit(main())
