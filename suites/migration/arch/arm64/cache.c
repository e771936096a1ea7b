// SPDX-License-Identifier: GPL-2.0
/* migration suite, arm64: cache maintenance by VA from EL0 (Linux sets SCTLR_EL1.UCI). */
#include <stdint.h>

#include "../../migration.h"

void mig_arch_dc_civac(const void *p, uint64_t len)
{
	uint64_t ctr, line;
	uintptr_t a, end = (uintptr_t)p + len;

	__asm__ volatile("mrs %0, ctr_el0" : "=r"(ctr));
	line = 4ull << ((ctr >> 16) & 0xf); /* CTR_EL0.DminLine: log2 of words */
	for (a = (uintptr_t)p & ~(uintptr_t)(line - 1); a < end; a += line)
		__asm__ volatile("dc civac, %0" : : "r"(a) : "memory");
	__asm__ volatile("dsb sy" ::: "memory");
}
