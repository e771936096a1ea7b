// SPDX-License-Identifier: GPL-2.0
/*
 * memslot: dirty-page logging of a slot made (or updated) with KVM_MEM_LOG_DIRTY_PAGES.  The
 * guest stores to a chosen set of pages; KVM_GET_DIRTY_LOG must report exactly those, and with
 * KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 KVM_CLEAR_DIRTY_LOG must re-arm exactly the pages it clears.
 * The library writes the guest's page tables through the system slot (slot 0), never the test
 * slot, so nothing but the guest's stores can dirty it.  Expectations: Linux 7.2.13,
 * virt/kvm/kvm_main.c unless named otherwise.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "memattr/dirty_log.h"
#include "memattr/harness.h"
#include "memattr/kvm.h"
#include "memattr/util.h"
#include "hostmm.h"
#include "memslot.h"

#define MAX_SIZE MS_HUGE_2M
#define GPA MA_TEST_GPA
#define SLOT 1u
#define MAX_PAGES (MAX_SIZE / 4096)
#define BM_WORDS ((MAX_PAGES + 63) / 64)	/* bitmap words for the most pages a slot has (4 KiB pages) */

#define BACKING(n, k) { .name = n, .value = k }

static const struct ma_variant mem_cases[] = {
	BACKING("anon", MA_BACK_ANON),
	BACKING("anon_thp", MA_BACK_ANON_THP),
	BACKING("memfd", MA_BACK_MEMFD),
	BACKING("hugetlb", MA_BACK_HUGETLB),
};

struct dl {
	uint64_t size;	/* 2 MiB for THP and hugetlb, 64 host pages otherwise */
	struct ma_vm *vm;
	struct ma_vcpu *v;
	uint64_t *hva;
	uint64_t npages, hpage;
	struct ma_mem m;
};

/* Backing memory of the test's kind and a VM with one vCPU; skips when the memory cannot be had. */
static void dl_setup(struct dl *d, struct ma_t *t)
{
	enum ma_backing kind = (enum ma_backing)t->value;
	int r;

	d->hpage = ma_host_page_size();
	/* small pages: 64 host pages, enough for the pages the tests name (0, 3, 5, 17, the last) */
	d->size = kind == MA_BACK_ANON_THP || kind == MA_BACK_HUGETLB ? MAX_SIZE : 64 * d->hpage;
	d->npages = d->size / d->hpage;
	if (kind == MA_BACK_HUGETLB)
		ms_need_hugepages(1);
	r = ma_try_mem_alloc(&d->m, kind, d->size, NULL);
	if (r)
		ma_fatal("allocating %llu KiB of %s memory: %s", (unsigned long long)(d->size >> 10),
			 ma_backing_name(kind), ma_errno_name(-r));
	d->hva = d->m.hva;
	/* "anon" is the small-page case: with THP "always" an aligned range would get a huge page */
	if (kind == MA_BACK_ANON && madvise(d->hva, d->size, MADV_NOHUGEPAGE))
		ma_fatal("madvise(MADV_NOHUGEPAGE) of the anonymous memory: %s", ma_errno_name(errno));
	d->vm = ma_test_vm(1);
	d->v = d->vm->vcpus[0];
}

static void dl_free(struct dl *d)
{
	ma_vm_destroy(d->vm);
	ma_mem_free(&d->m);
	ms_hugepages_restore();
}

/* (Re)create slot 1 over the memory with flags. */
static void dl_slot(struct dl *d, uint32_t flags)
{
	ma_add_slot(d->vm, SLOT, flags, GPA, d->size, d->hva);
}

static void guest_store(struct dl *d, const uint64_t *pages, unsigned int n, uint64_t tag)
{
	ma_guest_store_pages(d->v, GPA, d->hva, d->hpage, pages, n, tag);
	ms_prove_backing(d->m.kind, d->hva, d->size, "after the guest's stores");
}

static void expect_log(struct dl *d, const uint64_t *want_bm, const char *when)
{
	ma_verify_dirty_log(d->vm, SLOT, d->npages, want_bm, when);
}

