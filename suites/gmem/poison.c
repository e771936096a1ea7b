// SPDX-License-Identifier: GPL-2.0
/*
 * gmem: memory failure (MADV_HWPOISON) on guest memory with struct page: a shared guest_memfd page,
 * anonymous memory and hugetlb.  What the madvise() caller, the guest and a later host access get.
 *
 * MADV_HWPOISON (mm/madvise.c:madvise_inject_error) calls memory_failure(pfn, MF_ACTION_REQUIRED |
 * MF_COUNT_INCREASED | MF_SW_SIMULATED) for the page it finds with get_user_pages_fast():
 *   - hwpoison_user_mappings() collects the processes mapping the page (the caller: task_early_kill
 *     with force_early), replaces the PTE by a hwpoison entry (try_to_unmap, TTU_HWPOISON; its MMU
 *     notifier zaps KVM's stage-2 mapping) and, the page being dirty, kill_proc() sends the caller
 *     force_sig_mceerr(BUS_MCEERR_AR, the page's address in the VMA, folio_shift);
 *   - a later host access finds the hwpoison entry: VM_FAULT_HWPOISON(_LARGE), and the arch fault
 *     handler (arch/x86/mm/fault.c:do_sigbus, arch/arm64/mm/fault.c:do_page_fault) sends
 *     BUS_MCEERR_AR at the faulting address, lsb PAGE_SHIFT or the huge page's shift.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "gmem_poison.h"
#include "memattr/pfnmap.h"

#define GP_GUEST_WORD	0x9e57a11c0ffee001ull
#define GP_HOST_WORD	0x40575a11deadf00dull

#define GP_WHY_MF_DELAYED "mm/memory-failure.c:truncate_error_folio takes the MF_DELAYED of virt/kvm/guest_memfd.c:kvm_gmem_error_folio for a failure and me_pagecache_clean counts the page cache's reference as an extra one, so memory_failure() returns -EBUSY (Linux " \
	MA_KERNEL_REF "); 'mm: Fix MF_DELAYED handling on memory failure' (Lisa Wang, lore cover.1760551864.git.wyihan@google.com) is not in 7.2"

#define SRC_POISON_GUEST_MEMFD "MADV_HWPOISON on a page of an INIT_SHARED guest_memfd mapping: virt/kvm/guest_memfd.c:kvm_gmem_error_folio zaps the stage-2 mapping and keeps the poisoned folio, __kvm_gmem_get_pfn then returns -EHWPOISON, so the guest's next access ends KVM_RUN with -1 EHWPOISON and KVM_EXIT_MEMORY_FAULT (arch/x86/kvm/mmu/mmu.c:kvm_mmu_faultin_pfn_gmem, arch/arm64/kvm/mmu.c:gmem_abort: kvm_prepare_memory_fault_exit gpa = the faulting page, size PAGE_SIZE, flags 0 for a shared access) and no signal; the host's own access takes SIGBUS BUS_MCEERR_AR at its address (mm/memory.c:do_swap_page on the hwpoison entry) (" \
	MA_KERNEL_REF ")"

MA_TEST(gmem, poison_guest_memfd, .req = { .root = true },
	.source = SRC_POISON_GUEST_MEMFD)
{
	struct ma_vm *vm = ma_test_vm(1);
	struct ma_vcpu *v = vm->vcpus[0];
	uint64_t ps = ma_host_page_size(), gpa = MA_TEST_GPA, bad = gpa + ps, val;
	int shift = gp_page_shift(), tid = gp_tid(), r;
	struct ma_result res;
	struct ma_sigbus s;
	struct ma_mem *m;
	unsigned int n;
	char *page;

	gp_need_memory_failure();
	m = ma_test_mem(vm, 1, gpa, 4 * ps, MA_BACK_GUEST_MEMFD, MA_MT_NORMAL_WB);
	page = (char *)m->hva + ps;
	ma_run_agent_done(v, MA_AGENT_STORE64, MA_ARGS(bad, GP_GUEST_WORD), &res, "store to gpa %#llx",
			  (unsigned long long)bad);
	MA_EXPECT_EQ(*(volatile uint64_t *)page, GP_GUEST_WORD);
	((volatile uint64_t *)page)[1] = GP_HOST_WORD;	/* the host's PTE is dirty now */

	ma_sigbus_catch();
	r = gp_try_hwpoison(page, ps);
	n = ma_sigbus_take(&s);
	gp_expect_sigbus("madvise(MADV_HWPOISON)", n, &s, BUS_MCEERR_AR, (uintptr_t)page, shift, tid);
	ma_xfail_next(gp_kernel_is(7, 2), GP_WHY_MF_DELAYED);
	MA_CHECK(r == 0, "madvise(MADV_HWPOISON) of a guest_memfd page: %s, expected success (kvm_gmem_error_folio returns MF_DELAYED: the error is handled at the next access)",
		 ma_errno_name(-r));

	/* the guest's access to the poisoned page, at an offset: the exit names the page */
	ma_run_agent_expect(v, MA_AGENT_LOAD64, MA_ARGS(bad + 0x48), MA_OUT_RUN_ERROR, &res,
			    "load from the poisoned gpa %#llx", (unsigned long long)bad + 0x48);
	MA_CHECK(res.err == EHWPOISON && res.exit_reason == KVM_EXIT_MEMORY_FAULT,
		 "KVM_RUN failed with %s, exit_reason %u (%s): expected EHWPOISON and KVM_EXIT_MEMORY_FAULT",
		 ma_errno_name(res.err), res.exit_reason, ma_exit_reason_name(res.exit_reason));
	MA_EXPECT_EQ(res.memory_fault.gpa, bad);
	MA_EXPECT_EQ(res.memory_fault.size, ps);
	MA_EXPECT_EQ(res.memory_fault.flags, 0);
	MA_CHECK(res.sigbus_count == 0, "the vCPU thread took %u SIGBUS in KVM_RUN: guest_memfd faults send none",
		 res.sigbus_count);

	/* only that page: its neighbours work for the guest and the host */
	ma_run_agent_done(v, MA_AGENT_LOAD64, MA_ARGS(gpa + 2 * ps), &res, "load from gpa %#llx next to the poisoned page",
			  (unsigned long long)gpa + 2 * ps);
	MA_EXPECT_EQ(res.ret.load.value, 0);
	MA_CHECK(!ma_sigbus_read64(page - ps, &val, &s), "host load of the page before the poisoned one: %s",
		 gp_sigbus_str(&s));

	/* the host's access to the poisoned page */
	MA_CHECK(ma_sigbus_read64(page + 0x48, &val, &s), "host load of the poisoned page completed: 0x%llx",
		 (unsigned long long)val);
	gp_expect_sigbus("host load of the poisoned page", s.code ? 1 : 0, &s, BUS_MCEERR_AR,
			 (uintptr_t)page + 0x48, shift, tid);
}

