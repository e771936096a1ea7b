// SPDX-License-Identifier: GPL-2.0
/* arm64 expectations for PFNMAP memslots and accesses (Linux 7.2.13). */
#include <errno.h>

#include "../../pfnmap.h"

#define ESR_EC(esr) (((esr) >> 26) & 0x3f)
#define ESR_FSC(esr) ((esr) & 0x3f)
#define MMFR2_FWB(r) (((r) >> 40) & 0xf)
#define CTR_DIC(r) (((r) >> 29) & 1)

/* ret x30 */
const unsigned char ma_return_insn[] = { 0xc0, 0x03, 0x5f, 0xd6 };
const unsigned ma_return_insn_len = sizeof(ma_return_insn);

int ma_pfnmap_expected_slot_errno(struct ma_vm *vm, const struct ma_pfnmap *p, uint32_t flags,
				  const char **source)
{
	if (flags & KVM_MEM_LOG_DIRTY_PAGES) {
		*source = "arch/arm64/kvm/mmu.c:kvm_arch_prepare_memory_region: VM_PFNMAP with "
			  "KVM_MEM_LOG_DIRTY_PAGES gives EINVAL (7.2.13)";
		return EINVAL;
	}
	if (p->cacheable && ma_vm_cap(vm, KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED) != 1) {
		*source = "arch/arm64/kvm/mmu.c:kvm_arch_prepare_memory_region: a cacheable VM_PFNMAP "
			  "without FWB+DIC (cap 243 = 0) gives EINVAL (7.2.13)";
		return EINVAL;
	}
	*source = "arch/arm64/kvm/mmu.c:kvm_arch_prepare_memory_region accepts it (7.2.13)";
	return 0;
}

enum ma_probe_expect ma_pfnmap_probe_expect(const struct ma_pfnmap *p, enum ma_probe_op op,
					    enum ma_memtype mt, const char **source)
{
	/* stage 2 is Normal-WB when the VMA is cacheable or the pfn is kernel RAM */
	bool s2_cacheable = p->cacheable || p->ram_backed;

	if (op == MA_PROBE_EXEC && !s2_cacheable) {
		*source = "arch/arm64/kvm/mmu.c:kvm_s2_fault_compute_prot: exec on a non-cacheable PFNMAP "
			  "returns -ENOEXEC and kvm_inject_sea_iabt() injects an instruction abort (7.2.13)";
		return MA_EXPECT_KVM_SEA;
	}
	if (op == MA_PROBE_LOAD_UNALIGNED && mt == MA_MT_DEVICE_nGnRE) {
		*source = "Arm ARM: an unaligned access to Device memory (here: the guest's stage-1 type) takes "
			  "an Alignment fault at stage 1, before any stage-2 translation";
		return MA_EXPECT_GUEST_FAULT;
	}
	if (op == MA_PROBE_LOAD64 || op == MA_PROBE_STORE64) {
		*source = "aligned accesses complete on every memory type";
		return MA_EXPECT_COMPLETES;
	}
	if (s2_cacheable && mt == MA_MT_NORMAL_WB) {
		*source = "Normal-WB at both stages: exclusives, atomics, unaligned accesses and fetch all "
			  "complete (Arm ARM; stage 2 from arch/arm64/kvm/mmu.c:user_mem_abort, 7.2.13)";
		return MA_EXPECT_COMPLETES;
	}
	*source = "implementation defined (Arm ARM B2.x: exclusives/atomics/unaligned on NC or Device)";
	return MA_EXPECT_ANY;
}

