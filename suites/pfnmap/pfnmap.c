// SPDX-License-Identifier: GPL-2.0
/*
 * pfnmap: memslots over VM_PFNMAP mappings (udmabuf, /dev/mem over a carve-out, the fixture
 * module's cacheable / NC / Device carve-out) and what the guest observes through them.
 * Expectations: Linux 7.2.13, named per architecture in suites/pfnmap/arch/<arch>/.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pfnmap.h"

#define PFN_SIZE (64ull << 10)
#define SLOT_GPA (MA_TEST_GPA)

struct src_case {
	enum ma_pfnmap_kind kind;
	bool private_map;
};

#define SRC(n, k, priv) { .name = n, .param = &(struct src_case){ k, priv } }
static const struct ma_variant sources[] = {
	SRC("udmabuf.shared", MA_PFN_UDMABUF, false),
	SRC("devmem.shared", MA_PFN_DEVMEM, false),
	SRC("devmem.private", MA_PFN_DEVMEM, true),
	SRC("carveout_wb.shared", MA_PFN_CARVEOUT_WB, false),
	SRC("carveout_wb.private", MA_PFN_CARVEOUT_WB, true),
	SRC("carveout_nc.shared", MA_PFN_CARVEOUT_NC, false),
	SRC("carveout_dev.shared", MA_PFN_CARVEOUT_DEV, false),
};

static void open_source(const struct src_case *c, struct ma_pfnmap *p)
{
	const char *why = "";
	int r = ma_try_pfnmap_open(p, c->kind, PFN_SIZE, 0, c->private_map, &why);

	if (r == -ENODEV)
		ma_skip("%s", why);
	if (r)
		ma_fatal("opening PFNMAP source %s (%s): %s %s", ma_pfnmap_name(c->kind),
			 c->private_map ? "MAP_PRIVATE" : "MAP_SHARED", ma_errno_name(-r), why);
}

MA_TEST(pfnmap, cap_cacheable_pfnmap_scope,
	.source = "arch/arm64/kvm/arm.c:kvm_vm_ioctl_check_extension (243: EINVAL without a VM, "
		  "FWB && DIC on a VM); x86: unknown capability reads 0 (7.2.13)")
{
	ma_pfnmap_check_cap(t);
}

MA_TEST(pfnmap, memslot_rules, MA_VARIANTS(sources), .req = { .root = true },
	.source = "arch/arm64/kvm/mmu.c:kvm_arch_prepare_memory_region (7.2.13), per architecture: see "
		  "the diagnostics")
{
	const struct src_case *c = t->param;
	struct ma_vm *vm = ma_vm_create(NULL);
	const char *src = "";
	struct ma_pfnmap p;
	int want, got;

	open_source(c, &p);
	/* create */
	want = ma_pfnmap_expected_slot_errno(vm, &p, 0, &src);
	got = ma_try_add_slot(vm, 1, 0, SLOT_GPA, PFN_SIZE, p.hva);
	ma_log("create: %s (expected %s: %s)", got ? ma_errno_name(-got) : "accepted",
	       want ? ma_errno_name(want) : "accepted", src);
	MA_EXPECT_EQ(got, -want);
	/* dirty logging at creation */
	want = ma_pfnmap_expected_slot_errno(vm, &p, KVM_MEM_LOG_DIRTY_PAGES, &src);
	got = ma_try_add_slot(vm, 2, KVM_MEM_LOG_DIRTY_PAGES, SLOT_GPA + PFN_SIZE, PFN_SIZE, p.hva);
	ma_log("create with LOG_DIRTY_PAGES: %s (expected %s: %s)", got ? ma_errno_name(-got) : "accepted",
	       want ? ma_errno_name(want) : "accepted", src);
	MA_EXPECT_EQ(got, -want);
	/* dirty logging switched on later (flags-only update) */
	if (ma_gpa_to_hva(vm, SLOT_GPA)) {
		got = ma_try_add_slot(vm, 1, KVM_MEM_LOG_DIRTY_PAGES, SLOT_GPA, PFN_SIZE, p.hva);
		ma_log("flags-only LOG_DIRTY_PAGES: %s (expected %s)", got ? ma_errno_name(-got) : "accepted",
		       want ? ma_errno_name(want) : "accepted");
		MA_EXPECT_EQ(got, -want);
	}
	ma_vm_destroy(vm);
	ma_pfnmap_close(&p);
}

