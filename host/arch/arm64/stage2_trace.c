// SPDX-License-Identifier: GPL-2.0
/*
 * arm64: which functions the stage-2 tracer probes (Linux 7.2.13).
 *
 * arch/arm64/kvm/mmu.c reaches the stage-2 page table through KVM_PGT_FN(fn), which is fn
 * itself, or pkvm_##fn when KVM runs in protected mode.  The memory type is decided once, by the
 * map call: kvm_pgtable_stage2_map(pgt, addr, size, phys, prot, mc, flags) turns prot's
 * KVM_PGTABLE_PROT_DEVICE / _NORMAL_NC bits into the leaf's MemAttr (hyp/pgtable.c:
 * stage2_set_prot_attr); kvm_pgtable_stage2_relax_perms(pgt, addr, prot, flags) only sets the
 * S2AP and XN bits of an existing leaf (stage2_update_leaf_attrs), never MemAttr.
 * The host-side copies of these functions (hyp/pgtable.o and pkvm.o linked into the kernel, not
 * the __kvm_nvhe_ copies that run at EL2) are what the kernel calls in every mode: VHE, nVHE
 * (the host EL1 kernel writes a non-protected VM's stage 2 itself) and pKVM (pkvm_* hypercalls).
 * AAPCS64: the arguments are in x0..x6 at the function's entry.
 */
#include <stddef.h>

#include "memattr/kvm.h"
#include "stage2_trace_arch.h"

#define MAP_FETCH "addr=%x1:x64 size=%x2:x64 phys=%x3:x64 prot=%x4:x64"
#define RELAX_FETCH "addr=%x1:x64 prot=%x2:x64"

int ma_arch_try_s2trace_probes(const struct ma_s2probe **out, const char **why)
{
	/* only the functions KVM_PGT_FN selects in this mode: each probe costs a registration */
	static const struct ma_s2probe plain[] = {
		{ MA_S2FN_MAP, "s2map", "kvm_pgtable_stage2_map", MAP_FETCH, true },
		{ MA_S2FN_RELAX, "s2relax", "kvm_pgtable_stage2_relax_perms", RELAX_FETCH, false },
	};
	static const struct ma_s2probe protected[] = {
		{ MA_S2FN_PKVM_MAP, "ps2map", "pkvm_pgtable_stage2_map", MAP_FETCH, true },
		{ MA_S2FN_PKVM_RELAX, "ps2relax", "pkvm_pgtable_stage2_relax_perms", RELAX_FETCH, false },
	};

	(void)why;
	*out = ma_kvm_protected_mode() ? protected : plain;
	return 2;
}
