// SPDX-License-Identifier: GPL-2.0
/*
 * The guest-owned IDT: 64-bit interrupt gates for vectors 0..31 pointing at the stubs of vectors.S.
 * Every vCPU runs this from _start, possibly while another vCPU is taking an exception through
 * the same table; each gate is written as two whole quadwords of the value it already holds, so
 * the table never passes through a different state.
 */
#include <stdint.h>

#include "memattr/guest.h"

#define NR_VECTORS	32
#define GATE_INTR64	0x8eull		/* P=1, DPL=0, type 0xE (64-bit interrupt gate) */

struct idt_gate {
	uint64_t lo;
	uint64_t hi;
};

struct __attribute__((packed)) idt_ptr {
	uint16_t limit;
	uint64_t base;
};

extern const uint64_t ma_x86_exc_stubs[NR_VECTORS];

static struct idt_gate ma_x86_idt[NR_VECTORS] __attribute__((aligned(16)));

void ma_x86_idt_load(void);	/* called by _start */

void ma_x86_idt_load(void)
{
	volatile struct idt_gate *idt = ma_x86_idt;
	struct idt_ptr p;
	uint16_t cs;
	unsigned int i;

	__asm__ volatile("movw %%cs, %0" : "=r"(cs));
	for (i = 0; i < NR_VECTORS; i++) {
		uint64_t a = ma_x86_exc_stubs[i];

		idt[i].lo = (a & 0xffffull) | ((uint64_t)cs << 16) | (GATE_INTR64 << 40) |
			    (((a >> 16) & 0xffffull) << 48);
		idt[i].hi = a >> 32;
	}
	p.limit = sizeof(ma_x86_idt) - 1;
	p.base = (uint64_t)ma_x86_idt;
	__asm__ volatile("lidt %0" : : "m"(p) : "memory");
}
