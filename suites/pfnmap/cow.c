// SPDX-License-Identifier: GPL-2.0
/* pfnmap: memslots over MAP_PRIVATE (COW) PFNMAP mappings must not let guest and host diverge silently. */
#include "pfnmap.h"

static const struct ma_variant cow_sources[] = {
	SRC("devmem", MA_PFN_DEVMEM, true),
	SRC("carveout_wb", MA_PFN_CARVEOUT_WB, true),
	SRC("carveout_dev", MA_PFN_CARVEOUT_DEV, true),
};

/* Check, through the separate shared mapping, that device memory still holds what it held. */
static void device_unchanged(volatile uint64_t *dev, unsigned int idx, uint64_t want, const char *after)
{
	MA_CHECK(dev[idx] == want,
		 "after %s the device memory word %u is %#llx, expected it unchanged (%#llx): a guest write through a MAP_PRIVATE mapping reached the device",
		 after, idx, (unsigned long long)dev[idx], (unsigned long long)want);
}

/*
 * COW-private PFNMAP: a memslot over a MAP_PRIVATE mapping of device memory.  7.2 accepts it (no
 * is_cow_mapping check in arch/arm64/kvm/mmu.c or virt/kvm/kvm_main.c).  A guest write must never
 * reach the device memory: after every guest write the host checks the device through a second,
 * shared mapping.  What the guest's first write to a page nobody has copied yet does is exact per
 * architecture (ma_pfnmap_cow_write_errno): arm64 fails KVM_RUN with EFAULT, x86 emulates the
 * write through the host mapping, which breaks COW, so it lands in the host's private copy.
 */
MA_TEST(pfnmap, cow_private_no_silent_divergence, MA_VARIANTS(cow_sources), .req = { .root = true },
	.source = "virt/kvm/kvm_main.c:hva_to_pfn_remapped (a write fault on a present read-only COW pte gives KVM_PFN_ERR_RO_FAULT, COW is not broken); then arch/arm64/kvm/mmu.c:kvm_s2_fault_pin_pfn (-EFAULT) or arch/x86/kvm/mmu/mmu.c:kvm_handle_error_pfn (RET_PF_EMULATE); "
		  MA_KERNEL_REF)
{
	const struct src_case *c = t->param;
	struct src_case shared_case = { c->kind, false };
	struct ma_vm *vm = ma_test_vm(1);
	struct ma_vcpu *v = vm->vcpus[0];
	uint64_t pa = SLOT_GPA, pb = SLOT_GPA + MA_PAGE_SIZE, pc = SLOT_GPA + 2 * MA_PAGE_SIZE;
	const struct mt_rule *rule;
	volatile uint64_t *priv, *dev;
	struct ma_pfnmap p, d;
	struct ma_result res;
	char why[768];
	int want;

	pfn_open(c, PFN_SIZE, NULL, &p);
	pfn_open(&shared_case, PFN_SIZE, NULL, &d);
	priv = p.hva;
	dev = d.hva;
	/* device content, written through the shared view */
	dev[0] = 0xdead0a;
	dev[512] = 0xdead0b;
	dev[1024] = 0xdead0c;
	pfn_add_slot(vm, 1, SLOT_GPA, &p);
	pfn_guest_access_or_end(vm, v, &p, pa);
	ma_map(vm, SLOT_GPA, SLOT_GPA, PFN_SIZE, p.cacheable ? MA_MT_NORMAL_WB : MA_MT_DEVICE_nGnRE);
	/* page A untouched: guest and host private view both see the device data */
	ma_run_agent_done(v, MA_AGENT_LOAD64, MA_ARGS(pa, 0), &res, "guest load from the untouched page");
	MA_EXPECT_EQ(res.ret.load.value, priv[0]);
	MA_EXPECT_EQ(res.ret.load.value, 0xdead0a);
	/* page B: the host writes its private view (COW break); the guest must see the copy */
	priv[512] = 0xc0ffee;
	device_unchanged(dev, 512, 0xdead0b, "the host's write to its private view");
	ma_run_agent_done(v, MA_AGENT_LOAD64, MA_ARGS(pb), &res, "load from the page the host copied");
	MA_EXPECT_EQ(res.ret.load.value, 0xc0ffee);
	/* ... and a guest write to that page lands in the copy, which is ordinary RAM now */
	ma_run_agent_done(v, MA_AGENT_STORE64, MA_ARGS(pb, 0xb0b0), &res, "store to the page the host copied");
	MA_EXPECT_EQ(priv[512], 0xb0b0);
	device_unchanged(dev, 512, 0xdead0b, "the guest's write to the copied page");
	/* page C: the guest writes first, to a page nobody has copied */
	want = ma_pfnmap_cow_write_errno(&rule);
	pfn_run(v, MA_AGENT_STORE64, pc, 0x5ca1ab1e, &res);
	ma_result_describe(&res, why, sizeof(why));
	ma_log("guest write to a page not yet copied: %s (expected %s: %s; %s)", why,
	       want ? ma_errno_name(want) : "the write lands in the host's COW copy", rule->says,
	       rule->source);
	device_unchanged(dev, 1024, 0xdead0c, "the guest's write to an uncopied page");
	if (want) {
		MA_ASSERT_EQ(res.outcome, MA_OUT_RUN_ERROR);
		MA_EXPECT_EQ(res.err, want);
		MA_EXPECT_EQ(priv[1024], 0xdead0c);	/* nothing was written anywhere */
	} else {
		MA_ASSERT_EQ(res.outcome, MA_OUT_DONE);
		MA_EXPECT_EQ(priv[1024], 0x5ca1ab1e);
		ma_run_agent_done(v, MA_AGENT_LOAD64, MA_ARGS(pc), &res, "load from the page the guest wrote first");
		MA_EXPECT_EQ(res.ret.load.value, 0x5ca1ab1e);
	}
}
