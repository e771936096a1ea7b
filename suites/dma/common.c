// SPDX-License-Identifier: GPL-2.0
/*
 * dma: the memory under test (backings and PFNMAP sources), what the kernel must do with each, and
 * the edu transfers into and out of a memslot while the guest runs.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dma.h"

/* a backing's slot: 2 MiB (a huge page of THP and hugetlb); a PFNMAP source's: 64 KiB */
#define MEM_SIZE (2ull << 20)
#define PFN_SIZE (64ull << 10)

void dma_mem_open(struct ma_vm *vm, const struct dma_src *s, struct dma_mem *dm)
{
	memset(dm, 0, sizeof(*dm));
	dm->src = s;
	if (!s->pfnmap) {
		dm->size = MEM_SIZE;
		dm->m = ma_test_mem(vm, 1, DMA_GPA, MEM_SIZE, s->back, MA_MT_NORMAL_WB);
		if (!dm->m->hva)
			ma_skip("guest_memfd without a host mapping: KVM_CAP_GUEST_MEMFD_FLAGS lacks MMAP|INIT_SHARED (flags %#llx)",
				(unsigned long long)dm->m->gmem_flags);
		dm->hva = dm->m->hva;
		dm->cacheable = true;
		snprintf(dm->desc, sizeof(dm->desc), "%s, %zu KiB", ma_backing_name(s->back), dm->size >> 10);
		return;
	}
	struct ma_pfnmap_req rq = { .kind = s->pfn, .size = PFN_SIZE };
	const char *why = "";
	int r = ma_try_pfnmap_open(&dm->p, &rq, &why);

	if (r == -ENODEV || r == -ENOSPC)
		ma_skip("%s", why);
	if (r)
		ma_fatal("opening PFNMAP source %s: %s: %s", ma_pfnmap_name(s->pfn), why, ma_errno_name(-r));
	dm->hva = dm->p.hva;
	dm->size = dm->p.size;
	dm->cacheable = dm->p.cacheable;
	snprintf(dm->desc, sizeof(dm->desc), "PFNMAP %s, %zu KiB", dm->p.desc, dm->size >> 10);
}

void dma_mem_slot(struct ma_vm *vm, struct dma_mem *dm)
{
	if (!dm->src->pfnmap)
		return;
	int r = ma_try_add_slot(vm, 1, 0, DMA_GPA, dm->size, dm->hva);

	/* the sources that get here are non-cacheable device memory (udmabuf is refused before) */
	MA_REQUIRE(r == 0, "memslot over %s: %s, expected accepted (virt/kvm/kvm_main.c:kvm_set_memory_region; arch/arm64/kvm/mmu.c:kvm_arch_prepare_memory_region refuses only cacheable PFNMAP without FWB)",
		   dm->desc, ma_errno_name(-r));
	ma_map(vm, DMA_GPA, DMA_GPA, dm->size, dm->cacheable ? MA_MT_NORMAL_WB : MA_MT_DEVICE_nGnRE);
}

struct ma_dma_ctrl *dma_ctrl(struct ma_vm *vm)
{
	struct ma_mem *m = ma_test_mem(vm, 2, DMA_CTRL_GPA, MA_PAGE_SIZE, MA_BACK_ANON, MA_MT_NORMAL_WB);

	return m->hva;
}

struct dma_expect dma_expect_map(enum dma_api api, const struct dma_src *s)
{
	struct dma_expect e = { 0, "" };

