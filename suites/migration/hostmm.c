// SPDX-License-Identifier: GPL-2.0
/*
 * migration suite: the memslot suite's host memory-management helpers (hugetlb pool, THP proof,
 * ../memslot/hostmm.h), built into this program from their one source.
 */
#include "../memslot/hostmm.c"
