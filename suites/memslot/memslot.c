// SPDX-License-Identifier: GPL-2.0
/*
 * memslot: KVM_SET_USER_MEMORY_REGION and _REGION2 rules, and data seen across host and guest.
 * Expectations are from Linux 7.2.13 (virt/kvm/kvm_main.c unless named otherwise).
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "memattr/harness.h"
#include "memattr/kvm.h"
#include "hostmm.h"
#include "memslot.h"

#define SLOT_SIZE (2ull << 20)
/* memslot addresses and sizes are in units of the host kernel's page size (4, 16 or 64 KiB) */
#define HPAGE ma_host_page_size()

static struct ma_vm *bare_vm(void)
{
	static const struct ma_vm_opts bare = { .no_guest = true };

	return ma_vm_create(&bare);
}

static void *anon(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		ma_fatal("mmap %zu bytes: %s", size, strerror(errno));
	return p;
}

MA_TEST(memslot, v1_rejects_guest_memfd_flag,
	.source = "virt/kvm/kvm_main.c:kvm_vm_ioctl KVM_SET_USER_MEMORY_REGION, flags outside LOG_DIRTY_PAGES|READONLY give EINVAL ("
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm = bare_vm();
	struct kvm_userspace_memory_region r = {
		.slot = 1, .flags = KVM_MEM_GUEST_MEMFD, .guest_phys_addr = MA_TEST_GPA,
		.memory_size = SLOT_SIZE, .userspace_addr = (uintptr_t)anon(SLOT_SIZE),
	};

	MA_EXPECT_ERRNO(ma_try_set_region1(vm, &r), EINVAL);
}

MA_TEST(memslot, v1_accepts_log_dirty_and_readonly,
	.source = "virt/kvm/kvm_main.c:check_memory_region_flags (" MA_KERNEL_REF ")",
	.req = { .sys_caps = { KVM_CAP_READONLY_MEM } })
{
	struct ma_vm *vm = bare_vm();
	void *hva = anon(2 * SLOT_SIZE);
	struct kvm_userspace_memory_region r = {
		.slot = 1, .flags = KVM_MEM_LOG_DIRTY_PAGES, .guest_phys_addr = MA_TEST_GPA,
		.memory_size = SLOT_SIZE, .userspace_addr = (uintptr_t)hva,
	};

	MA_EXPECT_OK(ma_try_set_region1(vm, &r));
	r.slot = 2;
	r.flags = KVM_MEM_READONLY;
	r.guest_phys_addr += SLOT_SIZE;
	r.userspace_addr += SLOT_SIZE;
	MA_EXPECT_OK(ma_try_set_region1(vm, &r));
}

static const struct ma_variant unknown_flag_variants[] = {
	{ .name = "v1", .value = 1 },
	{ .name = "v2", .value = 2 },
};

MA_TEST(memslot, unknown_flag_rejected,
	.source = "virt/kvm/kvm_main.c:check_memory_region_flags, unknown bits give EINVAL (" MA_KERNEL_REF ")",
	MA_VARIANTS(unknown_flag_variants))
{
	struct ma_vm *vm = bare_vm();
	void *hva = anon(SLOT_SIZE);
	uint32_t bit;

	/* every bit above the defined ones (LOG_DIRTY_PAGES, READONLY, GUEST_MEMFD) */
	for (bit = 3; bit < 32; bit++) {
		if (t->value == 1) {
			struct kvm_userspace_memory_region r = {
				.slot = 1, .flags = 1u << bit, .guest_phys_addr = MA_TEST_GPA,
				.memory_size = SLOT_SIZE, .userspace_addr = (uintptr_t)hva,
			};
			MA_EXPECT_ERRNO(ma_try_set_region1(vm, &r), EINVAL);
		} else {
			MA_EXPECT_ERRNO(ma_try_add_slot(vm, 1, 1u << bit, MA_TEST_GPA, SLOT_SIZE, hva),
					EINVAL);
		}
	}
}

