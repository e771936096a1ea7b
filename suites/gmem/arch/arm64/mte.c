// SPDX-License-Identifier: GPL-2.0
/*
 * gmem, arm64: guest_memfd and MTE exclude each other.  An MTE VM refuses a guest_memfd slot
 * (arch/arm64/kvm/mmu.c:kvm_arch_prepare_memory_region), and MTE cannot be enabled on a VM that has
 * one (arch/arm64/kvm/arm.c:kvm_vm_ioctl_enable_cap, KVM_CAP_ARM_MTE).  Needs a host with MTE.
 */
#include <errno.h>
#include <sys/mman.h>

#include "../../gmem.h"

#ifndef KVM_CAP_ARM_MTE
#define KVM_CAP_ARM_MTE 205
#endif

static void need_mte(void)
{
	long mte = ma_sys_cap(KVM_CAP_ARM_MTE);

	if (mte <= 0)
		ma_skip("KVM_CAP_ARM_MTE is %ld on /dev/kvm: this host has no MTE (QEMU: -M virt,mte=on)",
			mte);
}

MA_TEST(gmem, mte_vm_refuses_gmem_slot, .req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.source = "arch/arm64/kvm/mmu.c:kvm_arch_prepare_memory_region: a guest_memfd slot in a VM with MTE gives EINVAL ("
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm;
	void *anon;
	int fd;

	need_mte();
	vm = gm_bare_vm();
	MA_ASSERT_EQ(ma_try_vm_enable_cap(vm, KVM_CAP_ARM_MTE, 0), 0);
	fd = ma_gmem_create(vm, GM_SIZE, gm_vm_flags(vm) & GM_FLAGS_ALL);
	MA_EXPECT_ERRNO(ma_try_add_gmem_slot(vm, 1, 0, GM_GPA, GM_SIZE, NULL, fd, 0), EINVAL);
	/* the control: anonymous memory (VM_MTE_ALLOWED) is accepted */
	anon = mmap(NULL, GM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	MA_ASSERT_TRUE(anon != MAP_FAILED);
	MA_EXPECT_OK(ma_try_add_slot(vm, 2, 0, GM_GPA + (1ull << 20), GM_SIZE, anon));
}

MA_TEST(gmem, mte_enable_refused_with_gmem_slot, .req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.source = "arch/arm64/kvm/arm.c:kvm_vm_ioctl_enable_cap: KVM_CAP_ARM_MTE on a VM with a guest_memfd memslot gives EINVAL ("
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm;
	int fd;

	need_mte();
	vm = gm_bare_vm();
	fd = ma_gmem_create(vm, GM_SIZE, gm_vm_flags(vm) & GM_FLAGS_ALL);
	ma_add_gmem_slot(vm, 1, GM_GPA, GM_SIZE, NULL, fd, 0);
	MA_EXPECT_ERRNO(ma_try_vm_enable_cap(vm, KVM_CAP_ARM_MTE, 0), EINVAL);
	/* with the slot deleted nothing stands in the way */
	MA_ASSERT_EQ(ma_try_delete_slot(vm, 1), 0);
	MA_EXPECT_OK(ma_try_vm_enable_cap(vm, KVM_CAP_ARM_MTE, 0));
}
