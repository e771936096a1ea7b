// SPDX-License-Identifier: GPL-2.0
/*
 * Atomic increment flavours on x86 (MA_AGENT_ATOMIC_INC, MA_AGENT_FORCE_INSN).
 *
 *   MA_ATOMIC_PLAIN        load, add, store: the control, may lose updates between vCPUs
 *   MA_ATOMIC_X86_XADD     lock xadd
 *   MA_ATOMIC_X86_CMPXCHG  load, then lock cmpxchg until it succeeds
 *   MA_ATOMIC_X86_XCHG     spinlock taken and released with xchg around a plain increment.
 *                          The lock word is the quadword after the counter (p[1]), so that the
 *                          lock lives in the memory under test; it must be 0 at the start.
 *                          Release is an xchg too: a plain store would not be ordered after
 *                          the counter store on WC memory.
 * The arm64 flavours have no x86 instruction: unsupported.
 */
#include <stdint.h>

#include "memattr/guest.h"

int ma_arch_atomic_supported(enum ma_atomic_flavour f)
{
	switch (f) {
	case MA_ATOMIC_PLAIN:
	case MA_ATOMIC_X86_XADD:
	case MA_ATOMIC_X86_CMPXCHG:
	case MA_ATOMIC_X86_XCHG:
		return 1;
	default:
		return 0;
	}
}

static inline uint64_t plain_inc(volatile uint64_t *p)
{
	uint64_t v = *p;

	*p = v + 1;
	return v;
}

static inline uint64_t xadd_inc(volatile uint64_t *p)
{
	uint64_t v = 1;

	__asm__ volatile("lock xaddq %0, %1" : "+r"(v), "+m"(*p) : : "memory", "cc");
	return v;
}

/* One lock cmpxchg of *p from old to new; true if it stored new.  *old gets the value seen. */
static inline int cmpxchg(volatile uint64_t *p, uint64_t *old, uint64_t new)
{
	uint64_t expected = *old;
	int ok;

	__asm__ volatile("lock cmpxchgq %3, %1"
			 : "+a"(expected), "+m"(*p), "=@ccz"(ok)
			 : "r"(new)
			 : "memory");
	*old = expected;
	return ok;
}

static inline uint64_t cmpxchg_inc(volatile uint64_t *p)
{
	uint64_t old = *p;

	while (!cmpxchg(p, &old, old + 1))
		;
	return old;
}

/* xchg with a memory operand is always locked. */
static inline uint64_t xchg(volatile uint64_t *p, uint64_t v)
{
	__asm__ volatile("xchgq %0, %1" : "+r"(v), "+m"(*p) : : "memory");
	return v;
}

static inline uint64_t xchg_locked_inc(volatile uint64_t *p)
{
	volatile uint64_t *lock = p + 1;
	uint64_t old;

	while (xchg(lock, 1)) {
		while (*lock)
			__asm__ volatile("pause" : : : "memory");
	}
	old = plain_inc(p);
	xchg(lock, 0);
	return old;
}

uint64_t ma_arch_atomic_inc1(enum ma_atomic_flavour f, volatile uint64_t *p)
{
	switch (f) {
	case MA_ATOMIC_PLAIN:
		return plain_inc(p);
	case MA_ATOMIC_X86_XADD:
		return xadd_inc(p);
	case MA_ATOMIC_X86_CMPXCHG:
		return cmpxchg_inc(p);
	case MA_ATOMIC_X86_XCHG:
		return xchg_locked_inc(p);
	default:
		ma_guest_assert_fail(__FILE__, __LINE__, "atomic flavour not supported on x86", f, 0);
		return 0;
	}
}

void ma_arch_arrive_and_wait(volatile uint64_t *arrived, uint64_t n)
{
	xadd_inc(arrived);
	while (*arrived < n)
		__asm__ volatile("pause" : : : "memory");
}

/* One instruction of the flavour, no loop and no checks. */
void ma_arch_force_insn(enum ma_atomic_flavour f, volatile uint64_t *p)
{
	uint64_t old;

	switch (f) {
	case MA_ATOMIC_PLAIN:
		plain_inc(p);
		break;
	case MA_ATOMIC_X86_XADD:
		xadd_inc(p);
		break;
	case MA_ATOMIC_X86_CMPXCHG:
		old = *p;
		cmpxchg(p, &old, old + 1);
		break;
	case MA_ATOMIC_X86_XCHG:
		old = *p;
		xchg(p, old + 1);
		break;
	default:
		/* arm64 flavours: there is no x86 instruction to force */
		ma_guest_assert_fail(__FILE__, __LINE__, "atomic flavour has no x86 instruction", f, 0);
	}
}
