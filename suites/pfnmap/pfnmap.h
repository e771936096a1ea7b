/* SPDX-License-Identifier: GPL-2.0 */
/* pfnmap suite: the per-architecture expectations (suites/pfnmap/arch/<arch>/). */
#ifndef MEMATTR_SUITE_PFNMAP_H
#define MEMATTR_SUITE_PFNMAP_H

#include "memattr/harness.h"
#include "memattr/kvm.h"
#include "memattr/pfnmap.h"
#include "memtype_model.h"

/* ---- shared by the suite's files (suites/pfnmap/common.c) ---- */

#define PFN_SIZE (64ull << 10)		/* bytes most tests map: a multiple of every host page size */
#define SLOT_GPA (MA_TEST_GPA)

/* One source as a test variant: which source, shared or private. */
struct src_case {
	enum ma_pfnmap_kind kind;
	bool private_map;
};

#define SRC(n, k, priv) { .name = n, .param = &(struct src_case){ k, priv } }
/* Every source, MAP_SHARED (and MAP_PRIVATE where the source allows it). */
#define PFN_SOURCE_VARIANTS                                             \
	SRC("udmabuf.shared", MA_PFN_UDMABUF, false),                   \
	SRC("devmem.shared", MA_PFN_DEVMEM, false),                     \
	SRC("devmem.private", MA_PFN_DEVMEM, true),                     \
	SRC("carveout_wb.shared", MA_PFN_CARVEOUT_WB, false),           \
	SRC("carveout_wb.private", MA_PFN_CARVEOUT_WB, true),           \
	SRC("carveout_nc.shared", MA_PFN_CARVEOUT_NC, false),           \
	SRC("carveout_dev.shared", MA_PFN_CARVEOUT_DEV, false),         \
	SRC("pci_bar.shared", MA_PFN_PCI_BAR, false),                   \
	SRC("pci_bar_wc.shared", MA_PFN_PCI_BAR_WC, false),             \
	SRC("vfio0.shared", MA_PFN_VFIO0, false),                       \
	SRC("vfio1.shared", MA_PFN_VFIO1, false)
/* Every source once, MAP_SHARED. */
#define PFN_SHARED_SOURCE_VARIANTS                                      \
	SRC("udmabuf", MA_PFN_UDMABUF, false),                          \
	SRC("devmem", MA_PFN_DEVMEM, false),                            \
	SRC("carveout_wb", MA_PFN_CARVEOUT_WB, false),                  \
	SRC("carveout_nc", MA_PFN_CARVEOUT_NC, false),                  \
	SRC("carveout_dev", MA_PFN_CARVEOUT_DEV, false),                \
	SRC("pci_bar", MA_PFN_PCI_BAR, false),                          \
	SRC("pci_bar_wc", MA_PFN_PCI_BAR_WC, false),                    \
	SRC("vfio0", MA_PFN_VFIO0, false),                              \
	SRC("vfio1", MA_PFN_VFIO1, false)

/* Open and map size bytes of a source (at fixed if not NULL); skips the test if it is absent. */
void pfn_open(const struct src_case *c, size_t size, void *fixed, struct ma_pfnmap *p);
/* The same from byte off of the source (carve-out sources). */
void pfn_open_at(const struct src_case *c, size_t size, uint64_t off, void *fixed, struct ma_pfnmap *p);
/* Add a memslot over the whole mapping; skips the test if KVM refuses it as expected here. */
void pfn_add_slot(struct ma_vm *vm, uint32_t slot, uint64_t gpa, const struct ma_pfnmap *p);
/* An address range with nothing mapped (a hole) of size bytes, aligned to align. */
void *pfn_hole(size_t size, size_t align);
/* Run an agent with two arguments. */
enum ma_outcome pfn_run(struct ma_vcpu *v, enum ma_agent a, uint64_t x, uint64_t y, struct ma_result *res);
/*
 * Whether the guest can reach the slot's memory at gpa at all.  If KVM is expected to refuse the
 * first access (ma_pfnmap_expected_run_errno, e.g. pKVM and device memory), this checks that it
 * does, with that errno, and returns false.
 */
bool pfn_guest_can_access(struct ma_vm *vm, struct ma_vcpu *v, const struct ma_pfnmap *p, uint64_t gpa);
/* The same, for tests that need the access: if it is refused as expected, the test ends there. */
void pfn_guest_access_or_end(struct ma_vm *vm, struct ma_vcpu *v, const struct ma_pfnmap *p, uint64_t gpa);
/* "accepted" or the errno name, for diagnostics */
const char *pfn_verdict(int err);

/* ---- the memory-type model (memtype_model.h), per architecture in arch/<arch>/expect.c ---- */

/* The platform the model needs (arm64: FWB, DIC and LSE from the guest's ID registers through v,
 * cap 243 on v's VM, pKVM).
 */
void pfn_platform(struct ma_vcpu *v, struct mt_platform *pl);
/* The model's expectation for one matrix row: this source through guest stage-1 type s1. */
void pfn_model_row(const struct mt_platform *pl, const struct ma_pfnmap *p, enum ma_memtype s1,
		   struct mt_row_expect *out);
/* A probe's result as a model outcome (common.c; arch: the fault syndromes). */
enum mt_outcome pfn_classify(const struct ma_result *res, enum ma_probe_op op);
enum mt_outcome pfn_classify_fault(uint64_t syndrome);
/* Fail the test if the source table (sources.c) and the opened source disagree. */
void pfn_verify_source_table(const struct ma_pfnmap *p);

/* Expected errno (0 = accepted) of a memslot over this PFNMAP with these flags on this VM, and the rule. */
int ma_pfnmap_expected_slot_errno(struct ma_vm *vm, const struct ma_pfnmap *p, uint32_t flags,
				  const struct mt_rule **rule);
/*
 * What a guest access through a memslot over this source does once the host mapping exists:
 * 0 = KVM maps it, else the errno KVM_RUN fails with (arm64: a cacheable non-RAM PFNMAP without
 * FWB+DIC reached through a slot made over a hole; pKVM and non-RAM memory).
 */
int ma_pfnmap_expected_run_errno(struct ma_vm *vm, const struct ma_pfnmap *p, const struct mt_rule **rule);
/* Whether atomics must be exact through a Normal-WB guest mapping of this source (effective Normal-WB). */
bool ma_pfnmap_atomics_required(struct ma_vm *vm, const struct ma_pfnmap *p, const struct mt_rule **rule);
/* What a guest's first write to a page of a MAP_PRIVATE (COW) PFNMAP slot that nobody has copied
 * yet does: the errno KVM_RUN fails with, or 0 when it lands in the host's COW copy.
 */
int ma_pfnmap_cow_write_errno(const struct mt_rule **rule);
/* The bytes of a "return" instruction for exec probes. */
extern const unsigned char ma_return_insn[];
extern const unsigned int ma_return_insn_len;
/* Check KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED at both scopes (a whole test body). */
void ma_pfnmap_check_cap(struct ma_t *t);

#endif
