#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# tools/skips-from-tap.sh: draft an expected-skip profile (runners/skips/<cell>.skips, format in
# runners/driver/skip_profile.h) from the combined TAP of a cell, reports/<run>/<cell>.tap.
#
#   tools/skips-from-tap.sh reports/latest/arm64-max.tap > runners/skips/arm64-max.skips
#   tools/skips-from-tap.sh reports/2*/x86_64-max.tap    # several runs of one cell
#
# One [skip] entry per distinct reason: the reason with its variable parts (hex values, numbers of 4
# digits or more, the tail after 100 characters) turned into '*', and the test names that skipped
# with it as globs (a name component they all share, e.g. pfnmap.*vfio1*, else the common leading
# components, else one glob per suite.test).  Given several files, a skip that is missing from some
# of them is drafted as "occurs = sometimes".  Every "why" is a TODO: say which condition of the cell
# makes the tests skip, then review the globs (loosen a reason to its stable part, merge entries).
set -eu
if [ $# -eq 0 ] || [ "$1" = -h ] || [ "$1" = --help ]; then
	sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
	[ $# -gt 0 ] && exit 0
	exit 2
fi
for f in "$@"; do
	[ -r "$f" ] || { echo "skips-from-tap: cannot read $f" >&2; exit 2; }
done

awk -v nfiles="$#" '
# glob-escape, then make the variable parts wildcards
function pattern(r,    out, c, i, n, tail) {
	out = ""
	n = length(r)
	for (i = 1; i <= n; i++) {
		c = substr(r, i, 1)
		if (c == "*" || c == "?" || c == "[" || c == "\\") out = out "\\" c
		else out = out c
	}
	gsub(/0x[0-9a-fA-F]+/, "*", out)
	gsub(/[0-9][0-9][0-9][0-9]+/, "*", out)
	if (length(out) > 100) {
		out = substr(out, 1, 100)
		sub(/[^ ]*$/, "", out)   # end at a word
		sub(/\\$/, "", out)      # never on a half escape
		out = out "*"
	}
	while (sub(/\*\*/, "*", out)) ;
	return out
}
# globs for the names of one group (separated by SUBSEP in names[g])
function globs(list,    n, v, i, k, parts, np, comp, cnt, best, pre, p, fam, seen, out, suite) {
	n = split(list, v, SUBSEP)
	if (n == 1) return v[1]
	# a component every name has (after the suite), e.g. vfio1
	for (i = 1; i <= n; i++) {
		np = split(v[i], parts, ".")
		delete seen
		for (k = 2; k <= np; k++) if (!(parts[k] in seen)) { seen[parts[k]] = 1; cnt[parts[k]]++ }
	}
	best = ""
	for (comp in cnt) if (cnt[comp] == n && length(comp) > length(best)) best = comp
	split(v[1], parts, ".")
	suite = parts[1]
	# the common leading components
	np = split(v[1], parts, ".")
	pre = ""
	for (k = 1; k < np; k++) {
		p = pre parts[k] "."
		for (i = 2; i <= n; i++) if (substr(v[i], 1, length(p)) != p) break
		if (i <= n) break
		pre = p
	}
	if (length(pre) > length(suite) + 1) return pre "*"
	if (best != "") return suite ".*" best "*"
	out = ""
	delete seen
	for (i = 1; i <= n; i++) {
		np = split(v[i], parts, ".")
		fam = np > 2 ? parts[1] "." parts[2] ".*" : v[i]
		if (!(fam in seen)) { seen[fam] = 1; out = out (out == "" ? "" : " ") fam }
	}
	return out
}
FNR == 1 { file++ }
/^ok [0-9]+ [^ ]+ # SKIP/ {
	name = $3
	reason = $0
	sub(/^ok [0-9]+ [^ ]+ # SKIP ?/, "", reason)
	pat = pattern(reason)
	if (!(pat in order)) { order[pat] = ++ngroups; byorder[ngroups] = pat; example[pat] = reason }
	if (!((pat, name) in member)) { member[pat, name] = 1; names[pat] = names[pat] (names[pat] == "" ? "" : SUBSEP) name }
	if (!((pat, file) in infile)) { infile[pat, file] = 1; files[pat]++ }
}
END {
	print "# Expected skips drafted by tools/skips-from-tap.sh from " nfiles " TAP file(s): review every entry,"
	print "# replace each TODO with the condition of the cell that makes the tests skip (e.g. \"neoverse-n1"
	print "# has no FWB\"), and keep the reason patterns to the stable part of the reasons."
	for (i = 1; i <= ngroups; i++) {
		pat = byorder[i]
		print ""
		print "# e.g. " example[pat]
		print "[skip]"
		print "tests = " globs(names[pat])
		print "reason = " pat
		if (files[pat] < nfiles) {
			print "occurs = sometimes"
			print "why = TODO (skipped in " files[pat] " of " nfiles " runs)"
		} else {
			print "why = TODO"
		}
	}
	if (!ngroups) print "# no SKIP result in the input: a cell without skips needs no profile"
}
' "$@"
