// SPDX-License-Identifier: GPL-2.0
/* arm64: an LSE instruction on a CPU without FEAT_LSE is an undefined instruction, reported. */
#include "../../atomics.h"

MA_TEST(atomics, lse_absent_reports_undefined,
	.source = "Arm ARM: LSE encodings are UNDEFINED without FEAT_LSE (EC 0x00); KVM does not trap them (ID_AA64ISAR0_EL1 is sanitised, arch/arm64/kvm/sys_regs.c, "
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm = ma_vm_create(NULL);
	struct ma_vcpu *v = ma_vcpu_add(vm);
	struct ma_guest_features gf;
	uint64_t gpa = MA_TEST_GPA;
	struct ma_result res;
	struct ma_mem m;
	char why[768];

	ma_read_guest_features(v, &gf);
	if (gf.lse)
		ma_skip("guest ID_AA64ISAR0_EL1.Atomic=%u: the CPU has FEAT_LSE, nothing to provoke",
			gf.isar0_atomic);
	ma_mem_alloc(&m, MA_BACK_ANON, MA_PAGE_SIZE, vm);
	ma_add_slot(vm, 1, 0, gpa, MA_PAGE_SIZE, m.hva);
	ma_map(vm, gpa, gpa, MA_PAGE_SIZE, MA_MT_NORMAL_WB);
	ma_vcpu_run_agent(v, MA_AGENT_FORCE_INSN, (uint64_t[]){ MA_ATOMIC_LSE_LDADD, gpa }, 2, 0, &res);
	ma_result_describe(&res, why, sizeof(why));
	ma_log("LDADD without FEAT_LSE: %s", why);
	MA_ASSERT_EQ(res.outcome, MA_OUT_EXCEPTION);
	MA_EXPECT_TRUE(ma_exc_is_undefined_insn(&res.exc));
	MA_EXPECT_EQ(*(volatile uint64_t *)m.hva, 0);
	ma_vm_destroy(vm);
	ma_mem_free(&m);
}
