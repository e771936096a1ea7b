// SPDX-License-Identifier: GPL-2.0
/* x86_64: the stage-2 tracer has no probes here (the NPT/EPT memory type comes from the MTRRs and
 * PAT, not from one map call): ma_try_s2trace_start() returns -EOPNOTSUPP.
 */
#include <errno.h>
#include <stddef.h>

#include "stage2_trace_arch.h"

int ma_arch_try_s2trace_probes(const struct ma_s2probe **out, const char **why)
{
	*out = NULL;
	*why = "stage-2 map tracing is implemented for arm64 only (x86_64 has no probes defined)";
	return -EOPNOTSUPP;
}
