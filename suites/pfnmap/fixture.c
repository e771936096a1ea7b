// SPDX-License-Identifier: GPL-2.0
/*
 * pfnmap: the fixture module (fixtures/kmod/memattr_carveout.ko) that the carveout_* sources come
 * from.  Where the cell loaded it (MEMATTR_FIXTURE=memattr_carveout, set by the lab's init), it
 * must be there with its three devices over a sane range; elsewhere its tests skip.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pfnmap.h"

#define FIXTURE_SOURCE "fixtures/kmod/memattr_carveout.c: misc devices memattr_carveout_{wb,nc,dev}, parameters base and size (page aligned, size > 0)"

MA_TEST(pfnmap, fixture_module_loaded, .source = FIXTURE_SOURCE)
{
	static const char *const devs[] = { "/dev/memattr_carveout_wb", "/dev/memattr_carveout_nc",
					     "/dev/memattr_carveout_dev" };
	const char *want = getenv("MEMATTR_FIXTURE");
	long base = ma_try_fixture_counter("base"), size = ma_try_fixture_counter("size");
	struct stat st;

	if (size < 0 && !(want && !strcmp(want, "memattr_carveout")))
		ma_skip("the fixture module is not loaded and this cell did not load it (lab: fixtures = 1; a real host: insmod fixtures/kmod/memattr_carveout.ko base=... size=...)");
	if (size < 0)
		ma_fatal("the cell loaded memattr_carveout but /sys/module/memattr_carveout is missing: insmod failed (the console's ID fixture_carveout line has the kernel's reason)");
	ma_log("memattr_carveout: base %#lx size %#lx", (unsigned long)base, (unsigned long)size);
	MA_EXPECT_TRUE(size > 0 && size % (long)ma_host_page_size() == 0);
	MA_EXPECT_TRUE(base > 0 && base % (long)ma_host_page_size() == 0);
	for (unsigned int i = 0; i < 3; i++)
		MA_CHECK(!(stat(devs[i], &st) || !S_ISCHR(st.st_mode)),
			 "%s is not a character device", devs[i]);
}
