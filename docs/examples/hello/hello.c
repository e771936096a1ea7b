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
	struct ma_vm *vm = ma_test_vm(1);
	struct ma_mem *m = ma_test_mem(vm, 1, MA_TEST_GPA, MA_PAGE_SIZE, MA_BACK_ANON, MA_MT_NORMAL_WB);
	struct ma_result res;

	ma_run_agent_done(vm->vcpus[0], MA_AGENT_STORE64, MA_ARGS(MA_TEST_GPA, 0x600d), &res,
			  "store of 0x600d");
	MA_EXPECT_EQ(*(volatile uint64_t *)m->hva, 0x600d);
}

MA_TEST_MAIN
