#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# inject-report.sh: the fault-injection report of a memattr-run report directory whose suites ran with
# --inject (make inject).  For each cell and suite: call sites injected, killed, survived, kill rate;
# then every surviving call site once, its stack resolved to function and file:line with addr2line
# against the suite binary of the cell's architecture (build/<arch>/bin/memattr-<suite>), and the
# tests it survived in.
#
#   inject-report.sh REPORT_DIR [BIN_DIR]    writes REPORT_DIR/inject-report.txt and prints it
# BIN_DIR has <arch>/memattr-<suite> as the cells ran them (default build: build/<arch>/bin).
set -euo pipefail
die() { echo "inject-report: $*" >&2; exit 2; }
dir=${1:-}; bindir=${2:-}
[ -d "$dir" ] || die "usage: inject-report.sh REPORT_DIR [BUILD_DIR] (no directory '$dir')"
ls "$dir"/*.tap >/dev/null 2>&1 || die "$dir has no <cell>.tap files"
out=$dir/inject-report.txt

resolver() { # arch -> addr2line command
	case $1 in
	arm64 | aarch64) if [ "$(uname -m)" = aarch64 ]; then echo addr2line; else echo aarch64-linux-gnu-addr2line; fi ;;
	x86_64) if [ "$(uname -m)" = x86_64 ]; then echo addr2line; else echo x86_64-linux-gnu-addr2line; fi ;;
	*) die "unknown architecture '$1'" ;;
	esac
}

{
	echo "memattr fault-injection report: $dir"
	echo "Each KVM ioctl call site of a passing test was failed once with EBADE (an errno no KVM ioctl"
	echo "returns); the test must then fail.  A survivor is a site where the error passed unnoticed."
	echo
	for tap in "$dir"/*.tap; do
		cell=$(basename "$tap" .tap)
		arch=$(sed -n 's/^# *arch=\([a-z0-9_]*\).*/\1/p; s/.*ID machine=\([a-z0-9_]*\).*/\1/p' "$tap" | head -n 1)
		case $cell in arm64*) arch=${arch:-aarch64} ;; x86_64*) arch=${arch:-x86_64} ;; esac
		[ "$arch" = arm64 ] && arch=aarch64
		a2l=$(resolver "$arch")
		bins=${bindir:+$bindir/$arch}
		bins=${bins:-build/$arch/bin}
		awk -v cell="$cell" '
			/^# suite [a-z0-9_-]+$/ { suite = $3 }
			/^# inject: / { sites[suite] += $3; killed[suite] += $6; surv[suite] += $8; unr[suite] += $10 }
			END {
				for (s in sites) {
					k = killed[s]; v = surv[s]
					printf "%-22s %-10s call sites %5d  killed %5d  survived %4d  not reached %3d  kill rate %5.1f%%\n",
						cell, s, sites[s], k, v, unr[s], (k + v) ? 100 * k / (k + v) : 100
				}
			}' "$tap" | sort
		# survivors: one line per distinct (suite, stack), with the tests
		awk '
			/^# suite [a-z0-9_-]+$/ { suite = $3 }
			/^# survived: / { line = $0; sub(/^# survived: /, "", line); pending[++n] = line }
			/^(not )?ok [0-9]+ inject\./ {
				t = $0; sub(/^(not )?ok [0-9]+ inject\./, "", t); sub(/ #.*/, "", t)
				for (i = 1; i <= n; i++) print suite "\t" pending[i] "\t" t
				n = 0
			}' "$tap" >"$dir/.survivors.$cell"
		cut -f1,2 "$dir/.survivors.$cell" | sed 's/ -> .*//' | sort | uniq -c | sort -rn |
			while read -r count suite rest; do
				frames=$(printf '%s\n' "$rest" | sed 's/.* at //')
				req=$(printf '%s\n' "$rest" | sed 's/ failed with.*//')
				echo
				echo "  survivor in $cell $suite ($count tests): $req"
				# shellcheck disable=SC2086
				"$a2l" -f -s -i -e "$bins/memattr-$suite" $frames 2>/dev/null |
					paste - - | sed 's/^/      /' || echo "      (addr2line failed: $frames)"
				grep -F "$suite	$rest" "$dir/.survivors.$cell" | cut -f3 | head -n 5 | sed 's/^/      test: /'
			done
		rm -f "$dir/.survivors.$cell"
		echo
	done
} >"$out"
cat "$out"
