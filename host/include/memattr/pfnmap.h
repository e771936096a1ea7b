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
	MA_PFN_PCI_BAR,		/* sysfs resourceN of a PCI memory BAR (pgprot_device) */
	MA_PFN_PCI_BAR_WC,	/* sysfs resourceN_wc of a prefetchable BAR (pgprot_writecombine) */
	MA_PFN_VFIO0,		/* first vfio-pci region given (MEMATTR_PFNMAP vfio=...) */
	MA_PFN_VFIO1,		/* second vfio-pci region given */
	MA_PFN_COUNT
};

/* Host memory type of a vfio region (spec type=), as arm64 KVM classifies it (mmu.c:kvm_vma_is_cacheable). */
enum ma_pfnmap_type {
	MA_PFT_WB = 0,		/* cacheable pgprot */
	MA_PFT_NC,		/* Normal-NC / write-combine pgprot */
	MA_PFT_DEVICE,		/* Device / uncached pgprot */
};

struct ma_pfnmap {
	enum ma_pfnmap_kind kind;
	void *hva;
	size_t size;
	int fd;
	int aux_fd;		/* udmabuf: the memfd behind it; vfio: the group */
	int aux2_fd;		/* vfio: the container */
	uint64_t map_off;	/* mmap offset on fd */
	bool private_map;	/* MAP_PRIVATE (a COW PFNMAP) */
	bool cacheable;		/* the VMA's pgprot is cacheable (arm64 kvm_vma_is_cacheable) */
	bool ram_backed;	/* the pfns are kernel RAM (pfn_is_map_memory) */
	bool allow_uncached;	/* VM_ALLOW_ANY_UNCACHED: stage 2 Normal-NC instead of Device */
	uint64_t phys;		/* physical address of the first page, 0 if unknown */
	uint64_t avail;		/* bytes the source has (BAR or region size, carve-out size) */
	char desc[256];		/* what was opened, e.g. "vfio 0000:00:03.0 region 2 (vfio-pci)" */
};

/* One source to open. */
struct ma_pfnmap_req {
	enum ma_pfnmap_kind kind;
	size_t size;		/* bytes to map (a multiple of the host page size) */
	uint64_t off;		/* carve-out sources: byte offset into the carve-out */
	bool private_map;	/* MAP_PRIVATE instead of MAP_SHARED */
	void *fixed;		/* map exactly here (MAP_FIXED) instead of where the kernel chooses */
};

const char *ma_pfnmap_name(enum ma_pfnmap_kind kind);
/*
 * Open and map a source.  0; -ENODEV when the source is absent here (*why says what is missing);
 * or -errno (*why says which step failed).
 */
int ma_try_pfnmap_open(struct ma_pfnmap *p, const struct ma_pfnmap_req *rq, const char **why);
/* Drop the mapping (the source stays open) / map it again, at fixed if not NULL: 0 or -errno. */
void ma_pfnmap_unmap(struct ma_pfnmap *p);
int ma_try_pfnmap_map(struct ma_pfnmap *p, void *fixed);
void ma_pfnmap_close(struct ma_pfnmap *p);

/* The carve-out the kernel does not own (MEMATTR_CARVEOUT=base:size, set by the lab). */
bool ma_carveout(uint64_t *base, uint64_t *size);
/* The number a sysfs/procfs file holds, or -errno (-EIO if it holds none). */
long ma_try_read_long(const char *path);
/* A counter of the fixture module (/sys/module/memattr_carveout/parameters/<name>), or -errno. */
long ma_try_fixture_counter(const char *name);

/*
 * PCI sources, configured with MEMATTR_PFNMAP: specs separated by ';' or blanks:
 *   vfio=<BDF>,region=<n>[,type=wb|nc|device]   a vfio-pci (or variant driver) region
 *   pci=<BDF>,bar=<n>                            sysfs resource<n> and resource<n>_wc
 * The first vfio spec is MA_PFN_VFIO0, the second MA_PFN_VFIO1.
 */
struct ma_pfnmap_spec {
	enum { MA_SPEC_VFIO, MA_SPEC_PCI } what;
	char bdf[32];		/* 0000:00:03.0 */
	unsigned int index;		/* vfio region or BAR number */
	int type;		/* enum ma_pfnmap_type, or -1: derived from the driver */
};

#define MA_PFNMAP_MAX_SPECS 8
/* Parse a MEMATTR_PFNMAP value: the number of specs, or -EINVAL with *err describing the problem. */
int ma_try_pfnmap_parse_specs(const char *s, struct ma_pfnmap_spec *out, unsigned int max, char *err,
			      size_t errlen);

/* Per-source openers (host/pfnmap_pci.c) used by ma_try_pfnmap_open. */
int ma_try_pfnmap_open_pci_bar(struct ma_pfnmap *p, bool wc, const char **why);
int ma_try_pfnmap_open_vfio(struct ma_pfnmap *p, unsigned int which, const char **why);

#endif
