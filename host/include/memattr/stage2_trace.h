/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host-side observation of the stage-2 mappings KVM makes: kprobe events (tracefs) on the
 * function that installs a stage-2 leaf, so a test reads the exact memory type and permissions
 * KVM asked for at an IPA instead of inferring them from guest behaviour.
 *
 * arm64 (Linux 7.2.13): arch/arm64/kvm/mmu.c calls KVM_PGT_FN(kvm_pgtable_stage2_map)(pgt, ipa,
 * size, phys, prot, mc, flags), i.e. kvm_pgtable_stage2_map (VHE, nVHE) or pkvm_pgtable_stage2_map
 * (kvm-arm.mode=protected), and KVM_PGT_FN(kvm_pgtable_stage2_relax_perms)(pgt, ipa, prot, flags)
 * on a permission fault.  Every call is recorded with its arguments and, from a return probe, its
 * result: a record is what KVM asked for; ret == 0 says the mapping was made.
 * x86_64: not implemented (start returns -EOPNOTSUPP).
 *
 * Needs root, tracefs (mounted at /sys/kernel/tracing if it is not) and CONFIG_KPROBE_EVENTS.
 * The tracer uses its own trace instance (instances/memattr-<pid>) and event names
 * (memattr/memattr_<pid>_*), enabled only there and filtered to the calling process's threads
 * (set_event_pid + event-fork), so concurrent tracers and other tracing users do not mix.
 * Events and instances left by a process that died are removed by the next start.
 */
#ifndef MEMATTR_STAGE2_TRACE_H
#define MEMATTR_STAGE2_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* arm64 enum kvm_pgtable_prot (arch/arm64/include/asm/kvm_pgtable.h, 7.2.13) */
#define MA_S2PROT_PX		(1ull << 0)
#define MA_S2PROT_UX		(1ull << 1)
#define MA_S2PROT_X		(MA_S2PROT_PX | MA_S2PROT_UX)
#define MA_S2PROT_W		(1ull << 2)
#define MA_S2PROT_R		(1ull << 3)
#define MA_S2PROT_DEVICE	(1ull << 4)	/* stage-2 MemAttr Device-nGnRE */
#define MA_S2PROT_NORMAL_NC	(1ull << 5)	/* stage-2 MemAttr Normal-NC */
/* neither: Normal (Write-Back) */

/* Which kernel function a record comes from. */
enum ma_s2fn {
	MA_S2FN_MAP = 0,	/* kvm_pgtable_stage2_map: installs a leaf, sets MemAttr + permissions */
	MA_S2FN_PKVM_MAP,	/* pkvm_pgtable_stage2_map: the same through the pKVM hypervisor */
	MA_S2FN_RELAX,		/* kvm_pgtable_stage2_relax_perms: adds R/W/X to a leaf, MemAttr kept */
	MA_S2FN_PKVM_RELAX,	/* pkvm_pgtable_stage2_relax_perms */
	MA_S2FN_COUNT
};

struct ma_s2map {
	enum ma_s2fn fn;
	uint64_t ipa;		/* addr argument */
	uint64_t size;		/* bytes mapped (0 for the relax functions, which take none) */
	uint64_t phys;		/* physical address mapped (0 for the relax functions) */
	uint64_t prot;		/* enum kvm_pgtable_prot as passed */
	int tid;		/* the thread that called it (a vCPU thread) */
	bool ret_known;		/* the return probe was seen */
	int ret;		/* its result: 0 done, -errno refused (-EAGAIN: raced, retried) */
};

struct ma_s2trace;

/*
 * Create the instance and the events and start recording.  0 and *out; or
 *   -ENOENT / -EOPNOTSUPP: tracing the stage-2 map is not possible here; *why names what is
 *     missing (tracefs, kprobe_events, the function to probe or why it cannot be probed);
 *   another -errno: a step failed; *why names it.
 */
int ma_try_s2trace_start(struct ma_s2trace **out, char *why, size_t whylen);
/*
 * The records traced since start or the last collect, oldest first (consumed from the
 * instance's trace_pipe).  Returns how many there were; only the first max are stored in out
 * (like snprintf).  -errno if reading failed.
 */
int ma_try_s2trace_collect(struct ma_s2trace *t, struct ma_s2map *out, unsigned int max);
/* Records the kernel dropped because the instance's buffer overflowed (0 if unknown). */
unsigned long ma_s2trace_lost(struct ma_s2trace *t);
/* Which functions are probed: bit (1 << enum ma_s2fn). */
unsigned int ma_s2trace_probed(struct ma_s2trace *t);
/* Disable and remove the events and the instance; frees t (NULL is fine). */
void ma_s2trace_stop(struct ma_s2trace *t);

/* "device-ngnre", "normal-nc", "normal-wb" (or "invalid" for both bits) from a map prot. */
const char *ma_s2prot_type_name(uint64_t prot);
static inline bool ma_s2prot_readable(uint64_t prot) { return prot & MA_S2PROT_R; }
static inline bool ma_s2prot_writable(uint64_t prot) { return prot & MA_S2PROT_W; }
/* any execute bit (privileged or unprivileged) */
static inline bool ma_s2prot_executable(uint64_t prot) { return prot & MA_S2PROT_X; }
/* "normal-wb RWX" into buf (what a record says), returns buf */
const char *ma_s2prot_describe(uint64_t prot, bool with_type, char *buf, size_t len);
const char *ma_s2fn_name(enum ma_s2fn fn);
/* fn is one of the map functions (the ones that set MemAttr) */
static inline bool ma_s2fn_is_map(enum ma_s2fn fn) { return fn == MA_S2FN_MAP || fn == MA_S2FN_PKVM_MAP; }

/*
 * Internals exposed for the unit tests: parse one line of trace output of the events of the
 * tracer with this pid.  1 and *kind, *rec filled (kind 0 = an entry record, 1 = a return record:
 * rec->fn, rec->tid and rec->ret set); 0 if the line is not one of its events; -EINVAL if it is
 * but cannot be parsed.
 */
int ma_try_s2trace_parse_line(const char *line, int pid, int *kind, struct ma_s2map *rec);

#endif
