// SPDX-License-Identifier: GPL-2.0
/*
 * docs/guide.md, "Add a test to a suite": copy this file to suites/memslot/ and it is part of
 * memattr-memslot.  make check compiles and links it into the memslot suite (mk/guide.mk).
 */
#include "memattr/harness.h"
#include "memattr/kvm.h"

/* the test runs once per variant; t->value is the variant's value */
static const struct ma_variant backings[] = {
	{ .name = "anon", .value = MA_BACK_ANON },
	{ .name = "memfd", .value = MA_BACK_MEMFD },
};

MA_TEST(memslot, guide_guest_reads_host_pattern, MA_VARIANTS(backings),
	.source = "virt/kvm/kvm_main.c:__kvm_set_memory_region: the slot maps the pages the host "
		  "wrote (" MA_KERNEL_REF ")")
{
	enum ma_backing kind = (enum ma_backing)t->value;
	uint64_t gpa = MA_TEST_GPA, size = 64 * 1024;
	/* a VM with one vCPU, and slot 1 over fresh memory mapped Normal-WB in the guest at gpa;
	 * both fail the test if they cannot be had, and the test's exit releases them
	 */
	struct ma_vm *vm = ma_test_vm(1);
	struct ma_mem *m = ma_test_mem(vm, 1, gpa, size, kind, MA_MT_NORMAL_WB);
	struct ma_result res;

	for (uint64_t off = 0; off < size; off += 8)
		((uint64_t *)m->hva)[off / 8] = ma_pattern_word(42, gpa + off);
	ma_run_agent_done(vm->vcpus[0], MA_AGENT_CHECK_PATTERN, MA_ARGS(gpa, size, 42, 0), &res,
			  "check of the host's pattern");
	MA_CHECK(res.ret.check.mismatches == 0, "the guest read %llu words wrong, first at +%#llx: %#llx",
		 (unsigned long long)res.ret.check.mismatches, (unsigned long long)res.ret.check.first_off,
		 (unsigned long long)res.ret.check.first_val);
}
