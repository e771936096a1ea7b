// SPDX-License-Identifier: GPL-2.0
/*
 * gmem, arm64: no KVM_CAP_VM_TYPES; a KVM_CREATE_VM type is the IPA size and the protected bit,
 * which only a kernel in protected mode (pKVM) accepts.
 */
#include <errno.h>
#include <unistd.h>

#include "../../gmem.h"

MA_TEST(gmem, vm_types, .kernel_log = { .taint = GM_TAINT_USER, .why = GM_PROTECTED_TAINT_WHY },
	.source = "arch/arm64/kvm/arm.c:kvm_vm_ioctl_check_extension has no KVM_CAP_VM_TYPES (0); kvm_arch_init_vm: bits outside KVM_VM_TYPE_ARM_MASK give EINVAL, KVM_VM_TYPE_ARM_PROTECTED EINVAL unless is_protected_kvm_enabled() ("
		  MA_KERNEL_REF ")")
{
	long sys_types = ma_sys_cap(KVM_CAP_VM_TYPES);
	struct ma_vm *vm = gm_bare_vm();
	long vm_types = ma_vm_cap(vm, KVM_CAP_VM_TYPES);
	bool pkvm = ma_kvm_protected_mode();
	int fd;

	MA_CHECK(sys_types == 0 && vm_types == 0, "KVM_CAP_VM_TYPES is %ld (system) and %ld (VM), expected 0",
		 sys_types, vm_types);
	fd = ma_try_create_vm_fd(KVM_VM_TYPE_ARM_PROTECTED);
	ma_log("KVM_CREATE_VM(KVM_VM_TYPE_ARM_PROTECTED), KVM %sin protected mode: %s", pkvm ? "" : "not ",
	       fd >= 0 ? "created" : ma_errno_name(-fd));
	MA_CHECK(pkvm ? fd >= 0 : fd == -EINVAL, "KVM_CREATE_VM(KVM_VM_TYPE_ARM_PROTECTED): %s, expected %s",
		 fd >= 0 ? "created" : ma_errno_name(-fd), pkvm ? "a protected VM" : "EINVAL");
	if (fd >= 0)
		close(fd);
	/* a bit outside KVM_VM_TYPE_ARM_MASK */
	MA_EXPECT_ERRNO(ma_try_create_vm_fd(1ul << 8), EINVAL);
}
