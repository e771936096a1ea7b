// SPDX-License-Identifier: GPL-2.0
/*
 * MA_AGENT_PROBE on x86: one access with the fault fixup armed.
 *
 * Each probe is one inline-asm block that arms cpu->fixup_pc with a label inside the block
 * (label 1, which sets the "faulted" register) and cpu->fixup_sp with the stack pointer at that
 * point, performs the access, and disarms.  On an exception the handler (exception.c) restores all
 * registers as they were at the faulting instruction, except rip = fixup_pc and rsp = fixup_sp.
 *
 *   MA_PROBE_LOAD64          movq (gva), reg
 *   MA_PROBE_STORE64         movq arg, (gva)
 *   MA_PROBE_LOAD_UNALIGNED  movq 1(gva), reg
 *   MA_PROBE_EXEC            call *gva (the host put a ret, 0xc3, there); a fault on the fetch
 *                            leaves the return address pushed: fixup_sp undoes it
 *   MA_PROBE_EXCLUSIVE       lock cmpxchgq with rax = new = 0: a locked read-modify-write that
 *                            leaves the memory value unchanged (0 stays 0, anything else is
 *                            written back as it was)
 *   MA_PROBE_LSE_LDADD       lock xaddq of arg (0 leaves the memory value unchanged)
 *
 * On a fault: *syndrome = the error code (0 for vectors that push none) and *addr = CR2 for a page
 * fault, 0 otherwise, both from the exception record ma_guest_exception() stored in the mailbox.
 * The vector is not returned here: callers that need it read cpu->mb->exc.vector (the host sees
 * it in ma_result.exc.vector).
 */
#include <stdint.h>

#include "memattr/guest.h"

#define FIXUP_ARM					\
	"leaq 1f(%%rip), %[s]\n\t"			\
	"movq %[s], %[fpc]\n\t"				\
	"movq %%rsp, %[fsp]\n\t"

#define FIXUP_DISARM					\
	"jmp 2f\n"					\
	"1:\tmovl $1, %k[flt]\n"			\
	"2:\tmovq $0, %[fpc]\n\t"			\
	"movq $0, %[fsp]\n\t"

#define FIXUP_OUTPUTS(cpu, faulted, scratch)					\
	[flt] "+r"(faulted), [s] "=&r"(scratch),				\
	[fpc] "+m"((cpu)->fixup_pc), [fsp] "+m"((cpu)->fixup_sp)

enum ma_probe_result ma_arch_probe(uint64_t gva, enum ma_probe_op op, uint64_t arg,
				   uint64_t *syndrome, uint64_t *addr)
{
	struct ma_guest_cpu *cpu = ma_this_cpu();
	volatile uint64_t *p = (volatile uint64_t *)gva;
	uint64_t faulted = 0, scratch, v = 0;

	switch (op) {
	case MA_PROBE_LOAD64:
		__asm__ volatile(FIXUP_ARM
				 "movq (%[p]), %[v]\n\t"
				 FIXUP_DISARM
				 : FIXUP_OUTPUTS(cpu, faulted, scratch), [v] "+r"(v)
				 : [p] "r"(p)
				 : "memory", "cc");
		break;
	case MA_PROBE_STORE64:
		__asm__ volatile(FIXUP_ARM
				 "movq %[a], (%[p])\n\t"
				 FIXUP_DISARM
				 : FIXUP_OUTPUTS(cpu, faulted, scratch)
				 : [p] "r"(p), [a] "r"(arg)
				 : "memory", "cc");
		break;
	case MA_PROBE_LOAD_UNALIGNED:
		__asm__ volatile(FIXUP_ARM
				 "movq 1(%[p]), %[v]\n\t"
				 FIXUP_DISARM
				 : FIXUP_OUTPUTS(cpu, faulted, scratch), [v] "+r"(v)
				 : [p] "r"(p)
				 : "memory", "cc");
		break;
	case MA_PROBE_EXEC:
		/* fixup_sp is the rsp before the call, so a fault undoes the pushed return address */
		__asm__ volatile(FIXUP_ARM
				 "call *%[p]\n\t"
				 FIXUP_DISARM
				 : FIXUP_OUTPUTS(cpu, faulted, scratch)
				 : [p] "r"(p)
				 : "memory", "cc");
		break;
	case MA_PROBE_EXCLUSIVE:
		__asm__ volatile(FIXUP_ARM
				 "xorl %%eax, %%eax\n\t"
				 "lock cmpxchgq %[z], (%[p])\n\t"
				 FIXUP_DISARM
				 : FIXUP_OUTPUTS(cpu, faulted, scratch)
				 : [p] "r"(p), [z] "r"(0ull)
				 : "rax", "memory", "cc");
		break;
	case MA_PROBE_LSE_LDADD:
		v = arg;
		__asm__ volatile(FIXUP_ARM
				 "lock xaddq %[v], (%[p])\n\t"
				 FIXUP_DISARM
				 : FIXUP_OUTPUTS(cpu, faulted, scratch), [v] "+r"(v)
				 : [p] "r"(p)
				 : "memory", "cc");
		break;
	default:
		return MA_PROBE_UNSUPPORTED;
	}

	if (!faulted)
		return MA_PROBE_OK;
	*syndrome = cpu->mb->exc.syndrome;
	*addr = cpu->mb->exc.addr;
	return MA_PROBE_FAULT;
}