static void expect_log_of(struct dl *d, const uint64_t *pages, unsigned int n, const char *when)
{
	ma_verify_dirty_pages(d->vm, SLOT, d->npages, pages, n, when);
}

static void set_of(uint64_t *bm, const uint64_t *pages, unsigned int n)
{
	memset(bm, 0, BM_WORDS * 8);
	for (unsigned int i = 0; i < n; i++)
		ma_dirty_set(bm, pages[i]);
}

/* The pages the tests store to: 0, 3, 17 and the last of the slot. */
static void named_pages(const struct dl *d, uint64_t set[4])
{
	set[0] = 0;
	set[1] = 3;
	set[2] = 17;
	set[3] = d->npages - 1;
}

MA_TEST(memslot, dirty_log_get_clears, MA_VARIANTS(mem_cases), .timeout_s = 60,
	.source = "virt/kvm/kvm_main.c:kvm_get_dirty_log_protect (without manual protect: returns the bitmap, clears it and write-protects the reported pages), mark_page_dirty_in_slot on guest write faults; a guest read: ma_memslot_read_marks_dirty ("
		  MA_KERNEL_REF "); PFNMAP sources: pfnmap.dirty_log_tracked")
{
	struct dl d = { 0 };
	uint64_t set[4], again[2], read_page;

	dl_setup(&d, t);
	dl_slot(&d, KVM_MEM_LOG_DIRTY_PAGES);
	ma_map(d.vm, GPA, GPA, d.size, MA_MT_NORMAL_WB);
	named_pages(&d, set);
	expect_log_of(&d, NULL, 0, "before any guest write");
	guest_store(&d, set, MA_ARRAY_SIZE(set), 0x1000);
	expect_log_of(&d, set, MA_ARRAY_SIZE(set), "after guest stores to pages 0, 3, 17 and the last");
	expect_log_of(&d, NULL, 0, "again, with no write in between");
	/* the reported pages were write-protected again: new stores to two of them are seen */
	again[0] = 3;
	again[1] = 17;
	guest_store(&d, again, MA_ARRAY_SIZE(again), 0x2000);
	expect_log_of(&d, again, MA_ARRAY_SIZE(again), "after stores to pages 3 and 17 again");
	/* a guest load from a page the host has written (its host mapping is writable) */
	read_page = 5;
	d.hva[read_page * d.hpage / 8] = 0x5eed;
	{
		const char *why;
		bool dirty = ma_memslot_read_marks_dirty(&why);
		struct ma_result res;

		ma_run_agent_done(d.v, MA_AGENT_LOAD64, MA_ARGS(GPA + read_page * d.hpage), &res, "load from page 5");
		MA_EXPECT_EQ(res.ret.load.value, 0x5eed);
		ma_log("a guest load from page 5 %s: %s", dirty ? "marks it dirty" : "leaves it clean", why);
		expect_log_of(&d, &read_page, dirty ? 1 : 0, "after a guest load from page 5");
	}
	dl_free(&d);
}

