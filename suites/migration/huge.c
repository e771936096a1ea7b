// SPDX-License-Identifier: GPL-2.0
/*
 * migration: huge pages under dirty logging.  The guest first writes a whole 2 MiB block (THP or
 * hugetlb) with logging off, so stage 2 may map it as a block; once logging is on, every 4 KiB
 * page it writes must be reported on its own, and no other: the bitmaps are compared exactly.
 */

#include <stdio.h>

#include "memattr/dirty_log.h"
#include "memattr/util.h"
#include "migration.h"
#include "../memslot/hostmm.h"

static const struct ma_variant huge_cases[] = {
	{ .name = "thp_get", .param = &(const struct mig_case){ .mode = MIG_GET, .kind = MA_BACK_ANON_THP } },
	{ .name = "hugetlb_get",
	  .param = &(const struct mig_case){ .mode = MIG_GET, .kind = MA_BACK_HUGETLB } },
	{ .name = "thp_clear",
	  .param = &(const struct mig_case){ .mode = MIG_CLEAR, .kind = MA_BACK_ANON_THP },
	  .req = { .sys_caps = { KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 } } },
	{ .name = "hugetlb_clear",
	  .param = &(const struct mig_case){ .mode = MIG_CLEAR, .kind = MA_BACK_HUGETLB },
	  .req = { .sys_caps = { KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 } } },
};

/*
 * One guest pass over the pages p with p % count == index; every page check of it must pass.
 * Returns the page checks it made.
 */
static uint64_t guest_pass(struct ma_vcpu *v, uint64_t index, uint64_t count)
{
	struct ma_result res;

	ma_run_agent_done(v, MA_AGENT_GEN_WRITE,
			  MA_ARGS(MIG_DATA_GPA, MIG_PAGES, index, count, MIG_SEED, MIG_CTRL_GPA, 1,
				  MA_GEN_VERIFY_FIRST),
			  &res, "write of every %lluth page from %llu", (unsigned long long)count,
			  (unsigned long long)index);
	MA_CHECK(res.ret.gen.bad == 0, "the guest found %llu pages off their record, first at gpa %#llx",
		 (unsigned long long)res.ret.gen.bad, (unsigned long long)res.ret.gen.first_bad_gpa);
	return res.ret.gen.verified;
}

/* After a pass over every count-th page from index: exactly those in the bitmap; then none. */
static void expect_round(struct ma_vm *vm, bool manual, uint64_t index, uint64_t count, unsigned int round)
{
	uint64_t want[MIG_PAGES / 64] = { 0 }, npages = MIG_PAGES;
	char when[96];

	for (uint64_t p = index; p < npages; p += count)
		ma_dirty_set(want, p);
	snprintf(when, sizeof(when), "round %u, after guest writes to every %lluth page from %llu", round,
		 (unsigned long long)count, (unsigned long long)index);
	ma_verify_dirty_log(vm, MIG_DATA_SLOT, npages, want, when);
	if (manual)
		ma_clear_dirty_log(vm, MIG_DATA_SLOT, 0, (uint32_t)npages, want);
	snprintf(when, sizeof(when), "round %u, again with no write in between%s", round,
		 manual ? " (after KVM_CLEAR_DIRTY_LOG)" : "");
	ma_verify_dirty_pages(vm, MIG_DATA_SLOT, npages, NULL, 0, when);
}

MA_TEST(migration, huge_block_pages_dirty, MA_VARIANTS(huge_cases), .timeout_s = 90,
	.source = "arch/arm64/kvm/mmu.c:user_mem_abort (a logged slot is mapped at PAGE_SIZE: one page dirtied per write fault), kvm_arch_commit_memory_region (logging on write-protects the slot); arch/x86/kvm/x86.c:kvm_mmu_slot_apply_flags (write-protects, huge pages split or disallowed); virt/kvm/kvm_main.c:mark_page_dirty_in_slot, kvm_get_dirty_log_protect, kvm_clear_dirty_log_protect ("
		  MA_KERNEL_REF ")")
{
	const struct mig_case *c = t->param;
	bool manual = c->mode == MIG_CLEAR;
	struct ma_mem data, ctrl;
	struct ma_vm *vm;
	long long t0 = mig_now_us();
	uint64_t verified = 0;
	struct ma_vcpu *v;

	if (ma_host_page_size() != 4096)
		ma_skip("host page size %llu: the bitmap is per host page, the guest's pages are 4 KiB",
			(unsigned long long)ma_host_page_size());
	if (c->kind == MA_BACK_HUGETLB)
		ms_need_hugepages(1);
	vm = ma_test_vm(1);
	v = vm->vcpus[0];
	if (manual)
		MA_ASSERT_EQ(ma_try_vm_enable_cap(vm, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2,
						  KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE),
			     0);
	mig_alloc_data(&data, c->kind);
	ma_mem_alloc(&ctrl, MA_BACK_ANON, MIG_CTRL_SIZE, NULL);
	ma_add_slot(vm, MIG_DATA_SLOT, 0, MIG_DATA_GPA, MIG_DATA_SIZE, data.hva);
	ma_add_slot(vm, MIG_CTRL_SLOT, 0, MIG_CTRL_GPA, MIG_CTRL_SIZE, ctrl.hva);
	ma_map(vm, MIG_DATA_GPA, MIG_DATA_GPA, MIG_DATA_SIZE, MA_MT_NORMAL_WB);
	ma_map(vm, MIG_CTRL_GPA, MIG_CTRL_GPA, MIG_CTRL_SIZE, MA_MT_NORMAL_WB);
	/* logging off: the guest writes the whole block, stage 2 maps it as large as it can */
	guest_pass(v, 0, 1);
	ms_prove_backing(c->kind, data.hva, MIG_DATA_SIZE, "after the guest wrote all of it");
	ma_add_slot(vm, MIG_DATA_SLOT, KVM_MEM_LOG_DIRTY_PAGES, MIG_DATA_GPA, MIG_DATA_SIZE, data.hva);
	ma_verify_dirty_pages(vm, MIG_DATA_SLOT, MIG_PAGES, NULL, 0, "right after logging was switched on");
	verified += guest_pass(v, 0, 1);
	expect_round(vm, manual, 0, 1, 1);
	verified += guest_pass(v, 1, 3);
	expect_round(vm, manual, 1, 3, 2);
	verified += guest_pass(v, 5, 64);
	expect_round(vm, manual, 5, 64, 3);
	verified += guest_pass(v, 0, 1);
	expect_round(vm, manual, 0, 1, 4);
	ms_prove_backing(c->kind, data.hva, MIG_DATA_SIZE, "at the end");
	ma_log("memattr-metric name=%s pages_verified=%llu rounds=4 pages_per_round=%llu,%llu,%llu,%llu wall_ms=%lld",
	       t->name, (unsigned long long)verified, (unsigned long long)MIG_PAGES,
	       (unsigned long long)((MIG_PAGES + 1) / 3), (unsigned long long)((MIG_PAGES - 5 + 63) / 64),
	       (unsigned long long)MIG_PAGES, (mig_now_us() - t0) / 1000);
}
