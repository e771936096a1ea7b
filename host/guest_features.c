// SPDX-License-Identifier: GPL-2.0
/* The guest's feature registers, read by the FEATURES agent. */
#include <string.h>

#include "memattr/atomic_flavours.h"
#include "memattr/harness.h"

void ma_read_guest_features(struct ma_vcpu *v, uint64_t features[8])
{
	struct ma_result res;

	ma_run_agent_done(v, MA_AGENT_FEATURES, MA_NO_ARGS, &res, "read of its feature registers");
	memcpy(features, res.ret.features, sizeof(res.ret.features));
}
