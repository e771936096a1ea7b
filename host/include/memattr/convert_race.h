/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86_64: the private-memory VM, and conversions racing with guest accesses (convert_race.c).  The
 * gmem suite runs the race alone, the stress suite under stress-ng and fio.  Semantics of Linux 7.2:
 * virt/kvm/kvm_main.c:kvm_vm_set_mem_attributes, virt/kvm/guest_memfd.c:kvm_gmem_punch_hole.
 */
#ifndef MEMATTR_CONVERT_RACE_H
#define MEMATTR_CONVERT_RACE_H

#include <stdbool.h>
#include <stdint.h>

#include "memattr/kvm.h"

/* A KVM_X86_SW_PROTECTED_VM with n vCPUs, or a skip naming what KVM_CAP_VM_TYPES offers. */
struct ma_vm *ma_private_vm(unsigned int n);

/*
 * Memslot slot at gpa over size bytes: shared anonymous memory (returned) and a guest_memfd without
 * flags (*gmem: private only, as 7.2 offers it to this VM type), identity-mapped Normal-WB.
 */
uint64_t *ma_private_slot(struct ma_vm *vm, uint32_t slot, uint64_t gpa, uint64_t size, int *gmem);

/* The GPA of data page p's conversion word in a region at base (ma_convert_word_off). */
static inline uint64_t ma_convert_word_gpa(uint64_t base, uint64_t p)
{
	return base + p * MA_PAGE_SIZE + ma_convert_word_off(p);
}

/* Where the race keeps its control page and its range without a memslot, from the data's gpa. */
#define MA_CONVERT_RACE_CTRL_OFF (64ull << 20)
#define MA_CONVERT_RACE_NOSLOT_OFF (256ull << 20)

/*
 * The race: every vCPU of vm (made by ma_private_vm) reads every page of a private-capable slot at
 * gpa over and over (MA_AGENT_CONVERT_WATCH) while a host thread converts pages between shared and
 * private, punches holes in the guest_memfd and converts a range without a memslot
 * (gpa + MA_CONVERT_RACE_NOSLOT_OFF).  Slots 1 (data) and 2 (control, gpa +
 * MA_CONVERT_RACE_CTRL_OFF) are the race's.
 */
struct ma_convert_race;

struct ma_convert_race_stats {
	double seconds;
	unsigned int vcpus;
	uint64_t conversions, punches, noslot, verified, busy, raced, fault_exits, errors;
};

/* Set up the slots, let the guest write private data to every page and start the race for seconds. */
struct ma_convert_race *ma_convert_race_start(struct ma_vm *vm, uint64_t gpa, unsigned int seconds);
/* Whether the converter is still converting. */
bool ma_convert_race_running(struct ma_convert_race *r);
/*
 * Wait for the race to end and judge it: a failed conversion call is fatal, a vCPU that did not
 * finish or read a wrong value fails the test, and so does a race with too little in it to judge.
 * stats gets the figures (also logged as a memattr-metric line named name); r is freed.
 */
void ma_convert_race_finish(struct ma_convert_race *r, const char *name, struct ma_convert_race_stats *stats);

#endif
