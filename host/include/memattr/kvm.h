/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memattr host library: drive KVM through /dev/kvm.
 *
 * Naming convention, used everywhere:
 *   ma_try_<op>()  performs the call and returns its result: >= 0 on success, -errno on failure.
 *                  Negative tests use these and compare the exact errno.
 *   ma_<op>()      the asserting form for setup code: on failure it fails the running test
 *                  (or exits 1 outside a test) naming the call and the errno, so it never returns
 *                  an error.
 * Every other function that returns -errno on failure has try in its name too: try_<op>() for a
 * static helper, <prefix>_try_<op>() for a suite's own (np_try_poison, ms_try_pagemap_pfn).
 */
#ifndef MEMATTR_KVM_H
#define MEMATTR_KVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/kvm.h>
#include <pthread.h>

#include "memattr/abi.h"

#ifndef KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED
#define KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED 243
#endif

#define MA_PAGE_SIZE 4096ull

/* ---- /dev/kvm and capabilities ---------------------------------------------------------- */

int ma_try_kvm_open(void);		/* a fresh O_RDWR fd on /dev/kvm, or -errno */
int ma_kvm_fd(void);			/* the process-wide /dev/kvm fd (asserting, cached) */
long ma_try_ioctl(int fd, unsigned long req, void *arg); /* ioctl result or -errno */
/* KVM_CHECK_EXTENSION at system scope (fd of /dev/kvm) or VM scope: value, or -errno. */
long ma_try_check_cap(int fd, long cap);
long ma_sys_cap(long cap);		/* system scope: the value (>= 0); a failed query fails the test */

/* ---- guest memory backings --------------------------------------------------------------- */

enum ma_backing {
	MA_BACK_ANON = 0,	/* MAP_PRIVATE|MAP_ANONYMOUS */
	MA_BACK_ANON_THP,	/* anonymous, 2 MiB aligned, MADV_HUGEPAGE */
	MA_BACK_MEMFD,		/* memfd_create, MAP_SHARED */
	MA_BACK_SHM,		/* a file in /dev/shm, MAP_SHARED */
	MA_BACK_HUGETLB,	/* MAP_HUGETLB 2 MiB pages */
	MA_BACK_GUEST_MEMFD,	/* KVM_CREATE_GUEST_MEMFD (MMAP|INIT_SHARED), mmapped if possible */
	MA_BACK_COUNT
};

struct ma_vm;

struct ma_mem {
	enum ma_backing kind;
	void *hva;		/* NULL if the backing is not mapped in the host */
	size_t size;
	int fd;			/* -1 for anonymous memory */
	uint64_t gmem_flags;
	size_t map_size;	/* bytes actually mmapped (may exceed size for alignment) */
	void *map_base;
};

const char *ma_backing_name(enum ma_backing kind);
/* Allocate size bytes of the given backing; guest_memfd needs vm. 0 or -errno. */
int ma_try_mem_alloc(struct ma_mem *m, enum ma_backing kind, size_t size, struct ma_vm *vm);
void ma_mem_alloc(struct ma_mem *m, enum ma_backing kind, size_t size, struct ma_vm *vm);
void ma_mem_free(struct ma_mem *m);

/* ---- VMs ---------------------------------------------------------------------------------- */

struct ma_vm_opts {
	unsigned long type;	/* x86: KVM_X86_*_VM; ignored on arm64 unless raw_type */
	unsigned int ipa_bits;	/* arm64: 0 = the kernel's default (40) */
	bool raw_type;		/* pass type to KVM_CREATE_VM unchanged */
	bool no_guest;		/* no system memslot, no guest image: a bare VM for memslot tests */
};

struct ma_slot {
	bool used;
	struct kvm_userspace_memory_region2 r;
};

#define MA_MAX_TRACKED_SLOTS 64

struct ma_vcpu;

