/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dma: device DMA into and out of memory that backs a memslot while the guest runs: QEMU's edu
 * device through the cell's virtual IOMMU (VFIO type1, iommufd), and O_DIRECT block I/O from the
 * cell's scratch virtio disk (io_uring, libaio).  Expectations: Linux 7.2.13.
 */
#ifndef MEMATTR_DMA_H
#define MEMATTR_DMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memattr/harness.h"
#include "memattr/kvm.h"
#include "memattr/pfnmap.h"

/* QEMU's edu device (docs/specs/edu.rst): PCI 1234:11e8, registers in BAR0 */
#define EDU_VENDOR	0x1234
#define EDU_DEVICE	0x11e8
#define EDU_REG_ID	0x00	/* 0x010000ed: major 1, minor 0, 0xed */
#define EDU_REG_SRC	0x80
#define EDU_REG_DST	0x88
#define EDU_REG_CNT	0x90
#define EDU_REG_CMD	0x98
#define EDU_CMD_RUN	0x1
#define EDU_CMD_TO_RAM	0x2	/* direction 1: from the device's buffer to RAM; 0: RAM to the buffer */
#define EDU_BUF_ADDR	0x40000	/* the device's 4 KiB buffer, in its own address space */
#define EDU_BUF_SIZE	4096u
#define EDU_DMA_MASK	((1ull << 28) - 1)

/* The IOVAs the tests map (under edu's 28-bit DMA mask, below the SMMU's MSI window at 128 MiB) */
#define DMA_IOVA_SLOT	0x00100000ull	/* the memory that backs the memslot */
#define DMA_IOVA_HOST	0x00800000ull	/* the host's staging / check buffer */
#define DMA_HOST_BUF	(1ull << 20)

#define DMA_GPA		MA_TEST_GPA
#define DMA_CTRL_GPA	(MA_TEST_GPA + (64ull << 20))	/* struct ma_dma_ctrl, its own slot */

enum dma_api { DMA_TYPE1 = 0, DMA_IOMMUFD };

struct dma_dev {
	enum dma_api api;
	char bdf[32];
	int container, group, device, iommufd;
	uint32_t ioas;
	volatile uint8_t *bar;
	size_t bar_size;
	uint64_t cfg_off;
	uint64_t dmas;		/* edu DMA operations done */
};

/* The PCI address of the edu device, or ma_skip() naming what is missing. */
void dma_edu_find(char *bdf, size_t len);
/* Bind the edu device to vfio-pci and open it through api (type1: container + group; iommufd:
 * /dev/iommu + the vfio cdev); ma_skip() where the kernel lacks the api, naming what was detected.
 */
void dma_dev_open(struct dma_dev *d, enum dma_api api);
/* Map [hva, hva + size) at iova for device reads and writes: 0 or -errno. */
int dma_try_map(struct dma_dev *d, void *hva, uint64_t iova, uint64_t size);
/* One edu DMA of bytes (<= 4 KiB) between iova and its buffer; ends the test if it does not finish. */
void dma_edu_xfer(struct dma_dev *d, bool to_ram, uint64_t iova, uint32_t bytes);
const char *dma_api_name(enum dma_api api);

/* The memory under test: a backing of host/memory.c or a PFNMAP source of host/pfnmap.c. */
struct dma_src {
	const char *name;
	bool pfnmap;
	enum ma_backing back;
	enum ma_pfnmap_kind pfn;
};

struct dma_mem {
	const struct dma_src *src;
	void *hva;
	size_t size;
	bool cacheable;
	struct ma_mem *m;		/* a backing */
	struct ma_pfnmap p;		/* a PFNMAP source */
	char desc[300];
};

#define B(n, k) { .name = n, .param = &(const struct dma_src){ .name = n, .back = k } }
#define P(n, k) { .name = n, .param = &(const struct dma_src){ .name = n, .pfnmap = true, .pfn = k }, \
		  .req = { .root = true } }
/* The sources, as the variants of the matrix tests */
static const struct ma_variant dma_sources[] = {
	B("anon", MA_BACK_ANON),
	B("anon_thp", MA_BACK_ANON_THP),
	B("hugetlb", MA_BACK_HUGETLB),
	B("memfd", MA_BACK_MEMFD),
	B("shm", MA_BACK_SHM),
	B("guest_memfd", MA_BACK_GUEST_MEMFD),
	P("devmem", MA_PFN_DEVMEM),
	P("pci_bar", MA_PFN_PCI_BAR),
	P("fixture", MA_PFN_CARVEOUT_DEV),
	P("udmabuf", MA_PFN_UDMABUF),
};

#undef B
#undef P

/* Open the source (a backing: as slot 1 at DMA_GPA at once), ma_skip() if this host has none. */
void dma_mem_open(struct ma_vm *vm, const struct dma_src *s, struct dma_mem *dm);
/* A PFNMAP source becomes slot 1 at DMA_GPA now (a backing already is). */
void dma_mem_slot(struct ma_vm *vm, struct dma_mem *dm);
/* The control page, slot 2 at DMA_CTRL_GPA. */
struct ma_dma_ctrl *dma_ctrl(struct ma_vm *vm);

/* What the kernel must do with a source: 0 (accepted) or the errno, with the source that says so. */
struct dma_expect {
	int err;
	const char *why;
};

struct dma_expect dma_expect_map(enum dma_api api, const struct dma_src *s);
struct dma_expect dma_expect_blk(const struct dma_src *s);

/* Device DMA of blocks of 4 KiB into the slot (the guest checks each as it lands), or out of it
 * (the guest writes each, the device copies it to a host buffer the host checks).  The figures go
 * to *bytes and *secs; the verdicts are the caller's: the words wrong.
 */
uint64_t dma_to_guest(struct dma_dev *d, struct ma_vm *vm, struct ma_dma_ctrl *c, uint64_t blocks,
		      uint64_t seed, double *secs);
uint64_t dma_from_guest(struct dma_dev *d, struct ma_vm *vm, struct ma_dma_ctrl *c, uint64_t blocks,
			uint64_t seed, double *secs);

#endif
