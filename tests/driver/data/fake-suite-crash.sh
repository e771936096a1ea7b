#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A suite that dies of SIGSEGV after its first result, in the middle of a line.
echo "TAP version 13"
echo "1..3"
echo "ok 1 crash.first"
printf '# about to crash'
kill -SEGV $$
