// SPDX-License-Identifier: GPL-2.0
/* The guest's feature registers, read by the FEATURES agent. */
#include <string.h>

#include "memattr/atomic_flavours.h"
#include "memattr/harness.h"

void ma_read_guest_features(struct ma_vcpu *v, uint64_t features[8])
{
	struct ma_result res;
	char why[768];

	if (ma_vcpu_run_agent(v, MA_AGENT_FEATURES, NULL, 0, 0, &res) != MA_OUT_DONE) {
		ma_result_describe(&res, why, sizeof(why));
		ma_fatal("features agent: %s", why);
	}
	memcpy(features, res.ret, 8 * sizeof(uint64_t));
}
