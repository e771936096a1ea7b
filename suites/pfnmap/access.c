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

static void log_rule(const struct mt_rule *r)
{
	ma_log("memtype-rule id=%s says=%s | source=%s", r->id, r->says, r->source);
}

/*
 * The memory-type matrix: each row is one source and guest stage-1 type, each column an op.  The
 * model (memtype_model.h) gives the expected stage-2 and effective type and the allowed outcomes of
 * every probe; each cell is a verdict, emitted as a structured record that matrix.txt is built from:
 *   memtype-platform fwb= dic= cap243= pkvm= lse=
 *   memtype-row row= source= pgprot= allow_uncached= ram= s1= s2= eff= judged_type= slot_expected=
 *               slot_observed= slot_rule= s2_rule= eff_rule=
 *   memtype-cell row= op= expected= observed= verdict=match|MISMATCH rule= [detail=]
 *   memtype-rule id= says=... | source=...
 */
MA_TEST(pfnmap, access_matrix, MA_VARIANTS(probe_cases), .req = { .root = true }, .timeout_s = 60,
	.source = "the memory-type model, suites/pfnmap/memtype_model.h (arm64: arch/arm64/kvm/mmu.c:kvm_s2_fault_pin_pfn, kvm_s2_fault_compute_prot, kvm_handle_guest_abort; Linux "
		  MA_KERNEL_REF "): each failure names its rule")
{
	const struct probe_case *c = t->param;
	const char *row = t->variant->name;
	struct src_case sc = { c->kind, false };
	struct ma_vm *vm = ma_test_vm(1);
	struct ma_vcpu *v = vm->vcpus[0];
	struct mt_row_expect e;
	struct mt_platform pl;
	struct ma_pfnmap p;
	char set[128];
	int got;

	pfn_platform(v, &pl);
	pfn_open(&sc, PFN_SIZE, NULL, &p);
	pfn_verify_source_table(&p);
	pfn_model_row(&pl, &p, c->mt, &e);
	got = ma_try_add_slot(vm, 1, 0, SLOT_GPA, PFN_SIZE, p.hva);
	{
		struct mt_source src = mt_source_of(&p);
		static const char *const pgprots[] = { "cacheable", "writecombine", "device" };

		ma_log("memtype-platform fwb=%d dic=%d cap243=%d pkvm=%d lse=%d",
		       pl.fwb, pl.dic, pl.cap243, pl.pkvm,
		       pl.lse);
		ma_log("memtype-row row=%s source=%s pgprot=%s allow_uncached=%d ram=%d s1=%s s2=%s eff=%s judged_type=%s slot_expected=%s slot_observed=%s slot_rule=%s s2_rule=%s eff_rule=%s",
		       row, ma_pfnmap_name(p.kind), pgprots[src.pgprot], src.allow_uncached, src.ram,
		       mt_type_name(mt_s1_type(c->mt)), mt_type_name(e.s2), mt_type_name(e.eff),
		       e.judged_type ? "yes" : "no", pfn_verdict(e.slot_errno), pfn_verdict(got),
		       e.slot_rule->id, e.s2_rule->id, e.eff_rule->id);
		log_rule(e.slot_rule);
		log_rule(e.s2_rule);
		log_rule(e.eff_rule);
	}
	if (got != -e.slot_errno)
		ma_fatal("%s: memslot %s, the model expects %s (rule %s: %s; %s)", row, pfn_verdict(got),
			 pfn_verdict(e.slot_errno), e.slot_rule->id, e.slot_rule->says, e.slot_rule->source);
	if (got)
		ma_end();	/* refused exactly as the model says: that is the row's verdict */
	ma_map(vm, SLOT_GPA, SLOT_GPA, PFN_SIZE, c->mt);
	memset(p.hva, 0, 2 * MA_PAGE_SIZE);
	for (enum ma_probe_op op = 0; op < MA_PROBE_COUNT; op++) {
		uint64_t gva = SLOT_GPA + (op == MA_PROBE_EXEC ? MA_PAGE_SIZE : 64);
		const struct mt_rule *rule = e.probe_rule[op];
		enum mt_outcome seen;
		struct ma_result res;
		char detail[64] = "", why[768];

		if (op == MA_PROBE_EXEC)
			memcpy((char *)p.hva + MA_PAGE_SIZE, ma_return_insn, ma_return_insn_len);
		ma_vcpu_run_agent(v, MA_AGENT_PROBE, MA_ARGS(gva, op, 1), 0, &res);
		seen = pfn_classify(&res, op);
		if (res.outcome == MA_OUT_DONE && res.ret.probe.outcome == MA_PROBE_FAULT)
			snprintf(detail, sizeof(detail), " detail=syndrome:0x%llx",
				 (unsigned long long)res.ret.probe.syndrome);
		else if (res.outcome == MA_OUT_RUN_ERROR)
			snprintf(detail, sizeof(detail), " detail=exit_reason:%u", res.exit_reason);
		else if (res.outcome != MA_OUT_DONE)
			snprintf(detail, sizeof(detail), " detail=%s", ma_outcome_name(res.outcome));
		mt_outcome_set_str(e.allowed[op], set, sizeof(set));
		ma_log("memtype-cell row=%s op=%s expected=%s observed=%s verdict=%s rule=%s%s",
		       row, probe_names[op], set, mt_outcome_name(seen),
		       e.allowed[op] & MT_BIT(seen) ? "match" : "MISMATCH", rule->id, detail);
		log_rule(rule);
		if (!(e.allowed[op] & MT_BIT(seen))) {
			ma_result_describe(&res, why, sizeof(why));
			ma_fail("%s %s: expected %s, observed %s (%s); s2=%s eff=%s; rule %s: %s (%s)", row,
				probe_names[op], set, mt_outcome_name(seen), why, mt_type_name(e.s2),
				mt_type_name(e.eff), rule->id, rule->says, rule->source);
		}
	}
}

