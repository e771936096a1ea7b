#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run libFuzzer targets for a bounded time each (`make fuzz`).
#   run.sh BUILD_DIR SECONDS TIMEOUT NAME...
# Target NAME is BUILD_DIR/NAME_fuzz; seeds tests/fuzz/corpus/NAME/ (not written); the inputs a run
# finds go to BUILD_DIR/corpus/NAME/; extra libFuzzer flags (one per line) in tests/fuzz/NAME.options,
# a dictionary in tests/fuzz/NAME.dict.  A crash, leak, hang or out-of-memory (libFuzzer's exit status)
# fails the run; its reproducer stays in BUILD_DIR/artifacts/NAME/ and is named in the message.
set -uo pipefail
b=${1:?build dir}; secs=${2:?seconds}; tmo=${3:?timeout per input}; shift 3
src=$(cd "$(dirname "$0")" && pwd)
failed=()
for t in "$@"; do
	bin=$b/${t}_fuzz
	seeds=$src/corpus/$t
	work=$b/corpus/$t
	art=$b/artifacts/$t
	log=$b/$t.log
	if [ ! -x "$bin" ] || [ ! -d "$seeds" ]; then
		echo "fuzz $t: FAILED: no $bin or no seed corpus $seeds"
		failed+=("$t")
		continue
	fi
	mkdir -p "$work" "$art"
	# scratch files of the targets (the console target writes a cell's files): tmpfs when there is one
	tmp=$(mktemp -d /dev/shm/memattr-fuzz.XXXXXX 2>/dev/null) || tmp=$(mktemp -d "$b/tmp.XXXXXX") || exit 1
	flags=(-max_total_time="$secs" -timeout="$tmo" -rss_limit_mb=2048 -print_final_stats=1
		-artifact_prefix="$art/")
	if [ -f "$src/$t.options" ]; then
		mapfile -t more < <(grep -v '^[[:space:]]*\(#\|$\)' "$src/$t.options")
		flags+=("${more[@]}")
	fi
	[ -f "$src/$t.dict" ] && flags+=(-dict="$src/$t.dict")
	stamp=$tmp/start
	: >"$stamp"
	start=$SECONDS
	MEMATTR_FUZZ_TMP=$tmp "$bin" "${flags[@]}" "$work" "$seeds" >"$log" 2>&1
	rc=$?
	took=$((SECONDS - start))
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1)
	nseeds=$(find "$seeds" -type f | wc -l)
	ncorp=$(find "$work" -type f | wc -l)
	if [ "$rc" = 0 ]; then
		echo "fuzz $t: ok, ${runs:-?} inputs in ${took} s (${rate:-?}/s), ${cov:-cov: ?}," \
			"corpus $ncorp found + $nseeds seeds"
	else
		repro=$(find "$art" -type f -newer "$stamp" ! -name 'slow-unit-*' | head -n 1)
		if [ -n "$repro" ]; then
			echo "fuzz $t: FAILED (libFuzzer exit status $rc) after ${took} s; reproducer: $repro" \
				"(rerun: $bin $repro); log: $log"
		else
			echo "fuzz $t: FAILED (libFuzzer exit status $rc) after ${took} s, no reproducer written;" \
				"log: $log"
		fi
		grep -E -A 30 '^==[0-9]+==|^SUMMARY|runtime error|ERROR: libFuzzer|\*\*\*' "$log" | head -n 60
		failed+=("$t")
	fi
	rm -rf "$tmp"
done
if [ "${#failed[@]}" -gt 0 ]; then
	echo "fuzz: FAILED: ${failed[*]}"
	exit 1
fi
echo "fuzz: all ${#} targets clean"
