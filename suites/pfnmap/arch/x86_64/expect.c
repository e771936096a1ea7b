// SPDX-License-Identifier: GPL-2.0
/* x86_64 expectations for PFNMAP memslots and accesses (Linux 7.2.13). */
#include "../../pfnmap.h"

/* ret */
const unsigned char ma_return_insn[] = { 0xc3 };
const unsigned ma_return_insn_len = sizeof(ma_return_insn);

int ma_pfnmap_expected_slot_errno(struct ma_vm *vm, const struct ma_pfnmap *p, uint32_t flags,
				  const char **source)
{
	(void)vm;
	(void)p;
	(void)flags;
	*source = "arch/x86/kvm/x86.c:kvm_arch_prepare_memory_region checks only the gfn range, not "
		  "the VMA: PFNMAP slots are accepted, with or without dirty logging (7.2.13)";
	return 0;
}

enum ma_probe_expect ma_pfnmap_probe_expect(const struct ma_pfnmap *p, enum ma_probe_op op,
					    enum ma_memtype mt, const char **source)
{
	(void)p;
	(void)mt;
	(void)op;
	*source = "x86 memory types do not fault on any access; KVM maps PFNMAP memory with the host "
		  "PAT type (arch/x86/kvm/mmu/spte.c:make_spte, 7.2.13)";
	return MA_EXPECT_COMPLETES;
}

int ma_pfnmap_expected_run_errno(struct ma_vm *vm, const struct ma_pfnmap *p, const char **source)
{
	(void)vm;
	(void)p;
	*source = "arch/x86/kvm/mmu/mmu.c:kvm_tdp_page_fault maps any pfn hva_to_pfn_remapped finds (7.2.13)";
	return 0;
}

bool ma_pfnmap_atomics_required(const struct ma_pfnmap *p, const char **source)
{
	(void)p;
	*source = "x86 locked instructions are atomic on every memory type, UC included (Intel SDM vol. 3A "
		  "\"Locked Atomic Operations\"; AMD APM vol. 2 7.3)";
	return true;
}

bool ma_pfnmap_is_kvm_sea(uint64_t syndrome, uint64_t vector)
{
	(void)syndrome;
	(void)vector;
	return false;
}

void ma_pfnmap_check_cap(struct ma_t *t)
{
	(void)t;
	/* an unknown capability reads 0 on x86 (kvm_vm_ioctl_check_extension default case) */
	MA_EXPECT_EQ(ma_sys_cap(KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED), 0);
}
