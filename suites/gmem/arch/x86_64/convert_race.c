// SPDX-License-Identifier: GPL-2.0
/*
 * gmem, x86_64: conversions racing with guest accesses (memattr/convert_race.h).  vCPUs read every
 * page of a private-capable slot over and over while a host thread converts pages between shared
 * and private, punches holes in guest_memfd, and converts a range that has no memslot.  It runs
 * for 3 s, or the suite's -d SECONDS; the stress suite runs the same race under stress-ng and fio.
 */
#include <unistd.h>

#include "private_vm.h"

MA_TEST(gmem, convert_race_no_stale_data, .req = { .arch = MA_ARCH_X86_64, .min_cpus = 2 },
	.duration_s = 3, .timeout_s = 120,
	.source = "virt/kvm/kvm_main.c:kvm_vm_set_mem_attributes zaps the range's mappings (kvm_arch_pre_set_memory_attributes, under mmu_invalidate_begin) before it returns, and virt/kvm/guest_memfd.c:kvm_gmem_punch_hole zaps before truncating: once either has returned no vCPU can see the old side ("
		  MA_KERNEL_REF ")")
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct ma_vm *vm = ma_private_vm(cpus > 3 ? 3 : 2);
	struct ma_convert_race_stats s;

	ma_convert_race_finish(ma_convert_race_start(vm, GPA, ma_duration_s(t)), "gmem.convert_race", &s);
}
