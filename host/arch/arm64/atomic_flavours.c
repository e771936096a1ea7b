// SPDX-License-Identifier: GPL-2.0
/* arm64: atomic flavours (LL/SC and FEAT_LSE, ID_AA64ISAR0_EL1.Atomic) and EC decoding. */
#include <stdio.h>

#include "memattr/atomic_flavours.h"
#include "memattr/util.h"

#define ESR_EC(esr) (((esr) >> 26) & 0x3f)

static const enum ma_atomic_flavour flavours[] = {
	MA_ATOMIC_LLSC, MA_ATOMIC_LSE_LDADD, MA_ATOMIC_LSE_CAS, MA_ATOMIC_LSE_SWP,
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
	case MA_ATOMIC_LLSC: return "llsc";
	case MA_ATOMIC_LSE_LDADD: return "lse_ldadd";
	case MA_ATOMIC_LSE_CAS: return "lse_cas";
	case MA_ATOMIC_LSE_SWP: return "lse_swp_lock";
	default: return "?";
	}
}

const char *ma_atomics_unsupported_reason(enum ma_atomic_flavour f, const struct ma_guest_features *gf)
{
	static char why[160];

	switch (f) {
	case MA_ATOMIC_LLSC:
		return NULL;	/* exclusives are in every ARMv8-A CPU */
	case MA_ATOMIC_LSE_LDADD:
	case MA_ATOMIC_LSE_CAS:
	case MA_ATOMIC_LSE_SWP:
		if (gf->lse)
			return NULL;
		snprintf(why, sizeof(why), "guest ID_AA64ISAR0_EL1.Atomic=%u: no FEAT_LSE (0x%llx)",
			 gf->isar0_atomic,
			 (unsigned long long)gf->raw[MA_FEAT_ID_AA64ISAR0_EL1]);
		return why;
	default:
		return "not an arm64 atomic flavour";
	}
}

bool ma_exc_is_undefined_insn(const struct ma_exception *e)
{
	/* current EL with SP_ELx, synchronous (vector offset 0x200), EC 0x00 "unknown reason" */
	return e->vector == 0x200 && ESR_EC(e->syndrome) == 0;
}
