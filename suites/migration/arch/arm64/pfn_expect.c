// SPDX-License-Identifier: GPL-2.0
/*
 * The pfnmap suite's arm64 expectations (ma_pfnmap_expected_slot_errno and the platform it
 * reads), built into this suite too: the stream's PFNMAP slot is judged by the same rule.
 */
#include "../../../pfnmap/arch/arm64/expect.c"