MA_TEST(memslot, dirty_log_enabled_later, MA_VARIANTS(mem_cases), .timeout_s = 60,
	.source = "virt/kvm/kvm_main.c:kvm_prepare_memory_region allocates the bitmap on a FLAGS_ONLY update; "
		  "arch/arm64/kvm/mmu.c:kvm_arch_commit_memory_region write-protects and splits the slot (kvm_mmu_wp_memory_region, kvm_mmu_split_memory_region), arch/x86/kvm/x86.c:kvm_mmu_slot_apply_flags write-protects it; disabling logging drops the bitmap, and kvm_get_dirty_log_protect then gives ENOENT ("
		  MA_KERNEL_REF ")")
{
	struct dl d = { 0 };
	uint64_t set[4];
	struct ma_result res;

	dl_setup(&d, t);
	dl_slot(&d, 0);
	ma_map(d.vm, GPA, GPA, d.size, MA_MT_NORMAL_WB);
	/* the guest writes the whole slot first: stage 2 maps it writable, in blocks where it can */
	ma_run_agent_done(d.v, MA_AGENT_WRITE_PATTERN, MA_ARGS(GPA, d.size, 7), &res, "write of the whole slot");
	ms_prove_backing(d.m.kind, d.hva, d.size, "after the guest wrote all of it");
	MA_EXPECT_ERRNO(ma_try_get_dirty_log(d.vm, SLOT, (uint64_t[BM_WORDS]) { 0 }), ENOENT);
	dl_slot(&d, KVM_MEM_LOG_DIRTY_PAGES);
	named_pages(&d, set);
	expect_log_of(&d, NULL, 0, "right after logging was switched on");
	guest_store(&d, set, MA_ARRAY_SIZE(set), 0x3000);
	expect_log_of(&d, set, MA_ARRAY_SIZE(set), "after guest stores to pages 0, 3, 17 and the last");
	expect_log_of(&d, NULL, 0, "again, with no write in between");
	dl_slot(&d, 0);
	MA_EXPECT_ERRNO(ma_try_get_dirty_log(d.vm, SLOT, (uint64_t[BM_WORDS]) { 0 }), ENOENT);
	dl_free(&d);
}

static void manual_clear_body(struct ma_t *t, bool init_set)
{
	const uint64_t mode = KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE |
			      (init_set ? KVM_DIRTY_LOG_INITIALLY_SET : 0);
	uint64_t all[BM_WORDS], bm[BM_WORDS], set[4], cleared[2], rest[2];
	struct dl d = { 0 };
	long caps;

	dl_setup(&d, t);
	caps = ma_vm_cap(d.vm, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2);
	ma_log("KVM_CHECK_EXTENSION(KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2) = %#lx", caps);
	/* arm64 and x86 define KVM_DIRTY_LOG_MANUAL_CAPS as PROTECT_ENABLE | INITIALLY_SET */
	MA_EXPECT_EQ(caps, KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE | KVM_DIRTY_LOG_INITIALLY_SET);
	if (init_set && !(caps & KVM_DIRTY_LOG_INITIALLY_SET))
		ma_skip("KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 = %#lx: no KVM_DIRTY_LOG_INITIALLY_SET", caps);
	/* kvm_vm_ioctl_enable_cap_generic: INITIALLY_SET only with PROTECT_ENABLE, no unknown bits */
	MA_EXPECT_ERRNO(ma_try_vm_enable_cap(d.vm, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2,
					     KVM_DIRTY_LOG_INITIALLY_SET), EINVAL);
	MA_EXPECT_ERRNO(ma_try_vm_enable_cap(d.vm, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, mode | (1ull << 2)),
			EINVAL);
	MA_ASSERT_EQ(ma_try_vm_enable_cap(d.vm, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, mode), 0);
	dl_slot(&d, KVM_MEM_LOG_DIRTY_PAGES);
	ma_map(d.vm, GPA, GPA, d.size, MA_MT_NORMAL_WB);
	memset(all, 0, sizeof(all));
	for (uint64_t p = 0; p < d.npages; p++)
		ma_dirty_set(all, p);
	/* kvm_clear_dirty_log_protect: first_page must be 64-aligned, num_pages a multiple of 64
	 * unless it reaches the end of the slot
	 */
	MA_EXPECT_ERRNO(ma_try_clear_dirty_log(d.vm, SLOT, 1, 63, all), EINVAL);
	MA_EXPECT_ERRNO(ma_try_clear_dirty_log(d.vm, SLOT, 0, 63, all), EINVAL);
	MA_EXPECT_ERRNO(ma_try_clear_dirty_log(d.vm, SLOT, 0, (uint32_t)d.npages + 64, all), EINVAL);
	if (init_set) {
		/* kvm_prepare_memory_region sets every bit of the new bitmap */
		expect_log(&d, all, "of a new slot with INITIALLY_SET");
		expect_log(&d, all, "again (manual mode: GET does not clear)");
		ma_clear_dirty_log(d.vm, SLOT, 0, (uint32_t)d.npages, all);
	}
	expect_log_of(&d, NULL, 0, "before any guest write");
	named_pages(&d, set);
	guest_store(&d, set, MA_ARRAY_SIZE(set), 0x4000);
	expect_log_of(&d, set, MA_ARRAY_SIZE(set), "after guest stores to pages 0, 3, 17 and the last");
	expect_log_of(&d, set, MA_ARRAY_SIZE(set), "again (manual mode: GET does not clear)");
	/* clear two of them (and page 5, which is not dirty): exactly those two are gone */
	cleared[0] = 3;
	cleared[1] = d.npages - 1;
	rest[0] = 0;
	rest[1] = 17;
	set_of(bm, cleared, MA_ARRAY_SIZE(cleared));
	ma_dirty_set(bm, 5);
	ma_clear_dirty_log(d.vm, SLOT, 0, (uint32_t)d.npages, bm);
	expect_log_of(&d, rest, MA_ARRAY_SIZE(rest), "after KVM_CLEAR_DIRTY_LOG of pages 3, 5 and the last");
	/* the cleared pages are write-protected again: stores to them are seen again */
	guest_store(&d, cleared, MA_ARRAY_SIZE(cleared), 0x5000);
	expect_log_of(&d, set, MA_ARRAY_SIZE(set), "after stores to the cleared pages again");
	/* clear everything, then one store: only that page */
	ma_clear_dirty_log(d.vm, SLOT, 0, (uint32_t)d.npages, all);
	expect_log_of(&d, NULL, 0, "after clearing every page");
	guest_store(&d, &set[2], 1, 0x6000);
	expect_log_of(&d, &set[2], 1, "after one store to page 17");
	dl_free(&d);
}

