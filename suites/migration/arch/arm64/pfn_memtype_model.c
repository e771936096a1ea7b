// SPDX-License-Identifier: GPL-2.0
/* The pfnmap suite's arm64 memory-type model, for the expectations of pfn_expect.c. */
#include "../../../pfnmap/arch/arm64/memtype_model.c"
