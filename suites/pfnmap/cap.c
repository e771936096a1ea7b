// SPDX-License-Identifier: GPL-2.0
/* pfnmap: KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED (243) at system and VM scope. */
#include "pfnmap.h"

MA_TEST(pfnmap, cap_cacheable_pfnmap_scope,
	.source = "arch/arm64/kvm/arm.c:kvm_vm_ioctl_check_extension (243: EINVAL without a VM, FWB && DIC on a VM); x86: unknown capability reads 0 ("
		  MA_KERNEL_REF ")")
{
	ma_pfnmap_check_cap(t);
}