/* A backing with struct page and the shifts 7.2 reports for it; offsets in host pages. */
struct gp_backing {
	enum ma_backing kind;
	uint64_t size;		/* the slot's size in bytes */
	unsigned int bad;	/* the page madvise() poisons */
	unsigned int probe;	/* the page the guest and the host access afterwards: same folio */
	int folio_shift;	/* 0: a small folio (PAGE_SHIFT); the poisoned folio's shift */
};

static const struct ma_variant backings[] = {
	{ .name = "anon", .param = &(struct gp_backing){ MA_BACK_ANON, 4 * MA_PAGE_SIZE, 1, 1, 0 } },
	{ .name = "hugetlb", .param = &(struct gp_backing){ MA_BACK_HUGETLB, 2ull << 20, 3, 5, 21 } },
};

/*
 * arm64's lsb: kvm_send_hwpoison_signal(hva, __ffs(vma_pagesize)), where kvm_s2_resolve_vma_size
 * keeps a 2 MiB hugetlb VMA's PMD_SHIFT if the slot allows a block there (this test's slot is 2 MiB
 * aligned and sized) and a 2 MiB that is not a PMD (16K, 64K pages: CONT_PTE_SHIFT) becomes
 * PAGE_SHIFT.  x86: kvm_send_hwpoison_signal always sends PAGE_SHIFT.
 */
static int kvm_signal_lsb(const struct gp_backing *b)
{
	int shift = gp_page_shift();

	if (strcmp(ma_host_arch(), "arm64") || !b->folio_shift || shift != 12)
		return shift;
	return b->folio_shift;
}

#define SRC_POISON_HOST_BACKING "MADV_HWPOISON on anonymous or hugetlb guest memory: the PTE becomes a hwpoison entry and its MMU notifier zaps the stage-2 mapping, so the guest's next access faults the page in again through GUP, which fails with -EHWPOISON (virt/kvm/kvm_main.c:hva_to_pfn: KVM_PFN_ERR_HWPOISON); KVM sends the vCPU thread SIGBUS BUS_MCEERR_AR at the page's hva (arch/x86/kvm/mmu/mmu.c:kvm_send_hwpoison_signal, lsb PAGE_SHIFT; arch/arm64/kvm/mmu.c:kvm_s2_fault_pin_pfn, lsb __ffs(vma_pagesize)) and KVM_RUN returns -1 EINTR with KVM_EXIT_INTR (include/linux/kvm_host.h:kvm_handle_signal_exit) (" \
	MA_KERNEL_REF ")"

