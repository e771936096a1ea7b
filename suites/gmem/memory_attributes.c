// SPDX-License-Identifier: GPL-2.0
/*
 * gmem: KVM_SET_MEMORY_ATTRIBUTES on a VM without private memory (the default VM).  arm64 has no
 * such ioctl; an x86 kernel with KVM_GENERIC_MEMORY_ATTRIBUTES checks the request and, for a VM
 * whose supported attributes are 0, can only "set" 0 (a no-op, with or without a memslot).
 * Conversions on VMs with private memory are in their own file.
 */
#include <errno.h>

#include "gmem.h"

MA_TEST(gmem, memory_attributes_default_vm, .req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.source = "virt/kvm/kvm_main.c:kvm_vm_ioctl_set_mem_attributes (x86 with KVM_GENERIC_MEMORY_ATTRIBUTES; flags, unsupported attributes, size and alignment: EINVAL) or the architecture's kvm_arch_vm_ioctl default (arm64 EINVAL, x86 ENOTTY) ("
		  MA_KERNEL_REF ")")
{
	const uint64_t pg = GM_PG;
	const struct kvm_memory_attributes tab[] = {
		{ .address = GM_GPA, .size = pg },
		{ .address = GM_GPA, .size = 16 * pg },
		{ .address = 0, .size = 1ull << 40 },
		{ .address = GM_GPA, .size = pg, .attributes = KVM_MEMORY_ATTRIBUTE_PRIVATE },
		{ .address = GM_GPA, .size = pg, .attributes = 1 },
		{ .address = GM_GPA, .size = pg, .attributes = 1ull << 63 },
		{ .address = GM_GPA, .size = pg, .flags = 1 },
		{ .address = GM_GPA, .size = 0 },
		{ .address = GM_GPA + 8, .size = pg },
		{ .address = GM_GPA, .size = pg + 8 },
		{ .address = ~0ull & ~(pg - 1), .size = 2 * pg },
	};
	struct ma_vm *vm = gm_bare_vm();
	struct ma_mem m;

	/* a guest_memfd slot over part of the range: attributes do not depend on memslots */
	ma_mem_alloc(&m, MA_BACK_GUEST_MEMFD, 4 * pg, vm);
	ma_add_gmem_slot(vm, 1, GM_GPA, 4 * pg, m.hva, m.fd, 0);
	for (unsigned int i = 0; i < MA_ARRAY_SIZE(tab); i++) {
		struct kvm_memory_attributes a = tab[i];
		const char *why;
		int want = gm_expected_attributes_errno(vm, &a, &why);
		int r = ma_try_set_memory_attributes(vm, a.address, a.size, a.attributes, a.flags);

		MA_CHECK(r == -want,
			 "address %#llx size %#llx attributes %#llx flags %#llx: %s, expected %s (%s)",
			 (unsigned long long)a.address, (unsigned long long)a.size,
			 (unsigned long long)a.attributes, (unsigned long long)a.flags,
			 r < 0 ? ma_errno_name((int)-r) : "success",
			 want ? ma_errno_name(want) : "success", why);
	}
}
