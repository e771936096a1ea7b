/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64 guest entry.  The host enters here at EL1h with DAIF masked, the MMU already on
 * (SCTLR/TCR/MAIR/TTBR0 set through KVM_SET_ONE_REG), SP at the top of this vCPU's stack region
 * and x0 = the mailbox GPA (identity-mapped, so also its address).  Entered again for every agent.
 */
	.section .text.start, "ax"
	.balign	4
	.global	_start
	.type	_start, %function
_start:
	/* exception vectors first, so that anything below is reported */
	adrp	x1, ma_arm64_vectors
	add	x1, x1, :lo12:ma_arm64_vectors
	msr	vbar_el1, x1
	isb
	/*
	 * The host may have changed stage-1 entries or written code since this vCPU last ran:
	 * drop this PE's stale translations and instructions before touching anything else.
	 */
	dsb	ishst
	tlbi	vmalle1
	ic	iallu
	dsb	nsh
	isb
	mov	x29, xzr
	mov	x30, xzr
	bl	ma_guest_main
	b	ma_arch_halt
	.size	_start, . - _start

	.section .note.GNU-stack, "", %progbits
