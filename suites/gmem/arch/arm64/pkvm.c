// SPDX-License-Identifier: GPL-2.0
/*
 * gmem, arm64 pKVM: what a protected VM (KVM_VM_TYPE_ARM_PROTECTED, only with
 * kvm-arm.mode=protected) allows with guest_memfd before it first runs.  Outside protected mode
 * gmem.vm_types proves the type is refused.
 */
#include <errno.h>
#include <sys/mman.h>

#include "../../gmem.h"

#define GPA2 (GM_GPA + (1ull << 20))

MA_TEST(gmem, protected_vm_memslots, .req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.kernel_log = { .taint = GM_TAINT_USER, .why = GM_PROTECTED_TAINT_WHY },
	.source = "include/linux/kvm_host.h:kvm_gmem_get_supported_flags (arm64: MMAP|INIT_SHARED for every VM), arch/arm64/kvm/mmu.c:kvm_arch_prepare_memory_region (protected VM: LOG_DIRTY_PAGES or READONLY EPERM; gmem-only slots accepted), virt/kvm/kvm_main.c:check_memory_region_flags (GUEST_MEMFD with READONLY EINVAL first) ("
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm;
	void *anon;
	int fd;

	if (!ma_kvm_protected_mode())
		ma_skip("KVM is not in protected mode (no kvm-arm.mode=protected on the kernel command line): no protected VMs");
	vm = gm_bare_vm_type(KVM_VM_TYPE_ARM_PROTECTED);
	MA_CHECK(gm_vm_flags(vm) == GM_FLAGS_ALL, "protected VM: KVM_CAP_GUEST_MEMFD_FLAGS %s, expected MMAP|INIT_SHARED",
		 gm_flags_str(gm_vm_flags(vm)));
	fd = ma_gmem_create(vm, GM_SIZE, GM_FLAGS_ALL);
	anon = mmap(NULL, GM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	MA_ASSERT_TRUE(anon != MAP_FAILED);
	MA_EXPECT_ERRNO(ma_try_add_gmem_slot(vm, 1, KVM_MEM_READONLY, GM_GPA, GM_SIZE, NULL, fd, 0), EINVAL);
	MA_EXPECT_ERRNO(ma_try_add_slot(vm, 2, KVM_MEM_READONLY, GPA2, GM_SIZE, anon), EPERM);
	MA_EXPECT_ERRNO(ma_try_add_slot(vm, 2, KVM_MEM_LOG_DIRTY_PAGES, GPA2, GM_SIZE, anon), EPERM);
	MA_EXPECT_OK(ma_try_add_gmem_slot(vm, 1, 0, GM_GPA, GM_SIZE, NULL, fd, 0));
	/* not gmem-only: refused as in any arm64 VM */
	MA_EXPECT_ERRNO(ma_try_add_gmem_slot(vm, 2, 0, GPA2, GM_SIZE, NULL,
					     ma_gmem_create(vm, GM_SIZE, 0), 0),
			EINVAL);
	/* before the hypervisor's VM exists (no vCPU ran) a slot can be deleted */
	MA_EXPECT_OK(ma_try_delete_slot(vm, 1));
}
