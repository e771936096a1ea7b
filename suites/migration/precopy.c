// SPDX-License-Identifier: GPL-2.0
/*
 * migration: pre-copy with the dirty bitmap (KVM_GET_DIRTY_LOG alone, or with
 * KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 and KVM_CLEAR_DIRTY_LOG) and with the dirty ring, over each
 * backing.  The guest's check after the resume is the verdict: a page the dirty tracking did not
 * report was not copied, and the guest names its gpa.
 */
#include "memattr/harness.h"
#include "migration.h"

#define CASE(n, m, k)                                        \
	{                                                    \
		.name = n, .param = &(const struct mig_case) \
		{                                            \
			.mode = m, .kind = k                 \
		}                                            \
	}

static const struct ma_variant bitmap_cases[] = {
	CASE("get_anon", MIG_GET, MA_BACK_ANON),
	CASE("get_thp", MIG_GET, MA_BACK_ANON_THP),
	CASE("get_hugetlb", MIG_GET, MA_BACK_HUGETLB),
	CASE("get_memfd", MIG_GET, MA_BACK_MEMFD),
	{ .name = "clear_anon",
	  .param = &(const struct mig_case){ .mode = MIG_CLEAR, .kind = MA_BACK_ANON },
	  .req = { .sys_caps = { KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 } } },
	{ .name = "clear_thp",
	  .param = &(const struct mig_case){ .mode = MIG_CLEAR, .kind = MA_BACK_ANON_THP },
	  .req = { .sys_caps = { KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 } } },
	{ .name = "clear_hugetlb",
	  .param = &(const struct mig_case){ .mode = MIG_CLEAR, .kind = MA_BACK_HUGETLB },
	  .req = { .sys_caps = { KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 } } },
	{ .name = "clear_memfd",
	  .param = &(const struct mig_case){ .mode = MIG_CLEAR, .kind = MA_BACK_MEMFD },
	  .req = { .sys_caps = { KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 } } },
};

static const struct ma_variant ring_cases[] = {
	CASE("anon", MIG_RING, MA_BACK_ANON),
	CASE("thp", MIG_RING, MA_BACK_ANON_THP),
	CASE("hugetlb", MIG_RING, MA_BACK_HUGETLB),
	CASE("memfd", MIG_RING, MA_BACK_MEMFD),
};

static void precopy_body(struct ma_t *t)
{
	const struct mig_case *c = t->param;
	struct mig m = { 0 };

	mig_make_source(&m, c, MIG_VCPUS);
	mig_precopy(&m, 1500);
	mig_switch_and_verify(&m, t->name);
}

MA_TEST(migration, precopy_bitmap, MA_VARIANTS(bitmap_cases), .timeout_s = 90,
	.source = "virt/kvm/kvm_main.c:kvm_get_dirty_log_protect (without manual protect: returns the bitmap and write-protects those pages; with KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 returns it, and kvm_clear_dirty_log_protect write-protects the pages it clears), mark_page_dirty_in_slot on every guest write fault of a logged slot: every page the guest wrote after a round's collection is in a later one, so the destination holds every generation the guest recorded ("
		  MA_KERNEL_REF ")")
{
	precopy_body(t);
}

MA_TEST(migration, precopy_dirty_ring, MA_VARIANTS(ring_cases), .timeout_s = 90,
	.source = "virt/kvm/dirty_ring.c:kvm_dirty_ring_push (one entry per page dirtied by a running vCPU), kvm_dirty_ring_reset (re-protects the harvested pages; KVM_RESET_DIRTY_RINGS returns how many), virt/kvm/kvm_main.c:kvm_vm_ioctl_enable_dirty_log_ring, mark_page_dirty_in_slot (the bitmap with KVM_CAP_DIRTY_LOG_RING_WITH_BITMAP only without a running vCPU), kvm_get_dirty_log_protect (ENXIO: ring without bitmap) ("
		  MA_KERNEL_REF ")")
{
	precopy_body(t);
}

MA_TEST_MAIN
