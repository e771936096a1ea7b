// SPDX-License-Identifier: GPL-2.0
/*
 * pfnmap: which memslots over PFNMAP mappings KVM accepts: create, dirty logging at creation and
 * switched on later, MOVE and flags-only updates of a slot whose VMA appeared after it was made,
 * and slots whose range spans several VMAs.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "pfnmap.h"

static const struct ma_variant sources[] = { PFN_SOURCE_VARIANTS };
static const struct ma_variant shared_sources[] = { PFN_SHARED_SOURCE_VARIANTS };

MA_TEST(pfnmap, memslot_rules, MA_VARIANTS(sources), .req = { .root = true },
	.source = "arch/arm64/kvm/mmu.c:kvm_arch_prepare_memory_region ("
		  MA_KERNEL_REF "), per architecture: see the diagnostics")
{
	const struct src_case *c = t->param;
	struct ma_vm *vm = ma_vm_create(NULL);
	const struct mt_rule *rule;
	struct ma_pfnmap p;
	int want, got;

	pfn_open(c, PFN_SIZE, NULL, &p);
	/* create */
	want = ma_pfnmap_expected_slot_errno(vm, &p, 0, &rule);
	got = ma_try_add_slot(vm, 1, 0, SLOT_GPA, PFN_SIZE, p.hva);
	ma_log("create: %s (expected %s: %s)", pfn_verdict(got), pfn_verdict(want), rule->says);
	MA_EXPECT_EQ(got, -want);
	/* dirty logging at creation */
	want = ma_pfnmap_expected_slot_errno(vm, &p, KVM_MEM_LOG_DIRTY_PAGES, &rule);
	got = ma_try_add_slot(vm, 2, KVM_MEM_LOG_DIRTY_PAGES, SLOT_GPA + PFN_SIZE, PFN_SIZE, p.hva);
	ma_log("create with LOG_DIRTY_PAGES: %s (expected %s: %s)",
	       pfn_verdict(got), pfn_verdict(want), rule->says);
	MA_EXPECT_EQ(got, -want);
	/* dirty logging switched on later (flags-only update) */
	if (ma_gpa_to_hva(vm, SLOT_GPA)) {
		got = ma_try_add_slot(vm, 1, KVM_MEM_LOG_DIRTY_PAGES, SLOT_GPA, PFN_SIZE, p.hva);
		ma_log("flags-only LOG_DIRTY_PAGES: %s (expected %s)", pfn_verdict(got), pfn_verdict(want));
		MA_EXPECT_EQ(got, -want);
	}
}

/*
 * Slots made over a hole are accepted (nothing to check); the PFNMAP is mmapped into the hole
 * afterwards.  MOVE and flags-only updates check the VMAs again, with the create rules; a guest
 * access then either works or fails KVM_RUN the way the fault path decides.
 */
MA_TEST(pfnmap, slot_over_hole_then_mmap, MA_VARIANTS(shared_sources), .req = { .root = true },
	.timeout_s = 60,
	.source = "arch/arm64/kvm/mmu.c:kvm_arch_prepare_memory_region (holes skipped; VMAs checked on CREATE, MOVE and FLAGS_ONLY) and kvm_s2_fault_pin_pfn (cacheable non-RAM pfn without FWB+DIC: -EFAULT), "
		  MA_KERNEL_REF)
{
	const struct src_case *c = t->param;
	const uint64_t ga = SLOT_GPA, gb = SLOT_GPA + (1ull << 20), gc = SLOT_GPA + (2ull << 20);
	struct ma_vm *vm = ma_test_vm(1);
	struct ma_vcpu *v = vm->vcpus[0];
	void *hole = pfn_hole(PFN_SIZE, PFN_SIZE);
	const struct mt_rule *rule;
	struct ma_result res;
	struct ma_pfnmap p;
	uint64_t gpa;
	char why[768];
	int want, got;

	MA_ASSERT_EQ(ma_try_add_slot(vm, 1, 0, ga, PFN_SIZE, hole), 0);
	MA_ASSERT_EQ(ma_try_add_slot(vm, 2, KVM_MEM_LOG_DIRTY_PAGES, gb, PFN_SIZE, hole), 0);
	ma_log("two slots over an unmapped range accepted (slot 2 with LOG_DIRTY_PAGES)");
	pfn_open(c, PFN_SIZE, hole, &p);
	MA_ASSERT_TRUE(p.hva == hole);
	*(volatile uint64_t *)p.hva = 0x600d1dea;

	want = ma_pfnmap_expected_slot_errno(vm, &p, 0, &rule);
	got = ma_try_add_slot(vm, 1, 0, gc, PFN_SIZE, hole);
	ma_log("MOVE slot 1 (now over the PFNMAP): %s (expected %s: %s)",
	       pfn_verdict(got), pfn_verdict(want), rule->says);
	MA_EXPECT_EQ(got, -want);
	gpa = got ? ga : gc;

	got = ma_try_add_slot(vm, 2, 0, gb, PFN_SIZE, hole);
	ma_log("flags-only update of slot 2 (LOG_DIRTY_PAGES off): %s (expected %s)", pfn_verdict(got),
	       pfn_verdict(want));
	MA_EXPECT_EQ(got, -want);

	ma_map(vm, gpa, gpa, MA_PAGE_SIZE, p.cacheable ? MA_MT_NORMAL_WB : MA_MT_DEVICE_nGnRE);
	want = ma_pfnmap_expected_run_errno(vm, &p, &rule);
	pfn_run(v, MA_AGENT_LOAD64, gpa, 0, &res);
	ma_result_describe(&res, why, sizeof(why));
	ma_log("guest load through slot 1 at %#llx: %s (expected %s: %s)", (unsigned long long)gpa, why,
	       want ? ma_errno_name(want) : "the host's value", rule->says);
	if (want) {
		MA_ASSERT_EQ(res.outcome, MA_OUT_RUN_ERROR);
		MA_EXPECT_EQ(res.err, want);
		/* arch/arm64/kvm/arm.c:kvm_arch_vcpu_ioctl_run sets KVM_EXIT_UNKNOWN before entering */
		MA_EXPECT_EQ(res.exit_reason, KVM_EXIT_UNKNOWN);
	} else {
		MA_ASSERT_EQ(res.outcome, MA_OUT_DONE);
		MA_EXPECT_EQ(res.ret.load.value, 0x600d1dea);
	}
}

