// SPDX-License-Identifier: GPL-2.0
/* VM creation, memslots (v1 and v2) and guest stage-1 mappings. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch.h"
#include "memattr/harness.h"
#include "memattr/kvm.h"

static const char *const memtype_names[MA_MT_COUNT] = {
	[MA_MT_NORMAL_WB] = "normal_wb",
	[MA_MT_NORMAL_NC] = "normal_nc",
	[MA_MT_DEVICE_nGnRE] = "device_ngnre",
	[MA_MT_DEVICE_nGnRnE] = "device_ngnrne",
};

const char *ma_memtype_name(enum ma_memtype mt)
{
	return mt < MA_MT_COUNT ? memtype_names[mt] : "?";
}

int ma_try_create_vm_fd(unsigned long type)
{
	long r;

	/* KVM_CREATE_VM can fail transiently with EINTR while the kernel sets up the mm */
	do
		r = ma_try_ioctl(ma_kvm_fd(), KVM_CREATE_VM, (void *)type);
	while (r == -EINTR);
	return (int)r;
}

long ma_vm_cap(struct ma_vm *vm, long cap)
{
	long v = ma_try_check_cap(vm->fd, cap);

	if (v < 0)
		ma_fatal("KVM_CHECK_EXTENSION(%ld) on the VM: %s", cap, ma_errno_name((int)-v));
	return v;
}

int ma_try_vm_enable_cap(struct ma_vm *vm, uint32_t cap, uint64_t arg0)
{
	struct kvm_enable_cap c = { .cap = cap, .args = { arg0 } };

	return (int)ma_try_ioctl(vm->fd, KVM_ENABLE_CAP, &c);
}

static void track_slot(struct ma_vm *vm, const struct kvm_userspace_memory_region2 *r)
{
	struct ma_slot *free_slot = NULL;

	for (unsigned int i = 0; i < MA_MAX_TRACKED_SLOTS; i++) {
		struct ma_slot *s = &vm->slots[i];

		if (s->used && s->r.slot == r->slot) {
			if (!r->memory_size)
				s->used = false;
			else
				s->r = *r;
			return;
		}
		if (!s->used && !free_slot)
			free_slot = s;
	}
	if (r->memory_size && free_slot) {
		free_slot->used = true;
		free_slot->r = *r;
	}
}

int ma_try_set_region2(struct ma_vm *vm, const struct kvm_userspace_memory_region2 *r)
{
	int ret = (int)ma_try_ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION2, (void *)r);

	if (!ret)
		track_slot(vm, r);
	return ret;
}

int ma_try_set_region1(struct ma_vm *vm, const struct kvm_userspace_memory_region *r)
{
	int ret = (int)ma_try_ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, (void *)r);

	if (!ret) {
		struct kvm_userspace_memory_region2 r2 = {
			.slot = r->slot, .flags = r->flags, .guest_phys_addr = r->guest_phys_addr,
			.memory_size = r->memory_size, .userspace_addr = r->userspace_addr,
		};
		track_slot(vm, &r2);
	}
	return ret;
}

void ma_set_region2(struct ma_vm *vm, const struct kvm_userspace_memory_region2 *r)
{
	int ret = ma_try_set_region2(vm, r);

	if (ret)
		ma_fatal("KVM_SET_USER_MEMORY_REGION2(slot %u, flags 0x%x, gpa 0x%llx, size 0x%llx): %s",
			 r->slot, r->flags, (unsigned long long)r->guest_phys_addr,
			 (unsigned long long)r->memory_size, ma_errno_name(-ret));
}

int ma_try_add_slot(struct ma_vm *vm, uint32_t slot, uint32_t flags, uint64_t gpa, uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region2 r = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa, .memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)hva,
	};

	return ma_try_set_region2(vm, &r);
}

void ma_add_slot(struct ma_vm *vm, uint32_t slot, uint32_t flags, uint64_t gpa, uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region2 r = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa, .memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)hva,
	};

	ma_set_region2(vm, &r);
}

int ma_try_delete_slot(struct ma_vm *vm, uint32_t slot)
{
	for (unsigned int i = 0; i < MA_MAX_TRACKED_SLOTS; i++) {
		struct ma_slot *s = &vm->slots[i];

		if (s->used && s->r.slot == slot) {
			struct kvm_userspace_memory_region2 r = s->r;

			r.memory_size = 0;
			return ma_try_set_region2(vm, &r);
		}
	}
	return -ENOENT;
}

