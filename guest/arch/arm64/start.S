/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64 guest entry.  The host enters here at EL1h with DAIF masked, SP at the top of this vCPU's
 * stack region, x0 = the mailbox GPA, and TCR/MAIR/TTBR0 set through KVM_SET_ONE_REG.  The first
 * entry has SCTLR_EL1.M clear: the stage-1 tables are primed (mmu.c) before the MMU is turned on
 * here.  Entered again for every agent (the MMU is on by then; priming covers tables added since).
 */
#define SCTLR_M		(1 << 0)
#define SCTLR_C		(1 << 2)
#define SCTLR_I		(1 << 12)

	.section .text.start, "ax"
	.balign	4
	.global	_start
	.type	_start, %function
_start:
	mov	x19, x0
	/* exception vectors first, so that anything below is reported */
	adrp	x1, ma_arm64_vectors
	add	x1, x1, :lo12:ma_arm64_vectors
	msr	vbar_el1, x1
	isb
	/*
	 * The host may have changed stage-1 entries or written code since this vCPU last ran:
	 * drop this PE's stale translations and instructions.
	 */
	dsb	ishst
	tlbi	vmalle1
	ic	iallu
	dsb	nsh
	isb
	mov	x29, xzr
	mov	x30, xzr
	bl	ma_arm64_prime_tables
	/* MMU and caches on (a no-op when they already are) */
	mrs	x1, sctlr_el1
	mov	x2, #(SCTLR_M | SCTLR_C)
	orr	x2, x2, #SCTLR_I
	orr	x1, x1, x2
	dsb	sy
	msr	sctlr_el1, x1
	isb
	mov	x0, x19
	mov	x29, xzr
	mov	x30, xzr
	bl	ma_guest_main
	b	ma_arch_halt
	.size	_start, . - _start

	.section .note.GNU-stack, "", %progbits