/*
 * One slot over two VMAs: anonymous memory, then the PFNMAP.  The PFNMAP VMA decides whether
 * the slot is accepted; when it is, each half reaches its own memory.
 */
MA_TEST(pfnmap, slot_spanning_vmas, MA_VARIANTS(shared_sources), .req = { .root = true }, .timeout_s = 60,
	.source = "arch/arm64/kvm/mmu.c:kvm_arch_prepare_memory_region walks every VMA in the slot's range ("
		  MA_KERNEL_REF "); x86: arch/x86/kvm/x86.c:kvm_arch_prepare_memory_region checks no VMA")
{
	const struct src_case *c = t->param;
	struct ma_vm *vm = ma_test_vm(1);
	struct ma_vcpu *v = vm->vcpus[0];
	char *base = pfn_hole(2 * PFN_SIZE, PFN_SIZE);
	volatile uint64_t *anon_w, *pfn_w;
	const struct mt_rule *rule;
	struct ma_result res;
	struct ma_pfnmap p;
	int want, got;

	if (mmap(base, PFN_SIZE, PROT_READ | PROT_WRITE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ==
	    MAP_FAILED)
		ma_fatal("anonymous half: %s", ma_errno_name(errno));
	pfn_open(c, PFN_SIZE, base + PFN_SIZE, &p);
	anon_w = (volatile uint64_t *)base;
	pfn_w = p.hva;

	want = ma_pfnmap_expected_slot_errno(vm, &p, KVM_MEM_LOG_DIRTY_PAGES, &rule);
	got = ma_try_add_slot(vm, 2, KVM_MEM_LOG_DIRTY_PAGES, SLOT_GPA + (1ull << 20), 2 * PFN_SIZE, base);
	ma_log("anonymous + %s, LOG_DIRTY_PAGES: %s (expected %s: %s)",
	       ma_pfnmap_name(c->kind), pfn_verdict(got),
	       pfn_verdict(want), rule->says);
	MA_EXPECT_EQ(got, -want);
	want = ma_pfnmap_expected_slot_errno(vm, &p, 0, &rule);
	got = ma_try_add_slot(vm, 1, 0, SLOT_GPA, 2 * PFN_SIZE, base);
	ma_log("anonymous + %s: %s (expected %s: %s)",
	       ma_pfnmap_name(c->kind), pfn_verdict(got), pfn_verdict(want),
	       rule->says);
	MA_EXPECT_EQ(got, -want);
	if (!got) {
		anon_w[1] = 0xa11a;
		pfn_w[1] = 0xbeef;
		ma_map(vm, SLOT_GPA, SLOT_GPA, PFN_SIZE, MA_MT_NORMAL_WB);
		ma_map(vm, SLOT_GPA + PFN_SIZE, SLOT_GPA + PFN_SIZE, PFN_SIZE,
		       p.cacheable ? MA_MT_NORMAL_WB : MA_MT_DEVICE_nGnRE);
		ma_run_agent_done(v, MA_AGENT_LOAD64, MA_ARGS(SLOT_GPA + 8), &res, "load from the anonymous half");
		MA_EXPECT_EQ(res.ret.load.value, 0xa11a);
		pfn_guest_access_or_end(vm, v, &p, SLOT_GPA + PFN_SIZE);
		ma_run_agent_done(v, MA_AGENT_LOAD64, MA_ARGS(SLOT_GPA + PFN_SIZE + 8), &res,
				  "load from the PFNMAP half");
		MA_EXPECT_EQ(res.ret.load.value, 0xbeef);
		ma_run_agent_done(v, MA_AGENT_STORE64, MA_ARGS(SLOT_GPA + PFN_SIZE + 16, 0x5707e), &res,
				  "store to the PFNMAP half");
		MA_EXPECT_EQ(pfn_w[2], 0x5707e);
		MA_EXPECT_EQ(anon_w[2], 0);
	}
}
