// SPDX-License-Identifier: GPL-2.0
/*
 * migration, x86_64: the one MSR of KVM_GET_MSR_INDEX_LIST whose value KVM reports but does not
 * take back on the library's VMs (no in-kernel irqchip), which the vCPU state therefore leaves out
 * (host/arch/x86_64/vcpu_state.c).
 */
#include "memattr/harness.h"
#include "memattr/kvm.h"

#define MSR_KVM_ASYNC_PF_INT 0x4b564d06u

static long try_msr_io(struct ma_vcpu *v, unsigned long req, uint64_t *val)
{
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e;
	} m = { .h.nmsrs = 1, .e.index = MSR_KVM_ASYNC_PF_INT, .e.data = *val };
	long r = ma_try_ioctl(v->fd, req, &m);

	*val = m.e.data;
	return r;
}

MA_TEST(migration, x86_async_pf_int_without_lapic,
	.source = "arch/x86/kvm/x86.c:kvm_get_msr_common (MSR_KVM_ASYNC_PF_INT reads apf.msr_int_val), kvm_set_msr_common -> kvm_pv_enable_async_pf_int (returns 1 without lapic_in_kernel, whatever the value): KVM_SET_MSRS sets 0 of 1 ("
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm = ma_test_vm(1);
	uint64_t val = 0x5a;

	MA_ASSERT_EQ(try_msr_io(vm->vcpus[0], KVM_GET_MSRS, &val), 1);
	MA_EXPECT_EQ(val, 0);
	val = 0;
	MA_EXPECT_EQ(try_msr_io(vm->vcpus[0], KVM_SET_MSRS, &val), 0);
}
