// SPDX-License-Identifier: GPL-2.0
/*
 * The C side of the exception stubs (vectors.S).  Hands vector, error code, CR2 and RIP to
 * ma_guest_exception(); that returns only if the vCPU had a fault fixup armed, in which case the
 * saved frame is edited so that iretq resumes at cpu->fixup_pc with rsp = cpu->fixup_sp (when
 * set), and the fixup is disarmed.
 *
 * The address reported is CR2 for a page fault (vector 14) and 0 for every other vector: CR2 is
 * only written by page faults, so for other vectors it would be a stale value.
 */
#include <stdint.h>

#include "memattr/guest.h"

#define X86_VEC_PF	14

/* Built by vectors.S; the lowest address first. */
struct ma_x86_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;			/* pushed by the stub (error 0 if the CPU pushes none) */
	uint64_t rip, cs, rflags, rsp, ss;	/* pushed by the CPU */
};

void ma_x86_exception(struct ma_x86_frame *f);	/* called by vectors.S */

void ma_x86_exception(struct ma_x86_frame *f)
{
	struct ma_guest_cpu *cpu;
	uint64_t addr = 0;

	if (f->vector == X86_VEC_PF)
		__asm__ volatile("movq %%cr2, %0" : "=r"(addr));

	ma_guest_exception(f->vector, f->error, addr, f->rip);

	/* Back here only with a fixup armed. */
	cpu = ma_this_cpu();
	if (!cpu->fixup_pc)
		ma_arch_halt();		/* contract broken: never iretq to the faulting insn */
	f->rip = cpu->fixup_pc;
	if (cpu->fixup_sp)
		f->rsp = cpu->fixup_sp;
	cpu->fixup_pc = 0;
	cpu->fixup_sp = 0;
}
