// SPDX-License-Identifier: GPL-2.0
/*
 * gmem, x86_64: private/shared conversions with KVM_SET_MEMORY_ATTRIBUTES in a
 * KVM_X86_SW_PROTECTED_VM, whose memslots carry both a shared backing (userspace_addr) and a
 * guest_memfd (private).  Linux 7.2: virt/kvm/kvm_main.c:kvm_vm_set_mem_attributes,
 * arch/x86/kvm/mmu/mmu.c:kvm_mmu_faultin_pfn / kvm_mmu_faultin_pfn_gmem.  The cell
 * x86_64-max-private has kvm.ko built with CONFIG_KVM_SW_PROTECTED_VM=y; the stock cell skips.
 */
#include <errno.h>

#include "private_vm.h"

#define ATTR_SOURCE "virt/kvm/kvm_main.c:kvm_vm_ioctl_set_mem_attributes (" MA_KERNEL_REF ")"

MA_TEST(gmem, convert_attributes_checked, .req = { .arch = MA_ARCH_X86_64 },
	.source = ATTR_SOURCE
		  ": flags != 0, an attribute the VM does not support, size 0, a range that wraps or is not page aligned give EINVAL; a range without memslot is accepted; KVM_CAP_MEMORY_ATTRIBUTES at VM scope is PRIVATE (virt/kvm/kvm_main.c:kvm_supported_mem_attributes)"
	)
{
	struct ma_vm *vm = ma_private_vm(0);

	MA_EXPECT_EQ(ma_vm_cap(vm, KVM_CAP_MEMORY_ATTRIBUTES), KVM_MEMORY_ATTRIBUTE_PRIVATE);
	MA_EXPECT_ERRNO(ma_try_set_memory_attributes(vm, GPA, PG, KVM_MEMORY_ATTRIBUTE_PRIVATE, 1), EINVAL);
	for (unsigned int bit = 0; bit < 64; bit++)
		if (1ull << bit != KVM_MEMORY_ATTRIBUTE_PRIVATE)
			MA_EXPECT_ERRNO(ma_try_set_memory_attributes(vm, GPA, PG, 1ull << bit, 0), EINVAL);
	MA_EXPECT_ERRNO(ma_try_set_memory_attributes(vm, GPA, 0, KVM_MEMORY_ATTRIBUTE_PRIVATE, 0), EINVAL);
	MA_EXPECT_ERRNO(ma_try_set_memory_attributes(vm, GPA + 8, PG, KVM_MEMORY_ATTRIBUTE_PRIVATE, 0),
			EINVAL);
	MA_EXPECT_ERRNO(ma_try_set_memory_attributes(vm, GPA, PG + 8, KVM_MEMORY_ATTRIBUTE_PRIVATE, 0),
			EINVAL);
	MA_EXPECT_ERRNO(ma_try_set_memory_attributes(vm, ~0ull & ~(PG - 1), 2 * PG,
						     KVM_MEMORY_ATTRIBUTE_PRIVATE, 0),
			EINVAL);
	MA_EXPECT_OK(ma_try_set_memory_attributes(vm, NOSLOT_GPA, 16 * PG, KVM_MEMORY_ATTRIBUTE_PRIVATE, 0));
	/* again: a no-op (the range already has the attribute) */
	MA_EXPECT_OK(ma_try_set_memory_attributes(vm, NOSLOT_GPA, 16 * PG, KVM_MEMORY_ATTRIBUTE_PRIVATE, 0));
	MA_EXPECT_OK(ma_try_set_memory_attributes(vm, NOSLOT_GPA, 16 * PG, 0, 0));
}

/* the guest must read each page's word as the pattern of seed (0: zero) */
static void guest_reads(struct ma_vcpu *v, uint64_t pages, uint64_t seed, const char *when)
{
	struct ma_result res;

	for (uint64_t p = 0; p < pages; p++) {
		uint64_t want = seed ? ma_pattern_word(seed, word_gpa(p)) : 0;

		ma_run_agent_done(v, MA_AGENT_LOAD64, MA_ARGS(word_gpa(p)), &res, "load of page %llu %s",
				  (unsigned long long)p, when);
		MA_CHECK(res.ret.load.value == want, "page %llu %s read %#llx, expected %#llx",
			 (unsigned long long)p, when, (unsigned long long)res.ret.load.value,
			 (unsigned long long)want);
	}
}

/*
 * Host-driven round trip on 4 pages: shared reads come from the shared memory, private ones from
 * guest_memfd (fresh pages read 0), each side keeps its data across conversions, and a punched
 * hole reads 0 again.
 */
