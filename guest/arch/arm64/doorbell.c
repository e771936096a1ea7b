// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 guest: the call doorbell.  One plain 64-bit STR (base register, no offset, no writeback, so
 * the data abort carries a valid ISV syndrome) of the mailbox GPA to MA_CALL_MMIO_GPA, which is
 * mapped Device-nGnRnE at stage 1 and backed by no memslot: KVM exits with KVM_EXIT_MMIO.
 */
#include "memattr/guest.h"

void ma_arch_doorbell(struct ma_mailbox *mb)
{
	uint64_t gpa = (uint64_t)(uintptr_t)mb;	/* identity mapping: the address is the GPA */
	uint64_t bell = MA_CALL_MMIO_GPA;

	__asm__ volatile("dsb	sy\n\t"
		     "str	%x0, [%x1]\n\t"
		     "dsb	sy"
		     : : "r"(gpa), "r"(bell) : "memory");
}
