// SPDX-License-Identifier: GPL-2.0
/* arm64 guest: MA_AGENT_FEATURES, the ID and cache-type registers listed in abi.h. */
#include "memattr/guest.h"

/* Generic encodings keep this assembling with -march=armv8-a. */
#define ma_read_sysreg(name) ({						\
	uint64_t _v;							\
	__asm__ volatile("mrs	%0, " name : "=r"(_v));			\
	_v;								\
})

void ma_arch_features(uint64_t ret[8])
{
	ret[MA_FEAT_ID_AA64ISAR0_EL1] = ma_read_sysreg("S3_0_C0_C6_0");
	ret[MA_FEAT_ID_AA64MMFR2_EL1] = ma_read_sysreg("S3_0_C0_C7_2");
	ret[MA_FEAT_CTR_EL0] = ma_read_sysreg("S3_3_C0_C0_1");
	ret[MA_FEAT_MIDR_EL1] = ma_read_sysreg("S3_0_C0_C0_0");
	ret[MA_FEAT_ID_AA64PFR0_EL1] = ma_read_sysreg("S3_0_C0_C4_0");
	ret[MA_FEAT_ID_AA64MMFR0_EL1] = ma_read_sysreg("S3_0_C0_C7_0");
	ret[6] = 0;
	ret[7] = 0;
}
