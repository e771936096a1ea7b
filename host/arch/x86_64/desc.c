// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's GDT and TSS at MA_ARCH_GPA, and the matching segment registers for KVM_SET_SREGS.
 *   GDT[0] null, GDT[1] (0x08) 64-bit code, GDT[2] (0x10) data, GDT[3..4] (0x18) 64-bit TSS.
 * The guest runs at CPL 0 only and takes exceptions on its current stack, so the TSS is only
 * there to give TR a valid value; its stack fields stay 0.  The IDT is the guest's own.
 */
#include <errno.h>
#include <string.h>

#include "x86.h"

#define DESC_CODE64	0x00af9b000000ffffull	/* G=1 L=1 P=1 DPL=0 S=1 type 0xB (code, RX, accessed) */
#define DESC_DATA	0x00cf93000000ffffull	/* G=1 D/B=1 P=1 DPL=0 S=1 type 0x3 (data, RW, accessed) */
#define TSS_TYPE_BUSY	0xbu			/* 64-bit TSS, busy (what TR must hold) */

static uint64_t tss_desc_lo(uint64_t base, uint32_t limit)
{
	return (limit & 0xffffull) | ((base & 0xffffffull) << 16) | ((uint64_t)TSS_TYPE_BUSY << 40) |
	       (1ull << 47) /* P */ | (((uint64_t)(limit >> 16) & 0xf) << 48) |
	       (((base >> 24) & 0xffull) << 56);
}

int ma_x86_try_write_descriptors(struct ma_vm *vm)
{
	uint64_t *gdt = ma_gpa_to_hva(vm, MA_X86_GDT_GPA);
	uint8_t *tss = ma_gpa_to_hva(vm, MA_X86_TSS_GPA);

	if (!gdt || !tss)
		return -EFAULT;
	memset(gdt, 0, MA_X86_GDT_ENTRIES * sizeof(*gdt));
	gdt[MA_X86_SEL_CODE / 8] = DESC_CODE64;
	gdt[MA_X86_SEL_DATA / 8] = DESC_DATA;
	gdt[MA_X86_SEL_TSS / 8] = tss_desc_lo(MA_X86_TSS_GPA, MA_X86_TSS_LIMIT);
	gdt[MA_X86_SEL_TSS / 8 + 1] = MA_X86_TSS_GPA >> 32;

	memset(tss, 0, MA_X86_TSS_LIMIT + 1);
	/* I/O map base at the limit: no I/O permission bitmap */
	tss[0x66] = (MA_X86_TSS_LIMIT + 1) & 0xff;
	tss[0x67] = (MA_X86_TSS_LIMIT + 1) >> 8;
	return 0;
}

static void seg(struct kvm_segment *s, uint16_t sel, uint8_t type, uint8_t l, uint8_t db)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffffu;
	s->selector = sel;
	s->type = type;
	s->present = 1;
	s->dpl = 0;
	s->db = db;
	s->s = 1;
	s->l = l;
	s->g = 1;
}

void ma_x86_long_mode_segments(struct kvm_sregs *s)
{
	seg(&s->cs, MA_X86_SEL_CODE, 0xb, 1, 0);
	seg(&s->ds, MA_X86_SEL_DATA, 0x3, 0, 1);
	s->es = s->ds;
	s->fs = s->ds;
	s->gs = s->ds;
	s->ss = s->ds;

	memset(&s->tr, 0, sizeof(s->tr));
	s->tr.base = MA_X86_TSS_GPA;
	s->tr.limit = MA_X86_TSS_LIMIT;
	s->tr.selector = MA_X86_SEL_TSS;
	s->tr.type = TSS_TYPE_BUSY;
	s->tr.present = 1;

	memset(&s->ldt, 0, sizeof(s->ldt));
	s->ldt.type = 0x2;
	s->ldt.unusable = 1;

	s->gdt.base = MA_X86_GDT_GPA;
	s->gdt.limit = MA_X86_GDT_ENTRIES * 8 - 1;
	s->idt.base = 0;	/* the guest loads its own in _start */
	s->idt.limit = 0;
}
