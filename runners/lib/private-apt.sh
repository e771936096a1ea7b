# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# A private apt configuration for fetching packages from another Debian suite (sid,
# trixie-backports, ...) without touching the host's apt state: one implementation for
# fetch-kernel.sh, fetch-uapi.sh and build-fixtures.sh.  Sourced; needs lib/apt-sources.sh.
# The archive URI comes from the machine's own apt sources.

# memattr_papt_init CACHE SUITE: prepare CACHE/apt/SUITE, refresh its package lists when they are
# missing or older than 12 h, and export APT_CONFIG so that plain apt-get / apt-cache use it.
# Sets MEMATTR_APT_DIR.  On failure: one line on stderr, return 2.
memattr_papt_init() {
	local cache=$1 suite=$2 aptdir uri keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	local suites s list new stamp have_lists=0 log
	aptdir=$cache/apt/$suite
	MEMATTR_APT_DIR=$aptdir
	[ -r "$keyring" ] || { echo "memattr: missing $keyring (install debian-archive-keyring)" >&2; return 2; }
	uri=$(memattr_debian_uri) || { echo "memattr: no Debian archive URI found in the machine's apt sources" >&2; return 2; }
	suites=$suite
	case $suite in *-backports) suites="${suite%-backports} $suite" ;; esac
	mkdir -p "$aptdir"/etc/apt.conf.d "$aptdir"/etc/preferences.d "$aptdir"/etc/sources.list.d \
		"$aptdir"/etc/trusted.gpg.d "$aptdir"/state/lists/partial "$aptdir"/cache/archives/partial "$aptdir"/log
	[ -e "$aptdir/state/status" ] || : >"$aptdir/state/status"
	new=""
	for s in $suites; do
		new+="deb [arch=amd64,arm64 signed-by=$keyring] $uri $s main"$'\n'
	done
	list=$aptdir/etc/sources.list
	stamp=$aptdir/state/memattr-updated
	if [ ! -f "$list" ] || [ "$(cat "$list")"$'\n' != "$new" ]; then
		# Another suite or mirror: the old lists must not stand in for the new ones.
		printf '%s' "$new" >"$list"
		rm -f "$stamp"
		find "$aptdir/state/lists" -maxdepth 1 -type f ! -name lock -delete
		rm -f "$aptdir"/cache/*.bin
	fi
	cat >"$aptdir/apt.conf" <<-EOF
		Dir::Etc "$aptdir/etc";
		Dir::Etc::main "$aptdir/etc/apt.conf.unused";
		Dir::Etc::parts "$aptdir/etc/apt.conf.d";
		Dir::Etc::sourcelist "$list";
		Dir::Etc::sourceparts "$aptdir/etc/sources.list.d";
		Dir::Etc::preferences "$aptdir/etc/preferences";
		Dir::Etc::preferencesparts "$aptdir/etc/preferences.d";
		Dir::Etc::trusted "$keyring";
		Dir::Etc::trustedparts "$aptdir/etc/trusted.gpg.d";
		Dir::State "$aptdir/state";
		Dir::State::status "$aptdir/state/status";
		Dir::Cache "$aptdir/cache";
		Dir::Log "$aptdir/log";
		APT::Architecture "amd64";
		APT::Architectures { "amd64"; "arm64"; };
		Dir::Cache::srcpkgcache "";
		Acquire::Languages "none";
		Acquire::GzipIndexes "true";
		Acquire::CompressionTypes::Order:: "gz";
		Acquire::Retries "2";
		Acquire::http::Timeout "30";
	EOF
	# Backports suites are NotAutomatic (priority 100): pin the requested suite above its base suite
	# so that the candidate is the newest package of that suite.
	printf 'Package: *\nPin: release n=%s\nPin-Priority: 990\n' "$suite" >"$aptdir/etc/preferences"
	# Keep the host's apt proxy settings, if any (its other configuration is deliberately not read).
	env -u APT_CONFIG apt-config dump 2>/dev/null | grep -E '^Acquire::(https?|ftp)::Proxy' >>"$aptdir/apt.conf" || true
	if [ "$(id -u)" = 0 ]; then
		# The cache usually lives under /root, which the _apt sandbox user cannot reach.
		echo 'APT::Sandbox::User "root";' >>"$aptdir/apt.conf"
	fi
	export APT_CONFIG=$aptdir/apt.conf

	ls "$aptdir"/state/lists/*_Packages* >/dev/null 2>&1 && have_lists=1
	if [ "$have_lists" = 1 ] && [ -n "$(find "$stamp" -mmin -720 2>/dev/null)" ]; then
		return 0
	fi
	log=$aptdir/log/update.log
	if memattr_papt_update; then
		touch "$stamp"
		return 0
	fi
	if grep -q 'is expired' "$log"; then
		# The host's mirror can be a frozen snapshot whose Release files are past Valid-Until.
		# The signature is still checked; only the freshness window is relaxed.
		echo "memattr: warning: the archive's Release file is expired (snapshot mirror?); retrying with Check-Valid-Until=false" >&2
		if memattr_papt_update -o Acquire::Check-Valid-Until=false; then
			touch "$stamp"
			return 0
		fi
	fi
	if [ "$have_lists" = 1 ]; then
		echo "memattr: warning: apt-get update failed (see $log); using the older package lists" >&2
		return 0
	fi
	echo "memattr: apt-get update for $suite from $uri failed (network?): $(grep -m1 -E '^(E|W):' "$log" || tail -n1 "$log")" >&2
	return 2
}

# apt-get update into $MEMATTR_APT_DIR/log/update.log. apt-get update exits 0 even when an index
# could not be fetched ("W: Failed to fetch"), so the log decides.
memattr_papt_update() {
	local log=$MEMATTR_APT_DIR/log/update.log
	apt-get -q "$@" update >"$log" 2>&1 &&
		! grep -qE '^E:|^W: (Failed to fetch|Some index files failed)' "$log" &&
		ls "$MEMATTR_APT_DIR"/state/lists/*_Packages* >/dev/null 2>&1
}

# memattr_papt_download DIR PKG...: download packages into DIR.  On failure: one line, return 2.
memattr_papt_download() {
	local dir=$1 log
	shift
	mkdir -p "$dir"
	log=$MEMATTR_APT_DIR/log/download.log
	(cd "$dir" && apt-get -q download "$@") >"$log" 2>&1 || {
		echo "memattr: apt-get download $* failed (network?): $(grep -m1 -E '^(E|W):' "$log" || tail -n1 "$log")" >&2
		return 2
	}
}
