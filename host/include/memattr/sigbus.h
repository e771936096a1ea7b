/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SIGBUS as an observable outcome: a process-wide SA_SIGINFO handler that records every SIGBUS a
 * thread takes (si_code, si_addr, si_addr_lsb, the thread), so that a test can state exactly which
 * signal the kernel sent and to whom.  Two ways a SIGBUS arrives:
 *
 *   - from an access of the thread itself (a fault): ma_sigbus_read64()/ma_sigbus_write64() make
 *     one access that may fault and say what happened;
 *   - queued by the kernel while the thread was in a system call and delivered when it returns:
 *     madvise(MADV_HWPOISON) (mm/memory-failure.c:kill_proc), a memory_failure() the thread
 *     triggered, KVM_RUN (arch/x86/kvm/mmu/mmu.c:kvm_send_hwpoison_signal, arm64 the same in
 *     arch/arm64/kvm/mmu.c).  ma_sigbus_take() returns those.  ma_vcpu_resume() ends a run whose
 *     KVM_RUN was interrupted by such a SIGBUS (MA_OUT_RUN_ERROR, EINTR) and puts it in
 *     res->sigbus.
 *
 * Nothing changes for a process that never calls ma_sigbus_catch(): SIGBUS keeps its default action.
 */
#ifndef MEMATTR_SIGBUS_H
#define MEMATTR_SIGBUS_H

#include <stdbool.h>
#include <stdint.h>

#include "memattr/kvm.h"	/* struct ma_sigbus */

/* Install the handler (process-wide, idempotent).  A failed sigaction() fails the test. */
void ma_sigbus_catch(void);
/*
 * One 64-bit load from / store to addr.  false: it completed (*val holds what was loaded);
 * true: it took a SIGBUS, described in *s.  Needs ma_sigbus_catch().
 */
bool ma_sigbus_read64(const volatile void *addr, uint64_t *val, struct ma_sigbus *s);
bool ma_sigbus_write64(volatile void *addr, uint64_t val, struct ma_sigbus *s);
/*
 * The SIGBUSes the calling thread took outside ma_sigbus_read64/write64 since the last call: how
 * many (0: none, *s zeroed), *s the first of them.
 */
unsigned int ma_sigbus_take(struct ma_sigbus *s);
/* "BUS_MCEERR_AR", "BUS_MCEERR_AO", "BUS_ADRERR", "BUS_ADRALN", "BUS_OBJERR", or "si_code N" */
const char *ma_sigbus_code_name(int code);
/* "SIGBUS BUS_MCEERR_AR addr 0x... lsb 12 tid 123" into buf; returns buf */
const char *ma_sigbus_describe(const struct ma_sigbus *s, char *buf, unsigned int len);

#endif
