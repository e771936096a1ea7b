/* SPDX-License-Identifier: GPL-2.0 */
/* gmem, x86_64: where the conversion tests put the private-memory slot (memattr/convert_race.h). */
#ifndef MEMATTR_GMEM_PRIVATE_VM_H
#define MEMATTR_GMEM_PRIVATE_VM_H

#include "memattr/convert_race.h"
#include "memattr/gmem.h"
#include "memattr/harness.h"
#include "memattr/kvm.h"

#define GPA MA_TEST_GPA
#define PG MA_PAGE_SIZE
#define NOSLOT_GPA (GPA + MA_CONVERT_RACE_NOSLOT_OFF)	/* a range with no memslot */

/* the GPA of data page p's conversion word, and the host's view of it in the shared memory */
static inline uint64_t word_gpa(uint64_t p)
{
	return ma_convert_word_gpa(GPA, p);
}

static inline volatile uint64_t *host_word(uint64_t *hva, uint64_t p)
{
	return (volatile uint64_t *)((char *)hva + (word_gpa(p) - GPA));
}

#endif