MA_TEST(memslot, gpa_overlap_rejected,
	.source = "virt/kvm/kvm_main.c:kvm_set_memory_region, overlap with another slot gives EEXIST ("
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm = bare_vm();
	char *hva = anon(4 * SLOT_SIZE);

	ma_add_slot(vm, 1, 0, MA_TEST_GPA, 2 * SLOT_SIZE, hva);
	/* same start, inside, straddling the end, straddling the start */
	MA_EXPECT_ERRNO(ma_try_add_slot(vm, 2, 0, MA_TEST_GPA, SLOT_SIZE, hva + 2 * SLOT_SIZE), EEXIST);
	MA_EXPECT_ERRNO(ma_try_add_slot(vm, 2, 0, MA_TEST_GPA + HPAGE, HPAGE, hva + 2 * SLOT_SIZE), EEXIST);
	MA_EXPECT_ERRNO(ma_try_add_slot(vm, 2, 0, MA_TEST_GPA + SLOT_SIZE, 2 * SLOT_SIZE,
					hva + 2 * SLOT_SIZE), EEXIST);
	MA_EXPECT_ERRNO(ma_try_add_slot(vm, 2, 0, MA_TEST_GPA - HPAGE, 2 * HPAGE, hva + 2 * SLOT_SIZE),
			EEXIST);
	/* adjacent is fine */
	MA_EXPECT_OK(ma_try_add_slot(vm, 2, 0, MA_TEST_GPA + 2 * SLOT_SIZE, SLOT_SIZE, hva + 2 * SLOT_SIZE));
}

MA_TEST(memslot, slot_id_range,
	.source = "virt/kvm/kvm_main.c:kvm_vm_ioctl_set_memory_region, id >= KVM_USER_MEM_SLOTS gives EINVAL; "
		  "KVM_CAP_NR_MEMSLOTS reports KVM_USER_MEM_SLOTS (" MA_KERNEL_REF ")")
{
	struct ma_vm *vm = bare_vm();
	char *hva = anon(2 * HPAGE);
	long nr = ma_vm_cap(vm, KVM_CAP_NR_MEMSLOTS);

	ma_log("KVM_CAP_NR_MEMSLOTS = %ld", nr);
	MA_ASSERT_TRUE(nr > 1 && nr <= 32768);
	MA_EXPECT_OK(ma_try_add_slot(vm, (uint32_t)nr - 1, 0, MA_TEST_GPA, HPAGE, hva));
	MA_EXPECT_ERRNO(ma_try_add_slot(vm, (uint32_t)nr, 0, MA_TEST_GPA + HPAGE, HPAGE, hva + HPAGE),
			EINVAL);
	/* the address-space id lives in bits 16..31: a non-existent one is refused too */
	MA_EXPECT_ERRNO(ma_try_add_slot(vm, (uint32_t)(0x7fu << 16) | 1u, 0, MA_TEST_GPA + HPAGE, HPAGE,
					hva + HPAGE), EINVAL);
}

MA_TEST(memslot, misaligned_region_rejected,
	.source = "virt/kvm/kvm_main.c:kvm_set_memory_region, unaligned size/gpa/hva give EINVAL ("
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm = bare_vm();
	char *hva = anon(SLOT_SIZE);

	MA_EXPECT_ERRNO(ma_try_add_slot(vm, 1, 0, MA_TEST_GPA, HPAGE + 8, hva), EINVAL);
	MA_EXPECT_ERRNO(ma_try_add_slot(vm, 1, 0, MA_TEST_GPA + 8, HPAGE, hva), EINVAL);
	MA_EXPECT_ERRNO(ma_try_add_slot(vm, 1, 0, MA_TEST_GPA, HPAGE, hva + 8), EINVAL);
	/* a GPA range that wraps around */
	MA_EXPECT_ERRNO(ma_try_add_slot(vm, 1, 0, ~0ull & ~(HPAGE - 1), 2 * HPAGE, hva), EINVAL);
}

MA_TEST(memslot, gpa_beyond_vm_address_space,
	.source = MA_MEMSLOT_BEYOND_SOURCE)
{
	struct ma_vm *vm = ma_vm_create(NULL);
	char *hva = anon(HPAGE);
	uint64_t limit = ma_memslot_gpa_limit(vm);

	ma_log("VM guest-physical limit 0x%llx", (unsigned long long)limit);
	MA_EXPECT_OK(ma_try_add_slot(vm, 1, 0, limit - HPAGE, HPAGE, hva));
	MA_EXPECT_ERRNO(ma_try_add_slot(vm, 2, 0, limit, HPAGE, hva), MA_MEMSLOT_BEYOND_ERRNO);
}

