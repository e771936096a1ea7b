/* SPDX-License-Identifier: GPL-2.0 */
/* gmem, x86_64: the private-memory VM and slot the conversion tests share. */
#ifndef MEMATTR_GMEM_PRIVATE_VM_H
#define MEMATTR_GMEM_PRIVATE_VM_H

#include "memattr/gmem.h"
#include "memattr/harness.h"
#include "memattr/kvm.h"

#define GPA MA_TEST_GPA
#define PG MA_PAGE_SIZE
#define NOSLOT_GPA (GPA + (256ull << 20))	/* a range with no memslot */

/* A KVM_X86_SW_PROTECTED_VM with n vCPUs, or a skip naming what KVM_CAP_VM_TYPES offers. */
struct ma_vm *protected_vm(unsigned int n);
/*
 * Slot 1 at GPA over size bytes: shared anonymous memory (returned) and a guest_memfd without
 * flags (*gmem: private only, as 7.2 offers it to this VM type), identity-mapped Normal-WB.
 */
uint64_t *private_slot(struct ma_vm *vm, uint64_t size, int *gmem);

/* the GPA of data page p's conversion word, and the host's view of it in the shared memory */
static inline uint64_t word_gpa(uint64_t p)
{
	return GPA + p * PG + ma_convert_word_off(p);
}

static inline volatile uint64_t *host_word(uint64_t *hva, uint64_t p)
{
	return (volatile uint64_t *)((char *)hva + (word_gpa(p) - GPA));
}

#endif
