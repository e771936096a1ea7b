/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between host/ and guest/: the guest memory layout, the per-vCPU mailbox through
 * which the host starts an agent and the guest reports back, call numbers, agent numbers and
 * memory-type names.  Included by freestanding guest code and by the host library: stdint only.
 */
#ifndef MEMATTR_ABI_H
#define MEMATTR_ABI_H

#include <stdint.h>

/* Guest physical layout of the "system" memslot every VM built by host/ has (slot 0). */
#define MA_SYS_SLOT		0u
#define MA_SYS_GPA		0x40000000ull
#define MA_SYS_SIZE		(16ull << 20)
#define MA_IMAGE_GPA		MA_SYS_GPA		   /* guest image is linked here */
#define MA_IMAGE_MAX		(1ull << 20)
#define MA_MAILBOX_GPA		(MA_SYS_GPA + (1ull << 20)) /* one page per vCPU */
#define MA_STACK_GPA		(MA_SYS_GPA + (2ull << 20)) /* MA_STACK_SIZE per vCPU */
#define MA_STACK_SIZE		(16ull << 10)
#define MA_ARCH_GPA		(MA_SYS_GPA + (3ull << 20)) /* arch tables (x86 GDT/IDT/TSS) */
#define MA_PT_POOL_GPA		(MA_SYS_GPA + (4ull << 20)) /* stage-1 page tables */
#define MA_PT_POOL_SIZE		(MA_SYS_SIZE - (4ull << 20))
#define MA_MAX_VCPUS		64u

/* Where tests put their own memslots by default (slot ids from 1 up). */
#define MA_TEST_GPA		0x80000000ull

/* The call doorbell: an MMIO write (arm64) or a 32-bit OUT (x86) of the mailbox GPA. */
#define MA_CALL_MMIO_GPA	0x3f000000ull
#define MA_CALL_PORT		0x7700u

/* Guest stage-1 memory types a mapping can be given (arm64 MAIR index / x86 PAT index). */
enum ma_memtype {
	MA_MT_NORMAL_WB = 0,	/* arm64 Normal Inner/Outer WB RW-alloc; x86 WB */
	MA_MT_NORMAL_NC,	/* arm64 Normal Non-cacheable;           x86 WC */
	MA_MT_DEVICE_nGnRE,	/* arm64 Device-nGnRE;                   x86 UC */
	MA_MT_DEVICE_nGnRnE,	/* arm64 Device-nGnRnE;                  x86 UC */
	MA_MT_COUNT
};

/* Guest -> host calls (mailbox.call). */
enum ma_call {
	MA_CALL_NONE = 0,
	MA_CALL_DONE,		/* agent finished; ret (union ma_ret) holds its results */
	MA_CALL_PRINT,		/* text holds a message for the test log */
	MA_CALL_ASSERT,		/* guest assertion failed: file, line, text, vals[0..1] */
	MA_CALL_EXCEPTION,	/* unexpected exception: exc holds the syndrome */
	MA_CALL_SYNC,		/* rendezvous: vals[0] is a stage number; host resumes the guest */
};

