// SPDX-License-Identifier: GPL-2.0
/* x86_64: the feature fields the suites judge by (the guest's IA32_PAT, read with rdmsr). */
#include "memattr/guest_features.h"

void ma_arch_decode_features(struct ma_guest_features *gf)
{
	gf->pat = gf->raw[MA_FEAT_IA32_PAT];
}
