// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 guest: the atomic flavours of MA_AGENT_ATOMIC_INC and MA_AGENT_FORCE_INSN.
 *
 *   PLAIN      load, add, store (no atomicity: the control)
 *   LLSC       LDXR/STXR retry loop
 *   LSE_LDADD  LDADD (FEAT_LSE)
 *   LSE_CAS    CAS retry loop (FEAT_LSE)
 *   LSE_SWP    spinlock taken with SWPA, released with STLR, around a plain increment (FEAT_LSE).
 *              The lock is the 64-bit word right after the counter (p[1]), which must start at 0.
 *
 * The image is built for armv8-a; the LSE instructions are enabled inside their asm statements only.
 */
#include "memattr/guest.h"

#define LSE_ASM(s)	".arch_extension lse\n\t" s

static uint64_t read_id_aa64isar0(void)
{
	uint64_t v;

	__asm__ volatile("mrs	%0, S3_0_C0_C6_0" : "=r"(v));	/* ID_AA64ISAR0_EL1 */
	return v;
}

static int have_lse(void)
{
	/* ID_AA64ISAR0_EL1.Atomic, bits [23:20]: 2 = LDADD/CAS/SWP... (FEAT_LSE), 3 = also FEAT_LSE128 */
	return ((read_id_aa64isar0() >> 20) & 0xf) >= 2;
}

int ma_arch_atomic_supported(enum ma_atomic_flavour f)
{
	switch (f) {
	case MA_ATOMIC_PLAIN:
	case MA_ATOMIC_LLSC:
		return 1;
	case MA_ATOMIC_LSE_LDADD:
	case MA_ATOMIC_LSE_CAS:
	case MA_ATOMIC_LSE_SWP:
		return have_lse();
	default:
		return 0;
	}
}

static inline uint64_t inc_plain(volatile uint64_t *p)
{
	uint64_t v = *p;

	*p = v + 1;
	return v;
}

static inline uint64_t inc_llsc(volatile uint64_t *p)
{
	uint64_t v, n;
	uint32_t fail;

	__asm__ volatile("1:	ldxr	%[v], [%[p]]\n\t"
		     "	add	%[n], %[v], #1\n\t"
		     "	stxr	%w[fail], %[n], [%[p]]\n\t"
		     "	cbnz	%w[fail], 1b"
		     : [v] "=&r"(v), [n] "=&r"(n), [fail] "=&r"(fail)
		     : [p] "r"(p)
		     : "memory");
	return v;
}

static inline uint64_t inc_ldadd(volatile uint64_t *p)
{
	uint64_t old;

	__asm__ volatile(LSE_ASM("ldadd	%[one], %[old], [%[p]]")
		     : [old] "=&r"(old)
		     : [one] "r"((uint64_t)1), [p] "r"(p)
		     : "memory");
	return old;
}

static inline uint64_t inc_cas(volatile uint64_t *p)
{
	uint64_t old, cmp, upd;

	__asm__ volatile(LSE_ASM("	ldr	%[old], [%[p]]\n\t"
			     "1:	add	%[upd], %[old], #1\n\t"
			     "	mov	%[cmp], %[old]\n\t"
			     "	cas	%[cmp], %[upd], [%[p]]\n\t"
			     "	cmp	%[cmp], %[old]\n\t"
			     "	mov	%[old], %[cmp]\n\t"
			     "	b.ne	1b")
		     : [old] "=&r"(old), [cmp] "=&r"(cmp), [upd] "=&r"(upd)
		     : [p] "r"(p)
		     : "memory", "cc");
	return old;	/* the value the successful CAS replaced */
}

static inline uint64_t inc_swp_locked(volatile uint64_t *p)
{
	volatile uint64_t *lock = p + 1;
	uint64_t prev, v, n;

	__asm__ volatile(LSE_ASM("1:	ldr	%[prev], [%[lock]]\n\t"	/* wait until it looks free */
			     "	cbnz	%[prev], 1b\n\t"
			     "	swpa	%[one], %[prev], [%[lock]]\n\t"	/* take it (acquire) */
			     "	cbnz	%[prev], 1b\n\t"
			     "	ldr	%[v], [%[p]]\n\t"
			     "	add	%[n], %[v], #1\n\t"
			     "	str	%[n], [%[p]]\n\t"
			     "	stlr	xzr, [%[lock]]")			/* drop it (release) */
		     : [prev] "=&r"(prev), [v] "=&r"(v), [n] "=&r"(n)
		     : [one] "r"((uint64_t)1), [lock] "r"(lock), [p] "r"(p)
		     : "memory");
	return v;
}

uint64_t ma_arch_atomic_inc1(enum ma_atomic_flavour f, volatile uint64_t *p)
{
	switch (f) {
	case MA_ATOMIC_PLAIN:
		return inc_plain(p);
	case MA_ATOMIC_LLSC:
		return inc_llsc(p);
	case MA_ATOMIC_LSE_LDADD:
		return inc_ldadd(p);
	case MA_ATOMIC_LSE_CAS:
		return inc_cas(p);
	case MA_ATOMIC_LSE_SWP:
		return inc_swp_locked(p);
	default:
		ma_guest_assert_fail(__FILE__, __LINE__, "atomic flavour not supported on arm64", f, 0);
		return 0;
	}
}

void ma_arch_arrive_and_wait(volatile uint64_t *arrived, uint64_t n)
{
	inc_llsc(arrived);	/* LL/SC: every arm64 CPU has it */
	while (*arrived < n)
		__asm__ volatile("yield" : : : "memory");
}

/*
 * One instruction of the flavour, with no ID register check and no fixup: on a CPU without the
 * feature this is an undefined-instruction exception (EC 0) that is reported to the host.
 * In the uncontended case each adds 1 to *p: LDADD #1; one CAS of the value just read with
 * value + 1; one SWP of value + 1 (no lock); one LDXR/STXR attempt for LLSC; a plain increment.
 */
void ma_arch_force_insn(enum ma_atomic_flavour f, volatile uint64_t *p)
{
	uint64_t v, old;
	uint32_t fail;

	ma_this_cpu()->fixup_pc = 0;
	switch (f) {
	case MA_ATOMIC_PLAIN:
		inc_plain(p);
		break;
	case MA_ATOMIC_LLSC:
		__asm__ volatile("ldxr	%[v], [%[p]]\n\t"
			     "add	%[v], %[v], #1\n\t"
			     "stxr	%w[fail], %[v], [%[p]]"
			     : [v] "=&r"(v), [fail] "=&r"(fail)
			     : [p] "r"(p)
			     : "memory");
		break;
	case MA_ATOMIC_LSE_LDADD:
		inc_ldadd(p);
		break;
	case MA_ATOMIC_LSE_CAS:
		v = *p;
		old = v;
		__asm__ volatile(LSE_ASM("cas	%[old], %[upd], [%[p]]")
			     : [old] "+&r"(old)
			     : [upd] "r"(v + 1), [p] "r"(p)
			     : "memory");
		break;
	case MA_ATOMIC_LSE_SWP:
		v = *p;
		__asm__ volatile(LSE_ASM("swp	%[upd], %[old], [%[p]]")
			     : [old] "=&r"(old)
			     : [upd] "r"(v + 1), [p] "r"(p)
			     : "memory");
		break;
	default:
		break;
	}
}