	if (!s->pfnmap && api == DMA_TYPE1)
		e.why = "drivers/vfio/vfio_iommu_type1.c:vaddr_get_pfns: pin_user_pages_remote(FOLL_LONGTERM | FOLL_WRITE) pins the pages ("
			MA_KERNEL_REF ")";
	else if (!s->pfnmap)
		e.why = "drivers/iommu/iommufd/pages.c:pfn_reader_user_pin: pin_user_pages_fast pins the pages ("
			MA_KERNEL_REF ")";
	else if (api == DMA_IOMMUFD)
		e = (struct dma_expect){ EFAULT,
			"drivers/iommu/iommufd/pages.c:pfn_reader_user_pin: pin_user_pages_fast -> mm/gup.c:check_vma_flags: VM_IO | VM_PFNMAP -> -EFAULT ("
			MA_KERNEL_REF ")" };
	else if (s->pfn == MA_PFN_UDMABUF)
		e = (struct dma_expect){ EFAULT,
			"drivers/vfio/vfio_iommu_type1.c:vaddr_get_pfns: the pin fails (mm/gup.c:check_vma_flags: VM_PFNMAP), follow_fault_pfn finds a pfn of RAM with a struct page, not reserved (is_invalid_reserved_pfn false) -> -EFAULT ("
			MA_KERNEL_REF ")" };
	else
		e.why = "drivers/vfio/vfio_iommu_type1.c:vaddr_get_pfns: the pin fails (mm/gup.c:check_vma_flags: VM_PFNMAP), follow_fault_pfn finds pfns without a struct page (is_invalid_reserved_pfn) and maps them unpinned ("
			MA_KERNEL_REF ")";
	return e;
}

struct dma_expect dma_expect_blk(const struct dma_src *s)
{
	if (s->pfnmap)
		return (struct dma_expect){ EFAULT,
			"block/fops.c:__blkdev_direct_IO_async -> block/bio.c:bio_iov_iter_get_pages -> lib/iov_iter.c:iov_iter_extract_user_pages -> pin_user_pages_fast -> mm/gup.c:check_vma_flags: VM_IO | VM_PFNMAP -> -EFAULT, the request's result ("
			MA_KERNEL_REF ")" };
	return (struct dma_expect){ 0,
		"block/fops.c:__blkdev_direct_IO_async -> block/bio.c:bio_iov_iter_get_pages pins the pages (mm/gup.c:check_vma_flags passes) and the device writes them ("
		MA_KERNEL_REF ")" };
}

/* ---------------------------------------------------------------- the transfers */

struct xfer {
	struct dma_dev *d;
	struct ma_dma_ctrl *c;
	uint64_t blocks, seed;
	uint64_t *host;		/* DMA_HOST_BUF bytes at DMA_IOVA_HOST */
	bool to_guest;
};

