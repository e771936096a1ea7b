// SPDX-License-Identifier: GPL-2.0
/*
 * memattr-cellinfo: the identity of the KVM under test, as `@@MEMATTR ID key=value` lines for
 * the run driver (lab cells run it from /init, native cells directly).  With --hold-vm it keeps
 * a VM alive instead (hold_vm.c).
 */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "memattr/kvm.h"
#include "memattr/util.h"
#include "hold_vm.h"

static const struct { long cap; const char *name; } caps[] = {
	{ KVM_CAP_USER_MEMORY2, "cap_user_memory2" },
	{ KVM_CAP_GUEST_MEMFD, "cap_guest_memfd" },
	{ KVM_CAP_GUEST_MEMFD_FLAGS, "cap_guest_memfd_flags" },
	{ KVM_CAP_MEMORY_ATTRIBUTES, "cap_memory_attributes" },
	{ KVM_CAP_VM_TYPES, "cap_vm_types" },
	{ KVM_CAP_READONLY_MEM, "cap_readonly_mem" },
	{ KVM_CAP_NR_MEMSLOTS, "cap_nr_memslots" },
	{ KVM_CAP_DIRTY_LOG_RING, "cap_dirty_log_ring" },
	{ KVM_CAP_DIRTY_LOG_RING_ACQ_REL, "cap_dirty_log_ring_acq_rel" },
	{ KVM_CAP_MEMORY_FAULT_INFO, "cap_memory_fault_info" },
	{ KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED, "cap_arm_cacheable_pfnmap" },
	{ KVM_CAP_ARM_VM_IPA_SIZE, "cap_arm_vm_ipa_size" },
	{ KVM_CAP_ARM_MTE, "cap_arm_mte" },
};

int main(int argc, char **argv)
{
	struct utsname u;
	int kvm, vm;

	if (argc == 3 && !strcmp(argv[1], "--hold-vm"))
		return ma_cell_hold_vm(argv[2]);
	if (argc != 1) {
		fprintf(stderr, "usage: memattr-cellinfo [--hold-vm READY_FILE]\n");
		return 2;
	}
	kvm = ma_try_kvm_open();

	uname(&u);
	printf("@@MEMATTR ID uname_release=%s\n", u.release);
	printf("@@MEMATTR ID host_page_size=%ld\n", sysconf(_SC_PAGESIZE));
	if (kvm < 0) {
		printf("@@MEMATTR ID kvm=unavailable:%s\n", strerror(-kvm));
		return 0;
	}
	printf("@@MEMATTR ID kvm_api_version=%ld\n", ma_try_ioctl(kvm, KVM_GET_API_VERSION, NULL));
	vm = ma_try_create_vm_fd(0);
	for (size_t i = 0; i < MA_ARRAY_SIZE(caps); i++) {
		printf("@@MEMATTR ID sys_%s=%ld\n", caps[i].name, ma_try_check_cap(kvm, caps[i].cap));
		if (vm >= 0)
			printf("@@MEMATTR ID vm_%s=%ld\n", caps[i].name, ma_try_check_cap(vm, caps[i].cap));
	}
	if (vm < 0)
		printf("@@MEMATTR ID kvm_create_vm=%ld\n", (long)vm);
	fflush(stdout);
	return 0;
}
