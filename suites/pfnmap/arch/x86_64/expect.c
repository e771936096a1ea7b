// SPDX-License-Identifier: GPL-2.0
/* x86_64 glue between the suite and the memory-type model (memtype_model.c). */
#include <errno.h>

#include "../../pfnmap.h"

/* ret */
const unsigned char ma_return_insn[] = { 0xc3 };
const unsigned int ma_return_insn_len = sizeof(ma_return_insn);

static const struct mt_rule r_run = {
	"s2.x86_maps_any_pfn", "the TDP fault maps any pfn hva_to_pfn_remapped finds",
	"arch/x86/kvm/mmu/mmu.c:kvm_tdp_page_fault, virt/kvm/kvm_main.c:hva_to_pfn_remapped, Linux "
	MA_KERNEL_REF
};

static const struct mt_rule r_atomics = {
	"probe.x86_locked", "x86 locked instructions are atomic on every memory type, UC included",
	"Intel SDM vol. 3A 9.1.2.2 'Software Controlled Bus Locking'; AMD APM vol. 2 7.3"
};

void pfn_platform(struct ma_vcpu *v, struct mt_platform *pl)
{
	(void)v;
	*pl = (struct mt_platform){ 0 };
}

void pfn_model_row(const struct mt_platform *pl, const struct ma_pfnmap *p, enum ma_memtype s1,
		   struct mt_row_expect *out)
{
	struct mt_source src = mt_source_of(p);

	(void)pl;
	mt_x86_expect_row(&src, s1, out);
}

int ma_pfnmap_expected_slot_errno(struct ma_vm *vm, const struct ma_pfnmap *p, uint32_t flags,
				  const struct mt_rule **rule)
{
	struct mt_row_expect e;
	struct mt_source src = mt_source_of(p);

	(void)vm;
	(void)flags;	/* dirty logging included */
	mt_x86_expect_row(&src, MA_MT_NORMAL_WB, &e);
	*rule = e.slot_rule;
	return e.slot_errno;
}

int ma_pfnmap_expected_run_errno(struct ma_vm *vm, const struct ma_pfnmap *p, const struct mt_rule **rule)
{
	(void)vm;
	(void)p;
	*rule = &r_run;
	return 0;
}

bool ma_pfnmap_atomics_required(struct ma_vm *vm, const struct ma_pfnmap *p, const struct mt_rule **rule)
{
	(void)vm;
	(void)p;
	*rule = &r_atomics;
	return true;
}

int ma_pfnmap_cow_write_errno(const struct mt_rule **rule)
{
	static const struct mt_rule r = {
		"cow.x86_write_emulated", "a guest write to an uncopied page of a COW PFNMAP: hva_to_pfn_remapped returns KVM_PFN_ERR_RO_FAULT, x86 emulates the write through the host mapping (kvm_write_guest), which breaks COW: the write lands in the host's private copy, never in device memory",
		"virt/kvm/kvm_main.c:hva_to_pfn_remapped, arch/x86/kvm/mmu/mmu.c:kvm_handle_error_pfn (RET_PF_EMULATE), Linux "
		MA_KERNEL_REF
	};

	*rule = &r;
	return 0;
}

enum mt_outcome pfn_classify_fault(uint64_t error_code)
{
	(void)error_code;
	return MT_OTHER;	/* no probe may fault on x86 */
}

void ma_pfnmap_check_cap(struct ma_t *t)
{
	(void)t;
	/* an unknown capability reads 0 on x86 (kvm_vm_ioctl_check_extension default case) */
	MA_EXPECT_EQ(ma_sys_cap(KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED), 0);
}
