// SPDX-License-Identifier: GPL-2.0
/* gmem, x86_64: the private-memory VM and slot the conversion tests share (private_vm.h). */
#include <stdlib.h>

#include "private_vm.h"

struct ma_vm *protected_vm(unsigned int n)
{
	static const struct ma_vm_opts o = { .type = KVM_X86_SW_PROTECTED_VM };
	long types = ma_sys_cap(KVM_CAP_VM_TYPES);

	if (!(types & (1l << KVM_X86_SW_PROTECTED_VM)))
		ma_skip("KVM_CAP_VM_TYPES = %#lx has no KVM_X86_SW_PROTECTED_VM: kvm.ko built without CONFIG_KVM_SW_PROTECTED_VM",
			types);
	return ma_test_vm_opts(&o, n);
}

uint64_t *private_slot(struct ma_vm *vm, uint64_t size, int *gmem)
{
	struct ma_mem *m = calloc(1, sizeof(*m));

	if (!m)
		ma_fatal("out of memory");
	ma_mem_alloc(m, MA_BACK_ANON, size, vm);
	*gmem = ma_gmem_create(vm, size, 0);
	ma_add_gmem_slot(vm, 1, GPA, size, m->hva, *gmem, 0);
	ma_map(vm, GPA, GPA, size, MA_MT_NORMAL_WB);
	return m->hva;
}
