// SPDX-License-Identifier: GPL-2.0
/* host/memory.c backings that need no VM, and the errno names the verdicts print. */
#include <errno.h>
#include <string.h>

#include "memattr/harness.h"
#include "memattr/kvm.h"

static const struct ma_variant host_backings[] = {
	{ .name = "anon", .value = MA_BACK_ANON },
	{ .name = "anon_thp", .value = MA_BACK_ANON_THP },
	{ .name = "memfd", .value = MA_BACK_MEMFD },
	{ .name = "shm", .value = MA_BACK_SHM },
};

MA_TEST(unit, backing_alloc_write_free, MA_VARIANTS(host_backings), .req = { .no_kvm = true })
{
	enum ma_backing kind = (enum ma_backing)t->value;
	struct ma_mem m;
	size_t size = 4ull << 20;

	MA_ASSERT_EQ(ma_try_mem_alloc(&m, kind, size, NULL), 0);
	MA_ASSERT_TRUE(m.hva);
	MA_EXPECT_EQ(m.size, size);
	if (kind == MA_BACK_ANON_THP)
		MA_EXPECT_EQ((uintptr_t)m.hva & ((2u << 20) - 1), 0);
	memset(m.hva, 0x5a, size);
	MA_EXPECT_EQ(((unsigned char *)m.hva)[size - 1], 0x5a);
	MA_EXPECT_EQ(m.fd >= 0, kind == MA_BACK_MEMFD || kind == MA_BACK_SHM);
	ma_mem_free(&m);
	MA_EXPECT_EQ(m.fd, -1);
	MA_EXPECT_TRUE(!m.hva);
}

MA_TEST(unit, guest_memfd_needs_a_vm, .req = { .no_kvm = true })
{
	struct ma_mem m;

	MA_EXPECT_ERRNO(ma_try_mem_alloc(&m, MA_BACK_GUEST_MEMFD, 4096, NULL), EINVAL);
	MA_EXPECT_ERRNO(ma_try_mem_alloc(&m, MA_BACK_COUNT, 4096, NULL), EINVAL);
}

MA_TEST(unit, errno_and_name_tables, .req = { .no_kvm = true })
{
	MA_EXPECT_EQ(strcmp(ma_errno_name(EINVAL), "EINVAL"), 0);
	MA_EXPECT_EQ(strcmp(ma_errno_name(EEXIST), "EEXIST"), 0);
	MA_EXPECT_EQ(strcmp(ma_errno_name(EHWPOISON), "EHWPOISON"), 0);
	MA_EXPECT_EQ(strcmp(ma_errno_name(9999), "errno 9999"), 0);
	MA_EXPECT_EQ(strcmp(ma_backing_name(MA_BACK_GUEST_MEMFD), "guest_memfd"), 0);
	MA_EXPECT_EQ(strcmp(ma_memtype_name(MA_MT_DEVICE_nGnRE), "device_ngnre"), 0);
	MA_EXPECT_EQ(strcmp(ma_outcome_name(MA_OUT_TIMEOUT), "timeout"), 0);
	MA_EXPECT_EQ(strcmp(ma_exit_reason_name(KVM_EXIT_MMIO), "MMIO"), 0);
}

MA_TEST_MAIN
