// SPDX-License-Identifier: GPL-2.0
/* The stage-2 tracer's trace-line parser and prot names (host/stage2_trace.c). */
#include <errno.h>
#include <string.h>

#include "memattr/harness.h"
#include "memattr/stage2_trace.h"

MA_TEST(unit, s2trace_parse_map_line, .req = { .no_kvm = true })
{
	struct ma_s2map r;
	int kind = -1;

	MA_ASSERT_EQ(ma_try_s2trace_parse_line("  memattr-pfnmap-217     [001] d..1.   41.207712: memattr_211_s2map: (kvm_pgtable_stage2_map+0x0/0x1e8) addr=0x10000000 size=0x1000 phys=0xe0000000 prot=0x28",
					       211, &kind, &r), 1);
	MA_EXPECT_EQ(kind, 0);
	MA_EXPECT_EQ(r.fn, MA_S2FN_MAP);
	MA_EXPECT_EQ(r.tid, 217);
	MA_EXPECT_EQ(r.ipa, 0x10000000);
	MA_EXPECT_EQ(r.size, 0x1000);
	MA_EXPECT_EQ(r.phys, 0xe0000000);
	MA_EXPECT_EQ(r.prot, 0x28);
	MA_EXPECT_TRUE(!r.ret_known);
	/* a comm with dashes and brackets, and the record-tgid column */
	MA_ASSERT_EQ(ma_try_s2trace_parse_line(" a-[2]-b-9 (    9) [000] ..... 1.0: memattr_9_ps2relax: (pkvm_pgtable_stage2_relax_perms+0x0/0x60) addr=0x4000 prot=0xf",
					       9, &kind, &r), 1);
	MA_EXPECT_EQ(r.fn, MA_S2FN_PKVM_RELAX);
	MA_EXPECT_EQ(r.tid, 9);
	MA_EXPECT_EQ(r.prot, 0xf);
	MA_EXPECT_EQ(r.size, 0);
}

MA_TEST(unit, s2trace_parse_return_and_others, .req = { .no_kvm = true })
{
	struct ma_s2map r;
	int kind = -1;

	MA_ASSERT_EQ(ma_try_s2trace_parse_line("  memattr-pfnmap-217     [001] d..1.   41.207790: memattr_211_s2map_ret: (kvm_s2_fault_map+0x1a0/0x3c0 <- kvm_pgtable_stage2_map) ret=-22",
					       211, &kind, &r), 1);
	MA_EXPECT_EQ(kind, 1);
	MA_EXPECT_EQ(r.fn, MA_S2FN_MAP);
	MA_EXPECT_TRUE(r.ret_known);
	MA_EXPECT_EQ(r.ret, -EINVAL);
	/* another tracer's events, other events, and damaged lines */
	MA_EXPECT_EQ(ma_try_s2trace_parse_line("  x-1 [001] d..1. 1.0: memattr_212_s2map: (f) addr=0x1 size=0x1 phys=0x1 prot=0x1",
					       211, &kind, &r), 0);
	MA_EXPECT_EQ(ma_try_s2trace_parse_line("  x-1 [001] d..1. 1.0: memattr_211_s2mapx: (f) addr=0x1",
					       211, &kind, &r), 0);
	MA_EXPECT_EQ(ma_try_s2trace_parse_line("# tracer: nop", 211, &kind, &r), 0);
	MA_EXPECT_EQ(ma_try_s2trace_parse_line("  x-1 [001] d..1. 1.0: memattr_211_s2map: (f) addr=0x1 size=0x1 phys=0x1",
					       211, &kind, &r), -EINVAL);
	MA_EXPECT_EQ(ma_try_s2trace_parse_line("  nopid [001] d..1. 1.0: memattr_211_s2map: (f) addr=0x1 size=0x1 phys=0x1 prot=0",
					       211, &kind, &r), -EINVAL);
}

MA_TEST(unit, s2prot_names, .req = { .no_kvm = true })
{
	char b[48];

	MA_EXPECT_EQ(strcmp(ma_s2prot_type_name(MA_S2PROT_R | MA_S2PROT_W | MA_S2PROT_X), "normal-wb"), 0);
	MA_EXPECT_EQ(strcmp(ma_s2prot_type_name(MA_S2PROT_R | MA_S2PROT_NORMAL_NC), "normal-nc"), 0);
	MA_EXPECT_EQ(strcmp(ma_s2prot_type_name(MA_S2PROT_R | MA_S2PROT_DEVICE), "device-ngnre"), 0);
	MA_EXPECT_EQ(strcmp(ma_s2prot_type_name(MA_S2PROT_DEVICE | MA_S2PROT_NORMAL_NC), "invalid"), 0);
	MA_EXPECT_EQ(strcmp(ma_s2prot_describe(0x1c, true, b, sizeof(b)), "device-ngnre RW-"), 0);
	MA_EXPECT_EQ(strcmp(ma_s2prot_describe(0x2c, true, b, sizeof(b)), "normal-nc RW-"), 0);
	MA_EXPECT_EQ(strcmp(ma_s2prot_describe(0xf, true, b, sizeof(b)), "normal-wb RWX"), 0);
	MA_EXPECT_EQ(strcmp(ma_s2prot_describe(0x9, false, b, sizeof(b)), "R-PX"), 0);
	MA_EXPECT_TRUE(!ma_s2prot_executable(0x2c));
}