MA_TEST(gmem, convert_round_trip_keeps_both_sides, .req = { .arch = MA_ARCH_X86_64 },
	.source = "arch/x86/kvm/mmu/mmu.c:kvm_mmu_faultin_pfn (private iff the gfn has KVM_MEMORY_ATTRIBUTE_PRIVATE: kvm_mem_is_private) and kvm_mmu_faultin_pfn_gmem; virt/kvm/guest_memfd.c:kvm_gmem_get_pfn (fresh pages zeroed), kvm_gmem_punch_hole ("
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm = ma_private_vm(1);
	struct ma_vcpu *v = vm->vcpus[0];
	const uint64_t pages = 4, size = pages * PG;
	struct ma_result res;
	uint64_t *hva;
	int gmem;

	hva = ma_private_slot(vm, 1, GPA, size, &gmem);
	for (uint64_t p = 0; p < pages; p++)
		*host_word(hva, p) = ma_pattern_word(1, word_gpa(p));
	ma_set_private(vm, GPA, size, true);
	guest_reads(v, pages, 0, "made private (a fresh guest_memfd page)");
	for (uint64_t p = 0; p < pages; p++) {
		ma_run_agent_done(v, MA_AGENT_STORE64, MA_ARGS(word_gpa(p), ma_pattern_word(2, word_gpa(p))),
				  &res, "private store to page %llu", (unsigned long long)p);
		MA_CHECK(*host_word(hva, p) == ma_pattern_word(1, word_gpa(p)),
			 "the guest's private store to page %llu reached the shared memory (%#llx)",
			 (unsigned long long)p, (unsigned long long)*host_word(hva, p));
	}
	ma_set_private(vm, GPA, size, false);
	guest_reads(v, pages, 1, "made shared again (the shared memory's data)");
	ma_set_private(vm, GPA, size, true);
	guest_reads(v, pages, 2, "made private again (its private data)");
	MA_EXPECT_OK(ma_try_gmem_punch_hole(gmem, PG, PG));
	ma_run_agent_done(v, MA_AGENT_LOAD64, MA_ARGS(word_gpa(1)), &res, "private load after PUNCH_HOLE");
	MA_EXPECT_EQ(res.ret.load.value, 0);
	ma_run_agent_done(v, MA_AGENT_LOAD64, MA_ARGS(word_gpa(2)), &res, "private load next to the hole");
	MA_EXPECT_EQ(res.ret.load.value, ma_pattern_word(2, word_gpa(2)));
}

MA_TEST(gmem, private_access_without_gmem_exits, .req = { .arch = MA_ARCH_X86_64 },
	.source = "arch/x86/kvm/mmu/mmu.c:kvm_mmu_faultin_pfn_gmem: a private fault on a slot without guest_memfd calls kvm_mmu_prepare_memory_fault_exit and fails with EFAULT: KVM_EXIT_MEMORY_FAULT, flags KVM_MEMORY_EXIT_FLAG_PRIVATE, the page's gpa, size PAGE_SIZE (include/linux/kvm_host.h:kvm_prepare_memory_fault_exit; "
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm = ma_private_vm(1);
	struct ma_vcpu *v = vm->vcpus[0];
	struct ma_result res;

	ma_test_mem(vm, 1, GPA, 4 * PG, MA_BACK_ANON, MA_MT_NORMAL_WB);
	ma_set_private(vm, GPA + 2 * PG, PG, true);
	ma_run_agent_expect(v, MA_AGENT_LOAD64, MA_ARGS(GPA + 2 * PG + 0x18), MA_OUT_RUN_ERROR, &res,
			    "load from a private page of a slot without guest_memfd");
	MA_EXPECT_EQ(res.err, EFAULT);
	MA_EXPECT_EQ(res.exit_reason, KVM_EXIT_MEMORY_FAULT);
	MA_EXPECT_EQ(res.memory_fault.flags, KVM_MEMORY_EXIT_FLAG_PRIVATE);
	MA_EXPECT_EQ(res.memory_fault.gpa, GPA + 2 * PG);
	MA_EXPECT_EQ(res.memory_fault.size, PG);
}

/* The guest asks for each conversion (MA_CALL_SYNC), the host makes it, the guest goes on. */
MA_TEST(gmem, convert_guest_initiated, .req = { .arch = MA_ARCH_X86_64 },
	.source = "a VMM converts on the guest's request with KVM_SET_MEMORY_ATTRIBUTES; the next guest access faults in from the other side (arch/x86/kvm/mmu/mmu.c:kvm_arch_pre_set_memory_attributes zaps the old mappings; "
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm = ma_private_vm(1);
	struct ma_vcpu *v = vm->vcpus[0];
	const uint64_t pages = 8;
	unsigned int conversions = 0;
	struct ma_result res;
	uint64_t *hva;
	int gmem;

	hva = ma_private_slot(vm, 1, GPA, pages * PG, &gmem);
	for (uint64_t p = 0; p < pages; p++)
		*host_word(hva, p) = ma_pattern_word(1, word_gpa(p));
	ma_vcpu_start(v, MA_AGENT_CONVERT_REQUEST, MA_ARGS(GPA, pages));
	while (ma_vcpu_resume(v, 0, &res) == MA_OUT_SYNC) {
		MA_REQUIRE(res.vals[0] >= GPA && res.vals[0] < GPA + pages * PG && !(res.vals[0] % PG),
			   "the guest asked to convert %#llx, outside its pages",
			   (unsigned long long)res.vals[0]);
		ma_set_private(vm, res.vals[0], PG, res.vals[1]);
		conversions++;
	}
	if (res.outcome != MA_OUT_DONE) {
		char why[768];

		ma_result_describe(&res, why, sizeof(why));
		ma_fatal("after %u conversions: %s", conversions, why);
	}
	ma_log("%u guest-initiated conversions", conversions);
	MA_EXPECT_EQ(conversions, 4 * pages);
	MA_CHECK(!res.ret.check.mismatches,
		 "the guest read %llu words wrong, first at +%#llx: %#llx",
		 (unsigned long long)res.ret.check.mismatches, (unsigned long long)res.ret.check.first_off,
		 (unsigned long long)res.ret.check.first_val);
	for (uint64_t p = 0; p < pages; p++)
		MA_CHECK(*host_word(hva, p) == ma_pattern_word(1, word_gpa(p)),
			 "page %llu: the shared memory holds %#llx after the guest's private writes",
			 (unsigned long long)p, (unsigned long long)*host_word(hva, p));
}
