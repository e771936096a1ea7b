/* SPDX-License-Identifier: GPL-2.0 */
/* memslot suite: host memory-management facts and knobs the invalidation and dirty-log tests use. */
#ifndef MEMATTR_SUITE_MEMSLOT_HOSTMM_H
#define MEMATTR_SUITE_MEMSLOT_HOSTMM_H

#include <stddef.h>
#include <stdint.h>

#define MS_HUGE_2M (2ull << 20)

/*
 * Make sure n free 2 MiB hugetlb pages exist.  If there are fewer and we are root,
 * vm.nr_hugepages is raised (and put back by ms_hugepages_restore(), or, if the test dies
 * first, by a watcher process when the test process is gone).  Skips the test, naming what was
 * read, when the pages cannot be had.
 */
void ms_need_hugepages(unsigned int n);
void ms_hugepages_restore(void);

/* AnonHugePages (kB) of the VMA containing addr, from /proc/self/smaps; -errno if not found. */
long ms_try_anon_huge_kb(const void *addr);
/* Private_Hugetlb + Shared_Hugetlb (kB) of the VMA containing addr; -errno if not found. */
long ms_try_hugetlb_kb(const void *addr);
/*
 * Prove a huge-page backing before a test claims the huge-page case, once its memory is faulted
 * in: anonymous THP must show size bytes of AnonHugePages (else the test skips with what smaps
 * says), hugetlb size bytes of hugetlb pages (else it fails).  Other kinds: nothing to prove.
 */
void ms_prove_backing(enum ma_backing kind, const void *hva, size_t size, const char *when);
/* The text of /sys/kernel/mm/transparent_hugepage/enabled (for skip reasons), or "absent". */
const char *ms_thp_setting(void);
/*
 * The physical frame behind addr, from /proc/self/pagemap: > 0; 0 if the page is not present
 * or the PFN is hidden (not root); -errno if pagemap cannot be read.
 */
long long ms_try_pagemap_pfn(const void *addr);
/* An address range of size bytes aligned to align with nothing mapped (PROT_NONE reservation). */
void *ms_reserve(size_t size, size_t align);

#endif
