// SPDX-License-Identifier: GPL-2.0
/* arm64: a guest read in a logging slot does not dirty the page (Linux 7.2.13). */
#include "../../memslot.h"

/*
 * arm64 maps a page of a logging slot read-only on a read fault, writable only on a write fault
 * (arch/arm64/kvm/mmu.c: kvm_s2_fault_compute_prot, memslot_is_logging), so a read leaves it clean.
 */
bool ma_memslot_read_marks_dirty(const char **why)
{
	*why = "arm64 maps it read-only on a read fault: arch/arm64/kvm/mmu.c:kvm_s2_fault_compute_prot";
	return false;
}
