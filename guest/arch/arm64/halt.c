// SPDX-License-Identifier: GPL-2.0
/* arm64 guest: park the vCPU for good (interrupts masked, WFI loop). */
#include "memattr/guest.h"

void ma_arch_halt(void)
{
	__asm__ volatile("msr	daifset, #0xf" : : : "memory");
	for (;;)
		__asm__ volatile("wfi" : : : "memory");
}
