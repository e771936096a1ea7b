// SPDX-License-Identifier: GPL-2.0
/* memattr-selfcheck: the harness's guarantees, proven in the cell or host the suites run on. */
#include "memattr/harness.h"

MA_TEST_MAIN
