// SPDX-License-Identifier: GPL-2.0
/*
 * docs/guide.md, "Add a suite": suites/hello/hello.c, the whole of a one-test suite.  The build
 * makes build/<arch>/bin/memattr-hello of every directory under suites/, and the lab runs every
 * memattr-* program it finds.  make check compiles and links it (mk/guide.mk) and runs its --list.
 */
#include "memattr/harness.h"
#include "memattr/kvm.h"

MA_TEST(hello, guest_store_reaches_host,
	.source = "virt/kvm/kvm_main.c: a memslot's pages are shared by host and guest (" MA_KERNEL_REF ")")
{
	struct ma_vm *vm = ma_vm_create(NULL);
	struct ma_vcpu *v = ma_vcpu_add(vm);
	uint64_t gpa = MA_TEST_GPA;
	struct ma_result res;
	struct ma_mem m;

	ma_mem_alloc(&m, MA_BACK_ANON, MA_PAGE_SIZE, vm);
	ma_add_slot(vm, 1, 0, gpa, MA_PAGE_SIZE, m.hva);
	ma_map(vm, gpa, gpa, MA_PAGE_SIZE, MA_MT_NORMAL_WB);
	ma_run_agent_done(v, MA_AGENT_STORE64, MA_ARGS(gpa, 0x600d), &res, "store of 0x600d");
	MA_EXPECT_EQ(*(volatile uint64_t *)m.hva, 0x600d);
	ma_vm_destroy(vm);
	ma_mem_free(&m);
}

MA_TEST_MAIN
