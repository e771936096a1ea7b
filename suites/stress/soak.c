// SPDX-License-Identifier: GPL-2.0
/*
 * The soak: everything the other stress tests do one at a time, at once, in one VM, for as long as
 * the run asks (-d SECONDS; the soak profile gives it hours).  Five vCPUs:
 *   0  verifies THP memory the host compacts, collapses, splits and (with two nodes) migrates;
 *   1  verifies the second half of a memfd whose first half fio writes and verifies (direct and
 *      mmap'ed I/O), while stress-ng loads the host;
 *   2, 3  increment one counter (the architecture's atomics), which must come out exact;
 *   4  re-reads memory KSM merges (where the host has KSM), never writing it;
 * and another slot is moved, deleted and re-added all the while.  The tools run in rounds of at
 * most 5 minutes, each judged when it ends; the metric line counts every event.
 */
#include "stress.h"

#include "memattr/harness.h"
#include "memattr/kvm.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define THP_SLOT 1
#define THP_GPA MA_TEST_GPA
#define THP_SIZE (4ull << 20)
#define FILE_SLOT 3
#define FILE_GPA (MA_TEST_GPA + (64ull << 20))
#define FILE_SIZE (8ull << 20)	/* fio owns the first half, the guest the second */
#define ATOMIC_SLOT 4
#define ATOMIC_GPA (MA_TEST_GPA + (128ull << 20))
#define ATOMIC_SIZE (2ull << 20)
#define KSM_SLOT 5
#define KSM_GPA (MA_TEST_GPA + (192ull << 20))
#define KSM_SIZE (1ull << 20)
#define KSM_SEED 0x4b534dull
#define TOOL_ROUND_S 300u

/* the flavour every CPU of the architecture has (LSE is optional on arm64) */
#if defined(__aarch64__)
#define SOAK_ATOMIC MA_ATOMIC_LLSC
#else
#define SOAK_ATOMIC MA_ATOMIC_X86_XADD
#endif

/* identical pages, marked mergeable, KSM running: or nothing where the host has no KSM */
static void ksm_begin(struct st_ksm *k, void *hva)
{
	for (uint64_t o = 0; o < KSM_SIZE; o += 8)
		*(volatile uint64_t *)((char *)hva + o) =
			ma_stress_word(KSM_SEED, KSM_GPA + o, MA_STRESS_PAGE_TAG);
	if (st_ksm_read("run") < 0) {
		memset(k, 0, sizeof(*k));
		ma_log("no KSM (/sys/kernel/mm/ksm/run unreadable): vCPU 4 verifies unmerged pages");
		return;
	}
	MA_REQUIRE(!madvise(hva, KSM_SIZE, MADV_MERGEABLE), "madvise(MADV_MERGEABLE): %s",
		   ma_errno_name(errno));
	st_ksm_begin(k, 20);
}

static void start_lanes(struct ma_stress_run *r)
{
	ma_stress_run_start(r, 0, MA_AGENT_STRESS_VERIFY,
			    MA_ARGS(THP_GPA, THP_SIZE, MA_STRESS_CTRL_GPA, 0x5000, 0));
	ma_stress_run_start(r, 1, MA_AGENT_STRESS_VERIFY,
			    MA_ARGS(FILE_GPA + FILE_SIZE / 2, FILE_SIZE / 2, MA_STRESS_CTRL_GPA, 0x6000, 0));
	for (unsigned int i = 2; i < 4; i++)
		ma_stress_run_start(r, i, MA_AGENT_STRESS_ATOMIC,
				    MA_ARGS(ATOMIC_GPA, SOAK_ATOMIC, MA_STRESS_CTRL_GPA));
	ma_stress_run_start(r, 4, MA_AGENT_STRESS_VERIFY,
			    MA_ARGS(KSM_GPA, KSM_SIZE, MA_STRESS_CTRL_GPA, KSM_SEED,
				    MA_STRESS_PAGE_TAG | MA_STRESS_CHECK_ONLY));
}

