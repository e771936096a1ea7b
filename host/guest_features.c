// SPDX-License-Identifier: GPL-2.0
/* The guest's feature registers, read by the FEATURES agent and decoded per architecture. */
#include <string.h>

#include "memattr/guest_features.h"
#include "memattr/harness.h"

void ma_read_guest_features(struct ma_vcpu *v, struct ma_guest_features *gf)
{
	struct ma_result res;

	ma_run_agent_done(v, MA_AGENT_FEATURES, MA_NO_ARGS, &res, "read of its feature registers");
	memset(gf, 0, sizeof(*gf));
	memcpy(gf->raw, res.ret.features, sizeof(gf->raw));
	ma_arch_decode_features(gf);
}
