// SPDX-License-Identifier: GPL-2.0
/*
 * Guests verify their memory while the host merges it (KSM), migrates it between NUMA nodes, or
 * reclaims it under a memory cgroup limit.  Each needs something a host may lack (KSM, two nodes,
 * swap): without it the test skips, naming what it found.
 */
#include "stress.h"

#include "memattr/harness.h"
#include "memattr/kvm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KSM_SIZE (2ull << 20)

MA_TEST(stress, ksm_merged_pages_verify, .duration_s = 4, .timeout_s = 90,
	.req = { .min_cpus = 2, .root = true },
	.source = "mm/ksm.c:replace_page and the MMU notifiers: a guest reads the same data from a page KSM merged, and its write breaks the merge (COW) without touching the other sharers ("
		  MA_KERNEL_REF ")")
{
	long long sharing_max = 0, sharing;
	struct st_ksm k;
	uint64_t half = KSM_SIZE / 2, ops, errors, seed = 0x4b534d;
	struct ma_vm *vm;
	struct ma_mem *m;
	struct ma_stress_run r;

	if (st_ksm_read("run") < 0)
		ma_skip("no KSM: /sys/kernel/mm/ksm/run unreadable (%s)", ma_errno_name(errno));
	vm = ma_test_vm(2);
	m = ma_test_mem(vm, 1, MA_TEST_GPA, KSM_SIZE, MA_BACK_ANON, MA_MT_NORMAL_WB);
	for (uint64_t o = 0; o < KSM_SIZE; o += 8)
		*(volatile uint64_t *)((char *)m->hva + o) =
			ma_stress_word(seed, MA_TEST_GPA + o, MA_STRESS_PAGE_TAG);
	MA_REQUIRE(!madvise(m->hva, KSM_SIZE, MADV_MERGEABLE), "madvise(MADV_MERGEABLE): %s",
		   ma_errno_name(errno));
	MA_REQUIRE(st_ksm_begin(&k, 10), "KSM went away");
	ma_stress_run_init(&r, vm, t->name, ma_duration_s(t));
	/* vCPU 0 only reads its half (it stays merged), vCPU 1 rewrites its half (COW, and re-merges) */
	ma_stress_run_start(&r, 0, MA_AGENT_STRESS_VERIFY,
			    MA_ARGS(MA_TEST_GPA, half, MA_STRESS_CTRL_GPA, seed,
				    MA_STRESS_PAGE_TAG | MA_STRESS_CHECK_ONLY));
	ma_stress_run_start(&r, 1, MA_AGENT_STRESS_VERIFY,
			    MA_ARGS(MA_TEST_GPA + half, half, MA_STRESS_CTRL_GPA, seed,
				    MA_STRESS_PAGE_TAG | MA_STRESS_FIRST_CHECK));
	while (ma_stress_run_tick(&r)) {
		sharing = st_ksm_read("pages_sharing");
		if (sharing > sharing_max)
			sharing_max = sharing;
		snprintf(r.load, sizeof(r.load), "ksm_pages_sharing=%lld", sharing);
		usleep(100000);
	}
	ma_stress_run_stop(&r);
	ma_stress_run_judge(&r, &ops, &errors);
	ma_log("memattr-metric name=stress.ksm seconds=%.2f vcpus=2 pages_verified=%llu errors=%llu ksm_pages_sharing_max=%lld ksm_full_scans=%lld ksm_pages_shared=%lld",
	       r.elapsed, (unsigned long long)ops, (unsigned long long)errors, sharing_max,
	       st_ksm_read("full_scans") - k.scans0, st_ksm_read("pages_shared"));
	MA_CHECK(sharing_max > 0,
		 "KSM merged none of the guest's identical pages in %.1f s (%lld full scans)", r.elapsed,
		 st_ksm_read("full_scans") - k.scans0);
	MA_CHECK(ops >= 2 * KSM_SIZE / 4096, "too little happened to judge: %llu pages verified",
		 (unsigned long long)ops);
	st_ksm_end(&k);
}

#define NUMA_SIZE (4ull << 20)