/* ---- data through slots, seen from the guest ---- */

static const struct ma_variant backing_variants[] = {
	{ .name = "anon", .value = MA_BACK_ANON },
	{ .name = "anon_thp", .value = MA_BACK_ANON_THP },
	{ .name = "memfd", .value = MA_BACK_MEMFD },
	{ .name = "shm", .value = MA_BACK_SHM },
	{ .name = "hugetlb", .value = MA_BACK_HUGETLB },
};

/* The host's view of the slot against pattern seed: the number of wrong words, *first the first. */
static uint64_t host_bad_words(const uint64_t *w, uint64_t gpa, uint64_t bytes, uint64_t seed,
			       uint64_t *first)
{
	uint64_t bad = 0;

	for (uint64_t i = 0; i < bytes / 8; i++)
		if (w[i] != ma_pattern_word(seed, gpa + i * 8) && !bad++)
			*first = i * 8;
	return bad;
}

/*
 * Host and guest see each other's writes over the whole 2 MiB slot: the guest checks one word of
 * every 4 KiB page (a different offset in each, the first touch not at the start of the block) and
 * all of the first and last 64 KiB; the host checks every word the guest wrote.  The pattern encodes
 * each word's GPA, so a page mapped at the wrong place cannot pass.  THP and hugetlb prove their huge
 * page first.
 */
MA_TEST(memslot, host_and_guest_see_each_other, MA_VARIANTS(backing_variants),
	.source = "a memslot maps the host's pages into the guest: virt/kvm/kvm_main.c:__gfn_to_hva_many, hva_to_pfn ("
		  MA_KERNEL_REF ")")
{
	enum ma_backing kind = (enum ma_backing)t->value;
	struct ma_vm *vm = ma_test_vm(1);
	struct ma_vcpu *v = vm->vcpus[0];
	const uint64_t gpa = MA_TEST_GPA;
	uint64_t bad, first = 0;
	struct ma_result res;
	struct ma_mem *m;

	if (kind == MA_BACK_HUGETLB)
		ms_need_hugepages(1);
	m = ma_test_mem(vm, 1, gpa, SLOT_SIZE, kind, MA_MT_NORMAL_WB);
	/* host writes, guest checks */
	for (uint64_t i = 0; i < SLOT_SIZE / 8; i++)
		((uint64_t *)m->hva)[i] = ma_pattern_word(11, gpa + i * 8);
	ms_prove_backing(kind, m->hva, SLOT_SIZE, "after the host wrote it");
	ma_run_agent_done(v, MA_AGENT_CHECK_PATTERN, MA_ARGS(gpa, SLOT_SIZE, 11, MA_PASS_SPARSE), &res,
			  "check of the pattern the host wrote");
	MA_CHECK(!res.ret.check.mismatches,
		 "the guest read %llu words wrong (every 4 KiB page, all of the first and last 64 KiB), first at +%#llx: %#llx, expected %#llx",
		 (unsigned long long)res.ret.check.mismatches, (unsigned long long)res.ret.check.first_off,
		 (unsigned long long)res.ret.check.first_val,
		 (unsigned long long)ma_pattern_word(11, gpa + res.ret.check.first_off));
	/* guest writes, host checks every word */
	ma_run_agent_done(v, MA_AGENT_WRITE_PATTERN, MA_ARGS(gpa, SLOT_SIZE, 22), &res, "write of pattern 22");
	bad = host_bad_words(m->hva, gpa, SLOT_SIZE, 22, &first);
	MA_CHECK(!bad, "the host read %llu of %llu words the guest wrote wrong, first at +%#llx",
		 (unsigned long long)bad, (unsigned long long)(SLOT_SIZE / 8), (unsigned long long)first);
}

