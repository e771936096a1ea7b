// SPDX-License-Identifier: GPL-2.0
/*
 * The arm64 memory-type model (Linux 7.2.13, Arm ARM DDI 0487).  Pure: no KVM calls, so the unit
 * tests build it on any host.  Three steps, each naming its rule:
 *
 *   source + platform  -> stage-2 type        (arch/arm64/kvm/mmu.c, who decides)
 *   stage 1 + stage 2  -> effective type      (Arm ARM attribute combining, FWB or not)
 *   effective type + op -> allowed outcomes   (Arm ARM, and KVM where KVM handles the fault)
 *
 * Which probe separates which pair of types (also proven by tests/unit/memtype_model_test.c):
 *   Normal-WB  vs Normal-NC : exec (KVM refuses exec on a non-cacheable PFNMAP and injects an SEA)
 *   Normal-WB  vs Device    : exec, and the unaligned load through a Normal stage 1 (stage-2 Device
 *                             makes it an alignment fault that KVM cannot handle: KVM_RUN EFAULT)
 *   Normal-NC  vs Device    : the unaligned load through a Normal stage 1 (completes on NC)
 *   Device-nGnRE vs nGnRnE  : nothing the guest can observe (early write acknowledgment is not
 *                             architecturally visible to a single observer): recorded, not probed.
 * Exclusives and atomics on non-WB memory are IMPLEMENTATION DEFINED: allowed sets, never a
 * KVM_RUN error.
 */
#include <errno.h>

#include "../../memtype_model.h"
#include "memattr/util.h"

#define LINUX "Linux " MA_KERNEL_REF

/* ---- stage 2: who decides ---- */
static const struct mt_rule r_s2_ram = {
	"s2.ram", "a RAM pfn behind a PFNMAP is mapped like anonymous memory: stage 2 Normal-WB, whatever the VMA says",
	"arch/arm64/kvm/mmu.c:kvm_s2_fault_pin_pfn (pfn_is_map_memory), " LINUX
};

static const struct mt_rule r_s2_cacheable = {
	"s2.cacheable", "a cacheable non-RAM PFNMAP with FWB and DIC (cap 243 = 1) is mapped Normal-WB",
	"arch/arm64/kvm/mmu.c:kvm_s2_fault_pin_pfn + kvm_vma_is_cacheable, " LINUX
};

static const struct mt_rule r_s2_cacheable_refused = {
	"s2.cacheable.refused", "a cacheable non-RAM PFNMAP without FWB+DIC is never mapped: KVM_RUN fails with EFAULT",
	"arch/arm64/kvm/mmu.c:kvm_s2_fault_pin_pfn (returns -EFAULT), " LINUX
};

static const struct mt_rule r_s2_nc = {
	"s2.nc", "a non-cacheable PFNMAP with VM_ALLOW_ANY_UNCACHED is mapped Normal-NC (KVM_PGTABLE_PROT_NORMAL_NC)",
	"arch/arm64/kvm/mmu.c:kvm_s2_fault_compute_prot, " LINUX
};

static const struct mt_rule r_s2_device = {
	"s2.device", "a non-cacheable PFNMAP without VM_ALLOW_ANY_UNCACHED is mapped Device-nGnRE (KVM_PGTABLE_PROT_DEVICE)",
	"arch/arm64/kvm/mmu.c:kvm_s2_fault_compute_prot, " LINUX
};

static const struct mt_rule r_pkvm_uncached = {
	"s2.pkvm.uncached", "pKVM: the hypervisor refuses a Device or Normal-NC stage-2 prot: KVM_RUN fails with EINVAL",
	"arch/arm64/kvm/hyp/nvhe/mem_protect.c:__pkvm_host_share_guest, " LINUX
};

static const struct mt_rule r_pkvm_nonram = {
	"s2.pkvm.nonram", "pKVM: a pfn outside the host's memory is refused: KVM_RUN fails with EPERM",
	"arch/arm64/kvm/hyp/nvhe/mem_protect.c:__pkvm_host_share_guest -> check_range_allowed_memory, " LINUX
};

/* ---- memslot creation ---- */
static const struct mt_rule r_slot_ok = {
	"slot.accepted", "the memslot is accepted (only VMA flags and pgprot are checked)",
	"arch/arm64/kvm/mmu.c:kvm_arch_prepare_memory_region, " LINUX
};

static const struct mt_rule r_slot_dirty = {
	"slot.pfnmap_log_dirty", "VM_PFNMAP with KVM_MEM_LOG_DIRTY_PAGES: EINVAL",
	"arch/arm64/kvm/mmu.c:kvm_arch_prepare_memory_region, " LINUX
};

