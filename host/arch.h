/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What each architecture directory (host/arch/<arch>/) implements for the generic host library.
 * All return 0 or -errno unless said otherwise.
 */
#ifndef MEMATTR_HOST_ARCH_H
#define MEMATTR_HOST_ARCH_H

#include "memattr/kvm.h"

/* The flat guest image for this architecture (guest/ built and embedded by the Makefile). */
extern const unsigned char ma_guest_image_start[];
extern const unsigned char ma_guest_image_end[];

/* KVM_CREATE_VM type for these options (arm64: IPA size bits; x86: opts->type). */
int ma_arch_try_vm_type(const struct ma_vm_opts *opts, unsigned long *type, unsigned int *ipa_bits);
/* After the system slot exists and the image is loaded: arch tables (x86 GDT/IDT/TSS), the
 * stage-1 root (vm->pt_root, from the pool through ma_pt_alloc_page()), and the identity map
 * of the system slot as Normal-WB.
 */
int ma_arch_try_vm_setup_guest(struct ma_vm *vm);
void ma_arch_vm_free(struct ma_vm *vm);
/* Create-time vCPU init (arm64 KVM_ARM_VCPU_INIT, x86 CPUID) and, if vm->has_guest, the
 * registers that enable the guest MMU with vm->pt_root (arm64 SCTLR/TCR/MAIR/TTBR0; x86 long mode).
 */
int ma_arch_try_vcpu_init(struct ma_vcpu *v);
void ma_arch_vcpu_free(struct ma_vcpu *v);
/* Set PC, SP, the first argument register and a clean PSTATE/RFLAGS. */
int ma_arch_try_vcpu_set_entry(struct ma_vcpu *v, uint64_t pc, uint64_t sp, uint64_t arg0);
int ma_arch_try_vcpu_get_pc(struct ma_vcpu *v, uint64_t *pc);
/* Map one 4 KiB page gva -> gpa with a memory type, allocating tables from the pool.
 * Page-table memory is reached through ma_gpa_to_hva().
 */
int ma_arch_try_map_page(struct ma_vm *vm, uint64_t gva, uint64_t gpa, enum ma_memtype mt);
/* If the current exit (v->run) is the guest's call doorbell, store the GPA it carried and
 * return true.
 */
bool ma_arch_is_doorbell(struct ma_vcpu *v, uint64_t *gpa);

/* Generic helpers the arch code uses. */
uint64_t ma_pt_alloc_page(struct ma_vm *vm);	/* zeroed page from the pool; 0 if exhausted */
void ma_vcpu_free(struct ma_vcpu *v);		/* host/vcpu.c, used by ma_vm_destroy() */

#endif