void *ma_gpa_to_hva(struct ma_vm *vm, uint64_t gpa)
{
	for (unsigned int i = 0; i < MA_MAX_TRACKED_SLOTS; i++) {
		const struct kvm_userspace_memory_region2 *r = &vm->slots[i].r;

		if (vm->slots[i].used && gpa >= r->guest_phys_addr &&
		    gpa - r->guest_phys_addr < r->memory_size && r->userspace_addr)
			return (void *)(uintptr_t)(r->userspace_addr + (gpa - r->guest_phys_addr));
	}
	return NULL;
}

uint64_t ma_pt_alloc_page(struct ma_vm *vm)
{
	uint64_t gpa = vm->pt_next;
	void *p;

	if (gpa + MA_PAGE_SIZE > MA_PT_POOL_GPA + MA_PT_POOL_SIZE)
		return 0;
	p = ma_gpa_to_hva(vm, gpa);
	if (!p)
		return 0;
	memset(p, 0, MA_PAGE_SIZE);
	vm->pt_next += MA_PAGE_SIZE;
	return gpa;
}

int ma_try_map(struct ma_vm *vm, uint64_t gva, uint64_t gpa, uint64_t size, enum ma_memtype mt)
{
	if ((gva | gpa | size) & (MA_PAGE_SIZE - 1) || mt >= MA_MT_COUNT || !vm->has_guest)
		return -EINVAL;
	for (uint64_t off = 0; off < size; off += MA_PAGE_SIZE) {
		int r = ma_arch_try_map_page(vm, gva + off, gpa + off, mt);

		if (r)
			return r;
	}
	return 0;
}

void ma_map(struct ma_vm *vm, uint64_t gva, uint64_t gpa, uint64_t size, enum ma_memtype mt)
{
	int r = ma_try_map(vm, gva, gpa, size, mt);

	if (r)
		ma_fatal("mapping gva 0x%llx -> gpa 0x%llx (0x%llx bytes, %s): %s", (unsigned long long)gva,
			 (unsigned long long)gpa, (unsigned long long)size, ma_memtype_name(mt),
			 ma_errno_name(-r));
}

static int try_setup_guest(struct ma_vm *vm)
{
	size_t image = (size_t)(ma_guest_image_end - ma_guest_image_start);
	int r;

	if (image > MA_IMAGE_MAX)
		return -E2BIG;
	r = ma_try_mem_alloc(&vm->sys, MA_BACK_ANON, MA_SYS_SIZE, NULL);
	if (r)
		return r;
	r = ma_try_add_slot(vm, MA_SYS_SLOT, 0, MA_SYS_GPA, MA_SYS_SIZE, vm->sys.hva);
	if (r)
		return r;
	memcpy(vm->sys.hva, ma_guest_image_start, image);
	vm->pt_next = MA_PT_POOL_GPA;
	vm->has_guest = true;
	return ma_arch_try_vm_setup_guest(vm);
}

int ma_try_vm_create(struct ma_vm **out, const struct ma_vm_opts *opts)
{
	static const struct ma_vm_opts defaults;
	struct ma_vm *vm;
	unsigned long type;
	unsigned int ipa_bits = 0;
	int r;

	if (!opts)
		opts = &defaults;
	*out = NULL;
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->sys.fd = -1;
	if (opts->raw_type) {
		type = opts->type;
	} else {
		r = ma_arch_try_vm_type(opts, &type, &ipa_bits);
		if (r) {
			free(vm);
			return r;
		}
	}
	vm->type = type;
	vm->ipa_bits = ipa_bits;
	vm->fd = ma_try_create_vm_fd(type);
	if (vm->fd < 0) {
		r = vm->fd;
		free(vm);
		return r;
	}
	if (!opts->no_guest) {
		r = try_setup_guest(vm);
		if (r) {
			ma_vm_destroy(vm);
			return r;
		}
	}
	*out = vm;
	return 0;
}

struct ma_vm *ma_vm_create(const struct ma_vm_opts *opts)
{
	struct ma_vm *vm;
	int r = ma_try_vm_create(&vm, opts);

	if (r)
		ma_fatal("creating a VM (type 0x%lx): %s", opts ? opts->type : 0ul, ma_errno_name(-r));
	return vm;
}

void ma_vm_destroy(struct ma_vm *vm)
{
	if (!vm)
		return;
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		ma_vcpu_free(vm->vcpus[i]);
	ma_arch_vm_free(vm);
	if (vm->fd >= 0)
		close(vm->fd);
	ma_mem_free(&vm->sys);
	free(vm);
}