MA_TEST(pfnmap, shared_data_coherent,
	.source = "a PFNMAP memslot maps the host mapping's pfns (virt/kvm/kvm_main.c:hva_to_pfn_remapped, "
		  MA_KERNEL_REF "): guest and host see each other's writes; for MAP_PRIVATE both see the COW copy",
	MA_VARIANTS(sources), .req = { .root = true }, .timeout_s = 60)
{
	const struct src_case *c = t->param;
	struct ma_vm *vm = ma_test_vm(1);
	struct ma_vcpu *v = vm->vcpus[0];
	uint64_t bytes = 8 * MA_PAGE_SIZE, bad = 0;
	struct ma_result res;
	struct ma_pfnmap p;

	pfn_open(c, PFN_SIZE, NULL, &p);
	pfn_add_slot(vm, 1, SLOT_GPA, &p);
	pfn_guest_access_or_end(vm, v, &p, SLOT_GPA);
	/* the guest uses the type the host mapping has, as a driver-aware guest would */
	ma_map(vm, SLOT_GPA, SLOT_GPA, PFN_SIZE, p.cacheable ? MA_MT_NORMAL_WB : MA_MT_DEVICE_nGnRE);
	for (uint64_t off = 0; off < bytes; off += 8)
		*(volatile uint64_t *)((char *)p.hva + off) = ma_pattern_word(5, SLOT_GPA + off);
	ma_run_agent_done(v, MA_AGENT_CHECK_PATTERN, MA_ARGS(SLOT_GPA, bytes, 5), &res, "check of the host's pattern");
	MA_CHECK(!res.ret.check.mismatches,
		 "guest saw %llu words differ from what the host wrote (first at +0x%llx: 0x%llx)",
		 (unsigned long long)res.ret.check.mismatches, (unsigned long long)res.ret.check.first_off,
		 (unsigned long long)res.ret.check.first_val);
	ma_run_agent_done(v, MA_AGENT_WRITE_PATTERN, MA_ARGS(SLOT_GPA, bytes, 6), &res, "write of pattern 6");
	for (uint64_t off = 0; off < bytes; off += 8)
		bad += *(volatile uint64_t *)((char *)p.hva + off) != ma_pattern_word(6, SLOT_GPA + off);
	MA_CHECK(!bad, "host saw %llu words differ from what the guest wrote", (unsigned long long)bad);
}
