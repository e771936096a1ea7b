/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Saving and restoring a VM: its vCPUs' state through KVM (x86: KVM_GET/SET_REGS, SREGS, XSAVE or
 * FPU, XCRS, MSRs, VCPU_EVENTS, MP_STATE, CPUID2; arm64: every register of KVM_GET_REG_LIST through
 * ONE_REG), its memslots' memory, and the identity of the machine it was saved on, in memory and as
 * a versioned file (docs/migration-stream.md).  Only VMs built by this library (a system slot 0
 * with the guest image, test slots over host memory) are handled.
 */
#ifndef MEMATTR_MIGRATION_STREAM_H
#define MEMATTR_MIGRATION_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memattr/kvm.h"

#define MA_MIG_MAGIC "MAMIGSTR"
#define MA_MIG_VERSION 2u /* 2: PFNMAP slots (record 6); a reader takes 1 and 2 */
#define MA_MIG_MAX_SLOTS 8u

/* What one item of a vCPU's state is (struct ma_vstate_item.kind); the id says more for some. */
enum ma_vstate_kind {
	MA_VS_ONE_REG = 1, /* arm64: id = the KVM_REG_ARM64 register id, len = its size */
	MA_VS_X86_CPUID2, /* struct kvm_cpuid2 with its entries (KVM_GET_CPUID2) */
	MA_VS_X86_SREGS, /* struct kvm_sregs */
	MA_VS_X86_REGS, /* struct kvm_regs */
	MA_VS_X86_XSAVE, /* struct kvm_xsave (KVM_GET_XSAVE) */
	MA_VS_X86_FPU, /* struct kvm_fpu, without KVM_CAP_XSAVE */
	MA_VS_X86_XCRS, /* struct kvm_xcrs */
	MA_VS_X86_MSR, /* id = the MSR index, 8 bytes of value */
	MA_VS_X86_EVENTS, /* struct kvm_vcpu_events */
	MA_VS_X86_MP_STATE, /* struct kvm_mp_state */
};

struct ma_vstate_item {
	uint32_t kind; /* enum ma_vstate_kind */
	uint32_t len; /* bytes at data */
	uint64_t id;
	uint8_t *data;
};

/* One vCPU's state, the items in the order they must be restored. */
struct ma_vcpu_state {
	unsigned int index;
	unsigned int n, cap;
	struct ma_vstate_item *items;
};

/* An item the destination refused: its name, the call and the errno. */
struct ma_vstate_finding {
	unsigned int vcpu;
	char what[128];
	int err;
};

/* Per architecture (host/arch/<arch>/vcpu_state.c): save every item of v; 0 or -errno (*what: the call). */
int ma_arch_try_vcpu_state_save(struct ma_vcpu *v, struct ma_vcpu_state *s, const char **what);
/*
 * Restore s into v (created, not yet run) item by item: the number of items refused, each
 * recorded in f[] (up to max); items it cannot try at all end the test.
 */
unsigned int ma_arch_vcpu_state_restore(struct ma_vcpu *v, const struct ma_vcpu_state *s,
					struct ma_vstate_finding *f, unsigned int max);
/* The name of an item for findings ("SYS_REG(3,0,0,7,2)", "MSR 0xc0000080", "KVM_SET_SREGS"). */
void ma_arch_vstate_item_name(const struct ma_vstate_item *it, char *buf, size_t len);
/* key=value lines of this machine's CPU identity (ID registers / CPUID summary), appended to buf. */
void ma_arch_mig_identity(struct ma_vcpu *v, char *buf, size_t len);

/* Append an item (data copied); the asserting form: out of memory ends the test. */
void ma_vstate_add(struct ma_vcpu_state *s, uint32_t kind, uint64_t id, const void *data, uint32_t len);
void ma_vstate_free(struct ma_vcpu_state *s);
/* Save with the asserting form: a failure ends the test naming the call. */
void ma_vcpu_state_save(struct ma_vcpu *v, struct ma_vcpu_state *s);

/*
 * Complete what the vCPU's last exit left pending (an MMIO or port access the guest made) without
 * running the guest: KVM_RUN with immediate_exit set, which must give EINTR
 * (Documentation/virt/kvm/api.rst, "KVM_EXIT_MMIO": before saving the vCPU's state).
 */
void ma_vcpu_complete_pending(struct ma_vcpu *v);

/*
 * Before a destination's vCPUs get their saved state (MMU on): arm64 runs MA_AGENT_NOP on vCPU 0
 * from its reset state (MMU off), whose start faults in every stage-1 table page of the restored
 * memory at stage 2 (guest/arch/arm64/mmu.c: in the cortex-a57 cell a stage-1 walk that faults at
 * stage 2 never resolves), and puts back the mailbox and stack bytes it used.  Nothing on x86.
 */
void ma_mig_prime_stage2(struct ma_vm *vm);

/* A saved VM. */
struct ma_mig_slot {
	uint32_t slot, flags; /* flags as saved (the restore drops LOG_DIRTY_PAGES) */
	uint64_t gpa, size;
	uint8_t *data; /* size bytes */
	/* a slot over a VM_PFNMAP mapping (record 6): the source's name (ma_pfnmap_name), its pgprot */
	bool pfnmap;
	bool cacheable;
	char source[32];
};

/*
 * Recreates a PFNMAP slot of the image in vm over the destination's own source (the caller knows
 * the sources; the library does not): called in slot order, before any vCPU exists.
 */
typedef void (*ma_mig_pfn_slot_fn)(struct ma_vm *vm, const struct ma_mig_slot *s, void *arg);

struct ma_mig_image {
	char identity[2048]; /* key=value lines: the machine it was saved on */
	char notes[1024]; /* key=value lines the saving test adds (its guest layout) */
	unsigned int nr_slots;
	struct ma_mig_slot slots[MA_MIG_MAX_SLOTS];
	unsigned int nr_vcpus;
	struct ma_vcpu_state vcpus[MA_MAX_VCPUS];
};

/* This machine's identity as saved with an image (arch, kernel, CPU, FWB ...); v: a vCPU of vm. */
void ma_mig_identity(struct ma_vm *vm, char *buf, size_t len);
/* The value of key in key=value lines, copied to val ("" and false if absent). */
bool ma_mig_kv(const char *lines, const char *key, char *val, size_t len);
/*
 * Capture a stopped VM: every tracked memslot's memory (copied), each vCPU's state (after
 * ma_vcpu_complete_pending) and the identity.  The asserting form.
 */
void ma_mig_capture(struct ma_vm *vm, struct ma_mig_image *img);
void ma_mig_image_free(struct ma_mig_image *img);
/* Write / read the stream file: 0 or -errno; err gets what was wrong with a file read. */
int ma_try_mig_write(const char *path, const struct ma_mig_image *img);
int ma_try_mig_read(const char *path, struct ma_mig_image *img, char *err, size_t len);
/*
 * A new VM from an image: the system slot's memory replaced with the saved one, every other slot
 * over fresh anonymous memory holding its saved bytes, as many vCPUs, each restored.  Returns the
 * VM; the refused items are in f[] (their number in *nf, up to max).
 */
struct ma_vm *ma_mig_restore(const struct ma_mig_image *img, struct ma_vstate_finding *f, unsigned int max,
			     unsigned int *nf);
/* The same, PFNMAP slots recreated by pfn (an image with one and no pfn ends the test). */
struct ma_vm *ma_mig_restore_pfn(const struct ma_mig_image *img, ma_mig_pfn_slot_fn pfn, void *arg,
				 struct ma_vstate_finding *f, unsigned int max, unsigned int *nf);

#endif