MA_TEST(memslot, dirty_log_manual_clear, MA_VARIANTS(mem_cases), .timeout_s = 60,
	.req = { .sys_caps = { KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 } },
	.source = "virt/kvm/kvm_main.c:kvm_vm_ioctl_enable_cap_generic (MANUAL_DIRTY_LOG_PROTECT2), kvm_get_dirty_log_protect (manual: the bitmap is returned, not cleared), kvm_clear_dirty_log_protect (clears the given bits and write-protects those pages) ("
		  MA_KERNEL_REF ")")
{
	manual_clear_body(t, false);
}

MA_TEST(memslot, dirty_log_manual_clear_init_set, MA_VARIANTS(mem_cases), .timeout_s = 60,
	.req = { .sys_caps = { KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 } },
	.source = "virt/kvm/kvm_main.c:kvm_prepare_memory_region sets every bit with KVM_DIRTY_LOG_INITIALLY_SET; arch/arm64/kvm/mmu.c:kvm_arch_commit_memory_region and arch/x86/kvm/x86.c:kvm_mmu_slot_apply_flags leave write protection to KVM_CLEAR_DIRTY_LOG (kvm_clear_dirty_log_protect) ("
		  MA_KERNEL_REF ")")
{
	manual_clear_body(t, true);
}

MA_TEST(memslot, dirty_log_without_bitmap,
	.source = "virt/kvm/kvm_main.c:kvm_get_dirty_log_protect / kvm_clear_dirty_log_protect: a slot without a dirty bitmap (no LOG_DIRTY_PAGES) or no slot gives ENOENT; a slot id beyond KVM_USER_MEM_SLOTS gives EINVAL ("
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm = ma_test_vm(0);
	uint64_t bm[BM_WORDS] = { 0 };

	ma_test_mem(vm, SLOT, GPA, MAX_SIZE, MA_BACK_ANON, MA_MT_NORMAL_WB);
	MA_EXPECT_ERRNO(ma_try_get_dirty_log(vm, SLOT, bm), ENOENT);
	MA_EXPECT_ERRNO(ma_try_get_dirty_log(vm, SLOT + 1, bm), ENOENT);
	MA_EXPECT_ERRNO(ma_try_get_dirty_log(vm, 32767, bm), EINVAL);
	MA_EXPECT_ERRNO(ma_try_clear_dirty_log(vm, SLOT, 0, 64, bm), ENOENT);
}
