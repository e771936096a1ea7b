// SPDX-License-Identifier: GPL-2.0
/*
 * arm64: the feature fields the suites judge by (Arm ARM D23.2: ID_AA64ISAR0_EL1, ID_AA64MMFR2_EL1,
 * CTR_EL0).
 */
#include "memattr/guest_features.h"

void ma_arch_decode_features(struct ma_guest_features *gf)
{
	/* ID_AA64ISAR0_EL1.Atomic, bits 23:20 */
	gf->isar0_atomic = (unsigned int)(gf->raw[MA_FEAT_ID_AA64ISAR0_EL1] >> 20) & 0xf;
	gf->lse = gf->isar0_atomic >= 2;
	/* ID_AA64MMFR2_EL1.FWB, bits 43:40 */
	gf->fwb = ((gf->raw[MA_FEAT_ID_AA64MMFR2_EL1] >> 40) & 0xf) != 0;
	/* CTR_EL0.DIC, bit 29 */
	gf->dic = ((gf->raw[MA_FEAT_CTR_EL0] >> 29) & 1) != 0;
}
