#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Parse memattr-run's results.json (and junit.xml) back and print flat facts, one per line, for the
driver tests to look for:  run.status=...  cell.<name>.<field>=...  test.<cell>.<name>=<result>|<reason>|<ms>
junit.<classname>.<name>=<kind>|<message>|<text>  (strings JSON-encoded, ASCII only).
Exit status 0 when both files parse, 1 otherwise."""
import json
import sys
import xml.etree.ElementTree as ET


def q(s):
    return json.dumps(s, ensure_ascii=True)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        d = json.load(f)
    run = d["run"]
    print("format=%s" % d["format"])
    print("run.status=%s" % run["status"])
    print("run.git_describe=%s" % q(run["git_describe"]))
    print("run.config_files=%d" % len(run["config_files"]))
    print("run.totals=%s" % q(run["totals"]))
    print("tests=%d" % len(d["tests"]))
    for c in d["cells"]:
        n = c["name"]
        for k in ("status", "reason", "kind", "arch"):
            print("cell.%s.%s=%s" % (n, k, c[k] if k != "reason" else q(c[k])))
        print("cell.%s.counts=%s" % (n, q(c["counts"])))
        print("cell.%s.wall_ok=%s" % (n, isinstance(c["wall_seconds"], float) and c["wall_seconds"] >= 0))
        for k, v in c["identity"].items():
            print("cell.%s.id.%s=%s" % (n, k, q(v)))
        for s in c["suites"]:
            print("cell.%s.suite.%s=rc:%s plan:%s results:%s" % (n, s["name"], s["rc"], s["plan"], s["results"]))
    for t in d["tests"]:
        print("test.%s.%s=%s|%s|%s" % (t["cell"], t["name"], t["result"], q(t["reason"]), t["duration_ms"]))
    if len(sys.argv) > 2:
        r = ET.parse(sys.argv[2]).getroot()
        print("junit.root=%s tests=%s failures=%s errors=%s skipped=%s" % (
            r.tag, r.get("tests"), r.get("failures"), r.get("errors"), r.get("skipped")))
        for ts in r.findall("testsuite"):
            print("junit.suite=%s tests=%s failures=%s errors=%s skipped=%s" % (
                ts.get("name"), ts.get("tests"), ts.get("failures"), ts.get("errors"), ts.get("skipped")))
            for tc in ts.findall("testcase"):
                kind, msg, text = "pass", None, None
                for k in ("failure", "error", "skipped"):
                    e = tc.find(k)
                    if e is not None:
                        kind, msg, text = k, e.get("message"), e.text
                so = tc.find("system-out")
                if so is not None and kind == "pass":
                    text = so.text
                print("junit.%s.%s=%s|%s|%s" % (tc.get("classname"), tc.get("name"), kind, q(msg), q(text)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
