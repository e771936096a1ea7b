// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 guest: the C side of the exception vectors (vectors.S).  Every exception goes to
 * ma_guest_exception(); when that returns a probe fixup was armed, and the interrupted context
 * resumes at cpu->fixup_pc with its registers as they were when the exception was taken.
 */
#include "memattr/guest.h"

/* Layout of the frame vectors.S builds on the stack. */
struct ma_arm64_frame {
	uint64_t x[31];
	uint64_t elr;
	uint64_t spsr;
	uint64_t pad;
};

_Static_assert(sizeof(struct ma_arm64_frame) == 272, "frame layout shared with vectors.S");

/* Called from vectors.S only. */
void ma_arm64_exception(uint64_t vector, uint64_t esr, uint64_t far, uint64_t elr,
			struct ma_arm64_frame *frame);

void ma_arm64_exception(uint64_t vector, uint64_t esr, uint64_t far, uint64_t elr,
			struct ma_arm64_frame *frame)
{
	struct ma_guest_cpu *cpu;

	ma_guest_exception(vector, esr, far, elr);
	/* only returns with a fixup armed */
	cpu = ma_this_cpu();
	frame->elr = cpu->fixup_pc;
	cpu->fixup_pc = 0;
}
