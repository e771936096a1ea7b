// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 vCPUs: KVM_ARM_VCPU_INIT, the EL1 MMU registers that make the guest image run with the
 * stage-1 tables built by pgtable.c, the entry registers, and recognising the call doorbell.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "arch.h"

/* ONE_REG ids */
#define CORE_REG(field) \
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(field))
#define REG_PC			CORE_REG(regs.pc)
#define REG_SP_EL0		CORE_REG(regs.sp)
#define REG_SP_EL1		CORE_REG(sp_el1)
#define REG_PSTATE		CORE_REG(regs.pstate)
#define REG_X0			CORE_REG(regs.regs[0])

#define REG_SCTLR_EL1		ARM64_SYS_REG(3, 0, 1, 0, 0)
#define REG_CPACR_EL1		ARM64_SYS_REG(3, 0, 1, 0, 2)
#define REG_TTBR0_EL1		ARM64_SYS_REG(3, 0, 2, 0, 0)
#define REG_TCR_EL1		ARM64_SYS_REG(3, 0, 2, 0, 2)
#define REG_MAIR_EL1		ARM64_SYS_REG(3, 0, 10, 2, 0)
#define REG_ID_AA64MMFR0_EL1	ARM64_SYS_REG(3, 0, 0, 7, 0)

/* MAIR_EL1: attribute index = enum ma_memtype */
#define MAIR_NORMAL_WB		0xffull	/* Normal, Inner/Outer Write-Back non-transient RW-allocate */
#define MAIR_NORMAL_NC		0x44ull	/* Normal, Inner/Outer Non-cacheable */
#define MAIR_DEVICE_nGnRE	0x04ull
#define MAIR_DEVICE_nGnRnE	0x00ull
#define MAIR_VALUE		(MAIR_NORMAL_WB << (8 * MA_MT_NORMAL_WB) | \
				 MAIR_NORMAL_NC << (8 * MA_MT_NORMAL_NC) | \
				 MAIR_DEVICE_nGnRE << (8 * MA_MT_DEVICE_nGnRE) | \
				 MAIR_DEVICE_nGnRnE << (8 * MA_MT_DEVICE_nGnRnE))

/* TCR_EL1: TTBR0 walks only, 48-bit VA, 4 KiB granule, WBWA inner-shareable walks; IPS at run time */
#define TCR_T0SZ(n)		((uint64_t)(n) << 0)
#define TCR_IRGN0_WBWA		(1ull << 8)
#define TCR_ORGN0_WBWA		(1ull << 10)
#define TCR_SH0_INNER		(3ull << 12)
#define TCR_TG0_4K		(0ull << 14)
#define TCR_T1SZ(n)		((uint64_t)(n) << 16)
#define TCR_EPD1		(1ull << 23)
#define TCR_TG1_4K		(2ull << 30)
#define TCR_IPS(n)		((uint64_t)(n) << 32)
#define TCR_BASE		(TCR_T0SZ(16) | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER | \
				 TCR_TG0_4K | TCR_T1SZ(16) | TCR_EPD1 | TCR_TG1_4K)
/* the largest PARange/IPS encoding usable with 4 KiB-granule descriptors without LPA2: 48 bits */
#define IPS_MAX_48BIT		5

/*
 * SCTLR_EL1: caches on, A = 0 (no alignment checking), WXN = 0, and M = 0: the guest's _start turns
 * the MMU on (M|C|I) after it has primed the stage-1 tables (see guest/arch/arm64/mmu.c: in the
 * lab's cortex-a57 cell a stage-2 fault on a stage-1 table walk never resolves).
 */
#define SCTLR_C			(1ull << 2)
#define SCTLR_I			(1ull << 12)
/* RES1 in ARMv8.0 (EOS, TSCXT, EIS, SPAN, nTLSMD, LSMAOE in later versions: keep their 8.0 behaviour) */
#define SCTLR_RES1		((1ull << 11) | (1ull << 20) | (1ull << 22) | (1ull << 23) | \
				 (1ull << 28) | (1ull << 29))
#define SCTLR_VALUE		(SCTLR_RES1 | SCTLR_C | SCTLR_I)

/* CPACR_EL1.FPEN = 0b11: no FP/SIMD traps (the image is general-registers-only; harmless) */
#define CPACR_VALUE		(3ull << 20)

