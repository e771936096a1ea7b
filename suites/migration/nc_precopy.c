// SPDX-License-Identifier: GPL-2.0
/*
 * migration, arm64: a pre-copy while the guest writes its data through a stage-1 Normal-NC
 * mapping on every vCPU and the host copies the dirty pages through its cacheable mapping, as a
 * VMM's migration does.  With FEAT_S2FWB the combined type is Normal WB (stage 2 forces it), so
 * the plain copy must carry every generation the guest recorded.  Without FWB the guest's stores
 * are Normal-NC and the host's alias is cacheable: the copy is right only after a clean and
 * invalidate of each page to the PoC (migration/nc.c says why), which the pre-copy then does;
 * how many pages of the final round the alias read stale first is a figure.  Either way the
 * destination's guest checks every page.
 */
#include "memattr/guest_features.h"
#include "migration.h"

MA_TEST(migration, nc_precopy_while_guest_writes,
	.req = { .arch = MA_ARCH_ARM64, .sys_caps = { KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 } }, .timeout_s = 90,
	.source = "arch/arm64/kvm/hyp/pgtable.c:stage2_set_prot_attr (KVM_S2_MEMATTR NORMAL, forced WB with FWB) and stage2_map_walker_try_leaf (clean+invalidate to the PoC without FWB), virt/kvm/kvm_main.c:kvm_get_dirty_log_protect and kvm_clear_dirty_log_protect; Arm ARM FEAT_S2FWB, stage-1/stage-2 combining and mismatched memory attributes ("
		  MA_KERNEL_REF ")")
{
	static const struct mig_case c = { .mode = MIG_CLEAR, .kind = MA_BACK_ANON, .mt = MA_MT_NORMAL_NC };
	struct ma_guest_features gf;
	struct mig m = { 0 };

	mig_make_source(&m, &c, MIG_VCPUS);
	ma_read_guest_features(m.src.vm->vcpus[0], &gf);
	m.civac = !gf.fwb;
	ma_log("guest FWB %s: the host copies %s", gf.fwb ? "yes" : "no",
	       gf.fwb ? "with plain reads" : "each page after DC CIVAC");
	mig_precopy(&m, 1500);
	mig_switch_and_verify(&m, t->name);
	ma_log("memattr-metric name=%s.alias fwb=%d final_round_pages=%llu pages_stale_before_civac=%llu why=%s",
	       t->name, gf.fwb, (unsigned long long)m.last_pages, (unsigned long long)m.stale_pages,
	       gf.fwb ? "FWB_no_maintenance_needed" : "not_guaranteed_without_FWB_before_DC_CIVAC");
}
