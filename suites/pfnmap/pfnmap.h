/* SPDX-License-Identifier: GPL-2.0 */
/* pfnmap suite: the per-architecture expectations (suites/pfnmap/arch/<arch>/). */
#ifndef MEMATTR_SUITE_PFNMAP_H
#define MEMATTR_SUITE_PFNMAP_H

#include "memattr/harness.h"
#include "memattr/kvm.h"
#include "memattr/pfnmap.h"

/* Expected errno (0 = accepted) of a memslot over this PFNMAP with these flags on this VM,
 * and the kernel source that says so. */
int ma_pfnmap_expected_slot_errno(struct ma_vm *vm, const struct ma_pfnmap *p, uint32_t flags,
				  const char **source);

enum ma_probe_expect {
	MA_EXPECT_ANY = 0,	/* implementation defined: observed and reported, not asserted */
	MA_EXPECT_COMPLETES,	/* the access must complete */
	MA_EXPECT_KVM_SEA,	/* KVM injects a synchronous external abort (exec on non-cacheable) */
};

/* What a guest probe through a stage-1 mapping of type mt must do on this PFNMAP source. */
enum ma_probe_expect ma_pfnmap_probe_expect(const struct ma_pfnmap *p, enum ma_probe_op op,
					    enum ma_memtype mt, const char **source);
/* Whether a faulting probe's syndrome is the abort KVM injects for MA_EXPECT_KVM_SEA. */
bool ma_pfnmap_is_kvm_sea(uint64_t syndrome, uint64_t vector);
/* The bytes of a "return" instruction for exec probes. */
extern const unsigned char ma_return_insn[];
extern const unsigned ma_return_insn_len;
/* Check KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED at both scopes (a whole test body). */
void ma_pfnmap_check_cap(struct ma_t *t);

#endif
