// SPDX-License-Identifier: GPL-2.0
/*
 * pfnmap: what the guest observes through a PFNMAP memslot: the memory-type matrix (one row per
 * source and guest stage-1 type, one column per access) and host/guest data coherence.
 */
#include <stdio.h>
#include <string.h>

#include "pfnmap.h"

static const struct ma_variant sources[] = { PFN_SOURCE_VARIANTS };

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
	PROBE("pci_bar.s1_normal_wb", MA_PFN_PCI_BAR, MA_MT_NORMAL_WB),
	PROBE("pci_bar.s1_device", MA_PFN_PCI_BAR, MA_MT_DEVICE_nGnRE),
	PROBE("pci_bar_wc.s1_normal_wb", MA_PFN_PCI_BAR_WC, MA_MT_NORMAL_WB),
	PROBE("pci_bar_wc.s1_normal_nc", MA_PFN_PCI_BAR_WC, MA_MT_NORMAL_NC),
	PROBE("vfio0.s1_normal_wb", MA_PFN_VFIO0, MA_MT_NORMAL_WB),
	PROBE("vfio0.s1_normal_nc", MA_PFN_VFIO0, MA_MT_NORMAL_NC),
	PROBE("vfio0.s1_device", MA_PFN_VFIO0, MA_MT_DEVICE_nGnRE),
	PROBE("vfio1.s1_normal_wb", MA_PFN_VFIO1, MA_MT_NORMAL_WB),
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

	pfn_open(&sc, PFN_SIZE, NULL, &p);
	pfn_add_slot(vm, 1, SLOT_GPA, &p);
	ma_map(vm, SLOT_GPA, SLOT_GPA, PFN_SIZE, c->mt);
	memset(p.hva, 0, 2 * MA_PAGE_SIZE);
	for (enum ma_probe_op op = 0; op < MA_PROBE_COUNT; op++) {
		uint64_t gva = SLOT_GPA + (op == MA_PROBE_EXEC ? MA_PAGE_SIZE : 64);
		enum ma_probe_expect want = ma_pfnmap_probe_expect(&p, op, c->mt, &src);
		const char *run_src = "";
		int run_err = ma_pfnmap_expected_run_errno(vm, &p, &run_src);

		if (run_err && want != MA_EXPECT_KVM_SEA && want != MA_EXPECT_GUEST_FAULT) {
			want = MA_EXPECT_RUN_FAILS;
			src = run_src;
		}
		struct ma_result res;
		char why[768];
		const char *seen;

		if (op == MA_PROBE_EXEC)
			memcpy((char *)p.hva + MA_PAGE_SIZE, ma_return_insn, ma_return_insn_len);
		if (ma_vcpu_run_agent(v, MA_AGENT_PROBE, (uint64_t[]){ gva, op, 1 }, 3, 0, &res) != MA_OUT_DONE) {
			ma_result_describe(&res, why, sizeof(why));
			if (res.outcome == MA_OUT_RUN_ERROR && want == MA_EXPECT_RUN_FAILS) {
				ma_log("%s: %s (expected: %s)", probe_names[op], why, src);
				if (res.err != run_err)
					ma_fail("%s: KVM_RUN failed with %s, expected %s (%s)", probe_names[op],
						ma_errno_name(res.err), ma_errno_name(run_err), src);
				len += (size_t)snprintf(row + len, sizeof(row) - len, " %s=kvm_run_%s", probe_names[op],
							ma_errno_name(res.err));
				continue;
			}
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
		if (want == MA_EXPECT_RUN_FAILS)
			ma_fail("%s: expected KVM_RUN to fail with %s (%s), the probe completed", probe_names[op],
				ma_errno_name(run_err), src);
		seen = res.ret[0] == MA_PROBE_OK ? "ok" : res.ret[0] == MA_PROBE_UNSUPPORTED ? "n/a" : "fault";
		if (res.ret[0] == MA_PROBE_FAULT)
			len += (size_t)snprintf(row + len, sizeof(row) - len, " %s=fault(0x%llx)", probe_names[op],
						(unsigned long long)res.ret[1]);
		else
			len += (size_t)snprintf(row + len, sizeof(row) - len, " %s=%s", probe_names[op], seen);
		if (want == MA_EXPECT_COMPLETES && res.ret[0] != MA_PROBE_OK && res.ret[0] != MA_PROBE_UNSUPPORTED)
			ma_fail("%s must complete (%s), took syndrome 0x%llx", probe_names[op], src,
				(unsigned long long)res.ret[1]);
		if (want == MA_EXPECT_GUEST_FAULT && res.ret[0] != MA_PROBE_FAULT)
			ma_fail("%s must fault in the guest (%s): got %s", probe_names[op], src, seen);
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
	char why[768];

	pfn_open(c, PFN_SIZE, NULL, &p);
	pfn_add_slot(vm, 1, SLOT_GPA, &p);
	pfn_require_guest_access(vm, v, &p, SLOT_GPA);
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
