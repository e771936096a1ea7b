// SPDX-License-Identifier: GPL-2.0
/*
 * pfnmap under load: two vCPUs keep verifying generation-tagged patterns over a PFNMAP slot
 * (MA_AGENT_STRESS_VERIFY, watched by host/stress_run.c) while the host maps the same pages again
 * at the same address over and over (mmap MAP_FIXED: the old VMA goes, with an MMU-notifier
 * invalidation of the slot's stage-2 mappings, and the next guest access refaults through the
 * new VMA) and compacts memory.  The pfns do not change, so no data may: every pass must read
 * what the previous pass wrote.  Runs for 2 s, or the suite's -d SECONDS.
 */
#include "pfnmap.h"

#include "memattr/stress_run.h"

#include <stdio.h>
#include <unistd.h>

static const struct ma_variant sources[] = { PFN_SHARED_SOURCE_VARIANTS };

static int compact(void)
{
	FILE *f = fopen("/proc/sys/vm/compact_memory", "we");
	int ok = f && fputs("1", f) >= 0;

	if (f && fclose(f))
		ok = 0;
	return ok;
}

MA_TEST(pfnmap, verify_under_remap_and_compaction, MA_VARIANTS(sources), .duration_s = 2, .timeout_s = 90,
	.req = { .root = true, .min_cpus = 2 },
	.source = "mm/mmap.c (MAP_FIXED replaces the VMA) -> virt/kvm/kvm_main.c:kvm_mmu_notifier_invalidate_range_start; the refault maps the same pfns again (hva_to_pfn_remapped): guest data survives every remap, Linux "
		  MA_KERNEL_REF)
{
	const struct src_case *c = t->param;
	struct ma_vm *vm = ma_test_vm(2);
	uint64_t half = PFN_SIZE / 2, ops, errors, remaps = 0, compactions = 0;
	struct ma_stress_run r;
	struct ma_pfnmap p;
	int err = 0;

	pfn_open(c, PFN_SIZE, NULL, &p);
	pfn_add_slot(vm, 1, SLOT_GPA, &p);
	pfn_guest_access_or_end(vm, vm->vcpus[0], &p, SLOT_GPA);
	ma_map(vm, SLOT_GPA, SLOT_GPA, PFN_SIZE, p.cacheable ? MA_MT_NORMAL_WB : MA_MT_DEVICE_nGnRE);
	ma_stress_run_init(&r, vm, t->name, ma_duration_s(t));
	for (unsigned int i = 0; i < 2; i++)
		ma_stress_run_start(&r, i, MA_AGENT_STRESS_VERIFY,
				    MA_ARGS(SLOT_GPA + i * half, half, MA_STRESS_CTRL_GPA, 0x3100 * (i + 1),
					    0));
	while (ma_stress_run_tick(&r)) {
		err = ma_try_pfnmap_map(&p, p.hva);
		if (err)
			break;
		remaps++;
		compactions += compact();
		snprintf(r.load, sizeof(r.load), "remaps=%llu compactions=%llu", (unsigned long long)remaps,
			 (unsigned long long)compactions);
		usleep(50000);
	}
	ma_stress_run_stop(&r);
	MA_CHECK(!err, "mapping %s again at %p (MAP_FIXED): %s", ma_pfnmap_name(c->kind), p.hva,
		 ma_errno_name(-err));
	ma_stress_run_judge(&r, &ops, &errors);
	MA_CHECK(remaps > 0, "the source was never mapped again");
	MA_CHECK(ops >= 2 * PFN_SIZE / 4096, "too little happened to judge: %llu pages verified in %.1f s",
		 (unsigned long long)ops, r.elapsed);
	ma_log("memattr-metric name=pfnmap.under_remap.%s seconds=%.2f vcpus=2 pages_verified=%llu pages_per_s=%.0f errors=%llu remaps=%llu compactions=%llu",
	       t->variant->name, r.elapsed, (unsigned long long)ops, ops / r.elapsed,
	       (unsigned long long)errors, (unsigned long long)remaps, (unsigned long long)compactions);
	ma_pfnmap_close(&p);
}