static const char *probe_names[MA_PROBE_COUNT] = {
	[MA_PROBE_LOAD64] = "load", [MA_PROBE_STORE64] = "store", [MA_PROBE_LOAD_UNALIGNED] = "unaligned",
	[MA_PROBE_EXEC] = "exec", [MA_PROBE_EXCLUSIVE] = "exclusive", [MA_PROBE_LSE_LDADD] = "atomic",
};

struct probe_case {
	enum ma_pfnmap_kind kind;
	enum ma_memtype mt;
};

#define PROBE(n, k, m) { .name = n, .param = &(struct probe_case){ k, m } }
static const struct ma_variant probe_cases[] = {
	PROBE("udmabuf.s1_normal_wb", MA_PFN_UDMABUF, MA_MT_NORMAL_WB),
	PROBE("udmabuf.s1_device", MA_PFN_UDMABUF, MA_MT_DEVICE_nGnRE),
	PROBE("devmem.s1_normal_wb", MA_PFN_DEVMEM, MA_MT_NORMAL_WB),
	PROBE("devmem.s1_normal_nc", MA_PFN_DEVMEM, MA_MT_NORMAL_NC),
	PROBE("devmem.s1_device", MA_PFN_DEVMEM, MA_MT_DEVICE_nGnRE),
	PROBE("carveout_wb.s1_normal_wb", MA_PFN_CARVEOUT_WB, MA_MT_NORMAL_WB),
	PROBE("carveout_nc.s1_normal_wb", MA_PFN_CARVEOUT_NC, MA_MT_NORMAL_WB),
	PROBE("carveout_nc.s1_device", MA_PFN_CARVEOUT_NC, MA_MT_DEVICE_nGnRE),
	PROBE("carveout_dev.s1_normal_wb", MA_PFN_CARVEOUT_DEV, MA_MT_NORMAL_WB),
};

