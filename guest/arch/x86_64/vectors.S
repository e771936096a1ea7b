/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86_64 exception entry stubs, vectors 0..31.
 *
 * The CPU pushes SS, RSP, RFLAGS, CS, RIP and, for some vectors, an error code.  Each stub
 * normalises the frame by pushing a zero error code where the CPU does not push one, then the
 * vector number, and jumps to the common path, which saves all general-purpose registers and calls
 *	void ma_x86_exception(struct ma_x86_frame *f)	(exception.c)
 * with a pointer to the frame.  The C handler may rewrite f->rip and f->rsp (fault fixup); the
 * common path then restores the registers and returns with iretq.
 *
 * Frame layout from the lowest address (see struct ma_x86_frame):
 *	r15 r14 r13 r12 r11 r10 r9 r8 rbp rdi rsi rdx rcx rbx rax  vector error  rip cs rflags rsp ss
 */

/* Vectors for which the CPU pushes an error code: #DF #TS #NP #SS #GP #PF #AC #CP #VC #SX. */
	.set	ERRCODE_MASK, (1 << 8) | (1 << 10) | (1 << 11) | (1 << 12) | (1 << 13) | (1 << 14) | \
			      (1 << 17) | (1 << 21) | (1 << 29) | (1 << 30)

	.text
	.code64

	.macro	EXC_STUB vec
	.balign	16
ma_x86_stub_\vec:
	.if	((ERRCODE_MASK >> \vec) & 1) == 0
	pushq	$0
	.endif
	pushq	$\vec
	jmp	ma_x86_exc_common
	.endm

	.irp	v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	EXC_STUB \v
	.endr

	.balign	16
	.type	ma_x86_exc_common, @function
ma_x86_exc_common:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	cld
	movq	%rsp, %rdi		/* struct ma_x86_frame * */
	movq	%rsp, %rbx		/* callee-saved: the frame pointer after the call */
	andq	$-16, %rsp
	call	ma_x86_exception
	movq	%rbx, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	addq	$16, %rsp		/* vector, error code */
	iretq
	.size	ma_x86_exc_common, . - ma_x86_exc_common

/* const uint64_t ma_x86_exc_stubs[32]: the stub addresses, for the IDT builder (idt.c). */
	.section .rodata
	.balign	8
	.globl	ma_x86_exc_stubs
	.type	ma_x86_exc_stubs, @object
ma_x86_exc_stubs:
	.irp	v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad	ma_x86_stub_\v
	.endr
	.size	ma_x86_exc_stubs, . - ma_x86_exc_stubs

	.section .note.GNU-stack, "", @progbits
