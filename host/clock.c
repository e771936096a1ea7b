// SPDX-License-Identifier: GPL-2.0
/* The suites' one clock: seconds of CLOCK_MONOTONIC. */
#include "memattr/harness.h"

#include <time.h>

double ma_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
