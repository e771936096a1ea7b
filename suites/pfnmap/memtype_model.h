/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The memory-type model: from what a PFNMAP source presents to KVM (its host pgprot, whether
 * VM_ALLOW_ANY_UNCACHED is set, whether RAM with struct page sits behind it), the platform
 * properties that decide KVM's choice, and the guest's stage-1 memory type, it gives the expected
 * stage-2 type, the expected effective type and the set of outcomes each guest probe may have.
 * Every decision names the rule it comes from (kernel file:function, Linux 7.2.13, or the Arm ARM).
 *
 * The model is pure data and arithmetic (no KVM calls): the suite feeds it what it detected, and
 * tests/unit checks it on every platform profile, including that swapping any two stage-2 types
 * changes an expected outcome.  arm64: arch/arm64/memtype_model.c; x86_64: arch/x86_64/.
 */
#ifndef MEMATTR_PFNMAP_MEMTYPE_MODEL_H
#define MEMATTR_PFNMAP_MEMTYPE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memattr/abi.h"
#include "memattr/kernel_ref.h"
#include "memattr/pfnmap.h"

/* The page protection of the host VMA, as arm64 KVM classifies it (mmu.c:kvm_vma_is_cacheable). */
enum mt_pgprot {
	MT_PGPROT_CACHEABLE = 0,	/* MT_NORMAL / MT_NORMAL_TAGGED */
	MT_PGPROT_WRITECOMBINE,		/* pgprot_writecombine: MT_NORMAL_NC */
	MT_PGPROT_DEVICE,		/* pgprot_noncached / pgprot_device: MT_DEVICE_nGnRnE / nGnRE */
};

/* What a source presents to KVM. */
struct mt_source {
	enum mt_pgprot pgprot;
	bool allow_uncached;	/* VM_ALLOW_ANY_UNCACHED */
	bool ram;		/* the pfns are kernel RAM (pfn_is_map_memory) */
	const char *how;	/* the kernel code that sets it up */
};

/* The table: what each PFNMAP source presents (suites/pfnmap/sources.c). */
extern const struct mt_source mt_source_table[MA_PFN_COUNT];
/* The row for an opened source: the table's, or for vfio regions what the spec/driver says. */
struct mt_source mt_source_of(const struct ma_pfnmap *p);

/* Memory types: stage 2 and effective (stage 1 combined with stage 2). */
enum mt_type {
	MT_TYPE_NONE = 0,	/* no stage-2 mapping is made */
	MT_TYPE_NORMAL_WB,
	MT_TYPE_NORMAL_NC,
	MT_TYPE_DEVICE_nGnRE,
	MT_TYPE_DEVICE_nGnRnE,
	MT_TYPE_UNOBSERVABLE,	/* x86: the guest cannot tell the type through these probes */
	MT_TYPE_COUNT
};

const char *mt_type_name(enum mt_type t);
/* The type a guest stage-1 memory type names. */
enum mt_type mt_s1_type(enum ma_memtype s1);

/* What decides KVM's choice on this platform (detected by the suite, given by the unit test). */
struct mt_platform {
	bool fwb;	/* ID_AA64MMFR2_EL1.FWB */
	bool dic;	/* CTR_EL0.DIC */
	bool cap243;	/* KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED on the VM */
	bool pkvm;	/* kvm-arm.mode=protected */
	bool lse;	/* ID_AA64ISAR0_EL1.Atomic >= 2 */
};

/* Outcomes of one probe: what the guest (or KVM_RUN) shows.  Expectations are sets of these. */
enum mt_outcome {
	MT_OK = 0,		/* the access completed */
	MT_ALIGN_FAULT,		/* guest data abort, alignment (arm64 ESR EC 0x25, DFSC 0x21) */
	MT_SEA_IABT,		/* guest instruction abort, synchronous external (EC 0x21, IFSC 0x10) */
	MT_EXCL_FAULT,		/* guest data abort, unsupported exclusive or atomic (DFSC 0x35) */
	MT_NO_EXCL,		/* the store-exclusive never succeeded (64 tries) */
	MT_NOT_PRESENT,		/* the CPU lacks the instruction (checked in the guest) */
	MT_RUN_EFAULT,		/* KVM_RUN failed with EFAULT */
	MT_RUN_EINVAL,		/* KVM_RUN failed with EINVAL */
	MT_RUN_EPERM,		/* KVM_RUN failed with EPERM */
	MT_OTHER,		/* anything else: never expected */
	MT_OUTCOME_COUNT
};

#define MT_BIT(o) (1u << (o))
const char *mt_outcome_name(enum mt_outcome o);
/* "ok|excl_fault|no_excl" into buf */
const char *mt_outcome_set_str(unsigned int set, char *buf, size_t len);

/* A rule of the model: an id used in records, what it says, and where that comes from. */
struct mt_rule {
	const char *id;
	const char *says;
	const char *source;
};

/* The expectation of one matrix row (source x guest stage-1 type) on one platform. */
struct mt_row_expect {
	int slot_errno;			/* 0: KVM accepts the memslot, else the errno */
	const struct mt_rule *slot_rule;
	enum mt_type s2;		/* stage-2 type KVM gives (NONE if no mapping is made) */
	const struct mt_rule *s2_rule;
	enum mt_type eff;		/* effective type the guest's accesses get */
	const struct mt_rule *eff_rule;
	unsigned int allowed[MA_PROBE_COUNT];	/* MT_BIT() sets */
	const struct mt_rule *probe_rule[MA_PROBE_COUNT];
	bool judged_type;		/* the probes pin the effective type down (false: x86) */
};

/* ---- arm64 (suites/pfnmap/arch/arm64/memtype_model.c; pure, also built into the unit tests) ---- */
/* Stage-2 type for a source; MT_TYPE_NONE with *run_errno set when KVM refuses the mapping. */
enum mt_type mt_arm64_stage2(const struct mt_platform *pl, const struct mt_source *src, int *run_errno,
			     const struct mt_rule **rule);
/* Slot creation (flags: KVM_MEM_* bits; only LOG_DIRTY_PAGES matters here): 0 or errno. */
int mt_arm64_slot_errno(const struct mt_platform *pl, const struct mt_source *src, uint32_t flags,
			const struct mt_rule **rule);
/* Effective type of a guest access through stage 1 type s1 and stage 2 type s2. */
enum mt_type mt_arm64_effective(const struct mt_platform *pl, enum mt_type s2, enum ma_memtype s1,
				const struct mt_rule **rule);
/* Allowed outcomes of a probe given the stage-2 type (or NONE + run_errno) and stage 1. */
unsigned int mt_arm64_probe(const struct mt_platform *pl, enum mt_type s2, int run_errno, enum ma_memtype s1,
			    enum ma_probe_op op, const struct mt_rule **rule);
/* The whole row. */
void mt_arm64_expect_row(const struct mt_platform *pl, const struct mt_source *src, enum ma_memtype s1,
			 struct mt_row_expect *out);
/* Every rule of the arm64 model (for the unit test and for documentation). */
const struct mt_rule *const *mt_arm64_rules(unsigned int *n);

/* ---- x86_64 (suites/pfnmap/arch/x86_64/memtype_model.c) ---- */
void mt_x86_expect_row(const struct mt_source *src, enum ma_memtype s1, struct mt_row_expect *out);

#endif
