/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PFNMAP sources: host mappings with VM_PFNMAP (memory without struct page, or RAM handed out
 * by pfn), each saying what it yields so that tests can derive the expected KVM behaviour.
 */
#ifndef MEMATTR_PFNMAP_H
#define MEMATTR_PFNMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ma_pfnmap_kind {
	MA_PFN_UDMABUF = 0,	/* /dev/udmabuf over a sealed memfd: cacheable, RAM behind it */
	MA_PFN_DEVMEM,		/* /dev/mem over a carve-out the kernel does not own */
	MA_PFN_CARVEOUT_WB,	/* fixtures/kmod: carve-out, cacheable pgprot */
	MA_PFN_CARVEOUT_NC,	/* fixtures/kmod: write-combine + VM_ALLOW_ANY_UNCACHED */
	MA_PFN_CARVEOUT_DEV,	/* fixtures/kmod: noncached, no ALLOW flag */
	MA_PFN_COUNT
};

struct ma_pfnmap {
	enum ma_pfnmap_kind kind;
	void *hva;
	size_t size;
	int fd;
	int aux_fd;		/* udmabuf: the memfd behind it */
	bool private_map;	/* MAP_PRIVATE (a COW PFNMAP) */
	bool cacheable;		/* the VMA's pgprot is cacheable (arm64 kvm_vma_is_cacheable) */
	bool ram_backed;	/* the pfns are kernel RAM (pfn_is_map_memory) */
	bool allow_uncached;	/* VM_ALLOW_ANY_UNCACHED: stage 2 Normal-NC instead of Device */
	uint64_t phys;		/* physical address of the first page, 0 if unknown */
};

const char *ma_pfnmap_name(enum ma_pfnmap_kind kind);
/*
 * Map size bytes of a source at offset off (carve-out sources) MAP_SHARED or MAP_PRIVATE.
 * 0, -ENODEV when the source is absent here (with *why saying what is missing), or -errno.
 */
int ma_try_pfnmap_open(struct ma_pfnmap *p, enum ma_pfnmap_kind kind, size_t size, uint64_t off,
		       bool private_map, const char **why);
void ma_pfnmap_close(struct ma_pfnmap *p);
/* The carve-out the kernel does not own (MEMATTR_CARVEOUT=base:size, set by the lab). */
bool ma_carveout(uint64_t *base, uint64_t *size);

#endif