/* The memory-type matrix: each row is one source and guest stage-1 type, each column an op. */
MA_TEST(pfnmap, access_matrix, MA_VARIANTS(probe_cases), .req = { .root = true }, .timeout_s = 60,
	.source = "arch/arm64/kvm/mmu.c:kvm_s2_fault_compute_prot (exec on non-cacheable PFNMAP is "
		  "refused and a synchronous external abort injected; 7.2.13)")
{
	const struct probe_case *c = t->param;
	struct src_case sc = { c->kind, false };
	struct ma_vm *vm = ma_vm_create(NULL);
	struct ma_vcpu *v = ma_vcpu_add(vm);
	char row[512];
	size_t len = 0;
	struct ma_pfnmap p;
	const char *src;
	int r;

	open_source(&sc, &p);
	r = ma_try_add_slot(vm, 1, 0, SLOT_GPA, PFN_SIZE, p.hva);
	if (r) {
		if (r == -ma_pfnmap_expected_slot_errno(vm, &p, 0, &src))
			ma_skip("memslot refused as expected (%s): %s", ma_errno_name(-r), src);
		ma_fatal("memslot over %s: %s", ma_pfnmap_name(c->kind), ma_errno_name(-r));
	}
	ma_map(vm, SLOT_GPA, SLOT_GPA, PFN_SIZE, c->mt);
	memset(p.hva, 0, 2 * MA_PAGE_SIZE);
	for (enum ma_probe_op op = 0; op < MA_PROBE_COUNT; op++) {
		uint64_t gva = SLOT_GPA + (op == MA_PROBE_EXEC ? MA_PAGE_SIZE : 64);
		enum ma_probe_expect want = ma_pfnmap_probe_expect(&p, op, c->mt, &src);
		struct ma_result res;
		char why[768];
		const char *seen;

		if (op == MA_PROBE_EXEC)
			memcpy((char *)p.hva + MA_PAGE_SIZE, ma_return_insn, ma_return_insn_len);
		if (ma_vcpu_run_agent(v, MA_AGENT_PROBE, (uint64_t[]){ gva, op, 1 }, 3, 0, &res) != MA_OUT_DONE) {
			ma_result_describe(&res, why, sizeof(why));
			if (res.outcome == MA_OUT_RUN_ERROR && want == MA_EXPECT_ANY) {
				/* e.g. an alignment fault that stage 2 reports to EL2: arm64 KVM has no
				 * handler for it (kvm_handle_guest_abort: "Unsupported FSC") */
				ma_log("%s: %s (observed, not asserted: %s)", probe_names[op], why, src);
				len += (size_t)snprintf(row + len, sizeof(row) - len, " %s=kvm_run_%s", probe_names[op],
							ma_errno_name(res.err));
				continue;
			}
			ma_fail("%s probe did not complete: %s", probe_names[op], why);
			len += (size_t)snprintf(row + len, sizeof(row) - len, " %s=stuck", probe_names[op]);
			continue;
		}
		seen = res.ret[0] == MA_PROBE_OK ? "ok" : res.ret[0] == MA_PROBE_UNSUPPORTED ? "n/a" : "fault";
		if (res.ret[0] == MA_PROBE_FAULT)
			len += (size_t)snprintf(row + len, sizeof(row) - len, " %s=fault(0x%llx)", probe_names[op],
						(unsigned long long)res.ret[1]);
		else
			len += (size_t)snprintf(row + len, sizeof(row) - len, " %s=%s", probe_names[op], seen);
		if (want == MA_EXPECT_COMPLETES && res.ret[0] != MA_PROBE_OK && res.ret[0] != MA_PROBE_UNSUPPORTED)
			ma_fail("%s must complete (%s), took syndrome 0x%llx", probe_names[op], src,
				(unsigned long long)res.ret[1]);
		if (want == MA_EXPECT_KVM_SEA &&
		    (res.ret[0] != MA_PROBE_FAULT || !ma_pfnmap_is_kvm_sea(res.ret[1], res.ret[3])))
			ma_fail("%s must take the abort KVM injects (%s): got %s syndrome 0x%llx", probe_names[op],
				src, seen, (unsigned long long)res.ret[1]);
	}
	ma_log("matrix %s s1=%s:%s", ma_pfnmap_name(c->kind), ma_memtype_name(c->mt), row);
	ma_vm_destroy(vm);
	ma_pfnmap_close(&p);
}

MA_TEST(pfnmap, shared_data_coherent, MA_VARIANTS(sources), .req = { .root = true }, .timeout_s = 60,
	.source = "a PFNMAP memslot maps the host mapping's pfns (virt/kvm/kvm_main.c:hva_to_pfn_remapped, "
		  "7.2.13): guest and host see each other's writes; for MAP_PRIVATE both see the COW copy")
{
	const struct src_case *c = t->param;
	struct ma_vm *vm = ma_vm_create(NULL);
	struct ma_vcpu *v = ma_vcpu_add(vm);
	uint64_t bytes = 8 * MA_PAGE_SIZE, bad = 0;
	struct ma_result res;
	struct ma_pfnmap p;
	const char *src;
	char why[768];
	int r;

	open_source(c, &p);
	r = ma_try_add_slot(vm, 1, 0, SLOT_GPA, PFN_SIZE, p.hva);
	if (r) {
		if (r == -ma_pfnmap_expected_slot_errno(vm, &p, 0, &src))
			ma_skip("memslot refused as expected (%s): %s", ma_errno_name(-r), src);
		ma_fatal("memslot over %s: %s", ma_pfnmap_name(c->kind), ma_errno_name(-r));
	}
	/* the guest uses the type the host mapping has, as a driver-aware guest would */
	ma_map(vm, SLOT_GPA, SLOT_GPA, PFN_SIZE, p.cacheable ? MA_MT_NORMAL_WB : MA_MT_DEVICE_nGnRE);
	for (uint64_t off = 0; off < bytes; off += 8)
		*(volatile uint64_t *)((char *)p.hva + off) = ma_pattern_word(5, SLOT_GPA + off);
	if (ma_vcpu_run_agent(v, MA_AGENT_CHECK_PATTERN, (uint64_t[]){ SLOT_GPA, bytes, 5 }, 3, 0, &res) != MA_OUT_DONE) {
		ma_result_describe(&res, why, sizeof(why));
		ma_fatal("guest check: %s", why);
	}
	if (res.ret[0])
		ma_fail("guest saw %llu words differ from what the host wrote (first at +0x%llx: 0x%llx)",
			(unsigned long long)res.ret[0], (unsigned long long)res.ret[1], (unsigned long long)res.ret[2]);
	if (ma_vcpu_run_agent(v, MA_AGENT_WRITE_PATTERN, (uint64_t[]){ SLOT_GPA, bytes, 6 }, 3, 0, &res) != MA_OUT_DONE) {
		ma_result_describe(&res, why, sizeof(why));
		ma_fatal("guest write: %s", why);
	}
	for (uint64_t off = 0; off < bytes; off += 8)
		bad += *(volatile uint64_t *)((char *)p.hva + off) != ma_pattern_word(6, SLOT_GPA + off);
	if (bad)
		ma_fail("host saw %llu words differ from what the guest wrote", (unsigned long long)bad);
	ma_vm_destroy(vm);
	ma_pfnmap_close(&p);
}

