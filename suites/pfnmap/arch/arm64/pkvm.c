// SPDX-License-Identifier: GPL-2.0
/*
 * pfnmap, arm64 pKVM: the hypervisor refuses to map a non-RAM PFNMAP into a non-protected VM's
 * stage 2 (KVM_RUN fails; the other pfnmap tests assert the errno).  A refusal userspace can
 * provoke must not make the kernel print a WARNING.
 */
#include "../../pfnmap.h"

static const struct ma_variant sources[] = {
	SRC("devmem", MA_PFN_DEVMEM, false),
	SRC("carveout_wb", MA_PFN_CARVEOUT_WB, false),
};

/*
 * The harness judges the kernel log around every test (host/kernel_health.c): a WARN fails the test
 * unless it is the documented one below, which makes the result XFAIL; any other record still fails.
 */
MA_TEST(pfnmap, pkvm_refusal_without_kernel_warning, MA_VARIANTS(sources), .req = { .root = true },
	.source = "arch/arm64/kvm/pkvm.c:pkvm_pgtable_stage2_map (" MA_KERNEL_REF ") has WARN_ON(ret) around the __pkvm_host_share_guest hypercall that refuses the mapping",
	.kernel_log = {
		.match = "pkvm_pgtable_stage2_map",
		.why = "Linux " MA_KERNEL_REF " WARNs at arch/arm64/kvm/pkvm.c:pkvm_pgtable_stage2_map when the pKVM hypervisor refuses a non-RAM PFNMAP for a non-protected VM (-EINVAL for Device/NC, -EPERM outside host memory): a userspace-triggerable WARN_ON",
	})
{
	const struct src_case *c = t->param;
	struct ma_vm *vm;
	struct ma_vcpu *v;
	struct ma_pfnmap p;

	if (!ma_kvm_protected_mode())
		ma_skip("KVM is not in protected mode (no kvm-arm.mode=protected on the kernel command line)");
	vm = ma_test_vm(1);
	v = vm->vcpus[0];
	pfn_open(c, PFN_SIZE, NULL, &p);
	pfn_add_slot(vm, 1, SLOT_GPA, &p);
	/* asserts the refusal the model expects (the errno of KVM_RUN) */
	if (pfn_guest_can_access(vm, v, &p, SLOT_GPA))
		ma_skip("the memory-type model expects no refusal here: nothing to check");
}
