/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest CPU's features as the guest reads them (MA_AGENT_FEATURES), decoded once: the registers
 * as read, and the fields the suites judge by.  Decoding is per architecture
 * (host/arch/<arch>/guest_features.c).
 */
#ifndef MEMATTR_GUEST_FEATURES_H
#define MEMATTR_GUEST_FEATURES_H

#include <stdbool.h>
#include <stdint.h>

#include "memattr/kvm.h"

struct ma_guest_features {
	uint64_t raw[8];	/* the registers as read, indexed by abi.h's enum ma_feature_reg */
	/* arm64 */
	unsigned int isar0_atomic;	/* ID_AA64ISAR0_EL1.Atomic: 2 or more is FEAT_LSE */
	bool lse;		/* FEAT_LSE */
	bool fwb;		/* ID_AA64MMFR2_EL1.FWB: stage 2 can force write-back */
	bool dic;		/* CTR_EL0.DIC: no I-cache invalidation needed to the PoU */
	/* x86_64 */
	uint64_t pat;		/* IA32_PAT */
};

/* Run MA_AGENT_FEATURES on v and decode; fails the test if the agent does not complete. */
void ma_read_guest_features(struct ma_vcpu *v, struct ma_guest_features *gf);
/* Decode raw[] into the fields of this architecture (the per-arch part of the above). */
void ma_arch_decode_features(struct ma_guest_features *gf);

#endif
