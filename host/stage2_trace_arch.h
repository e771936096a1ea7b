/* SPDX-License-Identifier: GPL-2.0 */
/* What host/arch/<arch>/stage2_trace.c gives the generic stage-2 tracer (host/stage2_trace.c). */
#ifndef MEMATTR_STAGE2_TRACE_ARCH_H
#define MEMATTR_STAGE2_TRACE_ARCH_H

#include <stdbool.h>

#include "memattr/stage2_trace.h"

/* One kernel function to probe. */
struct ma_s2probe {
	enum ma_s2fn fn;
	const char *tag;	/* event name suffix: memattr_<pid>_<tag> (and <tag>_ret) */
	const char *symbol;	/* the function */
	const char *fetch;	/* kprobe fetch args at its entry */
	bool required;		/* start fails (ENOENT/EOPNOTSUPP) if this one cannot be probed */
};

/* The probes for this architecture and KVM mode: their number, or -EOPNOTSUPP (*why set). */
int ma_arch_try_s2trace_probes(const struct ma_s2probe **out, const char **why);

#endif
