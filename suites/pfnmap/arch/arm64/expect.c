// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 glue between the suite and the memory-type model (memtype_model.c): the platform the
 * model needs, detected here, and the guest's exception syndromes turned into model outcomes.
 */
#include <errno.h>

#include "memattr/atomic_flavours.h"
#include "../../pfnmap.h"

#define ESR_EC(esr) (((esr) >> 26) & 0x3f)
#define ESR_FSC(esr) ((esr) & 0x3f)
#define EC_IABT_CUR 0x21
#define EC_DABT_CUR 0x25
#define FSC_SEA 0x10
#define FSC_ALIGN 0x21
#define FSC_EXCL_ATOMIC 0x35

/* ret x30 */
const unsigned char ma_return_insn[] = { 0xc0, 0x03, 0x5f, 0xd6 };
const unsigned int ma_return_insn_len = sizeof(ma_return_insn);

/* What KVM tells: cap 243 on the VM and the KVM mode. */
static void platform_kvm(struct ma_vm *vm, struct mt_platform *pl)
{
	long cap = ma_vm_cap(vm, KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED);

	pl->cap243 = cap == 1;
	pl->pkvm = ma_kvm_protected_mode();
}

void pfn_platform(struct ma_vcpu *v, struct mt_platform *pl)
{
	struct ma_guest_features gf;

	ma_read_guest_features(v, &gf);
	platform_kvm(v->vm, pl);
	pl->fwb = gf.fwb;
	pl->dic = gf.dic;
	pl->lse = gf.lse;
}

void pfn_model_row(const struct mt_platform *pl, const struct ma_pfnmap *p, enum ma_memtype s1,
		   struct mt_row_expect *out)
{
	struct mt_source src = mt_source_of(p);

	mt_arm64_expect_row(pl, &src, s1, out);
}

int ma_pfnmap_expected_slot_errno(struct ma_vm *vm, const struct ma_pfnmap *p, uint32_t flags,
				  const struct mt_rule **rule)
{
	struct mt_platform pl = { 0 };
	struct mt_source src = mt_source_of(p);

	platform_kvm(vm, &pl);
	return mt_arm64_slot_errno(&pl, &src, flags, rule);
}

int ma_pfnmap_expected_run_errno(struct ma_vm *vm, const struct ma_pfnmap *p, const struct mt_rule **rule)
{
	struct mt_platform pl = { 0 };
	struct mt_source src = mt_source_of(p);
	int run_errno;

	platform_kvm(vm, &pl);
	mt_arm64_stage2(&pl, &src, &run_errno, rule);
	return run_errno;
}

bool ma_pfnmap_atomics_required(struct ma_vm *vm, const struct ma_pfnmap *p, const struct mt_rule **rule)
{
	struct mt_platform pl = { 0 };	/* only cap 243 and pKVM decide the stage-2 type */
	struct mt_source src = mt_source_of(p);
	int run_errno;

	platform_kvm(vm, &pl);
	/* through a Normal-WB stage 1 the effective type is the stage-2 type, FWB or not */
	return mt_arm64_stage2(&pl, &src, &run_errno, rule) == MT_TYPE_NORMAL_WB;
}

int ma_pfnmap_cow_write_errno(const struct mt_rule **rule)
{
	static const struct mt_rule r = {
		"cow.arm64_write_refused", "a guest write to an uncopied page of a COW PFNMAP: hva_to_pfn_remapped returns KVM_PFN_ERR_RO_FAULT (the pte is present and read-only; COW is not broken) and arm64 turns every error pfn into -EFAULT: KVM_RUN fails with EFAULT",
		"virt/kvm/kvm_main.c:hva_to_pfn_remapped, arch/arm64/kvm/mmu.c:kvm_s2_fault_pin_pfn, Linux "
		MA_KERNEL_REF
	};

	*rule = &r;
	return EFAULT;
}

enum mt_outcome pfn_classify_fault(uint64_t esr)
{
	if (ESR_EC(esr) == EC_IABT_CUR && ESR_FSC(esr) == FSC_SEA)
		return MT_SEA_IABT;
	if (ESR_EC(esr) == EC_DABT_CUR && ESR_FSC(esr) == FSC_ALIGN)
		return MT_ALIGN_FAULT;
	if (ESR_EC(esr) == EC_DABT_CUR && ESR_FSC(esr) == FSC_EXCL_ATOMIC)
		return MT_EXCL_FAULT;
	return MT_OTHER;
}

void ma_pfnmap_check_cap(struct ma_t *t)
{
	struct ma_vm *vm = ma_test_vm(1);
	struct ma_vcpu *v = vm->vcpus[0];
	/* a VM-scope capability: /dev/kvm refuses the query (kvm_vm_ioctl_check_extension_generic) */
	long sys = ma_try_check_cap(ma_kvm_fd(), KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED);
	long vmcap = ma_vm_cap(vm, KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED);
	struct ma_guest_features gf;

	(void)t;
	ma_read_guest_features(v, &gf);
	ma_log("cap 243: /dev/kvm %ld, VM %ld; guest ID_AA64MMFR2_EL1.FWB=%d CTR_EL0.DIC=%d",
	       sys, vmcap, gf.fwb,
	       gf.dic);
	MA_EXPECT_EQ(sys, -EINVAL);
	MA_EXPECT_EQ(vmcap, gf.fwb && gf.dic ? 1 : 0);
	ma_vm_destroy(vm);
}
