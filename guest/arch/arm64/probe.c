// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 guest: MA_AGENT_PROBE.  Each op is one access with cpu->fixup_pc armed to the label right
 * after it.  The asm sets its result register to "fault" before arming and to "ok" right after the
 * access; an exception resumes at the label with the registers of the faulting context, so the
 * result still says "fault", and the syndrome and address are in the mailbox's exception record.
 *
 *   LOAD64          LDR at gva
 *   STORE64         STR of arg at gva
 *   LOAD_UNALIGNED  LDR at gva + 1
 *   EXEC            BLR to gva (the host put a RET there); the fixup follows the BLR
 *   EXCLUSIVE       LDXR then STXR of (value + arg) at gva, retried up to PROBE_EXCL_TRIES times;
 *                   if the store-exclusive never succeeds: MA_PROBE_UNSUPPORTED, *syndrome = tries
 *   LSE_LDADD       LDADD of arg at gva (MA_PROBE_UNSUPPORTED without FEAT_LSE)
 */
#include "memattr/guest.h"

#define PROBE_EXCL_TRIES	64

enum { R_OK = 0, R_FAULT = 1, R_NOEXCL = 2 };

/* The prologue every probe starts with: result = fault, arm the fixup to local label 9. */
#define PROBE_ARM			\
	"mov	%w[res], #1\n\t"	\
	"adr	%[tmp], 9f\n\t"		\
	"str	%[tmp], [%[fix]]\n\t"

static uint32_t probe_load64(volatile uint64_t *fix, uint64_t gva)
{
	uint32_t res;
	uint64_t tmp, val;

	__asm__ volatile(PROBE_ARM
		     "ldr	%[val], [%[a]]\n\t"
		     "mov	%w[res], #0\n"
		     "9:"
		     : [res] "=&r"(res), [tmp] "=&r"(tmp), [val] "=&r"(val)
		     : [a] "r"(gva), [fix] "r"(fix)
		     : "memory");
	return res;
}

static uint32_t probe_store64(volatile uint64_t *fix, uint64_t gva, uint64_t v)
{
	uint32_t res;
	uint64_t tmp;

	__asm__ volatile(PROBE_ARM
		     "str	%[v], [%[a]]\n\t"
		     "mov	%w[res], #0\n"
		     "9:"
		     : [res] "=&r"(res), [tmp] "=&r"(tmp)
		     : [a] "r"(gva), [v] "r"(v), [fix] "r"(fix)
		     : "memory");
	return res;
}

static uint32_t probe_exec(volatile uint64_t *fix, uint64_t gva)
{
	uint32_t res;
	uint64_t tmp;

	/* the code at gva is a bare RET: it only uses x30, which BLR clobbers */
	__asm__ volatile(PROBE_ARM
		     "blr	%[a]\n\t"
		     "mov	%w[res], #0\n"
		     "9:"
		     : [res] "=&r"(res), [tmp] "=&r"(tmp)
		     : [a] "r"(gva), [fix] "r"(fix)
		     : "x30", "memory");
	return res;
}

static uint32_t probe_exclusive(volatile uint64_t *fix, uint64_t gva, uint64_t add, uint64_t *tries)
{
	uint32_t res, fail;
	uint64_t tmp, val, n = PROBE_EXCL_TRIES;

	__asm__ volatile(PROBE_ARM
		     "1:	ldxr	%[val], [%[a]]\n\t"
		     "	add	%[val], %[val], %[add]\n\t"
		     "	stxr	%w[fail], %[val], [%[a]]\n\t"
		     "	cbz	%w[fail], 2f\n\t"
		     "	subs	%[n], %[n], #1\n\t"
		     "	b.ne	1b\n\t"
		     "	mov	%w[res], #2\n\t"
		     "	b	9f\n"
		     "2:	mov	%w[res], #0\n"
		     "9:"
		     : [res] "=&r"(res), [tmp] "=&r"(tmp), [val] "=&r"(val), [fail] "=&r"(fail),
		       [n] "+&r"(n)
		     : [a] "r"(gva), [add] "r"(add), [fix] "r"(fix)
		     : "memory", "cc");
	*tries = PROBE_EXCL_TRIES - n + (res == R_OK);
	return res;
}

static uint32_t probe_ldadd(volatile uint64_t *fix, uint64_t gva, uint64_t add)
{
	uint32_t res;
	uint64_t tmp, old;

	__asm__ volatile(".arch_extension lse\n\t"
		     PROBE_ARM
		     "ldadd	%[add], %[old], [%[a]]\n\t"
		     "mov	%w[res], #0\n"
		     "9:"
		     : [res] "=&r"(res), [tmp] "=&r"(tmp), [old] "=&r"(old)
		     : [a] "r"(gva), [add] "r"(add), [fix] "r"(fix)
		     : "memory");
	return res;
}

enum ma_probe_result ma_arch_probe(uint64_t gva, enum ma_probe_op op, uint64_t arg,
				   uint64_t *syndrome, uint64_t *addr)
{
	struct ma_guest_cpu *cpu = ma_this_cpu();
	volatile uint64_t *fix = &cpu->fixup_pc;
	uint64_t tries = 0;
	uint32_t r;

	*syndrome = 0;
	*addr = 0;
	switch (op) {
	case MA_PROBE_LOAD64:
		r = probe_load64(fix, gva);
		break;
	case MA_PROBE_STORE64:
		r = probe_store64(fix, gva, arg);
		break;
	case MA_PROBE_LOAD_UNALIGNED:
		r = probe_load64(fix, gva + 1);
		break;
	case MA_PROBE_EXEC:
		r = probe_exec(fix, gva);
		break;
	case MA_PROBE_EXCLUSIVE:
		r = probe_exclusive(fix, gva, arg, &tries);
		break;
	case MA_PROBE_LSE_LDADD:
		if (!ma_arch_atomic_supported(MA_ATOMIC_LSE_LDADD))
			return MA_PROBE_UNSUPPORTED;
		r = probe_ldadd(fix, gva, arg);
		break;
	default:
		return MA_PROBE_UNSUPPORTED;
	}
	cpu->fixup_pc = 0;	/* the handler clears it on a fault; clear it on success too */
	if (r == R_FAULT) {
		*syndrome = cpu->mb->exc.syndrome;
		*addr = cpu->mb->exc.addr;
		return MA_PROBE_FAULT;
	}
	if (r == R_NOEXCL) {
		*syndrome = tries;
		return MA_PROBE_UNSUPPORTED;
	}
	return MA_PROBE_OK;
}
