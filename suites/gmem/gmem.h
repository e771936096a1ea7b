/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gmem suite: guest_memfd (KVM_CREATE_GUEST_MEMFD) conformance.  One concern per file (caps,
 * create, fileops, mmap, slots, lifetime, guest, memory_attributes); what differs per
 * architecture is in arch/<arch>/expect.c behind the functions declared here, and tests of one
 * architecture only (arm64: mte, pkvm) in arch/<arch>/ too.  Expectations: Linux 7.2.13, read in
 * virt/kvm/guest_memfd.c, virt/kvm/kvm_main.c and arch/<arch>/kvm.
 */
#ifndef MEMATTR_SUITE_GMEM_H
#define MEMATTR_SUITE_GMEM_H

#include <stdbool.h>
#include <stdint.h>

#include "memattr/gmem.h"
#include "memattr/harness.h"
#include "memattr/kernel_ref.h"
#include "memattr/kvm.h"
#include "memattr/util.h"

/* The page size of guest_memfd offsets, sizes and memslots: the host kernel's PAGE_SIZE. */
#define GM_PG ma_host_page_size()
/* The guest_memfd of most tests: 16 host pages, bound at MA_TEST_GPA. */
#define GM_SIZE (16 * GM_PG)
#define GM_GPA MA_TEST_GPA
#define GM_FLAGS_ALL (GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED)
/* The largest page-aligned positive loff_t: a guest_memfd size the kernel accepts (sparse). */
#define GM_MAX_SIZE (INT64_MAX & ~(GM_PG - 1))
/* At most this many VM types are tested (gm_vm_types). */
#define GM_MAX_TYPES 8

/* TAINT_USER: what creating a protected VM sets, by design (arch/arm64/kvm/pkvm.c:pkvm_init_host_vm) */
#define GM_TAINT_USER (1ul << 6)
#define GM_PROTECTED_TAINT_WHY \
	"arch/arm64/kvm/pkvm.c:pkvm_init_host_vm taints the kernel TAINT_USER when it creates a protected VM (pKVM only, " \
	MA_KERNEL_REF ")"

/* ---- common.c --------------------------------------------------------------------------- */

/* A VM with no guest (no system memslot, no image): of the default type, or of type (raw). */
struct ma_vm *gm_bare_vm(void);
struct ma_vm *gm_bare_vm_type(unsigned long type);
/* VM-scope KVM_CAP_GUEST_MEMFD_FLAGS (a failed query ends the test). */
uint64_t gm_vm_flags(struct ma_vm *vm);
/* "MMAP|INIT_SHARED", "0", unknown bits in hex, in a rotating static buffer. */
const char *gm_flags_str(uint64_t flags);
/* mmap of a guest_memfd: the address, or NULL with *err = errno. */
void *gm_try_mmap(int fd, uint64_t len, int prot, int flags, int *err);
/* The same, asserting: MAP_SHARED, read and write. */
void *gm_mmap(int fd, uint64_t len);
/* One host access through a mapping, with SIGBUS caught: what happened. */
struct gm_access {
	int sig;		/* 0: the access completed; else the signal (SIGBUS) */
	int code;		/* si_code of the signal */
	void *addr;		/* si_addr of the signal */
	uint64_t value;		/* the value a completed load read */
};

void gm_host_access(volatile uint64_t *p, bool write, uint64_t value, struct gm_access *a);
/* Expect a host access at p to raise SIGBUS BUS_ADRERR at exactly p (the counted check). */
void gm_expect_sigbus(volatile uint64_t *p, bool write, const char *what);
/* Words of the host view [hva, +len) that differ from pattern seed at gpa; *first the first's offset. */
uint64_t gm_host_bad_words(const void *hva, uint64_t gpa, uint64_t len, uint64_t seed, uint64_t *first);
void gm_host_fill(void *hva, uint64_t gpa, uint64_t len, uint64_t seed);

/* ---- arch/<arch>/expect.c: what differs per architecture -------------------------------- */

/*
 * The VM types this kernel offers, as KVM_CREATE_VM types (x86: the bits of KVM_CAP_VM_TYPES;
 * arm64: the default type, and KVM_VM_TYPE_ARM_PROTECTED when KVM runs in protected mode).
 * Returns how many, at most max.
 */
unsigned int gm_vm_types(unsigned long *types, unsigned int max);
const char *gm_vm_type_name(unsigned long type);
/* The guest_memfd flags a VM of this type must offer (VM-scope KVM_CAP_GUEST_MEMFD_FLAGS), and why. */
uint64_t gm_expected_vm_flags(unsigned long type, const char **why);
/*
 * KVM_CAP_MEMORY_ATTRIBUTES a VM of this type must report, given the system-scope value; and the
 * system-scope value itself must be gm_expected_sys_attributes() (why: the kernel source).
 */
uint64_t gm_expected_vm_attributes(unsigned long type, uint64_t sys_attrs, const char **why);
/* Whether KVM_SET_MEMORY_ATTRIBUTES is built (probed on a default VM: x86 ENOTTY when absent). */
bool gm_attributes_ioctl_built(struct ma_vm *vm);
/* The errno KVM_SET_MEMORY_ATTRIBUTES gives on vm for a (0: it succeeds), and the rule that says so. */
int gm_expected_attributes_errno(struct ma_vm *vm, const struct kvm_memory_attributes *a, const char **why);
/* The errno of a guest_memfd memslot whose file lacks GUEST_MEMFD_FLAG_MMAP (0: accepted). */
extern const int gm_slot_without_mmap_errno;
extern const char gm_slot_without_mmap_source[];
/* The memory_fault.gpa KVM reports for a faulting guest access at gpa, and why. */
uint64_t gm_fault_report_gpa(uint64_t gpa, const char **why);
/*
 * A page-aligned GPA no memslot of vm may cover, and the errno such a memslot gets from the
 * architecture's prepare step (virt/kvm/kvm_main.c calls it after kvm_gmem_bind).
 */
uint64_t gm_gpa_beyond_limit(struct ma_vm *vm);
extern const int gm_beyond_limit_errno;
extern const char gm_beyond_limit_source[];
/* KVM_CAP_MEMORY_FAULT_INFO this architecture reports, and why. */
long gm_expected_memory_fault_info(const char **why);

#endif
