// SPDX-License-Identifier: GPL-2.0
/* arm64 VM: the KVM_CREATE_VM type (IPA size) and the guest's initial stage-1 map. */
#include <errno.h>

#include "arch.h"

#define MA_ARM64_DEFAULT_IPA_BITS	40	/* what KVM uses for type 0 */

int ma_arch_try_vm_type(const struct ma_vm_opts *opts, unsigned long *type, unsigned int *ipa_bits)
{
	unsigned int bits = opts ? opts->ipa_bits : 0;

	if (bits > KVM_VM_TYPE_ARM_IPA_SIZE_MASK)
		return -EINVAL;
	*type = bits ? KVM_VM_TYPE_ARM_IPA_SIZE(bits) : 0;
	*ipa_bits = bits ? bits : MA_ARM64_DEFAULT_IPA_BITS;
	/* pKVM gives every VM the host's IPA limit (arch/arm64/kvm/mmu.c:kvm_init_ipa_range, 7.2.13) */
	if (ma_kvm_protected_mode() && ma_sys_cap(KVM_CAP_ARM_VM_IPA_SIZE) > 0)
		*ipa_bits = (unsigned int)ma_sys_cap(KVM_CAP_ARM_VM_IPA_SIZE);
	return 0;
}

int ma_arch_try_vm_setup_guest(struct ma_vm *vm)
{
	int r;

	vm->pt_root = ma_pt_alloc_page(vm);
	if (!vm->pt_root)
		return -ENOMEM;
	/* the system slot, identity, Normal write-back: image, mailboxes, stacks, page tables */
	for (uint64_t off = 0; off < MA_SYS_SIZE; off += MA_PAGE_SIZE) {
		r = ma_arch_try_map_page(vm, MA_SYS_GPA + off, MA_SYS_GPA + off, MA_MT_NORMAL_WB);
		if (r)
			return r;
	}
	/* the doorbell page: Device-nGnRnE, so the STR reaches stage 2 (no memslot: an MMIO exit) */
	return ma_arch_try_map_page(vm, MA_CALL_MMIO_GPA, MA_CALL_MMIO_GPA, MA_MT_DEVICE_nGnRnE);
}

void ma_arch_vm_free(struct ma_vm *vm)
{
	/* nothing is allocated in vm->arch on arm64 */
	vm->arch = NULL;
}
