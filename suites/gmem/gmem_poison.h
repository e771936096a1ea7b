/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gmem suite, the poison and in-place conversion parts (poison.c, poison_nopage.c, inplace.c):
 * helpers they share (poison_common.c).
 */
#ifndef MEMATTR_SUITE_GMEM_POISON_H
#define MEMATTR_SUITE_GMEM_POISON_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memattr/gmem.h"
#include "memattr/harness.h"
#include "memattr/kvm.h"
#include "memattr/sigbus.h"

/*
 * memory_failure() is there and recovers (CONFIG_MEMORY_FAILURE: the vm.memory_failure_recovery
 * sysctl exists and is 1, else mm/memory-failure.c:memory_failure panics): skips naming what it
 * found otherwise.
 */
void gp_need_memory_failure(void);
/* madvise(addr, len, MADV_HWPOISON): 0 or -errno */
int gp_try_hwpoison(void *addr, size_t len);
/* log2 of the host page size (PAGE_SHIFT) */
int gp_page_shift(void);
/* The running kernel is Linux major.minor.* (uname). */
bool gp_kernel_is(unsigned int major, unsigned int minor);
/* The calling thread's id. */
int gp_tid(void);
/* ma_sigbus_describe() into one of a few rotating static buffers, for diagnostics */
const char *gp_sigbus_str(const struct ma_sigbus *s);

/*
 * n SIGBUSes were taken and the first, *s, is exactly the one expected: si_code code at addr with
 * si_addr_lsb lsb (checked for the BUS_MCEERR_* codes only), delivered to thread tid.  One counted
 * expectation; what names the access or call that took it.
 */
void gp_expect_sigbus_at(const char *file, int line, const char *what, unsigned int n,
			 const struct ma_sigbus *s, int code, uint64_t addr, int lsb, int tid);
#define gp_expect_sigbus(what, n, s, code, addr, lsb, tid) \
	gp_expect_sigbus_at(__FILE__, __LINE__, what, n, s, code, addr, lsb, tid)

#endif
