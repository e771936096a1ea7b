// SPDX-License-Identifier: GPL-2.0
/* The pfnmap suite's sources.c, for the model built into this suite (see pfn_expect.c). */
#include "../../../pfnmap/sources.c"
