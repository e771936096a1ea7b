// SPDX-License-Identifier: GPL-2.0
/*
 * What each PFNMAP source presents to KVM, in data: the host pgprot of the VMA, whether
 * VM_ALLOW_ANY_UNCACHED is set, whether kernel RAM sits behind the pfns, and the kernel code that
 * sets it up (Linux 7.2.13; arm64 meaning of the pgprot, which the arm64 model uses).
 */
#include "memtype_model.h"

const struct mt_source mt_source_table[MA_PFN_COUNT] = {
	[MA_PFN_UDMABUF] = {
		MT_PGPROT_CACHEABLE, false, true,
		"drivers/dma-buf/udmabuf.c:mmap_udmabuf: VM_PFNMAP over memfd pages, default pgprot",
	},
	[MA_PFN_DEVMEM] = {
		MT_PGPROT_DEVICE, false, false,
		"drivers/char/mem.c:mmap_mem -> arch/arm64/mm/mmu.c:phys_mem_access_prot: pgprot_noncached for a pfn that is not RAM",
	},
	[MA_PFN_CARVEOUT_WB] = {
		MT_PGPROT_CACHEABLE, false, false,
		"fixtures/kmod/memattr_carveout.c: remap_pfn_range, cacheable pgprot",
	},
	[MA_PFN_CARVEOUT_NC] = {
		MT_PGPROT_WRITECOMBINE, true, false,
		"fixtures/kmod/memattr_carveout.c: pgprot_writecombine + VM_ALLOW_ANY_UNCACHED",
	},
	[MA_PFN_CARVEOUT_DEV] = {
		MT_PGPROT_DEVICE, false, false,
		"fixtures/kmod/memattr_carveout.c: pgprot_noncached, no VM_ALLOW_ANY_UNCACHED",
	},
	[MA_PFN_PCI_BAR] = {
		MT_PGPROT_DEVICE, false, false,
		"drivers/pci/mmap.c:pci_mmap_resource_range: pgprot_device (sysfs resourceN)",
	},
	[MA_PFN_PCI_BAR_WC] = {
		MT_PGPROT_WRITECOMBINE, false, false,
		"drivers/pci/mmap.c:pci_mmap_resource_range: pgprot_writecombine (sysfs resourceN_wc), no VM_ALLOW_ANY_UNCACHED",
	},
	[MA_PFN_VFIO0] = {
		MT_PGPROT_DEVICE, true, false,
		"drivers/vfio/pci/vfio_pci_core.c:vfio_pci_core_mmap: pgprot_noncached + VM_ALLOW_ANY_UNCACHED (a variant driver or the spec's type= may say otherwise)",
	},
	[MA_PFN_VFIO1] = {
		MT_PGPROT_DEVICE, true, false,
		"drivers/vfio/pci/vfio_pci_core.c:vfio_pci_core_mmap: pgprot_noncached + VM_ALLOW_ANY_UNCACHED (a variant driver or the spec's type= may say otherwise)",
	},
};

struct mt_source mt_source_of(const struct ma_pfnmap *p)
{
	struct mt_source s = mt_source_table[p->kind];

	if (p->kind == MA_PFN_VFIO0 || p->kind == MA_PFN_VFIO1) {
		/* the region's type comes from the driver or the spec (host/pfnmap_pci.c) */
		if (p->cacheable) {
			s.pgprot = MT_PGPROT_CACHEABLE;
			s.allow_uncached = false;
			s.how = "vfio variant driver or type=wb: cacheable pgprot (e.g. nvgrace-gpu usemem)";
		} else if (!p->allow_uncached) {
			s.allow_uncached = false;
			s.how = "vfio region, type=device: non-cacheable pgprot, no VM_ALLOW_ANY_UNCACHED";
		}
	}
	return s;
}
