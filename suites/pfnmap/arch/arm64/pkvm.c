// SPDX-License-Identifier: GPL-2.0
/*
 * pfnmap, arm64 pKVM: the hypervisor refuses to map a non-RAM PFNMAP into a non-protected VM's
 * stage 2 (KVM_RUN fails; the other pfnmap tests assert the errno).  A refusal userspace can
 * provoke must not make the kernel print a WARNING.
 */
#include <unistd.h>

#include "memattr/kmsg.h"
#include "../../pfnmap.h"

static const struct ma_variant sources[] = {
	SRC("devmem", MA_PFN_DEVMEM, false),
	SRC("carveout_wb", MA_PFN_CARVEOUT_WB, false),
};

MA_TEST(pfnmap, pkvm_refusal_without_kernel_warning, MA_VARIANTS(sources), .req = { .root = true },
	.source = "arch/arm64/kvm/pkvm.c:pkvm_pgtable_stage2_map (7.2.13) has WARN_ON(ret) around the "
		  "__pkvm_host_share_guest hypercall that refuses the mapping",
	.xfail = "Linux 7.2.13 WARNs at arch/arm64/kvm/pkvm.c:pkvm_pgtable_stage2_map when the pKVM hypervisor "
		 "refuses a non-RAM PFNMAP for a non-protected VM (-EINVAL for Device/NC, -EPERM outside host "
		 "memory): a userspace-triggerable WARN_ON, seen in the lab's protected cell")
{
	const struct src_case *c = t->param;
	struct ma_vm *vm;
	struct ma_vcpu *v;
	struct ma_pfnmap p;
	char first[512] = "";
	long warnings;
	int kfd;

	if (!ma_kvm_protected_mode())
		ma_skip("KVM is not in protected mode (no kvm-arm.mode=protected on the kernel command line)");
	kfd = ma_try_kmsg_open_at_end();
	if (kfd < 0)
		ma_skip("/dev/kmsg cannot be read: %s", ma_errno_name(-kfd));
	vm = ma_vm_create(NULL);
	v = ma_vcpu_add(vm);
	pfn_open(c, PFN_SIZE, NULL, &p);
	pfn_add_slot(vm, 1, SLOT_GPA, &p);
	if (pfn_guest_can_access(vm, v, &p, SLOT_GPA))
		ma_skip("KVM is not expected to refuse this access here: no refusal to check");
	warnings = ma_kmsg_count(kfd, "WARNING:", first, sizeof(first));
	ma_log("kernel WARNINGs while KVM refused the access: %ld%s%s", warnings, warnings ? ", first: " : "",
	       first);
	MA_EXPECT_EQ(warnings, 0);
	close(kfd);
	ma_vm_destroy(vm);
	ma_pfnmap_close(&p);
}