static const struct mt_rule r_slot_cacheable = {
	"slot.cacheable_no_fwb", "a cacheable VM_PFNMAP (RAM or not: only the VMA is checked) without FWB+DIC: EINVAL",
	"arch/arm64/kvm/mmu.c:kvm_arch_prepare_memory_region (kvm_supports_cacheable_pfnmap), " LINUX
};

/* ---- combining stage 1 and stage 2 ---- */
static const struct mt_rule r_eff_fwb_wb = {
	"eff.fwb_forces_wb", "FEAT_S2FWB with stage-2 MemAttr Normal-WB (0b110) forces Normal-WB whatever stage 1 says",
	"Arm ARM D8 'Stage 2 memory type and Cacheability attributes when FEAT_S2FWB is enabled'; "
	"arch/arm64/include/asm/memory.h MT_S2_FWB_NORMAL"
};

static const struct mt_rule r_eff_restrictive = {
	"eff.more_restrictive", "stage 1 and stage 2 combine to the more restrictive type (Device < Normal-NC < Normal-WB; "
	"Device-nGnRnE < nGnRE)",
	"Arm ARM D8 'Combining the stage 1 and stage 2 attributes' (also FWB NC/Device encodings)"
};

static const struct mt_rule r_eff_none = {
	"eff.none", "no stage-2 mapping: the guest access never reaches memory", "follows from the stage-2 rule"
};

/* ---- probes ---- */
static const struct mt_rule r_p_aligned = {
	"probe.aligned", "aligned 64-bit loads and stores complete on every memory type",
	"Arm ARM B2.7 'Memory types and attributes'"
};

static const struct mt_rule r_p_run = {
	"probe.run_error", "the access needs a stage-2 mapping that KVM refuses: KVM_RUN fails with the stage-2 rule's errno",
	"see the stage-2 rule"
};

static const struct mt_rule r_p_exec_sea = {
	"probe.exec_noncacheable", "exec from a non-cacheable PFNMAP: -ENOEXEC, KVM injects a synchronous external instruction abort (guest ESR EC 0x21, IFSC 0x10)",
	"arch/arm64/kvm/mmu.c:kvm_s2_fault_compute_prot + kvm_inject_sea_iabt, " LINUX
};

static const struct mt_rule r_p_exec_ok = {
	"probe.exec_cacheable", "exec from stage-2 Normal-WB completes: KVM grants X (stage 1 has no XN; a fetch from Device memory that is not execute-never is permitted)",
	"arch/arm64/kvm/mmu.c:kvm_s2_fault_compute_prot; Arm ARM B2.7.2 'Device memory'"
};

static const struct mt_rule r_p_unaligned_s1dev = {
	"probe.unaligned_s1_device", "an unaligned load through a stage-1 Device mapping takes an Alignment fault at stage 1, in the guest (ESR EC 0x25, DFSC 0x21), before stage 2 is consulted",
	"Arm ARM B2.5.2 'Alignment of data accesses' and D8 fault prioritisation (alignment first)"
};

static const struct mt_rule r_p_unaligned_s2dev = {
	"probe.unaligned_s2_device", "an unaligned load through a Normal stage 1 onto stage-2 Device is an Alignment fault reported to EL2 (DFSC 0x21); KVM has no handler for it ('Unsupported FSC'): KVM_RUN fails with EFAULT",
	"arch/arm64/kvm/mmu.c:kvm_handle_guest_abort, " LINUX "; Arm ARM B2.5.2"
};

static const struct mt_rule r_p_unaligned_normal = {
	"probe.unaligned_normal", "an unaligned load to Normal memory completes (SCTLR_EL1.A = 0)",
	"Arm ARM B2.5.2 'Alignment of data accesses'"
};

static const struct mt_rule r_p_excl_wb = {
	"probe.exclusive_wb", "LDXR/STXR on Normal Inner-Shareable Write-Back memory succeeds",
	"Arm ARM B2.9 'Synchronization and semaphores'"
};

static const struct mt_rule r_p_excl_impdef = {
	"probe.exclusive_impdef", "LDXR/STXR on memory that is not Normal WB is IMPLEMENTATION DEFINED: it completes, or the STXR never succeeds, or it faults with DFSC 0x35 (KVM re-injects a stage-2 0x35); never a KVM_RUN error",
	"Arm ARM B2.9.5 'Load-Exclusive and Store-Exclusive instruction usage restrictions'; "
	"arch/arm64/kvm/mmu.c:kvm_s2_fault_compute_prot (esr_fsc_is_excl_atomic_fault), " LINUX
};

