// SPDX-License-Identifier: GPL-2.0
/* memattr-gmem: guest_memfd, memory attributes and KVM_EXIT_MEMORY_FAULT (one file per concern). */
#include "memattr/harness.h"

MA_TEST_MAIN
