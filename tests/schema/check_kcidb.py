#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Validate a memattr-run --kcidb document against tests/schema/kcidb-v5.3.schema.json (python3-jsonschema)
and the rules a schema cannot say: ids unique, every test's build and every build's checkout present
when the document carries builds, --absolute: every URL absolute (a document made with --kcidb-url-base).
Usage: check_kcidb.py FILE [--absolute]   Prints "ok N tests" or the errors; exit 0 / 1.
"""
import json
import os
import sys

import jsonschema

here = os.path.dirname(os.path.abspath(__file__))


def main():
    path = sys.argv[1]
    absolute = "--absolute" in sys.argv[2:]
    doc = json.load(open(path, encoding="utf-8"))
    schema = json.load(open(os.path.join(here, "kcidb-v5.3.schema.json"), encoding="utf-8"))
    v = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = ["%s: %s" % ("/".join(str(p) for p in e.absolute_path), e.message) for e in v.iter_errors(doc)]
    tests = doc.get("tests", [])
    ids = [t["id"] for t in tests]
    if len(ids) != len(set(ids)):
        errors.append("test ids are not unique")
    if "builds" in doc:
        builds = {b["id"] for b in doc["builds"]}
        errors += ["test %s: build %s not in the document" % (t["id"], t["build_id"])
                   for t in tests if t["build_id"] not in builds]
        checkouts = {c["id"] for c in doc.get("checkouts", [])}
        if checkouts:
            errors += ["build %s: checkout not in the document" % b["id"]
                       for b in doc["builds"] if b["checkout_id"] not in checkouts]
    if absolute:
        urls = [t.get("log_url") for t in tests] + [f["url"] for t in tests for f in t.get("output_files", [])]
        errors += ["not an absolute URL: %s" % u for u in urls if u and "://" not in u]
    for e in errors[:20]:
        print("kcidb: " + e)
    if errors:
        return 1
    print("ok %d tests" % len(tests))
    return 0


sys.exit(main())
