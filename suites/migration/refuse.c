// SPDX-License-Identifier: GPL-2.0
/*
 * migration: memory that cannot be migrated through dirty logging is refused when logging is asked
 * for, at KVM_SET_USER_MEMORY_REGION2 time, not found out later: a guest_memfd slot (every
 * architecture) and, on arm64, a VM_PFNMAP slot (the pfnmap suite's slot rule, whose
 * pfnmap.dirty_log_tracked checks every PFNMAP source; here the /dev/mem carve-out).
 */
#include <errno.h>

#include "memattr/dirty_log.h"
#include "memattr/gmem.h"
#include "memattr/pfnmap.h"
#include "migration.h"

#define SIZE (64ull << 10)
#define GPA2 (MA_TEST_GPA + (16ull << 20))

MA_TEST(migration, refuse_gmem_logging, .req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.source = "virt/kvm/kvm_main.c:check_memory_region_flags (\"Dirty logging private memory is not currently supported\": KVM_MEM_LOG_DIRTY_PAGES is not a valid flag with KVM_MEM_GUEST_MEMFD, EINVAL, at creation and at a flags-only update), kvm_get_dirty_log_protect (no bitmap: ENOENT) ("
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm = ma_test_vm(0);
	uint64_t bm[ma_dirty_words(SIZE / 4096) + 1];
	struct ma_mem *m = ma_test_mem(vm, 1, MA_TEST_GPA, SIZE, MA_BACK_GUEST_MEMFD, MA_MT_NORMAL_WB);
	struct ma_mem m2;

	/* a flags-only update of the guest_memfd slot that asks for logging */
	MA_EXPECT_ERRNO(ma_try_add_gmem_slot(vm, 1, KVM_MEM_LOG_DIRTY_PAGES, MA_TEST_GPA, SIZE, m->hva, m->fd,
					     0),
			EINVAL);
	/* a new guest_memfd slot with logging */
	ma_mem_alloc(&m2, MA_BACK_GUEST_MEMFD, SIZE, vm);
	MA_EXPECT_ERRNO(ma_try_add_gmem_slot(vm, 2, KVM_MEM_LOG_DIRTY_PAGES, GPA2, SIZE, m2.hva, m2.fd, 0),
			EINVAL);
	/* the slot that exists has no bitmap: nothing to migrate it with */
	MA_EXPECT_ERRNO(ma_try_get_dirty_log(vm, 1, bm), ENOENT);
	MA_EXPECT_ERRNO(ma_try_get_dirty_log(vm, 2, bm), ENOENT);
}

MA_TEST(migration, refuse_pfnmap_logging, .req = { .arch = MA_ARCH_ARM64, .root = true },
	.source = "arch/arm64/kvm/mmu.c:kvm_arch_prepare_memory_region (a VM_PFNMAP VMA in the range with KVM_MEM_LOG_DIRTY_PAGES: EINVAL, also on a flags-only update; a cacheable VM_PFNMAP without kvm_supports_cacheable_pfnmap: EINVAL), as the pfnmap suite's slot rule says ("
		  MA_KERNEL_REF ")")
{
	const struct ma_pfnmap_req rq = { .kind = MA_PFN_DEVMEM, .size = SIZE };
	struct ma_vm *vm = ma_test_vm(0);
	uint64_t bm[ma_dirty_words(SIZE / 4096) + 1];
	struct ma_pfnmap p;
	const char *why = "";
	long cacheable_ok;
	int r, want;

	r = ma_try_pfnmap_open(&p, &rq, &why);
	if (r == -ENODEV)
		ma_skip("no /dev/mem carve-out here: %s", why);
	if (r)
		ma_fatal("opening the /dev/mem carve-out: %s: %s", why, ma_errno_name(-r));
	MA_EXPECT_ERRNO(ma_try_add_slot(vm, 1, KVM_MEM_LOG_DIRTY_PAGES, MA_TEST_GPA, SIZE, p.hva), EINVAL);
	/* without logging, the slot is what the source's pgprot allows */
	cacheable_ok = ma_vm_cap(vm, KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED);
	want = p.cacheable && !cacheable_ok ? -EINVAL : 0;
	r = ma_try_add_slot(vm, 1, 0, MA_TEST_GPA, SIZE, p.hva);
	ma_log("%s (%s pgprot, cap 243 = %ld) without logging: %s", p.desc,
	       p.cacheable ? "cacheable" : "non-cacheable", cacheable_ok, r ? ma_errno_name(-r) : "accepted");
	MA_REQUIRE(r == want, "the slot without logging: %s, expected %s", r ? ma_errno_name(-r) : "accepted",
		   want ? ma_errno_name(-want) : "accepted");
	if (!r) {
		MA_EXPECT_ERRNO(ma_try_add_slot(vm, 1, KVM_MEM_LOG_DIRTY_PAGES, MA_TEST_GPA, SIZE, p.hva),
				EINVAL);
		MA_EXPECT_ERRNO(ma_try_get_dirty_log(vm, 1, bm), ENOENT);
	}
}
