// SPDX-License-Identifier: GPL-2.0
/* gmem, x86_64: what guest_memfd looks like on x86 (Linux 7.2.13). */
#include <errno.h>

#include "../../gmem.h"

unsigned int gm_vm_types(unsigned long *types, unsigned int max)
{
	uint64_t mask = (uint64_t)ma_sys_cap(KVM_CAP_VM_TYPES);
	unsigned int n = 0;

	for (unsigned long t = 0; t < 32 && n < max; t++)
		if (mask & (1ull << t))
			types[n++] = t;
	return n;
}

const char *gm_vm_type_name(unsigned long type)
{
	static const char *const names[] = {
		[KVM_X86_DEFAULT_VM] = "default", [KVM_X86_SW_PROTECTED_VM] = "sw_protected",
		[KVM_X86_SEV_VM] = "sev", [KVM_X86_SEV_ES_VM] = "sev_es", [KVM_X86_SNP_VM] = "snp",
		[KVM_X86_TDX_VM] = "tdx",
	};

	return type < MA_ARRAY_SIZE(names) ? names[type] : "unknown";
}

/*
 * arch/x86/kvm/x86.c:kvm_arch_init_vm sets has_private_mem for SW_PROTECTED; the vendor code
 * for SNP (arch/x86/kvm/svm/sev.c:sev_vm_init) and TDX (arch/x86/kvm/vmx/tdx.c:tdx_vm_init).
 */
static bool has_private_mem(unsigned long type)
{
	return type == KVM_X86_SW_PROTECTED_VM || type == KVM_X86_SNP_VM || type == KVM_X86_TDX_VM;
}

uint64_t gm_expected_vm_flags(unsigned long type, const char **why)
{
	if (has_private_mem(type)) {
		*why = "arch/x86/kvm/x86.c:kvm_arch_supports_gmem_init_shared is false for a VM with private memory: kvm_gmem_get_supported_flags (include/linux/kvm_host.h) gives MMAP only ("
			MA_KERNEL_REF ")";
		return GUEST_MEMFD_FLAG_MMAP;
	}
	*why = "include/linux/kvm_host.h:kvm_gmem_get_supported_flags: MMAP, and INIT_SHARED because arch/x86/kvm/x86.c:kvm_arch_supports_gmem_init_shared is true without private memory ("
		MA_KERNEL_REF ")";
	return GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED;
}

uint64_t gm_expected_vm_attributes(unsigned long type, uint64_t sys_attrs, const char **why)
{
	if (!sys_attrs) {
		*why = "without KVM_GENERIC_MEMORY_ATTRIBUTES the capability falls through to arch/x86/kvm/x86.c:kvm_vm_ioctl_check_extension: 0 ("
			MA_KERNEL_REF ")";
		return 0;
	}
	*why = "virt/kvm/kvm_main.c:kvm_supported_mem_attributes: PRIVATE for a VM with private memory (kvm_arch_has_private_mem), else 0 ("
		MA_KERNEL_REF ")";
	return has_private_mem(type) ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0;
}

bool gm_attributes_ioctl_built(struct ma_vm *vm)
{
	int r = ma_try_set_memory_attributes(vm, 0, GM_PG, 0, 1);

	/*
	 * built: virt/kvm/kvm_main.c:kvm_vm_ioctl_set_mem_attributes refuses flags != 0 (EINVAL);
	 * not built: arch/x86/kvm/x86.c:kvm_arch_vm_ioctl's default (ENOTTY)
	 */
	if (r != -EINVAL && r != -ENOTTY)
		ma_fatal("KVM_SET_MEMORY_ATTRIBUTES with flags 1: %s, expected EINVAL (built) or ENOTTY (not built)",
			 r < 0 ? ma_errno_name((int)-r) : "success");
	return r == -EINVAL;
}

int gm_expected_attributes_errno(struct ma_vm *vm, const struct kvm_memory_attributes *a, const char **why)
{
	uint64_t supported = (uint64_t)ma_vm_cap(vm, KVM_CAP_MEMORY_ATTRIBUTES);

	if (!gm_attributes_ioctl_built(vm)) {
		*why = "not built (no KVM_GENERIC_MEMORY_ATTRIBUTES): arch/x86/kvm/x86.c:kvm_arch_vm_ioctl default ("
			MA_KERNEL_REF ")";
		return ENOTTY;
	}
	*why = "virt/kvm/kvm_main.c:kvm_vm_ioctl_set_mem_attributes";
	if (a->flags)
		*why = "virt/kvm/kvm_main.c:kvm_vm_ioctl_set_mem_attributes: flags != 0";
	else if (a->attributes & ~supported)
		*why = "virt/kvm/kvm_main.c:kvm_vm_ioctl_set_mem_attributes: attributes outside kvm_supported_mem_attributes() (KVM_CAP_MEMORY_ATTRIBUTES of the VM) ("
			MA_KERNEL_REF ")";
	else if (!a->size || a->address + a->size < a->address)
		*why = "virt/kvm/kvm_main.c:kvm_vm_ioctl_set_mem_attributes: size 0 or address + size wraps";
	else if ((a->address | a->size) & (GM_PG - 1))
		*why = "virt/kvm/kvm_main.c:kvm_vm_ioctl_set_mem_attributes: address or size not PAGE_ALIGNED ("
			MA_KERNEL_REF ")";
	else
		return 0;
	return EINVAL;
}

const int gm_slot_without_mmap_errno;
const char gm_slot_without_mmap_source[] =
	"arch/x86/kvm/x86.c:kvm_arch_prepare_memory_region has no guest_memfd rule: a slot over a file without GUEST_MEMFD_FLAG_MMAP is accepted (private faults use the file, shared ones userspace_addr; "
	MA_KERNEL_REF ")";

uint64_t gm_fault_report_gpa(uint64_t gpa, const char **why)
{
	*why = "arch/x86/kvm/mmu/mmu_internal.h:kvm_mmu_prepare_memory_fault_exit reports gfn << PAGE_SHIFT";
	return gpa & ~(GM_PG - 1);
}

uint64_t gm_gpa_beyond_limit(struct ma_vm *vm)
{
	(void)vm;
	/* kvm_mmu_max_gfn() (arch/x86/kvm/mmu.h) is below 2^52 with and without TDP */
	return 1ull << 52;
}

const int gm_beyond_limit_errno = EINVAL;
const char gm_beyond_limit_source[] =
	"arch/x86/kvm/x86.c:kvm_arch_prepare_memory_region: last gfn > kvm_mmu_max_gfn() (at most 52 bits) gives EINVAL ("
	MA_KERNEL_REF ")";

long gm_expected_memory_fault_info(const char **why)
{
	*why = "arch/x86/kvm/x86.c:kvm_vm_ioctl_check_extension: KVM_CAP_MEMORY_FAULT_INFO is 1";
	return 1;
}
