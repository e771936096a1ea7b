// SPDX-License-Identifier: GPL-2.0
/*
 * dma: QEMU's edu device copies into and out of the memory behind a memslot while the guest runs,
 * through the cell's virtual IOMMU with a VFIO type1 container or iommufd; and the matrix of
 * memory sources x mapping API: accepted or refused (the exact errno), and the data.
 */
#include <errno.h>
#include <stdio.h>

#include "dma.h"

static const struct ma_variant apis[] = {
	{ .name = "type1", .value = DMA_TYPE1 },
	{ .name = "iommufd", .value = DMA_IOMMUFD },
};

#define BLOCKS 16	/* 64 KiB: each block is two edu DMAs of 100 ms (QEMU's virtual clock) */

static void print_figures(const char *name, const char *what, uint64_t bytes, double secs)
{
	ma_log("memattr-metric name=dma.%s %s_bytes=%llu wall_s=%.3f MBps=%.3f", name, what,
	       (unsigned long long)bytes, secs, secs > 0 ? (double)bytes / secs / 1e6 : 0.0);
}

/* The edu device through the variant's API, a VM with its DMA control page, and a 64 KiB anonymous
 * slot mapped for the device at DMA_IOVA_SLOT.
 */
static struct ma_dma_ctrl *edu_setup(const struct ma_t *t, struct dma_dev *d, struct ma_vm **vm)
{
	struct ma_dma_ctrl *c;
	struct ma_mem *m;

	dma_dev_open(d, (enum dma_api)t->value);
	*vm = ma_test_vm(1);
	c = dma_ctrl(*vm);
	m = ma_test_mem(*vm, 1, DMA_GPA, BLOCKS * EDU_BUF_SIZE, MA_BACK_ANON, MA_MT_NORMAL_WB);
	MA_EXPECT_OK(dma_try_map(d, m->hva, DMA_IOVA_SLOT, m->size));
	return c;
}

MA_TEST(dma, edu_to_guest, MA_VARIANTS(apis), .req = { .root = true }, .timeout_s = 60,
	.source = "drivers/vfio/vfio_iommu_type1.c:vfio_dma_do_map / drivers/iommu/iommufd/ioas.c:iommufd_ioas_map: the IOVA reaches the pinned pages of the slot; the guest reads what the device wrote, block by block as it lands ("
		  MA_KERNEL_REF ")")
{
	struct dma_dev d;
	struct ma_vm *vm;
	struct ma_dma_ctrl *c = edu_setup(t, &d, &vm);
	double secs;
	uint64_t bytes;

	bytes = dma_to_guest(&d, vm, c, BLOCKS, 0x5eed0001, &secs);
	MA_CHECK(bytes == BLOCKS * EDU_BUF_SIZE, "the guest verified %llu bytes, expected %llu",
		 (unsigned long long)bytes, (unsigned long long)(BLOCKS * EDU_BUF_SIZE));
	ma_log("edu %s (%s): %llu DMAs, the guest waited %llu loads for them", d.bdf, dma_api_name(d.api),
	       (unsigned long long)d.dmas, (unsigned long long)c->waits);
	print_figures(t->name + 4, "verified", bytes, secs);
}

MA_TEST(dma, edu_from_guest, MA_VARIANTS(apis), .req = { .root = true }, .timeout_s = 60,
	.source = "drivers/vfio/vfio_iommu_type1.c:vfio_dma_do_map / drivers/iommu/iommufd/ioas.c:iommufd_ioas_map: the device reads the slot's pages through the IOVA; what the guest wrote reaches the host's buffer ("
		  MA_KERNEL_REF ")")
{
	struct dma_dev d;
	struct ma_vm *vm;
	struct ma_dma_ctrl *c = edu_setup(t, &d, &vm);
	double secs;
	uint64_t bytes;

	bytes = dma_from_guest(&d, vm, c, BLOCKS, 0x5eed0002, &secs);
	MA_CHECK(bytes == BLOCKS * EDU_BUF_SIZE, "the device copied %llu bytes, expected %llu",
		 (unsigned long long)bytes, (unsigned long long)(BLOCKS * EDU_BUF_SIZE));
	print_figures(t->name + 4, "verified", bytes, secs);
}

/* One cell of the matrix: map the source for the device, then (if accepted) DMA both ways. */
static void matrix_cell(struct ma_t *t, enum dma_api api)
{
	const struct dma_src *s = t->param;
	struct dma_expect want = dma_expect_map(api, s);
	struct dma_dev d;
	struct dma_mem dm;
	struct ma_vm *vm;
	struct ma_dma_ctrl *c;
	double s1 = 0, s2 = 0;
	uint64_t b1 = 0, b2 = 0;
	int r;

	dma_dev_open(&d, api);
	vm = ma_test_vm(1);
	c = dma_ctrl(vm);
	dma_mem_open(vm, s, &dm);
	r = dma_try_map(&d, dm.hva, DMA_IOVA_SLOT, dm.size);
	ma_log("memattr-dma-matrix api=%s source=%s map=%s expected=%s memory=\"%s\"", dma_api_name(api),
	       s->name, r ? ma_errno_name(-r) : "accepted", want.err ? ma_errno_name(want.err) : "accepted",
	       dm.desc);
	MA_REQUIRE(r == -want.err, "%s map of %s: %s, expected %s (%s)", dma_api_name(api), dm.desc,
		   r ? ma_errno_name(-r) : "accepted", want.err ? ma_errno_name(want.err) : "accepted",
		   want.why);
	if (r)
		return;
	dma_mem_slot(vm, &dm);
	b1 = dma_to_guest(&d, vm, c, 2, 0x5eed0100 + (uint64_t)(t->variant - dma_sources), &s1);
	b2 = dma_from_guest(&d, vm, c, 2, 0x5eed0200 + (uint64_t)(t->variant - dma_sources), &s2);
	MA_CHECK(b1 == 2 * EDU_BUF_SIZE && b2 == 2 * EDU_BUF_SIZE,
		 "%llu bytes into and %llu out of the slot, expected %u each", (unsigned long long)b1,
		 (unsigned long long)b2, 2 * EDU_BUF_SIZE);
	ma_log("memattr-dma-matrix api=%s source=%s data=%s to_guest=%llu from_guest=%llu", dma_api_name(api),
	       s->name, ma_failed() ? "WRONG" : "verified", (unsigned long long)b1, (unsigned long long)b2);
	ma_log("memattr-metric name=dma.matrix.%s.%s verified_bytes=%llu wall_s=%.3f", dma_api_name(api),
	       s->name, (unsigned long long)(b1 + b2), s1 + s2);
}

MA_TEST(dma, matrix_type1, MA_VARIANTS(dma_sources), .req = { .root = true }, .timeout_s = 60,
	.source = "drivers/vfio/vfio_iommu_type1.c:vaddr_get_pfns: pinned pages, or a VM_PFNMAP's pfns without a struct page; -EFAULT for a VM_PFNMAP over RAM ("
		  MA_KERNEL_REF ")")
{
	matrix_cell(t, DMA_TYPE1);
}

MA_TEST(dma, matrix_iommufd, MA_VARIANTS(dma_sources), .req = { .root = true },
	.timeout_s = 60,
	.source = "drivers/iommu/iommufd/pages.c:pfn_reader_user_pin: pin_user_pages_fast; mm/gup.c:check_vma_flags refuses VM_IO | VM_PFNMAP with -EFAULT ("
		  MA_KERNEL_REF ")")
{
	matrix_cell(t, DMA_IOMMUFD);
}

MA_TEST_MAIN
