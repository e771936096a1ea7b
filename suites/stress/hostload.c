// SPDX-License-Identifier: GPL-2.0
/*
 * Guests verify their memory while the host is loaded by stress-ng (vm, mmap, memfd, madvise, cpu;
 * numa where there are two nodes) and by fio doing O_DIRECT and mmap'ed I/O, with fio's own verify,
 * on the very memfd that backs the guest's memory (the part of it the guest does not own).
 */
#include "stress.h"

#include "memattr/harness.h"
#include "memattr/kvm.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define FILE_SIZE (8ull << 20) /* the memfd: fio owns the first half, the guest the second */
#define FIO_SIZE (4ull << 20)
#define GUEST_SIZE (FILE_SIZE - FIO_SIZE)

MA_TEST(stress, verify_under_tool_load, .duration_s = 4, .timeout_s = 180,
	.req = { .min_cpus = 2, .root = true },
	.source = "virt/kvm/kvm_main.c: a memslot over a memfd keeps mapping the file's pages while other processes do direct and mmap'ed I/O on the same file and the host runs out of idle CPU and free memory ("
		  MA_KERNEL_REF ")")
{
	unsigned int s = ma_duration_s(t);
	struct st_vmstat v0, v1;
	char target[64], load[800], vm_delta[600];
	uint64_t ops, errors;
	struct st_load l;
	struct ma_stress_run r;

	struct ma_vm *vm = ma_test_vm(2);
	struct ma_mem *m = ma_test_mem(vm, 1, MA_TEST_GPA, FILE_SIZE, MA_BACK_MEMFD, MA_MT_NORMAL_WB);

	snprintf(target, sizeof(target), "/proc/%d/fd/%d", (int)getpid(), m->fd);
	st_load_start(&l, target, FIO_SIZE, s, 0);
	ma_stress_run_init(&r, vm, t->name, s);
	st_vmstat_read(&v0);
	for (unsigned int i = 0; i < 2; i++)
		ma_stress_run_start(&r, i, MA_AGENT_STRESS_VERIFY,
				    MA_ARGS(MA_TEST_GPA + FIO_SIZE + i * GUEST_SIZE / 2, GUEST_SIZE / 2,
					    MA_STRESS_CTRL_GPA, 0x100 * (i + 1), 0));
	while (ma_stress_run_tick(&r)) {
		snprintf(r.load, sizeof(r.load), "load=stress-ng,fio");
		usleep(200000);
	}
	ma_stress_run_stop(&r);
	st_vmstat_read(&v1);
	st_load_finish(&l);
	ma_stress_run_judge(&r, &ops, &errors);
	MA_CHECK(ops >= 2 * GUEST_SIZE / 4096, "too little happened to judge: %llu pages verified in %.1f s",
		 (unsigned long long)ops, r.elapsed);
	st_load_describe(&l, load, sizeof(load));
	st_vmstat_delta(&v0, &v1, vm_delta, sizeof(vm_delta));
	ma_log("memattr-metric name=stress.tool_load seconds=%.2f vcpus=2 pages_verified=%llu pages_per_s=%.0f errors=%llu %s %s",
	       r.elapsed, (unsigned long long)ops, ops / r.elapsed, (unsigned long long)errors, load,
	       vm_delta);
}
