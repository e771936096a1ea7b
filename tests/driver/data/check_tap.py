#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A memattr TAP file through python3-tap (tappy), the parser LKFT's and KernelCI's kselftest
parse-output.py use: prints "plan P results R ok O not_ok N skip S" of the top level.
Usage: check_tap.py FILE"""
import contextlib
import io
import sys

from tap.parser import Parser

plan, results, ok, not_ok, skip = -1, 0, 0, 0, 0
# tappy 3.1 prints a warning about its optional YAML support on stdout while it parses
with contextlib.redirect_stdout(io.StringIO()):
    lines = list(Parser().parse_file(sys.argv[1]))
for line in lines:
    if line.category == "plan":
        plan = line.expected_tests
    elif line.category == "test":
        results += 1
        if line.skip:
            skip += 1
        elif line.ok:
            ok += 1
        else:
            not_ok += 1
print("plan %d results %d ok %d not_ok %d skip %d" % (plan, results, ok, not_ok, skip))
