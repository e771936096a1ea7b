# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Helpers for building out-of-tree parts of a lab kernel from linux-source: one implementation for
# runners/build-fixtures.sh (fixture modules) and tools/mutate.sh (mutated kvm.ko / kvm-amd.ko).
# Sourced.  The caller defines die() (one line on stderr, exit 2).

# VERSION.PATCHLEVEL.SUBLEVEL of a kernel tree's Makefile.
memattr_kb_tree_version() {
	awk -F' *= *' '$1 == "VERSION" { v = $2 } $1 == "PATCHLEVEL" { p = $2 } $1 == "SUBLEVEL" { s = $2 }
		END { if (v != "") print v "." p "." s }' "$1/Makefile" 2>/dev/null
}

# memattr_kb_prepare OBJ CONFIG REL LOGS JOBS STAMP [scripts/config ARGS...]
# A prepared kbuild O= tree in OBJ for release REL: CONFIG (Debian's config of REL) with
# SYSTEM_TRUSTED_KEYS and SYSTEM_REVOCATION_KEYS empty and MODULE_SIG_ALL off, then the extra
# scripts/config ARGS (e.g. --enable KVM_SW_PROTECTED_VM), `make olddefconfig`,
# `make modules_prepare KERNELRELEASE=REL`.  The make command line comes from the caller's array
# kmake (make -C SRC O=OBJ ARCH=... KERNELRELEASE=REL [CROSS_COMPILE=...]); SRC is ${kmake[2]#-C}
# or given as the word after -C.  STAMP is the text that identifies the inputs (recipe, source,
# config hash, compiler, ...); the tree is reused while OBJ/.memattr-prepared holds exactly it.
# Logs: LOGS/olddefconfig.log, config-changes.diff, modules_prepare.log.
memattr_kb_prepare() {
	local obj=$1 config=$2 rel=$3 logs=$4 jobs=$5 stamp=$6 src="" i ur
	shift 6
	# shellcheck disable=SC2154 # kmake is the caller's array (see above)
	for ((i = 0; i < ${#kmake[@]}; i++)); do
		if [ "${kmake[$i]}" = -C ]; then src=${kmake[$((i + 1))]}; fi
	done
	[ -n "$src" ] || die "memattr_kb_prepare: kmake has no -C SRC"
	if [ -f "$obj/.memattr-prepared" ] && [ "$(cat "$obj/.memattr-prepared")" = "$stamp" ]; then
		return 0
	fi
	rm -rf "$obj"
	mkdir -p "$obj"
	cp "$config" "$obj/.config"
	"$src/scripts/config" --file "$obj/.config" \
		--set-str SYSTEM_TRUSTED_KEYS "" --set-str SYSTEM_REVOCATION_KEYS "" --disable MODULE_SIG_ALL "$@" ||
		die "scripts/config failed on $obj/.config"
	"${kmake[@]}" olddefconfig >"$logs/olddefconfig.log" 2>&1 ||
		die "make olddefconfig failed: $(tail -n1 "$logs/olddefconfig.log") (log: $logs/olddefconfig.log)"
	# What olddefconfig (and the extra options) changed: for the record.
	diff <(grep -E '^(CONFIG_|# CONFIG_)' "$config" | sort) <(grep -E '^(CONFIG_|# CONFIG_)' "$obj/.config" | sort) \
		>"$logs/config-changes.diff" || true
	"${kmake[@]}" -j"$jobs" modules_prepare >"$logs/modules_prepare.log" 2>&1 ||
		die "make modules_prepare failed: $(grep -m1 -E 'error|Error' "$logs/modules_prepare.log" || tail -n1 "$logs/modules_prepare.log") (log: $logs/modules_prepare.log)"
	ur=$(cat "$obj/include/config/kernel.release" 2>/dev/null || true)
	grep -q "\"$rel\"" "$obj/include/generated/utsrelease.h" 2>/dev/null ||
		die "prepared tree has release '${ur:-?}', not $rel (see $obj/include/generated/utsrelease.h)"
	printf '%s\n' "$stamp" >"$obj/.memattr-prepared"
}

# memattr_kb_check_vermagic KO REL: the module's vermagic starts with REL.
memattr_kb_check_vermagic() {
	local vm
	vm=$(modinfo -F vermagic "$1" 2>/dev/null) || die "modinfo cannot read $1"
	case "$vm " in
	"$2 "*) ;;
	*) die "$1 has vermagic '$vm', not for $2" ;;
	esac
}