static const struct ma_variant cow_sources[] = {
	SRC("devmem", MA_PFN_DEVMEM, true),
	SRC("carveout_wb", MA_PFN_CARVEOUT_WB, true),
	SRC("carveout_dev", MA_PFN_CARVEOUT_DEV, true),
};

static enum ma_outcome run_agent(struct ma_vcpu *v, enum ma_agent a, uint64_t x, uint64_t y, struct ma_result *res)
{
	return ma_vcpu_run_agent(v, a, (uint64_t[]){ x, y }, 2, 0, res);
}

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
	const char *src;
	char why[768];
	int r;

	open_source(c, &p);
	open_source(&shared_case, &d);
	priv = p.hva;
	dev = d.hva;
	/* device content, written through the shared view */
	dev[0] = 0xdead0a;
	dev[512] = 0xdead0b;
	dev[1024] = 0xdead0c;
	r = ma_try_add_slot(vm, 1, 0, SLOT_GPA, PFN_SIZE, p.hva);
	if (r) {
		if (r == -ma_pfnmap_expected_slot_errno(vm, &p, 0, &src))
			ma_skip("memslot refused as expected (%s): %s", ma_errno_name(-r), src);
		ma_fatal("memslot over MAP_PRIVATE %s: %s", ma_pfnmap_name(c->kind), ma_errno_name(-r));
	}
	ma_log("policy: KVM accepted a memslot over a MAP_PRIVATE (COW) PFNMAP of %s", ma_pfnmap_name(c->kind));
	ma_map(vm, SLOT_GPA, SLOT_GPA, PFN_SIZE, p.cacheable ? MA_MT_NORMAL_WB : MA_MT_DEVICE_nGnRE);
	/* page A untouched: guest and host private view both see the device data */
	MA_ASSERT_EQ(run_agent(v, MA_AGENT_LOAD64, pa, 0, &res), MA_OUT_DONE);
	MA_EXPECT_EQ(res.ret[0], priv[0]);
	MA_EXPECT_EQ(res.ret[0], 0xdead0a);
	/* page B: the host writes its private view (COW break); the guest must see the copy */
	priv[512] = 0xc0ffee;
	MA_EXPECT_EQ(dev[512], 0xdead0b);
	MA_ASSERT_EQ(run_agent(v, MA_AGENT_LOAD64, pb, 0, &res), MA_OUT_DONE);
	MA_EXPECT_EQ(res.ret[0], 0xc0ffee);
	/* page C: the guest writes first */
	run_agent(v, MA_AGENT_STORE64, pc, 0x5ca1ab1e, &res);
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
		MA_ASSERT_EQ(run_agent(v, MA_AGENT_LOAD64, pc, 0, &res), MA_OUT_DONE);
		MA_EXPECT_EQ(res.ret[0], priv[1024]);
	}
	ma_vm_destroy(vm);
	ma_pfnmap_close(&p);
	ma_pfnmap_close(&d);
}

MA_TEST_MAIN
