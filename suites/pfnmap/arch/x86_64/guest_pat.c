// SPDX-License-Identifier: GPL-2.0
/*
 * x86: what can be judged of the memory type on x86 is the guest's own side of it: the IA32_PAT the
 * guest reads must be the one memattr set (KVM_SET_MSRS), so that the stage-1 types the matrix rows
 * name (WB, WC, UC through the PTE's PAT index) are the types the guest really asks for.  The
 * combination with the host side (NPT/EPT, host PAT and MTRRs) is not observable by the probes.
 */
#include "memattr/atomic_flavours.h"
#include "memattr/util.h"
#include "../../pfnmap.h"

#define PAT_UC 0
#define PAT_WC 1
#define PAT_WB 6

MA_TEST(pfnmap, x86_guest_pat_types,
	.source = "arch/x86/kvm/x86.c:kvm_set_msr_common / kvm_get_msr_common (MSR_IA32_CR_PAT is stored per vCPU and read back as set; kvm_pat_valid checks it), Linux "
		  MA_KERNEL_REF "; Intel SDM vol. 3A 13.12 'Page Attribute Table'")
{
	static const struct {
		enum ma_memtype mt;
		unsigned int want;
		const char *name;
	} types[] = {
		{ MA_MT_NORMAL_WB, PAT_WB, "WB" },
		{ MA_MT_NORMAL_NC, PAT_WC, "WC" },
		{ MA_MT_DEVICE_nGnRE, PAT_UC, "UC" },
		{ MA_MT_DEVICE_nGnRnE, PAT_UC, "UC" },
	};
	struct ma_vm *vm = ma_vm_create(NULL);
	struct ma_guest_features gf;
	uint64_t pat;

	ma_read_guest_features(ma_vcpu_add(vm), &gf);
	pat = gf.pat;
	ma_log("guest IA32_PAT = %#018llx", (unsigned long long)pat);
	for (unsigned int i = 0; i < MA_ARRAY_SIZE(types); i++) {
		int idx = ma_x86_try_pat_index(types[i].mt);
		unsigned int got;

		MA_ASSERT_TRUE(idx >= 0 && idx < 8);
		got = (unsigned int)(pat >> (8 * idx)) & 7;
		ma_log("stage-1 %s: PAT index %d -> type %u (expected %s = %u)",
		       ma_memtype_name(types[i].mt), idx, got,
		       types[i].name, types[i].want);
		MA_CHECK(got == types[i].want,
			 "stage-1 %s selects PAT entry %d, which the guest reads as type %u, not %s (%u)",
			ma_memtype_name(types[i].mt), idx, got, types[i].name, types[i].want);
	}
}