MA_TEST(stress, numa_migrated_pages_verify, .duration_s = 3, .timeout_s = 90,
	.req = { .min_cpus = 2, .root = true },
	.source = "mm/migrate.c:move_pages and the MMU notifiers: a guest keeps reading what it wrote while its pages move between NUMA nodes ("
		  MA_KERNEL_REF ")")
{
	unsigned int nodes = st_numa_nodes();
	uint64_t ops, errors, moved = 0, calls = 0;
	struct st_vmstat v0, v1;
	char vm_delta[600];
	struct ma_stress_run r;

	if (nodes < 2)
		ma_skip("%u NUMA node (/sys/devices/system/node): nowhere to migrate to", nodes);
	struct ma_vm *vm = ma_test_vm(2);
	struct ma_mem *m = ma_test_mem(vm, 1, MA_TEST_GPA, NUMA_SIZE, MA_BACK_ANON, MA_MT_NORMAL_WB);

	ma_stress_run_init(&r, vm, t->name, ma_duration_s(t));
	st_vmstat_read(&v0);
	for (unsigned int i = 0; i < 2; i++)
		ma_stress_run_start(&r, i, MA_AGENT_STRESS_VERIFY,
				    MA_ARGS(MA_TEST_GPA + i * NUMA_SIZE / 2, NUMA_SIZE / 2,
					    MA_STRESS_CTRL_GPA, 0x77 * (i + 1), 0));
	while (ma_stress_run_tick(&r)) {
		moved += st_move_pages(m->hva, NUMA_SIZE, calls);
		calls++;
		snprintf(r.load, sizeof(r.load), "move_pages=%llu pages_on_target=%llu",
			 (unsigned long long)calls, (unsigned long long)moved);
		usleep(50000);
	}
	ma_stress_run_stop(&r);
	st_vmstat_read(&v1);
	ma_stress_run_judge(&r, &ops, &errors);
	st_vmstat_delta(&v0, &v1, vm_delta, sizeof(vm_delta));
	ma_log("memattr-metric name=stress.numa_migrate seconds=%.2f vcpus=2 nodes=%u pages_verified=%llu errors=%llu move_pages_calls=%llu pages_on_target=%llu %s",
	       r.elapsed, nodes, (unsigned long long)ops, (unsigned long long)errors,
	       (unsigned long long)calls, (unsigned long long)moved, vm_delta);
	MA_CHECK(st_vmstat_get(&v1, "pgmigrate_success") > st_vmstat_get(&v0, "pgmigrate_success"),
		 "no page migrated (pgmigrate_success unchanged) after %llu move_pages calls",
		 (unsigned long long)calls);
}

static long long swap_total_kb(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[128];
	long long kb = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "SwapTotal: %lld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

#define CG "/sys/fs/cgroup"

MA_TEST(stress, memcg_reclaimed_pages_verify, .duration_s = 3, .timeout_s = 90,
	.req = { .min_cpus = 2, .root = true },
	.source = "mm/vmscan.c (memory.reclaim) and the MMU notifiers: pages reclaimed from a guest's memory come back with what the guest wrote ("
		  MA_KERNEL_REF ")")
{
	long long swap = swap_total_kb();
	char dir[96], path[160], pid[32];
	uint64_t ops, errors, reclaims = 0, partial = 0;
	struct st_vmstat v0, v1;
	char vm_delta[600];
	struct ma_stress_run r;
	int rc;

	if (swap <= 0)
		ma_skip("no swap (SwapTotal %lld kB): anonymous and shared memory cannot be reclaimed", swap);
	if (access(CG "/cgroup.controllers", F_OK))
		mount("cgroup2", CG, "cgroup2", 0, NULL);
	if (access(CG "/cgroup.controllers", F_OK))
		ma_skip("no cgroup2 at %s (%s)", CG, ma_errno_name(errno));
	st_write_file(CG "/cgroup.subtree_control", "+memory");
	snprintf(dir, sizeof(dir), CG "/memattr-stress-%d", (int)getpid());
	MA_REQUIRE(!mkdir(dir, 0755) || errno == EEXIST, "mkdir %s: %s", dir, ma_errno_name(errno));
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	rc = st_write_file(path, pid);
	MA_REQUIRE(!rc, "moving the test into %s: %s", dir, ma_errno_name(-rc));
	struct ma_vm *vm = ma_test_vm(2);
	struct ma_mem *m = ma_test_mem(vm, 1, MA_TEST_GPA, NUMA_SIZE, MA_BACK_ANON, MA_MT_NORMAL_WB);

	(void)m;
	snprintf(path, sizeof(path), "%s/memory.reclaim", dir);
	ma_stress_run_init(&r, vm, t->name, ma_duration_s(t));
	st_vmstat_read(&v0);
	for (unsigned int i = 0; i < 2; i++)
		ma_stress_run_start(&r, i, MA_AGENT_STRESS_VERIFY,
				    MA_ARGS(MA_TEST_GPA + i * NUMA_SIZE / 2, NUMA_SIZE / 2,
					    MA_STRESS_CTRL_GPA, 0x99 * (i + 1), 0));
	while (ma_stress_run_tick(&r)) {
		/* EAGAIN: less than 4M could be reclaimed this time (mm/memcontrol.c:memory_reclaim) */
		rc = st_write_file(path, "4M");
		if (!rc)
			reclaims++;
		else if (rc == -EAGAIN)
			partial++;
		else
			break;
		usleep(100000);
	}
	ma_stress_run_stop(&r);
	st_vmstat_read(&v1);
	ma_stress_run_judge(&r, &ops, &errors);
	st_vmstat_delta(&v0, &v1, vm_delta, sizeof(vm_delta));
	ma_log("memattr-metric name=stress.memcg_reclaim seconds=%.2f vcpus=2 pages_verified=%llu errors=%llu reclaims=%llu reclaims_partial=%llu %s",
	       r.elapsed, (unsigned long long)ops, (unsigned long long)errors, (unsigned long long)reclaims,
	       (unsigned long long)partial, vm_delta);
	MA_CHECK(rc == 0 || rc == -EAGAIN, "writing 4M to %s: %s", path, ma_errno_name(-rc));
	MA_CHECK(st_vmstat_get(&v1, "pswpout") > st_vmstat_get(&v0, "pswpout"),
		 "no page went to swap (pswpout unchanged) after %llu reclaims (%llu partial)",
		 (unsigned long long)reclaims, (unsigned long long)partial);
}
