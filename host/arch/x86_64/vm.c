// SPDX-License-Identifier: GPL-2.0
/* x86_64 VM-level hooks: VM type and MAXPHYADDR, the guest's tables in the system slot. */
#include <errno.h>
#include <stdlib.h>

#include "x86.h"

#define MA_X86_DEFAULT_MAXPHYADDR 36u

bool ma_kvm_protected_mode(void)
{
	return false;	/* pKVM is arm64 only */
}

int ma_arch_try_vm_type(const struct ma_vm_opts *opts, unsigned long *type, unsigned int *ipa_bits)
{
	struct kvm_cpuid2 *c;
	struct kvm_cpuid_entry2 *e;
	int r;

	*type = opts ? opts->type : 0;	/* KVM_X86_DEFAULT_VM */
	*ipa_bits = MA_X86_DEFAULT_MAXPHYADDR;
	/* the guest's MAXPHYADDR is what KVM reports: a failed query is an error, not the default */
	r = ma_x86_try_supported_cpuid(&c);
	if (r)
		return r;
	e = ma_x86_cpuid_find(c, 0x80000008u, 0);
	if (e && (e->eax & 0xff))
		*ipa_bits = e->eax & 0xff;
	free(c);
	return 0;
}

int ma_arch_try_vm_setup_guest(struct ma_vm *vm)
{
	uint64_t off;
	int r;

	r = ma_x86_try_write_descriptors(vm);
	if (r)
		return r;
	vm->pt_root = ma_pt_alloc_page(vm);
	if (!vm->pt_root)
		return -ENOMEM;
	for (off = 0; off < MA_SYS_SIZE; off += MA_PAGE_SIZE) {
		r = ma_arch_try_map_page(vm, MA_SYS_GPA + off, MA_SYS_GPA + off, MA_MT_NORMAL_WB);
		if (r)
			return r;
	}
	return 0;
}

void ma_arch_vm_free(struct ma_vm *vm)
{
	free(vm->arch);		/* unused on x86 (NULL) */
	vm->arch = NULL;
}