MA_TEST(memslot, readonly_slot_write_exits_to_mmio,
	.source = "a guest write to a KVM_MEM_READONLY slot is emulated as MMIO: arch/arm64/kvm/mmu.c:kvm_handle_guest_abort / arch/x86/kvm/mmu/mmu.c:kvm_handle_noslot_fault path ("
		  MA_KERNEL_REF ")",
	.req = { .sys_caps = { KVM_CAP_READONLY_MEM } })
{
	struct ma_vm *vm = ma_test_vm(1);
	struct ma_vcpu *v = vm->vcpus[0];
	uint64_t gpa = MA_TEST_GPA, value = 0x1122334455667788ull;
	uint64_t *hva = anon(HPAGE);
	struct ma_result res;

	hva[0] = 0xabcdef;
	ma_add_slot(vm, 1, KVM_MEM_READONLY, gpa, HPAGE, hva);
	ma_map(vm, gpa, gpa, HPAGE, MA_MT_NORMAL_WB);
	/* reads come from the slot */
	ma_run_agent_done(v, MA_AGENT_LOAD64, MA_ARGS(gpa), &res, "load from the read-only slot");
	MA_EXPECT_EQ(res.ret.load.value, 0xabcdef);
	/* a write exits with KVM_EXIT_MMIO carrying the address and the data */
	ma_run_agent_expect(v, MA_AGENT_STORE64, MA_ARGS(gpa + 8, value), MA_OUT_EXIT, &res,
			    "store to the read-only slot");
	MA_ASSERT_EQ(res.exit_reason, KVM_EXIT_MMIO);
	MA_EXPECT_EQ(v->run->mmio.phys_addr, gpa + 8);
	MA_EXPECT_EQ(v->run->mmio.is_write, 1);
	MA_EXPECT_EQ(v->run->mmio.len, 8);
	{
		uint64_t data;

		memcpy(&data, v->run->mmio.data, sizeof(data));
		MA_EXPECT_EQ(data, value);
	}
	/* the guest then completes and the host memory is unchanged */
	MA_EXPECT_EQ(ma_vcpu_resume(v, 0, &res), MA_OUT_DONE);
	MA_EXPECT_EQ(hva[1], 0);
}

MA_TEST(memslot, delete_and_readd_while_stopped,
	.source = "virt/kvm/kvm_main.c:kvm_set_memslot (delete then create): the guest sees the new backing ("
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm = ma_test_vm(1);
	struct ma_vcpu *v = vm->vcpus[0];
	uint64_t gpa = MA_TEST_GPA;
	uint64_t *a = anon(SLOT_SIZE), *b = anon(SLOT_SIZE);
	struct ma_result res;

	a[0] = 0xaaaa;
	b[0] = 0xbbbb;
	ma_add_slot(vm, 1, 0, gpa, SLOT_SIZE, a);
	ma_map(vm, gpa, gpa, SLOT_SIZE, MA_MT_NORMAL_WB);
	ma_run_agent_done(v, MA_AGENT_LOAD64, MA_ARGS(gpa), &res, "load before the slot is deleted");
	MA_EXPECT_EQ(res.ret.load.value, 0xaaaa);
	MA_ASSERT_EQ(ma_try_delete_slot(vm, 1), 0);
	/* with the slot gone the access is MMIO to the VMM */
	ma_vcpu_run_agent(v, MA_AGENT_LOAD64, MA_ARGS(gpa), 0, &res);
	MA_EXPECT_EQ(res.outcome, MA_OUT_EXIT);
	MA_EXPECT_EQ(res.exit_reason, KVM_EXIT_MMIO);
	if (res.outcome == MA_OUT_EXIT && res.exit_reason == KVM_EXIT_MMIO) {
		MA_EXPECT_EQ(v->run->mmio.phys_addr, gpa);
		MA_EXPECT_EQ(v->run->mmio.is_write, 0);
		/* complete the emulated read (the VMM answers 0) before starting another agent */
		memset(v->run->mmio.data, 0, sizeof(v->run->mmio.data));
		MA_EXPECT_EQ(ma_vcpu_resume(v, 0, &res), MA_OUT_DONE);
		MA_EXPECT_EQ(res.ret.load.value, 0);
	}
	/* re-added over other memory: the guest reads the new backing, not a stale mapping */
	ma_add_slot(vm, 1, 0, gpa, SLOT_SIZE, b);
	ma_run_agent_done(v, MA_AGENT_LOAD64, MA_ARGS(gpa), &res, "load after the slot is re-added");
	MA_EXPECT_EQ(res.ret.load.value, 0xbbbb);
}

MA_TEST_MAIN
