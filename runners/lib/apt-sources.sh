# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Helpers that read the machine's own apt configuration (deb822 .sources and one-line .list).
# Sourced by runners/*.sh.

# Print every "URI SUITE" pair the machine's apt sources name (enabled entries only).
memattr_apt_pairs() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -n 's/^[[:space:]]*deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]\+\)[[:space:]]\+\([^[:space:]]\+\).*/\2 \3/p' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk 'BEGIN{RS=""; FS="\n"}
		{
			uris=""; suites=""; types=""; enabled="yes"
			for (i = 1; i <= NF; i++) {
				line = $i
				if (line ~ /^#/) continue
				if (line ~ /^URIs:/)    { sub(/^URIs:[ \t]*/, "", line); uris = line }
				if (line ~ /^Suites:/)  { sub(/^Suites:[ \t]*/, "", line); suites = line }
				if (line ~ /^Types:/)   { sub(/^Types:[ \t]*/, "", line); types = line }
				if (line ~ /^Enabled:/) { sub(/^Enabled:[ \t]*/, "", line); enabled = line }
			}
			if (enabled == "no" || types !~ /(^| )deb( |$)/) next
			n = split(uris, u, /[ \t]+/); m = split(suites, s, /[ \t]+/)
			for (a = 1; a <= n; a++) for (b = 1; b <= m; b++) if (u[a] != "" && s[b] != "") print u[a], s[b]
		}' "$f"
	done
}

# The URI of the Debian archive proper (the entry that carries the release's main suite).
memattr_debian_uri() {
	local codename
	# shellcheck source=/dev/null
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
	memattr_apt_pairs | awk -v c="$codename" '$2 == c && $1 !~ /security/ { print $1; exit }' | grep . ||
		memattr_apt_pairs | awk '$1 ~ /debian/ && $1 !~ /security/ { print $1; exit }' | grep .
}

memattr_apt_has_suite() {
	memattr_apt_pairs | awk -v s="$1" '$2 == s { f = 1 } END { exit !f }'
}
