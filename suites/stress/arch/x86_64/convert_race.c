// SPDX-License-Identifier: GPL-2.0
/*
 * stress, x86_64: the gmem suite's conversion race (memattr/convert_race.h) while stress-ng and
 * fio load the host, fio on a memfd that backs another slot of the same VM.  Every read the
 * guest judged must have returned what the host published after its conversion, under load.
 */
#include <stdio.h>
#include <unistd.h>

#include "../../stress.h"

#include "memattr/convert_race.h"
#include "memattr/harness.h"
#include "memattr/kvm.h"

#define RACE_GPA MA_TEST_GPA			/* slots 1 and 2, and a range without a slot */
#define FIO_GPA (MA_TEST_GPA + (128ull << 20))	/* slot 3: the memfd fio works on */
#define FIO_SIZE (4ull << 20)

MA_TEST(stress, convert_race_under_tool_load, .duration_s = 4, .timeout_s = 180,
	.req = { .arch = MA_ARCH_X86_64, .min_cpus = 2, .root = true },
	.source = "virt/kvm/kvm_main.c:kvm_vm_set_mem_attributes zaps the range's mappings before it returns and virt/kvm/guest_memfd.c:kvm_gmem_punch_hole zaps before truncating, whatever else the host does: a conversion that returned is final for every vCPU under memory pressure and CPU load too ("
		  MA_KERNEL_REF ")")
{
	unsigned int s = ma_duration_s(t);
	struct ma_vm *vm = ma_private_vm(2);
	struct ma_mem *m = ma_test_mem(vm, 3, FIO_GPA, FIO_SIZE, MA_BACK_MEMFD, MA_MT_NORMAL_WB);
	struct ma_convert_race_stats rs;
	struct ma_convert_race *race;
	struct st_vmstat v0, v1;
	char target[64], load[800], vm_delta[600];
	struct st_load l;

	snprintf(target, sizeof(target), "/proc/%d/fd/%d", (int)getpid(), m->fd);
	st_load_start(&l, target, FIO_SIZE, s, 0);
	st_vmstat_read(&v0);
	race = ma_convert_race_start(vm, RACE_GPA, s);
	while (ma_convert_race_running(race)) {
		st_load_poll(&l);
		usleep(200000);
	}
	ma_convert_race_finish(race, "stress.convert_race_load", &rs);
	st_vmstat_read(&v1);
	st_load_finish(&l);
	st_load_describe(&l, load, sizeof(load));
	st_vmstat_delta(&v0, &v1, vm_delta, sizeof(vm_delta));
	ma_log("memattr-metric name=stress.convert_race_load_host seconds=%.2f conversions=%llu errors=%llu %s %s",
	       rs.seconds, (unsigned long long)rs.conversions, (unsigned long long)rs.errors, load, vm_delta);
}
