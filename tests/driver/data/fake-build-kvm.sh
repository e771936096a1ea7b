#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Fake runners/build-kvm.sh for the driver tests (through MEMATTR_BUILD_KVM): same arguments and
# output.  --config +KVM_WERROR fails like a build error; +KVM_SMM "builds" modules whose build ids
# are not the ones console-x86private.txt loads; anything else matches them.  Every call is logged
# in $cache/fake/build-kvm.calls.
set -u
rel="" config="" cache=""
while [ $# -gt 0 ]; do
	case $1 in
	--kernel-release) rel=$2; shift 2 ;;
	--config) config=$2; shift 2 ;;
	--cache) cache=$2; shift 2 ;;
	*) echo "build-kvm: unknown argument: $1" >&2; exit 2 ;;
	esac
done
mkdir -p "$cache/fake"
echo "$rel $config" >>"$cache/fake/build-kvm.calls"
case $config in
*KVM_WERROR*)
	echo "KVM_BUILD=failed"
	echo "build-kvm: the module build failed: arch/x86/kvm/x86.c:1: error: fake (log: $cache/fake/build.log)" >&2
	exit 1
	;;
*KVM_SMM*) id=kvm:9999,kvm_amd:8888 ;;
*) id=kvm:1111,kvm_amd:2222 ;;
esac
mdir=$cache/fake/kvm/modules/$rel
mkdir -p "$mdir/kernel"
cat <<EOT
KVM_BUILD=cached
KO_DIR=$cache/fake/kvm
MODULES_DIR=$mdir
KVM_BUILD_ID=$id
BUILD_SECONDS=65.3
SOURCE_ID=deb:linux-source-7.2=7.2.13-1
KVM_CONFIG=$config
KVM_CONFIG_DELTA=CONFIG_KVM_SW_PROTECTED_VM=y
EOT
