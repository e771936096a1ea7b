/* SPDX-License-Identifier: GPL-2.0 */
/*
 * migration suite: a source VM whose guest keeps writing generation-tagged pages
 * (MA_AGENT_GEN_WRITE) is copied to a destination VM in pre-copy rounds driven by dirty logging
 * (KVM_GET_DIRTY_LOG, KVM_CLEAR_DIRTY_LOG, the dirty ring), stopped, its vCPU state moved, and
 * resumed there; the guest then checks every page against its generation record.
 */
#ifndef MEMATTR_SUITE_MIGRATION_H
#define MEMATTR_SUITE_MIGRATION_H

#include <stdbool.h>
#include <stdint.h>

#include "memattr/harness.h"
#include "memattr/kvm.h"
#include "memattr/migration_stream.h"

#define MIG_DATA_SLOT 1u
#define MIG_CTRL_SLOT 2u
#define MIG_DATA_GPA MA_TEST_GPA
#define MIG_DATA_SIZE (2ull << 20) /* one 2 MiB block: THP and hugetlb back it with one page */
#define MIG_PAGES (MIG_DATA_SIZE / 4096)
#define MIG_CTRL_GPA (MA_TEST_GPA + (64ull << 20))
#define MIG_CTRL_SIZE (64ull << 10)
#define MIG_SEED 0x6d6967726174ull
#define MIG_VCPUS 2u
#define MIG_MIN_ROUNDS 4u /* rounds while the guest runs, the first included */
#define MIG_RING_ENTRIES 4096u /* per vCPU: more than the pages a vCPU can dirty per round */

enum mig_mode {
	MIG_GET = 0, /* KVM_GET_DIRTY_LOG returns and clears the bitmap (no manual protect) */
	MIG_CLEAR, /* KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2: KVM_GET_DIRTY_LOG, then KVM_CLEAR_DIRTY_LOG */
	MIG_RING, /* the dirty ring, KVM_RESET_DIRTY_RINGS (arm64: plus the bitmap after the stop) */
};

struct mig_case {
	enum mig_mode mode;
	enum ma_backing kind;
	enum ma_memtype mt;	/* the guest's stage-1 type of the data (0: Normal WB) */
};

/* One VM of a migration: the system slot (0), the data slot and the control slot. */
struct mig_vm {
	struct ma_vm *vm;
	struct ma_mem data, ctrl;
};

struct mig_slot {
	uint32_t slot;
	uint64_t npages; /* host pages */
	uint8_t *src, *dst;
	uint64_t *bm;
};

struct mig {
	enum mig_mode mode;
	enum ma_backing kind;
	unsigned int nv;
	uint64_t hpage;
	struct mig_vm src, dst;
	struct mig_slot s[3];
	/* figures */
	unsigned int rounds;
	uint64_t copied, round_pages[256];
	uint64_t last_pages; /* the final round (after the stop) */
	long long t_start_us, t_stop_us, t_resume_us;
	/* the dirty ring of each source vCPU */
	struct kvm_dirty_gfn *ring[MA_MAX_VCPUS];
	uint32_t fetch[MA_MAX_VCPUS];
	uint64_t harvested;
	/*
	 * arm64 without FWB, data mapped Normal-NC by the guest: clean and invalidate each data page
	 * to the PoC before its copy (mig_arch_dc_civac), counting the pages of the final round
	 * (stopped: the guest writes no more) whose cacheable read before that differed from the
	 * read after it
	 */
	bool civac, stopped;
	uint64_t stale_pages;
	/* the source's final agent state, for the destination's expectations */
	struct ma_ret_gen src_ret[MA_MAX_VCPUS];
};

long long mig_now_us(void);
const char *mig_mode_name(enum mig_mode m);
/* Memory of kind for a VM's data slot: hugetlb pages reserved, THP proven, anon without THP. */
void mig_alloc_data(struct ma_mem *m, enum ma_backing kind);
/*
 * The source VM (logging on every slot, the mode's dirty tracking set up) or the destination (no
 * logging, no guest mappings: those arrive with the system slot's memory).
 */
void mig_make_source(struct mig *m, const struct mig_case *c, unsigned int nv);
void mig_make_dest(struct mig *m);
/* Run GEN_WRITE on every source vCPU for run_ms while copying in rounds; then stop, copy the rest. */
void mig_precopy(struct mig *m, unsigned int run_ms);
/* Move the vCPU state to the destination (the source is destroyed), resume it, let the guest check
 * and write on, stop it, judge every vCPU's result.
 */
void mig_switch_and_verify(struct mig *m, const char *name);
/* A memattr-metric line: pages verified, rounds, pages per round, downtime, wall time. */
void mig_metrics(const struct mig *m, const char *name, uint64_t verified);
/* The guest's results after a resume: every check passed, the counts as expected. */
void mig_judge_dest(struct ma_vm *vm, const struct ma_result *res, const struct ma_ret_gen *before,
		    unsigned int nv, uint64_t pages);
/* The dest side of a resume: bump the epoch, resume every vCPU, wait for a pass, stop, judge. */
void mig_resume_and_check(struct ma_vm *vm, volatile struct ma_gen_ctrl *ctrl,
			  const struct ma_ret_gen *before, unsigned int nv, uint64_t pages,
			  long long *t_resume_us);

/* arm64: clean and invalidate [p, p + len) to the PoC by VA (DC CIVAC); elsewhere not used. */
void mig_arch_dc_civac(const void *p, uint64_t len);

#endif
