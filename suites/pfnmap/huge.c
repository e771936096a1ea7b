// SPDX-License-Identifier: GPL-2.0
/*
 * pfnmap: the fixture module's huge (PMD) faults.  A 2 MiB-aligned mapping of the carve-out is
 * faulted in by the guest's first access through KVM (hva_to_pfn_remapped -> fixup_user_fault):
 * the module's .huge_fault handler must map it with PMD leaves, and the guest must read and write
 * the whole range correctly through them.
 */
#include <stdio.h>

#include "pfnmap.h"

#define WINDOW (64ull << 10)

static const struct ma_variant fixture_sources[] = {
	SRC("carveout_wb", MA_PFN_CARVEOUT_WB, false),
	SRC("carveout_nc", MA_PFN_CARVEOUT_NC, false),
	SRC("carveout_dev", MA_PFN_CARVEOUT_DEV, false),
};

MA_TEST(pfnmap, fixture_pmd_faults, MA_VARIANTS(fixture_sources), .req = { .root = true }, .timeout_s = 120,
	.source = "mm/huge_memory.c:vma_file_bypass_thp_tuneables (a VM_PFNMAP VMA with .huge_fault always gets PMD faults) and mm/memory.c:create_huge_pmd; KVM faults the host mapping in through virt/kvm/kvm_main.c:hva_to_pfn_remapped ("
		  MA_KERNEL_REF ")")
{
	const struct src_case *c = t->param;
	/* a PMD maps 2 MiB with 4K pages, 32 MiB with 16K */
	const uint64_t ps = ma_host_page_size(), pmd = ps * (ps / 8);
	const uint64_t win[2] = { 0, 2 * pmd - WINDOW };			/* one window in each PMD */
	struct ma_vm *vm = ma_test_vm(1);
	struct ma_vcpu *v = vm->vcpus[0];
	long before = ma_try_fixture_counter("pmd_faults"), after;
	struct ma_result res;
	struct ma_pfnmap p;
	uint64_t bad = 0;

	if (before < 0)
		ma_skip("the fixture module memattr_carveout is not loaded (no pmd_faults counter)");
	pfn_open(c, 2 * pmd, pfn_hole(2 * pmd, pmd), &p);
	pfn_add_slot(vm, 1, SLOT_GPA, &p);
	pfn_guest_access_or_end(vm, v, &p, SLOT_GPA);
	for (unsigned int i = 0; i < 2; i++) {
		uint64_t gpa = SLOT_GPA + win[i];

		ma_map(vm, gpa, gpa, WINDOW, p.cacheable ? MA_MT_NORMAL_WB : MA_MT_DEVICE_nGnRE);
		ma_run_agent_done(v, MA_AGENT_WRITE_PATTERN, MA_ARGS(gpa, WINDOW, 9), &res, "write at +%#llx",
				  (unsigned long long)win[i]);
	}
	after = ma_try_fixture_counter("pmd_faults");
	for (unsigned int i = 0; i < 2; i++)
		for (uint64_t off = win[i]; off < win[i] + WINDOW; off += 8)
			bad += *(volatile uint64_t *)((char *)p.hva + off) !=
			       ma_pattern_word(9, SLOT_GPA + off);
	ma_log("pmd_faults %ld -> %ld: guest wrote into both %llu KiB PMDs of a PMD-aligned mapping at %p",
	       before, after, (unsigned long long)(pmd >> 10), p.hva);
	MA_EXPECT_EQ(bad, 0);
	/* one PMD leaf per PMD the guest touched (a write fault maps it writable at once) */
	MA_EXPECT_GE(after - before, 2);
}
