// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 guest: make the stage-1 tables reachable before the MMU walks them.
 *
 * The host builds the stage-1 tables (4 KiB granule, 4 levels, identity map) and enters the guest
 * with SCTLR_EL1.M clear the first time; _start calls ma_arm64_prime_tables() and only then sets
 * M, C and I.  The prime step reads every table page once with ordinary loads, so that each has a
 * stage-2 mapping before the table walker needs it.  Reason, observed in the lab's
 * `-cpu cortex-a57` cell (Linux 7.2.13 nVHE, QEMU 10.0.2 TCG, host kernel reports ARM erratum
 * 834220): a guest entered with the MMU on and unprimed tables never gets past its first
 * instruction (no exit to user space, no guest exception), while ordinary loads of the same pages
 * are resolved normally.  Likely cause: with the 834220 workaround KVM's hyp resolves a stage-2
 * fault's IPA with AT S1E1R and re-enters the guest when that fails, which it keeps doing while the
 * table pages themselves are unmapped.  max, neoverse-n1, cortex-a72 and cortex-a53 do not need
 * this.  The step runs on every agent start (MMU off the first time, on afterwards) because the
 * host may have added tables in between; it costs a few thousand loads.
 */
#include "memattr/guest.h"

#define DESC_VALID_TABLE	3ull			/* bits [1:0] of a table descriptor */
#define DESC_ADDR_MASK		0x0000fffffffff000ull
#define LEVELS			4

/* Called from start.S only. */
void ma_arm64_prime_tables(void);

static void prime(uint64_t table, unsigned int level)
{
	volatile const uint64_t *t = (volatile const uint64_t *)(uintptr_t)table;

	(void)t[0];
	if (level == LEVELS - 1)
		return;
	for (unsigned int i = 0; i < 512; i++) {
		uint64_t d = t[i];

		if ((d & 3) == DESC_VALID_TABLE)
			prime(d & DESC_ADDR_MASK, level + 1);
	}
}

void ma_arm64_prime_tables(void)
{
	uint64_t ttbr0;

	__asm__ volatile("mrs	%0, ttbr0_el1" : "=r"(ttbr0));
	prime(ttbr0 & DESC_ADDR_MASK, 0);
}
