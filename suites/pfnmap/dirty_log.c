// SPDX-License-Identifier: GPL-2.0
/*
 * pfnmap: dirty logging over a PFNMAP memslot.  Where KVM accepts KVM_MEM_LOG_DIRTY_PAGES on the
 * source (the model's slot rule: x86 checks no VMA, arm64 refuses every VM_PFNMAP), accepted is
 * not enough: the guest's writes must be tracked exactly.  Where it refuses, the refusal with the
 * model's errno is the verdict.
 */
#include <errno.h>

#include "memattr/dirty_log.h"
#include "pfnmap.h"

static const struct ma_variant sources[] = { PFN_SHARED_SOURCE_VARIANTS };

MA_TEST(pfnmap, dirty_log_tracked, MA_VARIANTS(sources), .req = { .root = true }, .timeout_s = 60,
	.source = "the model's slot rule (ma_pfnmap_expected_slot_errno); where accepted, virt/kvm/kvm_main.c:mark_page_dirty_in_slot on guest write faults and kvm_get_dirty_log_protect (returns and clears the bitmap), Linux "
		  MA_KERNEL_REF)
{
	const struct src_case *c = t->param;
	struct ma_vm *vm = ma_test_vm(1);
	struct ma_vcpu *v = vm->vcpus[0];
	const uint64_t hpage = ma_host_page_size(), npages = PFN_SIZE / hpage;
	const uint64_t pages[] = { 0, 3, npages - 1 }, again[] = { 3 };
	const struct mt_rule *rule;
	struct ma_pfnmap p;
	int want, got;

	pfn_open(c, PFN_SIZE, NULL, &p);
	want = ma_pfnmap_expected_slot_errno(vm, &p, KVM_MEM_LOG_DIRTY_PAGES, &rule);
	got = ma_try_add_slot(vm, 1, KVM_MEM_LOG_DIRTY_PAGES, SLOT_GPA, PFN_SIZE, p.hva);
	ma_log("memslot over %s with LOG_DIRTY_PAGES: %s (expected %s: rule %s: %s; %s)",
	       ma_pfnmap_name(c->kind),
	       pfn_verdict(got), pfn_verdict(want), rule->id, rule->says, rule->source);
	MA_REQUIRE(got == -want, "memslot with LOG_DIRTY_PAGES: %s, expected %s", pfn_verdict(got),
		   pfn_verdict(want));
	if (got)
		ma_end();	/* refused exactly as the model says */
	if (!pfn_guest_can_access(vm, v, &p, SLOT_GPA))
		ma_end();
	ma_map(vm, SLOT_GPA, SLOT_GPA, PFN_SIZE, p.cacheable ? MA_MT_NORMAL_WB : MA_MT_DEVICE_nGnRE);
	ma_verify_dirty_pages(vm, 1, npages, NULL, 0, "before any guest write");
	ma_guest_store_pages(v, SLOT_GPA, p.hva, hpage, pages, 3, 0x1000);
	ma_verify_dirty_pages(vm, 1, npages, pages, 3, "after guest stores to pages 0, 3 and the last");
	ma_verify_dirty_pages(vm, 1, npages, NULL, 0, "again, with no write in between");
	ma_guest_store_pages(v, SLOT_GPA, p.hva, hpage, again, 1, 0x2000);
	ma_verify_dirty_pages(vm, 1, npages, again, 1, "after a second store to page 3");
}
