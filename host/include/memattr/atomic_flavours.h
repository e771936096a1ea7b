/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest atomic flavours (enum ma_atomic_flavour, guest/include/memattr/abi.h): which ones this
 * architecture has, which ones the guest CPU supports, and how an undefined instruction shows.
 * Per architecture in host/arch/<arch>/atomic_flavours.c.
 */
#ifndef MEMATTR_ATOMIC_FLAVOURS_H
#define MEMATTR_ATOMIC_FLAVOURS_H

#include <stdbool.h>
#include <stdint.h>

#include "memattr/kvm.h"

/* The atomic flavours of this architecture (not MA_ATOMIC_PLAIN), *n of them. */
const enum ma_atomic_flavour *ma_atomic_flavours(unsigned *n);
const char *ma_atomic_flavour_name(enum ma_atomic_flavour f);
/* NULL if the guest's feature registers (MA_AGENT_FEATURES ret[]) allow the flavour,
 * else the reason, naming the register and field that was read. */
const char *ma_atomics_unsupported_reason(enum ma_atomic_flavour f, const uint64_t features[8]);
/* Whether a reported guest exception is the undefined-instruction exception. */
bool ma_exc_is_undefined_insn(const struct ma_exception *e);
/* Run MA_AGENT_FEATURES on v; fails the test if the agent does not complete. */
void ma_read_guest_features(struct ma_vcpu *v, uint64_t features[8]);

#endif