MA_TEST(stress, soak, .duration_s = 6, .timeout_s = 240,
	.req = { .min_cpus = 2, .root = true },
	.source = "virt/kvm/kvm_main.c (the MMU notifiers, memslot updates), mm/ksm.c, mm/migrate.c, mm/compaction.c, mm/khugepaged.c: every guest mapping stays current and every guest write lands exactly once while the host does all of these at once, for hours ("
		  MA_KERNEL_REF ")")
{
	unsigned int secs = ma_duration_s(t);
	struct ma_vm *vm = ma_test_vm(5);
	struct ma_mem *thp = ma_test_mem(vm, THP_SLOT, THP_GPA, THP_SIZE, MA_BACK_ANON_THP, MA_MT_NORMAL_WB);
	struct ma_mem *file = ma_test_mem(vm, FILE_SLOT, FILE_GPA, FILE_SIZE, MA_BACK_MEMFD, MA_MT_NORMAL_WB);
	struct ma_mem *ctr = ma_test_mem(vm, ATOMIC_SLOT, ATOMIC_GPA, ATOMIC_SIZE, MA_BACK_ANON_THP,
					 MA_MT_NORMAL_WB);
	struct ma_mem *ksm = ma_test_mem(vm, KSM_SLOT, KSM_GPA, KSM_SIZE, MA_BACK_ANON, MA_MT_NORMAL_WB);
	char target[64], ev[400], load[800], vm_delta[600];
	uint64_t ops, errors, increments;
	struct st_vmstat v0, v1;
	struct st_ksm k;
	long long merged_max = 0;
	struct st_events e;
	struct st_load l;
	struct ma_stress_run r;

	snprintf(target, sizeof(target), "/proc/%d/fd/%d", (int)getpid(), file->fd);
	ksm_begin(&k, ksm->hva);
	st_events_init(&e, vm, thp->hva, THP_SIZE, true, true);
	st_load_start(&l, target, FILE_SIZE / 2, secs, TOOL_ROUND_S);
	ma_stress_run_init(&r, vm, t->name, secs);
	st_vmstat_read(&v0);
	start_lanes(&r);
	while (ma_stress_run_tick(&r)) {
		/* this process's merged pages: vCPU 4's (stress-ng's own count in pages_sharing) */
		long long sharing = k.present ? st_read_num("/proc/self/ksm_merging_pages") : 0;

		if (sharing > merged_max)
			merged_max = sharing;
		st_events_tick(&e);
		st_load_poll(&l);
		st_events_log(&e, ev, sizeof(ev));
		snprintf(r.load, sizeof(r.load), "ksm_merging=%lld stressng_rounds=%u fio_rounds=%u %s",
			 sharing, l.sng_rounds, l.fio_rounds, ev);
		usleep(100000);
	}
	ma_stress_run_stop(&r);
	st_vmstat_read(&v1);
	st_load_finish(&l);
	ma_stress_run_judge(&r, &ops, &errors);
	increments = 0;
	for (unsigned int i = 2; i < 4; i++)	/* as the judge counted them: finished lanes only */
		if (r.w[i].res.outcome == MA_OUT_DONE && !r.w[i].stalled)
			increments += r.w[i].res.ret.stress.ops;
	if (r.w[2].res.outcome == MA_OUT_DONE && r.w[3].res.outcome == MA_OUT_DONE)
		MA_CHECK(*(volatile uint64_t *)ctr->hva == increments,
			 "the counter holds %llu after %llu increments on vCPUs 2 and 3",
			 (unsigned long long)*(volatile uint64_t *)ctr->hva, (unsigned long long)increments);
	st_events_judge(&e);
	if (k.present)
		MA_CHECK(merged_max > 0,
			 "KSM merged none of vCPU 4's identical pages in %.1f s (/proc/self/ksm_merging_pages)",
			 r.elapsed);
	MA_CHECK(ops - increments >= 2 * (THP_SIZE + FILE_SIZE / 2 + KSM_SIZE) / 4096,
		 "too little happened to judge: %llu pages verified in %.1f s",
		 (unsigned long long)(ops - increments), r.elapsed);
	st_events_log(&e, ev, sizeof(ev));
	st_load_describe(&l, load, sizeof(load));
	st_vmstat_delta(&v0, &v1, vm_delta, sizeof(vm_delta));
	ma_log("memattr-metric name=stress.soak seconds=%.2f vcpus=5 pages_verified=%llu increments=%llu errors=%llu ksm_merging_pages_max=%lld ksm_full_scans=%lld vcpu_cpu_s=%.1f,%.1f,%.1f,%.1f,%.1f %s %s %s",
	       r.elapsed, (unsigned long long)(ops - increments), (unsigned long long)increments,
	       (unsigned long long)errors, merged_max, k.present ? st_ksm_read("full_scans") - k.scans0 : 0,
	       r.w[0].cpu_s, r.w[1].cpu_s, r.w[2].cpu_s, r.w[3].cpu_s, r.w[4].cpu_s, ev, load, vm_delta);
	st_ksm_end(&k);
}