/* Agents the guest image can run (mailbox.agent); arguments in mailbox.args[]. */
enum ma_agent {
	MA_AGENT_NOP = 0,		/* returns at once */
	MA_AGENT_FEATURES,		/* ret.features[MA_FEAT_*]: arch feature registers (see below) */
	MA_AGENT_WRITE_PATTERN,		/* args: gva, bytes, seed, flags (MA_PASS_*); ret.write */
	MA_AGENT_CHECK_PATTERN,		/* args: gva, bytes, seed, flags; ret.check */
	MA_AGENT_ATOMIC_INC,		/* args: gva, iterations, flavour, barrier gva (0: none; else every
					 * vCPU counts itself in there and waits for all nr_vcpus before
					 * starting); ret.atomic
					 */
	MA_AGENT_PROBE,			/* args: gva, probe op, fixup; ret.probe */
	/* executes an undefined instruction without a fixup (must be reported) */
	MA_AGENT_UNDEFINED_INSN,
	/* args: flavour, gva; adds 1 with one op of that flavour without a feature check */
	MA_AGENT_FORCE_INSN,
	MA_AGENT_STORE64,		/* args: gva, value: one 64-bit store, then done */
	MA_AGENT_LOAD64,		/* args: gva; ret.load */
	MA_AGENT_POLL64,		/* args: gva, value: one load, MA_CALL_SYNC (vals[0]=1), then loads
					 * until the word equals value; ret.poll
					 */
	MA_AGENT_CHECK_FILL,		/* args: gva, bytes, value, flags: every 64-bit word must equal
					 * value; ret.check
					 */
	MA_AGENT_CONVERT_REQUEST,	/* args: gva, pages: guest-initiated private/shared conversions of
					 * each page (MA_CALL_SYNC: vals[0] = page gpa, vals[1] = 1 to
					 * make it private, 0 shared), its word checked on both sides;
					 * ret.check (first_off: of the word)
					 */
	MA_AGENT_CONVERT_WATCH,		/* args: gva, pages, control gva (struct ma_convert_ctrl): read
					 * each page's word against what the host publishes for it,
					 * until the control's stop word is set; ret.convert
					 */
	MA_AGENT_DMA_WATCH,		/* args: gva, blocks, block bytes, seed, control gva (struct
					 * ma_dma_ctrl), mode (MA_DMA_*): a device's DMA block by block
					 * while the guest runs; ret.check (first_off: from gva)
					 */
	/* migration (suites/migration), reusable by load suites: */
	MA_AGENT_GEN_WRITE,		/* args: gva, pages, vCPU index, vCPU count (0: the mailbox's
					 * vcpu_index and nr_vcpus), seed, control gva (struct ma_gen_ctrl),
					 * passes (0: until the control's stop word is set), flags
					 * (MA_GEN_*): generation-tagged writes of the pages
					 * p with p % count == index, each recorded in the control; every
					 * page checked against its record when the control's epoch changes
					 * and at the end; ret.gen
					 */
	MA_AGENT_STRESS_VERIFY,		/* args: gva, bytes, control gva (struct ma_stress_ctrl), seed,
					 * flags (MA_STRESS_*): passes over every page until the control's
					 * stop word is set; each word is checked against the previous
					 * pass's generation and rewritten with this one; ret.stress
					 */
	MA_AGENT_STRESS_ATOMIC,		/* args: counter gva, flavour, control gva: increments until the
					 * stop word is set, counting them; ret.stress (ops)
					 */
	MA_AGENT_COUNT
};

/* MA_AGENT_FEATURES results: the register in ret.features[MA_FEAT_<register>], per architecture. */
enum ma_feature_reg {
	/* arm64 */
	MA_FEAT_ID_AA64ISAR0_EL1 = 0,
	MA_FEAT_ID_AA64MMFR2_EL1 = 1,
	MA_FEAT_CTR_EL0 = 2,
	MA_FEAT_MIDR_EL1 = 3,
	MA_FEAT_ID_AA64PFR0_EL1 = 4,
	MA_FEAT_ID_AA64MMFR0_EL1 = 5,
	/* x86 (a CPUID leaf above the maximum the CPU reports reads as 0) */
	MA_FEAT_CPUID1_ECX = 0,
	MA_FEAT_CPUID1_EDX = 1,
	MA_FEAT_CPUID7_0_EBX = 2,
	MA_FEAT_CPUID80000001_ECX = 3,
	MA_FEAT_CPUID0_VENDOR = 4,	/* CPUID.0:EBX | EDX << 32: the vendor's first 8 characters */
	MA_FEAT_IA32_PAT = 5,		/* 0 without CPUID.1:EDX.PAT */
};

/* Flags of the pattern agents (args[3]); 0 visits every word. */
#define MA_PASS_SPARSE	1u	/* one word per 4 KiB page (a different offset in each), then every word
				 * of the first and the last 64 KiB; every pass starts in the second page
				 */