MA_TEST(gmem, poison_host_backing, MA_VARIANTS(backings), .req = { .root = true },
	.source = SRC_POISON_HOST_BACKING)
{
	const struct gp_backing *b = t->param;
	struct ma_vm *vm = ma_test_vm(1);
	struct ma_vcpu *v = vm->vcpus[0];
	int shift = gp_page_shift(), tid = gp_tid(), lsb = b->folio_shift ? b->folio_shift : shift, r;
	uint64_t gpa = MA_TEST_GPA, ps = ma_host_page_size();
	uint64_t size = b->folio_shift ? b->size : b->size / MA_PAGE_SIZE * ps;
	uint64_t bad = b->bad * ps, probe = b->probe * ps + 0x48, val;
	struct ma_result res;
	struct ma_sigbus s;
	struct ma_mem *m;
	unsigned int n;
	char *hva;

	gp_need_memory_failure();
	if (b->kind == MA_BACK_HUGETLB) {
		long fr = ma_try_read_long("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages");
		long rs = ma_try_read_long("/sys/kernel/mm/hugepages/hugepages-2048kB/resv_hugepages");

		if (fr < 0 || rs < 0)
			ma_skip("no 2 MiB hugetlb pool (hugepages-2048kB free_hugepages: %s)",
				ma_errno_name((int)-fr));
		if (fr - rs < 1)
			ma_skip("no free unreserved 2 MiB huge page (free %ld, reserved %ld)", fr, rs);
	}
	m = ma_test_mem(vm, 1, gpa, size, b->kind, MA_MT_NORMAL_WB);
	hva = m->hva;
	/* small folios only: memory_failure() would split a THP first */
	if (b->kind == MA_BACK_ANON && madvise(hva, size, MADV_NOHUGEPAGE))
		ma_fatal("madvise(MADV_NOHUGEPAGE): %s", ma_errno_name(errno));
	ma_run_agent_done(v, MA_AGENT_WRITE_PATTERN,
			  MA_ARGS(gpa, size, 7, b->folio_shift ? MA_PASS_SPARSE : 0), &res, "pattern over the slot");
	((volatile uint64_t *)(hva + bad))[1] = GP_HOST_WORD;

	ma_sigbus_catch();
	r = gp_try_hwpoison(hva + bad, ps);
	n = ma_sigbus_take(&s);
	MA_CHECK(r == 0, "madvise(MADV_HWPOISON): %s", ma_errno_name(-r));
	/* page_mapped_in_vma: the address of the poisoned (sub)page itself */
	gp_expect_sigbus("madvise(MADV_HWPOISON)", n, &s, BUS_MCEERR_AR, (uintptr_t)hva + bad, lsb, tid);

	ma_run_agent_expect(v, MA_AGENT_LOAD64, MA_ARGS(gpa + probe), MA_OUT_RUN_ERROR, &res,
			    "load from gpa %#llx in the poisoned folio", (unsigned long long)gpa + probe);
	MA_CHECK(res.err == EINTR && res.exit_reason == KVM_EXIT_INTR,
		 "KVM_RUN failed with %s, exit_reason %u (%s): expected EINTR and KVM_EXIT_INTR",
		 ma_errno_name(res.err), res.exit_reason, ma_exit_reason_name(res.exit_reason));
	gp_expect_sigbus("the vCPU thread in KVM_RUN", res.sigbus_count, &res.sigbus, BUS_MCEERR_AR,
			 ((uintptr_t)hva + probe) & ~(ps - 1), kvm_signal_lsb(b), tid);

	/* the rest of the slot outside the folio still works (anon: the other pages) */
	if (b->kind == MA_BACK_ANON) {
		ma_run_agent_done(v, MA_AGENT_LOAD64, MA_ARGS(gpa + 2 * ps), &res, "load next to the poisoned page");
		MA_EXPECT_EQ(res.ret.load.value, ma_pattern_word(7, gpa + 2 * ps));
	}

	MA_CHECK(ma_sigbus_read64(hva + probe, &val, &s), "host load in the poisoned folio completed: 0x%llx",
		 (unsigned long long)val);
	gp_expect_sigbus("host load in the poisoned folio", s.code ? 1 : 0, &s, BUS_MCEERR_AR,
			 (uintptr_t)hva + probe, lsb, tid);
}
