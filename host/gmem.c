// SPDX-License-Identifier: GPL-2.0
/* guest_memfd creation and binding, memory attributes (memattr/gmem.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>

#include "memattr/gmem.h"
#include "memattr/harness.h"

int ma_try_gmem_create(struct ma_vm *vm, uint64_t size, uint64_t flags)
{
	struct kvm_create_guest_memfd g = { .size = size, .flags = flags };

	return (int)ma_try_ioctl(vm->fd, KVM_CREATE_GUEST_MEMFD, &g);
}

int ma_gmem_create(struct ma_vm *vm, uint64_t size, uint64_t flags)
{
	int fd = ma_try_gmem_create(vm, size, flags);

	if (fd < 0)
		ma_fatal("KVM_CREATE_GUEST_MEMFD(size %#llx, flags %#llx): %s", (unsigned long long)size,
			 (unsigned long long)flags, ma_errno_name(-fd));
	return fd;
}

int ma_try_set_memory_attributes(struct ma_vm *vm, uint64_t gpa, uint64_t size, uint64_t attributes,
				 uint64_t flags)
{
	struct kvm_memory_attributes a = {
		.address = gpa, .size = size, .attributes = attributes, .flags = flags,
	};

	return (int)ma_try_ioctl(vm->fd, KVM_SET_MEMORY_ATTRIBUTES, &a);
}

void ma_set_private(struct ma_vm *vm, uint64_t gpa, uint64_t size, bool private_mem)
{
	int r = ma_try_set_memory_attributes(vm, gpa, size,
					     private_mem ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0, 0);

	if (r)
		ma_fatal("KVM_SET_MEMORY_ATTRIBUTES(gpa %#llx, size %#llx, %s): %s", (unsigned long long)gpa,
			 (unsigned long long)size, private_mem ? "PRIVATE" : "shared", ma_errno_name(-r));
}

int ma_try_add_gmem_slot(struct ma_vm *vm, uint32_t slot, uint32_t flags, uint64_t gpa, uint64_t size,
			 void *hva, int gmem_fd, uint64_t offset)
{
	struct kvm_userspace_memory_region2 r = {
		.slot = slot, .flags = flags | KVM_MEM_GUEST_MEMFD, .guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)hva, .guest_memfd = (uint32_t)gmem_fd,
		.guest_memfd_offset = offset,
	};

	return ma_try_set_region2(vm, &r);
}

void ma_add_gmem_slot(struct ma_vm *vm, uint32_t slot, uint64_t gpa, uint64_t size, void *hva, int gmem_fd,
		      uint64_t offset)
{
	int r = ma_try_add_gmem_slot(vm, slot, 0, gpa, size, hva, gmem_fd, offset);

	if (r)
		ma_fatal("KVM_SET_USER_MEMORY_REGION2(slot %u, GUEST_MEMFD fd %d offset %#llx, gpa %#llx, size %#llx): %s",
			 slot, gmem_fd, (unsigned long long)offset, (unsigned long long)gpa,
			 (unsigned long long)size, ma_errno_name(-r));
}

int ma_try_gmem_punch_hole(int gmem_fd, uint64_t offset, uint64_t len)
{
	if (fallocate(gmem_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)offset, (off_t)len))
		return -errno;
	return 0;
}
