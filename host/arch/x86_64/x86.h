/* SPDX-License-Identifier: GPL-2.0 */
/* Private to host/arch/x86_64: the guest's descriptor tables and CPUID helpers. */
#ifndef MEMATTR_HOST_X86_H
#define MEMATTR_HOST_X86_H

#include <stdint.h>
#include <linux/kvm.h>

#include "arch.h"

/* Descriptor tables in the system slot, at MA_ARCH_GPA. */
#define MA_X86_GDT_GPA		(MA_ARCH_GPA)
#define MA_X86_TSS_GPA		(MA_ARCH_GPA + 0x1000ull)
#define MA_X86_TSS_LIMIT	0x67u		/* 104-byte 64-bit TSS, no I/O bitmap */
#define MA_X86_SEL_CODE		0x08u
#define MA_X86_SEL_DATA		0x10u
#define MA_X86_SEL_TSS		0x18u		/* 16-byte system descriptor: GDT entries 3 and 4 */
#define MA_X86_GDT_ENTRIES	5u

/* IA32_PAT: PA0=WB PA1=WC PA2=UC- PA3=UC, PA4..7 the same again. */
#define MA_X86_MSR_PAT		0x277u
#define MA_X86_MSR_KVM_ASYNC_PF_INT	0x4b564d06u
#define MA_X86_PAT_VALUE	0x0007010600070106ull

/* desc.c */
int ma_x86_try_write_descriptors(struct ma_vm *vm);
void ma_x86_long_mode_segments(struct kvm_sregs *s);

/* cpuid.c */
int ma_x86_try_supported_cpuid(struct kvm_cpuid2 **out);	/* malloc'd; 0 or -errno */
struct kvm_cpuid_entry2 *ma_x86_cpuid_find(struct kvm_cpuid2 *c, uint32_t function, uint32_t index);

#endif