struct ma_vm {
	int fd;
	unsigned long type;
	unsigned int ipa_bits;		/* arm64: the VM's IPA size; x86: MAXPHYADDR */
	bool has_guest;			/* system slot and guest image present */
	struct ma_mem sys;		/* backing of slot 0 */
	struct ma_slot slots[MA_MAX_TRACKED_SLOTS];
	struct ma_vcpu *vcpus[MA_MAX_VCPUS];
	unsigned int nr_vcpus;
	uint64_t pt_root;		/* GPA of the stage-1 root table */
	uint64_t pt_next;		/* next free page in the page-table pool */
	void *arch;			/* per-architecture state */
};

/* KVM_CREATE_VM with a type: fd or -errno. */
int ma_try_create_vm_fd(unsigned long type);
/* Create a VM ready to run the guest image (or bare, opts->no_guest). NULL opts = defaults. */
int ma_try_vm_create(struct ma_vm **out, const struct ma_vm_opts *opts);
struct ma_vm *ma_vm_create(const struct ma_vm_opts *opts);
void ma_vm_destroy(struct ma_vm *vm);
/* VM-scope KVM_CHECK_EXTENSION: the value; a failed query fails the test */
long ma_vm_cap(struct ma_vm *vm, long cap);
/* KVM_ENABLE_CAP on the VM with args[0] = arg0: 0 or -errno. */
int ma_try_vm_enable_cap(struct ma_vm *vm, uint32_t cap, uint64_t arg0);

/* Memslots: the raw ioctls.  Successful calls are tracked for GPA translation. */
int ma_try_set_region2(struct ma_vm *vm, const struct kvm_userspace_memory_region2 *r);
int ma_try_set_region1(struct ma_vm *vm, const struct kvm_userspace_memory_region *r);
void ma_set_region2(struct ma_vm *vm, const struct kvm_userspace_memory_region2 *r);
/* Convenience: slot over host memory (flags without GUEST_MEMFD). */
int ma_try_add_slot(struct ma_vm *vm, uint32_t slot, uint32_t flags, uint64_t gpa, uint64_t size, void *hva);
void ma_add_slot(struct ma_vm *vm, uint32_t slot, uint32_t flags, uint64_t gpa, uint64_t size, void *hva);
int ma_try_delete_slot(struct ma_vm *vm, uint32_t slot);
/* Host pointer for a GPA through the tracked slots, or NULL. */
void *ma_gpa_to_hva(struct ma_vm *vm, uint64_t gpa);

/* Guest stage-1 mapping (identity by convention: gva == gpa), 4 KiB pages. */
int ma_try_map(struct ma_vm *vm, uint64_t gva, uint64_t gpa, uint64_t size, enum ma_memtype mt);
void ma_map(struct ma_vm *vm, uint64_t gva, uint64_t gpa, uint64_t size, enum ma_memtype mt);
const char *ma_memtype_name(enum ma_memtype mt);
/* x86_64 only: the PAT entry (0..7) a guest stage-1 mapping of type mt selects, or -EINVAL. */
int ma_x86_try_pat_index(enum ma_memtype mt);

/*
 * Test-scoped set-up (host/test_setup.c).  Released when the test's process exits: a test body
 * destroys nothing unless the order of teardown is what it checks.
 *   struct ma_vm *vm = ma_test_vm(2);             default VM, vCPUs vm->vcpus[0..1] ready to run
 *   struct ma_mem *m = ma_test_mem(vm, 1, MA_TEST_GPA, size, MA_BACK_ANON, MA_MT_NORMAL_WB);
 * ma_test_mem: fresh memory of kind (a guest_memfd is bound as a KVM_MEM_GUEST_MEMFD slot at offset
 * 0), memslot slot at gpa, and the guest's identity stage-1 mapping of type mt over it.
 */
