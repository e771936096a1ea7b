// SPDX-License-Identifier: GPL-2.0
/* MEMATTR_PFNMAP spec parsing (host/pfnmap_pci.c): good specs, and a clear error for each bad one. */
#include <errno.h>
#include <string.h>

#include "memattr/harness.h"
#include "memattr/pfnmap.h"
#include "memattr/util.h"

MA_TEST(unit, pfnmap_spec_parse, .req = { .no_kvm = true })
{
	struct ma_pfnmap_spec s[MA_PFNMAP_MAX_SPECS];
	char err[200] = "";
	int n = ma_try_pfnmap_parse_specs("vfio=0000:00:03.0,region=2; pci=0:0:2.0,bar=4 vfio=0009:01:00.0,region=4,type=wb",
				      s, MA_PFNMAP_MAX_SPECS, err, sizeof(err));

	MA_ASSERT_EQ(n, 3);
	MA_EXPECT_EQ(s[0].what, MA_SPEC_VFIO);
	MA_EXPECT_EQ(strcmp(s[0].bdf, "0000:00:03.0"), 0);
	MA_EXPECT_EQ(s[0].index, 2u);
	MA_EXPECT_EQ(s[0].type, -1);
	MA_EXPECT_EQ(s[1].what, MA_SPEC_PCI);
	MA_EXPECT_EQ(strcmp(s[1].bdf, "0000:00:02.0"), 0);
	MA_EXPECT_EQ(s[1].index, 4u);
	MA_EXPECT_EQ(s[2].type, MA_PFT_WB);
	MA_EXPECT_EQ(ma_try_pfnmap_parse_specs("", s, MA_PFNMAP_MAX_SPECS, err, sizeof(err)), 0);
	MA_EXPECT_EQ(ma_try_pfnmap_parse_specs(NULL, s, MA_PFNMAP_MAX_SPECS, err, sizeof(err)), 0);
}

MA_TEST(unit, pfnmap_spec_errors, .req = { .no_kvm = true })
{
	static const struct {
		const char *in, *msg;
	} bad[] = {
		{ "vfio=0000:00:03.0", "needs region=<n>" },
		{ "pci=0000:00:03.0,region=2", "vfio takes region=<n>, pci takes bar=<n>" },
		{ "vfio=0000:00:03.0,bar=2", "vfio takes region=<n>, pci takes bar=<n>" },
		{ "vfio=00:03.0,region=2", "not a PCI address" },
		{ "vfio=0000:00:20.0,region=2", "not a PCI address" },
		{ "vfio=0000:00:03.0,region=x", "not a valid index" },
		{ "pci=0000:00:03.0,bar=6", "not a valid index" },
		{ "vfio=0000:00:03.0,region=2,type=wc", "wb, nc or device" },
		{ "vfio=0000:00:03.0,region=2,speed=1", "unknown key" },
		{ "uio=0000:00:03.0,region=2", "starts with vfio=<BDF> or pci=<BDF>" },
		{ "vfio", "expected key=value" },
	};
	struct ma_pfnmap_spec s[MA_PFNMAP_MAX_SPECS];

	for (unsigned int i = 0; i < MA_ARRAY_SIZE(bad); i++) {
		char err[200] = "";
		int n = ma_try_pfnmap_parse_specs(bad[i].in, s, MA_PFNMAP_MAX_SPECS, err, sizeof(err));

		MA_CHECK(!(n != -EINVAL || !strstr(err, bad[i].msg)),
			 "'%s': got %d '%s', want -EINVAL '...%s...'", bad[i].in, n, err, bad[i].msg);
	}
}