static const struct mt_rule r_p_atomic_wb = {
	"probe.atomic_wb", "an LSE atomic on Normal Inner-Shareable Write-Back memory completes",
	"Arm ARM C3.2 'Atomic memory operations' (FEAT_LSE)"
};

static const struct mt_rule r_p_atomic_impdef = {
	"probe.atomic_impdef", "an LSE atomic on memory that is not Normal WB is IMPLEMENTATION DEFINED: it completes or faults with DFSC 0x35 (KVM re-injects a stage-2 0x35); never a KVM_RUN error",
	"Arm ARM B2.2 and ESR_ELx DFSC 0b110101 'Unsupported Exclusive or Atomic access'; "
	"arch/arm64/kvm/mmu.c:kvm_s2_fault_compute_prot, " LINUX
};

static const struct mt_rule r_p_no_lse = {
	"probe.atomic_no_lse", "FEAT_LSE absent (ID_AA64ISAR0_EL1.Atomic < 2): the guest does not issue LDADD",
	"guest/arch/arm64/probe.c"
};

static const struct mt_rule *const all_rules[] = {
	&r_s2_ram, &r_s2_cacheable, &r_s2_cacheable_refused, &r_s2_nc, &r_s2_device, &r_pkvm_uncached,
	&r_pkvm_nonram, &r_slot_ok, &r_slot_dirty, &r_slot_cacheable, &r_eff_fwb_wb, &r_eff_restrictive,
	&r_eff_none, &r_p_aligned, &r_p_run, &r_p_exec_sea, &r_p_exec_ok, &r_p_unaligned_s1dev,
	&r_p_unaligned_s2dev, &r_p_unaligned_normal, &r_p_excl_wb, &r_p_excl_impdef, &r_p_atomic_wb,
	&r_p_atomic_impdef, &r_p_no_lse,
};

const struct mt_rule *const *mt_arm64_rules(unsigned int *n)
{
	*n = MA_ARRAY_SIZE(all_rules);
	return all_rules;
}

static bool is_device(enum mt_type t)
{
	return t == MT_TYPE_DEVICE_nGnRE || t == MT_TYPE_DEVICE_nGnRnE;
}

/* Order by restrictiveness: a higher rank is less restrictive. */
static int rank(enum mt_type t)
{
	switch (t) {
	case MT_TYPE_DEVICE_nGnRnE:
		return 0;
	case MT_TYPE_DEVICE_nGnRE:
		return 1;
	case MT_TYPE_NORMAL_NC:
		return 2;
	default:
		return 3;
	}
}

int mt_arm64_slot_errno(const struct mt_platform *pl, const struct mt_source *src, uint32_t flags,
			const struct mt_rule **rule)
{
	if (flags & 1u /* KVM_MEM_LOG_DIRTY_PAGES */) {
		*rule = &r_slot_dirty;
		return EINVAL;
	}
	if (src->pgprot == MT_PGPROT_CACHEABLE && !pl->cap243) {
		*rule = &r_slot_cacheable;
		return EINVAL;
	}
	*rule = &r_slot_ok;
	return 0;
}

enum mt_type mt_arm64_stage2(const struct mt_platform *pl, const struct mt_source *src, int *run_errno,
			     const struct mt_rule **rule)
{
	*run_errno = 0;
	if (src->ram) {
		*rule = &r_s2_ram;
		return MT_TYPE_NORMAL_WB;
	}
	if (src->pgprot == MT_PGPROT_CACHEABLE) {
		if (!pl->cap243) {
			*rule = &r_s2_cacheable_refused;
			*run_errno = EFAULT;
			return MT_TYPE_NONE;
		}
		if (pl->pkvm) {
			*rule = &r_pkvm_nonram;
			*run_errno = EPERM;
			return MT_TYPE_NONE;
		}
		*rule = &r_s2_cacheable;
		return MT_TYPE_NORMAL_WB;
	}
	if (pl->pkvm) {
		*rule = &r_pkvm_uncached;
		*run_errno = EINVAL;
		return MT_TYPE_NONE;
	}
	if (src->allow_uncached) {
		*rule = &r_s2_nc;
		return MT_TYPE_NORMAL_NC;
	}
	*rule = &r_s2_device;
	return MT_TYPE_DEVICE_nGnRE;
}

