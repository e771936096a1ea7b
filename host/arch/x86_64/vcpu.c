// SPDX-License-Identifier: GPL-2.0
/*
 * x86_64 vCPU hooks: CPUID, 64-bit long mode (KVM_SET_SREGS), IA32_PAT, entry registers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "x86.h"

#define X86_CR0_PE	(1ull << 0)
#define X86_CR0_MP	(1ull << 1)
#define X86_CR0_ET	(1ull << 4)
#define X86_CR0_NE	(1ull << 5)
#define X86_CR0_WP	(1ull << 16)
#define X86_CR0_PG	(1ull << 31)
#define X86_CR4_PAE	(1ull << 5)
#define X86_CR4_OSFXSR	(1ull << 9)
#define X86_CR4_OSXMMEXCPT (1ull << 10)
#define X86_EFER_LME	(1ull << 8)
#define X86_EFER_LMA	(1ull << 10)
#define X86_EFER_NXE	(1ull << 11)
#define CPUID_80000001_EDX_NX (1u << 20)

/* Give each vCPU its own APIC ID in the CPUID leaves that carry one. */
static void cpuid_set_apic_id(struct kvm_cpuid2 *c, uint32_t id)
{
	uint32_t i;

	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == 1)
			e->ebx = (e->ebx & 0x00ffffffu) | (id << 24);
		else if (e->function == 0xb || e->function == 0x1f)
			e->edx = id;
	}
}

/*
 * EFER.NXE is set when the CPU has NX although no mapping uses the NX bit: with it, a page fault
 * on an instruction fetch reports the I/D bit (bit 4) in its error code, so exec probes can tell a
 * fetch fault from a data fault.
 */
static int try_set_long_mode(struct ma_vcpu *v, bool nx)
{
	struct kvm_sregs s;
	long r;

	r = ma_try_ioctl(v->fd, KVM_GET_SREGS, &s);
	if (r < 0)
		return (int)r;
	ma_x86_long_mode_segments(&s);
	s.cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_PG;
	s.cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
	s.efer = X86_EFER_LME | X86_EFER_LMA | (nx ? X86_EFER_NXE : 0);
	s.cr3 = v->vm->pt_root;
	s.cr2 = 0;
	r = ma_try_ioctl(v->fd, KVM_SET_SREGS, &s);
	return r < 0 ? (int)r : 0;
}

static int try_set_pat(struct ma_vcpu *v)
{
	struct kvm_msrs *m = calloc(1, sizeof(*m) + sizeof(m->entries[0]));
	long r;

	if (!m)
		return -ENOMEM;
	m->nmsrs = 1;
	m->entries[0].index = MA_X86_MSR_PAT;
	m->entries[0].data = MA_X86_PAT_VALUE;
	r = ma_try_ioctl(v->fd, KVM_SET_MSRS, m);
	free(m);
	if (r < 0)
		return (int)r;
	return r == 1 ? 0 : -EINVAL;	/* KVM_SET_MSRS returns how many it set */
}

int ma_arch_try_vcpu_init(struct ma_vcpu *v)
{
	struct kvm_cpuid_entry2 *e;
	struct kvm_cpuid2 *c;
	bool nx;
	long r;

	r = ma_x86_try_supported_cpuid(&c);
	if (r)
		return (int)r;
	cpuid_set_apic_id(c, v->index);
	e = ma_x86_cpuid_find(c, 0x80000001u, 0);
	nx = e && (e->edx & CPUID_80000001_EDX_NX);
	r = ma_try_ioctl(v->fd, KVM_SET_CPUID2, c);
	free(c);
	if (r < 0)
		return (int)r;
	if (!v->vm->has_guest)
		return 0;
	r = try_set_long_mode(v, nx);
	if (r)
		return (int)r;
	return try_set_pat(v);
}

void ma_arch_vcpu_free(struct ma_vcpu *v)
{
	free(v->arch);		/* unused on x86 (NULL) */
	v->arch = NULL;
}

int ma_arch_try_vcpu_set_entry(struct ma_vcpu *v, uint64_t pc, uint64_t sp, uint64_t arg0)
{
	struct kvm_mp_state mp;
	struct kvm_regs regs;
	long r;

	/* A vCPU parked in hlt by an in-kernel LAPIC would not run the new entry: wake it. */
	r = ma_try_ioctl(v->fd, KVM_GET_MP_STATE, &mp);
	if (r < 0)
		return (int)r;
	if (mp.mp_state != KVM_MP_STATE_RUNNABLE) {
		mp.mp_state = KVM_MP_STATE_RUNNABLE;
		r = ma_try_ioctl(v->fd, KVM_SET_MP_STATE, &mp);
		if (r < 0)
			return (int)r;
	}

	memset(&regs, 0, sizeof(regs));
	regs.rip = pc;
	regs.rsp = sp;
	regs.rdi = arg0;
	regs.rflags = 0x2;
	r = ma_try_ioctl(v->fd, KVM_SET_REGS, &regs);
	return r < 0 ? (int)r : 0;
}

int ma_arch_try_vcpu_get_pc(struct ma_vcpu *v, uint64_t *pc)
{
	struct kvm_regs regs;
	long r = ma_try_ioctl(v->fd, KVM_GET_REGS, &regs);

	if (r < 0)
		return (int)r;
	*pc = regs.rip;
	return 0;
}