/* Atomic flavours for MA_AGENT_ATOMIC_INC / MA_AGENT_FORCE_INSN. */
enum ma_atomic_flavour {
	MA_ATOMIC_PLAIN = 0,	/* non-atomic load/add/store (the control: may lose updates) */
	MA_ATOMIC_LLSC,		/* arm64 LDXR/STXR loop */
	MA_ATOMIC_LSE_LDADD,	/* arm64 LDADD (FEAT_LSE) */
	MA_ATOMIC_LSE_CAS,	/* arm64 CAS loop (FEAT_LSE) */
	MA_ATOMIC_LSE_SWP,	/* arm64 SWP spinlock around a plain increment (FEAT_LSE);
				 * the lock is the word after the counter (gva+8), starting at 0
				 */
	MA_ATOMIC_X86_XADD,	/* x86 lock xadd */
	MA_ATOMIC_X86_CMPXCHG,	/* x86 lock cmpxchg loop */
	MA_ATOMIC_X86_XCHG,	/* x86 xchg spinlock around a plain increment; lock at gva+8 as above */
	MA_ATOMIC_COUNT
};

/* MA_AGENT_PROBE operations: each is one access that may fault; the fault is caught. */
enum ma_probe_op {
	MA_PROBE_LOAD64 = 0,	/* aligned 64-bit load */
	MA_PROBE_STORE64,	/* aligned 64-bit store of args[2] */
	MA_PROBE_LOAD_UNALIGNED,/* 64-bit load at gva+1 */
	MA_PROBE_EXEC,		/* branch to gva (host put a "return" instruction there) */
	MA_PROBE_EXCLUSIVE,	/* arm64 LDXR/STXR pair adding args[2] (UNSUPPORTED, with the tries
				 * in ret.probe.syndrome, if STXR never succeeds in 64 tries); x86
				 * lock cmpxchg
				 */
	MA_PROBE_LSE_LDADD,	/* arm64 LDADD; x86 lock xadd; the addend is args[2] */
	MA_PROBE_COUNT
};

enum ma_probe_result {
	MA_PROBE_OK = 0,	/* the access completed */
	MA_PROBE_FAULT,		/* an exception was taken: ret.probe.syndrome, ret.probe.addr */
	MA_PROBE_UNSUPPORTED,	/* the CPU lacks what the op needs (checked in the guest) */
};

/* The exception record the guest fills on any exception. */
struct ma_exception {
	uint64_t vector;	/* arm64: vector offset (0x200 = current EL SPx sync); x86: vector */
	uint64_t syndrome;	/* arm64: ESR_EL1; x86: error code */
	uint64_t addr;		/* arm64: FAR_EL1; x86: CR2 for #PF (vector 14), else 0 */
	uint64_t pc;		/* arm64: ELR_EL1; x86: RIP */
	uint64_t count;		/* exceptions taken since the agent started */
};

/*
 * What an agent leaves for the host (mailbox.ret), one view per agent.  The host reads the same
 * union in struct ma_result: res.ret.check.mismatches, res.ret.load.value, ...
 */
struct ma_ret_check {		/* MA_AGENT_CHECK_PATTERN, MA_AGENT_CHECK_FILL */
	uint64_t mismatches;	/* words that differed from what was expected */
	uint64_t first_off;	/* byte offset (from the start gva) of the first one found */
	uint64_t first_val;	/* the value read there */
};

struct ma_ret_write {		/* MA_AGENT_WRITE_PATTERN */
	uint64_t words;		/* words the pass covered (bytes / 8) */
};

struct ma_ret_atomic {		/* MA_AGENT_ATOMIC_INC */
	uint64_t increments;	/* done: at least the iterations asked; with several vCPUs up to 16x
				 * more, until another vCPU's increment was seen
				 */
	uint64_t unsupported;	/* 1: the guest found the flavour unsupported, nothing done */
	uint64_t overlaps;	/* increments after which the counter did not hold this vCPU's
				 * previous result (another vCPU's increment landed in between)
				 */
};

struct ma_ret_probe {		/* MA_AGENT_PROBE */
	uint64_t outcome;	/* MA_PROBE_* */
	uint64_t syndrome;	/* on MA_PROBE_FAULT: arm64 ESR_EL1 / x86 error code (0 if none);
				 * on MA_PROBE_UNSUPPORTED of arm64 MA_PROBE_EXCLUSIVE: the tries,
				 * the number of store-exclusives that failed (64)
				 */
	uint64_t addr;		/* arm64 FAR_EL1 / x86 CR2, on a fault */
	uint64_t vector;	/* the exception vector taken */
};

