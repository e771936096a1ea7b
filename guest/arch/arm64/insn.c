// SPDX-License-Identifier: GPL-2.0
/* arm64 guest: MA_AGENT_UNDEFINED_INSN, an exception that nothing catches. */
#include "memattr/guest.h"

void ma_arch_undefined_insn(void)
{
	ma_this_cpu()->fixup_pc = 0;	/* never resume: the exception must reach the host */
	__asm__ volatile("udf	#0" : : : "memory");
}
