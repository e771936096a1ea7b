// SPDX-License-Identifier: GPL-2.0
/* arm64: an LSE instruction on a CPU without FEAT_LSE is an undefined instruction, reported. */
#include "../../atomics.h"

MA_TEST(atomics, lse_absent_reports_undefined,
	.source = "Arm ARM: LSE encodings are UNDEFINED without FEAT_LSE (EC 0x00); KVM does not trap them (ID_AA64ISAR0_EL1 is sanitised, arch/arm64/kvm/sys_regs.c, "
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm = ma_test_vm(1);
	struct ma_guest_features gf;
	struct ma_result res;
	struct ma_mem *m;

	ma_read_guest_features(vm->vcpus[0], &gf);
	if (gf.lse)
		ma_skip("guest ID_AA64ISAR0_EL1.Atomic=%u: the CPU has FEAT_LSE, nothing to provoke",
			gf.isar0_atomic);
	m = ma_test_mem(vm, 1, MA_TEST_GPA, MA_PAGE_SIZE, MA_BACK_ANON, MA_MT_NORMAL_WB);
	ma_run_agent_expect(vm->vcpus[0], MA_AGENT_FORCE_INSN, MA_ARGS(MA_ATOMIC_LSE_LDADD, MA_TEST_GPA),
			    MA_OUT_EXCEPTION, &res, "LDADD without FEAT_LSE");
	MA_EXPECT_TRUE(ma_exc_is_undefined_insn(&res.exc));
	MA_EXPECT_EQ(*(volatile uint64_t *)m->hva, 0);
}