struct ma_ret_load {		/* MA_AGENT_LOAD64 */
	uint64_t value;		/* the 64-bit value loaded */
};

struct ma_ret_poll {		/* MA_AGENT_POLL64 */
	uint64_t loads_after_sync;	/* loads after the MA_CALL_SYNC until the word changed */
};

struct ma_ret_convert {		/* MA_AGENT_CONVERT_WATCH */
	uint64_t passes;	/* passes over all pages */
	uint64_t verified;	/* words read while the page was stable, each judged */
	uint64_t busy;		/* reads skipped: the host was converting the page (odd seq) */
	uint64_t raced;		/* reads discarded: the page's seq changed during the read */
	uint64_t errors;	/* verified words that differed from what the host published */
	uint64_t first_page;	/* the page of the first error */
	uint64_t first_seen;	/* the value read there */
	uint64_t first_want;	/* the value published for it */
};

struct ma_ret_stress {		/* MA_AGENT_STRESS_VERIFY, MA_AGENT_STRESS_ATOMIC */
	uint64_t ops;		/* pages verified / increments done */
	uint64_t passes;	/* passes over the whole range (VERIFY) */
	uint64_t errors;	/* words that differed from their generation's pattern */
	uint64_t first_gpa;	/* the first one */
	uint64_t first_seen;	/* what was read there */
	uint64_t first_want;	/* what the pattern says */
	uint64_t first_pass;	/* in which pass */
	uint64_t unsupported;	/* ATOMIC: the flavour is not supported, nothing done */
};

/*
 * The control page of MA_AGENT_CONVERT_WATCH, written by the host: a seqlock per data page.  The
 * host makes seq odd, converts (or punches) the page, publishes the value the guest must now read
 * in want, and makes seq even again; a guest read between two equal even seq values is judged.
 */
struct ma_convert_page {
	uint64_t seq;
	uint64_t want;		/* the value of the page's word (ma_convert_word_off) */
	uint64_t state;		/* MA_CONVERT_*: for diagnostics */
	uint64_t pad;
};

enum { MA_CONVERT_SHARED = 0, MA_CONVERT_PRIVATE = 1, MA_CONVERT_PRIVATE_PUNCHED = 2 };

struct ma_convert_ctrl {
	uint64_t stop;		/* non-zero: the watchers finish their pass and return */
	uint64_t pad[3];
	struct ma_convert_page page[];
};

/*
 * The control page of the stress agents: the host sets stop; each vCPU publishes its progress in
 * its lane (pages verified or increments done), which the host watches to tell a guest that stopped
 * making progress from a slow one.
 */
struct ma_stress_lane {
	uint64_t progress;	/* pages verified (VERIFY) or increments (ATOMIC) so far */
	uint64_t passes;	/* passes finished (VERIFY) */
	uint64_t errors;	/* words that differed so far */
	uint64_t pad[5];
};

struct ma_stress_ctrl {
	uint64_t stop;		/* non-zero: the agents finish their page (batch) and return */
	uint64_t pad[7];
	struct ma_stress_lane lane[MA_MAX_VCPUS];
};

/* MA_AGENT_STRESS_VERIFY flags (args[4]) */
#define MA_STRESS_PAGE_TAG	1u	/* the pattern is tagged by the offset in the page, not the gpa:
					 * every page holds the same data (KSM can merge them)
					 */
#define MA_STRESS_CHECK_ONLY	2u	/* never write: every pass checks the data of seed itself */
#define MA_STRESS_FIRST_CHECK	4u	/* the first pass checks seed's data too (the host wrote it) */
/* The word of data page p that the conversion agents use: a different offset in each page. */
static inline uint64_t ma_convert_word_off(uint64_t p)
{
	return (p * 200 + 64) % 4096 & ~7ull;
}

/*
 * The control page of MA_AGENT_DMA_WATCH.  MA_DMA_CHECK: the host publishes in ready how many
 * blocks a device has written (release after the DMA completed); the guest checks each block
 * (against ma_pattern_word(seed, address)) once it is ready and counts it in done.
 * MA_DMA_PRODUCE: the guest writes each block's pattern and publishes it in ready; the host has
 * the device read it and counts it in done.  stop (non-zero) ends the agent early, with done short.
 */