static void *xfer_thread(void *arg)
{
	struct xfer *x = arg;

	for (uint64_t b = 0; b < x->blocks; b++) {
		uint64_t off = b * EDU_BUF_SIZE;

		if (x->to_guest) {
			/* the host's staging buffer -> the device -> the slot */
			dma_edu_xfer(x->d, false, DMA_IOVA_HOST + off, EDU_BUF_SIZE);
			dma_edu_xfer(x->d, true, DMA_IOVA_SLOT + off, EDU_BUF_SIZE);
			__atomic_store_n(&x->c->ready, b + 1, __ATOMIC_RELEASE);
			continue;
		}
		/* wait until the guest wrote the block; the slot -> the device -> the check buffer */
		double deadline = ma_now_s() + 10.0 * ma_timeout_scale();

		while (__atomic_load_n(&x->c->ready, __ATOMIC_ACQUIRE) <= b) {
			if (ma_now_s() > deadline)
				ma_fatal("the guest did not publish block %llu within 10 s",
					 (unsigned long long)b);
			usleep(1000);
		}
		dma_edu_xfer(x->d, false, DMA_IOVA_SLOT + off, EDU_BUF_SIZE);
		dma_edu_xfer(x->d, true, DMA_IOVA_HOST + off, EDU_BUF_SIZE);
		__atomic_store_n(&x->c->done, b + 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static uint64_t *host_buf(struct dma_dev *d)
{
	static uint64_t *buf;
	int r;

	if (buf)
		return buf;
	buf = mmap(NULL, DMA_HOST_BUF, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		ma_fatal("mmap of the host buffer: %s", ma_errno_name(errno));
	r = dma_try_map(d, buf, DMA_IOVA_HOST, DMA_HOST_BUF);
	if (r)
		ma_fatal("mapping the host's anonymous buffer for DMA (%s): %s", dma_api_name(d->api),
			 ma_errno_name(-r));
	return buf;
}

static void run(struct xfer *x, struct ma_vm *vm, double *secs)
{
	pthread_t th;
	struct ma_result res;
	double t0 = ma_now_s();
	int err;

	err = pthread_create(&th, NULL, xfer_thread, x);
	if (err)
		ma_fatal("pthread_create: %s", ma_errno_name(err));
	ma_vcpu_start(vm->vcpus[0], MA_AGENT_DMA_WATCH,
		      MA_ARGS(DMA_GPA, x->blocks, EDU_BUF_SIZE, x->seed, DMA_CTRL_GPA,
			      x->to_guest ? MA_DMA_CHECK : MA_DMA_PRODUCE));
	enum ma_outcome o = ma_vcpu_resume(vm->vcpus[0], ma_default_run_timeout_ms() * 2, &res);

	if (o != MA_OUT_DONE)
		__atomic_store_n(&x->c->stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	*secs = ma_now_s() - t0;
	if (o != MA_OUT_DONE) {
		char buf[512];

		ma_result_describe(&res, buf, sizeof(buf));
		ma_fatal("the guest's DMA watch did not complete: %s", buf);
	}
	if (x->to_guest) {
		MA_CHECK(res.ret.check.mismatches == 0,
			 "the guest read %llu words of the device's DMA wrong, first at +%#llx: %#llx, expected %#llx",
			 (unsigned long long)res.ret.check.mismatches,
			 (unsigned long long)res.ret.check.first_off,
			 (unsigned long long)res.ret.check.first_val,
			 (unsigned long long)ma_pattern_word(x->seed, DMA_GPA + res.ret.check.first_off));
		MA_CHECK(x->c->done == x->blocks, "the guest checked %llu of %llu blocks",
			 (unsigned long long)x->c->done, (unsigned long long)x->blocks);
	}
}

uint64_t dma_to_guest(struct dma_dev *d, struct ma_vm *vm, struct ma_dma_ctrl *c, uint64_t blocks,
		      uint64_t seed, double *secs)
{
	struct xfer x = {
		.d = d, .c = c, .blocks = blocks, .seed = seed, .host = host_buf(d), .to_guest = true,
	};

	for (uint64_t off = 0; off < blocks * EDU_BUF_SIZE; off += 8)
		x.host[off / 8] = ma_pattern_word(seed, DMA_GPA + off);
	memset(c, 0, sizeof(*c));
	run(&x, vm, secs);
	return x.c->done * EDU_BUF_SIZE;
}

uint64_t dma_from_guest(struct dma_dev *d, struct ma_vm *vm, struct ma_dma_ctrl *c, uint64_t blocks,
			uint64_t seed, double *secs)
{
	struct xfer x = {
		.d = d, .c = c, .blocks = blocks, .seed = seed, .host = host_buf(d), .to_guest = false,
	};
	uint64_t bad = 0, first = 0;

	memset(x.host, 0, blocks * EDU_BUF_SIZE);
	memset(c, 0, sizeof(*c));
	run(&x, vm, secs);
	for (uint64_t off = 0; off < blocks * EDU_BUF_SIZE; off += 8)
		if (x.host[off / 8] != ma_pattern_word(seed, DMA_GPA + off) && !bad++)
			first = off;
	MA_CHECK(bad == 0,
		 "the device read %llu words of the guest's pattern wrong, first at +%#llx: %#llx, expected %#llx",
		 (unsigned long long)bad, (unsigned long long)first, (unsigned long long)x.host[first / 8],
		 (unsigned long long)ma_pattern_word(seed, DMA_GPA + first));
	return c->done * EDU_BUF_SIZE;
}
