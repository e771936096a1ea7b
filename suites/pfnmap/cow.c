// SPDX-License-Identifier: GPL-2.0
/* pfnmap: memslots over MAP_PRIVATE (COW) PFNMAP mappings must not let guest and host diverge silently. */
#include "pfnmap.h"

static const struct ma_variant cow_sources[] = {
	SRC("devmem", MA_PFN_DEVMEM, true),
	SRC("carveout_wb", MA_PFN_CARVEOUT_WB, true),
	SRC("carveout_dev", MA_PFN_CARVEOUT_DEV, true),
};

/*
 * COW-private PFNMAP: a memslot over a MAP_PRIVATE mapping of device memory.  7.2 accepts it
 * (no is_cow_mapping check in arch/arm64/kvm/mmu.c or virt/kvm/kvm_main.c; refusing it was
 * proposed upstream).  Whatever the kernel does, the guest and the host's private view must not
 * silently diverge: a guest write either fails KVM_RUN or lands where the host sees it.
 */
MA_TEST(pfnmap, cow_private_no_silent_divergence, MA_VARIANTS(cow_sources), .req = { .root = true },
	.source = "virt/kvm/kvm_main.c:hva_to_pfn_remapped maps the pte's current pfn (device page before a "
		  "COW break, the anonymous copy after); 7.2.13 has no COW refusal")
{
	const struct src_case *c = t->param;
	struct src_case shared_case = { c->kind, false };
	struct ma_vm *vm = ma_vm_create(NULL);
	struct ma_vcpu *v = ma_vcpu_add(vm);
	uint64_t pa = SLOT_GPA, pb = SLOT_GPA + MA_PAGE_SIZE, pc = SLOT_GPA + 2 * MA_PAGE_SIZE;
	volatile uint64_t *priv, *dev;
	struct ma_pfnmap p, d;
	struct ma_result res;
	char why[768];

	pfn_open(c, PFN_SIZE, NULL, &p);
	pfn_open(&shared_case, PFN_SIZE, NULL, &d);
	priv = p.hva;
	dev = d.hva;
	/* device content, written through the shared view */
	dev[0] = 0xdead0a;
	dev[512] = 0xdead0b;
	dev[1024] = 0xdead0c;
	pfn_add_slot(vm, 1, SLOT_GPA, &p);
	pfn_require_guest_access(vm, v, &p, pa);
	ma_log("policy: KVM accepted a memslot over a MAP_PRIVATE (COW) PFNMAP of %s", ma_pfnmap_name(c->kind));
	ma_map(vm, SLOT_GPA, SLOT_GPA, PFN_SIZE, p.cacheable ? MA_MT_NORMAL_WB : MA_MT_DEVICE_nGnRE);
	/* page A untouched: guest and host private view both see the device data */
	if (pfn_run(v, MA_AGENT_LOAD64, pa, 0, &res) != MA_OUT_DONE) {
		ma_result_describe(&res, why, sizeof(why));
		ma_fatal("guest load from the untouched page: %s", why);
	}
	MA_EXPECT_EQ(res.ret[0], priv[0]);
	MA_EXPECT_EQ(res.ret[0], 0xdead0a);
	/* page B: the host writes its private view (COW break); the guest must see the copy */
	priv[512] = 0xc0ffee;
	MA_EXPECT_EQ(dev[512], 0xdead0b);
	MA_ASSERT_EQ(pfn_run(v, MA_AGENT_LOAD64, pb, 0, &res), MA_OUT_DONE);
	MA_EXPECT_EQ(res.ret[0], 0xc0ffee);
	/* page C: the guest writes first */
	pfn_run(v, MA_AGENT_STORE64, pc, 0x5ca1ab1e, &res);
	ma_result_describe(&res, why, sizeof(why));
	ma_log("guest write to a page not yet copied: %s", why);
	if (res.outcome == MA_OUT_RUN_ERROR) {
		ma_log("observed: KVM_RUN refuses the write (%s); host private %#llx, device %#llx",
		       ma_errno_name(res.err), (unsigned long long)priv[1024], (unsigned long long)dev[1024]);
		MA_EXPECT_EQ(dev[1024], 0xdead0c);
	} else {
		MA_ASSERT_EQ(res.outcome, MA_OUT_DONE);
		/* the write must be visible in the host's private view; the device must not have it
		 * unless the host's private view shows the same (no split brain) */
		MA_EXPECT_EQ(priv[1024], 0x5ca1ab1e);
		if (dev[1024] == 0x5ca1ab1e)
			ma_log("observed: the guest write reached device memory through a private mapping");
		else
			ma_log("observed: the guest write went to the host's COW copy; device unchanged");
		MA_ASSERT_EQ(pfn_run(v, MA_AGENT_LOAD64, pc, 0, &res), MA_OUT_DONE);
		MA_EXPECT_EQ(res.ret[0], priv[1024]);
	}
	ma_vm_destroy(vm);
	ma_pfnmap_close(&p);
	ma_pfnmap_close(&d);
}