enum { MA_DMA_CHECK = 0, MA_DMA_PRODUCE = 1 };
struct ma_dma_ctrl {
	uint64_t ready;
	uint64_t done;
	uint64_t stop;
	uint64_t waits;		/* guest: loads of ready/done that found the other side behind */
};

/*
 * MA_AGENT_GEN_WRITE.  Page p of the region (gpa = gva + p * 4096, identity mapped) with record
 * gen[p] = g > 0 holds: word 0 = its gpa, word 1 = g, word 511 = ma_gen_word(seed, g, gpa);
 * g = 0 (never written by the agent) means all three are 0.  The agent writes a page as
 * gen[p] + 1 (words 1, 511, 0, then the record), so a page the host failed to copy shows an older
 * generation than its record.  Between two pages it reads stop (non-zero: check every page it owns
 * and return) and epoch (changed: check every page it owns before writing on).
 */
struct ma_gen_ctrl {
	uint64_t stop;
	uint64_t epoch;
	uint64_t pad[6];
	uint64_t gen[];		/* one record per page of the region */
};

#define MA_GEN_VERIFY_FIRST	1u	/* check every owned page before the first write */
#define MA_GEN_VERIFY_ONLY	2u	/* check every owned page once and return: no writes */

struct ma_ret_gen {		/* MA_AGENT_GEN_WRITE */
	uint64_t verified;	/* page checks done (every owned page, per check sweep) */
	uint64_t bad;		/* page checks that failed */
	uint64_t first_bad_gpa;	/* the gpa of the first page that failed */
	uint64_t first_seen;	/* what it held: word 1 (generation), or word 0 if that was wrong */
	uint64_t first_want;	/* its record (or its gpa, for word 0) */
	uint64_t passes;	/* complete write passes over the owned pages */
	uint64_t writes;	/* pages written */
	uint64_t sweeps;	/* check sweeps (first, one per epoch change, final) */
};

union ma_ret {
	uint64_t raw[8];
	uint64_t features[8];	/* MA_AGENT_FEATURES: indexed by enum ma_feature_reg */
	struct ma_ret_check check;
	struct ma_ret_write write;
	struct ma_ret_atomic atomic;
	struct ma_ret_probe probe;
	struct ma_ret_load load;
	struct ma_ret_poll poll;
	struct ma_ret_convert convert;
	struct ma_ret_gen gen;
	struct ma_ret_stress stress;
};

/* One page per vCPU at MA_MAILBOX_GPA + index * 4096. */
struct ma_mailbox {
	/* host -> guest */
	uint32_t agent;
	uint32_t vcpu_index;
	uint32_t nr_vcpus;
	uint32_t pad0;
	uint64_t args[8];
	/* guest -> host */
	uint32_t call;
	uint32_t line;
	union ma_ret ret;
	uint64_t vals[4];
	struct ma_exception exc;
	char file[64];
	char text[512];
};

#define MA_MAILBOX_STRIDE	4096ull

/* The data pattern shared by host and guest: the 64-bit word stored at guest address gpa. */
static inline uint64_t ma_pattern_word(uint64_t seed, uint64_t gpa)
{
	uint64_t x = (gpa ^ seed) * 0x9e3779b97f4a7c15ull;

	return x ^ (x >> 29) ^ seed;
}

/* MA_AGENT_GEN_WRITE: word 511 of a page at gpa written as generation gen (struct ma_gen_ctrl). */
static inline uint64_t ma_gen_word(uint64_t seed, uint64_t gen, uint64_t gpa)
{
	return ma_pattern_word(seed ^ (gen << 32) ^ gen, gpa + 4088);
}

/* The pattern word of a stress pass: generation gen at gpa (or at its page offset: PAGE_TAG). */
static inline uint64_t ma_stress_word(uint64_t gen, uint64_t gpa, uint64_t flags)
{
	return ma_pattern_word(gen, flags & MA_STRESS_PAGE_TAG ? (gpa & 4095) | 0x1000 : gpa);
}

#endif
