// SPDX-License-Identifier: GPL-2.0
/* gmem, arm64: what guest_memfd looks like on arm64 (Linux 7.2.13). */
#include <errno.h>

#include "../../gmem.h"

unsigned int gm_vm_types(unsigned long *types, unsigned int max)
{
	unsigned int n = 0;

	/* arm64 has no KVM_CAP_VM_TYPES: the type is the IPA size (0 = default) and the protected bit */
	if (n < max)
		types[n++] = 0;
	if (ma_kvm_protected_mode() && n < max)
		types[n++] = KVM_VM_TYPE_ARM_PROTECTED;
	return n;
}

const char *gm_vm_type_name(unsigned long type)
{
	return type & KVM_VM_TYPE_ARM_PROTECTED ? "protected" : "default";
}

uint64_t gm_expected_vm_flags(unsigned long type, const char **why)
{
	(void)type;
	*why = "include/linux/kvm_host.h:kvm_gmem_get_supported_flags: MMAP, and INIT_SHARED where kvm_arch_supports_gmem_init_shared(); arm64 keeps the __weak one of virt/kvm/guest_memfd.c (true) for every VM type ("
		MA_KERNEL_REF ")";
	return GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED;
}

uint64_t gm_expected_vm_attributes(unsigned long type, uint64_t sys_attrs, const char **why)
{
	(void)type;
	(void)sys_attrs;
	*why = "arm64 does not select KVM_GENERIC_MEMORY_ATTRIBUTES (arch/arm64/kvm/Kconfig): KVM_CAP_MEMORY_ATTRIBUTES falls through to arch/arm64/kvm/arm.c:kvm_vm_ioctl_check_extension, which gives 0 at both scopes ("
		MA_KERNEL_REF ")";
	return 0;
}

bool gm_attributes_ioctl_built(struct ma_vm *vm)
{
	(void)vm;
	return false;	/* arch/arm64/kvm/Kconfig selects no KVM_GENERIC_MEMORY_ATTRIBUTES */
}

int gm_expected_attributes_errno(struct ma_vm *vm, const struct kvm_memory_attributes *a, const char **why)
{
	(void)vm;
	(void)a;
	*why = "no KVM_GENERIC_MEMORY_ATTRIBUTES on arm64: the ioctl reaches arch/arm64/kvm/arm.c:kvm_arch_vm_ioctl, whose default is EINVAL ("
		MA_KERNEL_REF ")";
	return EINVAL;
}

const int gm_slot_without_mmap_errno = EINVAL;
const char gm_slot_without_mmap_source[] =
	"arch/arm64/kvm/mmu.c:kvm_arch_prepare_memory_region: a guest_memfd slot that is not gmem-only (file without GUEST_MEMFD_FLAG_MMAP, virt/kvm/guest_memfd.c:kvm_gmem_bind) gives EINVAL ("
	MA_KERNEL_REF ")";

uint64_t gm_fault_report_gpa(uint64_t gpa, const char **why)
{
	*why = "arch/arm64/kvm/mmu.c:gmem_abort reports fault_ipa, HPFAR_EL2.FIPA << 12 (arch/arm64/include/asm/kvm_emulate.h:kvm_vcpu_get_fault_ipa): the 4 KiB-aligned IPA ("
		MA_KERNEL_REF ")";
	return gpa & ~0xfffull;
}

uint64_t gm_gpa_beyond_limit(struct ma_vm *vm)
{
	return 1ull << vm->ipa_bits;
}

const int gm_beyond_limit_errno = EFAULT;
const char gm_beyond_limit_source[] =
	"arch/arm64/kvm/mmu.c:kvm_arch_prepare_memory_region: base_gfn + npages beyond kvm_phys_size() gives EFAULT ("
	MA_KERNEL_REF ")";

long gm_expected_memory_fault_info(const char **why)
{
	*why = "KVM_CAP_MEMORY_FAULT_INFO is x86-only (arch/x86/kvm/x86.c:kvm_vm_ioctl_check_extension); arm64's gives 0, though arch/arm64/kvm/mmu.c:gmem_abort fills run->memory_fault ("
		MA_KERNEL_REF ")";
	return 0;
}
