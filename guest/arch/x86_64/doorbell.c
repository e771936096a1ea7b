// SPDX-License-Identifier: GPL-2.0
/*
 * The call doorbell: a 32-bit OUT of the mailbox GPA (below 4 GiB) to MA_CALL_PORT.  The host
 * sees KVM_EXIT_IO; on the next KVM_RUN the OUT completes and the guest continues after it.
 */
#include <stdint.h>

#include "memattr/guest.h"

void ma_arch_doorbell(struct ma_mailbox *mb)
{
	uint32_t gpa = (uint32_t)(uintptr_t)mb;	/* identity map: gva == gpa */

	__asm__ volatile("" : : : "memory");
	__asm__ volatile("outl %%eax, %%dx" : : "a"(gpa), "d"((uint16_t)MA_CALL_PORT) : "memory");
	__asm__ volatile("" : : : "memory");
}
