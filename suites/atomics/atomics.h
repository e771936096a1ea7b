/* SPDX-License-Identifier: GPL-2.0 */
/* atomics suite: what differs per architecture (suites/atomics/arch/<arch>/). */
#ifndef MEMATTR_SUITE_ATOMICS_H
#define MEMATTR_SUITE_ATOMICS_H

#include <stdbool.h>

#include "memattr/harness.h"
#include "memattr/atomic_flavours.h"
#include "memattr/kvm.h"

struct ma_atomic_case {
	enum ma_atomic_flavour flavour;
	unsigned int vcpus;
};

#if defined(__aarch64__)
#define MA_ATOMIC_VARIANTS                                                                           \
	{ .name = "llsc.1vcpu", .param = &(struct ma_atomic_case){ MA_ATOMIC_LLSC, 1 } },            \
	{ .name = "llsc.4vcpu", .param = &(struct ma_atomic_case){ MA_ATOMIC_LLSC, 4 } },            \
	{ .name = "lse_ldadd.1vcpu", .param = &(struct ma_atomic_case){ MA_ATOMIC_LSE_LDADD, 1 } },  \
	{ .name = "lse_ldadd.4vcpu", .param = &(struct ma_atomic_case){ MA_ATOMIC_LSE_LDADD, 4 } },  \
	{ .name = "lse_cas.4vcpu", .param = &(struct ma_atomic_case){ MA_ATOMIC_LSE_CAS, 4 } },      \
	{ .name = "lse_swp_lock.4vcpu", .param = &(struct ma_atomic_case){ MA_ATOMIC_LSE_SWP, 4 } }
#elif defined(__x86_64__)
#define MA_ATOMIC_VARIANTS                                                                           \
	{ .name = "lock_xadd.1vcpu", .param = &(struct ma_atomic_case){ MA_ATOMIC_X86_XADD, 1 } },   \
	{ .name = "lock_xadd.4vcpu", .param = &(struct ma_atomic_case){ MA_ATOMIC_X86_XADD, 4 } },   \
	{ .name = "lock_cmpxchg.4vcpu", .param = &(struct ma_atomic_case){ MA_ATOMIC_X86_CMPXCHG, 4 } }, \
	{ .name = "xchg_lock.4vcpu", .param = &(struct ma_atomic_case){ MA_ATOMIC_X86_XCHG, 4 } }
#endif

#endif