int ma_pfnmap_expected_run_errno(struct ma_vm *vm, const struct ma_pfnmap *p, const char **source)
{
	if (p->cacheable && !p->ram_backed && ma_vm_cap(vm, KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED) != 1) {
		*source = "arch/arm64/kvm/mmu.c:kvm_s2_fault_pin_pfn: a cacheable VMA over a non-RAM pfn "
			  "without FWB+DIC gives -EFAULT (7.2.13)";
		return EFAULT;
	}
	/* pKVM: the hypervisor maps a non-protected VM's stage 2 (__pkvm_host_share_guest) */
	if (ma_kvm_protected_mode() && !p->ram_backed && !p->cacheable) {
		*source = "pKVM: arch/arm64/kvm/hyp/nvhe/mem_protect.c:__pkvm_host_share_guest refuses a "
			  "Device or Normal-NC stage-2 prot (anything beyond RWX) with -EINVAL (7.2.13)";
		return EINVAL;
	}
	if (ma_kvm_protected_mode() && !p->ram_backed) {
		*source = "pKVM: arch/arm64/kvm/hyp/nvhe/mem_protect.c:__pkvm_host_share_guest -> "
			  "check_range_allowed_memory refuses a pfn outside the host's memory with -EPERM (7.2.13)";
		return EPERM;
	}
	if (p->ram_backed)
		*source = "arch/arm64/kvm/mmu.c:kvm_s2_fault_pin_pfn: a RAM pfn (pfn_is_map_memory) is mapped "
			  "like normal memory whatever the VMA, FWB or not (7.2.13)";
	else if (p->cacheable)
		*source = "arch/arm64/kvm/mmu.c:kvm_s2_fault_pin_pfn: a cacheable non-RAM pfn with FWB+DIC "
			  "(cap 243 = 1) is mapped Normal-WB (7.2.13)";
	else
		*source = "arch/arm64/kvm/mmu.c:kvm_s2_fault_pin_pfn maps a non-cacheable PFNMAP Device or "
			  "Normal-NC (7.2.13)";
	return 0;
}

bool ma_pfnmap_atomics_required(const struct ma_pfnmap *p, const char **source)
{
	if (p->cacheable || p->ram_backed) {
		*source = "stage 2 Normal-WB (arch/arm64/kvm/mmu.c:kvm_s2_fault_compute_prot, 7.2.13) with a "
			  "Normal-WB stage 1: exclusives and LSE atomics are architecturally atomic";
		return true;
	}
	*source = p->allow_uncached ? "stage 2 Normal-NC: Arm ARM leaves exclusives and atomics on non-cacheable "
				      "memory IMPLEMENTATION DEFINED"
				    : "stage 2 Device-nGnRE: Arm ARM leaves exclusives and atomics on Device memory "
				      "IMPLEMENTATION DEFINED";
	return false;
}

bool ma_pfnmap_is_kvm_sea(uint64_t syndrome, uint64_t vector)
{
	/* instruction abort from the current EL (EC 0x21), synchronous external abort (IFSC 0x10) */
	(void)vector;
	return ESR_EC(syndrome) == 0x21 && ESR_FSC(syndrome) == 0x10;
}

void ma_pfnmap_check_cap(struct ma_t *t)
{
	struct ma_vm *vm = ma_vm_create(NULL);
	struct ma_vcpu *v = ma_vcpu_add(vm);
	long sys = ma_sys_cap(KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED);
	long vmcap = ma_vm_cap(vm, KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED);
	uint64_t mmfr2 = 0, ctr = 0;
	struct ma_result res;

	(void)t;
	if (ma_vcpu_run_agent(v, MA_AGENT_FEATURES, NULL, 0, 0, &res) != MA_OUT_DONE)
		ma_fatal("features agent: %s", ma_outcome_name(res.outcome));
	mmfr2 = res.ret[1];
	ctr = res.ret[2];
	ma_log("cap 243: /dev/kvm %ld, VM %ld; guest ID_AA64MMFR2_EL1.FWB=%u CTR_EL0.DIC=%u",
	       sys, vmcap, (unsigned)MMFR2_FWB(mmfr2), (unsigned)CTR_DIC(ctr));
	MA_EXPECT_EQ(sys, -EINVAL);
	MA_EXPECT_EQ(vmcap, MMFR2_FWB(mmfr2) && CTR_DIC(ctr) ? 1 : 0);
	ma_vm_destroy(vm);
}
