/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64 EL1 exception vectors: 16 entries of 0x80 bytes, table 2 KiB aligned.  Every entry saves
 * x0-x30, ELR_EL1 and SPSR_EL1 on the current stack and calls
 *	ma_arm64_exception(vector offset, ESR_EL1, FAR_EL1, ELR_EL1, frame)
 * which returns only when a probe fixup was armed; it then has replaced the saved ELR with the
 * fixup address.  The frame is restored (ELR/SPSR included) and the handler returns with eret.
 */
#define FRAME_SIZE	272	/* x0-x30, elr, spsr, pad: 34 * 8, 16-byte aligned */
#define FRAME_X30	240
#define FRAME_ELR	248
#define FRAME_SPSR	256

	.macro	ventry off
	.balign	0x80
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x0, #\off
	b	ma_arm64_vector_common
	.endm

	.section .text.vectors, "ax"
	.balign	0x800
	.global	ma_arm64_vectors
ma_arm64_vectors:
	/* current EL with SP_EL0 */
	ventry	0x000
	ventry	0x080
	ventry	0x100
	ventry	0x180
	/* current EL with SP_ELx (the guest runs in EL1h: 0x200 is a synchronous exception) */
	ventry	0x200
	ventry	0x280
	ventry	0x300
	ventry	0x380
	/* lower EL, AArch64 */
	ventry	0x400
	ventry	0x480
	ventry	0x500
	ventry	0x580
	/* lower EL, AArch32 */
	ventry	0x600
	ventry	0x680
	ventry	0x700
	ventry	0x780

	.balign	0x80
	.type	ma_arm64_vector_common, %function
ma_arm64_vector_common:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	mrs	x3, elr_el1
	mrs	x2, spsr_el1
	stp	x30, x3, [sp, #FRAME_X30]
	str	x2, [sp, #FRAME_SPSR]
	mrs	x1, esr_el1
	mrs	x2, far_el1
	mov	x4, sp
	mov	x29, xzr		/* end of the frame-record chain */
	bl	ma_arm64_exception
	ldr	x1, [sp, #FRAME_ELR]
	ldr	x2, [sp, #FRAME_SPSR]
	msr	elr_el1, x1
	msr	spsr_el1, x2
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldr	x30, [sp, #FRAME_X30]
	add	sp, sp, #FRAME_SIZE
	eret
	.size	ma_arm64_vector_common, . - ma_arm64_vector_common

	.section .note.GNU-stack, "", %progbits
