// SPDX-License-Identifier: GPL-2.0
/*
 * gmem: a guest on guest_memfd memory.  A slot over a file with GUEST_MEMFD_FLAG_MMAP is gmem-only
 * (virt/kvm/guest_memfd.c:kvm_gmem_bind sets KVM_MEMSLOT_GMEM_ONLY), so every guest fault is served
 * from the file (arch/arm64/kvm/mmu.c:gmem_abort; arch/x86/kvm/mmu/mmu.c:__kvm_mmu_faultin_pfn ->
 * kvm_mmu_faultin_pfn_gmem), while an INIT_SHARED file maps the same pages into the host
 * (kvm_gmem_fault_user_mapping): host and guest must see each other's data, plain and atomic.
 * Without INIT_SHARED the guest still has the memory and the host none.
 */
#include <sys/mman.h>

#include "memattr/atomic_flavours.h"
#include "gmem.h"

#define RT_SIZE (64 * GM_PG)

static void need_flags(struct ma_vm *vm, uint64_t flags)
{
	uint64_t have = gm_vm_flags(vm);

	if ((have & flags) != flags)
		ma_skip("the default VM's KVM_CAP_GUEST_MEMFD_FLAGS is %s: no %s", gm_flags_str(have),
			gm_flags_str(flags & ~have));
}

MA_TEST(gmem, guest_host_round_trip, .timeout_s = 60, .req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.source = "virt/kvm/guest_memfd.c:kvm_gmem_fault_user_mapping and kvm_gmem_get_pfn serve the same folio per index to the host mapping and to the guest (gmem-only slot) ("
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm = ma_test_vm(1);
	struct ma_vcpu *v = vm->vcpus[0];
	struct ma_mem *m;
	volatile uint64_t *w;
	uint64_t bad, first = 0;
	struct ma_result res;

	need_flags(vm, GM_FLAGS_ALL);
	m = ma_test_mem(vm, 1, GM_GPA, RT_SIZE, MA_BACK_GUEST_MEMFD, MA_MT_NORMAL_WB);
	w = m->hva;
	MA_ASSERT_EQ(m->gmem_flags, GM_FLAGS_ALL);
	/* host writes, the guest reads every word */
	gm_host_fill(m->hva, GM_GPA, RT_SIZE, 0x11);
	ma_run_agent_done(v, MA_AGENT_CHECK_PATTERN, MA_ARGS(GM_GPA, RT_SIZE, 0x11, 0), &res, "check of the host's pattern");
	MA_CHECK(res.ret.check.mismatches == 0, "the guest read %llu words wrong, first at +%#llx: %#llx",
		 (unsigned long long)res.ret.check.mismatches, (unsigned long long)res.ret.check.first_off,
		 (unsigned long long)res.ret.check.first_val);
	/* the guest writes every word, the host reads them */
	ma_run_agent_done(v, MA_AGENT_WRITE_PATTERN, MA_ARGS(GM_GPA, RT_SIZE, 0x22, 0), &res, "write of a pattern");
	bad = gm_host_bad_words(m->hva, GM_GPA, RT_SIZE, 0x22, &first);
	MA_CHECK(!bad, "the host read %llu words of the guest's pattern wrong, first at +%#llx: %#llx",
		 (unsigned long long)bad, (unsigned long long)first, (unsigned long long)w[first / 8]);
	/* single words both ways, at the two ends */
	ma_run_agent_done(v, MA_AGENT_STORE64, MA_ARGS(GM_GPA + RT_SIZE - 8, 0x5707e), &res, "store to the last word");
	MA_EXPECT_EQ(w[RT_SIZE / 8 - 1], 0x5707e);
	w[0] = 0x10ad;
	ma_run_agent_done(v, MA_AGENT_LOAD64, MA_ARGS(GM_GPA), &res, "load of the first word");
	MA_EXPECT_EQ(res.ret.load.value, 0x10ad);
}

