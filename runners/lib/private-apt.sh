# A private apt configuration for fetching packages from another Debian suite (sid,
# trixie-backports...) without touching the host's apt state.  Sourced by runners/*.sh.
# The archive URI comes from the machine's own apt sources (apt-sources.sh).

# memattr_papt_init CACHE SUITE: prepare $CACHE/apt-$SUITE and refresh its lists if older than 12 h.
# Sets MEMATTR_APT_OPTS (an array) for apt-get / apt-cache calls.
memattr_papt_init() {
	local cache=$1 suite=$2 uri root
	uri=$(memattr_debian_uri) || { echo "memattr: no Debian archive in this machine's apt sources" >&2; return 2; }
	root=$cache/apt-$suite
	mkdir -p "$root/lists/partial" "$root/archives/partial" "$root/etc/preferences.d" "$root/etc/apt.conf.d"
	printf 'deb [arch=amd64,arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
		"$uri" "$suite" > "$root/etc/sources.list"
	: > "$root/status"
	MEMATTR_APT_OPTS=(-o "Dir::Etc::SourceList=$root/etc/sources.list" -o "Dir::Etc::SourceParts=-"
		-o "Dir::Etc::Preferences=$root/etc/preferences" -o "Dir::Etc::PreferencesParts=$root/etc/preferences.d"
		-o "Dir::Etc::Parts=$root/etc/apt.conf.d"
		-o "Dir::State=$root" -o "Dir::State::Lists=$root/lists" -o "Dir::State::status=$root/status"
		-o "Dir::Cache=$root" -o "Dir::Cache::Archives=$root/archives"
		-o "APT::Architecture=amd64" -o "APT::Architectures::=amd64" -o "APT::Architectures::=arm64"
		-o "Debug::NoLocking=1" -o "Acquire::Languages=none" -q)
	if [ -z "$(find "$root/lists" -maxdepth 1 -name '*Packages*' -mmin -720 2>/dev/null | head -n1)" ]; then
		apt-get "${MEMATTR_APT_OPTS[@]}" update >"$root/update.log" 2>&1 || {
			echo "memattr: apt-get update for suite '$suite' failed (see $root/update.log)" >&2
			return 2
		}
	fi
}

# memattr_papt_download DIR PKG...: download packages into DIR (with the private config).
memattr_papt_download() {
	local dir=$1; shift
	mkdir -p "$dir"
	(cd "$dir" && apt-get "${MEMATTR_APT_OPTS[@]}" download "$@" >/dev/null 2>"$dir/download.log") || {
		echo "memattr: apt-get download $* failed: $(tail -n 2 "$dir/download.log")" >&2
		return 2
	}
}
