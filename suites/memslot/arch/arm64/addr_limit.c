// SPDX-License-Identifier: GPL-2.0
/* arm64: a memslot must end inside the VM's IPA space, else EFAULT. */
#include <errno.h>

#include "../../memslot.h"

const int ma_memslot_beyond_errno = EFAULT;
const char ma_memslot_beyond_source[] =
	"arch/arm64/kvm/mmu.c:kvm_arch_prepare_memory_region, base_gfn + npages beyond kvm_phys_size() gives EFAULT ("
	MA_KERNEL_REF ")";

uint64_t ma_memslot_gpa_limit(struct ma_vm *vm)
{
	return 1ull << vm->ipa_bits;
}
