// SPDX-License-Identifier: GPL-2.0
/*
 * MA_AGENT_UNDEFINED_INSN: ud2 with no fixup armed.  The #UD (vector 6) goes through the IDT to
 * ma_guest_exception(), which reports MA_CALL_EXCEPTION and parks the vCPU.
 */
#include "memattr/guest.h"

void ma_arch_undefined_insn(void)
{
	__asm__ volatile("ud2" : : : "memory");
}
