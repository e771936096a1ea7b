// SPDX-License-Identifier: GPL-2.0
/* Park the vCPU for good: interrupts off, hlt forever. */
#include "memattr/guest.h"

void ma_arch_halt(void)
{
	for (;;)
		__asm__ volatile("cli; hlt" : : : "memory");
}
