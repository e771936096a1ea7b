// SPDX-License-Identifier: GPL-2.0
/*
 * migration, arm64: the guest writes through a stage-1 Normal-NC mapping of ordinary memory while
 * the host reads it as migration does, through its own cacheable mapping after KVM_GET_DIRTY_LOG.
 *
 * With FEAT_S2FWB KVM maps the memory with stage-2 MemAttr "Normal Write-Back, forced" (KVM_S2
 * NORMAL with FWB, arch/arm64/include/asm/memory.h MT_S2_FWB_NORMAL), which overrides the stage-1
 * type (Arm ARM, FEAT_S2FWB: the combined type is Normal WB whatever stage 1 says), so the guest's
 * stores are cacheable and coherent with the host's Write-Back alias: the host must read them with
 * no cache maintenance.
 *
 * Without FWB stage 2 is Normal WB and the combination with stage-1 Normal-NC is Normal-NC (the
 * more restrictive wins): the guest's stores go past the caches, while the host reads through a
 * cacheable alias with mismatched attributes (Arm ARM B2, "Mismatched memory attributes").  What
 * is guaranteed there: KVM cleaned and invalidated the page to the PoC when it mapped it
 * (arch/arm64/kvm/hyp/pgtable.c:stage2_map_walker_try_leaf, !FWB), the guest's DSB completes its
 * stores, and the host's DC CIVAC by VA after that drops any line its alias may hold (clean: the
 * host never wrote the page), so the read that follows comes from memory and must be the guest's.
 * A read without that maintenance may hit a line the host's alias allocated speculatively: it is
 * not guaranteed, and is reported as a figure, not judged.
 */
#include <string.h>

#include "memattr/dirty_log.h"
#include "memattr/guest_features.h"
#include "migration.h"

#define NC_PAGES 64ull
#define NC_SIZE (NC_PAGES * 4096)

/* The pages the host copied against the generation the guest wrote: mismatching pages, first one. */
static uint64_t compare(const uint8_t *copy, uint64_t gen, uint64_t *first)
{
	uint64_t bad = 0;

	for (uint64_t p = 0; p < NC_PAGES; p++) {
		const uint64_t *w = (const uint64_t *)(copy + p * 4096);
		uint64_t gpa = MIG_DATA_GPA + p * 4096;

		if (w[0] != gpa || w[1] != gen || w[511] != ma_gen_word(MIG_SEED, gen, gpa)) {
			if (!bad)
				*first = gpa;
			bad++;
		}
	}
	return bad;
}

MA_TEST(migration, nc_guest_writes_host_reads, .req = { .arch = MA_ARCH_ARM64 }, .timeout_s = 60,
	.source = "arch/arm64/kvm/mmu.c:kvm_s2_fault_compute_prot (RAM: stage-2 Normal), arch/arm64/kvm/hyp/pgtable.c:stage2_set_prot_attr (KVM_S2_MEMATTR NORMAL, forced WB with FWB) and stage2_map_walker_try_leaf (clean+invalidate to the PoC without FWB); Arm ARM FEAT_S2FWB and stage-1/stage-2 combining ("
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm = ma_test_vm(1);
	struct ma_vcpu *v = vm->vcpus[0];
	struct ma_guest_features gf;
	struct ma_mem data, ctrl;
	static uint8_t copy[NC_SIZE];
	uint64_t all[1] = { ~0ull }, verified = 0;
	long long t0 = mig_now_us();

	ma_read_guest_features(v, &gf);
	ma_mem_alloc(&data, MA_BACK_ANON, NC_SIZE, NULL);
	ma_mem_alloc(&ctrl, MA_BACK_ANON, MIG_CTRL_SIZE, NULL);
	ma_add_slot(vm, MIG_DATA_SLOT, KVM_MEM_LOG_DIRTY_PAGES, MIG_DATA_GPA, NC_SIZE, data.hva);
	ma_add_slot(vm, MIG_CTRL_SLOT, 0, MIG_CTRL_GPA, MIG_CTRL_SIZE, ctrl.hva);
	ma_map(vm, MIG_DATA_GPA, MIG_DATA_GPA, NC_SIZE, MA_MT_NORMAL_NC);
	ma_map(vm, MIG_CTRL_GPA, MIG_CTRL_GPA, MIG_CTRL_SIZE, MA_MT_NORMAL_WB);
	ma_log("guest ID_AA64MMFR2_EL1 = %#llx: FWB %s", (unsigned long long)gf.raw[MA_FEAT_ID_AA64MMFR2_EL1],
	       gf.fwb ? "yes" : "no");
	for (uint64_t gen = 1; gen <= 3; gen++) {
		uint64_t bad, first = 0, uncleaned;
		struct ma_result res;

		/* the guest writes every page through Normal-NC, then DSB SY (guest/common/gen.c) */
		ma_run_agent_done(v, MA_AGENT_GEN_WRITE,
				  MA_ARGS(MIG_DATA_GPA, NC_PAGES, 0, 1, MIG_SEED, MIG_CTRL_GPA, 1, 0), &res,
				  "generation %llu through Normal-NC", (unsigned long long)gen);
		MA_CHECK(res.ret.gen.bad == 0, "the guest's own check: %llu pages off, first at gpa %#llx",
			 (unsigned long long)res.ret.gen.bad, (unsigned long long)res.ret.gen.first_bad_gpa);
		verified += res.ret.gen.verified;
		/* migration's view: the dirty pages, then their copy through the host's mapping */
		ma_verify_dirty_log(vm, MIG_DATA_SLOT, NC_PAGES, all, "after the guest's Normal-NC writes");
		memcpy(copy, data.hva, NC_SIZE);
		uncleaned = compare(copy, gen, &first);
		if (gf.fwb) {
			MA_CHECK(uncleaned == 0,
				 "FWB: the host's cacheable read missed the guest's Normal-NC writes in %llu pages, first at gpa %#llx (generation %llu)",
				 (unsigned long long)uncleaned, (unsigned long long)first,
				 (unsigned long long)gen);
			continue;
		}
		ma_log("memattr-metric name=%s.uncleaned generation=%llu pages_stale=%llu pages=%llu why=not_guaranteed_without_FWB_before_DC_CIVAC",
		       t->name, (unsigned long long)gen, (unsigned long long)uncleaned,
		       (unsigned long long)NC_PAGES);
		mig_arch_dc_civac(data.hva, NC_SIZE);
		memcpy(copy, data.hva, NC_SIZE);
		bad = compare(copy, gen, &first);
		MA_CHECK(bad == 0,
			 "no FWB: after the guest's DSB and the host's DC CIVAC the host's read missed the guest's Normal-NC writes in %llu pages, first at gpa %#llx (generation %llu)",
			 (unsigned long long)bad, (unsigned long long)first, (unsigned long long)gen);
	}
	ma_log("memattr-metric name=%s fwb=%d pages_verified=%llu rounds=3 pages_per_round=%llu wall_ms=%lld",
	       t->name, gf.fwb, (unsigned long long)verified, (unsigned long long)NC_PAGES,
	       (mig_now_us() - t0) / 1000);
}
