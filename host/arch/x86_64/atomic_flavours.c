// SPDX-License-Identifier: GPL-2.0
/* x86_64: every locked flavour exists on x86_64; #UD is vector 6. */
#include "memattr/atomic_flavours.h"
#include "memattr/util.h"

static const enum ma_atomic_flavour flavours[] = {
	MA_ATOMIC_X86_XADD, MA_ATOMIC_X86_CMPXCHG, MA_ATOMIC_X86_XCHG,
};

const enum ma_atomic_flavour *ma_atomic_flavours(unsigned int *n)
{
	*n = MA_ARRAY_SIZE(flavours);
	return flavours;
}

const char *ma_atomic_flavour_name(enum ma_atomic_flavour f)
{
	switch (f) {
	case MA_ATOMIC_PLAIN: return "plain";
	case MA_ATOMIC_X86_XADD: return "lock_xadd";
	case MA_ATOMIC_X86_CMPXCHG: return "lock_cmpxchg";
	case MA_ATOMIC_X86_XCHG: return "xchg_lock";
	default: return "?";
	}
}

const char *ma_atomics_unsupported_reason(enum ma_atomic_flavour f, const struct ma_guest_features *gf)
{
	(void)gf;
	switch (f) {
	case MA_ATOMIC_X86_XADD:
	case MA_ATOMIC_X86_CMPXCHG:
	case MA_ATOMIC_X86_XCHG:
		return NULL;	/* architectural on every x86_64 CPU */
	default:
		return "not an x86 atomic flavour";
	}
}

bool ma_exc_is_undefined_insn(const struct ma_exception *e)
{
	return e->vector == 6;
}
