/* SPDX-License-Identifier: GPL-2.0 */
/* The arm64 flat guest image, embedded in the host library.  MA_GUEST_IMAGE: its path (Makefile). */
	.section .rodata
	.balign	16
	.global	ma_guest_image_start
ma_guest_image_start:
	.incbin	MA_GUEST_IMAGE
	.global	ma_guest_image_end
ma_guest_image_end:

	.section .note.GNU-stack, "", %progbits