struct ma_vm *ma_test_vm(unsigned int nr_vcpus);
struct ma_vm *ma_test_vm_opts(const struct ma_vm_opts *opts, unsigned int nr_vcpus);
struct ma_mem *ma_test_mem(struct ma_vm *vm, uint32_t slot, uint64_t gpa, uint64_t size,
			   enum ma_backing kind, enum ma_memtype mt);

/* ---- vCPUs -------------------------------------------------------------------------------- */

enum ma_outcome {
	MA_OUT_DONE = 0,	/* agent finished (MA_CALL_DONE) */
	MA_OUT_ASSERT,		/* guest assertion failed */
	MA_OUT_EXCEPTION,	/* guest took an unexpected exception, reported */
	MA_OUT_SYNC,		/* guest MA_CALL_SYNC: call ma_vcpu_resume() to continue */
	MA_OUT_EXIT,		/* a KVM exit the library does not handle (see exit_reason, run) */
	MA_OUT_RUN_ERROR,	/* KVM_RUN returned -1: err holds errno, exit_reason the run's value */
	MA_OUT_TIMEOUT,		/* the watchdog stopped a vCPU that did not finish in time */
	MA_OUT_STOPPED,		/* ma_vcpu_stop() kicked the vCPU out of KVM_RUN where it was */
};

/* A SIGBUS a thread took (recorded by host/sigbus.c once ma_sigbus_catch() installed its handler). */
struct ma_sigbus {
	int code;		/* si_code: BUS_MCEERR_AR, BUS_MCEERR_AO, BUS_ADRERR, ... */
	uint64_t addr;		/* si_addr */
	int addr_lsb;		/* si_addr_lsb (set for the BUS_MCEERR_* codes, else 0) */
	int tid;		/* the thread it was delivered to */
};

struct ma_result {
	enum ma_outcome outcome;
	int err;			/* errno of KVM_RUN for MA_OUT_RUN_ERROR */
	uint32_t exit_reason;		/* kvm_run->exit_reason at the stop */
	union ma_ret ret;		/* what the agent left: ret.check, ret.load, ... (abi.h) */
	uint64_t vals[4];
	struct ma_exception exc;
	uint64_t pc;			/* guest PC at the stop (a failed read fails the test) */
	unsigned int exits;			/* KVM_RUN returns in this run */
	char file[64];
	unsigned int line;
	char text[512];
	/* run->memory_fault when KVM_RUN failed with exit_reason KVM_EXIT_MEMORY_FAULT, else zero */
	struct {
		uint64_t flags, gpa, size;
	} memory_fault;
	/*
	 * SIGBUSes the vCPU thread took in KVM_RUN (host/sigbus.c, after ma_sigbus_catch()): KVM_RUN
	 * then fails with EINTR and the run ends (MA_OUT_RUN_ERROR); sigbus is the first of them.
	 */
	unsigned int sigbus_count;
	struct ma_sigbus sigbus;
};

struct ma_vcpu {
	struct ma_vm *vm;
	unsigned int index;
	int fd;
	struct kvm_run *run;
	size_t run_size;
	struct ma_mailbox *mbox;	/* host view of this vCPU's mailbox */
	uint64_t mbox_gpa;
	volatile int timed_out;		/* the last ma_vcpu_resume() was stopped by the watchdog */
	volatile int stop_request;	/* ma_vcpu_stop() asked the running ma_vcpu_resume() to stop */
	volatile pid_t run_tid;		/* the thread in ma_vcpu_resume(), 0 outside it */
	bool quiet;			/* do not print guest MA_CALL_PRINT messages */
	void *arch;
};

