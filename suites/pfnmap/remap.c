// SPDX-License-Identifier: GPL-2.0
/*
 * pfnmap: the host maps other device pages at the very address a live PFNMAP memslot covers
 * (mmap MAP_FIXED of another offset of the same source).  KVM must drop the stage-2 mappings of the
 * old pfns (MMU notifier) and fault in the new ones: the guest reads the new pages, never the old,
 * and its later writes land in the new pages, not in the old ones.
 */
#include "pfnmap.h"

/* the sources with offsets: a second, disjoint range of the same carve-out */
static const struct ma_variant sources[] = {
	SRC("devmem", MA_PFN_DEVMEM, false),
	SRC("carveout_wb", MA_PFN_CARVEOUT_WB, false),
	SRC("carveout_nc", MA_PFN_CARVEOUT_NC, false),
	SRC("carveout_dev", MA_PFN_CARVEOUT_DEV, false),
};

enum { S_OLD = 0x01d, S_NEW = 0x2e3, S_GUEST = 0x6e5 };

static void host_fill(volatile uint64_t *w, uint64_t seed)
{
	for (uint64_t i = 0; i < PFN_SIZE / 8; i++)
		w[i] = ma_pattern_word(seed, SLOT_GPA + 8 * i);
}

static uint64_t host_bad(volatile uint64_t *w, uint64_t seed)
{
	uint64_t bad = 0;

	for (uint64_t i = 0; i < PFN_SIZE / 8; i++)
		bad += w[i] != ma_pattern_word(seed, SLOT_GPA + 8 * i);
	return bad;
}

static void guest(struct ma_vcpu *v, enum ma_agent a, uint64_t seed, struct ma_result *res, const char *what)
{
	ma_run_agent_done(v, a, MA_ARGS(SLOT_GPA, PFN_SIZE, seed), res, "%s", what);
}

MA_TEST(pfnmap, remap_other_pages_under_slot, MA_VARIANTS(sources), .req = { .root = true }, .timeout_s = 60,
	.source = "mm/mmap.c (MAP_FIXED unmaps the old range) -> virt/kvm/kvm_main.c:kvm_mmu_notifier_invalidate_range_start zaps the slot's stage-2 mappings; the refault follows the new pte (hva_to_pfn_remapped), Linux "
		  MA_KERNEL_REF)
{
	const struct src_case *c = t->param;
	struct ma_vm *vm = ma_test_vm(1);
	struct ma_vcpu *v = vm->vcpus[0];
	struct ma_pfnmap p, q, old;
	struct ma_result res;

	pfn_open_at(c, PFN_SIZE, 0, NULL, &p);
	pfn_add_slot(vm, 1, SLOT_GPA, &p);
	pfn_guest_access_or_end(vm, v, &p, SLOT_GPA);
	ma_map(vm, SLOT_GPA, SLOT_GPA, PFN_SIZE, p.cacheable ? MA_MT_NORMAL_WB : MA_MT_DEVICE_nGnRE);
	host_fill(p.hva, S_OLD);
	guest(v, MA_AGENT_CHECK_PATTERN, S_OLD, &res, "check of the first pages");
	MA_ASSERT_EQ(res.ret.check.mismatches, 0);	/* stage 2 now maps the old pfns */
	/* other pages of the same source, mapped over the slot's address */
	pfn_open_at(c, PFN_SIZE, PFN_SIZE, p.hva, &q);
	MA_ASSERT_TRUE(q.hva == p.hva);
	host_fill(q.hva, S_NEW);
	guest(v, MA_AGENT_CHECK_PATTERN, S_NEW, &res, "check after the remap");
	MA_CHECK(!res.ret.check.mismatches,
		 "after the remap the guest read %llu words wrong, first at +%#llx: %#llx%s",
		 (unsigned long long)res.ret.check.mismatches, (unsigned long long)res.ret.check.first_off,
		 (unsigned long long)res.ret.check.first_val,
		 res.ret.check.first_val == ma_pattern_word(S_OLD, SLOT_GPA + res.ret.check.first_off) ?
		 " (the OLD pages: stale stage 2)" : "");
	guest(v, MA_AGENT_WRITE_PATTERN, S_GUEST, &res, "write after the remap");
	MA_EXPECT_EQ(host_bad(q.hva, S_GUEST), 0);
	/* the old pages, seen through a mapping of their own, kept their content */
	pfn_open_at(c, PFN_SIZE, 0, NULL, &old);
	MA_EXPECT_EQ(host_bad(old.hva, S_OLD), 0);
	ma_pfnmap_close(&old);
	ma_vm_destroy(vm);
	p.hva = NULL;	/* the range is q's now */
}
