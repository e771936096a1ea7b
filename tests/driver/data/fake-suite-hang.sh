#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A suite that hangs after one result (a child process hangs with it).
echo "TAP version 13"
echo "1..2"
echo "ok 1 hang.first"
sleep 600 &
echo $! >"${MEMATTR_FAKE_PIDFILE:-/dev/null}"
wait
