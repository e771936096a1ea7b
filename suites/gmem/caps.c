// SPDX-License-Identifier: GPL-2.0
/*
 * gmem: what this kernel offers for guest_memfd, judged against what Linux 7.2.13 must report:
 * KVM_CAP_GUEST_MEMFD, KVM_CAP_GUEST_MEMFD_FLAGS at system scope and per VM type,
 * KVM_CAP_MEMORY_ATTRIBUTES at both scopes, KVM_CAP_MEMORY_FAULT_INFO.  The first test of the
 * suite, so that every cell's report starts with one line of what it offers.
 */
#include <stdio.h>

#include "gmem.h"

MA_TEST(gmem, offers, .req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.kernel_log = { .taint = GM_TAINT_USER, .why = GM_PROTECTED_TAINT_WHY },
	.source = "virt/kvm/kvm_main.c:kvm_vm_ioctl_check_extension_generic (KVM_CAP_GUEST_MEMFD 1, KVM_CAP_GUEST_MEMFD_FLAGS = include/linux/kvm_host.h:kvm_gmem_get_supported_flags, KVM_CAP_MEMORY_ATTRIBUTES = kvm_supported_mem_attributes); per VM type and architecture in the diagnostics ("
		  MA_KERNEL_REF ")")
{
	unsigned long types[GM_MAX_TYPES];
	unsigned int n = gm_vm_types(types, GM_MAX_TYPES);
	struct ma_vm *vm = gm_bare_vm();
	bool built = gm_attributes_ioctl_built(vm);
	uint64_t sys_flags = (uint64_t)ma_sys_cap(KVM_CAP_GUEST_MEMFD_FLAGS);
	uint64_t sys_attrs = (uint64_t)ma_sys_cap(KVM_CAP_MEMORY_ATTRIBUTES);
	uint64_t want_sys_attrs = built ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0;
	long gmem = ma_sys_cap(KVM_CAP_GUEST_MEMFD), mfi = ma_sys_cap(KVM_CAP_MEMORY_FAULT_INFO), want_mfi;
	char line[768];
	const char *why;
	int len;

	MA_CHECK(gmem == 1, "KVM_CAP_GUEST_MEMFD is %ld, expected 1 (virt/kvm/kvm_main.c:kvm_vm_ioctl_check_extension_generic)",
		 gmem);
	MA_CHECK(sys_flags == GM_FLAGS_ALL,
		 "system-scope KVM_CAP_GUEST_MEMFD_FLAGS is %s, expected MMAP|INIT_SHARED: include/linux/kvm_host.h:kvm_gmem_get_supported_flags(NULL) adds INIT_SHARED for !kvm",
		 gm_flags_str(sys_flags));
	MA_CHECK(sys_attrs == want_sys_attrs,
		 "system-scope KVM_CAP_MEMORY_ATTRIBUTES is %#llx, expected %#llx: KVM_SET_MEMORY_ATTRIBUTES is %s, and virt/kvm/kvm_main.c:kvm_supported_mem_attributes(NULL) gives PRIVATE wherever it is built",
		 (unsigned long long)sys_attrs, (unsigned long long)want_sys_attrs, built ? "built" : "not built");
	want_mfi = gm_expected_memory_fault_info(&why);
	MA_CHECK(mfi == want_mfi, "KVM_CAP_MEMORY_FAULT_INFO is %ld, expected %ld: %s", mfi, want_mfi, why);
	len = snprintf(line, sizeof(line),
		       "offers: guest_memfd flags %s (system); memory attributes %#llx (system, KVM_SET_MEMORY_ATTRIBUTES %s); memory_fault_info %ld; VM types:",
		       gm_flags_str(sys_flags), (unsigned long long)sys_attrs, built ? "built" : "absent",
		       mfi);
	MA_REQUIRE(n > 0, "no VM type to create");
	for (unsigned int i = 0; i < n; i++) {
		struct ma_vm *tv = gm_bare_vm_type(types[i]);
		uint64_t flags = gm_vm_flags(tv), attrs = (uint64_t)ma_vm_cap(tv, KVM_CAP_MEMORY_ATTRIBUTES);
		const char *name = gm_vm_type_name(types[i]), *fwhy, *awhy;
		uint64_t want_flags = gm_expected_vm_flags(types[i], &fwhy);
		uint64_t want_attrs = gm_expected_vm_attributes(types[i], sys_attrs, &awhy);

		MA_CHECK(flags == want_flags, "VM type %s (%#lx): KVM_CAP_GUEST_MEMFD_FLAGS is %s, expected %s: %s",
			 name, types[i], gm_flags_str(flags), gm_flags_str(want_flags), fwhy);
		MA_CHECK(attrs == want_attrs, "VM type %s (%#lx): KVM_CAP_MEMORY_ATTRIBUTES is %#llx, expected %#llx: %s",
			 name, types[i], (unsigned long long)attrs, (unsigned long long)want_attrs, awhy);
		if (len > 0 && (size_t)len < sizeof(line))
			len += snprintf(line + len, sizeof(line) - (size_t)len, " %s(%#lx) flags %s attributes %#llx;",
					name, types[i], gm_flags_str(flags), (unsigned long long)attrs);
		ma_vm_destroy(tv);
	}
	ma_log("%s", line);
}
