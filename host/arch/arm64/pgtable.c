// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 guest stage-1 page tables: 4 KiB granule, 48-bit VA (TCR_EL1.T0SZ = 16), four levels, all
 * tables from the pool in the system slot (ma_pt_alloc_page) and written through ma_gpa_to_hva().
 * A page descriptor is valid + page, AttrIndx = the enum ma_memtype value (MAIR_EL1 is set to
 * match in vcpu.c), AF = 1, AP = EL1 read/write (no EL0 access), inner shareable, and no XN/PXN
 * bits: tests choose executability through stage 2.
 */
#include <errno.h>
#include <stdint.h>

#include "arch.h"

#define PTE_VALID		(1ull << 0)
#define PTE_TABLE		(1ull << 1)	/* table at levels 0-2, page at level 3 */
#define PTE_ATTRINDX(i)		((uint64_t)(i) << 2)
#define PTE_AP_EL1_RW		(0ull << 6)
#define PTE_SH_INNER		(3ull << 8)
#define PTE_AF			(1ull << 10)
#define PTE_ADDR_MASK		0x0000fffffffff000ull	/* output address [47:12] */

#define VA_BITS			48
#define PA_BITS			48	/* 4 KiB granule without FEAT_LPA2 descriptors */
#define LEVELS			4

static unsigned int level_index(uint64_t va, unsigned int level)
{
	return (unsigned int)(va >> (12 + 9 * (LEVELS - 1 - level))) & 0x1ff;
}

static uint64_t *table_at(struct ma_vm *vm, uint64_t gpa)
{
	return ma_gpa_to_hva(vm, gpa);
}

int ma_arch_try_map_page(struct ma_vm *vm, uint64_t gva, uint64_t gpa, enum ma_memtype mt)
{
	uint64_t *table;

	if ((gva | gpa) & (MA_PAGE_SIZE - 1) || gva >> VA_BITS || gpa >> PA_BITS || mt >= MA_MT_COUNT)
		return -EINVAL;
	if (!vm->pt_root)
		return -EINVAL;
	table = table_at(vm, vm->pt_root);
	if (!table)
		return -EFAULT;
	for (unsigned int level = 0; level < LEVELS - 1; level++) {
		uint64_t *e = &table[level_index(gva, level)];

		if (!(*e & PTE_VALID)) {
			uint64_t next = ma_pt_alloc_page(vm);

			if (!next)
				return -ENOMEM;
			*e = (next & PTE_ADDR_MASK) | PTE_TABLE | PTE_VALID;
		} else if (!(*e & PTE_TABLE)) {
			return -EEXIST;	/* a block mapping: this code never creates one */
		}
		table = table_at(vm, *e & PTE_ADDR_MASK);
		if (!table)
			return -EFAULT;
	}
	table[level_index(gva, LEVELS - 1)] = (gpa & PTE_ADDR_MASK) | PTE_AF | PTE_SH_INNER |
					      PTE_AP_EL1_RW | PTE_ATTRINDX(mt) | PTE_TABLE | PTE_VALID;
	return 0;
}