int ma_try_vcpu_add(struct ma_vm *vm, struct ma_vcpu **out);
struct ma_vcpu *ma_vcpu_add(struct ma_vm *vm);
/* Point the vCPU at the guest entry with a fresh stack and an agent to run. */
void ma_vcpu_start(struct ma_vcpu *v, enum ma_agent agent, const uint64_t *args, unsigned int nargs);
/* Run until the next event the caller must see; bounded by timeout_ms (0 = default). */
enum ma_outcome ma_vcpu_resume(struct ma_vcpu *v, unsigned int timeout_ms, struct ma_result *res);
/*
 * From another thread: stop the vCPU's ma_vcpu_resume() wherever the guest is (a signal kicks it
 * out of KVM_RUN; the run returns MA_OUT_STOPPED).  Returns false if no run was in progress yet
 * (the caller repeats until its run has returned).
 */
bool ma_vcpu_stop(struct ma_vcpu *v);
/* start + resume */
enum ma_outcome ma_vcpu_run_agent(struct ma_vcpu *v, enum ma_agent agent, const uint64_t *args,
				  unsigned int nargs, unsigned int timeout_ms, struct ma_result *res);
/*
 * Run an agent and require it to finish (MA_OUT_DONE): any other outcome ends the test, naming what
 * (printf format) and describing the outcome (exit, guest PC, syndrome, the guest's message).
 *   ma_run_agent_done(v, MA_AGENT_LOAD64, MA_ARGS(gpa), &res, "load of gpa %#llx", gpa);
 */
void ma_run_agent_done(struct ma_vcpu *v, enum ma_agent agent, const uint64_t *args, unsigned int nargs,
		       struct ma_result *res, const char *what, ...) __attribute__((format(printf, 6, 7)));
/*
 * Run an agent, log its outcome described (exit, guest PC, syndrome, message) and require the
 * outcome want: another ends the test.  A counted check.  For the exception and exit cases:
 *   ma_run_agent_expect(v, MA_AGENT_UNDEFINED_INSN, MA_NO_ARGS, MA_OUT_EXCEPTION, &res, "udf");
 */
void ma_run_agent_expect(struct ma_vcpu *v, enum ma_agent agent, const uint64_t *args, unsigned int nargs,
			 enum ma_outcome want, struct ma_result *res, const char *what, ...)
	__attribute__((format(printf, 7, 8)));
/* an agent's arguments and their number: MA_ARGS(gva, bytes, seed) */
#define MA_ARGS(...) (const uint64_t[]){ __VA_ARGS__ }, \
	(unsigned int)(sizeof((const uint64_t[]){ __VA_ARGS__ }) / sizeof(uint64_t))
#define MA_NO_ARGS NULL, 0
/* The same agent on every vCPU of the VM at once, one thread each; res[] has nr_vcpus entries.
 * Returns the number of vCPUs whose outcome was not MA_OUT_DONE.
 */
unsigned int ma_vcpus_run_agent_all(struct ma_vm *vm, enum ma_agent agent, const uint64_t *args,
				    unsigned int nargs, unsigned int timeout_ms, struct ma_result *res);
const char *ma_outcome_name(enum ma_outcome o);
const char *ma_exit_reason_name(uint32_t reason);
/* One line describing a result (outcome, exit, syndrome, guest message) for diagnostics. */
void ma_result_describe(const struct ma_result *res, char *buf, size_t len);
/* Default vCPU run timeout in ms, scaled by MEMATTR_TIMEOUT_SCALE. */
unsigned int ma_default_run_timeout_ms(void);

/* ONE_REG access (arm64 mostly): 0 or -errno */
int ma_try_get_one_reg(struct ma_vcpu *v, uint64_t id, uint64_t *val);
int ma_try_set_one_reg(struct ma_vcpu *v, uint64_t id, uint64_t val);

/* ---- host facts ----------------------------------------------------------------------------- */
const char *ma_host_arch(void);		/* "arm64" or "x86_64" */
uint64_t ma_host_page_size(void);	/* memslot granularity: the host kernel's PAGE_SIZE */
bool ma_is_root(void);
/* arm64: KVM runs in protected mode (pKVM, kvm-arm.mode=protected); always false on x86. */
bool ma_kvm_protected_mode(void);

#endif