/* PSTATE at entry: EL1h with D, A, I, F masked */
#define PSTATE_EL1H_DAIF	0x3c5ull

static int try_setup_mmu(struct ma_vcpu *v)
{
	uint64_t mmfr0, ips;
	int r;

	r = ma_try_get_one_reg(v, REG_ID_AA64MMFR0_EL1, &mmfr0);
	if (r)
		return r;
	ips = mmfr0 & 0xf;		/* PARange uses the IPS encoding */
	if (ips > IPS_MAX_48BIT)
		ips = IPS_MAX_48BIT;
	r = ma_try_set_one_reg(v, REG_MAIR_EL1, MAIR_VALUE);
	if (!r)
		r = ma_try_set_one_reg(v, REG_TCR_EL1, TCR_BASE | TCR_IPS(ips));
	if (!r)
		r = ma_try_set_one_reg(v, REG_TTBR0_EL1, v->vm->pt_root);
	if (!r)
		r = ma_try_set_one_reg(v, REG_CPACR_EL1, CPACR_VALUE);
	if (!r)
		r = ma_try_set_one_reg(v, REG_SCTLR_EL1, SCTLR_VALUE);
	return r;
}

int ma_arch_try_vcpu_init(struct ma_vcpu *v)
{
	struct kvm_vcpu_init init;
	long r;

	memset(&init, 0, sizeof(init));
	r = ma_try_ioctl(v->vm->fd, KVM_ARM_PREFERRED_TARGET, &init);
	if (r < 0)
		return (int)r;
	/* no feature bits: every vCPU starts powered on, at the PC set by ma_arch_try_vcpu_set_entry() */
	memset(init.features, 0, sizeof(init.features));
	r = ma_try_ioctl(v->fd, KVM_ARM_VCPU_INIT, &init);
	if (r < 0)
		return (int)r;
	if (!v->vm->has_guest)
		return 0;
	return try_setup_mmu(v);
}

void ma_arch_vcpu_free(struct ma_vcpu *v)
{
	/* nothing is allocated in v->arch on arm64 */
	v->arch = NULL;
}

/*
 * After a KVM_EXIT_MMIO the access is completed by the next KVM_RUN, and on arm64 that completion
 * skips the trapped instruction: PC += 4 is applied at that point, so it would land on a PC set in
 * between (the guest would enter at _start + 4).  A KVM_RUN with immediate_exit completes the MMIO
 * and commits the PC adjustment without running the guest (it returns EINTR).
 */
static int try_complete_pending_mmio(struct ma_vcpu *v)
{
	long r;

	if (!v->run || v->run->exit_reason != KVM_EXIT_MMIO)
		return 0;
	v->run->immediate_exit = 1;
	r = ma_try_ioctl(v->fd, KVM_RUN, NULL);
	v->run->immediate_exit = 0;
	return r == -EINTR || r >= 0 ? 0 : (int)r;
}

int ma_arch_try_vcpu_set_entry(struct ma_vcpu *v, uint64_t pc, uint64_t sp, uint64_t arg0)
{
	int r;

	r = try_complete_pending_mmio(v);
	if (!r)
		r = ma_try_set_one_reg(v, REG_PSTATE, PSTATE_EL1H_DAIF);
	if (!r)
		r = ma_try_set_one_reg(v, REG_PC, pc);
	if (!r)
		r = ma_try_set_one_reg(v, REG_SP_EL1, sp);
	if (!r)
		r = ma_try_set_one_reg(v, REG_SP_EL0, sp);
	if (!r)
		r = ma_try_set_one_reg(v, REG_X0, arg0);
	return r;
}

int ma_arch_try_vcpu_get_pc(struct ma_vcpu *v, uint64_t *pc)
{
	return ma_try_get_one_reg(v, REG_PC, pc);
}

bool ma_arch_is_doorbell(struct ma_vcpu *v, uint64_t *gpa)
{
	const struct kvm_run *run = v->run;
	uint64_t val;

	if (!run || run->exit_reason != KVM_EXIT_MMIO || !run->mmio.is_write ||
	    run->mmio.phys_addr != MA_CALL_MMIO_GPA || run->mmio.len != sizeof(val))
		return false;
	memcpy(&val, run->mmio.data, sizeof(val));
	*gpa = val;
	return true;
}
