// SPDX-License-Identifier: GPL-2.0
/*
 * migration suite, x86_64: the Normal-NC host-read test is arm64's; x86's caches are coherent with
 * every memory type the guest can choose (WC, UC), so there is nothing to maintain.
 */
#include <stdint.h>

#include "../../migration.h"

void mig_arch_dc_civac(const void *p, uint64_t len)
{
	(void)p;
	(void)len;
	__asm__ volatile("mfence" ::: "memory");
}