MA_TEST(gmem, guest_atomics_round_trip, .timeout_s = 120, .req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.source = "the guest's atomics on a gmem-only slot act on the file's page that the host maps (virt/kvm/guest_memfd.c:kvm_gmem_get_pfn, kvm_gmem_fault_user_mapping; stage 2 Normal-WB on arm64: arch/arm64/kvm/mmu.c:gmem_abort) ("
		  MA_KERNEL_REF ")")
{
	const uint64_t iters = 2000, host_adds = 1000;
	struct ma_vm *vm = ma_test_vm(1);
	struct ma_vcpu *v = vm->vcpus[0];
	const enum ma_atomic_flavour *fl;
	struct ma_guest_features gf;
	unsigned int n, ran = 0;
	struct ma_mem *m;

	need_flags(vm, GM_FLAGS_ALL);
	m = ma_test_mem(vm, 1, GM_GPA, GM_SIZE, MA_BACK_GUEST_MEMFD, MA_MT_NORMAL_WB);
	ma_read_guest_features(v, &gf);
	fl = ma_atomic_flavours(&n);
	for (unsigned int i = 0; i < n; i++) {
		uint64_t gpa = GM_GPA + GM_PG * (1 + i) + 64 * i;
		volatile uint64_t *counter = (volatile uint64_t *)((char *)m->hva + (gpa - GM_GPA));
		const char *why = ma_atomics_unsupported_reason(fl[i], &gf);
		struct ma_atomic_run run;
		struct ma_result res;

		if (why) {
			ma_log("%s: not run: %s", ma_atomic_flavour_name(fl[i]), why);
			continue;
		}
		ma_atomics_run_checked(vm, gpa, counter, fl[i], iters, &run);
		MA_CHECK(run.counter == run.expected && run.expected >= iters,
			 "%s: the host reads %llu, the guest did %llu increments",
			 ma_atomic_flavour_name(fl[i]), (unsigned long long)run.counter,
			 (unsigned long long)run.expected);
		/* the host's atomics on the same word, seen by the guest */
		for (uint64_t k = 0; k < host_adds; k++)
			__atomic_fetch_add(counter, 1, __ATOMIC_SEQ_CST);
		ma_run_agent_done(v, MA_AGENT_LOAD64, MA_ARGS(gpa), &res, "load of the counter");
		MA_CHECK(res.ret.load.value == run.counter + host_adds,
			 "%s: after %llu host increments the guest reads %llu, expected %llu",
			 ma_atomic_flavour_name(fl[i]), (unsigned long long)host_adds,
			 (unsigned long long)res.ret.load.value,
			 (unsigned long long)(run.counter + host_adds));
		ran++;
	}
	MA_REQUIRE(ran > 0, "no atomic flavour this guest CPU supports");
}

/*
 * GUEST_MEMFD_FLAG_MMAP without INIT_SHARED: the slot is gmem-only, so the guest gets zeroed pages
 * of the file and keeps what it writes, while every host fault on the file's mapping is SIGBUS.
 */
MA_TEST(gmem, guest_only_memory, .timeout_s = 60, .req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.source = "virt/kvm/guest_memfd.c:kvm_gmem_bind (MMAP: gmem-only slot), kvm_gmem_get_pfn (cleared folio for the guest) and kvm_gmem_fault_user_mapping (no INIT_SHARED: SIGBUS) ("
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm = ma_test_vm(1);
	struct ma_vcpu *v = vm->vcpus[0];
	struct ma_result res;
	char *p;
	int fd;

	need_flags(vm, GUEST_MEMFD_FLAG_MMAP);
	fd = ma_gmem_create(vm, RT_SIZE, GUEST_MEMFD_FLAG_MMAP);
	p = gm_mmap(fd, RT_SIZE);
	ma_add_gmem_slot(vm, 1, GM_GPA, RT_SIZE, p, fd, 0);
	ma_map(vm, GM_GPA, GM_GPA, RT_SIZE, MA_MT_NORMAL_WB);
	ma_run_agent_done(v, MA_AGENT_CHECK_FILL, MA_ARGS(GM_GPA, RT_SIZE, 0, 0), &res, "zero check");
	MA_CHECK(res.ret.check.mismatches == 0, "fresh guest_memfd pages: %llu non-zero words, first at +%#llx: %#llx",
		 (unsigned long long)res.ret.check.mismatches, (unsigned long long)res.ret.check.first_off,
		 (unsigned long long)res.ret.check.first_val);
	ma_run_agent_done(v, MA_AGENT_WRITE_PATTERN, MA_ARGS(GM_GPA, RT_SIZE, 0x33, 0), &res, "write of a pattern");
	ma_run_agent_done(v, MA_AGENT_CHECK_PATTERN, MA_ARGS(GM_GPA, RT_SIZE, 0x33, 0), &res, "check of its pattern");
	MA_CHECK(res.ret.check.mismatches == 0, "the guest read back %llu words wrong, first at +%#llx: %#llx",
		 (unsigned long long)res.ret.check.mismatches, (unsigned long long)res.ret.check.first_off,
		 (unsigned long long)res.ret.check.first_val);
	for (uint64_t off = 0; off < RT_SIZE; off += GM_PG)
		gm_expect_sigbus((volatile uint64_t *)(p + off), false, "the guest's page");
}
