// SPDX-License-Identifier: GPL-2.0
/*
 * The x86_64 memory-type model (Linux 7.2.13, Intel SDM / AMD APM).  x86 has no access that faults
 * because of a memory type: loads, stores, unaligned accesses, instruction fetch and locked
 * read-modify-writes complete on WB, WC and UC alike (a locked access to UC memory is a bus lock,
 * still atomic).  So every probe's outcome is judged ("completes"), but the probes cannot tell the
 * memory type: rows are marked judged_type = false and the matrix says the type is not observable.
 * Under TCG the memory type has no effect at all; on hardware it shows only in timing and in
 * coherence with non-snooping devices, which these probes do not measure.
 */
#include "../../memtype_model.h"

static const struct mt_rule r_slot = {
	"slot.x86", "x86 checks only the gfn range, not the VMA: PFNMAP slots are accepted, with or without dirty logging",
	"arch/x86/kvm/x86.c:kvm_arch_prepare_memory_region, Linux " MA_KERNEL_REF
};

static const struct mt_rule r_s2 = {
	"s2.x86", "NPT/EPT map the pfn hva_to_pfn_remapped finds; the memory type comes from the host PAT/MTRR (SVM) or the EPT memtype KVM computes (VMX): not observable by these probes",
	"arch/x86/kvm/mmu/spte.c:make_spte, virt/kvm/kvm_main.c:hva_to_pfn_remapped, Linux " MA_KERNEL_REF
};

static const struct mt_rule r_probe = {
	"probe.x86_completes", "every probe completes on every x86 memory type (UC/WC/WB): no alignment or memory-type faults, locked operations are atomic on UC, fetch from UC/WC is allowed",
	"Intel SDM vol. 3A 9.1.2.2 'Software Controlled Bus Locking' and 12.3 'Methods of Caching Available'; "
	"AMD APM vol. 2 7.4"
};

void mt_x86_expect_row(const struct mt_source *src, enum ma_memtype s1, struct mt_row_expect *out)
{
	(void)src;
	(void)s1;
	out->slot_errno = 0;
	out->slot_rule = &r_slot;
	out->s2 = MT_TYPE_UNOBSERVABLE;
	out->s2_rule = &r_s2;
	out->eff = MT_TYPE_UNOBSERVABLE;
	out->eff_rule = &r_s2;
	for (unsigned int op = 0; op < MA_PROBE_COUNT; op++) {
		out->allowed[op] = MT_BIT(MT_OK);
		out->probe_rule[op] = &r_probe;
	}
	out->judged_type = false;
}
