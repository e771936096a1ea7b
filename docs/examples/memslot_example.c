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
	struct ma_vm *vm = ma_vm_create(NULL);	/* fails the test if it cannot */
	struct ma_vcpu *v = ma_vcpu_add(vm);
	uint64_t gpa = MA_TEST_GPA, size = 64 * 1024;
	struct ma_result res;
	struct ma_mem m;

	ma_mem_alloc(&m, kind, size, vm);
	for (uint64_t off = 0; off < size; off += 8)
		((uint64_t *)m.hva)[off / 8] = ma_pattern_word(42, gpa + off);
	ma_add_slot(vm, 1, 0, gpa, size, m.hva);
	ma_map(vm, gpa, gpa, size, MA_MT_NORMAL_WB);	/* the guest's page tables: identity */
	ma_run_agent_done(v, MA_AGENT_CHECK_PATTERN, MA_ARGS(gpa, size, 42, 0), &res,
			  "check of the host's pattern");
	MA_CHECK(res.ret.check.mismatches == 0, "the guest read %llu words wrong, first at +%#llx: %#llx",
		 (unsigned long long)res.ret.check.mismatches, (unsigned long long)res.ret.check.first_off,
		 (unsigned long long)res.ret.check.first_val);
	ma_vm_destroy(vm);
	ma_mem_free(&m);
}
