/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guest_memfd and memory attributes: the raw calls (ma_try_*: result or -errno) and the asserting
 * forms for set-up.  Semantics of Linux 7.2: virt/kvm/guest_memfd.c, virt/kvm/kvm_main.c
 * (kvm_vm_ioctl_set_mem_attributes).
 */
#ifndef MEMATTR_GMEM_H
#define MEMATTR_GMEM_H

#include <stdint.h>

#include "memattr/kvm.h"

/* KVM_CREATE_GUEST_MEMFD on the VM: the new fd, or -errno. */
int ma_try_gmem_create(struct ma_vm *vm, uint64_t size, uint64_t flags);
int ma_gmem_create(struct ma_vm *vm, uint64_t size, uint64_t flags);

/* KVM_SET_MEMORY_ATTRIBUTES on the VM: 0 or -errno. */
int ma_try_set_memory_attributes(struct ma_vm *vm, uint64_t gpa, uint64_t size, uint64_t attributes,
				 uint64_t flags);
/* Convert [gpa, gpa + size) to private (true) or shared (false); a failure fails the test. */
void ma_set_private(struct ma_vm *vm, uint64_t gpa, uint64_t size, bool private_mem);

/*
 * A KVM_MEM_GUEST_MEMFD memslot (flags: more KVM_MEM_* bits): host memory at hva for shared
 * accesses (on arm64 and for a guest_memfd with the MMAP flag, its own mapping), the guest_memfd
 * gmem_fd from offset for private ones, as a VMM for private memory sets it up.
 */
int ma_try_add_gmem_slot(struct ma_vm *vm, uint32_t slot, uint32_t flags, uint64_t gpa, uint64_t size,
			 void *hva, int gmem_fd, uint64_t offset);
void ma_add_gmem_slot(struct ma_vm *vm, uint32_t slot, uint64_t gpa, uint64_t size, void *hva, int gmem_fd,
		      uint64_t offset);

/* fallocate(PUNCH_HOLE | KEEP_SIZE) of [offset, offset + len) of a guest_memfd: 0 or -errno. */
int ma_try_gmem_punch_hole(int gmem_fd, uint64_t offset, uint64_t len);

#endif
