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

#include "memattr/guest_features.h"
#include "memattr/kvm.h"

/* The atomic flavours of this architecture (not MA_ATOMIC_PLAIN), *n of them. */
const enum ma_atomic_flavour *ma_atomic_flavours(unsigned int *n);
const char *ma_atomic_flavour_name(enum ma_atomic_flavour f);
/* NULL if the guest's features allow the flavour, else the reason, naming the register and field. */
const char *ma_atomics_unsupported_reason(enum ma_atomic_flavour f, const struct ma_guest_features *gf);
/* Whether a reported guest exception is the undefined-instruction exception. */
bool ma_exc_is_undefined_insn(const struct ma_exception *e);

/* The outcome of ma_atomics_run_checked. */
struct ma_atomic_run {
	uint64_t expected;	/* increments the vCPUs report (>= nr_vcpus * iterations) */
	uint64_t counter;	/* the final count */
	uint64_t overlaps;	/* increments, over all vCPUs, that saw another vCPU's in between */
	unsigned int failed_vcpus;	/* vCPUs that did not finish */
};

/*
 * Run flavour f, iters increments per vCPU, on every vCPU of vm at once on the counter at gpa
 * (counter is the host's view of it; counter[1] is the lock word of the lock flavours, counter[2]
 * the start barrier all vCPUs wait at; all are reset first).  Fails the test if a vCPU did not
 * finish, if several vCPUs never overlapped, or if an atomic flavour lost an update;
 * MA_ATOMIC_PLAIN (the control) is left to the caller to judge.
 */
void ma_atomics_run_checked(struct ma_vm *vm, uint64_t gpa, volatile uint64_t *counter,
			    enum ma_atomic_flavour f, uint64_t iters, struct ma_atomic_run *out);

#endif
