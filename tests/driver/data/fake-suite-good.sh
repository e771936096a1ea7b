#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A suite that passes (host cell tests); echoes its arguments and MEMATTR_TIMEOUT_SCALE.
echo "TAP version 13"
echo "1..2"
echo "# args: $* scale=${MEMATTR_TIMEOUT_SCALE-unset}"
echo "# duration_ms=3"
echo "ok 1 good.one"
echo "diagnostic on stderr" >&2
echo "ok 2 good.two # SKIP not here"
echo "# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:1 error:0"
exit 0