enum mt_type mt_arm64_effective(const struct mt_platform *pl, enum mt_type s2, enum ma_memtype s1,
				const struct mt_rule **rule)
{
	enum mt_type t1 = mt_s1_type(s1);

	if (s2 == MT_TYPE_NONE) {
		*rule = &r_eff_none;
		return MT_TYPE_NONE;
	}
	if (pl->fwb && s2 == MT_TYPE_NORMAL_WB) {
		*rule = &r_eff_fwb_wb;
		return MT_TYPE_NORMAL_WB;
	}
	*rule = &r_eff_restrictive;
	return rank(t1) < rank(s2) ? t1 : s2;
}

/*
 * Whether KVM's stage-2 decision for a non-cacheable PFNMAP happens before any mapping is made:
 * exec on non-cacheable memory is refused (SEA) even where pKVM would refuse the mapping.
 */
static bool s2_noncacheable(enum mt_type s2, int run_errno)
{
	return s2 == MT_TYPE_NORMAL_NC || is_device(s2) || run_errno == EINVAL;
}

unsigned int mt_arm64_probe(const struct mt_platform *pl, enum mt_type s2, int run_errno, enum ma_memtype s1,
			    enum ma_probe_op op, const struct mt_rule **rule)
{
	const struct mt_rule *unused;
	enum mt_type eff = mt_arm64_effective(pl, s2, s1, &unused);
	bool s1_device = is_device(mt_s1_type(s1));

	/* faults the guest takes before stage 2 is consulted, or that KVM decides before mapping */
	if (op == MA_PROBE_LOAD_UNALIGNED && s1_device) {
		*rule = &r_p_unaligned_s1dev;
		return MT_BIT(MT_ALIGN_FAULT);
	}
	if (op == MA_PROBE_EXEC && s2_noncacheable(s2, run_errno)) {
		*rule = &r_p_exec_sea;
		return MT_BIT(MT_SEA_IABT);
	}
	if (op == MA_PROBE_LSE_LDADD && !pl->lse) {
		*rule = &r_p_no_lse;
		return MT_BIT(MT_NOT_PRESENT);
	}
	if (s2 == MT_TYPE_NONE) {
		*rule = &r_p_run;
		return MT_BIT(run_errno == EPERM ? MT_RUN_EPERM :
			      run_errno == EINVAL ? MT_RUN_EINVAL : MT_RUN_EFAULT);
	}
	switch (op) {
	case MA_PROBE_LOAD64:
	case MA_PROBE_STORE64:
		*rule = &r_p_aligned;
		return MT_BIT(MT_OK);
	case MA_PROBE_LOAD_UNALIGNED:
		if (is_device(eff)) {
			*rule = &r_p_unaligned_s2dev;
			return MT_BIT(MT_RUN_EFAULT);
		}
		*rule = &r_p_unaligned_normal;
		return MT_BIT(MT_OK);
	case MA_PROBE_EXEC:
		*rule = &r_p_exec_ok;
		return MT_BIT(MT_OK);
	case MA_PROBE_EXCLUSIVE:
		if (eff == MT_TYPE_NORMAL_WB) {
			*rule = &r_p_excl_wb;
			return MT_BIT(MT_OK);
		}
		*rule = &r_p_excl_impdef;
		return MT_BIT(MT_OK) | MT_BIT(MT_NO_EXCL) | MT_BIT(MT_EXCL_FAULT);
	case MA_PROBE_LSE_LDADD:
		if (eff == MT_TYPE_NORMAL_WB) {
			*rule = &r_p_atomic_wb;
			return MT_BIT(MT_OK);
		}
		*rule = &r_p_atomic_impdef;
		return MT_BIT(MT_OK) | MT_BIT(MT_EXCL_FAULT);
	default:
		*rule = &r_p_run;
		return MT_BIT(MT_OTHER);
	}
}

void mt_arm64_expect_row(const struct mt_platform *pl, const struct mt_source *src, enum ma_memtype s1,
			 struct mt_row_expect *out)
{
	int run_errno;

	out->slot_errno = mt_arm64_slot_errno(pl, src, 0, &out->slot_rule);
	out->s2 = mt_arm64_stage2(pl, src, &run_errno, &out->s2_rule);
	out->eff = mt_arm64_effective(pl, out->s2, s1, &out->eff_rule);
	for (unsigned int op = 0; op < MA_PROBE_COUNT; op++)
		out->allowed[op] = mt_arm64_probe(pl, out->s2, run_errno, s1, (enum ma_probe_op)op,
						  &out->probe_rule[op]);
	out->judged_type = true;
}
