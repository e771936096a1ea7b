// SPDX-License-Identifier: GPL-2.0
/*
 * Guest stage-1 page tables: 4-level paging, 4 KiB leaves, tables from the pool written through
 * ma_gpa_to_hva().  The memory type is chosen with the PAT index (PAT, PCD, PWT bits of the PTE)
 * against the IA32_PAT value every vCPU gets (MA_X86_PAT_VALUE):
 *   MA_MT_NORMAL_WB     -> index 0 (WB)
 *   MA_MT_NORMAL_NC     -> index 1 (WC)  PWT
 *   MA_MT_DEVICE_nGnRE  -> index 3 (UC)  PCD|PWT
 *   MA_MT_DEVICE_nGnRnE -> index 3 (UC)  PCD|PWT
 * Leaves are Present|RW, supervisor, executable (no NX).  Remapping a page overwrites its PTE; a
 * running vCPU keeps what its TLB holds until it reloads CR3 (the guest does at every agent start).
 */
#include <errno.h>

#include "x86.h"

#define PTE_P		(1ull << 0)
#define PTE_RW		(1ull << 1)
#define PTE_PWT		(1ull << 3)
#define PTE_PCD		(1ull << 4)
#define PTE_PS		(1ull << 7)	/* in PDPTEs/PDEs */
#define PTE_PAT_4K	(1ull << 7)	/* in 4 KiB PTEs */
#define PTE_ADDR	0x000ffffffffff000ull

static uint64_t memtype_bits(enum ma_memtype mt)
{
	switch (mt) {
	case MA_MT_NORMAL_WB:
		return 0;
	case MA_MT_NORMAL_NC:
		return PTE_PWT;
	case MA_MT_DEVICE_nGnRE:
	case MA_MT_DEVICE_nGnRnE:
		return PTE_PCD | PTE_PWT;
	default:
		return ~0ull;
	}
}

int ma_x86_try_pat_index(enum ma_memtype mt)
{
	uint64_t b = memtype_bits(mt);

	if (b == ~0ull)
		return -EINVAL;
	return (b & PTE_PWT ? 1 : 0) | (b & PTE_PCD ? 2 : 0) | (b & PTE_PAT_4K ? 4 : 0);
}

int ma_arch_try_map_page(struct ma_vm *vm, uint64_t gva, uint64_t gpa, enum ma_memtype mt)
{
	unsigned int maxphys = vm->ipa_bits ? vm->ipa_bits : 52;
	uint64_t attr = memtype_bits(mt);
	uint64_t table = vm->pt_root;
	int level;

	if (attr == ~0ull || ((gva | gpa) & (MA_PAGE_SIZE - 1)))
		return -EINVAL;
	if (gva >> 47)			/* lower canonical half only */
		return -EINVAL;
	if (maxphys < 64 && (gpa >> maxphys))
		return -EINVAL;
	if (!table)
		return -EINVAL;

	for (level = 3; level >= 1; level--) {
		uint64_t *t = ma_gpa_to_hva(vm, table);
		unsigned int idx = (gva >> (12 + 9 * level)) & 511;

		if (!t)
			return -EFAULT;
		if (!(t[idx] & PTE_P)) {
			uint64_t n = ma_pt_alloc_page(vm);

			if (!n)
				return -ENOMEM;
			t[idx] = n | PTE_P | PTE_RW;
		} else if (t[idx] & PTE_PS) {
			return -EEXIST;	/* never made here */
		}
		table = t[idx] & PTE_ADDR;
	}

	{
		uint64_t *pt = ma_gpa_to_hva(vm, table);

		if (!pt)
			return -EFAULT;
		pt[(gva >> 12) & 511] = (gpa & PTE_ADDR) | PTE_P | PTE_RW | attr;
	}
	return 0;
}
