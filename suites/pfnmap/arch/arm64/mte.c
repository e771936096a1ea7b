// SPDX-License-Identifier: GPL-2.0
/* pfnmap, arm64: a VM with MTE enabled refuses memslots over VMAs that cannot hold tags. */
#include <errno.h>

#include "../../pfnmap.h"

#ifndef KVM_CAP_ARM_MTE
#define KVM_CAP_ARM_MTE 205
#endif

static const struct ma_variant sources[] = { PFN_SHARED_SOURCE_VARIANTS };

MA_TEST(pfnmap, mte_vm_refuses_pfnmap, MA_VARIANTS(sources), .req = { .root = true },
	.source = "arch/arm64/kvm/mmu.c:kvm_arch_prepare_memory_region: on an MTE VM a VMA without VM_MTE_ALLOWED gives EINVAL; arch/arm64/kvm/arm.c:kvm_vm_ioctl_enable_cap ("
		  MA_KERNEL_REF ")")
{
	const struct src_case *c = t->param;
	long mte = ma_sys_cap(KVM_CAP_ARM_MTE);
	struct ma_vm *vm;
	struct ma_mem anon;
	struct ma_pfnmap p;
	int got;

	if (mte <= 0)
		ma_skip("KVM_CAP_ARM_MTE is %ld on /dev/kvm: this host has no MTE (QEMU: -M virt,mte=on)",
			mte);
	vm = ma_vm_create(NULL);
	MA_ASSERT_EQ(ma_try_vm_enable_cap(vm, KVM_CAP_ARM_MTE, 0), 0);
	pfn_open(c, PFN_SIZE, NULL, &p);
	got = ma_try_add_slot(vm, 1, 0, SLOT_GPA, PFN_SIZE, p.hva);
	ma_log("MTE VM, slot over %s: %s", ma_pfnmap_name(c->kind), pfn_verdict(got));
	MA_EXPECT_EQ(got, -EINVAL);
	/* the control: anonymous memory can hold tags */
	ma_mem_alloc(&anon, MA_BACK_ANON, PFN_SIZE, vm);
	got = ma_try_add_slot(vm, 2, 0, SLOT_GPA + (1ull << 20), PFN_SIZE, anon.hva);
	ma_log("MTE VM, slot over anonymous memory: %s", pfn_verdict(got));
	MA_EXPECT_EQ(got, 0);
}
