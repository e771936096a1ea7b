// SPDX-License-Identifier: GPL-2.0
/* gmem, x86_64: the VM types KVM_CAP_VM_TYPES lists are exactly the ones KVM_CREATE_VM accepts. */
#include <errno.h>
#include <unistd.h>

#include "../../gmem.h"

MA_TEST(gmem, vm_types,
	.source = "arch/x86/kvm/x86.c:kvm_vm_ioctl_check_extension (KVM_CAP_VM_TYPES = kvm_caps.supported_vm_types, DEFAULT always, kvm_x86_vendor_init) and kvm_arch_init_vm (!kvm_is_vm_type_supported gives EINVAL; types >= 32 too) ("
		  MA_KERNEL_REF ")")
{
	uint64_t mask = (uint64_t)ma_sys_cap(KVM_CAP_VM_TYPES);
	struct ma_vm *vm = gm_bare_vm();
	uint64_t vm_mask = (uint64_t)ma_vm_cap(vm, KVM_CAP_VM_TYPES);

	ma_log("KVM_CAP_VM_TYPES %#llx (system), %#llx (VM)", (unsigned long long)mask,
	       (unsigned long long)vm_mask);
	MA_CHECK(mask & (1ull << KVM_X86_DEFAULT_VM), "KVM_CAP_VM_TYPES %#llx lacks KVM_X86_DEFAULT_VM",
		 (unsigned long long)mask);
	MA_CHECK(vm_mask == mask, "VM-scope KVM_CAP_VM_TYPES %#llx differs from the system's %#llx (both read kvm_caps)",
		 (unsigned long long)vm_mask, (unsigned long long)mask);
	for (unsigned long type = 0; type < 34; type++) {
		bool listed = type < 32 && (mask & (1ull << type));
		int fd = ma_try_create_vm_fd(type);

		if (fd >= 0)
			close(fd);
		MA_CHECK(listed ? fd >= 0 : fd == -EINVAL, "KVM_CREATE_VM type %lu (%s, %s): %s, expected %s",
			 type, gm_vm_type_name(type), listed ? "listed" : "not listed",
			 fd >= 0 ? "created" : ma_errno_name(-fd), listed ? "created" : "EINVAL");
	}
}
