// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the kernel-health reader: which log lines are problems, taint letters. */
#include <string.h>

#include "kernel_health.h"
#include "memattr/harness.h"
#include "memattr/util.h"

MA_TEST(unit, kernel_health_problem_lines, .req = { .no_kvm = true },
	.source = "kernel/panic.c:__warn, lib/bug.c, kernel/locking/lockdep.c, mm/kasan/report.c ("
		  MA_KERNEL_REF ")")
{
	static const char *const problems[] = {
		"WARNING: CPU: 1 PID: 243 at arch/arm64/kvm/pkvm.c:412 pkvm_pgtable_stage2_map+0x1c8/0x220",
		"BUG: unable to handle page fault for address: ffff888000000000",
		"Oops: general protection fault, probably for non-canonical address 0xdead: 0000 [#1] SMP",
		"kernel BUG at mm/huge_memory.c:2801!",
		"Internal error: Oops: 0000000096000004 [#1] SMP",
		"WARNING: possible circular locking dependency detected",
		"BUG: KASAN: slab-use-after-free in kvm_mmu_notifier_invalidate_range_start+0x3c/0x90",
		"BUG: KFENCE: out-of-bounds read in __kvm_set_memory_region+0x2a8/0x5c0",
		"UBSAN: shift-out-of-bounds in arch/x86/kvm/mmu/mmu.c:3120:20",
		"rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:",
		"INFO: task memattr-pfnmap:311 blocked for more than 120 seconds.",
		"watchdog: BUG: soft lockup - CPU#0 stuck for 26s! [qemu:123]",
		"BUG: Bad page state in process memattr-memslot  pfn:1a2b3",
		"refcount_t: underflow; use-after-free.",
	};
	static const char *const benign[] = {
		"memattr_carveout: loading out-of-tree module taints kernel.",
		"kvm [241]: vcpu0, guest rIP: 0xfff0 disabled perfctr wrmsr: 0xc2 data 0xffff",
		"hugetlbfs: memattr-memslot (312): Using mlock ulimits for SHM_HUGETLB is obsolete",
		"kvm: exiting hardware virtualization",
	};

	for (size_t i = 0; i < MA_ARRAY_SIZE(problems); i++)
		MA_CHECK(ma_health_problem_line(problems[i]), "not seen as a problem: %s", problems[i]);
	for (size_t i = 0; i < MA_ARRAY_SIZE(benign); i++)
		MA_CHECK(!ma_health_problem_line(benign[i]), "seen as a problem: %s", benign[i]);
}

MA_TEST(unit, kernel_health_taint_letters, .req = { .no_kvm = true },
	.source = "kernel/panic.c:taint_flags: bit 9 W, 12 O, 13 E, 0 P, 18 N (" MA_KERNEL_REF ")")
{
	char b[128];

	MA_CHECK(!strcmp(ma_taint_letters((1ul << 9) | (1ul << 12) | (1ul << 13), b, sizeof(b)),
			 "W(9) O(12) E(13)"),
		 "got '%s'", b);
	MA_CHECK(!strcmp(ma_taint_letters(1ul | (1ul << 18), b, sizeof(b)), "P(0) N(18)"), "got '%s'", b);
	MA_CHECK(!strcmp(ma_taint_letters(0, b, sizeof(b)), ""), "got '%s'", b);
}
