/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86_64 guest entry.  The host enters here in 64-bit long mode (paging on, CR3 = the identity
 * page tables, CS/DS/SS/TR from its GDT) with
 *	rdi = the GPA of this vCPU's mailbox,
 *	rsp = the top of this vCPU's stack region,
 *	rflags = 0x2 (interrupts off).
 * Every agent run starts here again: the IDT is (re)loaded and the TLB flushed each time.
 */
	.section .text.start, "ax", @progbits
	.code64
	.globl	_start
	.type	_start, @function
_start:
	cli
	cld
	movq	%rdi, %r12		/* mailbox GPA (callee-saved across the calls below) */

	/*
	 * The host may have changed stage-1 entries (a mapping or its memory type) since this vCPU
	 * last ran: reloading CR3 drops every non-global TLB entry.
	 */
	movq	%cr3, %rax
	movq	%rax, %cr3

	andq	$-16, %rsp		/* SysV: rsp 16-byte aligned at each call */
	xorl	%ebp, %ebp
	call	ma_x86_idt_load		/* guest-owned IDT: vectors 0..31 */

	movq	%r12, %rdi
	call	ma_guest_main
	call	ma_arch_halt		/* does not return */
1:	hlt
	jmp	1b
	.size	_start, . - _start

	.section .note.GNU-stack, "", @progbits
